/**
 * Blocking sleep (layer: host) without spinning: Atomics.wait on a private
 * cell, which works on Node's main thread, in Node workers and in browser
 * workers. A browser's main thread may not block at all; there the sleep
 * falls back to waiting on the clock, and Kiln's docs tell embedders to run
 * guests in a worker.
 */
let cell: Int32Array | undefined;
let canWait: boolean | undefined;

export function sleepMs(ms: number): void {
  if (!(ms > 0)) return;
  if (canWait !== false) {
    try {
      // Made on first use: SharedArrayBuffer is undefined in a browser page
      // that is not cross-origin isolated (then this throws and we fall back).
      cell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(cell, 0, 0, ms);
      canWait = true;
      return;
    } catch {
      canWait = false;
    }
  }
  const end = performance.now() + ms;
  while (performance.now() < end) { /* no way to block on this thread */ }
}
