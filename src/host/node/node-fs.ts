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

function fileTypeOf(s: fs.BigIntStats | fs.Stats | fs.Dirent): FileType {
  if (s.isFile()) return FileType.REGULAR_FILE;
  if (s.isDirectory()) return FileType.DIRECTORY;
  if (s.isSymbolicLink()) return FileType.SYMBOLIC_LINK;
  if (s.isCharacterDevice()) return FileType.CHARACTER_DEVICE;
  if (s.isBlockDevice()) return FileType.BLOCK_DEVICE;
  if (s.isSocket()) return FileType.SOCKET_STREAM;
  return FileType.UNKNOWN;
}

/**
 * Node sets times in (double) seconds, which cannot carry every nanosecond
 * value. Kiln remembers the exact value a guest set; as long as the host
 * still reports the rounded value it stored, the guest reads back exactly
 * what it wrote, as it would on a native runtime.
 */
const preciseTimes = new Map<string, { host: bigint; exact: bigint }[]>();

function timeKey(s: fs.BigIntStats, which: 0 | 1): string {
  return `${s.dev}:${s.ino}:${which}`;
}

function exactTime(s: fs.BigIntStats, which: 0 | 1, hostNs: bigint): bigint {
  if (preciseTimes.size === 0) return hostNs;
  const entry = preciseTimes.get(timeKey(s, which));
  if (entry === undefined) return hostNs;
  for (const e of entry) if (e.host === hostNs) return e.exact;
  return hostNs;
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

function remember(after: fs.BigIntStats, which: 0 | 1, exact: bigint | null, hostNs: bigint): void {
  if (exact === null || exact === hostNs) return;
  const key = timeKey(after, which);
  const list = preciseTimes.get(key) ?? [];
  list.push({ host: hostNs, exact });
  if (list.length > 4) list.shift();
  preciseTimes.set(key, list);
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
  remember(after, 0, exactA, after.atimeNs);
  remember(after, 1, exactM, after.mtimeNs);
}

function setPathTimes(path: string, atim: TimeSpec, mtim: TimeSpec): void {
  applyTimes(fs.lstatSync(path, { bigint: true }), atim, mtim,
    (a, m) => fs.lutimesSync(path, a, m), () => fs.lstatSync(path, { bigint: true }));
}

abstract class NodeNode implements FsNode {
  abstract readonly filetype: FileType;
  constructor(readonly path: string) {}
  stat(): FileStat { return toFileStat(fs.lstatSync(this.path, { bigint: true })); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { setPathTimes(this.path, atim, mtim); }
}

class NodeOther extends NodeNode {
  constructor(path: string, readonly filetype: FileType) { super(path); }
}

class NodeSymlink extends NodeNode implements FsSymlink {
  readonly filetype = FileType.SYMBOLIC_LINK;
  readlink(): string { return fs.readlinkSync(this.path, 'utf8'); }
}

class NodeDirectory extends NodeNode implements FsDirectory {
  readonly filetype = FileType.DIRECTORY;

  #child(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  lookup(name: string): FsNode | null {
    const path = this.#child(name);
    const s = fs.lstatSync(path, { throwIfNoEntry: false });
    if (s === undefined) return null;
    return nodeFor(path, fileTypeOf(s));
  }

  list(): DirEntry[] {
    const out: DirEntry[] = [];
    for (const d of fs.readdirSync(this.path, { withFileTypes: true })) {
      const s = fs.lstatSync(this.#child(d.name), { bigint: true, throwIfNoEntry: false });
      if (s === undefined) continue; // removed while listing
      out.push({ name: d.name, filetype: fileTypeOf(s), ino: s.ino });
    }
    return out;
  }

  mkdir(name: string): void { fs.mkdirSync(this.#child(name)); }

  open(name: string, o: OpenOptions): FileHandle {
    let flags = O_NOFOLLOW | (o.write ? (o.read ? O_RDWR : O_WRONLY) : O_RDONLY);
    if (o.create) flags |= O_CREAT;
    if (o.exclusive) flags |= O_EXCL;
    if (o.truncate) flags |= O_TRUNC;
    return new NodeFileHandle(fs.openSync(this.#child(name), flags, 0o666));
  }

  symlink(name: string, target: string): void { fs.symlinkSync(target, this.#child(name)); }

  link(name: string, existing: FsNode): void {
    if (!(existing instanceof NodeNode)) throw new WasiError(Errno.XDEV);
    fs.linkSync(existing.path, this.#child(name));
  }

  unlink(name: string): void { fs.unlinkSync(this.#child(name)); }
  rmdir(name: string): void { fs.rmdirSync(this.#child(name)); }

  rename(name: string, toDir: FsDirectory, toName: string): void {
    if (!(toDir instanceof NodeDirectory)) throw new WasiError(Errno.XDEV);
    fs.renameSync(this.#child(name), toDir.#child(toName));
  }
}

function nodeFor(path: string, type: FileType): FsNode {
  if (type === FileType.DIRECTORY) return new NodeDirectory(path);
  if (type === FileType.SYMBOLIC_LINK) return new NodeSymlink(path);
  return new NodeOther(path, type);
}

class NodeFileHandle implements FileHandle {
  constructor(readonly fd: number) {}

  read(dst: Uint8Array, position: number): number {
    return fs.readSync(this.fd, dst, 0, dst.byteLength, position);
  }

  write(src: Uint8Array, position: number): number {
    return fs.writeSync(this.fd, src, 0, src.byteLength, position);
  }

  append(src: Uint8Array): number {
    const at = fs.fstatSync(this.fd).size;
    fs.writeSync(this.fd, src, 0, src.byteLength, at);
    return at;
  }

  stat(): FileStat { return toFileStat(fs.fstatSync(this.fd, { bigint: true })); }
  setSize(size: number): void { fs.ftruncateSync(this.fd, size); }

  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    const fd = this.fd;
    applyTimes(fs.fstatSync(fd, { bigint: true }), atim, mtim,
      (a, m) => fs.futimesSync(fd, a, m), () => fs.fstatSync(fd, { bigint: true }));
  }

  allocate(offset: number, len: number): void {
    const size = fs.fstatSync(this.fd).size;
    if (offset + len > size) fs.ftruncateSync(this.fd, offset + len);
  }

  sync(): void { fs.fsyncSync(this.fd); }
  datasync(): void { fs.fdatasyncSync(this.fd); }
  close(): void { fs.closeSync(this.fd); }
}

/** A host directory as a filesystem root. The path is resolved once, here. */
export class NodeFileSystem implements FileSystem {
  readonly root: FsDirectory;
  constructor(hostPath: string) {
    const real = fs.realpathSync(hostPath);
    if (!fs.statSync(real).isDirectory()) throw new WasiError(Errno.NOTDIR, `${hostPath} is not a directory`);
    this.root = new NodeDirectory(real);
  }
}
