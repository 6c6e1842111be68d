/**
 * WebAssemblyEngine (layer: waPC host): the built-in synchronous engine
 * provider, on the JavaScript engine's own WebAssembly. It links the guest
 * (guest-instance.ts), runs `__guest_call` and turns what the guest throws
 * into the failure the host reports: a trap (with the guest's last error
 * kept beside it), `proc_exit` ("guest exited with status N"), or the time
 * limit. After a trap the instance keeps serving, as in wapc-rs; after a
 * time limit it is replaced by a fresh one, since the guest was stopped at
 * an arbitrary point.
 */
import { withCoalescedWrites } from '../kernel/write-buffer.js';
import { ProcessExit } from '../abi/process-exit.js';
import { trapOf } from './call-result.js';
import { DeadlineExceeded, type DeadlineRunner } from '../host/deadline.js';
import {
  compileGuest, linkGuest, releaseGuest, startGuest, type LinkedGuest, type WapcPlatform, type WebAssemblyEngineOptions,
} from './guest-instance.js';
import { checkEngineOptions, checkTimeoutMs, type CheckedEngineOptions } from './engine-options.js';
import type { WebAssemblyEngineProvider } from './provider.js';
import type { GuestTrap, ModuleState } from './state.js';

/** Checks `timeoutMs` and finds the platform's way to enforce it. */
export function deadlineFor(options: CheckedEngineOptions, platform: WapcPlatform): DeadlineRunner | undefined {
  const ms = checkTimeoutMs(options.timeoutMs);
  if (ms === undefined) return undefined;
  if (platform.deadline === undefined) throw new TypeError('timeoutMs needs a way to stop a running guest, which this platform does not have (Node only)');
  return platform.deadline;
}

/** How a failure thrown out of `__guest_call` is reported. */
export function caughtTrap(e: unknown, timeoutMs: number | undefined): GuestTrap {
  if (e instanceof DeadlineExceeded) return { message: `guest call interrupted: time limit of ${timeoutMs} ms exceeded`, cause: e, timedOut: true };
  if (e instanceof ProcessExit) return { message: `guest exited with status ${e.code}`, cause: e };
  return trapOf(e);
}

export class WebAssemblyEngine implements WebAssemblyEngineProvider {
  #source: Uint8Array | WebAssembly.Module | undefined;
  #module: WebAssembly.Module | undefined;
  readonly #options: CheckedEngineOptions;
  readonly #platform: WapcPlatform;
  readonly #deadline: DeadlineRunner | undefined;
  #state: ModuleState | undefined;
  #guest: LinkedGuest | undefined;
  /** Why there is no instance, after a restart failed. */
  #broken: string | undefined;

  /**
   * An engine for `module`; the host's `init` (from `new WapcHost` or
   * `WapcHostAsync.create`) compiles and starts it.
   *
   * @param module The guest: wasm bytes (compiled when the host calls
   *   `init`) or a compiled module.
   * @param options WASI, console log and time limit; checked here (a wrong
   *   value is a TypeError naming the option).
   * @param platform What the platform offers (host bindings, a way to stop
   *   a guest); the platform entry points pass theirs.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions, platform: WapcPlatform) {
    this.#options = checkEngineOptions(options);
    this.#platform = platform;
    this.#deadline = deadlineFor(this.#options, platform);
    this.#source = module;
  }

  /** Compiles the module (a failure here is the host's InitFailedError) and starts an instance. */
  init(state: ModuleState): void {
    this.#state = state;
    const module = compileGuest(this.#source!);
    this.#source = undefined;
    this.#guest = this.#start(module);
    this.#module = module;
  }

  call(opLength: number, msgLength: number): number {
    const guest = this.#guest;
    const state = this.#state;
    if (guest === undefined || state === undefined) {
      throw new Error(`the engine has no running instance${this.#broken === undefined ? '' : ` (${this.#broken})`}`);
    }
    try {
      return this.#run(guest, () => guest.guestCall(opLength, msgLength) as number);
    } catch (e) {
      const trap = caughtTrap(e, this.#options.timeoutMs);
      state.trap = trap;
      if (trap.timedOut === true) this.#restart();
      return 0;
    }
  }

  replace(module: Uint8Array | WebAssembly.Module): void {
    const compiled = compileGuest(module);
    const fresh = this.#start(compiled);
    releaseGuest(this.#guest);
    this.#guest = fresh;
    this.#module = compiled;
    this.#broken = undefined;
  }

  close(): void {
    releaseGuest(this.#guest);
    this.#guest = undefined;
  }

  /** Links and starts an instance of `module` (closing it again if a start function fails). */
  #start(module: WebAssembly.Module): LinkedGuest {
    const state = this.#state;
    if (state === undefined) throw new Error('init() has not been called');
    const guest = linkGuest({ module, state, options: this.#options, platform: this.#platform });
    try {
      startGuest(guest, (body) => this.#run(guest, body));
    } catch (e) {
      releaseGuest(guest);
      throw e;
    }
    return guest;
  }

  /** A fresh instance after a time limit; if even that fails, calls fail with the reason until a replace succeeds. */
  #restart(): void {
    releaseGuest(this.#guest);
    this.#guest = undefined;
    try {
      this.#guest = this.#start(this.#module!);
    } catch (e) {
      this.#broken = `restarting after the time limit failed: ${(e as Error).message}`;
    }
  }

  /** Runs guest code: under the time limit if there is one, with WASI writes gathered until it returns. */
  #run<T>(guest: LinkedGuest, body: () => T): T {
    const deadline = this.#deadline;
    const limited = deadline === undefined ? body : () => deadline.run(body, this.#options.timeoutMs!);
    return guest.wasi === undefined ? limited() : withCoalescedWrites(limited);
  }
}
