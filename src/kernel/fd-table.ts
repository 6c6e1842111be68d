/**
 * FdTable: a process's descriptor table (layer: kernel). A descriptor is a
 * resource plus the rights it was opened with. Every lookup checks rights
 * here, in one place: a missing descriptor is EBADF, a missing right is
 * ENOTCAPABLE.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { dropFromEpollSets } from './epoll-resource.js';
import type { Resource } from './resource.js';

export interface Descriptor {
  resource: Resource;
  rightsBase: number;
  rightsInheriting: number;
  /** Closed when the process replaces its program (WASIX `fdflagsext` CLOEXEC, FD_CLOEXEC). */
  cloexec?: boolean;
}

/**
 * Descriptors per resource, across every table (a copied table's
 * descriptors name the same resources): a resource closes when the last
 * descriptor naming it, in any table, closes.
 */
const refs = new WeakMap<Resource, number>();

export class FdTable {
  #slots: (Descriptor | undefined)[] = [];
  /** Processes using this very table (a vfork child shares its parent's). */
  #users = 1;

  constructor(readonly maxDescriptors = 1024) {}

  /**
   * The descriptor `fd` with `rights` all held. A missing right is
   * ENOTCAPABLE, or `missing` where POSIX has its own answer (reading a
   * descriptor not open for reading is EBADF, as in wasmtime).
   */
  get(fd: number, rights = 0, missing: Errno = Errno.NOTCAPABLE): Descriptor {
    const d = this.#slots[fd];
    if (d === undefined) throw new WasiError(Errno.BADF);
    if ((d.rightsBase & rights) !== rights) throw new WasiError(missing);
    return d;
  }

  has(fd: number): boolean {
    return this.#slots[fd] !== undefined;
  }

  /** Places a descriptor at the lowest free number. */
  add(d: Descriptor): number {
    return this.addFrom(d, 0);
  }

  /** Places a descriptor at the lowest free number that is at least `min` (F_DUPFD); EMFILE when none is. */
  addFrom(d: Descriptor, min: number): number {
    let fd = Math.max(0, min);
    while (fd < this.#slots.length && this.#slots[fd] !== undefined) fd++;
    if (fd >= this.maxDescriptors) throw new WasiError(Errno.MFILE);
    this.#slots[fd] = d;
    this.#retain(d.resource);
    return fd;
  }

  /** Places a descriptor at `fd`, closing what was there. */
  set(fd: number, d: Descriptor): void {
    if (fd >= this.maxDescriptors) throw new WasiError(Errno.BADF);
    this.#retain(d.resource);
    const old = this.#slots[fd];
    this.#slots[fd] = d;
    if (old !== undefined) this.#release(old.resource);
  }

  close(fd: number): void {
    const d = this.get(fd);
    this.#slots[fd] = undefined;
    this.#release(d.resource);
  }

  /** fd_renumber: `to` must be open; it is closed and replaced by `from`. */
  renumber(from: number, to: number): void {
    const d = this.get(from);
    this.get(to);
    if (from === to) return;
    this.#slots[from] = undefined;
    const old = this.#slots[to]!;
    this.#slots[to] = d;
    this.#release(old.resource);
  }

  /**
   * WASIX's fd_renumber (as Wasmer's): like `renumber`, but `to` need not
   * be open; a number at or past the limit is EBADF.
   */
  move(from: number, to: number): void {
    const d = this.get(from);
    if (from === to) return;
    if (to >= this.maxDescriptors) throw new WasiError(Errno.BADF);
    this.#slots[from] = undefined;
    const old = this.#slots[to];
    this.#slots[to] = d;
    if (old !== undefined) this.#release(old.resource);
  }

  /** How many more descriptors fit under the limit. */
  room(): number {
    let open = 0;
    for (const d of this.#slots) if (d !== undefined) open++;
    return this.maxDescriptors - open;
  }

  /** The distinct resources open in this table that `match`. */
  countResources(match: (r: Resource) => boolean): number {
    const seen = new Set<Resource>();
    for (const d of this.#slots) if (d !== undefined && match(d.resource)) seen.add(d.resource);
    return seen.size;
  }

  /** Open descriptor numbers, ascending. */
  numbers(): number[] {
    const out: number[] = [];
    this.#slots.forEach((d, fd) => { if (d !== undefined) out.push(fd); });
    return out;
  }

  /**
   * A new table with the same descriptors at the same numbers (what fork
   * and spawn give a child): each names the same resource, so an offset
   * or a flag changed through one is seen through the other, as POSIX's
   * shared open file descriptions; closing one in either table leaves the
   * other's open.
   */
  copy(): FdTable {
    const out = new FdTable(this.maxDescriptors);
    this.#slots.forEach((d, fd) => {
      if (d === undefined) return;
      out.#slots[fd] = { ...d };
      out.#retain(d.resource);
    });
    return out;
  }

  /** This table, for one more process to use (CLONE_FILES, vfork): it stays open until every user released it. */
  share(): FdTable {
    this.#users++;
    return this;
  }

  /** A process that used this table ended: the last one closes every descriptor. */
  release(): void {
    if (--this.#users > 0) return;
    this.closeAll();
  }

  /** Closes the descriptors marked close-on-exec (the process replaces its program). */
  closeOnExec(): void {
    this.#slots.forEach((d, fd) => { if (d?.cloexec === true) this.close(fd); });
  }

  /** Closes every descriptor (process exit). */
  closeAll(): void {
    for (const fd of this.numbers()) {
      try { this.close(fd); } catch { /* already closed or host failure on close: nothing to report to */ }
    }
  }

  #retain(r: Resource): void {
    refs.set(r, (refs.get(r) ?? 0) + 1);
  }

  #release(r: Resource): void {
    const n = (refs.get(r) ?? 1) - 1;
    if (n > 0) { refs.set(r, n); return; }
    refs.delete(r);
    r.close();
    dropFromEpollSets(r); // as Linux: a closed file description leaves every epoll set
  }
}
