/**
 * `wasi:sockets` (layer: syscalls): the network capability, name lookups,
 * and the TCP and UDP interfaces (sockets-tcp.ts, sockets-udp.ts), over
 * the run's network (`Kernel.network`: none unless the run asked for one,
 * the in-memory loopback, or the host's) and its policy: a name the
 * policy does not let the guest look up is `name-unresolvable`, as WASIX's
 * `resolve` answers it.
 */
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { HostLookup } from '../../host/net/networking.js';
import type { HostContext } from './host-context.js';
import { IoError, Pollable } from './io.js';
import { Network, networkOf, refuse } from './sockets-common.js';
import { createTcpSocket, TcpSocket } from './sockets-tcp.js';
import { createUdpSocket, IncomingDatagramStream, OutgoingDatagramStream, UdpSocket } from './sockets-udp.js';
import { networkErrorCode, socketCall, toIpAddress, type IpAddress, type SocketErrorCode } from './sockets-values.js';
import { DISPOSE } from './values.js';

/** `wasi:sockets/ip-name-lookup.resolve-address-stream`: the addresses of one lookup, one at a time. */
export class ResolveAddressStream {
  #addresses: string[] | undefined;
  #next = 0;

  constructor(readonly ctx: HostContext, readonly name: string, readonly lookup: HostLookup) {}

  resolveNextAddress(): IpAddress | undefined {
    const found = this.#result();
    if (found === undefined) refuse('would-block');
    const ip = found[this.#next];
    if (ip === undefined) return undefined;
    this.#next++;
    return toIpAddress(ip);
  }

  subscribe(): Pollable {
    return new Pollable(this.ctx, () => {
      try { return this.#result() !== undefined; } catch { return true; }
    });
  }

  [DISPOSE](): void {
    if (this.#addresses === undefined) this.lookup.cancel();
  }

  /** The addresses once the lookup is done (undefined until then); its failure as the lookup's error code. */
  #result(): string[] | undefined {
    if (this.#addresses !== undefined) return this.#addresses;
    let found: string[];
    try {
      found = this.lookup.result();
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === Errno.AGAIN) return undefined;
      return refuse(lookupFailure(errno));
    }
    networkOf(this.ctx).policy.learn(this.name, found);
    this.#addresses = found;
    return found;
  }
}

/** A failed lookup's error code: no such name; a resolver that failed this time; or for good. */
function lookupFailure(errno: number | undefined): SocketErrorCode {
  if (errno === Errno.NOENT) return 'name-unresolvable';
  if (errno === Errno.IO || errno === Errno.AGAIN || errno === Errno.TIMEDOUT) return 'temporary-resolver-failure';
  return 'permanent-resolver-failure';
}

/** True for a name a lookup may be asked for: a host name or an IP address, nothing with a port, path or space. */
function isLookupName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && !/[\s/@?#]/.test(name) && !/^\[|\]$/.test(name);
}

/** `wasi:sockets/ip-name-lookup.resolve-addresses`. */
function resolveAddresses(ctx: HostContext, name: string): ResolveAddressStream {
  return socketCall(() => {
    if (!isLookupName(name)) refuse('invalid-argument');
    const network = networkOf(ctx);
    if (!network.policy.allowsLookup(name)) refuse('name-unresolvable');
    return new ResolveAddressStream(ctx, name, network.networking.lookup(name, ctx.process.readiness));
  });
}

/** The `wasi:sockets/*` interfaces. */
export function socketInterfaces(ctx: HostContext) {
  return {
    'wasi:sockets/network': {
      Network,
      networkErrorCode: (err: IoError): SocketErrorCode | undefined => (err instanceof IoError ? networkErrorCode(err.errno) : undefined),
    },
    'wasi:sockets/instance-network': { instanceNetwork: (): Network => new Network() },
    'wasi:sockets/tcp': { TcpSocket },
    'wasi:sockets/tcp-create-socket': { createTcpSocket: (family: string): TcpSocket => createTcpSocket(ctx, family) },
    'wasi:sockets/udp': { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    'wasi:sockets/udp-create-socket': { createUdpSocket: (family: string): UdpSocket => createUdpSocket(ctx, family) },
    'wasi:sockets/ip-name-lookup': {
      ResolveAddressStream,
      resolveAddresses: (_network: Network, name: string): ResolveAddressStream => resolveAddresses(ctx, name),
    },
  };
}
