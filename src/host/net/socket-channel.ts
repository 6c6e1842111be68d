/**
 * Channels over sockets (layer: host, platform-neutral): the
 * ListenerChannel / SocketChannel that the kernel's listening-socket
 * resources read (channel.ts), served by a listening VirtualSocket and the
 * connections it accepts. This is how `listenTcp` (sockets opened before a
 * guest runs) shares one implementation with the sockets a guest opens.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { ChannelStatus, ListenerChannel, SocketChannel } from './channel.js';
import type { VirtualSocket } from './networking.js';

export class SocketListenerChannel implements ListenerChannel {
  readonly #socket: VirtualSocket;
  readonly #accepted: (socket: VirtualSocket) => void;

  /** `socket` listens; `accepted` sees every connection handed out. */
  constructor(socket: VirtualSocket, accepted: (socket: VirtualSocket) => void = () => {}) {
    this.#socket = socket;
    this.#accepted = accepted;
  }

  pending(): number { return this.#socket.state().readable; }

  accept(): SocketChannel | undefined {
    const conn = again(() => this.#socket.accept(), undefined);
    if (conn === undefined) return undefined;
    this.#accepted(conn.socket);
    return new SocketStreamChannel(conn.socket);
  }

  failure(): number { return this.#socket.state().error; }

  close(): void { this.#socket.close(); }
}

export class SocketStreamChannel implements SocketChannel {
  readonly #socket: VirtualSocket;
  readonly receiveCapacity: number;

  constructor(socket: VirtualSocket) {
    this.#socket = socket;
    this.receiveCapacity = Number(socket.getOption('receiveBufferSize'));
  }

  readable(): number { return this.#socket.state().readable; }
  receive(dst: readonly Uint8Array[], peek: boolean): number { return again(() => this.#socket.receive(dst, peek), 0); }
  writable(): number { return this.#socket.state().writable; }
  send(src: readonly Uint8Array[]): number { return again(() => this.#socket.send(src), 0); }

  status(): ChannelStatus {
    const st = this.#socket.state();
    return { peerClosed: st.peerClosed, error: st.error };
  }

  shutdown(read: boolean, write: boolean): void {
    try {
      this.#socket.shutdown(read, write);
    } catch (e) {
      if (!(e instanceof WasiError && e.errno === Errno.NOTCONN)) throw e;
    }
  }

  close(): void { this.#socket.close(); }
}

/** `f()`, or `otherwise` when it answers AGAIN. */
function again<T, U>(f: () => T, otherwise: U): T | U {
  try {
    return f();
  } catch (e) {
    if (e instanceof WasiError && e.errno === Errno.AGAIN) return otherwise;
    throw e;
  }
}
