/**
 * NodeFileSystem: a host directory exposed as a filesystem (layer: host,
 * Node only). Every operation names one entry of an already resolved
 * directory, never a path the host would walk through a symlink; files are
 * opened with O_NOFOLLOW. The kernel's resolver, not the host, follows
 * symlinks, so the sandbox is Kiln's to hold.
 */
import * as fs from 'node:fs';
import { Errno, WasiError } from '../../abi/errno.js';
import { FileType } from '../../abi/constants.js';
import type {
  DirEntry, FileHandle, FileStat, FileSystem, FsDirectory, FsNode, FsSymlink, OpenOptions, TimeSpec,
} from '../fs/types.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW } = fs.constants;

/**
 * Told about every host descriptor a NodeFileSystem opens and closes on
 * this thread. The worker mode records them in shared memory, so that the
 * caller can close them if it has to terminate the worker (a terminated
 * worker does not close the process's descriptors).
 */
export interface HostFdObserver {
  opened(fd: number): void;
  /** Called just before the descriptor is closed. */
  closing(fd: number): void;
}

let fdObserver: HostFdObserver | undefined;

/** Sets (or clears) the observer of host descriptors for this thread. */
export function observeHostFds(observer: HostFdObserver | undefined): void {
  fdObserver = observer;
}

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFSOCK } = fs.constants;

/** The file type from a mode (numeric: BigIntStats' is* methods allocate on every call). */
function fileTypeOf(s: fs.BigIntStats | fs.Stats): FileType {
  switch (Number(s.mode) & S_IFMT) {
    case S_IFREG: return FileType.REGULAR_FILE;
    case S_IFDIR: return FileType.DIRECTORY;
    case S_IFLNK: return FileType.SYMBOLIC_LINK;
    case S_IFCHR: return FileType.CHARACTER_DEVICE;
    case S_IFBLK: return FileType.BLOCK_DEVICE;
    case S_IFSOCK: return FileType.SOCKET_STREAM;
    default: return FileType.UNKNOWN;
  }
}

/**
 * Node sets times in (double) seconds, which cannot carry every nanosecond
 * value. Kiln remembers the exact times a guest set on an inode, with the
 * inode's ctime after the change; as long as the host still reports that
 * ctime and the rounded value it stored, the guest reads back exactly what
 * it wrote, as it would on a native runtime. Any later change to the inode
 * (a write, another set, a new file reusing the inode) changes its ctime
 * and ends the substitution.
 */
interface ExactTimes {
  ctime: bigint;
  times: [{ host: bigint; exact: bigint } | undefined, { host: bigint; exact: bigint } | undefined];
}
const preciseTimes = new Map<string, ExactTimes>();

function inodeKey(s: fs.BigIntStats): string {
  return `${s.dev}:${s.ino}`;
}

function exactTime(s: fs.BigIntStats, which: 0 | 1, hostNs: bigint): bigint {
  if (preciseTimes.size === 0) return hostNs;
  const rec = preciseTimes.get(inodeKey(s));
  if (rec === undefined || rec.ctime !== s.ctimeNs) return hostNs;
  const t = rec.times[which];
  return t !== undefined && t.host === hostNs ? t.exact : hostNs;
}

export function toFileStat(s: fs.BigIntStats): FileStat {
  return {
    dev: s.dev, ino: s.ino, filetype: fileTypeOf(s), nlink: s.nlink, size: s.size,
    atim: exactTime(s, 0, s.atimeNs), mtim: exactTime(s, 1, s.mtimeNs), ctim: s.ctimeNs,
  };
}

function nsToSeconds(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

/** Resolves a TimeSpec to seconds for Node, keeping the current value for null. */
function secondsFor(spec: TimeSpec, currentNs: bigint): number {
  if (spec === 'now') return Date.now() / 1000;
  return nsToSeconds(spec ?? currentNs);
}

/**
 * Sets times through `set` (seconds) and remembers the exact values: the
 * ones given, and for a time left unchanged, the exact value it had, since
 * Node must write it back rounded.
 */
function applyTimes(
  before: fs.BigIntStats, atim: TimeSpec, mtim: TimeSpec,
  set: (atimeSec: number, mtimeSec: number) => void, statAfter: () => fs.BigIntStats,
): void {
  const exactA = atim === 'now' ? null : atim ?? exactTime(before, 0, before.atimeNs);
  const exactM = mtim === 'now' ? null : mtim ?? exactTime(before, 1, before.mtimeNs);
  set(secondsFor(atim, before.atimeNs), secondsFor(mtim, before.mtimeNs));
  const after = statAfter();
  preciseTimes.set(inodeKey(after), {
    ctime: after.ctimeNs,
    times: [
      exactA === null ? undefined : { host: after.atimeNs, exact: exactA },
      exactM === null ? undefined : { host: after.mtimeNs, exact: exactM },
    ],
  });
}

function setPathTimes(path: string, atim: TimeSpec, mtim: TimeSpec): void {
  applyTimes(fs.lstatSync(path, LSTAT), atim, mtim,
    (a, m) => fs.lutimesSync(path, a, m), () => fs.lstatSync(path, LSTAT));
}

/** lstat options, made once (a lookup or a listing entry would otherwise allocate them). */
const LSTAT = { bigint: true } as const;
const LSTAT_OR_NOTHING = { bigint: true, throwIfNoEntry: false } as const;

/**
 * State shared by every node of one NodeFileSystem: a generation counter
 * that every change made through Kiln advances, so attributes captured
 * before a change are never reused after it.
 */
interface Volume { generation: number }

/** How long attributes captured by a directory listing may be reused by a lookup. */
const LISTING_REUSE_MS = 1000;

/**
 * Attributes a listing took, for the lookups that follow it (see
 * NodeDirectory). Lookups usually come in listing order, so the next name
 * is tried first; a map of the names is made only for the first lookup out
 * of order.
 */
interface Listing {
  /** The volume's generation when the listing was taken. */
  readonly generation: number;
  /** performance.now() just before the first entry was read. */
  readonly at: number;
  /** The names the host listed. */
  readonly names: readonly string[];
  /** Each name's attributes; undefined once a lookup took them (or the entry vanished while listing). */
  readonly stats: (FileStat | undefined)[];
  /** How many attributes are left to take. */
  left: number;
  /** Where the next lookup is expected in `names`. */
  next: number;
  /** Name to position, made on the first lookup out of order. */
  index: Map<string, number> | undefined;
}

abstract class NodeNode implements FsNode {
  abstract readonly filetype: FileType;
  constructor(readonly path: string, readonly volume: Volume, readonly snapshot?: FileStat) {}
  stat(): FileStat { return toFileStat(fs.lstatSync(this.path, LSTAT)); }
  lookupStat(): FileStat { return this.snapshot ?? this.stat(); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    this.volume.generation++;
    setPathTimes(this.path, atim, mtim);
  }
}

class NodeOther extends NodeNode {
  constructor(path: string, volume: Volume, snapshot: FileStat | undefined, readonly filetype: FileType) {
    super(path, volume, snapshot);
  }
}

class NodeSymlink extends NodeNode implements FsSymlink {
  readonly filetype = FileType.SYMBOLIC_LINK;
  readlink(): string { return fs.readlinkSync(this.path, 'utf8'); }
}

class NodeDirectory extends NodeNode implements FsDirectory {
  readonly filetype = FileType.DIRECTORY;
  /**
   * Attributes from the last listing (a listing must lstat every entry for
   * its inode anyway). The usual walk — list, then stat each entry — reuses
   * them once per entry, within LISTING_REUSE_MS and only while nothing has
   * changed through Kiln; otherwise a lookup asks the host again.
   */
  #listed: Listing | undefined;

  #child(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  lookup(name: string): FsNode | null {
    const path = this.#child(name);
    let s = this.#fromListing(name);
    if (s === undefined) {
      const host = fs.lstatSync(path, LSTAT_OR_NOTHING);
      if (host === undefined) return null;
      s = toFileStat(host);
    }
    return nodeFor(path, this.volume, s);
  }

  /** The attributes the last listing took for `name`, if they may still be used (once). */
  #fromListing(name: string): FileStat | undefined {
    const listed = this.#listed;
    if (listed === undefined) return undefined;
    let i = listed.next;
    if (listed.names[i] !== name) {
      listed.index ??= new Map(listed.names.map((n, k) => [n, k]));
      const k = listed.index.get(name);
      if (k === undefined) return undefined;
      i = k;
    }
    const s = listed.stats[i];
    if (s === undefined) return undefined;
    listed.stats[i] = undefined;
    listed.next = i + 1;
    if (--listed.left === 0) this.#listed = undefined;
    if (listed.generation !== this.volume.generation || performance.now() - listed.at > LISTING_REUSE_MS) {
      this.#listed = undefined;
      return undefined;
    }
    return s;
  }

  list(): DirEntry[] {
    const names = fs.readdirSync(this.path);
    const out: DirEntry[] = [];
    const stats: (FileStat | undefined)[] = new Array(names.length);
    const at = performance.now();
    const prefix = this.path === '/' ? '/' : `${this.path}/`;
    let host: fs.BigIntStats | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      host = fs.lstatSync(prefix + name, LSTAT_OR_NOTHING);
      if (host === undefined) continue; // removed while listing
      const s = toFileStat(host);
      stats[i] = s;
      out.push({ name, filetype: s.filetype, ino: s.ino });
    }
    if (host !== undefined) shapes.stats = host;
    this.#listed = out.length === 0 ? undefined : {
      generation: this.volume.generation, at, names, stats, left: out.length, next: 0, index: undefined,
    };
    return out;
  }

  mkdir(name: string): void {
    this.volume.generation++;
    fs.mkdirSync(this.#child(name));
  }

  open(name: string, o: OpenOptions): FileHandle {
    if (o.create || o.truncate) this.volume.generation++;
    let flags = O_NOFOLLOW | (o.write ? (o.read ? O_RDWR : O_WRONLY) : O_RDONLY);
    if (o.create) flags |= O_CREAT;
    if (o.exclusive) flags |= O_EXCL;
    if (o.truncate) flags |= O_TRUNC;
    const fd = fs.openSync(this.#child(name), flags, 0o666);
    fdObserver?.opened(fd);
    // Linux opens a directory read-only without complaint; this interface opens files only.
    if (!o.write && fs.fstatSync(fd).isDirectory()) {
      fdObserver?.closing(fd);
      fs.closeSync(fd);
      throw new WasiError(Errno.ISDIR);
    }
    return new NodeFileHandle(fd, this.volume);
  }

  symlink(name: string, target: string): void {
    this.volume.generation++;
    fs.symlinkSync(target, this.#child(name));
  }

  link(name: string, existing: FsNode): void {
    if (!(existing instanceof NodeNode)) throw new WasiError(Errno.XDEV);
    this.volume.generation++;
    fs.linkSync(existing.path, this.#child(name));
  }

  unlink(name: string): void {
    this.volume.generation++;
    fs.unlinkSync(this.#child(name));
  }

  rmdir(name: string): void {
    this.volume.generation++;
    fs.rmdirSync(this.#child(name));
  }

  rename(name: string, toDir: FsDirectory, toName: string): void {
    if (!(toDir instanceof NodeDirectory)) throw new WasiError(Errno.XDEV);
    this.volume.generation++;
    fs.renameSync(this.#child(name), toDir.#child(toName));
  }
}

function nodeFor(path: string, volume: Volume, s: FileStat): FsNode {
  const type = s.filetype;
  if (type === FileType.DIRECTORY) return new NodeDirectory(path, volume, s);
  if (type === FileType.SYMBOLIC_LINK) return new NodeSymlink(path, volume, s);
  return new NodeOther(path, volume, s, type);
}

/**
 * One live object of each kind a walk makes by the thousand: nodes, and the
 * host's BigIntStats (the last one a listing took). V8 drops a hidden class
 * at a full GC once no object has it, and with it the optimized code built
 * on that class: a walk that starts after a GC (a new Kiln instance after
 * the previous one was collected, say) would run its first thousands of
 * lookups unoptimized, which more than doubled the time of the benchmark's
 * walk (bench/README.md). The nodes are stand-ins, not real ones, so that
 * no listing is kept alive with them. `list` writes to this object, which
 * also keeps it in the module's scope rather than on the stack of the
 * module's top-level code.
 */
const shapes: { stats: fs.BigIntStats | undefined; nodes: readonly NodeNode[] } = {
  stats: undefined,
  nodes: (() => {
    const volume: Volume = { generation: 0 };
    const s: FileStat = { dev: 0n, ino: 0n, filetype: FileType.REGULAR_FILE, nlink: 0n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
    return [
      new NodeDirectory('', volume, s), new NodeSymlink('', volume, s), new NodeOther('', volume, s, FileType.REGULAR_FILE),
    ];
  })(),
};

class NodeFileHandle implements FileHandle {
  constructor(readonly fd: number, readonly volume: Volume) {}

  read(dst: Uint8Array, position: number): number {
    return fs.readSync(this.fd, dst, 0, dst.byteLength, position);
  }

  write(src: Uint8Array, position: number): number {
    this.volume.generation++;
    return fs.writeSync(this.fd, src, 0, src.byteLength, position);
  }

  append(src: Uint8Array): number {
    this.volume.generation++;
    const at = fs.fstatSync(this.fd).size;
    fs.writeSync(this.fd, src, 0, src.byteLength, at);
    return at;
  }

  stat(): FileStat { return toFileStat(fs.fstatSync(this.fd, { bigint: true })); }
  setSize(size: number): void {
    this.volume.generation++;
    fs.ftruncateSync(this.fd, size);
  }

  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    this.volume.generation++;
    const fd = this.fd;
    applyTimes(fs.fstatSync(fd, { bigint: true }), atim, mtim,
      (a, m) => fs.futimesSync(fd, a, m), () => fs.fstatSync(fd, { bigint: true }));
  }

  allocate(offset: number, len: number): void {
    this.volume.generation++;
    const size = fs.fstatSync(this.fd).size;
    if (offset + len > size) fs.ftruncateSync(this.fd, offset + len);
  }

  sync(): void { fs.fsyncSync(this.fd); }
  datasync(): void { fs.fdatasyncSync(this.fd); }
  close(): void {
    fdObserver?.closing(this.fd);
    fs.closeSync(this.fd);
  }
}

/** A host directory as a filesystem root. The path is resolved once, here. */
export class NodeFileSystem implements FileSystem {
  /** The host directory. */
  readonly root: FsDirectory;
  /** True: every method answers synchronously. */
  readonly synchronous = true;
  /**
   * The host directory `hostPath` (its real path is taken once, here).
   * Throws when it is not a directory.
   */
  constructor(hostPath: string) {
    const real = fs.realpathSync(hostPath);
    if (!fs.statSync(real).isDirectory()) throw new WasiError(Errno.NOTDIR, `${hostPath} is not a directory`);
    this.root = new NodeDirectory(real, { generation: 0 });
  }
}
