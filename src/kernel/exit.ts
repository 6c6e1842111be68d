/**
 * ProcessExit (layer: kernel): thrown by proc_exit to unwind the guest's
 * stack; it is control flow, not an error, and is never turned into an errno.
 */
export class ProcessExit extends Error {
  /** The exit of a process with `code`. */
  constructor(
    /** The exit code the guest gave `proc_exit`. */
    readonly code: number,
  ) {
    super(`process exited with code ${code}`);
    this.name = 'ProcessExit';
  }
}
