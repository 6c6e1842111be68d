/**
 * WASIX socket addresses in guest memory (layer: syscalls): `addr_port_t`
 * (110 bytes: a family tag at 0, then at 2 the port, at 4 the address;
 * IPv6 adds flow info and scope id after its 16 bytes) and `addr_ip_t`
 * (18 bytes: the tag, then the address at 2), as wasix-libc lays them out.
 * The port is a little-endian u16 in host order (wasix-libc converts with
 * ntohs/htons), the address bytes in network order.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { GuestMemory } from '../../abi/memory.js';
import { formatIp, ipBytes, type IpFamily, type SocketAddress } from '../../host/net/socket-address.js';

/** `address_family`. */
export const enum AddressFamily { UNSPEC = 0, INET4 = 1, INET6 = 2, UNIX = 3 }

/** Size of `addr_port_t`. */
export const ADDR_PORT_SIZE = 110;
/** Size of the first generation's `addr_port_t` (the same layout, up to an IPv6 address's end). */
export const FIRST_GENERATION_ADDR_PORT_SIZE = 20;
/** Size of `addr_ip_t`. */
export const ADDR_IP_SIZE = 18;

/** The family of a WASIX `address_family`; EAFNOSUPPORT for others (UNIX sockets are not supported). */
export function ipFamilyOf(af: number): IpFamily {
  if (af === AddressFamily.INET4) return 'ipv4';
  if (af === AddressFamily.INET6) return 'ipv6';
  throw new WasiError(Errno.AFNOSUPPORT);
}

/** Reads an `addr_port_t`; EAFNOSUPPORT for a family other than IPv4/IPv6. */
export function readAddrPort(m: GuestMemory, ptr: number): SocketAddress {
  m.check(ptr, ADDR_PORT_SIZE);
  const family = ipFamilyOf(m.u8(ptr));
  const port = m.u16(ptr + 2);
  const bytes = m.slice(ptr + 4, family === 'ipv4' ? 4 : 16).slice();
  return { family, ip: formatIp(bytes), port };
}

/**
 * Writes `a` as an `addr_port_t` of `size` bytes (undefined: the
 * unspecified family, all zeros). The first generation's is 20 bytes, the
 * same layout cut short after an IPv6 address.
 */
export function writeAddrPort(m: GuestMemory, ptr: number, a: SocketAddress | undefined, size = ADDR_PORT_SIZE): void {
  m.check(ptr, size);
  m.bytes.fill(0, ptr, ptr + size);
  if (a === undefined) return;
  m.setU8(ptr, a.family === 'ipv4' ? AddressFamily.INET4 : AddressFamily.INET6);
  m.setU16(ptr + 2, a.port);
  m.write(ptr + 4, addressBytes(a.ip));
}

/** Writes an IP address as an `addr_ip_t`. */
export function writeAddrIp(m: GuestMemory, ptr: number, ip: string): void {
  m.check(ptr, ADDR_IP_SIZE);
  m.bytes.fill(0, ptr, ptr + ADDR_IP_SIZE);
  const bytes = addressBytes(ip);
  m.setU8(ptr, bytes.length === 4 ? AddressFamily.INET4 : AddressFamily.INET6);
  m.write(ptr + 2, bytes);
}

function addressBytes(ip: string): Uint8Array {
  const bytes = ipBytes(ip);
  if (bytes === undefined) throw new WasiError(Errno.INVAL, `not an IP address: ${ip}`);
  return bytes;
}
