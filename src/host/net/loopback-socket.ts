/**
 * The sockets of the loopback network (layer: host, platform-neutral; the
 * network and its semantics are described in loopback.ts): `Network`, the
 * ports taken, and `LoopbackSocket`, one stream or datagram socket. A
 * stream connection is two pipes, one per direction, each a bounded byte
 * queue; a datagram socket has a bounded queue of whole datagrams.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { ByteQueue, DatagramQueue, totalBytes } from './loopback-queues.js';
import { MulticastMemberships } from './multicast.js';
import type { AcceptedSocket, MulticastInterface, ReceivedDatagram, SocketKind, SocketOption, SocketState, VirtualSocket } from './networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import { checkOption, normalizeOption } from './socket-options.js';
import {
  anyAddress, canonicalIp, ipFamily, isAnyAddress, isMulticastAddress, loopbackAddress, type IpFamily, type SocketAddress,
} from './socket-address.js';

const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_LAST = 65535;
/** Linux's default `net.core.somaxconn`: larger backlogs are cut to it. */
const MAX_BACKLOG = 4096;
/** Datagrams a socket queues at most, whatever their size (empty ones included). */
const MAX_DATAGRAMS = 1024;
/** The largest UDP payload: 65535 less the IP and UDP headers (IPv6's header is not counted in its length). */
const MAX_DATAGRAM = { ipv4: 65507, ipv6: 65527 } as const;

type OptionValues = { [K in SocketOption]: number | boolean };

const DEFAULT_OPTIONS: Readonly<OptionValues> = {
  noDelay: false, keepAlive: false, broadcast: false, reuseAddress: false, reusePort: false, onlyV6: false,
  receiveBufferSize: 64 * 1024, sendBufferSize: 64 * 1024, ttl: 64, multicastTtl: 1, multicastLoop: true,
};

/** The address a socket sends from to `dest` when it is bound to the unspecified address (a group's datagrams leave from the loopback address). */
function sourceIp(family: IpFamily, dest: string): string {
  if (family === 'ipv4' ? dest.startsWith('127.') : dest === '::1') return loopbackAddress(family);
  if (isMulticastAddress(dest)) return loopbackAddress(family);
  return dest;
}

/** `a` and `b` name overlapping local addresses (equal, or either unspecified). */
function overlaps(a: string, b: string): boolean {
  return a === b || isAnyAddress(a) || isAnyAddress(b);
}

/** The ports taken on one network, by kind and port. */
export class Network {
  readonly #bound = new Map<string, Set<LoopbackSocket>>();
  #nextPort = EPHEMERAL_FIRST;

  /** Sockets of `kind` bound to `port`, in any family. */
  at(kind: SocketKind, port: number): ReadonlySet<LoopbackSocket> {
    return this.#bound.get(`${kind}:${port}`) ?? new Set();
  }

  add(s: LoopbackSocket, port: number): void {
    const key = `${s.kind}:${port}`;
    let set = this.#bound.get(key);
    if (set === undefined) this.#bound.set(key, set = new Set());
    set.add(s);
  }

  remove(s: LoopbackSocket, port: number): void {
    const key = `${s.kind}:${port}`;
    const set = this.#bound.get(key);
    set?.delete(s);
    if (set?.size === 0) this.#bound.delete(key);
  }

  /** A port no socket of `kind` holds, taken round-robin from the ephemeral range; undefined when all are taken. */
  ephemeralPort(kind: SocketKind): number | undefined {
    const count = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < count; i++) {
      const port = this.#nextPort;
      this.#nextPort = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!this.#bound.has(`${kind}:${port}`)) return port;
    }
    return undefined;
  }

  /** The socket of `kind` that takes what is sent to `dest` (listening, for streams): an exact address before the unspecified one. */
  destination(kind: SocketKind, dest: SocketAddress): LoopbackSocket | undefined {
    let wildcard: LoopbackSocket | undefined;
    for (const s of this.at(kind, dest.port)) {
      if (s.family !== dest.family || (kind === 'stream' && !s.isListening)) continue;
      const ip = s.boundIp;
      if (ip === dest.ip) return s;
      if (ip !== undefined && isAnyAddress(ip)) wildcard ??= s;
    }
    return wildcard;
  }
}

/** One direction of a stream connection. */
interface Pipe {
  queue: ByteQueue;
  /** The writer sent FIN (shutdown(write) or close): the reader sees EOF once the queue is drained. */
  finished: boolean;
  /** The reader shut its reading side: what arrives is dropped. */
  discarding: boolean;
  /** The reader closed its socket: writing is EPIPE. */
  readerClosed: boolean;
}

function newPipe(): Pipe {
  return { queue: new ByteQueue(), finished: false, discarding: false, readerClosed: false };
}

/** A stream socket's end of a connection. */
interface Connection {
  peer: LoopbackSocket;
  peerAddress: SocketAddress;
  in: Pipe;
  out: Pipe;
}

type StreamMode =
  | { kind: 'idle' }
  | { kind: 'listening'; backlog: number; queue: LoopbackSocket[] }
  | { kind: 'connected'; conn: Connection };

export class LoopbackSocket implements VirtualSocket {
  readonly #net: Network;
  readonly #signal: ReadinessSignal;
  readonly #options: OptionValues;
  /** The bound address (the ip may be unspecified); undefined while unbound. */
  #local: SocketAddress | undefined;
  /** `#local`'s port is held in the network (an accepted socket shares its listener's and holds none). */
  #holdsPort = false;
  /** The binding was made by connect and goes again if the connection is refused (as Linux's autobind). */
  #implicit = false;
  #mode: StreamMode = { kind: 'idle' };
  /** A datagram socket's default peer. */
  #peer: SocketAddress | undefined;
  readonly #datagrams = new DatagramQueue();
  /** The multicast groups a datagram socket joined (the network has one interface, so any `iface` names it). */
  readonly #groups: MulticastMemberships;
  #shutRead = false;
  #shutWrite = false;
  #error = 0;
  #closed = false;

  constructor(net: Network, readonly family: IpFamily, readonly kind: SocketKind, signal: ReadinessSignal, options: OptionValues = DEFAULT_OPTIONS) {
    this.#net = net;
    this.#signal = signal;
    this.#options = { ...options };
    this.#groups = new MulticastMemberships(family, kind, true);
  }

  get isListening(): boolean { return this.#mode.kind === 'listening'; }
  /** The bound ip, or undefined while unbound. */
  get boundIp(): string | undefined { return this.#local?.ip; }
  /** The most bytes that can be waiting to be received: the connection's bound (see `#room`), or the receive buffer's size. */
  get receiveCapacity(): number {
    const own = this.#bufferSize('receiveBufferSize');
    return this.#mode.kind === 'connected' ? Math.min(own, this.#mode.conn.peer.#bufferSize('sendBufferSize')) : own;
  }

  bind(address: SocketAddress): void {
    this.#check();
    if (this.#local !== undefined) throw new WasiError(Errno.INVAL, 'the socket is already bound');
    const a = this.#address(address);
    this.#bind(a.ip, a.port, Errno.ADDRINUSE);
    this.#notify();
  }

  listen(backlog: number): void {
    this.#check();
    this.#stream();
    const mode = this.#mode;
    const cap = Math.min(MAX_BACKLOG, backlog < 0 || !Number.isFinite(backlog) ? MAX_BACKLOG : Math.max(1, Math.floor(backlog)));
    if (mode.kind === 'listening') { mode.backlog = cap; return; }
    if (mode.kind === 'connected') throw new WasiError(Errno.INVAL, 'the socket is connected');
    if (this.#local === undefined) this.#bind(anyAddress(this.family), 0, Errno.ADDRINUSE);
    else this.#checkListen(this.#local);
    this.#implicit = false;
    this.#error = 0;
    this.#mode = { kind: 'listening', backlog: cap, queue: [] };
    this.#notify();
  }

  accept(): AcceptedSocket & { socket: LoopbackSocket } {
    this.#check();
    this.#stream();
    const mode = this.#mode;
    if (mode.kind !== 'listening') throw new WasiError(Errno.INVAL, 'the socket is not listening');
    const socket = mode.queue.shift();
    if (socket === undefined) throw new WasiError(Errno.AGAIN);
    this.#notify();
    return { socket, peer: socket.peerAddress() };
  }

  connect(address: SocketAddress): void {
    this.#check();
    const a = this.#address(address);
    const dest = { family: a.family, ip: isAnyAddress(a.ip) ? loopbackAddress(a.family) : a.ip, port: a.port };
    if (this.kind === 'datagram') {
      if (dest.port === 0) throw new WasiError(Errno.INVAL, 'port 0 is not a destination');
      if (this.#local === undefined) this.#bind(anyAddress(this.family), 0, Errno.ADDRNOTAVAIL);
      this.#peer = dest;
      this.#notify();
      return;
    }
    const mode = this.#mode;
    if (mode.kind !== 'idle') throw new WasiError(Errno.ISCONN, mode.kind === 'listening' ? 'the socket is listening' : 'the socket is connected');
    if (this.#local === undefined) {
      this.#bind(sourceIp(this.family, dest.ip), 0, Errno.ADDRNOTAVAIL);
      this.#implicit = true;
    }
    const listener = dest.port === 0 ? undefined : this.#net.destination('stream', dest);
    if (listener === undefined || !listener.#queueConnection(this, dest)) {
      this.#error = Errno.CONNREFUSED;
      if (this.#implicit) this.#unbind();
    } else {
      this.#error = 0;
    }
    this.#notify();
  }

  /** Queues a connection from `client` to `dest` (this socket is listening there); false when the backlog is full. */
  #queueConnection(client: LoopbackSocket, dest: SocketAddress): boolean {
    const mode = this.#mode;
    if (mode.kind !== 'listening' || mode.queue.length >= mode.backlog) return false;
    const local = this.#local!;
    const server = new LoopbackSocket(this.#net, this.family, 'stream', this.#signal, this.#options);
    server.#local = { family: this.family, ip: isAnyAddress(local.ip) ? dest.ip : local.ip, port: local.port };
    const toServer = newPipe();
    const toClient = newPipe();
    server.#mode = { kind: 'connected', conn: { peer: client, peerAddress: client.localAddressFor(dest.ip), in: toServer, out: toClient } };
    client.#mode = { kind: 'connected', conn: { peer: server, peerAddress: { ...server.#local }, in: toClient, out: toServer } };
    mode.queue.push(server);
    this.#notify();
    return true;
  }

  send(src: readonly Uint8Array[]): number {
    this.#check();
    if (this.kind === 'datagram') {
      if (this.#peer === undefined) throw new WasiError(Errno.DESTADDRREQ, 'the datagram socket has no default peer');
      return this.sendTo(src, undefined);
    }
    const conn = this.#connection();
    if (this.#shutWrite) throw new WasiError(Errno.PIPE, 'the socket was shut down for writing');
    if (conn.out.readerClosed) throw new WasiError(Errno.PIPE, 'the peer closed the connection');
    const want = totalBytes(src);
    if (want === 0) return 0;
    const room = this.#room(conn);
    if (room === 0) throw new WasiError(Errno.AGAIN);
    const n = conn.out.discarding ? Math.min(room, want) : conn.out.queue.push(src, room);
    conn.peer.#notify();
    this.#notify();
    return n;
  }

  receive(dst: readonly Uint8Array[], peek: boolean): number {
    this.#check();
    if (this.kind === 'datagram') return this.receiveFrom(dst, peek).size;
    const conn = this.#connection();
    if (this.#shutRead || totalBytes(dst) === 0) return 0;
    if (conn.in.queue.size > 0) {
      const n = conn.in.queue.read(dst, peek);
      if (!peek) {
        conn.peer.#notify();
        this.#notify();
      }
      return n;
    }
    if (conn.in.finished) return 0;
    throw new WasiError(Errno.AGAIN);
  }

  sendTo(src: readonly Uint8Array[], to: SocketAddress | undefined): number {
    this.#check();
    // A stream socket sends to its peer, whatever address is given (as Linux's TCP does).
    if (this.kind === 'stream') return this.send(src);
    if (this.#shutWrite) throw new WasiError(Errno.PIPE, 'the socket was shut down for writing');
    if (to === undefined && this.#peer === undefined) throw new WasiError(Errno.DESTADDRREQ, 'no destination and no default peer');
    const a = to === undefined ? this.#peer! : this.#address(to);
    if (a.port === 0) throw new WasiError(Errno.INVAL, 'port 0 is not a destination');
    const dest = { family: a.family, ip: isAnyAddress(a.ip) ? loopbackAddress(a.family) : a.ip, port: a.port };
    const size = totalBytes(src);
    if (size > MAX_DATAGRAM[this.family]) throw new WasiError(Errno.MSGSIZE, `a datagram holds at most ${MAX_DATAGRAM[this.family]} bytes`);
    if (this.#local === undefined) {
      this.#bind(anyAddress(this.family), 0, Errno.ADDRNOTAVAIL);
      this.#notify();
    }
    if (isMulticastAddress(dest.ip)) {
      this.#multicast(src, size, dest);
      return size;
    }
    const target = this.#net.destination('datagram', dest);
    if (target !== undefined) target.#deliver(src, size, this.localAddressFor(dest.ip));
    return size;
  }

  /**
   * Delivers a datagram sent to a group to every member bound to its port
   * (on the unspecified address or the group itself); to the sender too
   * when it is such a member and has multicastLoop on.
   */
  #multicast(src: readonly Uint8Array[], size: number, dest: SocketAddress): void {
    const from = this.localAddressFor(dest.ip);
    for (const s of this.#net.at('datagram', dest.port)) {
      if (s.family !== this.family || !s.#groups.has(dest.ip)) continue;
      const ip = s.boundIp;
      if (ip === undefined || (ip !== dest.ip && !isAnyAddress(ip))) continue;
      if (s === this && this.#options.multicastLoop !== true) continue;
      s.#deliver(src, size, from);
    }
  }

  /** Queues a datagram from `from`, or drops it (full queue, shut for reading, or not from the default peer). */
  #deliver(src: readonly Uint8Array[], size: number, from: SocketAddress): void {
    if (this.#shutRead) return;
    const peer = this.#peer;
    if (peer !== undefined && (peer.ip !== from.ip || peer.port !== from.port)) return;
    const q = this.#datagrams;
    if (q.count >= MAX_DATAGRAMS || (q.count > 0 && q.bytes + size > this.#bufferSize('receiveBufferSize'))) return;
    q.push(src, from);
    this.#notify();
  }

  receiveFrom(dst: readonly Uint8Array[], peek: boolean): ReceivedDatagram {
    this.#check();
    if (this.kind === 'stream') {
      const size = this.receive(dst, peek);
      return { size, truncated: false, from: this.peerAddress() };
    }
    if (this.#shutRead) return { size: 0, truncated: false, from: { family: this.family, ip: anyAddress(this.family), port: 0 } };
    if (this.#datagrams.next === undefined) throw new WasiError(Errno.AGAIN);
    const got = this.#datagrams.read(dst, peek);
    if (!peek) this.#notify();
    return got;
  }

  shutdown(read: boolean, write: boolean): void {
    this.#check();
    if (this.kind === 'datagram') {
      if (this.#peer === undefined) throw new WasiError(Errno.NOTCONN, 'the datagram socket has no default peer');
      if (read) { this.#shutRead = true; this.#datagrams.clear(); }
      if (write) this.#shutWrite = true;
      this.#notify();
      return;
    }
    const conn = this.#connection();
    if (read) {
      this.#shutRead = true;
      conn.in.discarding = true;
      conn.in.queue.clear();
    }
    if (write) {
      this.#shutWrite = true;
      conn.out.finished = true;
    }
    conn.peer.#notify();
    this.#notify();
  }

  state(): SocketState {
    const st: SocketState = { readable: 0, writable: 0, peerClosed: false, connecting: false, connected: false, listening: false, error: this.#error };
    if (this.#closed) return st;
    if (this.kind === 'datagram') {
      st.readable = this.#shutRead ? 0 : this.#datagrams.next?.data.byteLength ?? 0;
      st.writable = Math.min(MAX_DATAGRAM[this.family], this.#bufferSize('sendBufferSize'));
      st.connected = this.#peer !== undefined;
      return st;
    }
    const mode = this.#mode;
    if (mode.kind === 'listening') {
      st.listening = true;
      st.readable = mode.queue.length;
    } else if (mode.kind === 'connected') {
      const conn = mode.conn;
      st.connected = true;
      st.readable = this.#shutRead ? 0 : conn.in.queue.size;
      // Room in the queue: also after shutdown(write) or when the peer is gone, where send fails at once rather than waits (as Linux's poll says POLLOUT).
      st.writable = this.#room(conn);
      st.peerClosed = conn.in.finished;
    }
    return st;
  }

  localAddress(): SocketAddress {
    const local = this.#local;
    if (this.#closed || local === undefined) return { family: this.family, ip: anyAddress(this.family), port: 0 };
    const peer = this.#mode.kind === 'connected' ? this.#mode.conn.peerAddress : this.#peer;
    return peer !== undefined ? this.localAddressFor(peer.ip) : { ...local };
  }

  /** The address this socket sends from to `dest` (a socket bound to the unspecified address sends from the source address). */
  localAddressFor(dest: string): SocketAddress {
    const local = this.#local!;
    return { family: this.family, ip: isAnyAddress(local.ip) ? sourceIp(this.family, dest) : local.ip, port: local.port };
  }

  peerAddress(): SocketAddress {
    this.#check();
    const peer = this.#mode.kind === 'connected' ? this.#mode.conn.peerAddress : this.#peer;
    if (peer === undefined) throw new WasiError(Errno.NOTCONN, 'the socket is not connected');
    return { ...peer };
  }

  joinMulticast(group: string, iface: MulticastInterface): void {
    this.#check();
    this.#groups.join(group, iface);
  }

  leaveMulticast(group: string, iface: MulticastInterface): void {
    this.#check();
    this.#groups.leave(group, iface);
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.#check();
    this.#supported(option);
    this.#options[option] = normalizeOption(option, value);
    if (option === 'receiveBufferSize' || option === 'sendBufferSize') {
      // The bounds changed: a writer on either side may now have room.
      if (this.#mode.kind === 'connected') this.#mode.conn.peer.#notify();
      this.#notify();
    }
  }

  getOption(option: SocketOption): number | boolean {
    this.#check();
    this.#supported(option);
    return this.#options[option];
  }

  close(): void {
    if (this.#closed) return;
    const mode = this.#mode;
    if (mode.kind === 'listening') {
      // Connections nobody accepted are closed: their connectors see EOF.
      for (const s of mode.queue) s.close();
      mode.queue.length = 0;
    } else if (mode.kind === 'connected') {
      const conn = mode.conn;
      conn.out.finished = true;
      conn.in.readerClosed = true;
      conn.in.discarding = true;
      conn.in.queue.clear();
      conn.peer.#notify();
    }
    this.#closed = true;
    this.#unbind();
    this.#datagrams.clear();
    this.#groups.clear();
    this.#notify();
  }

  #notify(): void { this.#signal.notify(); }

  #check(): void {
    if (this.#closed) throw new WasiError(Errno.BADF, 'the socket is closed');
  }

  #stream(): void {
    if (this.kind !== 'stream') throw new WasiError(Errno.NOTSUP, 'a datagram socket does not listen');
  }

  #connection(): Connection {
    if (this.#mode.kind !== 'connected') throw new WasiError(Errno.NOTCONN, 'the socket is not connected');
    return this.#mode.conn;
  }

  /** What `send` may queue now: the smaller of this side's send buffer and the peer's receive buffer, less what is queued. */
  #room(conn: Connection): number {
    const bound = Math.min(this.#bufferSize('sendBufferSize'), conn.peer.#bufferSize('receiveBufferSize'));
    return Math.max(0, bound - conn.out.queue.size);
  }

  #bufferSize(option: 'sendBufferSize' | 'receiveBufferSize'): number {
    return Math.max(1, this.#options[option] as number);
  }

  #supported(option: SocketOption): void {
    if (!(option in DEFAULT_OPTIONS)) throw new WasiError(Errno.NOPROTOOPT, `unknown option ${String(option)}`);
    checkOption(option, this.kind, this.family);
  }

  /** `a` checked for this socket and in canonical form. */
  #address(a: SocketAddress): SocketAddress {
    if (a.family !== this.family) throw new WasiError(Errno.AFNOSUPPORT, `an ${a.family} address for an ${this.family} socket`);
    const ip = canonicalIp(a.ip);
    if (ip === undefined || ipFamily(ip) !== a.family) throw new WasiError(Errno.INVAL, `not an ${a.family} address: ${a.ip}`);
    if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new WasiError(Errno.INVAL, `not a port: ${a.port}`);
    return { family: a.family, ip, port: a.port };
  }

  /** Binds to `ip`:`port` (port 0: an ephemeral one; `exhausted` when none is left). */
  #bind(ip: string, port: number, exhausted: Errno): void {
    if (port === 0) {
      const free = this.#net.ephemeralPort(this.kind);
      if (free === undefined) throw new WasiError(exhausted, 'no ephemeral port is free');
      port = free;
    } else {
      for (const other of this.#net.at(this.kind, port)) {
        if (other.family === this.family && overlaps(other.#local!.ip, ip) && !this.#mayShare(other)) {
          throw new WasiError(Errno.ADDRINUSE, `${ip} port ${port} is in use`);
        }
      }
    }
    this.#local = { family: this.family, ip, port };
    this.#holdsPort = true;
    this.#net.add(this, port);
  }

  /** Two sockets may bind overlapping addresses when both set reusePort, or both reuseAddress and neither listens yet. */
  #mayShare(other: LoopbackSocket): boolean {
    const both = (o: SocketOption) => this.#options[o] === true && other.#options[o] === true;
    return both('reusePort') || (both('reuseAddress') && !other.isListening);
  }

  /** Listening on `local` would clash with another listener there (Linux: unless both set reusePort). */
  #checkListen(local: SocketAddress): void {
    for (const other of this.#net.at('stream', local.port)) {
      if (other === this || other.family !== this.family || !other.isListening) continue;
      const both = this.#options.reusePort === true && other.#options.reusePort === true;
      if (overlaps(other.#local!.ip, local.ip) && !both) throw new WasiError(Errno.ADDRINUSE, `${local.ip} port ${local.port} is in use`);
    }
  }

  #unbind(): void {
    if (this.#holdsPort && this.#local !== undefined) this.#net.remove(this, this.#local.port);
    this.#holdsPort = false;
    this.#implicit = false;
    if (this.#mode.kind === 'idle') this.#local = undefined;
  }
}

