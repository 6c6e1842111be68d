/**
 * TimeoutError (layer: execution): a run stopped by its wall-clock limit
 * (`timeoutMs`, `kiln run --timeout`). Whatever ran it (a process worker,
 * the threaded placement's workers) was stopped and every descriptor of
 * the process closed before the error is reported.
 */
export class TimeoutError extends Error {
  /** The error for a run stopped after `timeoutMs`. */
  constructor(
    /** The time limit that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`the guest did not finish within its time limit of ${timeoutMs} ms and was stopped`);
    this.name = 'TimeoutError';
  }
}
