/**
 * The shared-memory layout of one listening socket (layer: host,
 * platform-neutral), used by both the guest thread and the I/O thread.
 *
 * One SharedArrayBuffer per listener holds:
 *   - a header: the doorbell (bumped by the guest thread whenever it
 *     consumes, produces, accepts, shuts down or closes, so the I/O thread
 *     can sleep in Atomics.waitAsync), the listener's closed flag, an
 *     I/O-failure errno, and the accept queue's two counters;
 *   - the accept queue: slot numbers of connections waiting for accept;
 *   - a fixed pool of connection slots, each with control cells (state,
 *     flags set by each side, errno) and two rings: `in` (I/O thread →
 *     guest) and `out` (guest → I/O thread).
 *
 * Ownership of a slot's state: the I/O thread moves FREE → PENDING (and
 * back when the listener closes) and CLOSED → FREE; the guest thread moves
 * PENDING → OPEN (accept) and OPEN → CLOSED (close). Each side only ever
 * sets its own flag cell.
 */
import { SharedRing } from './ring-buffer.js';

/** Header cells. */
export const enum Header {
  DOORBELL = 0,
  /** 1 once the guest closed the listener. */
  LISTENER_CLOSED = 1,
  /** Non-zero (an errno) if the I/O thread failed: every call reports it. */
  IO_FAILED = 2,
  ACCEPT_READ = 3,
  ACCEPT_WRITE = 4,
  SLOTS = 5,
  RING_BYTES = 6,
  CELLS = 8,
}

/** Cells of one slot. */
export const enum Slot {
  STATE = 0,
  /** IoFlag bits, set by the I/O thread. */
  IO_FLAGS = 1,
  /** The errno behind IoFlag.ERROR. */
  ERRNO = 2,
  /** GuestFlag bits, set by the guest thread. */
  GUEST_FLAGS = 3,
  IN_READ = 4,
  IN_WRITE = 5,
  OUT_READ = 6,
  OUT_WRITE = 7,
  CELLS = 8,
}

export const enum SlotState { FREE = 0, PENDING = 1, OPEN = 2, CLOSED = 3 }
export const enum IoFlag { PEER_EOF = 1, ERROR = 2 }
export const enum GuestFlag { SHUT_RD = 1, SHUT_WR = 2 }

/** Sizes of the shared memory behind a listening socket and its connections. */
export interface SharedListenerOptions {
  /** Connections that can be pending or open at once (default 32); more wait in the I/O thread. */
  maxConnections?: number;
  /** Bytes buffered per connection and direction, rounded up to a power of two (default 64 KiB). */
  bufferSize?: number;
}

function powerOfTwo(n: number): number {
  let p = 1024;
  while (p < n) p *= 2;
  return p;
}

export class SharedListenerMemory {
  readonly buffer: SharedArrayBuffer;
  /** Header, accept queue and slot cells; touched only with Atomics. */
  readonly cells: Int32Array;
  readonly slots: number;
  readonly ringBytes: number;
  readonly #rings: { in: SharedRing; out: SharedRing }[] = [];

  /** Allocates the memory for a new listener. */
  static create(options: SharedListenerOptions = {}): SharedListenerMemory {
    const slots = Math.max(1, Math.floor(options.maxConnections ?? 32));
    const ringBytes = powerOfTwo(options.bufferSize ?? 64 * 1024);
    const buffer = new SharedArrayBuffer(cellBytes(slots) + slots * 2 * ringBytes);
    const header = new Int32Array(buffer, 0, Header.CELLS);
    header[Header.SLOTS] = slots;
    header[Header.RING_BYTES] = ringBytes;
    return new SharedListenerMemory(buffer);
  }

  /** Views memory made by `create` (on the other thread). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    const header = new Int32Array(buffer, 0, Header.CELLS);
    this.slots = header[Header.SLOTS]!;
    this.ringBytes = header[Header.RING_BYTES]!;
    this.cells = new Int32Array(buffer, 0, cellBytes(this.slots) / 4);
    const dataStart = cellBytes(this.slots);
    for (let i = 0; i < this.slots; i++) {
      const base = this.slotCell(i, 0);
      const at = dataStart + i * 2 * this.ringBytes;
      this.#rings.push({
        in: new SharedRing(this.cells, base + Slot.IN_READ, base + Slot.IN_WRITE, new Uint8Array(buffer, at, this.ringBytes)),
        out: new SharedRing(this.cells, base + Slot.OUT_READ, base + Slot.OUT_WRITE, new Uint8Array(buffer, at + this.ringBytes, this.ringBytes)),
      });
    }
  }

  /** Index in `cells` of a slot's cell. */
  slotCell(slot: number, cell: Slot): number {
    return Header.CELLS + this.slots + slot * Slot.CELLS + cell;
  }

  get(slot: number, cell: Slot): number { return Atomics.load(this.cells, this.slotCell(slot, cell)); }
  set(slot: number, cell: Slot, value: number): void { Atomics.store(this.cells, this.slotCell(slot, cell), value); }
  or(slot: number, cell: Slot, bits: number): void { Atomics.or(this.cells, this.slotCell(slot, cell), bits); }

  header(cell: Header): number { return Atomics.load(this.cells, cell); }
  setHeader(cell: Header, value: number): void { Atomics.store(this.cells, cell, value); }

  inRing(slot: number): SharedRing { return this.#rings[slot]!.in; }
  outRing(slot: number): SharedRing { return this.#rings[slot]!.out; }

  /** Connections waiting in the accept queue. */
  pending(): number {
    return (this.header(Header.ACCEPT_WRITE) - this.header(Header.ACCEPT_READ)) >>> 0;
  }

  /** I/O thread: queues a PENDING slot for accept. */
  enqueue(slot: number): void {
    const w = this.header(Header.ACCEPT_WRITE);
    Atomics.store(this.cells, Header.CELLS + (w >>> 0) % this.slots, slot);
    this.setHeader(Header.ACCEPT_WRITE, (w + 1) | 0);
  }

  /** Guest thread: takes the oldest queued slot, or -1. */
  dequeue(): number {
    const r = this.header(Header.ACCEPT_READ);
    if (r === this.header(Header.ACCEPT_WRITE)) return -1;
    const slot = Atomics.load(this.cells, Header.CELLS + (r >>> 0) % this.slots);
    this.setHeader(Header.ACCEPT_READ, (r + 1) | 0);
    return slot;
  }

  /** Guest thread: wakes the I/O thread. */
  ring(): void {
    Atomics.add(this.cells, Header.DOORBELL, 1);
    Atomics.notify(this.cells, Header.DOORBELL);
  }
}

/** Bytes of the cell area, a multiple of 8 so the rings start aligned. */
function cellBytes(slots: number): number {
  const cells = Header.CELLS + slots + slots * Slot.CELLS;
  return Math.ceil((cells * 4) / 8) * 8;
}
