/**
 * Socket options of the shared-memory sockets (layer: host,
 * platform-neutral): which apply to which socket, their values' types and
 * the values a socket reports before one is set (Linux's defaults; the
 * buffer sizes are the socket's rings). The kernel side stores every
 * value it accepts and reports it back; the I/O thread applies what its
 * host can (see the worker's option module for what that is on Node).
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { SocketKind, SocketOption } from './networking.js';
import type { IpFamily } from './socket-address.js';

const FLAGS: ReadonlySet<SocketOption> = new Set<SocketOption>([
  'noDelay', 'keepAlive', 'broadcast', 'reuseAddress', 'reusePort', 'onlyV6', 'multicastLoop',
]);

/**
 * The largest buffer size a socket takes (`SO_RCVBUF`, `SO_SNDBUF`):
 * larger values are lowered to it, as Linux lowers them to its
 * `rmem_max`/`wmem_max`, so that no guest can make a network queue
 * without bound.
 */
export const MAX_BUFFER_SIZE = 4 * 1024 * 1024;

/** The value to store for `option`: a boolean for a flag, a non-negative integer otherwise (buffer sizes at most MAX_BUFFER_SIZE). EINVAL for a bad number. */
export function normalizeOption(option: SocketOption, value: number | boolean): number | boolean {
  if (FLAGS.has(option)) return typeof value === 'boolean' ? value : value !== 0;
  const n = typeof value === 'boolean' ? Number(value) : value;
  if (!Number.isInteger(n) || n < 0) throw new WasiError(Errno.INVAL, `${option} must be a non-negative integer`);
  if ((option === 'ttl' || option === 'multicastTtl') && n > 255) throw new WasiError(Errno.INVAL, `${option} must be at most 255`);
  if (option === 'receiveBufferSize' || option === 'sendBufferSize') return Math.min(n, MAX_BUFFER_SIZE);
  return n;
}

/** ENOPROTOOPT when `option` does not exist for this socket (as on Linux: TCP_NODELAY on UDP, IPV6_V6ONLY on IPv4). */
export function checkOption(option: SocketOption, kind: SocketKind, family: IpFamily): void {
  if (option === 'noDelay' && kind !== 'stream') throw new WasiError(Errno.NOPROTOOPT, 'noDelay is a TCP option');
  if (option === 'onlyV6' && family !== 'ipv6') throw new WasiError(Errno.NOPROTOOPT, 'onlyV6 is an IPv6 option');
}

/** What a socket reports for an option never set; `ringBytes` is the size of its rings. */
export function defaultOption(option: SocketOption, ringBytes: number): number | boolean {
  switch (option) {
    case 'receiveBufferSize': case 'sendBufferSize': return ringBytes;
    case 'ttl': return 64;
    case 'multicastTtl': return 1;
    case 'multicastLoop': return true;
    default: return false;
  }
}
