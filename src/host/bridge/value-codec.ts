/**
 * A byte encoding of the host bridge's replies (layer: host), for a
 * transport that cannot receive a message synchronously (browsers have no
 * `receiveMessageOnPort`): the owning side encodes a reply into shared
 * memory and the calling side decodes it there. It carries exactly the
 * values the protocol uses — undefined, null, booleans, numbers, bigints,
 * strings, bytes, arrays and plain objects — and keeps `undefined` apart
 * from `null` and a bigint apart from a number, as structured cloning
 * does. Anything else throws a TypeError (the owning side reports it as the
 * call's failure).
 */

const enum Tag { Undefined, Null, False, True, Number, BigInt, String, Bytes, Array, Object }

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A growing output buffer. */
class Writer {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.bytes.byteLength) return;
    let size = this.bytes.byteLength * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  tag(t: Tag): void {
    this.reserve(1);
    this.bytes[this.length++] = t;
  }

  u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, n, true);
    this.length += 4;
  }

  raw(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.reserve(b.byteLength);
    this.bytes.set(b, this.length);
    this.length += b.byteLength;
  }
}

function write(w: Writer, v: unknown): void {
  switch (typeof v) {
    case 'undefined': w.tag(Tag.Undefined); return;
    case 'boolean': w.tag(v ? Tag.True : Tag.False); return;
    case 'number':
      w.tag(Tag.Number);
      w.reserve(8);
      w.view.setFloat64(w.length, v, true);
      w.length += 8;
      return;
    case 'bigint': w.tag(Tag.BigInt); w.raw(encoder.encode(v.toString())); return;
    case 'string': w.tag(Tag.String); w.raw(encoder.encode(v)); return;
    case 'object': {
      if (v === null) { w.tag(Tag.Null); return; }
      if (v instanceof Uint8Array) { w.tag(Tag.Bytes); w.raw(v); return; }
      if (Array.isArray(v)) {
        w.tag(Tag.Array);
        w.u32(v.length);
        for (const item of v) write(w, item);
        return;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto === Object.prototype || proto === null) {
        const entries = Object.entries(v);
        w.tag(Tag.Object);
        w.u32(entries.length);
        for (const [key, value] of entries) {
          w.raw(encoder.encode(key));
          write(w, value);
        }
        return;
      }
      throw new TypeError(`cannot encode a ${(v as object).constructor?.name ?? 'object'}`);
    }
    default:
      throw new TypeError(`cannot encode a ${typeof v}`);
  }
}

/** `value` as bytes (a view of a buffer that may be larger). */
export function encodeValue(value: unknown): Uint8Array {
  const w = new Writer();
  write(w, value);
  return w.bytes.subarray(0, w.length);
}

/** The value encoded in `bytes` (which may be a view of shared memory: what is returned is copied out of it). */
export function decodeValue(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = (): number => { const n = view.getUint32(at, true); at += 4; return n; };
  const raw = (): Uint8Array => { const n = u32(); const b = bytes.slice(at, at + n); at += n; return b; };
  const text = (): string => decoder.decode(raw());
  const read = (): unknown => {
    const tag = bytes[at++] as Tag;
    switch (tag) {
      case Tag.Undefined: return undefined;
      case Tag.Null: return null;
      case Tag.False: return false;
      case Tag.True: return true;
      case Tag.Number: { const n = view.getFloat64(at, true); at += 8; return n; }
      case Tag.BigInt: return BigInt(text());
      case Tag.String: return text();
      case Tag.Bytes: return raw();
      case Tag.Array: {
        const n = u32();
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(read());
        return out;
      }
      case Tag.Object: {
        const n = u32();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = text();
          out[key] = read();
        }
        return out;
      }
      default: throw new TypeError(`bad value tag ${String(tag)} at ${at - 1}`);
    }
  };
  return read();
}
