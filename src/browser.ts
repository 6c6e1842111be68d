/**
 * Kiln for browsers: the core with browser host bindings. Host directory
 * paths do not exist here (mount a MemoryFileSystem or your own
 * filesystem); standard output and error go to the console by default,
 * line by line; standard input is empty unless given.
 */
import { WasiBuilder as CoreBuilder } from './front/builder.js';
import type { HostBindings } from './front/host-bindings.js';
import { WASI as CoreWASI, type WASIOptions } from './front/wasi.js';
import { ConsoleStream } from './host/console-stream.js';
import { NullStream } from './host/stdio.js';
import { ProcessExit } from './kernel/exit.js';
import { WebAssemblyEngine as CoreWebAssemblyEngine } from './wapc/engine.js';
import { WebAssemblyEngineAsync as CoreWebAssemblyEngineAsync, type AsyncWapcPlatform, type WebAssemblyEngineAsyncOptions } from './wapc/engine-async.js';
import type { WebAssemblyEngineOptions } from './wapc/guest-instance.js';

export * from './core.js';
export { ConsoleStream };

export const browserHost: HostBindings = {
  directory: (hostPath) => {
    throw new TypeError(`host directories are not available in a browser (${hostPath}); mount a FileSystem instead`);
  },
  input: () => new NullStream(),
  output: (fd) => new ConsoleStream(fd === 2 ? 'error' : 'log'),
  exit: (code) => { throw new ProcessExit(code); },
};

const browserWapc: AsyncWapcPlatform = { host: browserHost };

/** The built-in synchronous waPC engine, in a browser (no time limits: a page cannot stop its own thread). */
export class WebAssemblyEngine extends CoreWebAssemblyEngine {
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions = {}) {
    super(module, options, browserWapc);
  }
}

/** The built-in asynchronous waPC engine, in a browser: needs JSPI. */
export class WebAssemblyEngineAsync extends CoreWebAssemblyEngineAsync {
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineAsyncOptions = {}) {
    super(module, options, browserWapc);
  }
}

export class WASI extends CoreWASI {
  constructor(options: WASIOptions = {}) {
    super(options, browserHost);
  }
}

export class WasiBuilder extends CoreBuilder {
  constructor() {
    super(browserHost);
  }
}
