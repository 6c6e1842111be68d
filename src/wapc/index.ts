/**
 * The waPC host's platform-neutral surface (layer: waPC host). The platform
 * entry points (src/node.ts, src/browser.ts) bind the engines to their
 * host: `new WebAssemblyEngine(module, options)` there.
 */
export {
  WapcError, InitFailedError, ReplacementFailedError, GuestCallFailureError, GuestCallTimeoutError, WapcClosedError,
  type GuestFailureDetails,
} from './errors.js';
export { ModuleState, MISSING_CALLBACK, type HostCallback, type HostCallbackAsync, type GuestTrap } from './state.js';
export type { WebAssemblyEngineProvider, WebAssemblyEngineProviderAsync } from './provider.js';
export { WapcHost, WapcHostAsync } from './host.js';
export type { WapcWasiOptions, WebAssemblyEngineOptions, WapcOutput } from './engine-options.js';
export type { WapcPlatform } from './guest-instance.js';
export type { WebAssemblyEngineAsyncOptions, AsyncWapcPlatform } from './engine-async.js';
export { GuestMemoryFault } from './imports.js';
export type { DeadlineRunner } from '../host/deadline.js';
export { WapcHostPool, type WapcHostPoolOptions, type PoolEngineFactory } from './pool.js';
export { messagepack } from './codec.js';
