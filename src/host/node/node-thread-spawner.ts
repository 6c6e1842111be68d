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
import type { ResourceLimits } from 'node:worker_threads';
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

/** Options of a Node thread spawner. */
export interface NodeThreadSpawnerOptions {
  /** Node's resource limits for each thread's worker (its JavaScript heap; wasm memory is not part of it). */
  resourceLimits?: ResourceLimits;
}

/** Why a worker ended that Kiln did not stop: out of memory, or another exit. */
export function unexpectedExit(what: string, error: Error | undefined, code: number): string {
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `${what} ran out of memory (${error!.message})`;
  return `${what} exited unexpectedly (code ${code})${error === undefined ? '' : `: ${error.message}`}`;
}

/**
 * A thread spawner on worker_threads. A worker that dies without Kiln
 * stopping it (out of memory, an exit) is reported as a failed thread, so
 * the process ends with that error instead of waiting for it.
 */
export function createNodeThreadSpawner(options: NodeThreadSpawnerOptions = {}): ThreadSpawner {
  return {
    spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker {
      avoidLiftoffWaitBug();
      const worker = startKilnWorker(BASE, 'node-thread-worker', options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits });
      let stopping = false;
      let error: Error | undefined;
      let loaded!: () => void;
      const ready = new Promise<void>((resolve) => { loaded = resolve; });
      worker.on('message', (event: ThreadEvent | { type: 'ready' }) => {
        if (event.type === 'ready') loaded();
        else onEvent(event);
      });
      worker.on('error', (err: Error) => { error = err; });
      worker.on('exit', (code) => {
        loaded(); // nothing left to wait for
        if (stopping) return;
        const message = unexpectedExit("a thread's worker", error, code);
        onEvent({ type: 'failed', message, stack: error?.stack ?? message, trap: false });
      });
      return {
        run(start: GuestThreadStart): void { worker.postMessage(start); },
        async terminate(): Promise<void> {
          stopping = true;
          // A worker stopped while it still loads its modules leaves the loader's files open: let it finish loading (at most 5 s).
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([ready, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
          clearTimeout(timer);
          await worker.terminate();
        },
      };
    },
  };
}

/** Threads for Node: each wasm thread in a worker_threads Worker. */
export const nodeThreadSpawner: ThreadSpawner = createNodeThreadSpawner();
