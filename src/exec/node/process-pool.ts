/**
 * The pool of process workers (layer: execution, Node only). Starting a
 * worker and loading Kiln in it costs tens of milliseconds; running a small
 * guest in a ready one costs well under one. So a worker that finished a
 * run cleanly goes back to the pool, unreferenced (an idle worker never
 * keeps the embedder's process alive), and the next `run()` takes it.
 *
 * A worker is handed a run only once it has reported `ready` (its modules
 * loaded), and a run that gives up on a worker it is still waiting for (a
 * time limit that passes first) leaves that worker to the pool when it
 * becomes ready: no worker is ever stopped while it is loading modules,
 * which would leave the loader's open files behind in the host process.
 * Idle workers beyond `maxIdle`, and those idle for longer than `idleMs`,
 * are terminated.
 */
import os from 'node:os';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { nodeThreadSpawner, unexpectedExit } from '../../host/node/node-thread-spawner.js';
import { startKilnWorker } from '../../host/node/worker-start.js';
import type { PoolMessage, WorkerReport } from '../process-protocol.js';

/** Settles with a ready worker; `cancel()` gives it up (it joins the pool once ready). */
export interface Acquisition {
  readonly worker: Promise<Worker>;
  cancel(): void;
}

export class ProcessWorkerPool {
  readonly #idle = new Map<Worker, ReturnType<typeof setTimeout>>();
  /** Each worker's resource limits, as a key: a run takes only a worker started with the limits it asks for. */
  readonly #limits = new Map<Worker, string>();
  #closed = false;
  /** Workers retiring now (a worker released past `maxIdle` retires without anyone waiting): `close()` waits for them too. */
  readonly #retiring = new Set<Promise<void>>();

  /** Keeps at most `maxIdle` idle workers, each for at most `idleMs`. */
  constructor(readonly maxIdle: number, readonly idleMs: number) {}

  /** Idle workers now. */
  get idle(): number { return this.#idle.size; }

  /**
   * A ready worker (started with `resourceLimits`): an idle one, or a new
   * one once it has loaded Kiln. A worker that dies before it is ready
   * (out of memory, ...) rejects with what happened.
   */
  acquire(resourceLimits?: ResourceLimits): Acquisition {
    const key = JSON.stringify(resourceLimits ?? {});
    const idle = this.#takeIdle(key);
    if (idle !== undefined) return { worker: Promise.resolve(idle), cancel: () => this.release(idle) };
    let cancelled = false;
    const worker = startKilnWorker(import.meta.url, 'process-worker', resourceLimits === undefined ? {} : { resourceLimits });
    this.#limits.set(worker, key);
    worker.once('exit', () => { this.#forget(worker); this.#limits.delete(worker); });
    const ready = new Promise<Worker>((resolve, reject) => {
      const onMessage = (r: WorkerReport): void => {
        if (r.type !== 'ready') return;
        cleanup();
        if (cancelled) this.release(worker);
        else resolve(worker);
      };
      let error: Error | undefined;
      const onError = (e: Error): void => { error = e; };
      const onExit = (code: number): void => { cleanup(); reject(new Error(unexpectedExit('the process worker', error, code))); };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return { worker: ready, cancel: () => { cancelled = true; } };
  }

  /** A worker whose run ended cleanly: kept idle (unreferenced) or terminated. */
  release(worker: Worker): void {
    if (this.#closed || this.#idle.size >= this.maxIdle) {
      void this.#retire(worker);
      return;
    }
    worker.unref();
    const timer = setTimeout(() => { this.#idle.delete(worker); void this.#retire(worker); }, this.idleMs);
    timer.unref();
    this.#idle.set(worker, timer);
  }

  /**
   * Terminates every idle worker (those running go on, and are terminated
   * when they end), and settles once they, and any worker retiring
   * already, have exited.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = [...this.#idle.keys()];
    for (const w of idle) this.#forget(w);
    for (const w of idle) void this.#retire(w);
    await Promise.all([...this.#retiring]);
    this.#closed = false;
  }

  #retire(worker: Worker): Promise<void> {
    const retired = retire(worker);
    this.#retiring.add(retired);
    void retired.then(() => { this.#retiring.delete(retired); });
    return retired;
  }

  #takeIdle(key: string): Worker | undefined {
    let worker: Worker | undefined;
    for (const w of this.#idle.keys()) if (this.#limits.get(w) === key) { worker = w; break; }
    if (worker === undefined) return undefined;
    this.#forget(worker);
    worker.ref();
    return worker;
  }

  #forget(worker: Worker): void {
    const timer = this.#idle.get(worker);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#idle.delete(worker);
  }
}

/** How long a retiring worker has to let go of what it keeps before it is terminated. */
const RETIRE_MS = 2000;

/**
 * Ends an idle worker: it closes what it keeps (an instance made ahead for
 * the next request holds host descriptors, which terminating its thread
 * would leave open) and exits; terminated if it does not in time.
 */
function retire(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), RETIRE_MS);
    timer.unref();
    worker.once('exit', () => { clearTimeout(timer); resolve(); });
    // Referenced until it has exited: whoever awaits this is kept alive for it.
    worker.ref();
    worker.postMessage({ type: 'retire' } satisfies PoolMessage);
  });
}

/** The pool `run()` uses: a few idle workers, each kept for half a minute. */
export const processWorkers = new ProcessWorkerPool(Math.max(1, Math.min(4, os.availableParallelism())), 30_000);

/**
 * Terminates the process workers `run()` keeps idle for the next runs, and
 * the thread workers the default thread spawner keeps for the next threads (an
 * embedder shutting down cleanly, or counting threads, calls it; idle
 * workers never keep the process alive by themselves).
 */
export async function closeIdleWorkers(): Promise<void> {
  await Promise.all([processWorkers.close(), nodeThreadSpawner.closeIdle()]);
}
