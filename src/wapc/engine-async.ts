/**
 * WebAssemblyEngineAsync (layer: waPC host): the built-in asynchronous
 * engine provider, for hosts whose callback may answer with a Promise.
 *
 * - With JSPI (`WebAssembly.Suspending` on `__host_call`,
 *   `WebAssembly.promising` on `__guest_call` and the start functions), the
 *   guest runs on the caller's thread and is suspended while a callback's
 *   Promise is pending; a callback that answers synchronously does not
 *   suspend it.
 * - Otherwise (and always with `timeoutMs`, which needs the guest on a
 *   thread of its own to be stoppable across suspensions) the guest runs in
 *   a worker that waits in `Atomics.wait` for each host call's answer
 *   (remote/, Node only).
 *
 * `mode` forces one or the other.
 */
import { jspi, type JspiApi } from '../exec/ports/suspending.js';
import { caughtTrap, deadlineFor } from './engine.js';
import {
  compileGuestAsync, linkGuest, releaseGuest, startFailure, type LinkedGuest, type WapcPlatform, type WebAssemblyEngineOptions,
} from './guest-instance.js';
import { checkEngineOptions, type CheckedEngineOptions } from './engine-options.js';
import { describeValue } from '../host/stream-options.js';
import type { WebAssemblyEngineProviderAsync } from './provider.js';
import type { ModuleState } from './state.js';

export interface WebAssemblyEngineAsyncOptions extends WebAssemblyEngineOptions {
  /** 'jspi': the guest on this thread (needs JSPI); 'worker': in a worker (Node). Default: 'jspi' where available without timeoutMs, else 'worker'. */
  mode?: 'jspi' | 'worker';
}

/** What a platform offers for running an asynchronous engine's guest elsewhere. */
export interface AsyncWapcPlatform extends WapcPlatform {
  /** Makes the engine that runs the guest in a worker (Node: a WorkerEngine); given checked options. */
  workerEngine?: (module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions) => WebAssemblyEngineProviderAsync;
}

function callsHost(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.module === 'wapc' && i.name === '__host_call');
}

/** The guest on the caller's thread, suspended by JSPI while a host callback's Promise is pending. */
class JspiEngine implements WebAssemblyEngineProviderAsync {
  #source: Uint8Array | WebAssembly.Module;
  #state: ModuleState | undefined;
  #guest: LinkedGuest | undefined;

  constructor(module: Uint8Array | WebAssembly.Module, readonly options: CheckedEngineOptions, readonly platform: WapcPlatform, readonly api: JspiApi) {
    this.#source = module;
  }

  async init(state: ModuleState): Promise<void> {
    this.#state = state;
    this.#guest = await this.#start(await compileGuestAsync(this.#source));
  }

  async call(opLength: number, msgLength: number): Promise<number> {
    const guest = this.#guest!;
    try {
      return await guest.guestCall(opLength, msgLength);
    } catch (e) {
      this.#state!.trap = caughtTrap(e, undefined);
      return 0;
    }
  }

  async replace(module: Uint8Array | WebAssembly.Module): Promise<void> {
    const fresh = await this.#start(await compileGuestAsync(module));
    releaseGuest(this.#guest);
    this.#guest = fresh;
  }

  close(): void {
    releaseGuest(this.#guest);
    this.#guest = undefined;
  }

  async #start(module: WebAssembly.Module): Promise<LinkedGuest> {
    const state = this.#state!;
    const { Suspending, promising } = this.api;
    const guest = linkGuest({
      module,
      state,
      options: this.options,
      platform: this.platform,
      hostCall: (b, n, o, p) => state.dispatchHostCall(b, n, o, p),
      wrapImport: (fn) => new Suspending(fn as (...args: never[]) => unknown),
      // Only a guest that can call the host can suspend; the others keep plain (cheaper) exports.
      wrapExport: callsHost(module) ? (fn) => promising(fn) : undefined,
    });
    for (const { name, fn } of guest.starters) {
      try {
        await fn();
      } catch (e) {
        const failure = startFailure(name, e);
        if (failure !== undefined) {
          releaseGuest(guest);
          throw new Error(failure, { cause: e });
        }
      }
    }
    return guest;
  }
}

/**
 * The built-in asynchronous engine. Construct it with the module and
 * options; the host's `create` initialises it.
 */
export class WebAssemblyEngineAsync implements WebAssemblyEngineProviderAsync {
  readonly #inner: WebAssemblyEngineProviderAsync;
  /** Where the guest runs: 'jspi' (this thread) or 'worker'. */
  readonly mode: 'jspi' | 'worker';

  /**
   * An engine for `module`; the host's `init` (from `new WapcHost` or
   * `WapcHostAsync.create`) compiles and starts it.
   *
   * @param module The guest: wasm bytes or a compiled module.
   * @param options WASI, console log, time limit and `mode`; checked here
   *   (a wrong value is a TypeError naming the option).
   * @param platform What the platform offers; the platform entry points pass theirs.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineAsyncOptions, platform: AsyncWapcPlatform) {
    const engineOptions = checkEngineOptions(options);
    const requested: unknown = options?.mode;
    if (requested !== undefined && requested !== 'jspi' && requested !== 'worker') {
      throw new TypeError(`mode must be 'jspi' or 'worker', not ${describeValue(requested)}`);
    }
    const api = jspi();
    const mode = requested ?? (api !== undefined && engineOptions.timeoutMs === undefined ? 'jspi' : 'worker');
    if (mode === 'jspi') {
      if (api === undefined) throw new TypeError("mode 'jspi' needs WebAssembly.Suspending and WebAssembly.promising (Node 24, Chromium 137 or later)");
      if (engineOptions.timeoutMs !== undefined) throw new TypeError("timeoutMs cannot stop a guest suspended with JSPI; use mode 'worker'");
      this.#inner = new JspiEngine(module, engineOptions, platform, api);
    } else {
      if (platform.workerEngine === undefined) {
        throw new TypeError('this platform can run an asynchronous guest only with JSPI, which this engine does not have');
      }
      if (engineOptions.timeoutMs !== undefined) deadlineFor(engineOptions, platform);
      this.#inner = platform.workerEngine(module, engineOptions);
    }
    this.mode = mode;
  }

  init(state: ModuleState): Promise<void> {
    return this.#inner.init(state);
  }

  call(opLength: number, msgLength: number): Promise<number> {
    return this.#inner.call(opLength, msgLength);
  }

  replace(module: Uint8Array): Promise<void> {
    return this.#inner.replace(module);
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }
}
