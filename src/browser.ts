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
