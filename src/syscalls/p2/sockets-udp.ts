/**
 * `wasi:sockets/udp` and `udp-create-socket` (layer: syscalls): a WASI 0.2
 * UDP socket over a kernel datagram socket of the run's network, under the
 * run's policy (a denied bind or destination is `access-denied`).
 *
 * `stream(remote)` fixes the peer in the host: datagrams from elsewhere
 * are dropped on receipt and datagrams may only go to it, as a connected
 * socket behaves, so the network is only ever asked to send to an
 * address. Nothing waits: `receive` returns what has arrived (maybe
 * nothing), `send` what the network took; the streams' pollables say when
 * to call again.
 */
import { Errno } from '../../abi/errno.js';
import type { NetSocketResource } from '../../kernel/net-socket-resource.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { IpFamily, SocketAddress } from '../../host/net/socket-address.js';
import type { HeldResource, HostContext } from './host-context.js';
import { Pollable } from './io.js';
import { Attempt, checkDestination, HoldsSocket, openSocket, refuse, SocketBase, type Network } from './sockets-common.js';
import { familyOf, fromIpSocketAddress, socketCall, toIpSocketAddress, type IpSocketAddress } from './sockets-values.js';

/** The largest datagram payload: 65535 less the IP and UDP headers. */
const MAX_DATAGRAM: Readonly<Record<IpFamily, number>> = { ipv4: 65507, ipv6: 65527 };
/** Datagrams `check-send` permits at once, and the most one `receive` returns. */
const BATCH = 64;

/** `wasi:sockets/udp.incoming-datagram`. */
export interface IncomingDatagram {
  data: Uint8Array;
  remoteAddress: IpSocketAddress;
}

/** `wasi:sockets/udp.outgoing-datagram`. */
export interface OutgoingDatagram {
  data: Uint8Array;
  remoteAddress: IpSocketAddress | undefined;
}

function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.ip === b.ip && a.port === b.port;
}

/** `wasi:sockets/udp.udp-socket`. */
export class UdpSocket extends SocketBase {
  #state: 'unbound' | 'binding' | 'bound' = 'unbound';
  #bind: Attempt | undefined;
  /** The peer the latest `stream` fixed; undefined: any. */
  peer: SocketAddress | undefined;

  startBind(_network: Network, localAddress: IpSocketAddress): void {
    socketCall(() => {
      if (this.#state !== 'unbound') refuse('invalid-state');
      this.#bind = this.beginBind(localAddress);
      this.#state = 'binding';
    });
  }

  finishBind(): void {
    socketCall(() => {
      if (this.#state !== 'binding') refuse('not-in-progress');
      this.completeBind(this.#bind!);
      this.#state = 'bound';
    });
  }

  stream(remoteAddress: IpSocketAddress | undefined): [IncomingDatagramStream, OutgoingDatagramStream] {
    return socketCall(() => {
      if (this.#state !== 'bound') refuse('invalid-state');
      let peer: SocketAddress | undefined;
      if (remoteAddress !== undefined) {
        peer = fromIpSocketAddress(remoteAddress);
        checkDestination(this.ctx, this.family, peer);
      }
      this.peer = peer;
      return [new IncomingDatagramStream(this, this.held.retain()), new OutgoingDatagramStream(this, this.held.retain())];
    });
  }

  localAddress(): IpSocketAddress {
    return socketCall(() => {
      if (this.#state !== 'bound') refuse('invalid-state');
      return toIpSocketAddress(this.socket.socket.localAddress());
    });
  }

  remoteAddress(): IpSocketAddress {
    if (this.peer === undefined) refuse('invalid-state');
    return toIpSocketAddress(this.peer);
  }

  unicastHopLimit(): number { return Number(this.option('ttl')); }

  setUnicastHopLimit(value: number): void { this.setSizeOption('ttl', BigInt(value)); }

  /** Ready unless a bind is still under way. */
  subscribe(): Pollable {
    return new Pollable(this.ctx, () => this.#state !== 'binding' || this.#bind!.ready());
  }
}

/** `wasi:sockets/udp.incoming-datagram-stream`. */
export class IncomingDatagramStream extends HoldsSocket {
  constructor(readonly owner: UdpSocket, held: HeldResource) {
    super(held);
  }

  receive(maxResults: bigint): IncomingDatagram[] {
    const out: IncomingDatagram[] = [];
    const want = maxResults > BigInt(BATCH) ? BATCH : Number(maxResults);
    const buf = new Uint8Array(MAX_DATAGRAM[this.owner.family] + 1);
    socketCall(() => {
      while (out.length < want) {
        let got: ReturnType<NetSocketResource['receiveFrom']>;
        try {
          got = this.socket.receiveFrom([buf], 0);
        } catch (e) {
          // What arrived is returned; a failure shows on the next call.
          if (errnoOf(e) === Errno.AGAIN || out.length > 0) return;
          throw e;
        }
        const from = got.from;
        if (from === undefined) continue;
        const peer = this.owner.peer;
        if (peer !== undefined && !sameAddress(peer, from)) continue;
        out.push({ data: buf.slice(0, got.size), remoteAddress: toIpSocketAddress(from) });
      }
    });
    return out;
  }

  subscribe(): Pollable {
    return new Pollable(this.owner.ctx, () => this.socket.pollRead().ready);
  }
}

/** `wasi:sockets/udp.outgoing-datagram-stream`. */
export class OutgoingDatagramStream extends HoldsSocket {
  constructor(readonly owner: UdpSocket, held: HeldResource) {
    super(held);
  }

  checkSend(): bigint {
    return this.socket.pollWrite().ready ? BigInt(BATCH) : 0n;
  }

  send(datagrams: readonly OutgoingDatagram[]): bigint {
    let sent = 0;
    socketCall(() => {
      for (const d of datagrams) {
        const to = this.#destination(d);
        if (d.data.length > MAX_DATAGRAM[this.owner.family]) refuse('datagram-too-large');
        try {
          this.socket.sendTo([d.data], to);
        } catch (e) {
          // What went is counted; a failure shows on the next call.
          if (errnoOf(e) === Errno.AGAIN || sent > 0) return;
          throw e;
        }
        sent++;
      }
    });
    return BigInt(sent);
  }

  subscribe(): Pollable {
    return new Pollable(this.owner.ctx, () => this.socket.pollWrite().ready);
  }

  /** Where a datagram goes: its own address, which must be the stream's peer when there is one (`invalid-argument` otherwise). */
  #destination(d: OutgoingDatagram): SocketAddress {
    const peer = this.owner.peer;
    if (d.remoteAddress === undefined) {
      if (peer === undefined) refuse('invalid-argument');
      return peer;
    }
    const to = fromIpSocketAddress(d.remoteAddress);
    if (peer !== undefined) {
      if (!sameAddress(peer, to)) refuse('invalid-argument');
      return peer;
    }
    checkDestination(this.owner.ctx, this.owner.family, to);
    return to;
  }
}

/** `wasi:sockets/udp-create-socket.create-udp-socket`. */
export function createUdpSocket(ctx: HostContext, addressFamily: string): UdpSocket {
  return socketCall(() => {
    const family = familyOf(addressFamily);
    return new UdpSocket(ctx, openSocket(ctx, family, 'datagram'), family);
  });
}
