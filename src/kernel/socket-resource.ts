/**
 * Socket resources (layer: kernel): a listening TCP socket and its accepted
 * connections, handed in by the embedder (e.g. `kiln run --listen`).
 *
 * Design. The guest runs synchronously on its thread while the host's
 * sockets are asynchronous (Node's live on an I/O worker thread). The two
 * meet in shared memory, behind the ListenerChannel / SocketChannel
 * interfaces (src/host/net/): per connection one ring buffer per direction,
 * plus control cells for the accept queue, connection state and errors.
 * Channel calls never block. Blocking is built here: a call that cannot
 * finish reads the ReadinessSignal's generation, re-checks the channel, and
 * sleeps in Atomics.wait until the I/O thread bumps the signal (it does after
 * every change) — never spinning. NONBLOCK (the descriptor's fdflags, or
 * sock_accept's flags) answers EAGAIN instead of waiting.
 *
 * Errors follow Linux: a reset peer is ECONNRESET on recv (once buffered
 * data is read) and send; send after shutdown(WR) is EPIPE; recv after
 * shutdown(RD) reads 0 bytes; accept on a connection is EINVAL.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FdFlags, FileType, RiFlags, SdFlags } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import type { ListenerChannel, SocketChannel } from '../host/net/channel.js';
import type { ReadinessSignal } from './readiness-signal.js';
import { Resource, type Readiness } from './resource.js';

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

abstract class SocketResource extends Resource {
  readonly filetype = FileType.SOCKET_STREAM;
  override get isSocket(): boolean { return true; }
  override pread(): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(): number { throw new WasiError(Errno.SPIPE); }
  override seek(): bigint { throw new WasiError(Errno.SPIPE); }
  override tell(): bigint { throw new WasiError(Errno.SPIPE); }
  override sync(): void { throw new WasiError(Errno.INVAL); }
  override datasync(): void { throw new WasiError(Errno.INVAL); }
  override advise(): void { throw new WasiError(Errno.SPIPE); }
  override stat(): FileStat {
    return { dev: 0n, ino: 0n, filetype: FileType.SOCKET_STREAM, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }
  protected get nonblocking(): boolean { return (this.fdflags & FdFlags.NONBLOCK) !== 0; }
}

export class ListenerResource extends SocketResource {
  readonly #channel: ListenerChannel;
  readonly #readiness: ReadinessSignal;

  constructor(channel: ListenerChannel, readiness: ReadinessSignal) {
    super();
    this.#channel = channel;
    this.#readiness = readiness;
  }

  override get isListening(): boolean { return true; }

  override accept(fdflags: number): Resource {
    for (;;) {
      const seen = this.#readiness.generation;
      const failed = this.#channel.failure();
      if (failed !== 0) throw new WasiError(failed);
      const conn = this.#channel.accept();
      if (conn !== undefined) {
        const r = new ConnectionResource(conn, this.#readiness);
        r.fdflags = fdflags;
        return r;
      }
      if (this.nonblocking || (fdflags & FdFlags.NONBLOCK) !== 0) throw new WasiError(Errno.AGAIN);
      this.#readiness.wait(seen, Infinity);
    }
  }

  override read(): number { throw new WasiError(Errno.NOTCONN); }
  override write(): number { throw new WasiError(Errno.PIPE); }
  override recv(): { size: number; roflags: number } { throw new WasiError(Errno.NOTCONN); }
  override send(): number { throw new WasiError(Errno.PIPE); }
  override shutdown(): void { throw new WasiError(Errno.NOTCONN); }

  override pollRead(): Readiness {
    if (this.#channel.failure() !== 0) return { ready: true, nbytes: 0n, hangup: true };
    const n = this.#channel.pending();
    return n > 0 ? { ready: true, nbytes: BigInt(n), hangup: false } : NOT_READY;
  }

  /** A listening socket never becomes writable (as on Linux). */
  override pollWrite(): Readiness { return NOT_READY; }

  override close(): void { this.#channel.close(); }
}

export class ConnectionResource extends SocketResource {
  readonly #channel: SocketChannel;
  readonly #readiness: ReadinessSignal;
  #shutRead = false;
  #shutWrite = false;

  constructor(channel: SocketChannel, readiness: ReadinessSignal) {
    super();
    this.#channel = channel;
    this.#readiness = readiness;
  }

  override accept(): Resource { throw new WasiError(Errno.INVAL); }

  override read(dst: Uint8Array[]): number { return this.recv(dst, 0).size; }
  override write(src: Uint8Array[]): number { return this.send(src); }

  override recv(dst: Uint8Array[], riflags: number): { size: number; roflags: number } {
    const want = total(dst);
    if (this.#shutRead || want === 0) return { size: 0, roflags: 0 };
    const peek = (riflags & RiFlags.RECV_PEEK) !== 0;
    const waitAll = (riflags & RiFlags.RECV_WAITALL) !== 0;
    const ch = this.#channel;
    let got = 0;
    for (;;) {
      const seen = this.#readiness.generation;
      // Status first: the host marks EOF only after delivering every byte.
      const st = ch.status();
      const available = ch.readable();
      const final = st.peerClosed || st.error !== 0 || this.nonblocking;
      if (peek) {
        // MSG_PEEK|MSG_WAITALL waits for as much as the buffer can ever hold.
        const enough = !waitAll || available >= Math.min(want, ch.receiveCapacity);
        if (available > 0 && (enough || final)) return { size: ch.receive(dst, true), roflags: 0 };
      } else if (available > 0) {
        got += ch.receive(skip(dst, got), false);
        if (!waitAll || got === want) return { size: got, roflags: 0 };
        continue;
      }
      if (got > 0 && final) return { size: got, roflags: 0 };
      if (st.error !== 0) throw new WasiError(st.error);
      if (st.peerClosed) return { size: got, roflags: 0 };
      if (this.nonblocking) throw new WasiError(Errno.AGAIN);
      this.#readiness.wait(seen, Infinity);
    }
  }

  override send(src: Uint8Array[]): number {
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    const want = total(src);
    const ch = this.#channel;
    let sent = 0;
    for (;;) {
      const seen = this.#readiness.generation;
      const err = ch.status().error;
      if (err !== 0) {
        if (sent > 0) return sent;
        throw new WasiError(err);
      }
      if (sent === want) return sent;
      sent += ch.send(skip(src, sent));
      if (sent === want) return sent;
      if (this.nonblocking) {
        if (sent > 0) return sent;
        throw new WasiError(Errno.AGAIN);
      }
      this.#readiness.wait(seen, Infinity);
    }
  }

  override shutdown(how: number): void {
    const rd = (how & SdFlags.RD) !== 0;
    const wr = (how & SdFlags.WR) !== 0;
    if (rd) this.#shutRead = true;
    if (wr) this.#shutWrite = true;
    this.#channel.shutdown(rd, wr);
  }

  override pollRead(): Readiness {
    const st = this.#channel.status();
    const n = this.#channel.readable();
    const hangup = st.peerClosed || st.error !== 0;
    if (n > 0 || hangup || this.#shutRead) return { ready: true, nbytes: BigInt(n), hangup };
    return NOT_READY;
  }

  override pollWrite(): Readiness {
    const st = this.#channel.status();
    if (st.error !== 0 || this.#shutWrite) return { ready: true, nbytes: 0n, hangup: st.error !== 0 };
    const n = this.#channel.writable();
    return n > 0 ? { ready: true, nbytes: BigInt(n), hangup: false } : NOT_READY;
  }

  override close(): void { this.#channel.close(); }
}

function total(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}

/** `bufs` without its first `n` bytes. */
function skip(bufs: readonly Uint8Array[], n: number): Uint8Array[] {
  if (n === 0) return bufs as Uint8Array[];
  const out: Uint8Array[] = [];
  for (const b of bufs) {
    if (n >= b.byteLength) { n -= b.byteLength; continue; }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
