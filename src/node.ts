/**
 * Kiln for Node.js: the core on the Node runtime (host directories, host
 * descriptors, sockets, worker threads, the terminal, process exit) with
 * process workers for `run()`. `import { WASI } from 'kiln-wasm'` is a
 * drop-in for `import { WASI } from 'node:wasi'`.
 *
 * @module kiln-wasm
 */
import { nodeDeadline } from './host/node/deadline.js';
import { nodePlatform } from './front/node/node-platform.js';
import { WebAssemblyEngine as CoreWebAssemblyEngine } from './wapc/engine.js';
import { WebAssemblyEngineAsync as CoreWebAssemblyEngineAsync, type AsyncWapcPlatform, type WebAssemblyEngineAsyncOptions } from './wapc/engine-async.js';
import type { WebAssemblyEngineOptions } from './wapc/guest-instance.js';
import { WorkerEngine } from './wapc/remote/node-worker-engine.js';
import { WapcHostPool as CoreWapcHostPool, type WapcHostPoolOptions } from './wapc/pool.js';

export * from './core.js';
export { WorkerEngine, WorkerStoppedError } from './wapc/remote/node-worker-engine.js';
export { NodeFileSystem } from './host/node/node-fs.js';
export { NodeFdInput, NodeFdOutput } from './host/node/node-stdio.js';
export { nodeRuntime } from './host/node/node-runtime.js';
export { createNodeThreadSpawner, nodeThreadSpawner, type NodeThreadSpawner, type NodeThreadSpawnerOptions } from './host/node/node-thread-spawner.js';
export { restoreNodeTty } from './host/node/node-tty.js';
export { nodePlatform };
export { WASI, WasiBuilder } from './front/node/node-wasi.js';
export { closeIdleWorkers } from './exec/node/process-pool.js';
export { componentDiskCache, kilnCacheDir } from './exec/node/component-disk-cache.js';
export { listenTcp, type ListenSockets, type ListenOptions } from './front/node/listen-tcp.js';
export { serveHttp, portOf, type ServeAddress } from './front/node/http-serve.js';
export { ListenError, NodeNetworking, nodeNetworking, type NodeNetworkingOptions } from './host/node/node-networking.js';
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

/** The waPC engines' view of Node: the Node platform, V8's watchdog for time limits, workers. */
const nodeWapc: AsyncWapcPlatform = {
  platform: nodePlatform,
  deadline: nodeDeadline,
  workerEngine: (module, options) => new WorkerEngine(module, options),
};
