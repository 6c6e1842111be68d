/**
 * Networking as a runtime service (layer: host, platform-neutral): the
 * `networking` member of the Runtime (host/runtime.ts). See
 * docs/architecture.md, "Networking".
 *
 * Implementations: `noNetworking` (the default: every call answers a
 * clean errno and nothing reaches the host), `loopbackNetworking()`
 * (net/loopback.ts: an in-memory network between the processes of one
 * Kiln, no host socket at all), and the platforms' host networks (Node:
 * host/node/node-networking.ts, real sockets owned by an I/O thread).
 * Embedders may supply their own.
 *
 * The contract. Every call answers at once and never blocks: an operation
 * that cannot proceed yet throws `WasiError(Errno.AGAIN)`, and the
 * implementation bumps the `ReadinessSignal` it was given whenever
 * anything about the socket may have changed (data arrived, room freed,
 * a connection was queued or completed, the peer closed, a lookup
 * finished). The kernel builds blocking on that, once, for every socket
 * (kernel/blocking.ts). Other failures throw `WasiError` with the errno a
 * Linux socket gives (ECONNREFUSED, EADDRINUSE, ECONNRESET, EPIPE, ...).
 * The kernel checks descriptor rights, socket states it can see and the
 * network policy before it calls; implementations still validate their
 * own state. `src/testing/networking-contract.ts` is the suite every
 * implementation passes.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { ListenAddress } from './address.js';
import type { ListenerChannel } from './channel.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import type { SharedListenerOptions } from './shared-layout.js';
import type { IpFamily, SocketAddress } from './socket-address.js';

/** Listening TCP sockets opened by a VirtualNetworking. */
export interface TcpListeners {
  /** One listener per address, in order. */
  channels: ListenerChannel[];
  /** The bound addresses (port 0 resolved to the port the system chose). */
  addresses: ListenAddress[];
  /** Flushes and closes every connection and releases the host sockets. */
  close(): Promise<void>;
}

/** A stream (TCP) or datagram (UDP) socket. */
export type SocketKind = 'stream' | 'datagram';

/** Options a socket passes to the network (the rest, such as timeouts, the kernel keeps itself). */
export type SocketOption =
  | 'noDelay' | 'keepAlive' | 'broadcast' | 'reuseAddress' | 'reusePort' | 'onlyV6'
  | 'receiveBufferSize' | 'sendBufferSize' | 'ttl' | 'multicastTtl' | 'multicastLoop';

/**
 * The interface a multicast membership is on: an IPv4 socket names it by
 * one of its addresses (canonical text), an IPv6 socket by its index.
 * undefined leaves the choice to the network (on Linux: the interface of
 * the route to the group), as `0.0.0.0` and index 0 do in the socket API.
 */
export type MulticastInterface = string | number | undefined;

/** A connection `accept` took from a listening socket. */
export interface AcceptedSocket {
  /** The new connection. */
  socket: VirtualSocket;
  /** The peer's address. */
  peer: SocketAddress;
}

/** One datagram `receiveFrom` took. */
export interface ReceivedDatagram {
  /** Bytes copied into the buffers. */
  size: number;
  /** The datagram was longer than the buffers: the rest is lost (unless peeking). */
  truncated: boolean;
  /** Who sent it. */
  from: SocketAddress;
}

/** How a socket stands, for readiness and `sock_status`. */
export interface SocketState {
  /** Bytes ready to receive (stream), the next datagram's size (datagram), or connections waiting (listening). */
  readable: number;
  /** Bytes `send` would take now (0 while connecting or when full). */
  writable: number;
  /** The peer sent FIN or the connection is gone: reads see EOF once `readable` is drained. */
  peerClosed: boolean;
  /** A connection attempt is under way (`connect` was called and has not completed). */
  connecting: boolean;
  /** The socket is connected (stream) or has a default peer (datagram). */
  connected: boolean;
  /** The socket is listening. */
  listening: boolean;
  /** A pending error (ECONNREFUSED after a failed connect, ECONNRESET, ...); 0 when none. Reading it does not clear it. */
  error: number;
}

/**
 * One socket of a VirtualNetworking. Non-blocking throughout: AGAIN means
 * "not yet; wait for the readiness signal and call again".
 */
export interface VirtualSocket {
  /** IPv4 or IPv6, as opened. */
  readonly family: IpFamily;
  /** Stream or datagram, as opened. */
  readonly kind: SocketKind;
  /**
   * Gives the socket a local address, as Linux's bind: an address in use
   * fails here, and port 0 becomes the port chosen, which `localAddress`
   * reports from then on. It may answer AGAIN while the host binds (call
   * again with the same address, as `listen`). A network that cannot
   * hold a stream port before listening may check and choose it here and
   * bind at `listen` or `connect` (Node's host network does). EADDRINUSE,
   * EADDRNOTAVAIL, EINVAL (already bound).
   */
  bind(address: SocketAddress): void;
  /**
   * Starts listening (stream). The first call starts it; while the host
   * binds, calls answer AGAIN; once listening they return. EADDRINUSE when
   * the address is taken.
   */
  listen(backlog: number): void;
  /** The oldest queued connection; AGAIN when none; EINVAL when not listening. */
  accept(): AcceptedSocket;
  /**
   * Starts connecting to `address` (stream) and returns: the outcome shows
   * in `state()` (`connecting`, then `connected` or `error`). A datagram
   * socket just takes `address` as its default peer. EISCONN, EALREADY.
   */
  connect(address: SocketAddress): void;
  /**
   * Starts a TLS connection to `address` (stream): a connect, then a TLS
   * handshake that checks the peer's certificate against `serverName` (an
   * IP address when there is no name) with the host's trusted
   * certificates; `state()` says `connected` once the handshake is done,
   * and the socket then carries the plaintext. A certificate the host does
   * not trust (or that names another host) is `error` EACCES; another
   * failed handshake EPROTO. Optional: a network without TLS (the loopback
   * network) has none, and a caller answers for it (`wasi:http`'s https).
   */
  connectTls?(address: SocketAddress, serverName: string): void;
  /** Queues as much of `src` as fits; AGAIN when nothing fits; EPIPE after shutdown(write); ENOTCONN. */
  send(src: readonly Uint8Array[]): number;
  /** Copies received bytes into `dst` (kept queued when `peek`); 0 at EOF; AGAIN when nothing is there yet. */
  receive(dst: readonly Uint8Array[], peek: boolean): number;
  /** Sends one datagram to `to` (or the default peer when undefined: EDESTADDRREQ without one); AGAIN when the host cannot take it now. */
  sendTo(src: readonly Uint8Array[], to: SocketAddress | undefined): number;
  /** Takes the next datagram (kept queued when `peek`); AGAIN when none. */
  receiveFrom(dst: readonly Uint8Array[], peek: boolean): ReceivedDatagram;
  /** Half-closes: `read` drops what arrives later, `write` sends FIN once queued data is out. ENOTCONN. */
  shutdown(read: boolean, write: boolean): void;
  /** How the socket stands now. */
  state(): SocketState;
  /** The bound address (port 0 until the host chose one); the unspecified address when unbound. */
  localAddress(): SocketAddress;
  /** The connected peer; ENOTCONN when there is none. */
  peerAddress(): SocketAddress;
  /**
   * Makes a datagram socket a member of the multicast `group` (canonical
   * IP text of the socket's family) on `iface`, as setsockopt
   * IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP do. A datagram sent to the group
   * at port P then reaches the socket if it is bound to P on the
   * unspecified address or on the group itself; the sender receives its
   * own when it is such a member and its `multicastLoop` option is on
   * (the default). Whether a socket bound to P that is not a member
   * receives the group's datagrams is the network's: the loopback network
   * delivers to members only (as the BSDs do, and Linux with
   * IP_MULTICAST_ALL off); a Linux host's sockets by default receive
   * every group the interface joined for any socket (IP_MULTICAST_ALL).
   * Memberships end when the socket closes. Errors as Linux gives them:
   * EPROTO on a stream socket; EINVAL when `group` is not a multicast
   * address of the socket's family; EADDRINUSE when the socket is already
   * a member of the group on that interface; ENODEV when there is no such
   * interface (a network may not know that at once: see the
   * implementation). May answer AGAIN while the network applies it: call
   * again with the same arguments, as `bind`.
   */
  joinMulticast(group: string, iface: MulticastInterface): void;
  /**
   * Ends a membership `joinMulticast` made (IP_DROP_MEMBERSHIP /
   * IPV6_LEAVE_GROUP). EPROTO on a stream socket; EADDRNOTAVAIL when the
   * socket is not a member of `group` on that interface, which for IPv4
   * includes a `group` that is not a multicast address (Linux looks it up
   * without checking); an IPv6 `group` that is not multicast is EINVAL.
   * May answer AGAIN, as `joinMulticast`.
   */
  leaveMulticast(group: string, iface: MulticastInterface): void;
  /** Applies an option; ENOPROTOOPT when the network does not support it. */
  setOption(option: SocketOption, value: number | boolean): void;
  /** An option's value; ENOPROTOOPT when the network does not support it. */
  getOption(option: SocketOption): number | boolean;
  /** Releases the socket (queued output is still sent, then FIN). */
  close(): void;
}

/** A name lookup under way. */
export interface HostLookup {
  /** The addresses, once known; AGAIN while the lookup runs; ENOENT (no such name) or EIO when it failed. */
  result(): string[];
  /** Abandons the lookup. */
  cancel(): void;
}

/** The network a guest may reach: what the runtime's `networking` member does. */
export interface VirtualNetworking {
  /** Short name for messages and `--trace` (`none`, `loopback`, `host`). */
  readonly name: string;
  /**
   * A new socket, neither bound nor connected; `readiness` is bumped at
   * every change to it. EAFNOSUPPORT, EPROTONOSUPPORT, ENOTSUP (no network).
   */
  socket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal): VirtualSocket;
  /** Starts resolving `host` (a name or an IP address) to IP addresses; `readiness` is bumped once it is done. ENOTSUP (no network). */
  lookup(host: string, readiness: ReadinessSignal): HostLookup;
  /**
   * Listens on TCP addresses for sockets handed to a guest before it runs
   * (`kiln run --listen`); resolves once every one is bound (rejects, e.g.
   * with a `ListenError`, when one cannot be). `readiness` is bumped
   * whenever a listener or connection changes.
   */
  listenTcp(addresses: readonly ListenAddress[], readiness: ReadinessSignal, options?: SharedListenerOptions): Promise<TcpListeners>;
  /**
   * Resolves once every socket a guest closed has handed what it queued
   * to the network (optional: a network that delivers at once has no
   * such wait). A run awaits it before it reports the guest's end, so
   * nothing a guest sent is lost when the host exits after it.
   */
  flush?(): Promise<void>;
}

const NO_SOCKETS = "sockets need a network, and this run has none (kiln run --net loopback|host, or the 'network' option)";

/** No network: every call answers ENOTSUP. The default runtime's `networking`. */
export const noNetworking: VirtualNetworking = {
  name: 'none',
  socket(): VirtualSocket {
    throw new WasiError(Errno.NOTSUP, NO_SOCKETS);
  },
  lookup(): HostLookup {
    throw new WasiError(Errno.NOTSUP, NO_SOCKETS);
  },
  listenTcp(): Promise<TcpListeners> {
    return Promise.reject(new WasiError(Errno.NOTSUP, 'this runtime has no networking (give the runtime a networking member)'));
  },
};
