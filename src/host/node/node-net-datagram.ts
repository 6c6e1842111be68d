/**
 * One UDP socket on the socket I/O thread (layer: host, Node): a
 * dgram.Socket, made at the first bind, connect or send. Received
 * datagrams are framed into the in-ring (host/net/datagram-frame.ts);
 * when it has no room, they are dropped, as a full receive buffer drops
 * them. Datagrams the kernel framed into the out-ring are sent, a bounded
 * number at a time (the ring fills and the kernel's sendTo answers AGAIN
 * meanwhile).
 *
 * Multicast memberships go to dgram's addMembership / dropMembership once
 * the socket is bound (Node would otherwise bind it to a free port
 * itself, and the guest's own bind would then fail): a change to a bound
 * socket is answered with the host's errno; those made before are applied
 * when it binds, before the bind is answered, and a refusal then is
 * dropped (host/net/socket-proxy.ts).
 */
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { Membership } from '../net/multicast.js';
import type { MulticastInterface, SocketOption } from '../net/networking.js';
import { anyAddress, type IpFamily, type SocketAddress } from '../net/socket-address.js';
import type { SocketIoSide } from '../net/socket-io-side.js';
import { socketAddress, type HostSocket } from './node-net-host-socket.js';

/** Datagrams handed to Node and not yet sent, at most. */
const MAX_IN_FLIGHT = 64;

export class HostDatagram implements HostSocket {
  readonly io: SocketIoSide;
  readonly family: IpFamily;
  readonly #options: Map<SocketOption, number | boolean>;
  #socket: dgram.Socket | undefined;
  #finished: Promise<void> = Promise.resolve();
  #binding = false;
  #bound = false;
  /** The default peer: only its datagrams are received. */
  #peer: SocketAddress | undefined;
  #inFlight = 0;
  #closing = false;
  #shut = false;
  /** The memberships the kernel made, by group and interface: applied once bound. */
  readonly #groups = new Map<string, Membership>();

  constructor(io: SocketIoSide, family: IpFamily, options: ReadonlyMap<SocketOption, number | boolean>) {
    this.io = io;
    this.family = family;
    this.#options = new Map(options);
  }

  /** Binds `address` on the host; answers `seq` in the shared memory. */
  bind(seq: number, address: SocketAddress): void {
    const socket = this.#ensure();
    this.#binding = true;
    const failed = (e: unknown) => {
      this.#binding = false;
      this.io.answer(seq, errnoOf(e));
      this.io.notify();
    };
    socket.once('error', failed);
    try {
      socket.bind({ address: address.ip, port: address.port, exclusive: true }, () => {
        socket.off('error', failed);
        this.io.answer(seq, 0);
        this.io.notify();
      });
    } catch (e) {
      socket.off('error', failed);
      failed(e);
    }
  }

  /** Sets the default peer (and binds to any free port, if not bound yet, as connect(2) does). */
  connect(address: SocketAddress): void {
    this.#peer = address;
    this.#implicitBind();
  }

  pump(): void {
    let moved = false;
    while (this.#inFlight < MAX_IN_FLIGHT || this.#closing) {
      const d = this.io.takeDatagram();
      if (d === undefined) break;
      moved = true;
      this.#send(d.to, d.data);
    }
    if (moved) this.io.notify();
    if (this.#closing && this.#inFlight === 0) this.destroy();
  }

  /** Joins or leaves a multicast group: at once if bound (answering `seq`, when not 0), else when the socket binds. */
  membership(seq: number, join: boolean, group: string, iface: MulticastInterface): void {
    const key = `${group}%${iface ?? '*'}`;
    const errno = this.#bound ? this.#applyMembership(join, { group, iface }) : 0;
    if (errno === 0) {
      if (join) this.#groups.set(key, { group, iface });
      else this.#groups.delete(key);
    }
    if (seq !== 0) {
      this.io.answer(seq, errno);
      this.io.notify();
    }
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.#options.set(option, value);
    if (this.#bound) this.#apply(option, value);
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      // Send what the kernel queued; the socket closes once Node has sent it.
      this.pump();
    }
    return this.#finished;
  }

  destroy(): void {
    this.#closing = true;
    const s = this.#socket;
    if (s === undefined || this.#shut) return;
    this.#shut = true;
    try { s.close(); } catch { /* never bound: nothing to close */ }
  }

  fail(errno: number): void {
    if (this.io.fail(errno)) this.io.notify();
  }

  #ensure(): dgram.Socket {
    if (this.#socket !== undefined) return this.#socket;
    const o = this.#options;
    const options: dgram.SocketOptions = {
      type: this.family === 'ipv4' ? 'udp4' : 'udp6',
      reuseAddr: o.get('reuseAddress') === true,
      ipv6Only: o.get('onlyV6') === true,
    };
    const socket = dgram.createSocket(options);
    this.#socket = socket;
    this.#finished = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('message', (msg, rinfo) => this.#received(msg, rinfo));
    socket.on('listening', () => {
      this.#bound = true;
      this.#binding = false;
      const a = socket.address();
      this.io.bound(socketAddress(this.family, a.address, a.port));
      for (const [option, value] of this.#options) this.#apply(option, value);
      for (const m of this.#groups.values()) this.#applyMembership(true, m);
      this.io.notify();
    });
    socket.on('error', () => { /* bind errors are answered by bind; others (a send's) by its callback */ });
    return socket;
  }

  #implicitBind(): void {
    if (this.#bound || this.#binding) return;
    this.#binding = true;
    this.#ensure().bind({ address: anyAddress(this.family), port: 0 });
  }

  #send(to: SocketAddress, data: Uint8Array): void {
    if (this.#shut) return;
    this.#implicitBind();
    const socket = this.#ensure();
    this.#inFlight++;
    const done = () => {
      this.#inFlight--;
      this.pump();
    };
    try {
      // A datagram that cannot be sent is lost, as UDP loses it; the sender is not told.
      socket.send(data, to.port, to.ip, done);
    } catch {
      done();
    }
  }

  #received(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closing || this.io.readShut()) return;
    const from = socketAddress(this.family, rinfo.address, rinfo.port);
    if (this.#peer !== undefined && (from.ip !== this.#peer.ip || from.port !== this.#peer.port)) return;
    if (this.io.deliverDatagram(from, msg)) this.io.notify();
  }

  /** Applies a membership change on the host; its errno (0: done). */
  #applyMembership(join: boolean, m: Membership): number {
    const s = this.#socket;
    if (s === undefined) return 0;
    const iface = nodeInterface(this.family, m.iface);
    if (iface === null) return Errno.NODEV; // an interface index the host does not have
    try {
      if (join) s.addMembership(m.group, iface);
      else s.dropMembership(m.group, iface);
      return 0;
    } catch (e) {
      return errnoOf(e);
    }
  }

  #apply(option: SocketOption, value: number | boolean): void {
    const s = this.#socket;
    if (s === undefined) return;
    const n = Number(value);
    try {
      switch (option) {
        case 'broadcast': s.setBroadcast(Boolean(value)); break;
        case 'ttl': if (n > 0) s.setTTL(n); break;
        case 'multicastTtl': s.setMulticastTTL(n); break;
        case 'multicastLoop': s.setMulticastLoopback(Boolean(value)); break;
        case 'receiveBufferSize': if (n > 0) s.setRecvBufferSize(n); break;
        case 'sendBufferSize': if (n > 0) s.setSendBufferSize(n); break;
        default: break; // set when the socket is made (reuseAddress, onlyV6) or stored only
      }
    } catch {
      // The host refused the value: the kernel side still reports what was set.
    }
  }
}

/**
 * A membership's interface as dgram takes it: an IPv4 interface address as
 * it is; an IPv6 interface index as `::%NAME` (libuv uses that address's
 * scope, which it looks up by name); undefined for the system's choice;
 * null for an index the host has no interface for.
 */
function nodeInterface(family: IpFamily, iface: MulticastInterface): string | undefined | null {
  if (iface === undefined || iface === 0) return undefined;
  if (typeof iface === 'string') return family === 'ipv4' ? iface : null;
  if (family !== 'ipv6') return null;
  const name = interfaceName(iface);
  return name === undefined ? null : `::%${name}`;
}

/** The name of the interface with index `index`: Linux lists every one in /sys/class/net; elsewhere, one with a link-local address of that scope. */
function interfaceName(index: number): string | undefined {
  try {
    for (const name of readdirSync('/sys/class/net')) {
      if (Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()) === index) return name;
    }
  } catch {
    // Not Linux.
  }
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.family === 'IPv6' && a.scopeid === index)) return name;
  }
  return undefined;
}
