// The page's side of the browser test: runs the guest on the main thread, or
// in a dedicated module worker (worker.js) that imports the bundle itself.
import {
  closeIdleWorkers, idleWorkers, readOpfsTree, refusals, runComponent, runGuest, runGuestOnOpfs, runLoopback, runProcesses, runThreads, timeLimit,
} from './guest.js';

export { closeIdleWorkers, idleWorkers, readOpfsTree, refusals, runComponent, runGuestOnOpfs, runLoopback, runProcesses, runThreads, timeLimit };

export function runMain(options) {
  return runGuest(options);
}

/** Runs the pthreads program in a worker of the page's: its kernel there, its threads in workers that worker starts. */
export function runThreadsInWorker() {
  return runWorker({ threads: true });
}

export function runWorker(options) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'kiln-guest' });
    worker.onmessage = (e) => {
      worker.terminate();
      if (e.data.error !== undefined) reject(new Error(`in the worker: ${e.data.error}`));
      else resolve(e.data.result);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`worker failed: ${e.message || 'could not load worker.js (or the bundle)'}`));
    };
    worker.postMessage(options);
  });
}
