/**
 * `--listen` / `--tcplisten` sockets for `kiln run` (layer: CLI): each
 * HOST:PORT becomes a listening TCP socket preopened after the directories
 * (fd 3 when there is no --dir), served by an I/O worker thread (see
 * src/host/node/node-net-listen.ts). A malformed address is a usage error;
 * an address that cannot be bound is an error (exit status 1).
 */
import { parseListenAddress } from '../host/net/address.js';
import { listenTcp, type ListenSockets } from '../host/node/node-net-listen.js';
import { UsageError } from './run-args.js';

export type { ListenSockets };

export async function listenSockets(addresses: readonly string[]): Promise<ListenSockets> {
  const parsed = addresses.map((a) => {
    const p = parseListenAddress(a);
    if (p === undefined) throw new UsageError(`--listen needs HOST:PORT or [IPv6]:PORT, got '${a}'`);
    return p;
  });
  return listenTcp(parsed);
}
