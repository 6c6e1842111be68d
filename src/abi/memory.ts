/**
 * GuestMemory: the one bounds-checked accessor to a guest's linear memory
 * (layer: abi). Every guest pointer that Kiln reads or writes goes through
 * here; a pointer or length that falls outside the memory raises EFAULT, never
 * a host RangeError.
 *
 * The views are rebuilt whenever the memory's buffer changes (after
 * `memory.grow`, an ArrayBuffer is detached; a growable SharedArrayBuffer is
 * replaced by a longer one).
 */
import { Errno, WasiError } from './errno.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Typed arrays use the host's byte order; wasm memory is little-endian. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class GuestMemory {
  /**
   * An instance over an empty memory, kept for the class's hidden class: V8
   * drops a hidden class at a full GC once no object has it, and
   * deoptimizes the code built on it, so every system call would start
   * cold again in a process begun after the previous one was collected.
   */
  static readonly shapeKeeper = new GuestMemory(new WebAssembly.Memory({ initial: 0 }));

  #memory: WebAssembly.Memory;
  #buffer: ArrayBufferLike;
  #view: DataView;
  #bytes: Uint8Array;
  #u64: BigUint64Array | undefined;

  /**
   * True for a 64-bit guest (WASIX `wasix_64v1` on a memory64 memory):
   * sizes and pointers stored in guest memory are 8 bytes (an iovec is 16),
   * though addresses themselves stay below 4 GiB here.
   */
  readonly wide: boolean;
  /** Bytes of a size or pointer stored in guest memory: 4, or 8 for a 64-bit guest. */
  readonly sizeBytes: 4 | 8;

  constructor(memory: WebAssembly.Memory, wide = false) {
    this.#memory = memory;
    this.wide = wide;
    this.sizeBytes = wide ? 8 : 4;
    this.#buffer = memory.buffer;
    this.#view = new DataView(this.#buffer);
    this.#bytes = new Uint8Array(this.#buffer);
  }

  /** The current byte view of the whole memory (refreshed after growth). */
  get bytes(): Uint8Array {
    if (this.#bytes.length === 0) this.#sync();
    return this.#bytes;
  }

  get view(): DataView {
    if (this.#bytes.length === 0) this.#sync();
    return this.#view;
  }

  get byteLength(): number {
    this.#sync();
    return this.#bytes.byteLength;
  }

  /**
   * Re-reads `memory.buffer`. Reading it is not free, so it happens only
   * when a check fails or the old buffer was detached by growth (its length
   * is then 0); a shared memory that grew keeps its old, shorter buffer, so
   * a failing check re-reads before it reports EFAULT.
   */
  #sync(): void {
    const buffer = this.#memory.buffer;
    if (buffer !== this.#buffer || buffer.byteLength !== this.#bytes.byteLength) {
      this.#buffer = buffer;
      this.#view = new DataView(buffer);
      this.#bytes = new Uint8Array(buffer);
      this.#u64 = undefined;
    }
  }

  /**
   * Checks that [ptr, ptr + len) lies in memory. `ptr` and `len` may arrive
   * as signed i32 from wasm (reinterpreted as unsigned); a length Kiln
   * computed (count × size) is taken as it is, however large.
   */
  check(ptr: number, len: number): number {
    const p = ptr >>> 0;
    const end = p + (len < 0 ? len >>> 0 : len);
    // A detached buffer (after growth) has length 0: re-read it even for an empty range.
    // (`length`, not `byteLength`: the same for bytes, and several times cheaper on V8.)
    const size = this.#bytes.length;
    if (end > size || size === 0) {
      this.#sync();
      if (end > this.#bytes.length) throw new WasiError(Errno.FAULT);
    }
    return p;
  }

  // Each accessor checks first: check() may replace the view after growth.
  u8(ptr: number): number { const p = this.check(ptr, 1); return this.#view.getUint8(p); }
  u16(ptr: number): number { const p = this.check(ptr, 2); return this.#view.getUint16(p, true); }
  u32(ptr: number): number { const p = this.check(ptr, 4); return this.#view.getUint32(p, true); }
  u64(ptr: number): bigint { const p = this.check(ptr, 8); return this.#view.getBigUint64(p, true); }

  setU8(ptr: number, v: number): void { const p = this.check(ptr, 1); this.#view.setUint8(p, v); }
  setU16(ptr: number, v: number): void { const p = this.check(ptr, 2); this.#view.setUint16(p, v, true); }
  setU32(ptr: number, v: number): void { const p = this.check(ptr, 4); this.#view.setUint32(p, v, true); }
  /** Writes a size (or pointer) as the guest stores one: a u32, or a u64 for a 64-bit guest. */
  setSize(ptr: number, v: number): void {
    if (!this.wide) { this.setU32(ptr, v); return; }
    this.setU64Number(ptr, v);
  }

  /** Reads a size (or pointer) as the guest stores one; a 64-bit one beyond 2^32 - 1 reads as 2^32 - 1 (it reaches past any memory here). */
  size(ptr: number): number {
    if (!this.wide) return this.u32(ptr);
    const p = this.check(ptr, 8);
    return this.#view.getUint32(p + 4, true) !== 0 ? 0xffffffff : this.#view.getUint32(p, true);
  }

  /** Writes the low 64 bits of `v` (setBigUint64 takes any bigint modulo 2^64). */
  setU64(ptr: number, v: bigint): void { const p = this.check(ptr, 8); this.#view.setBigUint64(p, v, true); }
  /** Writes a u64 given as its low and high 32 bits (no bigint). */
  setU64Halves(ptr: number, lo: number, hi: number): void {
    const p = this.check(ptr, 8);
    this.#view.setUint32(p, lo, true);
    this.#view.setUint32(p + 4, hi, true);
  }
  /** Writes a non-negative integer below 2^53 as a u64 (no bigint). */
  setU64Number(ptr: number, v: number): void {
    const p = this.check(ptr, 8);
    const lo = v >>> 0;
    this.#view.setUint32(p, lo, true);
    this.#view.setUint32(p + 4, (v - lo) / 0x1_0000_0000, true);
  }

  /**
   * The whole memory as u64 elements, for storing several u64 fields at an
   * 8-byte-aligned pointer (a DataView's setBigUint64 costs several times
   * more); undefined on a big-endian host. Take it after `check`, which may
   * replace the memory's views.
   */
  get u64s(): BigUint64Array | undefined {
    if (!LITTLE_ENDIAN_HOST) return undefined;
    if (this.#u64 === undefined) this.#u64 = new BigUint64Array(this.#buffer, 0, this.#bytes.byteLength >>> 3);
    return this.#u64;
  }

  /** A live view of guest bytes (no copy). */
  slice(ptr: number, len: number): Uint8Array {
    const p = this.check(ptr, len);
    return this.#bytes.subarray(p, p + (len < 0 ? len >>> 0 : len));
  }

  /** Copies host bytes into guest memory. */
  write(ptr: number, data: Uint8Array): void {
    const p = this.check(ptr, data.byteLength);
    this.#bytes.set(data, p);
  }

  /**
   * Reads a UTF-8 string argument. Invalid UTF-8 is EILSEQ: WASI paths and
   * names are Unicode strings.
   */
  string(ptr: number, len: number): string {
    const p = this.check(ptr, len);
    const n = len < 0 ? len >>> 0 : len;
    // Paths are short and mostly ASCII: build those directly from memory
    // (TextDecoder's call cost dominates, and a view would be one more object).
    if (n <= 64) {
      const all = this.#bytes;
      let s = '';
      let i = 0;
      for (; i < n; i++) {
        const c = all[p + i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === n) return s;
    }
    const bytes = this.#bytes.subarray(p, p + n);
    try {
      // TextDecoder refuses views on shared memory; copy in that case.
      return utf8Decoder.decode(bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice());
    } catch {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  /** Reads `len` entries of an iovec/ciovec array as [ptr, len] pairs, checked. */
  iovecs(ptr: number, count: number): Uint8Array[] {
    if (this.wide) return this.#wideIovecs(ptr, count);
    const n = count >>> 0;
    const base = this.check(ptr, n * 8);
    // check() may have re-read the buffer; take the view after it.
    const out: Uint8Array[] = new Array(n);
    const view = this.#view;
    for (let i = 0; i < n; i++) {
      const bufPtr = view.getUint32(base + i * 8, true);
      const bufLen = view.getUint32(base + i * 8 + 4, true);
      out[i] = this.slice(bufPtr, bufLen);
    }
    return out;
  }

  /** A 64-bit guest's iovecs: {ptr u64, len u64}, 16 bytes each. */
  #wideIovecs(ptr: number, count: number): Uint8Array[] {
    const n = count >>> 0;
    const base = this.check(ptr, n * 16);
    const out: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const view = this.#view;
      const at = base + i * 16;
      if (view.getUint32(at + 4, true) !== 0 || view.getUint32(at + 12, true) !== 0) throw new WasiError(Errno.FAULT);
      out[i] = this.slice(view.getUint32(at, true), view.getUint32(at + 8, true));
    }
    return out;
  }
}

export function encodeUtf8(s: string): Uint8Array {
  // Short ASCII strings (names, paths) skip TextEncoder's call cost.
  if (s.length <= 64) {
    const out = new Uint8Array(s.length);
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[i] = c;
    }
    if (i === s.length) return out;
  }
  return utf8Encoder.encode(s);
}
