/**
 * The WASI 0.2 values Kiln's component host exchanges with jco's glue
 * (layer: syscalls): how the canonical ABI's types look in JavaScript once
 * lifted (u64 as bigint, enums as kebab-case strings, options as the value
 * or undefined, variants as `{ tag, val }`, records as camelCase objects),
 * for the types the `wasi:*` interfaces use. And how a `result`'s error
 * reaches the guest: the glue turns a thrown value with an own `payload`
 * into `err(payload)`; anything else that is an Error is a trap.
 */

import { errnoOrRethrow } from '../context.js';

/** The method the glue calls when the guest drops a resource (`Symbol.dispose` where the engine has it, as jco's glue looks it up). */
export const DISPOSE: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

/** Thrown by an import whose WIT result is `result<_, E>`: the guest receives `err(payload)`. */
export class ResultError<E> {
  /**
   * A failure the guest receives as `err(payload)`.
   *
   * @param payload The `err` value.
   */
  constructor(
    /** The `err` value the guest receives. */
    readonly payload: E,
  ) {}
}

/** Fails the call with `err(payload)`. */
export function fail<E>(payload: E): never {
  throw new ResultError(payload);
}

/**
 * Runs the body of a method whose WIT result has an error code: a kernel
 * failure (an errno) becomes `err(codeOf(errno))`; a `ResultError` the
 * body raised itself, a process exit and the kernel's control flow pass
 * through; anything else is a bug and traps.
 */
export function withErrorCodes<T, E>(body: () => T, codeOf: (errno: number) => E): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof ResultError) throw e;
    return fail(codeOf(errnoOrRethrow(e)));
  }
}

/** `wasi:clocks/wall-clock.datetime`. */
export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

/** A `datetime` for `ns` nanoseconds since the epoch. */
export function datetimeOf(ns: bigint): Datetime {
  return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
}

/** Nanoseconds since the epoch of a `datetime`. */
export function nsOf(d: Datetime): bigint {
  return d.seconds * 1_000_000_000n + BigInt(d.nanoseconds);
}

/** The largest list a host call builds for one guest request (bytes of a read, random bytes): a larger request is capped or refused. */
export const MAX_LIST_BYTES = 64 * 1024 * 1024;

/** A u64 length from the guest as a number, capped at `cap`. */
export function lengthOf(len: bigint, cap: number): number {
  return len > BigInt(cap) ? cap : Number(len);
}

/** camelCase to kebab-case, as WIT names things (`blockingWriteAndFlush` → `blocking-write-and-flush`; `OutputStream` → `output-stream`). */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`));
}
