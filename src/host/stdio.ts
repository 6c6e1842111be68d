/**
 * Standard streams (layer: host): the interfaces the kernel's stdio
 * descriptors use, and host-neutral implementations (capture to memory,
 * callbacks, a fixed input). Node's file-descriptor streams live in
 * `host/node/`.
 */
import { FileType } from '../abi/constants.js';

export interface OutputStream {
  /** The file type the guest sees (CHARACTER_DEVICE for a terminal). */
  readonly filetype: FileType;
  /** Writes all of `data` (synchronously); returns the count written. */
  write(data: Uint8Array): number;
  /**
   * True when Kiln may gather small writes before handing them over (see
   * kernel/write-buffer.ts): not for terminals or live consumers.
   */
  readonly bufferable?: boolean;
}

export interface InputStream {
  readonly filetype: FileType;
  /** Reads into `dst`; 0 means end of input. May block. */
  read(dst: Uint8Array): number;
  /** Bytes known to be available now without blocking, or undefined when unknown. */
  available?(): number | undefined;
}

/** Collects everything written, for tests and `run()` capture. */
export class CaptureStream implements OutputStream {
  readonly filetype = FileType.UNKNOWN;
  readonly bufferable = true;
  #chunks: Uint8Array[] = [];
  #length = 0;

  write(data: Uint8Array): number {
    this.#chunks.push(data.slice());
    this.#length += data.byteLength;
    return data.byteLength;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) { out.set(c, at); at += c.byteLength; }
    this.#chunks = [out];
    return out;
  }

  text(): string { return new TextDecoder().decode(this.bytes()); }
}

/** Hands each write to a callback (a copy of the bytes). */
export class CallbackStream implements OutputStream {
  readonly filetype = FileType.UNKNOWN;
  constructor(readonly onData: (data: Uint8Array) => void) {}
  write(data: Uint8Array): number {
    this.onData(data.slice());
    return data.byteLength;
  }
}

/** Discards output (like /dev/null). */
export class NullStream implements OutputStream, InputStream {
  readonly filetype = FileType.CHARACTER_DEVICE;
  readonly bufferable = true;
  write(data: Uint8Array): number { return data.byteLength; }
  read(): number { return 0; }
  available(): number { return 0; }
}

/** Input from a fixed buffer or string, then end of input. */
export class BufferInputStream implements InputStream {
  readonly filetype = FileType.UNKNOWN;
  #data: Uint8Array;
  #at = 0;
  constructor(data: Uint8Array | string) {
    this.#data = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  }
  read(dst: Uint8Array): number {
    const n = Math.min(dst.byteLength, this.#data.byteLength - this.#at);
    dst.set(this.#data.subarray(this.#at, this.#at + n));
    this.#at += n;
    return n;
  }
  available(): number { return this.#data.byteLength - this.#at; }
}
