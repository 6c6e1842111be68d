/**
 * The shared memory of one socket (layer: host, platform-neutral), read
 * and written by the kernel's thread and by the I/O thread that owns the
 * host socket (socket-protocol.ts describes the messages beside it).
 *
 * One SharedArrayBuffer per socket holds, in order:
 *   - Int32 control cells (SocketCell), touched only with Atomics;
 *   - for a listener, the accept queue: ids of connections ready to be
 *     accepted, in arrival order (ACCEPT_SLOTS cells);
 *   - the local and the peer address: 16 bytes each (an IPv4 address in
 *     the first 4), with family and port in cells;
 *   - for a connection or a datagram socket, two SharedRings: `in` (I/O
 *     thread → kernel) and `out` (kernel → I/O thread). A datagram socket
 *     frames each datagram in its rings (datagram-frame.ts).
 *
 * Who writes what: the I/O thread sets the IO_FLAGS bits, ERRNO, the
 * DONE cells, the addresses (before it sets the flag that makes them
 * meaningful: BOUND or CONNECTED), ACCEPT_WRITE, and produces into `in`;
 * the kernel sets the KERNEL_FLAGS bits and ACCEPT_READ, and produces into
 * `out`. Plain byte copies made before an Atomics store are visible to the
 * other thread after its Atomics load of that cell.
 */
import { SharedRing } from './ring-buffer.js';
import { formatIp, ipBytes, type IpFamily, type SocketAddress } from './socket-address.js';

/** Control cells (Int32 indices). */
export const enum SocketCell {
  /** IoState bits, set by the I/O thread. */
  IO_FLAGS = 0,
  /** The pending error behind IoState.ERROR (a WASI errno). */
  ERRNO = 1,
  /** The `seq` of the last bind/listen the I/O thread answered. */
  DONE_SEQ = 2,
  /** Its errno (0: it succeeded); written before DONE_SEQ. */
  DONE_ERRNO = 3,
  /** KernelState bits, set by the kernel. */
  KERNEL_FLAGS = 4,
  /** 0 (none), 4 or 6. */
  LOCAL_FAMILY = 5,
  LOCAL_PORT = 6,
  PEER_FAMILY = 7,
  PEER_PORT = 8,
  IN_READ = 9,
  IN_WRITE = 10,
  OUT_READ = 11,
  OUT_WRITE = 12,
  /** Bytes of each ring (0: no rings, a listener). */
  RING_BYTES = 13,
  /** Cells of the accept queue (0: not a listener). */
  ACCEPT_SLOTS = 14,
  /** Connections taken by accept (kernel). */
  ACCEPT_READ = 15,
  /** Connections queued for accept (I/O thread). */
  ACCEPT_WRITE = 16,
  CELLS = 18,
}

/** IO_FLAGS bits. */
export const enum IoState {
  /** Connected (stream); the local and peer addresses are set. */
  CONNECTED = 1,
  LISTENING = 2,
  /** The peer sent FIN (set once every received byte is in the ring). */
  PEER_CLOSED = 4,
  /** ERRNO holds a pending error. */
  ERROR = 8,
  /** Bound on the host; the local address is set. */
  BOUND = 16,
  /** The I/O thread holds received bytes that did not fit: ring the doorbell after freeing room. */
  HOLDING = 32,
}

/** KERNEL_FLAGS bits. */
export const enum KernelState {
  SHUT_RD = 1,
  SHUT_WR = 2,
  CLOSED = 4,
}

/** What a socket's memory holds. */
export interface SocketShape {
  /** Bytes of each ring, a power of two; 0 for none (a listener). */
  ringBytes: number;
  /** Accept queue cells (a listener's spares); 0 otherwise. */
  acceptSlots: number;
}

const ADDRESS_BYTES = 16;

/** The smallest power of two ≥ `n` (at least 1 KiB). */
export function ringSize(n: number): number {
  let p = 1024;
  while (p < n) p *= 2;
  return p;
}

export class SocketMemory {
  readonly buffer: SharedArrayBuffer;
  readonly cells: Int32Array;
  readonly ringBytes: number;
  readonly acceptSlots: number;
  readonly #addresses: Uint8Array;
  readonly #in: SharedRing | undefined;
  readonly #out: SharedRing | undefined;

  /** Allocates the memory of a new socket. */
  static create(shape: SocketShape): SocketMemory {
    const ringBytes = shape.ringBytes === 0 ? 0 : ringSize(shape.ringBytes);
    const acceptSlots = Math.max(0, Math.floor(shape.acceptSlots));
    const buffer = new SharedArrayBuffer(ringStart(acceptSlots) + 2 * ringBytes);
    const cells = new Int32Array(buffer, 0, SocketCell.CELLS);
    cells[SocketCell.RING_BYTES] = ringBytes;
    cells[SocketCell.ACCEPT_SLOTS] = acceptSlots;
    return new SocketMemory(buffer);
  }

  /** Views memory made by `create` (on either thread). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    const head = new Int32Array(buffer, 0, SocketCell.CELLS);
    this.ringBytes = head[SocketCell.RING_BYTES]!;
    this.acceptSlots = head[SocketCell.ACCEPT_SLOTS]!;
    this.cells = new Int32Array(buffer, 0, SocketCell.CELLS + this.acceptSlots);
    const start = ringStart(this.acceptSlots);
    this.#addresses = new Uint8Array(buffer, start - 2 * ADDRESS_BYTES, 2 * ADDRESS_BYTES);
    if (this.ringBytes > 0) {
      this.#in = new SharedRing(this.cells, SocketCell.IN_READ, SocketCell.IN_WRITE, new Uint8Array(buffer, start, this.ringBytes));
      this.#out = new SharedRing(this.cells, SocketCell.OUT_READ, SocketCell.OUT_WRITE, new Uint8Array(buffer, start + this.ringBytes, this.ringBytes));
    }
  }

  get(cell: SocketCell): number { return Atomics.load(this.cells, cell); }
  set(cell: SocketCell, value: number): void { Atomics.store(this.cells, cell, value); }
  or(cell: SocketCell, bits: number): void { Atomics.or(this.cells, cell, bits); }
  clear(cell: SocketCell, bits: number): void { Atomics.and(this.cells, cell, ~bits); }
  has(cell: SocketCell, bits: number): boolean { return (this.get(cell) & bits) !== 0; }

  get hasRings(): boolean { return this.#in !== undefined; }
  /** Received bytes (I/O thread → kernel). */
  get inRing(): SharedRing { return this.#in ?? noRings(); }
  /** Bytes to send (kernel → I/O thread). */
  get outRing(): SharedRing { return this.#out ?? noRings(); }

  /** Writes an address (the bytes, then port, then family). */
  writeAddress(which: 'local' | 'peer', a: SocketAddress): void {
    const bytes = ipBytes(a.ip);
    if (bytes === undefined) throw new TypeError(`not an IP address: ${a.ip}`);
    const at = which === 'local' ? 0 : ADDRESS_BYTES;
    this.#addresses.fill(0, at, at + ADDRESS_BYTES);
    this.#addresses.set(bytes, at);
    this.set(which === 'local' ? SocketCell.LOCAL_PORT : SocketCell.PEER_PORT, a.port);
    this.set(which === 'local' ? SocketCell.LOCAL_FAMILY : SocketCell.PEER_FAMILY, bytes.length === 4 ? 4 : 6);
  }

  /** The address written by `writeAddress`, or undefined if none was. */
  readAddress(which: 'local' | 'peer'): SocketAddress | undefined {
    const family = this.get(which === 'local' ? SocketCell.LOCAL_FAMILY : SocketCell.PEER_FAMILY);
    if (family === 0) return undefined;
    const port = this.get(which === 'local' ? SocketCell.LOCAL_PORT : SocketCell.PEER_PORT);
    const at = which === 'local' ? 0 : ADDRESS_BYTES;
    const ip = formatIp(this.#addresses.slice(at, at + (family === 4 ? 4 : 16)));
    const f: IpFamily = family === 4 ? 'ipv4' : 'ipv6';
    return { family: f, ip, port };
  }

  /** Connections queued for accept and not taken yet. */
  queued(): number {
    return (this.get(SocketCell.ACCEPT_WRITE) - this.get(SocketCell.ACCEPT_READ)) >>> 0;
  }

  /** I/O thread: queues connection `id` for accept (there is always room: one cell per spare). */
  enqueue(id: number): void {
    const w = this.get(SocketCell.ACCEPT_WRITE);
    Atomics.store(this.cells, SocketCell.CELLS + (w >>> 0) % this.acceptSlots, id);
    this.set(SocketCell.ACCEPT_WRITE, (w + 1) | 0);
  }

  /** Kernel: takes the oldest queued connection id, or -1. */
  dequeue(): number {
    const r = this.get(SocketCell.ACCEPT_READ);
    if (r === this.get(SocketCell.ACCEPT_WRITE)) return -1;
    const id = Atomics.load(this.cells, SocketCell.CELLS + (r >>> 0) % this.acceptSlots);
    this.set(SocketCell.ACCEPT_READ, (r + 1) | 0);
    return id;
  }

  /** The ids still queued (for the I/O thread, once the kernel closed the listener and takes no more). */
  unaccepted(): number[] {
    const out: number[] = [];
    const w = this.get(SocketCell.ACCEPT_WRITE);
    for (let r = this.get(SocketCell.ACCEPT_READ); r !== w; r = (r + 1) | 0) {
      out.push(Atomics.load(this.cells, SocketCell.CELLS + (r >>> 0) % this.acceptSlots));
    }
    return out;
  }
}

/** Where the rings start: after the cells (8-byte aligned) and the two addresses. */
function ringStart(acceptSlots: number): number {
  const cellBytes = Math.ceil(((SocketCell.CELLS + acceptSlots) * 4) / 8) * 8;
  return cellBytes + 2 * ADDRESS_BYTES;
}

function noRings(): never {
  throw new Error('this socket memory has no rings (a listener)');
}
