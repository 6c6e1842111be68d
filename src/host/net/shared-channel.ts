/**
 * The guest thread's side of the shared-memory socket protocol (layer:
 * host, platform-neutral): ListenerChannel and SocketChannel over a
 * SharedListenerMemory. Every state change the I/O thread must act on
 * rings the doorbell; nothing here blocks.
 */
import type { ChannelStatus, ListenerChannel, SocketChannel } from './channel.js';
import { GuestFlag, Header, IoFlag, Slot, SlotState, SharedListenerMemory } from './shared-layout.js';

export class SharedListenerChannel implements ListenerChannel {
  readonly #mem: SharedListenerMemory;

  constructor(buffer: SharedArrayBuffer) {
    this.#mem = new SharedListenerMemory(buffer);
  }

  pending(): number { return this.#mem.pending(); }

  accept(): SocketChannel | undefined {
    const slot = this.#mem.dequeue();
    if (slot < 0) return undefined;
    this.#mem.set(slot, Slot.STATE, SlotState.OPEN);
    this.#mem.ring();
    return new SharedSocketChannel(this.#mem, slot);
  }

  failure(): number { return this.#mem.header(Header.IO_FAILED); }

  close(): void {
    this.#mem.setHeader(Header.LISTENER_CLOSED, 1);
    this.#mem.ring();
  }
}

export class SharedSocketChannel implements SocketChannel {
  readonly #mem: SharedListenerMemory;
  readonly #slot: number;
  #closed = false;

  constructor(mem: SharedListenerMemory, slot: number) {
    this.#mem = mem;
    this.#slot = slot;
  }

  get receiveCapacity(): number { return this.#mem.ringBytes; }

  readable(): number { return this.#closed ? 0 : this.#mem.inRing(this.#slot).used(); }

  receive(dst: readonly Uint8Array[], peek: boolean): number {
    if (this.#closed) return 0;
    const n = this.#mem.inRing(this.#slot).read(dst, peek);
    // Freed space lets the I/O thread deliver what it holds back.
    if (n > 0 && !peek) this.#mem.ring();
    return n;
  }

  writable(): number { return this.#closed ? 0 : this.#mem.outRing(this.#slot).free(); }

  send(src: readonly Uint8Array[]): number {
    if (this.#closed) return 0;
    const n = this.#mem.outRing(this.#slot).write(src);
    if (n > 0) this.#mem.ring();
    return n;
  }

  status(): ChannelStatus {
    const failed = this.#mem.header(Header.IO_FAILED);
    if (this.#closed) return { peerClosed: true, error: failed };
    const flags = this.#mem.get(this.#slot, Slot.IO_FLAGS);
    const error = (flags & IoFlag.ERROR) !== 0 ? this.#mem.get(this.#slot, Slot.ERRNO) : failed;
    return { peerClosed: (flags & IoFlag.PEER_EOF) !== 0, error };
  }

  shutdown(read: boolean, write: boolean): void {
    if (this.#closed) return;
    const bits = (read ? GuestFlag.SHUT_RD : 0) | (write ? GuestFlag.SHUT_WR : 0);
    this.#mem.or(this.#slot, Slot.GUEST_FLAGS, bits);
    if (read) this.#mem.inRing(this.#slot).discard();
    this.#mem.ring();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mem.set(this.#slot, Slot.STATE, SlotState.CLOSED);
    this.#mem.ring();
  }
}
