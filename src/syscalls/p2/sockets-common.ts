/**
 * What the `wasi:sockets` resources share (layer: syscalls): the network
 * capability, the run's network and policy, making a kernel socket within
 * the socket limit, the checks on addresses, the operations that the
 * network may finish later (`Attempt`), and the base classes of sockets
 * and their datagram streams (`HoldsSocket`).
 */
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import { NetSocketResource } from '../../kernel/net-socket-resource.js';
import { NO_NETWORK, type KernelNetwork } from '../../kernel/network.js';
import type { SocketOption } from '../../host/net/networking.js';
import { isAnyAddress, isMulticastAddress, type IpFamily, type SocketAddress } from '../../host/net/socket-address.js';
import type { HeldResource, HostContext } from './host-context.js';
import { fromIpSocketAddress, isIpv4Mapped, socketCall, type IpSocketAddress, type SocketErrorCode } from './sockets-values.js';
import { DISPOSE, fail } from './values.js';

/** `wasi:sockets/network.network`: the capability to use the run's network (Kiln has one per run). */
export class Network {}

/** The protocol numbers the kernel's sockets record. */
export const TCP = 6;
export const UDP = 17;

/** The most a size option takes (the largest the host's setsockopt takes). */
const SIZE_MAX = 0x7fff_ffff;
/** The run's network, with its policy. */
export function networkOf(ctx: HostContext): KernelNetwork {
  return ctx.process.kernel.network ?? NO_NETWORK;
}

/** Fails with `code` (a sockets method's `err`). */
export function refuse(code: SocketErrorCode): never {
  return fail(code);
}

/** A new kernel socket of the run's network, within the process's socket limit. */
export function openSocket(ctx: HostContext, family: IpFamily, kind: 'stream' | 'datagram'): HeldResource {
  checkSocketRoom(ctx);
  const socket = networkOf(ctx).networking.socket(family, kind, ctx.process.readiness);
  return ctx.own(new NetSocketResource(socket, kind === 'stream' ? TCP : UDP));
}

/** EMFILE (`new-socket-limit`) when the process holds as many sockets as it may (its descriptors' and the component's). */
export function checkSocketRoom(ctx: HostContext): void {
  ctx.process.checkSocketLimit(1, ctx.countHeld((r) => r.isSocket));
}

/**
 * Checks an address a socket of `family` is to reach or bind: of the
 * socket's family, not IPv4-mapped, not multicast; a remote address also
 * not unspecified and not port 0 (`invalid-argument`).
 */
export function checkAddress(family: IpFamily, a: SocketAddress, remote: boolean): void {
  if (a.family !== family || isIpv4Mapped(a) || isMulticastAddress(a.ip)) refuse('invalid-argument');
  if (remote && (isAnyAddress(a.ip) || a.port === 0)) refuse('invalid-argument');
}

/** Checks a destination (`checkAddress`) and that the policy lets the guest reach it (`access-denied`). */
export function checkDestination(ctx: HostContext, family: IpFamily, a: SocketAddress): void {
  checkAddress(family, a, true);
  if (!networkOf(ctx).policy.allowsConnect(a)) refuse('access-denied');
}

/** True when `op` no longer answers EAGAIN; other failures are thrown. */
function completes(op: () => void): boolean {
  try {
    op();
    return true;
  } catch (e) {
    if (errnoOf(e) === Errno.AGAIN) return false;
    throw e;
  }
}

/**
 * A network operation that may answer EAGAIN until the host has done it
 * (a bind, a listen: networking.ts), tried at once and again on each
 * `done()` until it completes; never again after that.
 */
export class Attempt {
  #op: (() => void) | undefined;

  constructor(op: () => void) {
    this.#op = completes(op) ? undefined : op;
  }

  /** The operation completed (trying it once more if it had not); its failure is thrown. */
  done(): boolean {
    if (this.#op !== undefined && !completes(this.#op)) return false;
    this.#op = undefined;
    return true;
  }

  /** The readiness of `done()`: true once it would not answer false (a failure counts). */
  ready(): boolean {
    try { return this.done(); } catch { return true; }
  }
}

/** A resource that holds a kernel socket until the guest drops it (a socket, a datagram stream). */
export abstract class HoldsSocket {
  #released = false;

  constructor(
    /** The kernel socket (a NetSocketResource), held for this resource. */
    readonly held: HeldResource,
  ) {}

  /** The kernel socket. */
  get socket(): NetSocketResource { return this.held.resource as NetSocketResource; }

  [DISPOSE](): void {
    if (this.#released) return;
    this.#released = true;
    this.held.release();
  }
}

/**
 * What a TCP and a UDP socket share: the kernel socket they hold (with the
 * streams made from it), its family, the options the network keeps.
 */
export abstract class SocketBase extends HoldsSocket {
  constructor(
    /** The run's host context. */
    readonly ctx: HostContext,
    held: HeldResource,
    /** IPv4 or IPv6, as created. */
    readonly family: IpFamily,
  ) {
    super(held);
  }

  addressFamily(): IpFamily { return this.family; }

  receiveBufferSize(): bigint { return BigInt(this.option('receiveBufferSize')); }

  setReceiveBufferSize(value: bigint): void { this.setSizeOption('receiveBufferSize', value); }

  sendBufferSize(): bigint { return BigInt(this.option('sendBufferSize')); }

  setSendBufferSize(value: bigint): void { this.setSizeOption('sendBufferSize', value); }

  /** Checks `localAddress` (the family, the policy: `access-denied`) and starts binding it. */
  protected beginBind(localAddress: IpSocketAddress): Attempt {
    const a = fromIpSocketAddress(localAddress);
    checkAddress(this.family, a, false);
    if (!networkOf(this.ctx).policy.allowsBind(a)) refuse('access-denied');
    return new Attempt(() => this.socket.socket.bind(a));
  }

  /** Completes the bind `beginBind` started (`would-block` while the network is not done). */
  protected completeBind(bind: Attempt): void {
    if (!bind.done()) refuse('would-block');
    this.socket.bound = true;
  }

  /** An option of the network's: its value (`not-supported` where the network has none). */
  protected option(option: SocketOption): number | boolean {
    return socketCall(() => this.socket.socket.getOption(option));
  }

  /** Sets a numeric option of the network's; 0 is `invalid-argument`, more than it takes is its most. */
  protected setSizeOption(option: SocketOption, value: bigint): void {
    if (value === 0n) refuse('invalid-argument');
    const n = value > BigInt(SIZE_MAX) ? SIZE_MAX : Number(value);
    socketCall(() => this.socket.socket.setOption(option, n));
  }
}
