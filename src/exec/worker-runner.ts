/**
 * Process workers, platform-neutral (layer: execution): what `run()` asks
 * of a platform that can run a process in a worker (Node's is
 * exec/node/process-launch.ts, reached only from the Node entry point).
 */
import type { Runtime } from '../host/runtime.js';
import type { ExitStatus } from '../kernel/exit-status.js';
import type { CheckedWASIOptions } from './options.js';
import type { TranspiledComponent } from './component/transpile.js';
import type { ServedResponse } from './component/http-handler.js';
import type { ReceivedRequest } from '../syscalls/p2/http-types.js';

/** What a process worker is asked to run. */
export interface WorkerRunRequest {
  /** The compiled module (memory limit already applied to its bytes), or a transpiled command component. */
  module: WebAssembly.Module | TranspiledComponent;
  /** The options: what can cross as data does, the rest is bridged. */
  options: CheckedWASIOptions;
  /** A threaded module's bytes (its shared memory's limits are read from them): the worker runs it with its threads in workers it starts. */
  threadedBytes?: Uint8Array;
  /** The calling thread's runtime (overrides applied), for what is realised before the run crosses. */
  runtime: Runtime;
  /** For a `wasi:http/proxy` component: the request its fresh instance handles (instead of running a command). */
  httpRequest?: ReceivedRequest;
  /** Called with the response to `httpRequest`, before the run ends. */
  onResponse?: (response: ServedResponse) => void;
}

/** Runs a command module (or component) in a process worker; resolves to how it ended. */
export type WorkerRunner = (request: WorkerRunRequest) => Promise<ExitStatus>;
