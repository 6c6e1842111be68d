/**
 * Epoll resources (layer: kernel): the interest list behind WASIX
 * `epoll_create`, `epoll_ctl` and `epoll_wait`, with the event bits and ctl
 * operations numbered as `typenames.witx` numbers them (`epoll_type`,
 * `epoll_ctl`).
 *
 * Keys. As on Linux, an entry is keyed by the open file description and the
 * descriptor number it was added under: here the Resource object plus the fd
 * number, so `dup`ed descriptors can be added side by side, and a new
 * resource at a reused number is a new key.
 *
 * Closing. Linux drops a file description from every epoll set when its last
 * descriptor closes, which is when Kiln calls `Resource.close()`. A module
 * registry records which epoll instances watch a resource;
 * `dropFromEpollSets(resource)` removes the resource from all of them. The
 * pipe, eventfd and epoll resources call it from their own `close()`; for
 * any other kind, whoever closes resources (the descriptor table) calls it.
 *
 * Readiness to events. A resource reports readiness per direction, with one
 * hangup flag each (kernel/resource.ts); `epoll_wait` needs Linux's bits:
 * - EPOLLIN / EPOLLOUT when `pollRead()` / `pollWrite()` is ready and the
 *   entry asked for it (a read-side hangup is ready too: read returns 0);
 * - for a socket, a read-side hangup (the peer shut down or reset) is
 *   EPOLLRDHUP, when asked for, and a write-side hangup (an error) is
 *   EPOLLERR | EPOLLHUP, as Linux's tcp_poll gives;
 * - for anything else, a read-side hangup (every writer of a pipe gone) is
 *   EPOLLHUP and a write-side hangup (every reader gone) is EPOLLERR, as
 *   Linux's pipe_poll gives;
 * - EPOLLHUP and EPOLLERR are reported whether asked for or not; EPOLLPRI
 *   never (no resource has out-of-band data).
 *
 * Edge-triggered entries (EPOLLET). Linux reports an ET entry again only
 * after the resource's wait queue was woken. Resources here have no wait
 * queues, but every change that can make one ready bumps the process's
 * readiness signal, whose generation the epoll instance is given. An ET
 * entry is reported when it is ready and either a bit is set that was not
 * set at its last report (a rising edge), or the generation moved since its
 * last report. So it is never missed; it may be reported again after an
 * unrelated change, which a correct ET program (read until EAGAIN) takes as
 * one spurious wake-up, as Linux also gives on pipes.
 *
 * EPOLLONESHOT: once reported, the entry reports nothing (not even HUP or
 * ERR) until EPOLL_CTL_MOD re-arms it. MOD also re-arms an ET entry: ready
 * now is reported at the next wait, as Linux's ep_modify queues it.
 *
 * Never blocks: `ready()` answers what is ready now, and the syscall layer
 * waits on the readiness signal between tries.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, type Advice, type Whence } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import { Resource, type Readiness } from './resource.js';

/** `epoll_type` of typenames.witx: the event bits of `epoll_event.events` (a u32). */
export const EpollType = {
  /** Readable (`$epollin`). */
  EPOLLIN: 1 << 0,
  /** Writable (`$epollout`). */
  EPOLLOUT: 1 << 1,
  /** Stream socket peer closed its writing half (`$epollrdhup`). */
  EPOLLRDHUP: 1 << 2,
  /** Urgent data (`$epollpri`); never reported here. */
  EPOLLPRI: 1 << 3,
  /** Error (`$epollerr`); always reported, whether asked for or not. */
  EPOLLERR: 1 << 4,
  /** Hang-up (`$epollhup`); always reported, whether asked for or not. */
  EPOLLHUP: 1 << 5,
  /** Edge-triggered (`$epollet`): an input flag. */
  EPOLLET: 1 << 6,
  /** Report once, then disable until modified (`$epolloneshot`): an input flag. */
  EPOLLONESHOT: 1 << 7,
} as const;

/** `epoll_ctl` of typenames.witx: the operations of `epoll_ctl` (a u32). */
export const EpollCtl = {
  /** Add an entry to the interest list (`$add`). */
  ADD: 0,
  /** Change an entry's events and data (`$mod`). */
  MOD: 1,
  /** Remove an entry (`$del`). */
  DEL: 2,
} as const;

/**
 * `epoll_data` of typenames.witx, kept and returned as the guest gave it.
 * In guest memory (wasm32): 24 bytes, `ptr` u32 @0, `fd` u32 @4, `data1`
 * u32 @8, `data2` u64 @16; it sits at offset 8 of the 32-byte `epoll_event`,
 * after `events` (u32 @0).
 */
export interface EpollData {
  ptr: number;
  fd: number;
  data1: number;
  data2: bigint;
}

/** One entry of an `epoll_wait` answer. */
export interface EpollReady {
  /** The EpollType bits that hold. */
  events: number;
  /** The entry's data, as added or last modified. */
  data: EpollData;
}

/** Linux's EP_MAX_NESTS: epoll instances may nest at most 5 deep (4 levels below the top). */
const MAX_NESTS = 4;

/** The bits an entry may ask to be told about (the rest are input flags or always reported). */
const INTEREST = EpollType.EPOLLIN | EpollType.EPOLLOUT | EpollType.EPOLLRDHUP | EpollType.EPOLLPRI;

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

interface Entry {
  readonly fd: number;
  readonly resource: Resource;
  events: number;
  data: EpollData;
  /** A oneshot entry that reported, waiting for EPOLL_CTL_MOD. */
  disabled: boolean;
  /** ET: the bits of the last report (narrowed by later observations). */
  lastMask: number;
  /** ET: the readiness generation read before the last report; undefined before any. */
  lastGeneration: number | undefined;
}

/**
 * What an epoll instance needs of the process's readiness signal (a
 * ReadinessSignal is one): `notify`, called when a change of the list may
 * let a waiter go on, and `generation`, which edge-triggered entries compare.
 */
export interface EpollReadiness {
  readonly generation: number;
  notify(): void;
}

/** Which epoll instances watch a resource (for dropFromEpollSets and the nesting checks). */
const watchers = new WeakMap<Resource, Set<EpollResource>>();

/**
 * Removes `resource` from every epoll interest list (under any fd number),
 * as Linux does when a file description's last descriptor closes. Call it
 * when the resource closes.
 */
export function dropFromEpollSets(resource: Resource): void {
  const set = watchers.get(resource);
  if (set === undefined) return;
  for (const ep of [...set]) ep.forget(resource);
  watchers.delete(resource);
}

/** An epoll instance: an interest list polled by `ready()`. */
export class EpollResource extends Resource {
  /**
   * WASI has no epoll file type (and Wasmer reports `Filetype::Unknown`
   * for an epoll descriptor).
   */
  readonly filetype = FileType.UNKNOWN;
  readonly #readiness: EpollReadiness;
  /** Entries by resource, then by fd number. */
  readonly #byResource = new Map<Resource, Map<number, Entry>>();
  /** Entries in the order they were added (the order `ready()` walks, round robin). */
  readonly #order = new Set<Entry>();
  /** Where the next `ready()` starts, so a small `max` does not starve later entries. */
  #cursor = 0;
  #closed = false;

  /** `readiness`: the process's readiness signal (the one its blocked calls wait on). */
  constructor(readiness: EpollReadiness) {
    super();
    this.#readiness = readiness;
  }

  /** The number of entries in the interest list. */
  get size(): number { return this.#order.size; }

  /** True when `(fd, resource)` is in the interest list. */
  has(fd: number, resource: Resource): boolean {
    return this.#byResource.get(resource)?.has(fd) ?? false;
  }

  /**
   * EPOLL_CTL_ADD. EINVAL for the instance itself; EPERM for a regular file
   * or a directory (Linux cannot poll them); ELOOP for an epoll instance
   * that would close a loop or nest deeper than Linux allows; EEXIST when
   * `(fd, resource)` is already in the list.
   */
  add(fd: number, resource: Resource, events: number, data: EpollData): void {
    this.#checkTarget(resource);
    if (resource instanceof EpollResource) this.#checkNesting(resource);
    let byFd = this.#byResource.get(resource);
    if (byFd?.has(fd) === true) throw new WasiError(Errno.EXIST);
    const entry: Entry = {
      fd, resource, events: events >>> 0, data: { ...data },
      disabled: false, lastMask: 0, lastGeneration: undefined,
    };
    if (byFd === undefined) {
      byFd = new Map();
      this.#byResource.set(resource, byFd);
      let set = watchers.get(resource);
      if (set === undefined) watchers.set(resource, set = new Set());
      set.add(this);
    }
    byFd.set(fd, entry);
    this.#order.add(entry);
    this.#readiness.notify();
  }

  /**
   * EPOLL_CTL_MOD: new events and data; re-arms a oneshot entry and makes
   * an edge-triggered one report what is ready now. ENOENT when absent.
   */
  modify(fd: number, resource: Resource, events: number, data: EpollData): void {
    this.#checkTarget(resource);
    const entry = this.#byResource.get(resource)?.get(fd);
    if (entry === undefined) throw new WasiError(Errno.NOENT);
    entry.events = events >>> 0;
    entry.data = { ...data };
    entry.disabled = false;
    entry.lastMask = 0;
    entry.lastGeneration = undefined;
    this.#readiness.notify();
  }

  /** EPOLL_CTL_DEL. ENOENT when `(fd, resource)` is not in the list. */
  delete(fd: number, resource: Resource): void {
    this.#checkTarget(resource);
    const byFd = this.#byResource.get(resource);
    const entry = byFd?.get(fd);
    if (byFd === undefined || entry === undefined) throw new WasiError(Errno.NOENT);
    byFd.delete(fd);
    this.#order.delete(entry);
    if (byFd.size === 0) this.#unwatch(resource);
  }

  /** Removes every entry of `resource` (under any fd number); the number removed. */
  forget(resource: Resource): number {
    const byFd = this.#byResource.get(resource);
    if (byFd === undefined) return 0;
    for (const entry of byFd.values()) this.#order.delete(entry);
    this.#unwatch(resource);
    return byFd.size;
  }

  /**
   * `epoll_wait` without the wait: up to `max` entries that are ready now
   * (EINVAL when `max` < 1, as `maxevents` < 1 is). Reporting disables a
   * oneshot entry and records an edge-triggered one's state. Entries are
   * walked round robin from where the last call stopped.
   */
  ready(max: number): EpollReady[] {
    if (!(max >= 1)) throw new WasiError(Errno.INVAL);
    // Read before polling: a change after this read makes the next call report again (never less).
    const generation = this.#readiness.generation;
    const entries = [...this.#order];
    const n = entries.length;
    const out: EpollReady[] = [];
    let examined = 0;
    for (; examined < n && out.length < max; examined++) {
      const entry = entries[(this.#cursor + examined) % n]!;
      if (entry.disabled) continue;
      const mask = eventsOf(entry);
      if (!reportable(entry, mask, generation)) {
        entry.lastMask &= mask; // a bit seen clear: its next rise is an edge
        continue;
      }
      out.push({ events: mask, data: entry.data });
      if ((entry.events & EpollType.EPOLLONESHOT) !== 0) entry.disabled = true;
      entry.lastMask = mask;
      entry.lastGeneration = generation;
    }
    this.#cursor = n === 0 ? 0 : (this.#cursor + examined) % n;
    return out;
  }

  override read(_dst: Uint8Array[]): number { throw new WasiError(Errno.INVAL); }
  override write(_src: Uint8Array[]): number { throw new WasiError(Errno.INVAL); }
  override pread(_dst: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(_src: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  /** Linux's epoll file has `noop_llseek`: seeking succeeds and stays at 0. */
  override seek(_offset: bigint, _whence: Whence): bigint { return 0n; }
  override tell(): bigint { return 0n; }
  override stat(): FileStat { return anonStat(); }
  override setSize(_size: number): void { throw new WasiError(Errno.INVAL); }
  override allocate(_offset: number, _len: number): void { throw new WasiError(Errno.NODEV); }
  override advise(_offset: bigint, _len: bigint, _advice: Advice): void {}
  override sync(): void { throw new WasiError(Errno.INVAL); }
  override datasync(): void { throw new WasiError(Errno.INVAL); }

  /** Readable when an entry would be reported now (so epoll instances nest); reports nothing itself. */
  override pollRead(): Readiness {
    if (this.#closed) return NOT_READY;
    const generation = this.#readiness.generation;
    for (const entry of this.#order) {
      if (!entry.disabled && reportable(entry, eventsOf(entry), generation)) return { ready: true, nbytes: 0n, hangup: false };
    }
    return NOT_READY;
  }

  /** An epoll instance is never writable (as on Linux). */
  override pollWrite(): Readiness { return NOT_READY; }

  /** Empties the list and leaves every list that watched this instance. */
  override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const resource of [...this.#byResource.keys()]) this.#unwatch(resource);
    this.#order.clear();
    dropFromEpollSets(this);
    this.#readiness.notify();
  }

  #checkTarget(resource: Resource): void {
    if (resource === this) throw new WasiError(Errno.INVAL);
    if (resource.filetype === FileType.REGULAR_FILE || resource.filetype === FileType.DIRECTORY) {
      throw new WasiError(Errno.PERM);
    }
  }

  /** ELOOP when adding `inner` would make a loop or a chain of more than MAX_NESTS + 1 instances (Linux's ep_loop_check). */
  #checkNesting(inner: EpollResource): void {
    const below = inner.#depthBelow(this, 0);
    if (below < 0 || below > MAX_NESTS) throw new WasiError(Errno.LOOP);
    if (below + 1 + this.#depthAbove(0) > MAX_NESTS) throw new WasiError(Errno.LOOP);
  }

  /** Levels of epoll instances below this one; -1 when `target` is among them (a loop). */
  #depthBelow(target: EpollResource, level: number): number {
    if (this === target) return -1;
    if (level > MAX_NESTS) return level;
    let depth = 0;
    for (const resource of this.#byResource.keys()) {
      if (!(resource instanceof EpollResource)) continue;
      const d = resource.#depthBelow(target, level + 1);
      if (d < 0) return -1;
      depth = Math.max(depth, d + 1);
    }
    return depth;
  }

  /** Levels of epoll instances watching this one, up the longest chain. */
  #depthAbove(level: number): number {
    if (level > MAX_NESTS) return level;
    let depth = 0;
    for (const ep of watchers.get(this) ?? []) depth = Math.max(depth, ep.#depthAbove(level + 1) + 1);
    return depth;
  }

  #unwatch(resource: Resource): void {
    this.#byResource.delete(resource);
    const set = watchers.get(resource);
    if (set === undefined) return;
    set.delete(this);
    if (set.size === 0) watchers.delete(resource);
  }
}

/** The EpollType bits that hold for `entry` now (level, before ET and oneshot). */
function eventsOf(entry: Entry): number {
  const want = (entry.events & INTEREST) | EpollType.EPOLLERR | EpollType.EPOLLHUP;
  const r = entry.resource.pollRead();
  const w = entry.resource.pollWrite();
  let mask = 0;
  // A pipe whose writers are gone and that holds nothing is only hung up (Linux: EPOLLHUP without EPOLLIN).
  if (r.ready && !(r.hangup && r.nbytes === 0n && !entry.resource.isSocket)) mask |= EpollType.EPOLLIN;
  if (w.ready) mask |= EpollType.EPOLLOUT;
  if (entry.resource.isSocket) {
    if (r.hangup) mask |= EpollType.EPOLLRDHUP;
    if (w.hangup) mask |= EpollType.EPOLLERR | EpollType.EPOLLHUP;
  } else {
    if (r.hangup) mask |= EpollType.EPOLLHUP;
    if (w.hangup) mask |= EpollType.EPOLLERR;
  }
  return mask & want;
}

/**
 * Whether an enabled entry whose bits are `mask` now is reported: any bit
 * when level-triggered; when edge-triggered, only on a rising bit or after
 * the readiness generation moved since its last report.
 */
function reportable(entry: Entry, mask: number, generation: number): boolean {
  if (mask === 0) return false;
  if ((entry.events & EpollType.EPOLLET) === 0) return true;
  return (mask & ~entry.lastMask) !== 0 || entry.lastGeneration !== generation;
}

/** `filestat` of a descriptor with no file behind it (an anonymous inode on Linux). */
function anonStat(): FileStat {
  return { dev: 0n, ino: 0n, filetype: FileType.UNKNOWN, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
}
