/**
 * Threads for Node (layer: host, Node only): each wasm thread runs in a
 * worker_threads Worker executing node-thread-worker.js, the entry at the
 * root of this package's modules (from TypeScript sources, the .ts one
 * through tsx: see worker-start.ts).
 *
 * V8 before 13 (Node 20, 22) has a baseline-compiler (Liftoff) bug: a local
 * held across `memory.atomic.wait32/64` can read back as 0 after the wait,
 * so a guest's futex loops compute wrong values. Before the first thread of
 * a module that may do that starts (`GuestThreadStart.atomicWait`: a
 * wasi-threads program; not a WASIX one, whose futexes are calls), Kiln
 * turns Liftoff off for the host process on those versions (optimised
 * code only; function bodies compile lazily, so modules compiled earlier
 * are covered too). Node 24 is not affected.
 */
import * as v8 from 'node:v8';
import type { ResourceLimits, Worker } from 'node:worker_threads';
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
  /** Released workers kept for later spawns, at most (default: 4). */
  maxIdle?: number;
  /** How long a released worker is kept, in milliseconds (default: 30 s). */
  idleMs?: number;
}

/** A Node thread spawner; `closeIdle()` stops the workers it keeps for later spawns. */
export interface NodeThreadSpawner extends ThreadSpawner {
  /**
   * Terminates the workers kept for later spawns (those running threads go
   * on), and settles once they, and any worker being stopped already, have
   * ended.
   */
  closeIdle(): Promise<void>;
  /** How many workers are kept for later spawns now. */
  readonly idle: number;
  /**
   * Starts workers now, so that the next spawns find them ready: as many as
   * make `count` kept in all (at most `maxIdle`), each kept as a released
   * one is (unreferenced, for `idleMs`).
   */
  prestart(count: number): void;
}

/** Why a worker ended that Kiln did not stop: out of memory, or another exit. */
export function unexpectedExit(what: string, error: Error | undefined, code: number): string {
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `${what} ran out of memory (${error!.message})`;
  return `${what} exited unexpectedly (code ${code})${error === undefined ? '' : `: ${error.message}`}`;
}

/** One worker of a spawner, across the threads (and processes) it runs. */
interface PooledWorker {
  readonly worker: Worker;
  /** Settles once the worker loaded its modules (or ended). */
  readonly ready: Promise<void>;
  /** Where its reports go: the process it runs threads for (none while idle). */
  onEvent: ((event: ThreadEvent) => void) | undefined;
  /** True once Kiln stops it: its end is no failure. */
  stopping: boolean;
  /** What ended it, if it died on its own. */
  error: Error | undefined;
  /** While idle: the timer that stops it. */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A thread spawner on worker_threads. A worker that dies without Kiln
 * stopping it (out of memory, an exit) is reported as a failed thread, so
 * the process ends with that error instead of waiting for it.
 *
 * Starting a worker and loading Kiln in it costs tens of milliseconds;
 * running a thread in a ready one well under one. So a worker a process
 * releases (its threads returned) is kept, unreferenced (an idle worker
 * never keeps the host process alive), for the next spawn of any process:
 * at most `maxIdle` of them, each for at most `idleMs`.
 */
export function createNodeThreadSpawner(options: NodeThreadSpawnerOptions = {}): NodeThreadSpawner {
  const maxIdle = options.maxIdle ?? 4;
  const idleMs = options.idleMs ?? 30_000;
  const idle: PooledWorker[] = [];

  const forget = (p: PooledWorker): void => {
    const i = idle.indexOf(p);
    if (i >= 0) idle.splice(i, 1);
    clearTimeout(p.idleTimer);
    p.idleTimer = undefined;
  };

  /** Stops in flight (a worker released past `maxIdle` is stopped without anyone waiting): `closeIdle()` waits for them too. */
  const stopping = new Set<Promise<void>>();

  const stop = (p: PooledWorker): Promise<void> => {
    p.stopping = true;
    forget(p);
    const stopped = (async () => {
      // A worker stopped while it still loads its modules leaves the loader's files open: let it finish loading (at most 5 s).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([p.ready, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
      clearTimeout(timer);
      await p.worker.terminate();
    })();
    stopping.add(stopped);
    const done = (): void => { stopping.delete(stopped); };
    stopped.then(done, done);
    return stopped;
  };

  const startWorker = (): PooledWorker => {
    const worker = startKilnWorker(BASE, 'node-thread-worker', options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits });
    let loaded!: () => void;
    const p: PooledWorker = {
      worker, ready: new Promise<void>((resolve) => { loaded = resolve; }), onEvent: undefined, stopping: false, error: undefined, idleTimer: undefined,
    };
    worker.on('message', (event: ThreadEvent | { type: 'ready' }) => {
      if (event.type === 'ready') loaded();
      else p.onEvent?.(event);
    });
    worker.on('error', (err: Error) => { p.error = err; });
    worker.on('exit', (code) => {
      loaded(); // nothing left to wait for
      forget(p);
      if (p.stopping) return;
      const message = unexpectedExit("a thread's worker", p.error, code);
      p.onEvent?.({ type: 'failed', message, stack: p.error?.stack ?? message, trap: false });
    });
    return p;
  };

  const keep = (p: PooledWorker): void => {
    p.onEvent = undefined;
    if (p.stopping) return;
    if (idle.length >= maxIdle) {
      void stop(p);
      return;
    }
    p.worker.unref();
    p.idleTimer = setTimeout(() => void stop(p), idleMs);
    p.idleTimer.unref();
    idle.push(p);
  };

  return {
    spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker {
      let p = idle.pop();
      if (p !== undefined) {
        forget(p);
        p.worker.ref();
      } else {
        p = startWorker();
      }
      p.onEvent = onEvent;
      const pooled = p;
      let done = false;
      return {
        run(start: GuestThreadStart): void {
          if (start.atomicWait) avoidLiftoffWaitBug();
          pooled.worker.postMessage(start);
        },
        async terminate(): Promise<void> {
          if (done) return;
          done = true;
          await stop(pooled);
        },
        release(): void {
          if (done) return;
          done = true;
          keep(pooled);
        },
      };
    },
    async closeIdle(): Promise<void> {
      for (const p of [...idle]) void stop(p);
      await Promise.all([...stopping]);
    },
    get idle(): number { return idle.length; },
    prestart(count: number): void {
      while (idle.length < Math.min(count, maxIdle)) keep(startWorker());
    },
  };
}

/** Threads for Node: each wasm thread in a worker_threads Worker (the default runtime's spawner). */
export const nodeThreadSpawner: NodeThreadSpawner = createNodeThreadSpawner();
