/**
 * ModuleState (layer: waPC host): one host's state, as wapc-rs's
 * `ModuleState`. Engine providers read the invocation from it and report
 * the guest's answer into it; WapcHost resets it at the start of every call
 * and reads the answer after. Byte values are kept as bytes (the host
 * error as UTF-8), so every length the guest asks for is a byte length.
 */
import { isPromiseLike } from '../host/async-backend.js';
import { errorText } from './errors.js';

/** Answers the guest's `__host_call`: return the reply, or throw to send the guest an error (its message, as UTF-8). */
export type HostCallback = (id: number, binding: string, namespace: string, operation: string, payload: Uint8Array) => Uint8Array;
/** A host callback that may answer with a Promise (WapcHostAsync). */
export type HostCallbackAsync = (
  id: number, binding: string, namespace: string, operation: string, payload: Uint8Array,
) => Uint8Array | Promise<Uint8Array>;

/** Sent to a guest whose host has no callback (wapc-rs's text). */
export const MISSING_CALLBACK = 'Missing host callback function!';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** What a failed guest call trapped with (the engine's error, kept as the cause); `timedOut` when the time limit stopped it. */
export interface GuestTrap {
  /** What the call failed with, e.g. `wasm trap: unreachable`. */
  message: string;
  /** The engine's error (a `WebAssembly.RuntimeError`, with the wasm stack). */
  cause: unknown;
  /** True when the time limit (`timeoutMs`) stopped the guest. */
  timedOut?: boolean;
}

/**
 * One host's state, as wapc-rs's `ModuleState`: the invocation an engine
 * serves and the guest's answer. An engine provider reads the invocation
 * from it, its `wapc` imports report into it, and the host resets it at
 * the start of every call (nothing of an earlier call reaches a later one).
 */
export class ModuleState {
  /** The invocation being answered: the operation name as UTF-8 bytes. */
  operation: Uint8Array = EMPTY;
  /** The invocation's payload. */
  payload: Uint8Array = EMPTY;
  /** False outside a call: `__guest_request` then copies nothing (wapc-rs). */
  hasRequest = false;
  /** The reply the guest gave with `__guest_response`. */
  guestResponse: Uint8Array | undefined = undefined;
  /** The error the guest set with `__guest_error`. */
  guestError: string | undefined = undefined;
  /** Set by the engine when the call trapped (or exited, or ran out of time). */
  trap: GuestTrap | undefined = undefined;
  /** The last host callback's reply, for `__host_response`. */
  hostResponse: Uint8Array | undefined = undefined;
  /** The last host error, as UTF-8 bytes. */
  hostError: Uint8Array | undefined = undefined;

  /** State for the host `id`, whose guest's host calls go to `hostCallback`. */
  constructor(
    /** The host's id (from 1), passed to the host callback. */
    readonly id: number,
    /** Answers the guest's `__host_call` (none: the guest's host calls fail with MISSING_CALLBACK). */
    readonly hostCallback: HostCallback | HostCallbackAsync | undefined,
  ) {}

  /** Starts a call: forgets everything the previous call left, then records the invocation. */
  beginCall(operation: Uint8Array, payload: Uint8Array): void {
    this.operation = operation;
    this.payload = payload;
    this.hasRequest = true;
    this.guestResponse = undefined;
    this.guestError = undefined;
    this.trap = undefined;
    this.hostResponse = undefined;
    this.hostError = undefined;
  }

  /** Ends a call: the invocation's bytes are no longer the guest's to read. */
  endCall(): void {
    this.hasRequest = false;
    this.operation = EMPTY;
    this.payload = EMPTY;
  }

  /**
   * Runs the host callback for the guest's `__host_call` (synchronously):
   * true with the reply kept, or false with the error text kept. A Promise
   * from the callback is an error here; asynchronous callbacks need an
   * engine that can suspend the guest (WebAssemblyEngineAsync).
   */
  doHostCall(binding: string, namespace: string, operation: string, payload: Uint8Array): boolean {
    const answered = this.dispatchHostCall(binding, namespace, operation, payload);
    if (typeof answered === 'boolean') return answered;
    // Do not leave the rejection unhandled: the guest is told below.
    answered.catch(() => undefined);
    return this.hostFailed('the host callback returned a Promise, which a synchronous host cannot wait for (use WapcHostAsync)');
  }

  /**
   * Runs the host callback; the answer is a boolean as for doHostCall when
   * the callback answered synchronously, or a Promise of it when it
   * returned one (an engine that can suspend the guest waits for it).
   */
  dispatchHostCall(binding: string, namespace: string, operation: string, payload: Uint8Array): boolean | Promise<boolean> {
    this.hostResponse = undefined;
    this.hostError = undefined;
    const callback = this.hostCallback;
    if (callback === undefined) return this.hostFailed(MISSING_CALLBACK);
    let reply: unknown;
    try {
      reply = callback(this.id, binding, namespace, operation, payload);
    } catch (e) {
      return this.hostFailed(errorText(e));
    }
    if (isPromiseLike(reply)) {
      return Promise.resolve(reply).then((r) => this.hostAnswered(r), (e: unknown) => this.hostFailed(errorText(e)));
    }
    return this.hostAnswered(reply);
  }

  /** Records a reply from the host callback; false (with an error kept) if it is not bytes or a string. */
  hostAnswered(reply: unknown): boolean {
    const bytes = replyBytes(reply);
    if (bytes === undefined) {
      return this.hostFailed(`the host callback returned ${describe(reply)}, not a Uint8Array`);
    }
    this.hostResponse = bytes;
    return true;
  }

  /** Records a host error for the guest to read; always false (the value `__host_call` returns). */
  hostFailed(message: string): false {
    this.hostResponse = undefined;
    this.hostError = encoder.encode(message);
    return false;
  }
}

/** A reply as bytes: a Uint8Array as is, other views and buffers wrapped, strings as UTF-8. */
function replyBytes(reply: unknown): Uint8Array | undefined {
  if (reply instanceof Uint8Array) return reply;
  if (ArrayBuffer.isView(reply)) return new Uint8Array(reply.buffer, reply.byteOffset, reply.byteLength);
  if (reply instanceof ArrayBuffer) return new Uint8Array(reply);
  if (typeof reply === 'string') return encoder.encode(reply);
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
