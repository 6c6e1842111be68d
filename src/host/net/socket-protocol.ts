/**
 * The messages of the shared-memory socket protocol (layer: host,
 * platform-neutral): what the kernel's thread posts to the I/O thread
 * that owns the host's sockets, and the one reply it may get back.
 *
 * Direction matters. The kernel side only posts (postMessage works even if
 * its thread then sleeps in Atomics.wait) and reads shared memory; it never
 * waits for a reply message, because its thread may be blocked when the
 * reply would arrive. The I/O side answers through each socket's shared
 * memory (socket-layout.ts), then bumps the socket's readiness cell. The
 * one reply message, `settled`, goes to asynchronous callers (closing
 * listeners, shutting the I/O thread down), never to a blocked kernel.
 *
 * Bytes do not travel in messages: the kernel writes a socket's out-ring
 * and rings the shared doorbell; the I/O thread awaits the doorbell
 * (Atomics.waitAsync) and pumps every socket with work.
 */
import type { MulticastInterface, SocketKind, SocketOption } from './networking.js';
import type { IpFamily, SocketAddress } from './socket-address.js';

/** A readiness cell shared with the kernel's thread (a ReadinessSignal's buffer and index). */
export interface ReadinessCell {
  buffer: SharedArrayBuffer;
  /** Int32 index of the counter in `buffer`. */
  index: number;
}

/** Options set on a socket, by name. */
export type OptionValues = Partial<Record<SocketOption, number | boolean>>;

/** Shared memory made ready for a connection a listener will accept, and the socket id it will have. */
export interface Spare {
  id: number;
  buffer: SharedArrayBuffer;
}

/**
 * Kernel → I/O thread. `id` names a socket (or a lookup); ids are chosen by
 * the kernel side. `seq` numbers an operation whose outcome the I/O thread
 * writes into the socket's DONE_SEQ / DONE_ERRNO cells.
 */
export type NetCommand =
  /** Creates the host side of a socket over `buffer`; `readiness` is bumped at every change. */
  | { op: 'open'; id: number; kind: SocketKind; family: IpFamily; buffer: SharedArrayBuffer; readiness: ReadinessCell; options: OptionValues }
  /** Binds a datagram socket on the host; answered through DONE_SEQ. */
  | { op: 'bind'; id: number; seq: number; address: SocketAddress }
  /** Binds (at `address`) and listens; answered through DONE_SEQ. `spares` receive the first connections. */
  | { op: 'listen'; id: number; seq: number; address: SocketAddress; backlog: number; spares: Spare[] }
  /** A fresh spare for a listener, replacing one a connection took. */
  | { op: 'spare'; id: number; spare: Spare }
  /** Connects a stream socket (from `local` when bound; over TLS checked against `tls.serverName` when given), or sets a datagram socket's default peer. */
  | { op: 'connect'; id: number; address: SocketAddress; local: SocketAddress | undefined; tls?: { serverName: string } }
  | { op: 'setOption'; id: number; option: SocketOption; value: number | boolean }
  /**
   * Joins (`join`) or leaves a multicast group on the host: at once when
   * the datagram socket is bound there, answered through DONE_SEQ (`seq`
   * > 0, sent only then); otherwise when it binds, unanswered (`seq` 0).
   */
  | { op: 'membership'; id: number; seq: number; join: boolean; group: string; iface: MulticastInterface }
  /** The kernel released the socket: send what is queued, then FIN, then forget it. */
  | { op: 'close'; id: number }
  /** Resolves `host`; the answer goes into `buffer` (shared-lookup.ts). */
  | { op: 'lookup'; id: number; host: string; buffer: SharedArrayBuffer; readiness: ReadinessCell }
  | { op: 'cancelLookup'; id: number }
  /**
   * Probes whether stream socket `socket` can bind `address`; the answer
   * (the port) goes into `buffer` (shared-bind-probe.ts). The I/O thread
   * holds the address until that socket listens (which takes it over),
   * connects or closes.
   */
  | { op: 'probe'; id: number; socket: number; address: SocketAddress; onlyV6: boolean; buffer: SharedArrayBuffer; readiness: ReadinessCell }
  /**
   * Closes the sockets `ids` (every socket with 'all'; none with 'closed'),
   * sending what is queued and FIN, waits for those and the sockets the
   * kernel closed before to hand that to the system (within a grace
   * period), then answers `settled` with `token`.
   */
  | { op: 'settle'; ids: number[] | 'all' | 'closed'; token: number };

/** I/O thread → asynchronous callers on the kernel's side. */
export type NetReply = { op: 'settled'; token: number };

/** What the I/O thread is started with. */
export interface NetWorkerData {
  /** One Int32 cell the kernel side bumps (Atomics.add + notify) whenever a socket has work. */
  doorbell: SharedArrayBuffer;
  /** Certificates (PEM) that TLS connections trust besides the host's own (see `NodeNetworkingOptions`). */
  trustedCertificates?: readonly string[];
}

/** Bumps a readiness cell and wakes the threads waiting on it (what the I/O thread does after every change). */
export function bumpReadiness(cell: ReadinessCell): void {
  const cells = new Int32Array(cell.buffer);
  Atomics.add(cells, cell.index, 1);
  Atomics.notify(cells, cell.index);
}
