/**
 * loopbackNetworking (layer: host, platform-neutral): an in-memory network
 * between the sockets of one network object, in one JavaScript thread. No
 * host socket is ever opened, so it works in a browser as in Node, and a
 * guest can talk only to the guests (and the embedder's own sockets) on
 * the same network.
 *
 * Every IP address of a family is this network's own: a socket may bind
 * any of them, and whatever is bound is reachable. Stream sockets connect
 * at once: `connect` either queues the connection at a listening socket
 * (the connector is connected when `connect` returns) or leaves
 * ECONNREFUSED in `state().error`. Each direction of a connection is one
 * bounded byte queue; datagrams are delivered whole into the destination's
 * bounded queue and dropped, as UDP does, when it is full or nobody is
 * bound there. Nothing is ever "not yet" for a reason outside the two
 * sockets, so AGAIN only means a queue is full or empty.
 *
 * Semantics follow Linux where the interface leaves room: an unbound
 * socket is bound to the unspecified address and an ephemeral port
 * (49152–65535) by `listen` and by a datagram's first `sendTo`/`connect`,
 * and to its source address by a stream `connect`; the source address of
 * anything sent to a loopback address is 127.0.0.1 / ::1, and to any
 * other address that address itself (every address is local). IPv4 and
 * IPv6 are separate: there is no dual-stack socket (`onlyV6` is stored,
 * and IPv4-mapped addresses are plain IPv6 addresses). Resets are not
 * modelled: a closed peer is EOF for the reader and EPIPE for the writer.
 *
 * Multicast: the network has one interface, which every interface address
 * or index names. A datagram sent to a group address at port P is
 * delivered to every datagram socket bound to P (on the unspecified
 * address or on the group) that joined the group, the sender included
 * when its `multicastLoop` option is on (the default); it comes from the
 * loopback address (a sender bound to the unspecified address). Only
 * members receive it (as IP_MULTICAST_ALL off on Linux, whose default
 * also gives it to non-members bound to P). TTL plays no part in memory.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { ListenAddress } from './address.js';
import type { ChannelStatus, ListenerChannel, SocketChannel } from './channel.js';
import { LoopbackSocket, Network } from './loopback-socket.js';
import type { HostLookup, SocketKind, TcpListeners, VirtualNetworking, VirtualSocket } from './networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import type { SharedListenerOptions } from './shared-layout.js';
import { canonicalIp, ipFamily, loopbackAddress, type IpFamily } from './socket-address.js';

/**
 * A new, empty in-memory network (`name` 'loopback'). Sockets of one
 * network reach each other; two networks never see each other. All its
 * sockets must be used from the thread that made it.
 */
export function loopbackNetworking(): VirtualNetworking {
  const net = new Network();
  return {
    name: 'loopback',
    socket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal): VirtualSocket {
      if (family !== 'ipv4' && family !== 'ipv6') throw new WasiError(Errno.AFNOSUPPORT, `address family ${String(family)}`);
      if (kind !== 'stream' && kind !== 'datagram') throw new WasiError(Errno.PROTONOSUPPORT, `socket kind ${String(kind)}`);
      return new LoopbackSocket(net, family, kind, readiness);
    },
    lookup(host: string, readiness: ReadinessSignal): HostLookup {
      return resolved(resolve(host), readiness);
    },
    listenTcp(addresses: readonly ListenAddress[], readiness: ReadinessSignal, options?: SharedListenerOptions): Promise<TcpListeners> {
      try {
        return Promise.resolve(listenTcp(net, addresses, readiness, options ?? {}));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

/** What a name stands for on this network: 'localhost' (and names under it) are loopback; an IP address is itself. */
function resolve(host: string): string[] | WasiError {
  const ip = canonicalIp(host);
  if (ip !== undefined) return [ip];
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return [loopbackAddress('ipv4'), loopbackAddress('ipv6')];
  return new WasiError(Errno.NOENT, `no such host on the loopback network: ${host}`);
}

/** A lookup that is already done (it bumps `readiness` now, as a finished lookup does). */
function resolved(outcome: string[] | WasiError, readiness: ReadinessSignal): HostLookup {
  let cancelled = false;
  readiness.notify();
  return {
    result(): string[] {
      if (cancelled) throw new WasiError(Errno.CANCELED, 'the lookup was cancelled');
      if (outcome instanceof WasiError) throw outcome;
      return [...outcome];
    },
    cancel(): void { cancelled = true; },
  };
}

/** `kiln run --listen` on the loopback network: listening sockets presented as the kernel's listener channels. */
function listenTcp(net: Network, addresses: readonly ListenAddress[], readiness: ReadinessSignal, options: SharedListenerOptions): TcpListeners {
  const sockets: LoopbackSocket[] = [];
  try {
    for (const a of addresses) {
      const ips = resolve(a.host);
      if (ips instanceof WasiError) throw ips;
      const ip = ips[0]!;
      const family = ipFamily(ip)!;
      const s = new LoopbackSocket(net, family, 'stream', readiness);
      sockets.push(s);
      if (options.bufferSize !== undefined) {
        s.setOption('receiveBufferSize', options.bufferSize);
        s.setOption('sendBufferSize', options.bufferSize);
      }
      s.bind({ family, ip, port: a.port });
      s.listen(options.maxConnections ?? 128);
    }
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
  return {
    channels: sockets.map((s) => new ListenerOnSocket(s)),
    addresses: sockets.map((s) => {
      const local = s.localAddress();
      return { host: local.ip, port: local.port };
    }),
    close: () => {
      for (const s of sockets) s.close();
      return Promise.resolve();
    },
  };
}

/** A listening loopback socket as a ListenerChannel. */
class ListenerOnSocket implements ListenerChannel {
  constructor(readonly socket: LoopbackSocket) {}
  pending(): number { return this.socket.state().readable; }
  accept(): SocketChannel | undefined {
    try {
      return new ChannelOnSocket(this.socket.accept().socket);
    } catch (e) {
      if (e instanceof WasiError && e.errno === Errno.AGAIN) return undefined;
      throw e;
    }
  }
  failure(): number { return 0; }
  close(): void { this.socket.close(); }
}

/** A connected loopback socket as a SocketChannel: AGAIN is "nothing now"; other failures (EPIPE) propagate. */
class ChannelOnSocket implements SocketChannel {
  #closed = false;

  constructor(readonly socket: LoopbackSocket) {}

  get receiveCapacity(): number { return this.socket.receiveCapacity; }

  readable(): number { return this.#closed ? 0 : this.socket.state().readable; }
  receive(dst: readonly Uint8Array[], peek: boolean): number {
    return this.#closed ? 0 : orNothing(() => this.socket.receive(dst, peek));
  }
  writable(): number { return this.#closed ? 0 : this.socket.state().writable; }
  send(src: readonly Uint8Array[]): number {
    return this.#closed ? 0 : orNothing(() => this.socket.send(src));
  }
  status(): ChannelStatus {
    if (this.#closed) return { peerClosed: true, error: 0 };
    const st = this.socket.state();
    return { peerClosed: st.peerClosed, error: st.error };
  }
  shutdown(read: boolean, write: boolean): void {
    if (!this.#closed) this.socket.shutdown(read, write);
  }
  close(): void {
    this.#closed = true;
    this.socket.close();
  }
}

function orNothing(op: () => number): number {
  try {
    return op();
  } catch (e) {
    if (e instanceof WasiError && e.errno === Errno.AGAIN) return 0;
    throw e;
  }
}
