/**
 * Threads for browsers (layer: host, browser): each wasm thread runs in a
 * module Web Worker executing `kiln.browser-thread.js` (the bundled
 * browser-thread-worker.ts), started from the thread the process's kernel
 * is on (a process worker, or the thread that called `run()`), which
 * serves the threads' calls with `Atomics.waitAsync` and never blocks.
 *
 * Workers share the guest's memory, a SharedArrayBuffer, which a page has
 * only when it is cross-origin isolated (served with
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`); without it `spawn`
 * throws, saying which headers the page needs.
 */
import type { GuestThreadStart, ThreadEvent, ThreadSpawner, ThreadWorker } from '../threads.js';
import { workerUrls } from './worker-locations.js';
import { browserWorkers } from './worker-pool.js';

/** Why threads cannot run on this page, or undefined when they can. */
export function threadsUnavailable(): string | undefined {
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (typeof g.Worker !== 'function') return 'this context cannot start Web Workers';
  if (g.crossOriginIsolated !== true || typeof g.SharedArrayBuffer !== 'function') {
    return 'threads need a cross-origin isolated page (SharedArrayBuffer): serve it with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"';
  }
  return undefined;
}

/**
 * A thread spawner on Web Workers loading `url`: by default Kiln's own
 * thread worker (`kiln.browser-thread.js` beside the prebuilt bundle,
 * `browser-thread-worker.js` in the compiled modules, or what
 * `setWorkerUrls` set). A worker runs one wasm thread at a time; once its
 * thread has returned, its process releases it to Kiln's idle workers
 * (worker-pool.ts), for the next thread of any process.
 */
export function webWorkerThreadSpawner(url?: string | URL): ThreadSpawner {
  return {
    spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker {
      const why = threadsUnavailable();
      if (why !== undefined) throw new Error(why);
      const workerUrl = url ?? workerUrls().thread;
      const worker = browserWorkers.acquire(workerUrl, 'kiln thread');
      let stopped = false;
      worker.onmessage = ({ data }: { data: ThreadEvent | { type: 'ready' } }) => {
        if (data.type !== 'ready') onEvent(data);
      };
      worker.onerror = (event) => {
        if (stopped) return;
        stopped = true;
        const message = `a thread's worker failed: ${event.message ?? `could not load ${String(workerUrl)}`}`;
        onEvent({ type: 'failed', message, stack: message, trap: false });
      };
      return {
        run(start: GuestThreadStart): void { worker.postMessage(start); },
        terminate(): Promise<void> {
          stopped = true;
          worker.terminate();
          return Promise.resolve();
        },
        release(): void {
          stopped = true;
          browserWorkers.release(worker, workerUrl);
        },
      };
    },
  };
}
