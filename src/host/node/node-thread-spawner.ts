/**
 * Threads for Node (layer: host, Node only): each wasm thread runs in a
 * worker_threads Worker executing node-thread-worker.js, the entry at the
 * root of this package's modules (from TypeScript sources, the .ts one
 * through tsx: see worker-start.ts).
 *
 * V8 before 13 (Node 20, 22) has a baseline-compiler (Liftoff) bug: a local
 * held across `memory.atomic.wait32/64` can read back as 0 after the wait,
 * so a guest's futex loops compute wrong values. Before the first thread
 * starts, Kiln turns Liftoff off for the host process on those versions
 * (optimised code only; function bodies compile lazily, so modules compiled
 * earlier are covered too). Node 24 is not affected.
 */
import * as v8 from 'node:v8';
import type { GuestThreadStart, ThreadEvent, ThreadSpawner, ThreadWorker } from '../threads.js';
import { startKilnWorker } from './worker-start.js';

/** The thread worker's entry sits at the root of Kiln's modules, two folders up from here. */
const ROOT = new URL('../../', import.meta.url).href;
const BASE = `${ROOT}node.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`;

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
    const worker = startKilnWorker(BASE, 'node-thread-worker', {});
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
