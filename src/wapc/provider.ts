/**
 * Engine provider contracts (layer: waPC host), as wapc-rs's
 * `WebAssemblyEngineProvider` and `WebAssemblyEngineProviderAsync`: an
 * engine owns the WebAssembly instance, links the `wapc` imports to the
 * ModuleState it is given, and runs `__guest_call`. Kiln's built-in
 * providers are WebAssemblyEngine and WebAssemblyEngineAsync; any other
 * engine (an interpreter, a remote one) plugs in by implementing these.
 *
 * Errors: `init` and `replace` throw (or reject) with the reason; the host
 * wraps them in InitFailedError / ReplacementFailedError. `call` returns
 * the guest's i32; a trap may be thrown, or recorded in `state.trap` with
 * 0 returned, as the built-in engines do.
 */
import type { ModuleState } from './state.js';

/**
 * A synchronous engine: owns the WebAssembly instance of a `WapcHost`,
 * links the `wapc` imports to the host's ModuleState and runs
 * `__guest_call`. `WebAssemblyEngine` is Kiln's; implement this to plug in
 * another engine.
 */
export interface WebAssemblyEngineProvider {
  /** Instantiates the module for this state and runs its start functions. */
  init(state: ModuleState): void;
  /** Runs `__guest_call(opLength, msgLength)`; returns its result. */
  call(opLength: number, msgLength: number): number;
  /** Replaces the module: compile, instantiate, start; keep the old one on failure. */
  replace(module: Uint8Array): void;
  /** Releases the instance and what it holds (open WASI descriptors). Optional. */
  close?(): void;
}

/**
 * An asynchronous engine, for `WapcHostAsync` and pools: the same contract
 * as WebAssemblyEngineProvider with Promises, so a guest can be suspended
 * while a host callback's Promise is pending. `WebAssemblyEngineAsync` and
 * `WorkerEngine` are Kiln's.
 */
export interface WebAssemblyEngineProviderAsync {
  /** Instantiates the module for this state and runs its start functions; rejects with the reason. */
  init(state: ModuleState): Promise<void>;
  /** Runs `__guest_call(opLength, msgLength)`; resolves to its result (0 with `state.trap` set for a trap). */
  call(opLength: number, msgLength: number): Promise<number>;
  /** Replaces the module: compile, instantiate, start; keeps the old one and rejects on failure. */
  replace(module: Uint8Array): Promise<void>;
  /** Releases the instance and what it holds (open WASI descriptors, a worker). Optional. */
  close?(): Promise<void> | void;
}
