/**
 * One listening TCP socket on the socket I/O thread (layer: host, Node): a
 * net.Server whose connections go to the kernel through the spare socket
 * memories the kernel hands over (host/net/socket-proxy.ts). A connection
 * takes a spare, becomes a HostStream registered under the spare's id, and
 * is queued by that id in the listener's accept queue; while no spare is
 * free, connections wait here, paused (the server pauses them on arrival).
 */
import net from 'node:net';
import { errnoOf } from '../../abi/host-errors.js';
import type { SocketOption } from '../net/networking.js';
import type { IpFamily, SocketAddress } from '../net/socket-address.js';
import { IoState } from '../net/socket-layout.js';
import { SocketIoSide } from '../net/socket-io-side.js';
import type { Spare } from '../net/socket-protocol.js';
import { socketAddress, type HostSocket, type SocketRegistry } from './node-net-host-socket.js';
import { HostStream } from './node-net-stream.js';
import type { HeldAddress } from './node-net-probe.js';

export class HostListener implements HostSocket {
  readonly io: SocketIoSide;
  readonly family: IpFamily;
  readonly #options: Map<SocketOption, number | boolean>;
  readonly #registry: SocketRegistry;
  #server: net.Server | undefined;
  #spares: Spare[] = [];
  /** Connections that arrived while no spare was free, paused. */
  readonly #waiting: net.Socket[] = [];
  #closed = false;

  constructor(io: SocketIoSide, family: IpFamily, options: ReadonlyMap<SocketOption, number | boolean>, registry: SocketRegistry) {
    this.io = io;
    this.family = family;
    this.#options = new Map(options);
    this.#registry = registry;
  }

  /**
   * Binds `address` and listens; answers `seq` in the shared memory. With
   * `held` (the address the socket's bind probe holds), its server is taken
   * over, already listening, with the connections that came meanwhile.
   */
  listen(seq: number, address: SocketAddress, backlog: number, spares: readonly Spare[], held?: HeldAddress): void {
    this.#spares.push(...spares);
    if (held !== undefined) {
      const { server, waiting } = held.takeOver();
      server.on('connection', (s) => this.#arrived(s));
      this.#server = server;
      this.#listening(seq, server);
      for (const s of waiting) this.#arrived(s);
      return;
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const failed = (e: unknown) => {
      this.#server = undefined;
      this.io.answer(seq, errnoOf(e));
      this.io.notify();
    };
    server.on('connection', (s) => this.#arrived(s));
    server.once('error', failed);
    this.#server = server;
    try {
      server.listen({ host: address.ip, port: address.port, backlog, ipv6Only: this.#options.get('onlyV6') === true }, () => {
        server.off('error', failed);
        server.on('error', () => { /* a listening server reports nothing more the kernel could use */ });
        this.#listening(seq, server);
      });
    } catch (e) {
      failed(e);
    }
  }

  /** `server` listens: answers `seq` with the address it is bound to. */
  #listening(seq: number, server: net.Server): void {
    if (this.#closed) {
      // The kernel closed it while the host was binding.
      server.close();
      return;
    }
    const bound = server.address() as net.AddressInfo;
    this.io.bound(socketAddress(this.family, bound.address, bound.port));
    this.io.set(IoState.LISTENING);
    this.io.answer(seq, 0);
    this.io.notify();
    this.#assign();
  }

  /** A fresh spare from the kernel (it accepted a connection). */
  spare(spare: Spare): void {
    if (this.#closed) return;
    this.#spares.push(spare);
    this.#assign();
  }

  pump(): void { /* connections are pumped on their own */ }

  setOption(option: SocketOption, value: number | boolean): void {
    // Connections accepted from now on inherit it.
    this.#options.set(option, value);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#server?.close();
      this.#server = undefined;
      for (const s of this.#waiting.splice(0)) s.destroy();
      // The kernel takes no more: connections still queued were never accepted.
      for (const id of this.io.mem.unaccepted()) this.#registry.remove(id)?.destroy();
      this.#spares = [];
    }
    return Promise.resolve();
  }

  destroy(): void { void this.close(); }

  fail(errno: number): void {
    if (this.io.fail(errno)) this.io.notify();
  }

  #arrived(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    socket.on('error', () => { /* reported once it is a connection */ });
    socket.once('close', () => {
      const i = this.#waiting.indexOf(socket);
      if (i >= 0) this.#waiting.splice(i, 1);
    });
    this.#waiting.push(socket);
    this.#assign();
  }

  /** Gives waiting connections free spares and queues them for accept. */
  #assign(): void {
    let queued = false;
    while (this.#waiting.length > 0 && this.#spares.length > 0 && !this.#closed) {
      const socket = this.#waiting.shift()!;
      if (socket.destroyed || socket.remoteAddress === undefined) continue;
      const spare = this.#spares.shift()!;
      const io = new SocketIoSide(spare.buffer, this.io.readiness);
      io.connected(
        socketAddress(this.family, socket.localAddress, socket.localPort),
        socketAddress(this.family, socket.remoteAddress, socket.remotePort),
      );
      const conn = new HostStream(io, this.family, this.#options);
      this.#registry.add(spare.id, conn);
      conn.attach(socket);
      this.io.mem.enqueue(spare.id);
      queued = true;
    }
    if (queued) this.io.notify();
  }
}
