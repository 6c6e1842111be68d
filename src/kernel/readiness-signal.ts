/**
 * ReadinessSignal (layer: kernel): a counter in shared memory that anything
 * making a resource ready bumps (an I/O thread receiving socket data, a
 * timer), so a blocked guest thread can sleep in Atomics.wait until
 * something may have changed, instead of spinning.
 */
export class ReadinessSignal {
  readonly cell: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer, 0, 1);
  }

  /** The current generation; pass it to `wait` to sleep until it changes. */
  get generation(): number { return Atomics.load(this.cell, 0); }

  /** Sleeps until the generation differs from `seen` or `timeoutMs` passes. */
  wait(seen: number, timeoutMs: number): void {
    if (timeoutMs <= 0) return;
    try {
      Atomics.wait(this.cell, 0, seen, timeoutMs === Infinity ? undefined : timeoutMs);
    } catch {
      // A browser main thread cannot block; callers re-check and come back.
    }
  }

  notify(): void {
    Atomics.add(this.cell, 0, 1);
    Atomics.notify(this.cell, 0);
  }
}
