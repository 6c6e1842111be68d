/**
 * Name lookups through shared memory (layer: host, platform-neutral): the
 * kernel posts a `lookup` command with a small SharedArrayBuffer, the I/O
 * thread resolves the name and writes the answer there, then bumps the
 * readiness signal; `result()` reads it, answering AGAIN until then.
 *
 * Layout: Int32 cells DONE (0, then 1), ERRNO, COUNT; then up to
 * MAX_ADDRESSES entries of 20 bytes: the family (4 or 6) in the first
 * byte, the address in the last 16 (an IPv4 one in the first 4 of those).
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { HostLookup } from './networking.js';
import { canonicalIp, formatIp, ipBytes } from './socket-address.js';
import type { ReadinessSignal } from '../readiness-signal.js';

/** Addresses one answer holds at most (the rest are dropped). */
export const MAX_ADDRESSES = 32;

const enum Cell { DONE = 0, ERRNO = 1, COUNT = 2, CELLS = 4 }
const ENTRY = 20;
const ENTRIES_AT = Cell.CELLS * 4;

/** A new answer area. */
export function lookupBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(ENTRIES_AT + MAX_ADDRESSES * ENTRY);
}

/** I/O thread: writes the addresses found (canonical or not), or the errno of a failure. */
export function writeLookup(buffer: SharedArrayBuffer, answer: { addresses: readonly string[] } | { errno: number }): void {
  const cells = new Int32Array(buffer, 0, Cell.CELLS);
  if ('errno' in answer) {
    Atomics.store(cells, Cell.ERRNO, answer.errno);
  } else {
    const bytes = new Uint8Array(buffer, ENTRIES_AT);
    let n = 0;
    for (const a of answer.addresses) {
      const b = ipBytes(a);
      if (b === undefined || n === MAX_ADDRESSES) continue;
      bytes[n * ENTRY] = b.length === 4 ? 4 : 6;
      bytes.set(b, n * ENTRY + 4);
      n++;
    }
    Atomics.store(cells, Cell.COUNT, n);
  }
  Atomics.store(cells, Cell.DONE, 1);
}

/** The kernel's view of a lookup under way on the I/O thread. */
export class SharedLookup implements HostLookup {
  readonly #cells: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #cancel: () => void;
  #cancelled = false;

  constructor(buffer: SharedArrayBuffer, cancel: () => void) {
    this.#cells = new Int32Array(buffer, 0, Cell.CELLS);
    this.#bytes = new Uint8Array(buffer, ENTRIES_AT);
    this.#cancel = cancel;
  }

  result(): string[] {
    if (this.#cancelled) throw new WasiError(Errno.CANCELED);
    if (Atomics.load(this.#cells, Cell.DONE) === 0) throw new WasiError(Errno.AGAIN);
    const errno = Atomics.load(this.#cells, Cell.ERRNO);
    if (errno !== 0) throw new WasiError(errno);
    const out: string[] = [];
    const n = Atomics.load(this.#cells, Cell.COUNT);
    for (let i = 0; i < n; i++) {
      const at = i * ENTRY;
      out.push(formatIp(this.#bytes.slice(at + 4, at + 4 + (this.#bytes[at] === 4 ? 4 : 16))));
    }
    return out;
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    if (Atomics.load(this.#cells, Cell.DONE) === 0) this.#cancel();
  }
}

/**
 * The lookup of an IP address, which needs no resolving: answered at once
 * (the signal bumped all the same, as for any lookup that finished);
 * undefined for a name.
 */
export function literalLookup(host: string, readiness: ReadinessSignal): HostLookup | undefined {
  const ip = canonicalIp(host);
  if (ip === undefined) return undefined;
  readiness.notify();
  return new ResolvedLookup([ip]);
}

/** A lookup that is already answered (an IP address needs no resolving). */
export class ResolvedLookup implements HostLookup {
  constructor(readonly addresses: readonly string[]) {}
  result(): string[] { return [...this.addresses]; }
  cancel(): void {}
}
