/**
 * Kiln's idle Web Workers in a browser (layer: host, browser): a worker
 * whose process or thread ended cleanly is kept, loaded, for the next
 * process or thread that needs a worker of the same entry, so that a warm
 * start costs no worker start and no module load. Up to `maxIdle` are
 * kept (the longest idle makes room for a newer one), each for `idleMs`,
 * then terminated; `closeIdle()` terminates them
 * at once. A worker stopped mid-run (a time limit, a trap that left it
 * unusable, a failure to load) is terminated, never kept. Node's
 * spawner and process pool keep workers the same way.
 */

/** The Web Worker members Kiln's browser code uses (Kiln's types do not assume the DOM). */
export interface WebWorker {
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
  onmessage: ((event: { data: never }) => void) | null;
  onerror: ((event: { message?: string; preventDefault?(): void }) => void) | null;
}

type WorkerConstructor = new (url: string | URL, options: { type: 'module'; name?: string }) => WebWorker;

/** An idle worker; `holds`: idle workers of its own (a process worker's thread workers), ended with it. */
interface Idle { worker: WebWorker; url: string; holds: number; timer: ReturnType<typeof setTimeout> }

export class WebWorkerPool {
  readonly #idle: Idle[] = [];

  /** Keeps up to `maxIdle` idle workers, each for `idleMs`. */
  constructor(readonly maxIdle = 4, readonly idleMs = 30_000) {}

  /** How many idle workers are kept now, with those they keep of their own (as they said when they went idle). */
  get idle(): number {
    let n = 0;
    for (const e of this.#idle) n += 1 + e.holds;
    return n;
  }

  /** An idle worker of `url`, or a new one named `name`. */
  acquire(url: string | URL, name: string): WebWorker {
    const key = String(url);
    const i = this.#idle.findIndex((e) => e.url === key);
    if (i >= 0) {
      const [entry] = this.#idle.splice(i, 1);
      clearTimeout(entry!.timer);
      return entry!.worker;
    }
    const Worker = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;
    return new Worker(url, { type: 'module', name });
  }

  /**
   * `worker` (of `url`) finished its run cleanly: kept for the next (in
   * place of the longest idle when the pool is full), with the `holds`
   * idle workers of its own it keeps.
   */
  release(worker: WebWorker, url: string | URL, holds = 0): void {
    worker.onmessage = null;
    worker.onerror = null;
    if (this.maxIdle <= 0) {
      worker.terminate();
      return;
    }
    // Full: the longest idle goes, so that the kinds of worker the page uses now are the ones kept.
    while (this.#idle.length >= this.maxIdle) {
      const oldest = this.#idle.shift()!;
      clearTimeout(oldest.timer);
      oldest.worker.terminate();
    }
    const entry: Idle = {
      worker,
      url: String(url),
      holds,
      timer: setTimeout(() => {
        const i = this.#idle.indexOf(entry);
        if (i >= 0) this.#idle.splice(i, 1);
        worker.terminate();
      }, this.idleMs),
    };
    this.#idle.push(entry);
  }

  /** Terminates every idle worker now. */
  closeIdle(): void {
    for (const { worker, timer } of this.#idle.splice(0)) {
      clearTimeout(timer);
      worker.terminate();
    }
  }
}

/** The pool of Kiln's browser workers: thread workers and process workers alike. */
export const browserWorkers = new WebWorkerPool();

/** Terminates Kiln's idle workers in this page (or worker) now; those running a process or thread are left alone. */
export function closeIdleWorkers(): void {
  browserWorkers.closeIdle();
}

/**
 * How many idle workers Kiln keeps in this page now (each would end by
 * itself after 30 s), with the thread workers an idle process worker keeps.
 */
export function idleWorkers(): number {
  return browserWorkers.idle;
}
