/**
 * WapcHost and WapcHostAsync (layer: waPC host): the protocol side of a
 * waPC host, as wapc-rs's `WapcHost`. A host owns one ModuleState and one
 * engine provider; every call resets the state, runs the guest through the
 * provider and applies the return convention (call-result.ts).
 *
 * Hosts are numbered from 1 in creation order across both kinds (the
 * number the host callback receives). Calls on one host are serialised:
 * the synchronous host refuses a call made from inside its own host
 * callback (re-entrancy, which no waPC host supports), and the
 * asynchronous host queues calls and swaps in arrival order.
 */
import { errorText, InitFailedError, ReplacementFailedError, WapcClosedError, WapcError } from './errors.js';
import { settleCall, trapOf } from './call-result.js';
import type { WebAssemblyEngineProvider, WebAssemblyEngineProviderAsync } from './provider.js';
import { ModuleState, type HostCallback, type HostCallbackAsync } from './state.js';

let lastId = 0;

/** The next host id (1, 2, ...). */
function nextHostId(): number {
  return ++lastId;
}

const encoder = new TextEncoder();

/** Encodes operation names, remembering the last one (a host usually calls a few operations over and over). */
class OperationNames {
  #name = '';
  #bytes = new Uint8Array(0);

  encode(name: string): Uint8Array {
    if (name !== this.#name) {
      if (typeof name !== 'string') throw new TypeError(`the operation must be a string, not ${typeof name}`);
      this.#bytes = encoder.encode(name);
      this.#name = name;
    }
    return this.#bytes;
  }
}

/** The payload as a Uint8Array (other views are wrapped; nothing is an empty payload). */
function payloadBytes(payload: ArrayBufferView | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  if (payload instanceof Uint8Array) return payload;
  if (ArrayBuffer.isView(payload)) return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new TypeError('the payload must be a Uint8Array');
}

/**
 * A waPC host: calls a guest's operations by name with byte payloads and
 * answers the guest's host calls with `hostCallback`, on the Rust crate
 * `wapc`'s semantics. Calls are synchronous and run the guest on the
 * calling thread.
 *
 * @example
 * ```ts
 * const host = new WapcHost(new WebAssemblyEngine(bytes), (id, binding, namespace, operation, payload) => payload);
 * const reply = host.call('echo', new TextEncoder().encode('hi'));
 * ```
 */
export class WapcHost {
  /** Unique per host (1, 2, ... in creation order, shared by all host kinds); the host callback receives it. */
  readonly id: number;
  readonly #engine: WebAssemblyEngineProvider;
  readonly #state: ModuleState;
  readonly #names = new OperationNames();
  #busy = false;
  #closed = false;

  /**
   * Creates the host's state and starts the engine (`engine.init`): the
   * module is compiled, linked and its start functions run. Any failure
   * throws InitFailedError with the reason.
   *
   * @param engine The engine that owns the guest (e.g. `new WebAssemblyEngine(bytes)`).
   * @param hostCallback Answers the guest's host calls; without one they fail with MISSING_CALLBACK.
   */
  constructor(engine: WebAssemblyEngineProvider, hostCallback?: HostCallback) {
    this.id = nextHostId();
    this.#engine = engine;
    this.#state = new ModuleState(this.id, hostCallback);
    try {
      engine.init(this.#state);
    } catch (e) {
      throw e instanceof InitFailedError ? e : new InitFailedError(errorText(e), { cause: e });
    }
  }

  /** Calls `operation` with `payload`; returns the guest's reply or throws GuestCallFailureError. */
  call(operation: string, payload: Uint8Array): Uint8Array {
    const op = this.#names.encode(operation);
    const bytes = payloadBytes(payload);
    this.#enter('call');
    const state = this.#state;
    state.beginCall(op, bytes);
    let rc: number;
    try {
      rc = this.#engine.call(op.length, bytes.length);
    } catch (e) {
      state.trap ??= trapOf(e);
      rc = 0;
    } finally {
      state.endCall();
      this.#busy = false;
    }
    return settleCall(state, rc, operation);
  }

  /** Replaces the module; later calls run the new one. On failure the old module keeps serving. */
  replaceModule(module: Uint8Array): void {
    this.#enter('replaceModule');
    try {
      this.#engine.replace(module);
    } catch (e) {
      throw e instanceof ReplacementFailedError ? e : new ReplacementFailedError(errorText(e), { cause: e });
    } finally {
      this.#busy = false;
    }
  }

  /** Releases the engine's instance; later calls throw WapcClosedError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#engine.close?.();
  }

  #enter(what: string): void {
    if (this.#closed) throw new WapcClosedError(`${what}() on a closed host`);
    if (this.#busy) throw new WapcError(`${what}() from inside a call on the same host (re-entrant calls are not supported)`);
    this.#busy = true;
  }
}

/**
 * The asynchronous host: the engine's methods return Promises, and the host
 * callback may return one (the guest is suspended until it settles).
 * Create with `await WapcHostAsync.create(engine, callback)`.
 */
export class WapcHostAsync {
  /** Unique per host (1, 2, ... in creation order, shared by all host kinds); the host callback receives it. */
  readonly id: number;
  readonly #engine: WebAssemblyEngineProviderAsync;
  readonly #state: ModuleState;
  readonly #names = new OperationNames();
  /** The tail of the queue: calls and swaps run one after another. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Calls and swaps started or queued, not yet settled. */
  #pending = 0;
  #closed = false;

  private constructor(engine: WebAssemblyEngineProviderAsync, hostCallback: HostCallbackAsync | undefined) {
    this.id = nextHostId();
    this.#engine = engine;
    this.#state = new ModuleState(this.id, hostCallback);
  }

  /**
   * Creates a host and starts the engine (`await engine.init`); rejects
   * with InitFailedError if the module cannot be started.
   *
   * @param engine The engine that owns the guest (e.g. `new WebAssemblyEngineAsync(bytes)`).
   * @param hostCallback Answers the guest's host calls; may return a Promise.
   */
  static async create(engine: WebAssemblyEngineProviderAsync, hostCallback?: HostCallbackAsync): Promise<WapcHostAsync> {
    const host = new WapcHostAsync(engine, hostCallback);
    try {
      await engine.init(host.#state);
    } catch (e) {
      throw e instanceof InitFailedError ? e : new InitFailedError(errorText(e), { cause: e });
    }
    return host;
  }

  /**
   * Calls `operation` with `payload`; resolves to the guest's reply or
   * rejects with GuestCallFailureError. Calls (and swaps) on one host run
   * one after another, in the order they were made.
   */
  call(operation: string, payload: Uint8Array): Promise<Uint8Array> {
    let op: Uint8Array;
    let bytes: Uint8Array;
    try {
      op = this.#names.encode(operation);
      bytes = payloadBytes(payload);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#serially('call', async () => {
      const state = this.#state;
      state.beginCall(op, bytes);
      let rc: number;
      try {
        rc = await this.#engine.call(op.length, bytes.length);
      } catch (e) {
        state.trap ??= trapOf(e);
        rc = 0;
      } finally {
        state.endCall();
      }
      return settleCall(state, rc, operation);
    });
  }

  /**
   * Replaces the module between calls; later calls run the new one. On
   * failure it rejects with ReplacementFailedError and the old module keeps
   * serving.
   */
  replaceModule(module: Uint8Array): Promise<void> {
    return this.#serially('replaceModule', async () => {
      try {
        await this.#engine.replace(module);
      } catch (e) {
        throw e instanceof ReplacementFailedError ? e : new ReplacementFailedError(errorText(e), { cause: e });
      }
    });
  }

  /** Waits for queued calls, then releases the engine. */
  close(): Promise<void> {
    if (this.#closed) return this.#queue.then(() => undefined, () => undefined);
    this.#closed = true;
    const done = this.#queue.then(() => undefined, () => undefined).then(() => this.#engine.close?.());
    this.#queue = done;
    return done;
  }

  #serially<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new WapcClosedError(`${what}() on a closed host`));
    // Nothing queued: start now rather than after a turn of the queue.
    const run = this.#pending === 0 ? body() : this.#queue.then(body, body);
    this.#pending++;
    const settled = (): void => {
      this.#pending--;
    };
    this.#queue = run.then(settled, settled);
    return run;
  }
}
