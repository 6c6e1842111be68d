/**
 * The kernel's side of a network whose sockets live on an I/O thread
 * (layer: host, platform-neutral): makes SharedSockets and lookups, numbers
 * them, rings the doorbell, and keeps the sockets that reached the I/O
 * thread so that a failure of that thread reaches every one of them. A
 * platform supplies the I/O thread and how to post to it (Node:
 * host/node/node-networking.ts); nothing here waits for it.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { HostLookup, SocketKind } from './networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import type { IpFamily, SocketAddress } from './socket-address.js';
import { IoState, SocketCell } from './socket-layout.js';
import type { NetCommand } from './socket-protocol.js';
import { DEFAULT_TUNING, SharedSocket, readinessCell, type SocketHost, type SocketTuning } from './socket-proxy.js';
import { SharedLookup, literalLookup, lookupBuffer, writeLookup } from './shared-lookup.js';
import { BindProbe, probeBuffer } from './shared-bind-probe.js';

export class SharedNetworkClient implements SocketHost {
  /** The doorbell: one Int32 cell the I/O thread awaits. */
  readonly doorbell: SharedArrayBuffer;
  readonly #bell: Int32Array;
  readonly #post: (command: NetCommand) => void;
  readonly #live = new Map<number, SharedSocket>();
  readonly #lookups = new Map<number, { buffer: SharedArrayBuffer; readiness: ReadinessSignal }>();
  #nextId = 1;

  /** `post` delivers a command to the I/O thread, which awaits `doorbell`. */
  constructor(post: (command: NetCommand) => void, doorbell: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.#post = post;
    this.doorbell = doorbell;
    this.#bell = new Int32Array(doorbell, 0, 1);
  }

  socket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal, tuning: SocketTuning = DEFAULT_TUNING): SharedSocket {
    if (family !== 'ipv4' && family !== 'ipv6') throw new WasiError(Errno.AFNOSUPPORT);
    if (kind !== 'stream' && kind !== 'datagram') throw new WasiError(Errno.PROTONOSUPPORT);
    readinessCell(readiness);
    return new SharedSocket(this, this.nextId(), family, kind, readiness, tuning);
  }

  lookup(host: string, readiness: ReadinessSignal): HostLookup {
    const literal = literalLookup(host, readiness);
    if (literal !== undefined) return literal;
    const cell = readinessCell(readiness);
    const buffer = lookupBuffer();
    const id = this.nextId();
    for (const [k, l] of this.#lookups) if (done(l.buffer)) this.#lookups.delete(k);
    this.#lookups.set(id, { buffer, readiness });
    this.#post({ op: 'lookup', id, host, buffer, readiness: cell });
    return new SharedLookup(buffer, () => {
      this.#lookups.delete(id);
      this.#post({ op: 'cancelLookup', id });
    });
  }

  /** Starts a bind probe of `address` for stream socket `socket` (its bind: shared-bind-probe.ts). */
  probe(address: SocketAddress, onlyV6: boolean, readiness: ReadinessSignal, socket: number): BindProbe {
    const cell = readinessCell(readiness);
    const buffer = probeBuffer();
    const id = this.nextId();
    for (const [k, l] of this.#lookups) if (done(l.buffer)) this.#lookups.delete(k);
    // Kept with the lookups: a failed I/O thread answers both with its errno (same DONE and ERRNO cells).
    this.#lookups.set(id, { buffer, readiness });
    this.#post({ op: 'probe', id, socket, address, onlyV6, buffer, readiness: cell });
    return new BindProbe(buffer);
  }

  /** The sockets the I/O thread knows (every one with `all`), by id, for `settle`. */
  ids(sockets?: readonly SharedSocket[]): number[] {
    return (sockets ?? [...this.#live.values()]).map((s) => s.id);
  }

  /**
   * The I/O thread is gone: every socket it served fails with `errno` and
   * every lookup under way with it, and their readiness signals are bumped.
   */
  failAll(errno: number): void {
    for (const s of this.#live.values()) {
      const mem = s.memory;
      if (mem === undefined) continue;
      if (!mem.has(SocketCell.IO_FLAGS, IoState.ERROR)) mem.set(SocketCell.ERRNO, errno);
      mem.or(SocketCell.IO_FLAGS, IoState.ERROR);
      s.readiness.notify();
    }
    for (const l of this.#lookups.values()) {
      if (!done(l.buffer)) writeLookup(l.buffer, { errno });
      l.readiness.notify();
    }
    this.#lookups.clear();
  }

  post(command: NetCommand): void { this.#post(command); }

  ring(): void {
    Atomics.add(this.#bell, 0, 1);
    Atomics.notify(this.#bell, 0);
  }

  nextId(): number { return this.#nextId++; }
  opened(socket: SharedSocket): void { this.#live.set(socket.id, socket); }
  released(socket: SharedSocket): void { this.#live.delete(socket.id); }
}

function done(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer, 0, 1), 0) !== 0;
}
