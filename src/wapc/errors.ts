/**
 * waPC errors (layer: waPC host). The kinds of the Rust crate `wapc`
 * (`wapc::errors::Error`) as JavaScript classes: the class says what
 * failed, `message` is the reason as the guest or engine gave it, without
 * the crate's "Guest call failure: " prefixes (String(err) adds the class
 * name instead).
 */

/** Base class of every waPC error Kiln throws. */
export class WapcError extends Error {
  /**
   * An error whose `name` is its class's name.
   *
   * @param message The reason, as the guest or engine gave it.
   * @param options `cause`: the error behind this one.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Creating a host failed: the module did not compile or link, lacks an export, or a start function failed. */
export class InitFailedError extends WapcError {}

/** The module given to replaceModule() could not replace the running one; the old module keeps serving. */
export class ReplacementFailedError extends WapcError {}

/** What the guest (or the engine running it) reported when a call failed. */
export interface GuestFailureDetails {
  /** The message the guest set with `__guest_error` during the call, if any. */
  guestError?: string;
  /** The engine's message when the call trapped (or was stopped), if it did. */
  trap?: string;
  /** The operation that was called. */
  operation?: string;
}

/**
 * A guest call failed: the guest returned failure, trapped, was stopped by
 * its time limit, or answered success without a response. The message is
 * the guest's own error; after a trap it is `wasm trap: <text>`, followed
 * by the guest's error when it had set one before trapping (as
 * AssemblyScript's abort does).
 */
export class GuestCallFailureError extends WapcError {
  /** The message the guest set with `__guest_error` during the call, if any. */
  readonly guestError: string | undefined;
  /** The engine's message when the call trapped (or was stopped), if it did. */
  readonly trap: string | undefined;
  /** The operation that was called. */
  readonly operation: string | undefined;

  /**
   * A failed call.
   *
   * @param message The guest's error, or the trap's text.
   * @param details The guest's error, the trap and the operation, kept apart.
   * @param options `cause`: the engine's error (with the wasm stack).
   */
  constructor(message: string, details: GuestFailureDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.guestError = details.guestError;
    this.trap = details.trap;
    this.operation = details.operation;
  }
}

/** The call did not finish within the engine's `timeoutMs`; the host replaced the interrupted instance and keeps serving. */
export class GuestCallTimeoutError extends GuestCallFailureError {}

/** A pool, host or engine was used after close(). */
export class WapcClosedError extends WapcError {}

/** Text of a thrown value as Rust's `format!("{e}")` would give it: the message, without "Error: ". */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
