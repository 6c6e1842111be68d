/**
 * Bind probes on the socket I/O thread (layer: host, Node): see
 * host/net/shared-bind-probe.ts. Listens on the address (exclusively, so a
 * port in use fails as bind fails), answers with the port, and holds the
 * address for the socket: its listen takes the server over, so a peer
 * that connects between the guest's bind and its listen waits for its
 * accept (closing the probe would reset it); its connect or close lets the
 * address go.
 */
import net from 'node:net';
import { errnoOf } from '../../abi/host-errors.js';
import { writeProbe } from '../net/shared-bind-probe.js';
import type { SocketAddress } from '../net/socket-address.js';
import { bumpReadiness, type ReadinessCell } from '../net/socket-protocol.js';

/** An address held for a stream socket between its bind and its listen, connect or close. */
export class HeldAddress {
  /** Connections that arrived before the socket listened, paused. */
  readonly waiting: net.Socket[] = [];
  #state: 'held' | 'taken' | 'closed' = 'held';

  constructor(readonly server: net.Server) {}

  /** True once the address was let go (the server closes when its listen completes, if it had not yet). */
  get letGo(): boolean { return this.#state === 'closed'; }

  /** The socket listens: the server and its waiting connections are the listener's now. */
  takeOver(): { server: net.Server; waiting: net.Socket[] } {
    this.#state = 'taken';
    this.server.removeAllListeners('connection');
    return { server: this.server, waiting: this.waiting.splice(0) };
  }

  /** Lets the address go; connections that waited for a listen that never came are reset. */
  close(): void {
    if (this.#state !== 'held') return;
    this.#state = 'closed';
    if (this.server.listening) this.server.close();
    for (const s of this.waiting.splice(0)) s.destroy();
  }
}

/** Probes `address` (port 0: any free port), answers into `buffer`, and holds the address while it is bound. */
export function probeBind(address: SocketAddress, onlyV6: boolean, buffer: SharedArrayBuffer, readiness: ReadinessCell): HeldAddress {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const held = new HeldAddress(server);
  const answer = (a: { port: number } | { errno: number }): void => {
    writeProbe(buffer, a);
    bumpReadiness(readiness);
  };
  server.on('connection', (s) => {
    s.on('error', () => { /* reported once it is accepted */ });
    s.once('close', () => {
      const i = held.waiting.indexOf(s);
      if (i >= 0) held.waiting.splice(i, 1);
    });
    held.waiting.push(s);
  });
  const failed = (e: unknown): void => {
    held.close();
    answer({ errno: errnoOf(e) });
  };
  server.once('error', failed);
  try {
    server.listen({ host: address.ip, port: address.port, exclusive: true, ipv6Only: onlyV6 }, () => {
      server.off('error', failed);
      server.on('error', () => { /* a listening server reports nothing more the kernel could use */ });
      const port = (server.address() as net.AddressInfo).port;
      if (held.letGo) server.close(); // the socket let go of it while it was being bound
      answer({ port });
    });
  } catch (e) {
    failed(e);
  }
  return held;
}
