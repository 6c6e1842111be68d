/**
 * The I/O thread's side of one socket's shared memory (layer: host,
 * platform-neutral): what a Node worker (or a browser worker bridging to
 * some transport) does to a SocketMemory. Every change the kernel may
 * care about is followed by `notify()`, which bumps the socket's readiness
 * cell so a kernel blocked in Atomics.wait checks again.
 */
import { peekFrame, readFrame, writeFrame } from './datagram-frame.js';
import type { SocketAddress } from './socket-address.js';
import { IoState, KernelState, SocketCell, SocketMemory } from './socket-layout.js';
import { bumpReadiness, type ReadinessCell } from './socket-protocol.js';

export class SocketIoSide {
  readonly mem: SocketMemory;
  readonly readiness: ReadinessCell;

  constructor(buffer: SharedArrayBuffer, readiness: ReadinessCell) {
    this.mem = new SocketMemory(buffer);
    this.readiness = readiness;
  }

  /** Tells the kernel that something may have changed. */
  notify(): void { bumpReadiness(this.readiness); }

  has(bits: IoState): boolean { return this.mem.has(SocketCell.IO_FLAGS, bits); }
  set(bits: IoState): void { this.mem.or(SocketCell.IO_FLAGS, bits); }
  clear(bits: IoState): void { this.mem.clear(SocketCell.IO_FLAGS, bits); }

  readShut(): boolean { return this.mem.has(SocketCell.KERNEL_FLAGS, KernelState.SHUT_RD); }
  writeShut(): boolean { return this.mem.has(SocketCell.KERNEL_FLAGS, KernelState.SHUT_WR); }
  closedByKernel(): boolean { return this.mem.has(SocketCell.KERNEL_FLAGS, KernelState.CLOSED); }

  /** Records the pending error (the first one stays); false if there already was one. */
  fail(errno: number): boolean {
    if (this.has(IoState.ERROR)) return false;
    this.mem.set(SocketCell.ERRNO, errno);
    this.set(IoState.ERROR);
    return true;
  }

  /** Answers the bind or listen numbered `seq` (errno 0: done). */
  answer(seq: number, errno: number): void {
    this.mem.set(SocketCell.DONE_ERRNO, errno);
    this.mem.set(SocketCell.DONE_SEQ, seq);
  }

  /** Sets the bound address and BOUND. */
  bound(local: SocketAddress): void {
    this.mem.writeAddress('local', local);
    this.set(IoState.BOUND);
  }

  /** Sets both addresses, BOUND and CONNECTED. */
  connected(local: SocketAddress, peer: SocketAddress): void {
    this.mem.writeAddress('local', local);
    this.mem.writeAddress('peer', peer);
    this.set(IoState.BOUND | IoState.CONNECTED);
  }

  /** Copies received bytes into the in-ring; returns how many fitted. */
  deliver(data: Uint8Array): number { return this.mem.inRing.write([data]); }

  /** Queues a received datagram; false (dropped) when the in-ring has no room for it. */
  deliverDatagram(from: SocketAddress, data: Uint8Array): boolean {
    return writeFrame(this.mem.inRing, from, [data]);
  }

  /** Removes the bytes the kernel queued for sending, if any. */
  takeOutbound(): Uint8Array | undefined {
    const ring = this.mem.outRing;
    return ring.used() === 0 ? undefined : ring.take();
  }

  /** Removes the next datagram the kernel queued for sending, if any. */
  takeDatagram(): { to: SocketAddress; data: Uint8Array } | undefined {
    const ring = this.mem.outRing;
    const head = peekFrame(ring);
    if (head === undefined) return undefined;
    const data = new Uint8Array(head.size);
    readFrame(ring, [data], false);
    return { to: head.address, data };
  }

  /** Drops everything queued for sending; true if there was something. */
  discardOutbound(): boolean {
    const ring = this.mem.outRing;
    if (ring.used() === 0) return false;
    ring.discard();
    return true;
  }
}
