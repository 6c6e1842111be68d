/**
 * Kiln for Node.js: the core plus host directories, host file descriptors
 * and process exit. `import { WASI } from 'kiln-wasm'` is a drop-in for
 * `import { WASI } from 'node:wasi'`.
 *
 * @module kiln-wasm
 */
import { WasiBuilder as CoreBuilder } from './front/builder.js';
import type { WorkerHostBindings } from './front/worker-mode/types.js';
import { runInWorker } from './front/worker-mode/node-launch.js';
import { WASI as CoreWASI, type WASIOptions } from './front/wasi.js';
import { NodeFileSystem } from './host/node/node-fs.js';
import { NodeFdInput, NodeFdOutput } from './host/node/node-stdio.js';
import { nodeInput } from './host/node/node-stdin.js';
import { nodeThreadSpawner } from './host/node/node-thread-spawner.js';
import { nodeDeadline } from './host/node/deadline.js';
import { WebAssemblyEngine as CoreWebAssemblyEngine } from './wapc/engine.js';
import { WebAssemblyEngineAsync as CoreWebAssemblyEngineAsync, type AsyncWapcPlatform, type WebAssemblyEngineAsyncOptions } from './wapc/engine-async.js';
import type { WebAssemblyEngineOptions } from './wapc/guest-instance.js';
import { WorkerEngine } from './wapc/remote/node-worker-engine.js';
import { WapcHostPool as CoreWapcHostPool, type WapcHostPoolOptions } from './wapc/pool.js';

export * from './core.js';
export { WorkerEngine, WorkerStoppedError } from './wapc/remote/node-worker-engine.js';
export { NodeFileSystem, NodeFdInput, NodeFdOutput };
export { listenTcp, ListenError, type ListenSockets, type ListenOptions } from './host/node/node-net-listen.js';
export { loadNapiRsBinding, napiRsRuntime, type NapiRsOptions, type NapiRsRuntime } from './napi/napi-rs.js';

/** The built-in synchronous waPC engine, on Node. */
export class WebAssemblyEngine extends CoreWebAssemblyEngine {
  /**
   * An engine for `module` (bytes or a compiled module) with `options`
   * (WASI, console log, time limit), checked here: a wrong value throws a
   * TypeError naming the option.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions = {}) {
    super(module, options, nodeWapc);
  }
}

/** The built-in asynchronous waPC engine, on Node: JSPI where the engine has it, else a worker. */
export class WebAssemblyEngineAsync extends CoreWebAssemblyEngineAsync {
  /**
   * An engine for `module` with `options` (WASI, console log, time limit,
   * `mode`), checked here: a wrong value throws a TypeError naming the option.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineAsyncOptions = {}) {
    super(module, options, nodeWapc);
  }
}

/** A pool of waPC hosts on worker threads (see WapcHostPoolOptions). */
export class WapcHostPool extends CoreWapcHostPool {
  static override create(module: Uint8Array | WebAssembly.Module, options: WapcHostPoolOptions = {}): Promise<CoreWapcHostPool> {
    const engine = options.engine ?? {};
    return super.create(module, { ...options, engineFactory: options.engineFactory ?? ((m) => new WorkerEngine(m, engine)) });
  }
}

/**
 * Kiln's host bindings for Node: host directories (NodeFileSystem), host
 * file descriptors, process exit, the worker mode and threads. `WASI` and
 * `WasiBuilder` from this entry point use them.
 */
export const nodeHost: WorkerHostBindings = {
  directory: (hostPath) => new NodeFileSystem(hostPath),
  input: (fd) => nodeInput(fd),
  output: (fd) => new NodeFdOutput(fd),
  exit: (code) => process.exit(code),
  runInWorker,
  threads: nodeThreadSpawner,
};

/** The waPC engines' view of Node: host bindings, V8's watchdog for time limits, workers. */
const nodeWapc: AsyncWapcPlatform = {
  host: nodeHost,
  deadline: nodeDeadline,
  workerEngine: (module, options) => new WorkerEngine(module, options),
};

/**
 * node:wasi's `WASI`, on Kiln: change the import line and the rest of the
 * code stays. Kiln adds in-memory filesystems, stream objects for stdio,
 * clocks, random, tracing, limits, and `run()` / `runHere()`, which run a
 * guest without blocking the event loop. A `WASI` object runs one guest,
 * once.
 *
 * @example
 * ```ts
 * const wasi = new WASI({ version: 'preview1', args: ['app'], preopens: { '/sandbox': './data' } });
 * const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
 * process.exitCode = wasi.start(instance);
 * ```
 */
export class WASI extends CoreWASI {
  /** A WASI process configured by `options` (nothing is inherited from the host by default). */
  constructor(options: WASIOptions = {}) {
    super(options, nodeHost);
  }
}

/** The embedding API with Node host bindings. */
export class WasiBuilder extends CoreBuilder {
  /** An empty configuration: no arguments, no environment, no directories, the host's stdio. */
  constructor() {
    super(nodeHost);
  }
}
