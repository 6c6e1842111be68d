/**
 * ReadinessSignal (layer: host): a counter in shared memory that anything
 * making a resource ready bumps (an I/O thread receiving socket data, a
 * timer), so a blocked guest thread can sleep in Atomics.wait until
 * something may have changed, instead of spinning.
 *
 * Where SharedArrayBuffer does not exist (a browser page that is not
 * cross-origin isolated, and its workers) the counter lives in a plain
 * ArrayBuffer and `wait` returns at once: callers re-check and come back.
 */
export class ReadinessSignal {
  /** The counter: an Int32Array of length 1 (over a SharedArrayBuffer where there is one). */
  readonly cell: Int32Array;
  readonly #shared: boolean;

  /** A signal on a new counter, or on the first cell of `buffer` (to share one with another thread). */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer = newCellBuffer()) {
    this.cell = new Int32Array(buffer, 0, 1);
    this.#shared = typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
  }

  /** The current generation; pass it to `wait` to sleep until it changes. */
  get generation(): number { return Atomics.load(this.cell, 0); }

  /** Sleeps until the generation differs from `seen` or `timeoutMs` passes. */
  wait(seen: number, timeoutMs: number): void {
    if (timeoutMs <= 0 || !this.#shared) return;
    try {
      Atomics.wait(this.cell, 0, seen, timeoutMs === Infinity ? undefined : timeoutMs);
    } catch {
      // A browser main thread cannot block; callers re-check and come back.
    }
  }

  /**
   * Resolves when the generation differs from `seen`, or after `ms`: the
   * asynchronous `wait`, for a thread that must not block (JSPI). A timer
   * always runs beside Atomics.waitAsync (which does not keep Node's event
   * loop alive), at most a second, after which the caller checks again.
   */
  changeOrTimeout(seen: number, ms: number): Promise<void> {
    if (this.generation !== seen) return Promise.resolve();
    const wait = Math.max(0, Math.min(ms, 1000));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void { clearTimeout(timer); resolve(); }
      const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
      if (waitAsync !== undefined && this.#shared) {
        const r = waitAsync(this.cell, 0, seen, wait);
        if (r.async) void (r.value as Promise<string>).then(done);
        else done();
      }
    });
  }

  /** Bumps the counter and wakes every thread waiting on it. */
  notify(): void {
    Atomics.add(this.cell, 0, 1);
    Atomics.notify(this.cell, 0); // 0 woken, no error, on a plain ArrayBuffer
  }
}

interface WaitAsyncResult { async: boolean; value: Promise<string> | string }
type WaitAsync = (cell: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult;

function newCellBuffer(): SharedArrayBuffer | ArrayBuffer {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : new ArrayBuffer(4);
}
