/**
 * The I/O thread's side of the shared-memory socket protocol (layer: host,
 * platform-neutral): what a Node worker (or a browser worker bridging to a
 * WebSocket, say) does to a SharedListenerMemory. It never blocks: it
 * waits for the guest's doorbell with Atomics.waitAsync, and after every
 * change it bumps the guest's readiness cell so a guest blocked in
 * Atomics.wait re-checks.
 */
import { GuestFlag, Header, IoFlag, Slot, SlotState, SharedListenerMemory } from './shared-layout.js';

/** A readiness cell shared with the guest thread (a ReadinessSignal's buffer). */
export interface ReadinessCell {
  buffer: SharedArrayBuffer;
  /** Int32 index of the counter in `buffer`. */
  index: number;
}

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };

export class ListenerIoSide {
  readonly mem: SharedListenerMemory;
  readonly #readiness: Int32Array;
  readonly #readinessIndex: number;

  constructor(buffer: SharedArrayBuffer, readiness: ReadinessCell) {
    this.mem = new SharedListenerMemory(buffer);
    this.#readiness = new Int32Array(readiness.buffer);
    this.#readinessIndex = readiness.index;
  }

  /** Tells the guest thread that something may have changed. */
  notify(): void {
    Atomics.add(this.#readiness, this.#readinessIndex, 1);
    Atomics.notify(this.#readiness, this.#readinessIndex);
  }

  /** The doorbell's value; pass it to `doorbell` to wait for the next ring. */
  get rung(): number { return this.mem.header(Header.DOORBELL); }

  /** Resolves once the guest rang the doorbell after `seen`. */
  async doorbell(seen: number): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    if (waitAsync === undefined) {
      // No Atomics.waitAsync (older browsers): poll.
      while (this.rung === seen) await new Promise((r) => setTimeout(r, 5));
      return;
    }
    const r = waitAsync(this.mem.cells, Header.DOORBELL, seen);
    if (r.async) await r.value;
  }

  listenerClosed(): boolean { return this.mem.header(Header.LISTENER_CLOSED) !== 0; }

  /** A FREE slot, or -1. */
  freeSlot(): number {
    for (let i = 0; i < this.mem.slots; i++) if (this.mem.get(i, Slot.STATE) === SlotState.FREE) return i;
    return -1;
  }

  /** Puts a new connection in a FREE slot and queues it for accept. */
  offer(slot: number): void {
    const m = this.mem;
    m.set(slot, Slot.IO_FLAGS, 0);
    m.set(slot, Slot.ERRNO, 0);
    m.set(slot, Slot.GUEST_FLAGS, 0);
    m.inRing(slot).reset();
    m.outRing(slot).reset();
    m.set(slot, Slot.STATE, SlotState.PENDING);
    m.enqueue(slot);
    this.notify();
  }

  state(slot: number): SlotState { return this.mem.get(slot, Slot.STATE); }
  guestFlags(slot: number): number { return this.mem.get(slot, Slot.GUEST_FLAGS); }
  readShut(slot: number): boolean { return (this.guestFlags(slot) & GuestFlag.SHUT_RD) !== 0; }
  writeShut(slot: number): boolean { return (this.guestFlags(slot) & GuestFlag.SHUT_WR) !== 0; }
  peerClosedSet(slot: number): boolean { return (this.mem.get(slot, Slot.IO_FLAGS) & IoFlag.PEER_EOF) !== 0; }

  /** Copies received bytes into the slot; returns how many fitted. */
  deliver(slot: number, data: Uint8Array): number {
    return this.mem.inRing(slot).write([data]);
  }

  /** Removes the bytes the guest queued for sending, if any. */
  takeOutbound(slot: number): Uint8Array | undefined {
    const ring = this.mem.outRing(slot);
    return ring.used() === 0 ? undefined : ring.take();
  }

  /** Marks the peer's FIN (after every received byte was delivered). */
  peerClosed(slot: number): void { this.mem.or(slot, Slot.IO_FLAGS, IoFlag.PEER_EOF); }

  /** Marks the connection failed with a WASI errno; false if it already was. */
  fail(slot: number, errno: number): boolean {
    if ((this.mem.get(slot, Slot.IO_FLAGS) & IoFlag.ERROR) !== 0) return false;
    this.mem.set(slot, Slot.ERRNO, errno);
    this.mem.or(slot, Slot.IO_FLAGS, IoFlag.ERROR);
    return true;
  }

  /** Returns a CLOSED (or never accepted) slot to the pool. */
  release(slot: number): void { this.mem.set(slot, Slot.STATE, SlotState.FREE); }

  /** Marks the whole I/O side failed, so no guest call waits forever. */
  failAll(errno: number): void {
    this.mem.setHeader(Header.IO_FAILED, errno);
    this.notify();
  }
}
