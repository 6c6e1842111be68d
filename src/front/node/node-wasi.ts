/**
 * The `WASI` class and `WasiBuilder` on Node (layer: front doors, Node
 * only): the platform-neutral classes bound to the Node platform. The Node
 * entry point exports them; Kiln's own Node-side code (the napi-rs loader)
 * imports them from here.
 */
import { WasiBuilder as CoreBuilder } from '../builder.js';
import { WASI as CoreWASI, type WASIOptions } from '../wasi.js';
import { nodePlatform } from './node-platform.js';

/**
 * node:wasi's `WASI`, on Kiln: change the import line and the rest of the
 * code stays. Kiln adds in-memory filesystems, stream objects for stdio,
 * clocks, random, tracing, limits, listening sockets, a replaceable
 * runtime, and `run()` / `runHere()`, which run a guest without blocking
 * the event loop. A `WASI` object runs one guest, once.
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
    super(options, nodePlatform);
  }
}

/** The embedding API on Node. */
export class WasiBuilder extends CoreBuilder {
  /** An empty configuration: no arguments, no environment, no directories, the host's stdio. */
  constructor() {
    super(nodePlatform);
  }
}
