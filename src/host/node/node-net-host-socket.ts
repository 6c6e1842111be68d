/**
 * What the socket I/O thread (node-net-worker.ts) knows of each host
 * socket it owns (layer: host, Node): the commands every kind answers,
 * the registry a listener adds its connections to, and how Node's
 * addresses become the socket addresses of the shared memory.
 */
import type { SocketOption } from '../net/networking.js';
import { formatIp, ipBytes, type IpFamily, type SocketAddress } from '../net/socket-address.js';

/** One host socket (a connection, a listener, a datagram socket) seen from the I/O thread's registry. */
export interface HostSocket {
  /** Moves the socket forward after the kernel rang the doorbell (its shared memory may have changed). */
  pump(): void;
  setOption(option: SocketOption, value: number | boolean): void;
  /**
   * The kernel released the socket: send what it queued, then FIN (or
   * stop listening). Resolves once the host socket is gone.
   */
  close(): Promise<void>;
  /** Drops the host socket now. */
  destroy(): void;
  /** Fails the socket with `errno` (the I/O thread is going away or broke). */
  fail(errno: number): void;
}

/** Where a listener registers the connections it hands to the kernel, and takes back those never accepted. */
export interface SocketRegistry {
  add(id: number, socket: HostSocket): void;
  remove(id: number): HostSocket | undefined;
}

/**
 * A Node address (`127.0.0.1`, `::ffff:127.0.0.1`, `fe80::1%eth0`) as a
 * socket address of a `family` socket: an IPv6 socket sees IPv4 peers as
 * IPv4-mapped addresses, an IPv4 socket never sees IPv6 ones.
 */
export function socketAddress(family: IpFamily, ip: string | undefined, port: number | undefined): SocketAddress {
  let bytes = ipBytes(ip ?? '') ?? new Uint8Array(family === 'ipv4' ? 4 : 16);
  if (family === 'ipv6' && bytes.length === 4) {
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped.set(bytes, 12);
    bytes = mapped;
  } else if (family === 'ipv4' && bytes.length === 16) {
    bytes = bytes.slice(12);
  }
  return { family, ip: formatIp(bytes), port: port ?? 0 };
}
