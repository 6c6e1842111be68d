/**
 * `--listen` / `--tcplisten` sockets for `kiln run` (layer: CLI): each
 * HOST:PORT becomes a listening TCP socket preopened after the directories
 * (fd 3 when there is no --dir), served by an I/O worker thread (see
 * src/host/node/node-networking.ts). A malformed address is a usage error;
 * an address that cannot be bound is an error (exit status 1).
 */
import { parseListenAddress, type ListenAddress } from '../host/net/address.js';
import { listenTcp, type ListenSockets } from '../front/node/listen-tcp.js';
import { UsageError } from './errors.js';

export type { ListenSockets };

/** The `--listen` addresses, parsed (a usage error for a malformed one). */
export function listenAddressesOf(addresses: readonly string[]): ListenAddress[] {
  return addresses.map((a) => {
    const p = parseListenAddress(a);
    if (p === undefined) throw new UsageError(`--listen needs HOST:PORT or [IPv6]:PORT, got '${a}'`);
    return p;
  });
}

/** Listening sockets on this thread, for a guest run here (the inline placement). */
export async function listenSockets(addresses: readonly ListenAddress[]): Promise<ListenSockets> {
  return listenTcp(addresses);
}
