/**
 * The queues behind loopback sockets (layer: host, platform-neutral; see
 * loopback.ts): a byte queue for one direction of a stream connection, and
 * a queue of whole datagrams. Plain JavaScript memory, one thread: both
 * ends of a loopback connection live in the thread that owns the network.
 * Every byte is copied in on the way in (the caller's buffers are guest
 * memory, which changes) and copied out on the way out.
 */
import type { SocketAddress } from './socket-address.js';

/** The bytes `bufs` hold together. */
export function totalBytes(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}

/** Copies `src` into `dst` in order, as far as both go; returns the bytes copied. */
function scatter(src: Uint8Array, dst: readonly Uint8Array[]): number {
  let done = 0;
  for (const d of dst) {
    if (done === src.byteLength) break;
    const n = Math.min(d.byteLength, src.byteLength - done);
    d.set(src.subarray(done, done + n));
    done += n;
  }
  return done;
}

/**
 * One direction of a stream connection: bytes in order, bounded by the
 * caller (`push` takes at most the room it is given), kept as the chunks
 * they were sent in.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Index of the first live chunk in `#chunks`. */
  #first = 0;
  /** Bytes of the first live chunk already consumed. */
  #offset = 0;
  #size = 0;

  /** Bytes queued. */
  get size(): number { return this.#size; }

  /** Copies up to `max` bytes of `src` in; returns how many. */
  push(src: readonly Uint8Array[], max: number): number {
    const n = Math.min(max, totalBytes(src));
    if (n <= 0) return 0;
    const chunk = new Uint8Array(n);
    let at = 0;
    for (const s of src) {
      if (at === n) break;
      const take = Math.min(s.byteLength, n - at);
      chunk.set(s.subarray(0, take), at);
      at += take;
    }
    this.#chunks.push(chunk);
    this.#size += n;
    return n;
  }

  /** Copies queued bytes into `dst`, as many as fit; `peek` leaves them queued. */
  read(dst: readonly Uint8Array[], peek: boolean): number {
    let done = 0;
    let chunk = this.#first;
    let offset = this.#offset;
    for (const d of dst) {
      let at = 0;
      while (at < d.byteLength && chunk < this.#chunks.length) {
        const c = this.#chunks[chunk]!;
        const n = Math.min(d.byteLength - at, c.byteLength - offset);
        d.set(c.subarray(offset, offset + n), at);
        at += n;
        offset += n;
        if (offset === c.byteLength) { chunk++; offset = 0; }
      }
      done += at;
      if (chunk === this.#chunks.length) break;
    }
    if (!peek) {
      this.#first = chunk;
      this.#offset = offset;
      this.#size -= done;
      this.#compact();
    }
    return done;
  }

  /** Drops everything queued. */
  clear(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#offset = 0;
    this.#size = 0;
  }

  #compact(): void {
    if (this.#first === this.#chunks.length) this.clear();
    else if (this.#first >= 64) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }
}

/** One queued datagram. */
export interface Datagram {
  data: Uint8Array;
  from: SocketAddress;
}

/** Datagrams waiting at a socket, whole, in arrival order. */
export class DatagramQueue {
  #items: Datagram[] = [];
  #bytes = 0;

  /** Datagrams queued. */
  get count(): number { return this.#items.length; }
  /** Payload bytes queued. */
  get bytes(): number { return this.#bytes; }
  /** The next datagram, if any. */
  get next(): Datagram | undefined { return this.#items[0]; }

  /** Queues a copy of `src` (gathered), from `from`. */
  push(src: readonly Uint8Array[], from: SocketAddress): void {
    const data = new Uint8Array(totalBytes(src));
    let at = 0;
    for (const s of src) { data.set(s, at); at += s.byteLength; }
    this.#items.push({ data, from });
    this.#bytes += data.byteLength;
  }

  /**
   * Copies the next datagram into `dst` (the caller checked there is one);
   * unless `peek`, removes it whole, even the part `dst` had no room for.
   */
  read(dst: readonly Uint8Array[], peek: boolean): { size: number; truncated: boolean; from: SocketAddress } {
    const d = this.#items[0]!;
    const size = scatter(d.data, dst);
    if (!peek) {
      this.#items.shift();
      this.#bytes -= d.data.byteLength;
    }
    return { size, truncated: size < d.data.byteLength, from: { ...d.from } };
  }

  /** Drops everything queued. */
  clear(): void {
    this.#items = [];
    this.#bytes = 0;
  }
}
