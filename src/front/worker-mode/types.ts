/**
 * The worker mode's platform-neutral surface (layer: front doors): what
 * the `WASI` class asks a platform that can run a guest in a worker, and
 * the error a time limit raises. The Node implementation is
 * `node-launch.ts` (reached only from src/node.ts, never from the browser
 * build).
 */
import type { HostBindings } from '../host-bindings.js';
import type { CheckedWASIOptions } from '../wasi.js';

/** What a worker runner is asked to run. */
export interface WorkerRunRequest {
  /** The compiled module (memory limit already applied to its bytes). */
  module: WebAssembly.Module;
  /** The options as the WASI object checked them: what can cross as data does, the rest is bridged. */
  options: CheckedWASIOptions;
  /** The caller's host bindings (for what is reached through the host bridge). */
  host: HostBindings;
}

/** Runs a single-threaded command module in a worker; resolves to its exit code. */
export type WorkerRunner = (request: WorkerRunRequest) => Promise<number>;

/**
 * Host bindings of a platform with a worker mode (Node): `WASI.run()` and
 * `WasiBuilder.run()` use `runInWorker` when the bindings have it.
 */
export interface WorkerHostBindings extends HostBindings {
  /** Runs a guest in a worker (the worker mode); without it `run()` runs it on the calling thread. */
  runInWorker?: WorkerRunner;
}

/** A run stopped by its wall-clock limit (`timeoutMs`): its workers were terminated and its descriptors closed. */
export class TimeoutError extends Error {
  /** The error for a run stopped after `timeoutMs`. */
  constructor(
    /** The time limit that passed, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`the guest did not finish within its time limit of ${timeoutMs} ms and was stopped`);
    this.name = 'TimeoutError';
  }
}
