/**
 * Process workers, platform-neutral (layer: execution): what `run()` asks
 * of a platform that can run a process in a worker (Node's is
 * exec/node/process-launch.ts, reached only from the Node entry point).
 */
import type { Runtime } from '../host/runtime.js';
import type { ExitStatus } from '../kernel/exit-status.js';
import type { CheckedWASIOptions } from './options.js';

/** What a process worker is asked to run. */
export interface WorkerRunRequest {
  /** The compiled module (memory limit already applied to its bytes). */
  module: WebAssembly.Module;
  /** The options: what can cross as data does, the rest is bridged. */
  options: CheckedWASIOptions;
  /** The calling thread's runtime (overrides applied), for what is realised before the run crosses. */
  runtime: Runtime;
}

/** Runs a single-threaded command module in a process worker; resolves to how it ended. */
export type WorkerRunner = (request: WorkerRunRequest) => Promise<ExitStatus>;
