/**
 * The Web Worker that runs wasm threads of a threaded process in a browser
 * (entry point, browser only; bundled as `dist/kiln.browser-thread.js`).
 * It waits for a thread to run, runs it to completion and reports back, as
 * Node's node-thread-worker.ts does. Guest writes go through the kernel
 * (a browser worker has no host descriptor to write to).
 */
import { runThreadToEvent } from './exec/ports/thread-run.js';
import type { GuestThreadStart, ThreadEvent } from './host/threads.js';

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((event: { data: GuestThreadStart }) => void) | null;
  postMessage(message: ThreadEvent | { type: 'ready' }): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async ({ data: start }) => {
  scope.postMessage(await runThreadToEvent(start, undefined));
};

scope.postMessage({ type: 'ready' });
