/**
 * Threads for Node (layer: host, Node only): each wasm thread runs in a
 * worker_threads Worker executing node-thread-worker.js, the compiled entry
 * next to this package's other modules (so from dist/, not from TypeScript
 * sources under a loader such as tsx).
 *
 * V8 before 13 (Node 20, 22) has a baseline-compiler (Liftoff) bug: a local
 * held across `memory.atomic.wait32/64` can read back as 0 after the wait,
 * so a guest's futex loops compute wrong values. Before the first thread
 * starts, Kiln turns Liftoff off for the host process on those versions
 * (optimised code only; function bodies compile lazily, so modules compiled
 * earlier are covered too). Node 24 is not affected.
 */
import * as v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { GuestThreadStart, ThreadEvent, ThreadSpawner, ThreadWorker } from '../threads.js';

const script = new URL('../../node-thread-worker.js', import.meta.url);

let liftoffChecked = false;

function avoidLiftoffWaitBug(): void {
  if (liftoffChecked) return;
  liftoffChecked = true;
  const major = Number(process.versions.v8.split('.')[0]);
  if (major < 13) v8.setFlagsFromString('--no-liftoff');
}

export const nodeThreadSpawner: ThreadSpawner = {
  spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker {
    avoidLiftoffWaitBug();
    // Not the embedder's flags (e.g. --input-type, loaders): the worker runs plain compiled JS.
    const worker = new Worker(script, { execArgv: [] });
    worker.on('message', (event: ThreadEvent) => onEvent(event));
    worker.on('error', (err: Error) => {
      onEvent({ type: 'failed', message: err.message, stack: err.stack ?? err.message, trap: false });
    });
    return {
      run(start: GuestThreadStart): void { worker.postMessage(start); },
      async terminate(): Promise<void> { await worker.terminate(); },
    };
  },
};
