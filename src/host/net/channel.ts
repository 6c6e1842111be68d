/**
 * What the kernel's socket resources need from the host (layer: host,
 * platform-neutral interfaces). Every method answers at once and never
 * blocks: the kernel builds blocking on top, by waiting on the readiness
 * signal that the host bumps whenever a channel's state changes.
 */

/** Status of a connection as the host last saw it. */
export interface ChannelStatus {
  /** The peer sent FIN (or the connection is gone): once received data is drained, reads see EOF. */
  peerClosed: boolean;
  /** A WASI errno (e.g. ECONNRESET) once the connection failed; 0 otherwise. */
  error: number;
}

/** One accepted TCP connection, seen from the guest thread. */
export interface SocketChannel {
  /** The most bytes `readable()` can reach (the receive buffer's size). */
  readonly receiveCapacity: number;
  /** Bytes received and not yet consumed. */
  readable(): number;
  /** Copies up to `readable()` bytes into `dst`; `peek` leaves them queued. */
  receive(dst: readonly Uint8Array[], peek: boolean): number;
  /** Bytes that `send` can take now. */
  writable(): number;
  /** Queues as much of `src` as fits; returns the bytes taken. */
  send(src: readonly Uint8Array[]): number;
  /** The connection's state as the host last saw it. */
  status(): ChannelStatus;
  /** Half-closes: `read` discards what arrives, `write` sends FIN once queued data is out. */
  shutdown(read: boolean, write: boolean): void;
  /** Releases the connection (queued output is still sent, then FIN). */
  close(): void;
}

/** A listening TCP socket, seen from the guest thread. */
export interface ListenerChannel {
  /** Connections waiting to be accepted. */
  pending(): number;
  /** The oldest waiting connection, or undefined. */
  accept(): SocketChannel | undefined;
  /** A WASI errno if the host side failed (every call then reports it); 0 otherwise. */
  failure(): number;
  /** Stops listening; connections already accepted stay open. */
  close(): void;
}
