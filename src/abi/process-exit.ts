/**
 * ProcessExit (layer: abi, vocabulary of every layer): thrown by proc_exit
 * (and by a signal whose default action ends the process) to unwind the
 * guest's stack; it is control flow, not an error, and is never turned
 * into an errno.
 */
export class ProcessExit extends Error {
  /** The exit of a process with `code` (and, when a signal ended it, that signal). */
  constructor(
    /** The exit code: `proc_exit`'s, or 128 + the Linux signal number for a signal. */
    readonly code: number,
    /** The WASI signal that ended the process, if one did. */
    readonly signal?: number,
  ) {
    super(signal === undefined ? `process exited with code ${code}` : `process ended by signal ${signal}`);
    this.name = 'ProcessExit';
  }
}
