/**
 * A platform (layer: front doors): the runtime its processes use, and, on
 * Node, how a process runs in a worker. `nodePlatform` and
 * `browserPlatform` are Kiln's; the `WASI` class and `WasiBuilder` of each
 * entry point are bound to one.
 */
import type { Runtime } from '../host/runtime.js';
import type { WorkerRunner } from '../exec/worker-runner.js';

/** Where processes run: a runtime, and (Node) process workers. */
export interface Platform {
  /** The platform's runtime; options replace single members of it. */
  readonly runtime: Runtime;
  /** Runs a process in a worker (`run()`); without it `run()` runs the guest on the calling thread. */
  readonly runInWorker?: WorkerRunner;
  /** Its process workers also run threaded processes, the kernel in the worker (browsers); otherwise a threaded process's kernel is the caller's. */
  readonly threadedInWorker?: boolean;
}
