/**
 * Kiln for browsers: the core on the browser runtime. Host directory
 * paths do not exist here (mount a MemoryFileSystem or your own
 * filesystem); standard output and error go to the console by default,
 * line by line; standard input is empty unless given.
 *
 * @module kiln-wasm/browser
 */
import { WasiBuilder as CoreBuilder } from './front/builder.js';
import type { Platform } from './front/platform.js';
import { WASI as CoreWASI, type WASIOptions } from './front/wasi.js';
import { browserRuntime } from './host/browser-runtime.js';
import { ConsoleStream } from './host/console-stream.js';
import { threadsUnavailable } from './host/browser/web-worker-spawner.js';
import { webWorkerProcessRunner } from './exec/browser/process-launch.js';
import { WebAssemblyEngine as CoreWebAssemblyEngine } from './wapc/engine.js';
import { WebAssemblyEngineAsync as CoreWebAssemblyEngineAsync, type AsyncWapcPlatform, type WebAssemblyEngineAsyncOptions } from './wapc/engine-async.js';
import type { WebAssemblyEngineOptions } from './wapc/guest-instance.js';

export * from './core.js';
export { ConsoleStream };

/**
 * Kiln's platform for browsers: the browser runtime (no host directories,
 * empty standard input, output to the console line by line, no network,
 * threads in Web Workers). On a cross-origin isolated page, `run()` runs a
 * guest's kernel in a Web Worker, a single-threaded guest beside it and
 * every thread of a threaded one in a Web Worker started from there;
 * elsewhere a single-threaded guest runs on the calling thread.
 */
export const browserPlatform: Platform = {
  runtime: browserRuntime,
  ...(threadsUnavailable() === undefined ? { runInWorker: webWorkerProcessRunner(), threadedInWorker: true } : {}),
};

export { browserRuntime };
export { threadsUnavailable, webWorkerThreadSpawner } from './host/browser/web-worker-spawner.js';
export { setWorkerUrls, type WorkerUrls } from './host/browser/worker-locations.js';
export { closeIdleWorkers, idleWorkers } from './host/browser/worker-pool.js';
export { OpfsFileSystem, type OpfsOptions } from './host/browser/opfs-fs.js';

const browserWapc: AsyncWapcPlatform = { platform: browserPlatform };

/** The built-in synchronous waPC engine, in a browser (no time limits: a page cannot stop its own thread). */
export class WebAssemblyEngine extends CoreWebAssemblyEngine {
  /**
   * An engine for `module` (bytes or a compiled module) with `options`
   * (WASI, console log), checked here: a wrong value throws a TypeError
   * naming the option.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions = {}) {
    super(module, options, browserWapc);
  }
}

/** The built-in asynchronous waPC engine, in a browser: needs JSPI. */
export class WebAssemblyEngineAsync extends CoreWebAssemblyEngineAsync {
  /** An engine for `module` with `options`, checked here (it needs JSPI: Chromium 137 or later). */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineAsyncOptions = {}) {
    super(module, options, browserWapc);
  }
}

/**
 * node:wasi's `WASI` API in a browser: preopen FileSystem objects (a
 * MemoryFileSystem or your own); stdout and stderr go to the console
 * unless given streams. `run()` runs the guest on the calling thread;
 * `runHere()` needs JSPI.
 */
export class WASI extends CoreWASI {
  /** A WASI process configured by `options`. */
  constructor(options: WASIOptions = {}) {
    super(options, browserPlatform);
  }
}

/** The embedding API in a browser. */
export class WasiBuilder extends CoreBuilder {
  /** An empty configuration: no arguments, no environment, no directories, output to the console. */
  constructor() {
    super(browserPlatform);
  }
}
