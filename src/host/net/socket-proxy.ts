/**
 * The kernel's side of a shared-memory socket (layer: host,
 * platform-neutral): a VirtualSocket whose host socket lives on an I/O
 * thread. Every call answers at once from the socket's shared memory
 * (socket-layout.ts) and at most posts a command (socket-protocol.ts) or
 * rings the doorbell; none waits for the I/O thread. What the I/O thread
 * has not done yet answers AGAIN, and the I/O thread bumps the socket's
 * readiness signal once it has.
 *
 * A socket reaches the I/O thread only when it needs the host: at `listen`
 * and `connect` (stream), at `bind`, `connect` or the first `sendTo`
 * (datagram). A stream socket's `bind` has the I/O thread probe the
 * address (shared-bind-probe.ts: listen on it, read the port, hold it), so
 * an address in use fails at bind and port 0 reads as the port chosen;
 * `listen` takes the held address over, `connect` lets it go and binds
 * it on the host. A datagram socket's `bind`
 * binds on the host. Both, like `listen`, answer AGAIN until the host has
 * answered (then return, or throw the host's error, e.g. EADDRINUSE). The
 * kernel calls again with the same arguments.
 *
 * A listener hands the I/O thread a few spare socket memories ("spares")
 * with `listen`; each connection that arrives takes one and is queued by
 * its id in the listener's accept queue; `accept` takes it and posts a
 * fresh spare. While none is free the I/O thread keeps connections paused.
 *
 * A multicast join or leave is checked against the socket's own record of
 * its memberships first (multicast.ts: EPROTO, EINVAL, EADDRINUSE,
 * EADDRNOTAVAIL as Linux gives them). On a socket bound on the host it is
 * then applied there like a bind: AGAIN until the I/O thread answered
 * (through DONE_SEQ), then the host's error if it refused (ENODEV for an
 * interface it does not have), so a membership is in effect once the call
 * returns. Before the host binds there is no host socket to ask: the
 * membership is recorded, returns at once, and the I/O thread applies it
 * when it binds; a host refusal then goes unreported (the socket just
 * receives nothing of that group).
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { FRAME_HEADER, MAX_DATAGRAM, peekFrame, readFrame, writeFrame } from './datagram-frame.js';
import { MulticastMemberships } from './multicast.js';
import type { AcceptedSocket, MulticastInterface, ReceivedDatagram, SocketKind, SocketOption, SocketState, VirtualSocket } from './networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import { anyAddress, canonicalIp, type IpFamily, type SocketAddress } from './socket-address.js';
import { IoState, KernelState, SocketCell, SocketMemory, type SocketShape } from './socket-layout.js';
import { checkOption, defaultOption, normalizeOption } from './socket-options.js';
import type { NetCommand, OptionValues, ReadinessCell, Spare } from './socket-protocol.js';
import type { BindProbe } from './shared-bind-probe.js';

/** What a socket needs from the networking that made it. */
export interface SocketHost {
  post(command: NetCommand): void;
  /** Rings the I/O thread's doorbell. */
  ring(): void;
  /** A new socket id. */
  nextId(): number;
  /** The socket reached the I/O thread (so a failure of that thread must reach it). */
  opened(socket: SharedSocket): void;
  /** The socket was closed. */
  released(socket: SharedSocket): void;
  /** Starts a bind probe of `address` for stream socket `socket` (its bind). */
  probe(address: SocketAddress, onlyV6: boolean, readiness: ReadinessSignal, socket: number): BindProbe;
}

/** Sizes of a socket's shared memory. */
export interface SocketTuning {
  /** Bytes per direction of a connection's rings (a power of two). */
  streamRingBytes: number;
  /** Bytes per direction of a datagram socket's rings (a power of two, more than one largest datagram). */
  datagramRingBytes: number;
  /** Spares a listener keeps at most (its backlog, when smaller). */
  maxSpares: number;
}

export const DEFAULT_TUNING: SocketTuning = { streamRingBytes: 64 * 1024, datagramRingBytes: 128 * 1024, maxSpares: 16 };

/** The readiness cell of a signal, to share with the I/O thread; ENOTSUP when it is not in shared memory. */
export function readinessCell(signal: ReadinessSignal): ReadinessCell {
  const buffer = signal.cell.buffer;
  if (typeof SharedArrayBuffer !== 'function' || !(buffer instanceof SharedArrayBuffer)) {
    throw new WasiError(Errno.NOTSUP, 'host sockets need a ReadinessSignal in shared memory');
  }
  return { buffer, index: signal.cell.byteOffset / 4 };
}

export class SharedSocket implements VirtualSocket {
  readonly #host: SocketHost;
  readonly #tuning: SocketTuning;
  readonly #options = new Map<SocketOption, number | boolean>();
  #mem: SocketMemory | undefined;
  #closed = false;
  /** The address given to bind (a stream socket's, until the host binds it). */
  #bound: SocketAddress | undefined;
  /** A bind or listen under way: its seq (0: none). */
  #pendingSeq = 0;
  #seq = 0;
  #listening = false;
  #connectRequested = false;
  /** A datagram socket's default peer. */
  #peer: SocketAddress | undefined;
  #shutRead = false;
  #shutWrite = false;
  /** A listener's spares, by the id the connection will have. */
  readonly #spares = new Map<number, SharedArrayBuffer>();
  /** The multicast groups joined (the host has many interfaces: a group may be joined on each). */
  readonly #groups: MulticastMemberships;
  /** A join or leave the host is applying. */
  /** A stream socket's bind probe under way. */
  #probe: BindProbe | undefined;
  #pendingMembership: { seq: number; join: boolean; group: string; iface: MulticastInterface } | undefined;

  /** A new socket; `accepted` is the memory of a connection a listener accepted. */
  constructor(
    host: SocketHost,
    readonly id: number,
    readonly family: IpFamily,
    readonly kind: SocketKind,
    readonly readiness: ReadinessSignal,
    tuning: SocketTuning,
    accepted?: { memory: SocketMemory; options: ReadonlyMap<SocketOption, number | boolean> },
  ) {
    this.#host = host;
    this.#tuning = tuning;
    this.#groups = new MulticastMemberships(family, kind, false);
    if (accepted !== undefined) {
      this.#mem = accepted.memory;
      for (const [k, v] of accepted.options) this.#options.set(k, v);
      host.opened(this);
    }
  }

  /** The socket's shared memory once it reached the I/O thread. */
  get memory(): SocketMemory | undefined { return this.#mem; }

  bind(address: SocketAddress): void {
    this.#usable();
    this.#checkFamily(address);
    if (this.kind === 'stream') {
      // The I/O thread probes the address; the host binds it at listen or connect (shared-bind-probe.ts).
      if (this.#mem !== undefined || (this.#bound !== undefined && this.#probe === undefined)) throw new WasiError(Errno.INVAL, 'already bound');
      if (this.#probe === undefined) {
        this.#probe = this.#host.probe(address, this.#options.get('onlyV6') === true, this.readiness, this.id);
        this.#bound = address;
      } else if (!sameAddress(address, this.#bound)) {
        throw new WasiError(Errno.INVAL, 'already binding');
      }
      let port: number;
      try {
        port = this.#probe.port();
      } catch (e) {
        if (!(e instanceof WasiError && e.errno === Errno.AGAIN)) {
          this.#probe = undefined;
          this.#bound = undefined;
        }
        throw e;
      }
      this.#probe = undefined;
      this.#bound = { ...address, port };
      return;
    }
    if (this.#pendingSeq !== 0) {
      if (!sameAddress(address, this.#bound)) throw new WasiError(Errno.INVAL, 'already binding');
      this.#finishPending();
      return;
    }
    if (this.#bound !== undefined || this.#io(IoState.BOUND)) throw new WasiError(Errno.INVAL, 'already bound');
    this.#open();
    this.#bound = address;
    this.#pendingSeq = ++this.#seq;
    this.#host.post({ op: 'bind', id: this.id, seq: this.#pendingSeq, address });
    this.#finishPending();
  }

  listen(backlog: number): void {
    this.#usable();
    if (this.kind !== 'stream') throw new WasiError(Errno.NOTSUP, 'listen needs a stream socket');
    if (this.#listening) return;
    if (this.#pendingSeq !== 0) {
      this.#finishPending();
      this.#listening = true;
      return;
    }
    if (this.#mem !== undefined) throw new WasiError(Errno.INVAL, 'the socket is connected');
    const slots = Math.max(1, Math.min(Math.floor(backlog) || 1, this.#tuning.maxSpares));
    this.#open({ ringBytes: 0, acceptSlots: slots });
    const spares: Spare[] = [];
    for (let i = 0; i < slots; i++) spares.push(this.#newSpare());
    this.#pendingSeq = ++this.#seq;
    const address = this.#bound ?? { family: this.family, ip: anyAddress(this.family), port: 0 };
    this.#host.post({ op: 'listen', id: this.id, seq: this.#pendingSeq, address, backlog: Math.max(1, Math.floor(backlog)), spares });
    this.#finishPending();
    this.#listening = true;
  }

  /**
   * Binds `address` and listens in one step on the host, with no bind
   * probe: the probe listens for a moment itself, and a peer that connects
   * in that moment is reset when it closes. For listeners opened before a
   * guest runs (`kiln run --listen`), whose peers may already be trying.
   */
  listenAt(address: SocketAddress, backlog: number): void {
    if (this.#bound === undefined && this.#pendingSeq === 0) {
      this.#usable();
      this.#checkFamily(address);
      this.#bound = address;
    }
    this.listen(backlog);
  }

  accept(): AcceptedSocket {
    this.#usable();
    if (!this.#listening) throw new WasiError(Errno.INVAL, 'not listening');
    const mem = this.#mem!;
    const id = mem.dequeue();
    if (id < 0) {
      const error = this.#error();
      throw new WasiError(error !== 0 ? error : Errno.AGAIN);
    }
    const buffer = this.#spares.get(id)!;
    this.#spares.delete(id);
    this.#host.post({ op: 'spare', id: this.id, spare: this.#newSpare() });
    const socket = new SharedSocket(this.#host, id, this.family, 'stream', this.readiness, this.#tuning,
      { memory: new SocketMemory(buffer), options: this.#options });
    return { socket, peer: socket.peerAddress() };
  }

  connect(address: SocketAddress): void {
    this.#connect(address, undefined);
  }

  connectTls(address: SocketAddress, serverName: string): void {
    if (this.kind !== 'stream') throw new WasiError(Errno.PROTOTYPE, 'TLS needs a stream socket');
    this.#connect(address, { serverName });
  }

  #connect(address: SocketAddress, tls: { serverName: string } | undefined): void {
    this.#usable();
    this.#checkFamily(address);
    if (this.kind === 'datagram') {
      if (address.port === 0) throw new WasiError(Errno.INVAL, 'port 0 is not a destination');
      this.#open();
      this.#peer = address;
      this.#host.post({ op: 'connect', id: this.id, address, local: undefined });
      return;
    }
    if (this.#listening || this.#pendingSeq !== 0) throw new WasiError(Errno.INVAL, 'the socket is listening');
    if (this.#io(IoState.CONNECTED)) throw new WasiError(Errno.ISCONN);
    if (this.#connectRequested) {
      const error = this.#error();
      throw new WasiError(error !== 0 ? error : Errno.ALREADY);
    }
    this.#open();
    this.#connectRequested = true;
    this.#host.post({ op: 'connect', id: this.id, address, local: this.#bound, ...(tls === undefined ? {} : { tls }) });
  }

  send(src: readonly Uint8Array[]): number {
    if (this.kind === 'datagram') return this.sendTo(src, undefined);
    this.#usable();
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    const mem = this.#connection();
    const error = this.#error();
    if (error !== 0) throw new WasiError(error);
    if (total(src) === 0) return 0;
    const n = mem.outRing.write(src);
    if (n === 0) throw new WasiError(Errno.AGAIN);
    this.#host.ring();
    return n;
  }

  receive(dst: readonly Uint8Array[], peek: boolean): number {
    if (this.kind === 'datagram') return this.receiveFrom(dst, peek).size;
    this.#usable();
    if (this.#shutRead) return 0;
    const mem = this.#connection();
    // Flags first: the I/O thread marks EOF only after delivering every byte.
    const flags = mem.get(SocketCell.IO_FLAGS);
    if (total(dst) === 0) return 0;
    const n = mem.inRing.read(dst, peek);
    if (n > 0) {
      if (!peek) this.#freed(mem);
      return n;
    }
    if ((flags & IoState.ERROR) !== 0) throw new WasiError(mem.get(SocketCell.ERRNO));
    if ((flags & IoState.PEER_CLOSED) !== 0) return 0;
    throw new WasiError(Errno.AGAIN);
  }

  sendTo(src: readonly Uint8Array[], to: SocketAddress | undefined): number {
    if (this.kind === 'stream') return this.send(src);
    this.#usable();
    if (this.#shutWrite) throw new WasiError(Errno.PIPE);
    const dest = to ?? this.#peer;
    if (dest === undefined) throw new WasiError(Errno.DESTADDRREQ);
    this.#checkFamily(dest);
    if (dest.port === 0) throw new WasiError(Errno.INVAL, 'port 0 is not a destination');
    const size = total(src);
    if (size > MAX_DATAGRAM || FRAME_HEADER + size > this.#tuning.datagramRingBytes) throw new WasiError(Errno.MSGSIZE);
    const mem = this.#open();
    if (!writeFrame(mem.outRing, dest, src)) throw new WasiError(Errno.AGAIN);
    this.#host.ring();
    return size;
  }

  receiveFrom(dst: readonly Uint8Array[], peek: boolean): ReceivedDatagram {
    if (this.kind === 'stream') {
      const size = this.receive(dst, peek);
      return { size, truncated: false, from: this.peerAddress() };
    }
    this.#usable();
    const frame = this.#mem === undefined ? undefined : readFrame(this.#mem.inRing, dst, peek);
    if (frame === undefined) {
      if (this.#shutRead) return { size: 0, truncated: false, from: this.localAddress() };
      throw new WasiError(Errno.AGAIN);
    }
    return { size: frame.copied, truncated: frame.copied < frame.size, from: frame.address };
  }

  shutdown(read: boolean, write: boolean): void {
    this.#usable();
    const mem = this.#mem;
    const connected = this.kind === 'datagram' ? this.#peer !== undefined : mem !== undefined && mem.has(SocketCell.IO_FLAGS, IoState.CONNECTED);
    if (!connected || mem === undefined) throw new WasiError(Errno.NOTCONN);
    if (read) this.#shutRead = true;
    if (write) this.#shutWrite = true;
    mem.or(SocketCell.KERNEL_FLAGS, (read ? KernelState.SHUT_RD : 0) | (write ? KernelState.SHUT_WR : 0));
    if (read) mem.inRing.discard();
    this.#host.ring();
  }

  state(): SocketState {
    const mem = this.#mem;
    const flags = this.#closed || mem === undefined ? 0 : mem.get(SocketCell.IO_FLAGS);
    const error = (flags & IoState.ERROR) !== 0 ? mem!.get(SocketCell.ERRNO) : 0;
    const base = { peerClosed: false, connecting: false, connected: false, listening: false, error };
    if (this.#closed) return { ...base, readable: 0, writable: 0 };
    if (this.#listening) return { ...base, readable: mem!.queued(), writable: 0, listening: (flags & IoState.LISTENING) !== 0 };
    if (this.kind === 'datagram') {
      const next = mem === undefined ? undefined : peekFrame(mem.inRing);
      const room = mem === undefined ? this.#tuning.datagramRingBytes : mem.outRing.free();
      return {
        ...base,
        readable: next?.size ?? 0,
        writable: this.#shutWrite ? 0 : Math.min(MAX_DATAGRAM, Math.max(0, room - FRAME_HEADER)),
        connected: this.#peer !== undefined,
      };
    }
    const connected = (flags & IoState.CONNECTED) !== 0;
    const rings = mem !== undefined && mem.hasRings;
    return {
      ...base,
      readable: rings ? mem.inRing.used() : 0,
      writable: connected && rings && !this.#shutWrite && error === 0 ? mem.outRing.free() : 0,
      peerClosed: (flags & IoState.PEER_CLOSED) !== 0,
      connecting: this.#connectRequested && !connected && error === 0,
      connected,
    };
  }

  localAddress(): SocketAddress {
    const mem = this.#mem;
    if (mem !== undefined && mem.has(SocketCell.IO_FLAGS, IoState.BOUND)) {
      const a = mem.readAddress('local');
      if (a !== undefined) return a;
    }
    return this.#bound ?? { family: this.family, ip: anyAddress(this.family), port: 0 };
  }

  peerAddress(): SocketAddress {
    if (this.kind === 'datagram') {
      if (this.#peer === undefined) throw new WasiError(Errno.NOTCONN);
      return this.#peer;
    }
    const mem = this.#mem;
    const peer = mem !== undefined && mem.has(SocketCell.IO_FLAGS, IoState.CONNECTED) ? mem.readAddress('peer') : undefined;
    if (peer === undefined) throw new WasiError(Errno.NOTCONN);
    return peer;
  }

  joinMulticast(group: string, iface: MulticastInterface): void {
    this.#membership(true, group, iface);
  }

  leaveMulticast(group: string, iface: MulticastInterface): void {
    this.#membership(false, group, iface);
  }

  /** A join or leave (see the module comment); the kernel calls again with the same arguments while it answers AGAIN. */
  #membership(join: boolean, group: string, iface: MulticastInterface): void {
    this.#usable();
    const pending = this.#pendingMembership;
    if (pending !== undefined) {
      if (pending.join !== join || pending.group !== canonicalIp(group) || pending.iface !== iface) throw new WasiError(Errno.AGAIN);
      this.#finishMembership(pending);
      return;
    }
    // One operation answers through DONE_SEQ at a time: a bind under way goes first.
    if (this.#pendingSeq !== 0) throw new WasiError(Errno.AGAIN);
    const g = join ? this.#groups.join(group, iface) : this.#groups.leave(group, iface);
    const mem = this.#mem;
    if (mem === undefined) return; // posted with the socket's open
    if (!mem.has(SocketCell.IO_FLAGS, IoState.BOUND)) {
      this.#host.post({ op: 'membership', id: this.id, seq: 0, join, group: g, iface });
      return;
    }
    const next = { seq: ++this.#seq, join, group: g, iface };
    this.#pendingMembership = next;
    this.#host.post({ op: 'membership', id: this.id, ...next });
    this.#finishMembership(next);
  }

  /** Returns once the host applied `m`; AGAIN before; the host's error (and the record as before) if it refused. */
  #finishMembership(m: { seq: number; join: boolean; group: string; iface: MulticastInterface }): void {
    const mem = this.#mem!;
    const answered = mem.get(SocketCell.DONE_SEQ) === m.seq;
    if (!answered && !mem.has(SocketCell.IO_FLAGS, IoState.ERROR)) throw new WasiError(Errno.AGAIN);
    this.#pendingMembership = undefined;
    const errno = answered ? mem.get(SocketCell.DONE_ERRNO) : mem.get(SocketCell.ERRNO);
    if (errno === 0) return;
    if (m.join) this.#groups.leave(m.group, m.iface);
    else this.#groups.join(m.group, m.iface);
    throw new WasiError(errno);
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.#usable();
    checkOption(option, this.kind, this.family);
    if (option === 'onlyV6' && (this.#mem !== undefined || this.#bound !== undefined)) {
      throw new WasiError(Errno.INVAL, 'onlyV6 is set before binding');
    }
    const v = normalizeOption(option, value);
    this.#options.set(option, v);
    if (this.#mem !== undefined) this.#host.post({ op: 'setOption', id: this.id, option, value: v });
  }

  getOption(option: SocketOption): number | boolean {
    checkOption(option, this.kind, this.family);
    return this.#options.get(option) ?? defaultOption(option, this.#ringBytes());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#groups.clear();
    const mem = this.#mem;
    if (mem === undefined) {
      // A stream socket bound and never used: the I/O thread lets go of the address it holds for it.
      if (this.kind === 'stream' && this.#bound !== undefined) this.#host.post({ op: 'close', id: this.id });
      return;
    }
    mem.or(SocketCell.KERNEL_FLAGS, KernelState.CLOSED);
    this.#host.post({ op: 'close', id: this.id });
    this.#host.ring();
    this.#host.released(this);
    this.#spares.clear();
  }

  /** The socket's memory, made and handed to the I/O thread if it was not yet. */
  #open(shape?: SocketShape): SocketMemory {
    if (this.#mem !== undefined) return this.#mem;
    const mem = SocketMemory.create(shape ?? { ringBytes: this.#ringBytes(), acceptSlots: 0 });
    this.#mem = mem;
    const options: OptionValues = Object.fromEntries(this.#options);
    this.#host.post({ op: 'open', id: this.id, kind: this.kind, family: this.family, buffer: mem.buffer, readiness: readinessCell(this.readiness), options });
    // A failed bind drops the host side: the memberships made before go with the new one.
    for (const { group, iface } of this.#groups.entries()) this.#host.post({ op: 'membership', id: this.id, seq: 0, join: true, group, iface });
    this.#host.opened(this);
    return mem;
  }

  #newSpare(): Spare {
    const memory = SocketMemory.create({ ringBytes: this.#tuning.streamRingBytes, acceptSlots: 0 });
    const spare = { id: this.#host.nextId(), buffer: memory.buffer };
    this.#spares.set(spare.id, spare.buffer);
    return spare;
  }

  /** Returns once the bind or listen under way is done; AGAIN before; its error (and back to unbound) if it failed. */
  #finishPending(): void {
    const mem = this.#mem!;
    const answered = mem.get(SocketCell.DONE_SEQ) === this.#pendingSeq;
    // A socket failed as a whole (its I/O thread is gone) answers too.
    if (!answered && !mem.has(SocketCell.IO_FLAGS, IoState.ERROR)) throw new WasiError(Errno.AGAIN);
    this.#pendingSeq = 0;
    const errno = answered ? mem.get(SocketCell.DONE_ERRNO) : mem.get(SocketCell.ERRNO);
    if (errno === 0) return;
    // The host could not bind: the socket is as before (a new memory next time).
    this.#bound = undefined;
    this.#spares.clear();
    this.#host.post({ op: 'close', id: this.id });
    this.#host.released(this);
    this.#mem = undefined;
    throw new WasiError(errno);
  }

  /** A stream socket's memory once it is connected or connecting; ENOTCONN otherwise. */
  #connection(): SocketMemory {
    const mem = this.#mem;
    if (mem === undefined || this.#listening || !mem.hasRings) throw new WasiError(Errno.NOTCONN);
    if (!mem.has(SocketCell.IO_FLAGS, IoState.CONNECTED | IoState.ERROR)) {
      if (this.#connectRequested) throw new WasiError(Errno.AGAIN);
      throw new WasiError(Errno.NOTCONN);
    }
    return mem;
  }

  /** After a read freed room: wake the I/O thread if it holds received bytes back. */
  #freed(mem: SocketMemory): void {
    if (mem.has(SocketCell.IO_FLAGS, IoState.HOLDING)) this.#host.ring();
  }

  #io(bits: number): boolean { return this.#mem !== undefined && this.#mem.has(SocketCell.IO_FLAGS, bits); }

  #error(): number {
    const mem = this.#mem;
    return mem !== undefined && mem.has(SocketCell.IO_FLAGS, IoState.ERROR) ? mem.get(SocketCell.ERRNO) : 0;
  }

  #ringBytes(): number {
    return this.kind === 'stream' ? this.#tuning.streamRingBytes : this.#tuning.datagramRingBytes;
  }

  #usable(): void {
    if (this.#closed) throw new WasiError(Errno.BADF, 'the socket is closed');
  }

  #checkFamily(a: SocketAddress): void {
    if (a.family !== this.family) throw new WasiError(Errno.AFNOSUPPORT, `an ${a.family} address for an ${this.family} socket`);
  }
}

function sameAddress(a: SocketAddress, b: SocketAddress | undefined): boolean {
  return b !== undefined && a.family === b.family && a.ip === b.ip && a.port === b.port;
}

function total(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}
