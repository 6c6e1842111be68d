/**
 * Socket resources (layer: kernel): a listening TCP socket and its accepted
 * connections, handed in by the embedder (e.g. `kiln run --listen`).
 *
 * Design. The guest runs synchronously on its thread while the host's
 * sockets are asynchronous (Node's live on an I/O worker thread). The two
 * meet in shared memory, behind the ListenerChannel / SocketChannel
 * interfaces (src/host/net/): per connection one ring buffer per direction,
 * plus control cells for the accept queue, connection state and errors.
 * Channel calls never block, and neither do these resources: an operation
 * that cannot proceed throws EAGAIN. Blocking (and the NONBLOCK flag) is
 * built once, in the syscall layer (syscalls/blocking-io.ts), which waits on
 * the ReadinessSignal that the I/O thread bumps after every change.
 *
 * Errors follow Linux: a reset peer is ECONNRESET on recv (once buffered
 * data is read) and send; send after shutdown(WR) is EPIPE; recv after
 * shutdown(RD) reads 0 bytes; accept on a connection is EINVAL.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, RiFlags, SdFlags } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import type { ListenerChannel, SocketChannel } from '../host/net/channel.js';
import type { ReadinessSignal } from '../host/readiness-signal.js';
import { Resource, type Readiness } from './resource.js';

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

/** What every socket answers alike: no positions, no syncing, its own file type. */
export abstract class SocketResource extends Resource {
  readonly filetype: FileType = FileType.SOCKET_STREAM;
  override get isSocket(): boolean { return true; }
  override pread(): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(): number { throw new WasiError(Errno.SPIPE); }
  override seek(): bigint { throw new WasiError(Errno.SPIPE); }
  override tell(): bigint { throw new WasiError(Errno.SPIPE); }
  override sync(): void { throw new WasiError(Errno.INVAL); }
  override datasync(): void { throw new WasiError(Errno.INVAL); }
  override advise(): void { throw new WasiError(Errno.SPIPE); }
  override stat(): FileStat {
    return { dev: 0n, ino: 0n, filetype: this.filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }
}

export class ListenerResource extends SocketResource {
  readonly #channel: ListenerChannel;

  /**
   * `readiness`: the signal the channel's I/O thread bumps; the process
   * must wait on the same one (pass it as the process's `readiness`).
   */
  constructor(channel: ListenerChannel, readonly readiness: ReadinessSignal) {
    super();
    this.#channel = channel;
  }

  override get isListening(): boolean { return true; }

  /** The next queued connection (its fdflags set to `fdflags`); EAGAIN when none is queued. */
  override accept(fdflags: number): Resource {
    const failed = this.#channel.failure();
    if (failed !== 0) throw new WasiError(failed);
    const conn = this.#channel.accept();
    if (conn === undefined) throw new WasiError(Errno.AGAIN);
    const r = new ConnectionResource(conn);
    r.fdflags = fdflags;
    return r;
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
  #shutRead = false;
  #shutWrite = false;

  constructor(channel: SocketChannel) {
    super();
    this.#channel = channel;
  }

  override accept(): Resource { throw new WasiError(Errno.INVAL); }

  override read(dst: Uint8Array[]): number { return this.recv(dst, 0).size; }
  override write(src: Uint8Array[]): number { return this.send(src); }

  /**
   * Receives what is buffered now, up to `dst`'s size: 0 bytes at end of
   * stream (or after shutdown(RD), or for an empty `dst`); EAGAIN when
   * nothing is buffered yet. With RECV_PEEK the bytes stay buffered, and
   * RECV_PEEK|RECV_WAITALL answers EAGAIN until as much as the buffer can
   * ever hold has arrived (unless the stream ended). Plain RECV_WAITALL is
   * the caller's loop: this returns what there is.
   */
  override recv(dst: Uint8Array[], riflags: number): { size: number; roflags: number } {
    const want = total(dst);
    if (this.#shutRead || want === 0) return { size: 0, roflags: 0 };
    const ch = this.#channel;
    // Status first: the host marks EOF only after delivering every byte.
    const st = ch.status();
    const available = ch.readable();
    if ((riflags & RiFlags.RECV_PEEK) !== 0) {
      const final = st.peerClosed || st.error !== 0;
      const enough = (riflags & RiFlags.RECV_WAITALL) === 0 || available >= Math.min(want, ch.receiveCapacity);
      if (available > 0 && (enough || final)) return { size: ch.receive(dst, true), roflags: 0 };
    } else if (available > 0) {
      return { size: ch.receive(dst, false), roflags: 0 };
    }
    if (st.error !== 0) throw new WasiError(st.error);
    if (st.peerClosed) return { size: 0, roflags: 0 };
    throw new WasiError(Errno.AGAIN);
  }

  /** Queues as much of `src` as fits now; EAGAIN when nothing fits. */
  override send(src: Uint8Array[]): number {
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    const ch = this.#channel;
    const err = ch.status().error;
    if (err !== 0) throw new WasiError(err);
    const want = total(src);
    if (want === 0) return 0;
    const sent = ch.send(src);
    if (sent === 0) throw new WasiError(Errno.AGAIN);
    return sent;
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

/** Bytes in `bufs` altogether. */
export function total(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}
