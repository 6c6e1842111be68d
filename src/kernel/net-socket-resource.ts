/**
 * Guest sockets (layer: kernel): a socket a guest opened (WASIX
 * `sock_open`, `sock_accept_v2`), over a VirtualSocket of the kernel's
 * network (host/net/networking.ts). Like every resource its operations
 * never wait: what cannot proceed throws EAGAIN and readiness comes from
 * the socket's state; blocking, NONBLOCK and the socket's timeouts are
 * built on top in the syscall layer (syscalls/blocking-io.ts).
 *
 * The kernel keeps what is the kernel's on Linux too: the socket's
 * protocol, its timeouts and linger time, whether it was shut down, and
 * the answers to `read`/`write` on a socket (a stream's bytes, a
 * datagram socket's connected peer).
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, RiFlags, RoFlags, SdFlags } from '../abi/constants.js';
import type { AcceptedSocket, SocketKind, SocketState, VirtualSocket } from '../host/net/networking.js';
import type { SocketAddress } from '../host/net/socket-address.js';
import type { Readiness, Resource } from './resource.js';
import { SocketResource, total } from './socket-resource.js';

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

/** The times a socket keeps (WASIX `sock_set_opt_time`), in nanoseconds; undefined: none. */
export interface SocketTimes {
  receive?: bigint;
  send?: bigint;
  connect?: bigint;
  accept?: bigint;
  linger?: bigint;
}

/** An accepted connection and its peer. */
export interface AcceptedResource {
  resource: NetSocketResource;
  peer: SocketAddress;
}

export class NetSocketResource extends SocketResource {
  override readonly filetype: FileType;
  readonly times: SocketTimes = {};
  /** Options only the kernel keeps (by WASIX `sock_option` number): their values as set. */
  readonly kept = new Map<number, number>();
  /** The guest bound it (or it was accepted): listen need not bind it implicitly. */
  bound = false;
  #shutRead = false;
  #shutWrite = false;
  #connectStarted = false;

  constructor(
    /** The network's socket. */
    readonly socket: VirtualSocket,
    /** The protocol number the guest opened it with (6 TCP, 17 UDP). */
    readonly protocol: number,
  ) {
    super();
    this.filetype = socket.kind === 'stream' ? FileType.SOCKET_STREAM : FileType.SOCKET_DGRAM;
  }

  get kind(): SocketKind { return this.socket.kind; }
  override get isListening(): boolean { return this.socket.state().listening; }
  /** A connection attempt was started (so a later connect is EALREADY or EISCONN). */
  get connectStarted(): boolean { return this.#connectStarted; }
  /** Both directions were shut down. */
  get shutDown(): boolean { return this.#shutRead && this.#shutWrite; }

  /** Starts connecting (stream) or sets the default peer (datagram). */
  connect(address: SocketAddress): void {
    this.socket.connect(address);
    this.#connectStarted = true;
  }

  /** Starts a TLS connection whose peer's certificate is checked for `serverName`; ENOTSUP on a network without TLS. */
  connectTls(address: SocketAddress, serverName: string): void {
    if (this.socket.connectTls === undefined) throw new WasiError(Errno.NOTSUP, `the ${this.kind} sockets of this network carry no TLS`);
    this.socket.connectTls(address, serverName);
    this.#connectStarted = true;
  }

  override accept(fdflags: number): Resource { return this.acceptWithPeer(fdflags).resource; }

  /** The next queued connection, with its peer; EAGAIN when none; EINVAL when not listening. */
  acceptWithPeer(fdflags: number): AcceptedResource {
    const accepted: AcceptedSocket = this.socket.accept();
    const resource = new NetSocketResource(accepted.socket, this.protocol);
    resource.fdflags = fdflags;
    resource.#connectStarted = true;
    resource.bound = true;
    return { resource, peer: accepted.peer };
  }

  override read(dst: Uint8Array[]): number { return this.recv(dst, 0).size; }
  override write(src: Uint8Array[]): number { return this.send(src); }

  /**
   * Receives what is there now: a stream's bytes (0 at end of stream, after
   * shutdown(RD), or for an empty `dst`) or one datagram (the rest of a
   * longer one is lost, RECV_DATA_TRUNCATED says so). With RECV_PEEK the
   * data stays queued; RECV_PEEK|RECV_WAITALL on a stream answers EAGAIN
   * until `dst` can be filled (or the stream ended). Plain RECV_WAITALL is
   * the caller's loop.
   */
  override recv(dst: Uint8Array[], riflags: number): { size: number; roflags: number } {
    const r = this.receiveFrom(dst, riflags);
    return { size: r.size, roflags: r.roflags };
  }

  /** `recv`, with the sender (datagrams) or the peer (streams). */
  receiveFrom(dst: Uint8Array[], riflags: number): { size: number; roflags: number; from: SocketAddress | undefined } {
    const peek = (riflags & RiFlags.RECV_PEEK) !== 0;
    if (this.socket.kind === 'datagram') {
      if (this.#shutRead) return { size: 0, roflags: 0, from: undefined };
      const d = this.socket.receiveFrom(dst, peek);
      return { size: d.size, roflags: d.truncated ? RoFlags.RECV_DATA_TRUNCATED : 0, from: d.from };
    }
    const want = total(dst);
    if (this.#shutRead || want === 0) return { size: 0, roflags: 0, from: undefined };
    const st = this.socket.state();
    if (!st.connected && !st.peerClosed && st.error === 0) throw new WasiError(st.connecting ? Errno.AGAIN : Errno.NOTCONN);
    if (peek && (riflags & RiFlags.RECV_WAITALL) !== 0 && st.readable < want && !st.peerClosed && st.error === 0) {
      throw new WasiError(Errno.AGAIN);
    }
    try {
      return { size: this.socket.receive(dst, peek), roflags: 0, from: undefined };
    } catch (e) {
      if (e instanceof WasiError && e.errno === Errno.AGAIN && st.error !== 0) throw new WasiError(st.error);
      throw e;
    }
  }

  /** Queues as much of `src` as fits now (a datagram: all or nothing); EAGAIN when nothing fits. */
  override send(src: Uint8Array[]): number {
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    if (this.socket.kind === 'datagram') return this.socket.sendTo(src, undefined);
    const st = this.socket.state();
    if (st.error !== 0) throw new WasiError(st.error);
    if (!st.connected) throw new WasiError(st.connecting ? Errno.AGAIN : Errno.NOTCONN);
    if (total(src) === 0) return 0;
    return this.socket.send(src);
  }

  /** Sends one datagram to `to`. */
  sendTo(src: Uint8Array[], to: SocketAddress): number {
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    if (this.socket.kind === 'stream') {
      // As Linux: a connected stream ignores the address; an unconnected one has no peer.
      return this.send(src);
    }
    return this.socket.sendTo(src, to);
  }

  override shutdown(how: number): void {
    const rd = (how & SdFlags.RD) !== 0;
    const wr = (how & SdFlags.WR) !== 0;
    if (this.socket.kind === 'stream' && !this.socket.state().connected) throw new WasiError(Errno.NOTCONN);
    this.socket.shutdown(rd, wr);
    if (rd) this.#shutRead = true;
    if (wr) this.#shutWrite = true;
  }

  /** The socket's state (for `sock_status` and readiness). */
  state(): SocketState { return this.socket.state(); }

  override pollRead(): Readiness {
    const st = this.socket.state();
    const hangup = st.peerClosed || st.error !== 0;
    if (st.readable > 0 || hangup || this.#shutRead) return { ready: true, nbytes: BigInt(st.readable), hangup };
    return NOT_READY;
  }

  override pollWrite(): Readiness {
    const st = this.socket.state();
    if (st.error !== 0 || this.#shutWrite) return { ready: true, nbytes: 0n, hangup: st.error !== 0 };
    if (this.socket.kind === 'stream' && !st.connected) return NOT_READY;
    return st.writable > 0 ? { ready: true, nbytes: BigInt(st.writable), hangup: false } : NOT_READY;
  }

  override close(): void { this.socket.close(); }
}
