/**
 * `wasi:sockets/network` values (layer: syscalls): the socket addresses and
 * error codes of WASI 0.2 as jco's glue lifts them, converted to and from
 * the kernel's `SocketAddress` and errnos, and the boundary every sockets
 * method runs behind (a kernel failure reaches the guest as `err(code)`).
 */
import { Errno } from '../../abi/errno.js';
import { formatIp, ipBytes, type IpFamily, type SocketAddress } from '../../host/net/socket-address.js';
import { fail, withErrorCodes } from './values.js';

/** `wasi:sockets/network.error-code`. */
export type SocketErrorCode =
  | 'unknown' | 'access-denied' | 'not-supported' | 'invalid-argument' | 'out-of-memory' | 'timeout'
  | 'concurrency-conflict' | 'not-in-progress' | 'would-block' | 'invalid-state' | 'new-socket-limit'
  | 'address-not-bindable' | 'address-in-use' | 'remote-unreachable' | 'connection-refused'
  | 'connection-reset' | 'connection-aborted' | 'datagram-too-large' | 'name-unresolvable'
  | 'temporary-resolver-failure' | 'permanent-resolver-failure';

/** `ipv4-address` / `ipv6-address`: 4 bytes, or 8 16-bit words. */
export type IpAddressTuple = readonly number[];

/** `wasi:sockets/network.ip-address`. */
export type IpAddress = { tag: 'ipv4'; val: IpAddressTuple } | { tag: 'ipv6'; val: IpAddressTuple };

/** `wasi:sockets/network.ip-socket-address`. */
export type IpSocketAddress =
  | { tag: 'ipv4'; val: { port: number; address: IpAddressTuple } }
  | { tag: 'ipv6'; val: { port: number; flowInfo: number; address: IpAddressTuple; scopeId: number } };

const CODES: ReadonlyMap<number, SocketErrorCode> = new Map<number, SocketErrorCode>([
  [Errno.ACCES, 'access-denied'],
  [Errno.PERM, 'access-denied'],
  [Errno.NOTSUP, 'not-supported'],
  [Errno.AFNOSUPPORT, 'not-supported'],
  [Errno.PROTONOSUPPORT, 'not-supported'],
  [Errno.NOPROTOOPT, 'not-supported'],
  [Errno.INVAL, 'invalid-argument'],
  [Errno.NOMEM, 'out-of-memory'],
  [Errno.NOBUFS, 'out-of-memory'],
  [Errno.TIMEDOUT, 'timeout'],
  [Errno.ALREADY, 'concurrency-conflict'],
  [Errno.AGAIN, 'would-block'],
  [Errno.ISCONN, 'invalid-state'],
  [Errno.NOTCONN, 'invalid-state'],
  [Errno.MFILE, 'new-socket-limit'],
  [Errno.NFILE, 'new-socket-limit'],
  [Errno.ADDRNOTAVAIL, 'address-not-bindable'],
  [Errno.ADDRINUSE, 'address-in-use'],
  [Errno.HOSTUNREACH, 'remote-unreachable'],
  [Errno.NETUNREACH, 'remote-unreachable'],
  [Errno.NETDOWN, 'remote-unreachable'],
  [Errno.CONNREFUSED, 'connection-refused'],
  [Errno.CONNRESET, 'connection-reset'],
  [Errno.PIPE, 'connection-reset'],
  [Errno.CONNABORTED, 'connection-aborted'],
  [Errno.MSGSIZE, 'datagram-too-large'],
  [Errno.NOENT, 'name-unresolvable'],
]);

/** The error code for a kernel errno (`unknown` for one WASI 0.2 has no name for). */
export function socketErrorCode(errno: number): SocketErrorCode {
  return CODES.get(errno) ?? 'unknown';
}

/** The error code a network failure's errno has a name for; undefined for other errnos (`network-error-code`). */
export function networkErrorCode(errno: number): SocketErrorCode | undefined {
  return CODES.get(errno);
}

/**
 * Runs a sockets method: a kernel failure (WasiError) becomes
 * `err(code)`; a failure the method raised itself passes through; anything
 * else is a bug and traps.
 */
export function socketCall<T>(body: () => T): T {
  return withErrorCodes(body, socketErrorCode);
}

/** The family of `ip-address-family`. */
export function familyOf(family: string): IpFamily {
  if (family === 'ipv4' || family === 'ipv6') return family;
  return fail<SocketErrorCode>('invalid-argument');
}

/** The bytes of an address tuple (an IPv6 tuple is 16-bit words, sent high byte first). */
function tupleBytes(family: IpFamily, t: IpAddressTuple): Uint8Array {
  if (family === 'ipv4') {
    if (t.length !== 4) fail<SocketErrorCode>('invalid-argument');
    return Uint8Array.from(t);
  }
  if (t.length !== 8) fail<SocketErrorCode>('invalid-argument');
  const b = new Uint8Array(16);
  t.forEach((w, i) => {
    b[2 * i] = (w >> 8) & 0xff;
    b[2 * i + 1] = w & 0xff;
  });
  return b;
}

/** The tuple of an address's canonical text. */
function tupleOf(ip: string): { family: IpFamily; tuple: number[] } {
  const b = ipBytes(ip);
  if (b === undefined) throw new Error(`not an IP address: ${ip}`);
  if (b.length === 4) return { family: 'ipv4', tuple: Array.from(b) };
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  return { family: 'ipv6', tuple: words };
}

/** The kernel's address for an `ip-socket-address`. */
export function fromIpSocketAddress(a: IpSocketAddress): SocketAddress {
  const family: IpFamily = a.tag;
  return { family, ip: formatIp(tupleBytes(family, a.val.address)), port: a.val.port };
}

/** The `ip-socket-address` of a kernel address. */
export function toIpSocketAddress(a: SocketAddress): IpSocketAddress {
  const { family, tuple } = tupleOf(a.ip);
  if (family === 'ipv4') return { tag: 'ipv4', val: { port: a.port, address: tuple } };
  return { tag: 'ipv6', val: { port: a.port, flowInfo: 0, address: tuple, scopeId: 0 } };
}

/** The `ip-address` of an IP address's canonical text. */
export function toIpAddress(ip: string): IpAddress {
  const { family, tuple } = tupleOf(ip);
  return family === 'ipv4' ? { tag: 'ipv4', val: tuple } : { tag: 'ipv6', val: tuple };
}

/** True for an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which WASI 0.2 sockets refuse. */
export function isIpv4Mapped(a: SocketAddress): boolean {
  return a.family === 'ipv6' && a.ip.startsWith('::ffff:') && a.ip.includes('.');
}
