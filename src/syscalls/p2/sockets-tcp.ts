/**
 * `wasi:sockets/tcp` and `tcp-create-socket` (layer: syscalls): a WASI 0.2
 * TCP socket over a kernel socket of the run's network (`Kernel.network`),
 * as WASIX's `sock_*` use it, under the same policy (a denied bind or
 * connect is `access-denied`).
 *
 * The socket keeps WASI 0.2's state machine (unbound, binding, bound,
 * listening, connecting, connected, closed) and answers each method in a
 * state that does not allow it with `invalid-state`,
 * `concurrency-conflict` or `not-in-progress`, as the interface says.
 * Nothing waits: a `finish-*` or `accept` that cannot complete yet answers
 * `would-block`, and `subscribe` is ready when it can. A connection's
 * streams are `wasi:io` streams over the kernel socket; the kernel socket
 * closes when the socket and both streams are dropped (or the process
 * ends).
 */
import { WasiError } from '../../abi/errno.js';
import { SdFlags } from '../../abi/constants.js';
import type { IpFamily } from '../../host/net/socket-address.js';
import type { HeldResource, HostContext } from './host-context.js';
import { InputStream, OutputStream, Pollable, resourceSink, resourceSource } from './io.js';
import { Attempt, checkDestination, checkSocketRoom, openSocket, refuse, SocketBase, type Network } from './sockets-common.js';
import { familyOf, fromIpSocketAddress, socketCall, toIpSocketAddress, type IpSocketAddress } from './sockets-values.js';

type TcpState = 'unbound' | 'binding' | 'bound' | 'listening-started' | 'listening' | 'connecting' | 'connected' | 'closed';

/** Linux's defaults for the keep-alive times and count, which the socket keeps. */
const KEEP_IDLE_NS = 7200n * 1_000_000_000n;
const KEEP_INTERVAL_NS = 75n * 1_000_000_000n;
const KEEP_COUNT = 9;

/** `wasi:sockets/tcp.tcp-socket`. */
export class TcpSocket extends SocketBase {
  #state: TcpState;
  /** The bind or listen under way (`start-bind`, `start-listen`). */
  #pending: Attempt | undefined;
  #backlog = 128;
  #keepIdle = KEEP_IDLE_NS;
  #keepInterval = KEEP_INTERVAL_NS;
  #keepCount = KEEP_COUNT;

  constructor(ctx: HostContext, held: HeldResource, family: IpFamily, state: TcpState = 'unbound') {
    super(ctx, held, family);
    this.#state = state;
  }

  startBind(_network: Network, localAddress: IpSocketAddress): void {
    socketCall(() => {
      if (this.#state !== 'unbound') refuse('invalid-state');
      this.#pending = this.beginBind(localAddress);
      this.#state = 'binding';
    });
  }

  finishBind(): void {
    socketCall(() => {
      if (this.#state !== 'binding') refuse('not-in-progress');
      this.completeBind(this.#pending!);
      this.#state = 'bound';
    });
  }

  startConnect(_network: Network, remoteAddress: IpSocketAddress): void {
    socketCall(() => {
      if (this.#state === 'binding' || this.#state === 'listening-started' || this.#state === 'connecting') refuse('concurrency-conflict');
      if (this.#state !== 'unbound' && this.#state !== 'bound') refuse('invalid-state');
      const a = fromIpSocketAddress(remoteAddress);
      checkDestination(this.ctx, this.family, a);
      this.socket.connect(a);
      this.#state = 'connecting';
    });
  }

  finishConnect(): [InputStream, OutputStream] {
    return socketCall(() => {
      if (this.#state !== 'connecting') refuse('not-in-progress');
      const st = this.socket.state();
      if (st.error !== 0) {
        this.#state = 'closed';
        throw new WasiError(st.error);
      }
      if (!st.connected) refuse('would-block');
      this.#state = 'connected';
      return this.#streams();
    });
  }

  startListen(): void {
    socketCall(() => {
      if (this.#state === 'binding' || this.#state === 'listening-started' || this.#state === 'connecting') refuse('concurrency-conflict');
      if (this.#state !== 'bound') refuse('invalid-state');
      this.#pending = new Attempt(() => this.socket.socket.listen(this.#backlog));
      this.#state = 'listening-started';
    });
  }

  finishListen(): void {
    socketCall(() => {
      if (this.#state !== 'listening-started') refuse('not-in-progress');
      if (!this.#pending!.done()) refuse('would-block');
      this.#state = 'listening';
    });
  }

  accept(): [TcpSocket, InputStream, OutputStream] {
    return socketCall(() => {
      if (this.#state !== 'listening') refuse('invalid-state');
      checkSocketRoom(this.ctx);
      const { resource } = this.socket.acceptWithPeer(0);
      const accepted = new TcpSocket(this.ctx, this.ctx.own(resource), this.family, 'connected');
      const [input, output] = accepted.#streams();
      return [accepted, input, output];
    });
  }

  localAddress(): IpSocketAddress {
    return socketCall(() => {
      if (this.#state === 'unbound' || (this.#state === 'binding' && !this.#pending!.done())) refuse('invalid-state');
      return toIpSocketAddress(this.socket.socket.localAddress());
    });
  }

  remoteAddress(): IpSocketAddress {
    return socketCall(() => {
      if (this.#state !== 'connected') refuse('invalid-state');
      return toIpSocketAddress(this.socket.socket.peerAddress());
    });
  }

  isListening(): boolean { return this.#state === 'listening'; }

  setListenBacklogSize(value: bigint): void {
    if (value === 0n) refuse('invalid-argument');
    if (this.#state === 'connecting' || this.#state === 'connected') refuse('invalid-state');
    // A listening socket keeps its queue (Linux would resize it; the networks here size it once).
    this.#backlog = value > 4096n ? 4096 : Number(value);
  }

  keepAliveEnabled(): boolean { return Boolean(this.option('keepAlive')); }

  setKeepAliveEnabled(value: boolean): void {
    socketCall(() => this.socket.socket.setOption('keepAlive', value));
  }

  keepAliveIdleTime(): bigint { return this.#keepIdle; }

  setKeepAliveIdleTime(value: bigint): void { this.#keepIdle = positive(value); }

  keepAliveInterval(): bigint { return this.#keepInterval; }

  setKeepAliveInterval(value: bigint): void { this.#keepInterval = positive(value); }

  keepAliveCount(): number { return this.#keepCount; }

  setKeepAliveCount(value: number): void { this.#keepCount = Number(positive(BigInt(value))); }

  hopLimit(): number { return Number(this.option('ttl')); }

  setHopLimit(value: number): void { this.setSizeOption('ttl', BigInt(value)); }

  /** Ready when the operation under way can finish (bind, listen, connect), a connection waits to be accepted, or there is nothing to wait for. */
  subscribe(): Pollable {
    return new Pollable(this.ctx, () => {
      switch (this.#state) {
        case 'binding':
        case 'listening-started':
          return this.#pending!.ready();
        case 'connecting': {
          const st = this.socket.state();
          return st.connected || st.error !== 0;
        }
        case 'listening':
          return this.socket.pollRead().ready;
        default:
          return true;
      }
    });
  }

  shutdown(shutdownType: 'receive' | 'send' | 'both'): void {
    socketCall(() => {
      if (this.#state !== 'connected') refuse('invalid-state');
      const how = shutdownType === 'receive' ? SdFlags.RD : shutdownType === 'send' ? SdFlags.WR : SdFlags.RD | SdFlags.WR;
      this.socket.shutdown(how);
    });
  }

  /** A connection's input and output streams, each holding the kernel socket. */
  #streams(): [InputStream, OutputStream] {
    return [
      new InputStream(this.ctx, resourceSource(this.held.retain())),
      new OutputStream(this.ctx, resourceSink(this.held.retain())),
    ];
  }
}

/** A duration or count that must not be 0 (`invalid-argument`). */
function positive(value: bigint): bigint {
  if (value <= 0n) refuse('invalid-argument');
  return value;
}

/** `wasi:sockets/tcp-create-socket.create-tcp-socket`. */
export function createTcpSocket(ctx: HostContext, addressFamily: string): TcpSocket {
  return socketCall(() => {
    const family = familyOf(addressFamily);
    return new TcpSocket(ctx, openSocket(ctx, family, 'stream'), family);
  });
}
