/**
 * The emnapi copy a napi-rs binding was built for (layer: front doors, Node).
 *
 * A generated `*-wasm32-wasi` package pins `@emnapi/core` and
 * `@emnapi/runtime` as its own dependencies (bundled, or nested beside it),
 * and a core only works with a context from the runtime of the same version
 * (v1 and v2, and v2 prereleases among themselves, pass different shapes).
 * `@napi-rs/wasm-runtime` finds that pair by looking at `require.cache`; Kiln
 * resolves it directly from the binding's package, which is the same pair.
 * Used on the main thread and, with the same anchor, in every worker.
 */
import { createRequire } from 'node:module';

/** One thread's part of emnapi: what the loader and the worker call. */
export interface EmnapiCore {
  version?: string;
  instantiateNapiModuleSync(input: WebAssembly.Module | BufferSource, options: object): {
    instance: WebAssembly.Instance;
    module: WebAssembly.Module;
    napiModule: { exports: Record<string, unknown>; PThread?: EmnapiThreadManager };
  };
  MessageHandler: new (options: { onLoad(data: EmnapiLoadData): unknown }) => { handle(e: { data: unknown }): void };
}

export interface EmnapiLoadData {
  wasmModule: WebAssembly.Module;
  wasmMemory: WebAssembly.Memory;
}

/** The parts of an emnapi context Kiln uses. */
export interface EmnapiContext {
  /** Runs the environments' cleanup hooks (which call into wasm); emnapi also does it at 'beforeExit'. */
  destroy(): void;
  /** Stops the 'beforeExit' destroy. */
  suppressDestroy(): void;
}

/** The guest thread manager of an instance on the loading thread. */
export interface EmnapiThreadManager {
  terminateWorker(worker: unknown): void;
}

export interface Emnapi {
  core: EmnapiCore;
  /**
   * A new context (`fresh`, for the loading thread: each binding gets its
   * own, so it can be destroyed with it) or the thread's default one (a worker).
   */
  context: EmnapiContext;
  /**
   * emnapi 2's JavaScript async-work and threadsafe-function plugins (the
   * generated loaders pass them on every thread; emnapi 1 implements both
   * itself and has none).
   */
  plugins: unknown[];
}

interface EmnapiRuntime {
  version?: string;
  createContext?: () => EmnapiContext;
  getDefaultContext?: () => EmnapiContext;
}

/**
 * Loads the emnapi pair that `anchor` (a file inside the binding's package)
 * resolves. emnapi 2 is ES modules only: this relies on `require()` of ES
 * modules (Node >= 20.19, which napi-rs bindings require anyway).
 */
export function loadEmnapi(anchor: string, fresh: boolean): Emnapi {
  const require = createRequire(anchor);
  const core = require('@emnapi/core') as EmnapiCore;
  const runtime = require('@emnapi/runtime') as EmnapiRuntime;
  if (typeof core.instantiateNapiModuleSync !== 'function' || typeof core.MessageHandler !== 'function'
    || typeof runtime.createContext !== 'function' || typeof runtime.getDefaultContext !== 'function') {
    throw new Error(`the @emnapi/core and @emnapi/runtime that ${anchor} resolves are not usable`);
  }
  if (core.version !== undefined && runtime.version !== undefined && core.version !== runtime.version) {
    throw new Error(`@emnapi/core ${core.version} and @emnapi/runtime ${runtime.version} resolved from ${anchor} are not one pair`);
  }
  const plugins: unknown[] = [];
  if (Number.parseInt(core.version ?? '1', 10) >= 2) {
    const p = require('@emnapi/core/plugins') as { asyncWork: unknown; tsfn: unknown };
    plugins.push(p.asyncWork, p.tsfn);
  }
  return { core, context: fresh ? runtime.createContext() : runtime.getDefaultContext(), plugins };
}
