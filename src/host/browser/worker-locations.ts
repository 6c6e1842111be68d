/**
 * Where Kiln's browser workers are loaded from (layer: host, browser): the
 * entries beside Kiln's own modules by default (worker-urls.ts), or the
 * URLs an application gives with `setWorkerUrls` when its bundler puts
 * them elsewhere. Read each time a worker starts.
 */
import { OPFS_WORKER_URL, PROCESS_WORKER_URL, THREAD_WORKER_URL } from './worker-urls.js';

/** The worker entries' URLs. */
export interface WorkerUrls {
  /** `kiln.browser-process.js`: the worker `run()` runs a single-threaded process in. */
  process: string | URL;
  /** `kiln.browser-thread.js`: the worker each wasm thread runs in. */
  thread: string | URL;
  /** `kiln.browser-opfs.js`: the worker an OpfsFileSystem keeps its files open in. */
  opfs: string | URL;
}

const current: WorkerUrls = { process: PROCESS_WORKER_URL, thread: THREAD_WORKER_URL, opfs: OPFS_WORKER_URL };

/** The URLs workers start from now. */
export function workerUrls(): Readonly<WorkerUrls> {
  return current;
}

/**
 * Loads Kiln's workers from these URLs (e.g. what a bundler gives for
 * `kiln-wasm/browser-process-worker`, `kiln-wasm/browser-thread-worker` and
 * `kiln-wasm/browser-opfs-worker`);
 * an entry left out keeps its URL.
 */
export function setWorkerUrls(urls: Partial<WorkerUrls>): void {
  if (urls.process !== undefined) current.process = urls.process;
  if (urls.thread !== undefined) current.thread = urls.thread;
  if (urls.opfs !== undefined) current.opfs = urls.opfs;
}
