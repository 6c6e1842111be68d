/**
 * A thread of a process, as the kernel records it (layer: kernel). The
 * kernel does not run threads: whatever runs one (a port on the kernel's
 * own thread, a worker) gives it a `halt` hook, which `Process.end` calls
 * so that no thread of an ended process goes on running.
 */
/** Whatever keeps a thread table: the process a thread belongs to. */
export interface ThreadOwner {
  /** Live threads by tid. */
  readonly threads: Map<number, KernelThread>;
}

export class KernelThread {
  #ended = false;
  /**
   * Stops the thread wherever it is (a worker is terminated); may return a
   * Promise that settles once it has stopped. Set by whatever runs it.
   */
  halt: (() => void | Promise<void>) | undefined;
  /**
   * Hands a signal to the thread for the guest's handler (WASIX
   * `callback_signal`): it runs at the thread's next return from a
   * syscall, and a call the thread is blocked in ends with EINTR. Set by
   * whatever runs the thread; a thread without it gets signals at its
   * process's next delivery point.
   */
  deliver: ((sig: number) => void) | undefined;
  /**
   * Counts the signals handed to the thread: a blocked call that sees it
   * change ends with EINTR (or, for a futex wait, unwoken).
   */
  interrupts = 0;
  /** The exit code of `thread_exit`, once the thread called it. */
  exitCode: number | undefined;

  constructor(
    /** The process the thread belongs to. */
    readonly process: ThreadOwner,
    /** Its id: 0 for the main thread, from the runtime's `threadGenerateId` for the others. */
    readonly tid: number,
  ) {}

  /** True for the thread that runs `_start`. */
  get main(): boolean { return this.tid === 0; }

  /** True once the thread returned or was halted. */
  get ended(): boolean { return this.#ended; }

  /**
   * The thread returned (its entry function finished): it leaves the
   * process's thread table. The process goes on unless it was the main
   * thread, which its runner then ends.
   */
  exit(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.process.threads.delete(this.tid);
  }

  /** Stops it (called by `Process.end`). */
  stop(): void | Promise<void> {
    if (this.#ended) return undefined;
    this.#ended = true;
    this.process.threads.delete(this.tid);
    return this.halt?.();
  }
}
