/**
 * Bind probes on the socket I/O thread (layer: host, Node): see
 * host/net/shared-bind-probe.ts. Listens on the address (exclusively, so a
 * port in use fails as bind fails), reads the port, closes, answers.
 */
import net from 'node:net';
import { errnoOf } from '../../abi/host-errors.js';
import { writeProbe } from '../net/shared-bind-probe.js';
import type { SocketAddress } from '../net/socket-address.js';
import { bumpReadiness, type ReadinessCell } from '../net/socket-protocol.js';

/** Probes `address` (port 0: any free port) and answers into `buffer`. */
export function probeBind(address: SocketAddress, onlyV6: boolean, buffer: SharedArrayBuffer, readiness: ReadinessCell): void {
  const server = net.createServer();
  const answer = (a: { port: number } | { errno: number }): void => {
    writeProbe(buffer, a);
    bumpReadiness(readiness);
  };
  server.once('error', (e) => answer({ errno: errnoOf(e) }));
  try {
    server.listen({ host: address.ip, port: address.port, exclusive: true, ipv6Only: onlyV6 }, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => answer({ port }));
    });
  } catch (e) {
    answer({ errno: errnoOf(e) });
  }
}
