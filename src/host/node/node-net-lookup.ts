/**
 * Name lookups on the socket I/O thread (layer: host, Node): dns.lookup
 * (the system's resolver, as getaddrinfo), every address, in the order the
 * system gives them; the answer goes into the lookup's shared memory
 * (host/net/shared-lookup.ts), then the readiness cell is bumped.
 */
import dns from 'node:dns';
import { Errno } from '../../abi/errno.js';
import { writeLookup } from '../net/shared-lookup.js';
import { bumpReadiness, type ReadinessCell } from '../net/socket-protocol.js';

/** Node's codes for "no such name" (getaddrinfo's EAI_NONAME and EAI_NODATA). */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'EAI_NONAME', 'ENODATA', 'EAI_NODATA']);

/** Resolves `host` into `buffer`, unless `wanted()` says the kernel gave up meanwhile. */
export function lookupHost(host: string, buffer: SharedArrayBuffer, readiness: ReadinessCell, wanted: () => boolean): void {
  dns.lookup(host, { all: true, verbatim: true }, (err, addresses) => {
    if (!wanted()) return;
    if (err !== null) {
      writeLookup(buffer, { errno: NO_SUCH_NAME.has(err.code ?? '') ? Errno.NOENT : Errno.IO });
    } else {
      writeLookup(buffer, { addresses: addresses.map((a) => a.address) });
    }
    bumpReadiness(readiness);
  });
}
