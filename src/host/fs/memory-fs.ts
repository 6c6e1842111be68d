/**
 * MemoryFileSystem: an in-memory filesystem (layer: host) with files,
 * directories, symlinks, hard links and timestamps. It has no Node
 * dependency, so it works in browsers. Its path-based methods (`readFile`,
 * `writeFile`, `readdir`, ...) delegate to fs-paths.ts.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { FileType } from '../../abi/constants.js';
import type {
  DirEntry, FileHandle, FileStat, FileSystem, FsDirectory, FsNode, FsSymlink, OpenOptions, TimeSpec,
} from './types.js';
import * as paths from './fs-paths.js';
import type { MkdirOptions, RmOptions, TextEncodingName } from './fs-paths.js';

/** Realtime clock in nanoseconds, used for timestamps. */
export type NanoClock = () => bigint;

const defaultClock: NanoClock = () => BigInt(Date.now()) * 1_000_000n;

let nextDevice = 1n;

/** Largest file a MemoryFileSystem holds (4 GiB); beyond it is EFBIG. */
export const MEMORY_FILE_MAX = 2 ** 32;

/** Shared state of one filesystem: device id, inode numbering and its clock. */
class MemoryVolume {
  readonly dev = nextDevice++;
  #nextIno = 1n;
  constructor(readonly now: NanoClock) {}
  allocateIno(): bigint { return this.#nextIno++; }
}

abstract class MemoryNode implements FsNode {
  abstract readonly filetype: FileType;
  readonly ino: bigint;
  nlink = 1n;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;

  constructor(readonly volume: MemoryVolume) {
    this.ino = volume.allocateIno();
    const t = volume.now();
    this.atim = t;
    this.mtim = t;
    this.ctim = t;
  }

  abstract get size(): bigint;

  stat(): FileStat {
    return {
      dev: this.volume.dev, ino: this.ino, filetype: this.filetype, nlink: this.nlink,
      size: this.size, atim: this.atim, mtim: this.mtim, ctim: this.ctim,
    };
  }

  setTimes(atim: TimeSpec, mtim: TimeSpec): void {
    const now = this.volume.now();
    if (atim !== null) this.atim = atim === 'now' ? now : atim;
    if (mtim !== null) this.mtim = mtim === 'now' ? now : mtim;
    this.ctim = now;
  }

  touch(): void {
    const now = this.volume.now();
    this.mtim = now;
    this.ctim = now;
  }
}

class MemoryFile extends MemoryNode {
  readonly filetype = FileType.REGULAR_FILE;
  data: Uint8Array = new Uint8Array(0);
  length = 0;

  get size(): bigint { return BigInt(this.length); }

  /** Grows the backing store to hold at least `n` bytes (amortised doubling). */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    if (n > MEMORY_FILE_MAX) throw new WasiError(Errno.FBIG);
    const next = new Uint8Array(Math.min(MEMORY_FILE_MAX, Math.max(n, this.data.length * 2, 64)));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  resize(n: number): void {
    if (n > this.length) {
      this.reserve(n);
      this.data.fill(0, this.length, n);
    }
    this.length = n;
  }
}

class MemorySymlink extends MemoryNode implements FsSymlink {
  readonly filetype = FileType.SYMBOLIC_LINK;
  constructor(volume: MemoryVolume, readonly target: string) { super(volume); }
  get size(): bigint { return BigInt(new TextEncoder().encode(this.target).length); }
  readlink(): string { return this.target; }
}

class MemoryDirectory extends MemoryNode implements FsDirectory {
  readonly filetype = FileType.DIRECTORY;
  readonly entries = new Map<string, MemoryNode>();
  /** Removed directories keep their handles valid but refuse new entries. */
  removed = false;

  constructor(volume: MemoryVolume) {
    super(volume);
    this.nlink = 2n;
  }

  get size(): bigint { return 4096n; }

  lookup(name: string): FsNode | null {
    return this.entries.get(name) ?? null;
  }

  list(): DirEntry[] {
    const out: DirEntry[] = [];
    for (const [name, node] of this.entries) out.push({ name, filetype: node.filetype, ino: node.ino });
    return out;
  }

  #add(name: string, node: MemoryNode): void {
    if (this.removed) throw new WasiError(Errno.NOENT);
    if (this.entries.has(name)) throw new WasiError(Errno.EXIST);
    this.entries.set(name, node);
    this.touch();
  }

  mkdir(name: string): void {
    const dir = new MemoryDirectory(this.volume);
    this.#add(name, dir);
    this.nlink++;
  }

  open(name: string, options: OpenOptions): FileHandle {
    let node = this.entries.get(name);
    if (node === undefined) {
      if (!options.create) throw new WasiError(Errno.NOENT);
      node = new MemoryFile(this.volume);
      this.#add(name, node);
    } else if (options.create && options.exclusive) {
      throw new WasiError(Errno.EXIST);
    }
    if (node instanceof MemoryDirectory) throw new WasiError(Errno.ISDIR);
    if (!(node instanceof MemoryFile)) throw new WasiError(Errno.LOOP);
    if (options.truncate && node.length !== 0) {
      node.resize(0);
      node.touch();
    }
    return new MemoryFileHandle(node);
  }

  symlink(name: string, target: string): void {
    this.#add(name, new MemorySymlink(this.volume, target));
  }

  link(name: string, existing: FsNode): void {
    if (!(existing instanceof MemoryNode) || existing.volume !== this.volume) throw new WasiError(Errno.XDEV);
    if (existing instanceof MemoryDirectory) throw new WasiError(Errno.PERM);
    this.#add(name, existing);
    existing.nlink++;
    existing.ctim = this.volume.now();
  }

  unlink(name: string): void {
    const node = this.entries.get(name);
    if (node === undefined) throw new WasiError(Errno.NOENT);
    if (node instanceof MemoryDirectory) throw new WasiError(Errno.ISDIR);
    this.entries.delete(name);
    node.nlink--;
    node.ctim = this.volume.now();
    this.touch();
  }

  rmdir(name: string): void {
    const node = this.entries.get(name);
    if (node === undefined) throw new WasiError(Errno.NOENT);
    if (!(node instanceof MemoryDirectory)) throw new WasiError(Errno.NOTDIR);
    if (node.entries.size > 0) throw new WasiError(Errno.NOTEMPTY);
    this.entries.delete(name);
    node.removed = true;
    node.nlink = 0n;
    this.nlink--;
    this.touch();
  }

  /** True when `dir` is this directory or lies beneath it. */
  contains(dir: MemoryDirectory): boolean {
    if (dir === this) return true;
    for (const child of this.entries.values()) {
      if (child instanceof MemoryDirectory && child.contains(dir)) return true;
    }
    return false;
  }

  rename(name: string, toDir: FsDirectory, toName: string): void {
    if (!(toDir instanceof MemoryDirectory) || toDir.volume !== this.volume) throw new WasiError(Errno.XDEV);
    const node = this.entries.get(name);
    if (node === undefined) throw new WasiError(Errno.NOENT);
    const existing = toDir.entries.get(toName);
    if (existing === node) return;
    if (node instanceof MemoryDirectory) {
      if (node.contains(toDir)) throw new WasiError(Errno.INVAL);
      if (existing !== undefined) {
        if (!(existing instanceof MemoryDirectory)) throw new WasiError(Errno.NOTDIR);
        if (existing.entries.size > 0) throw new WasiError(Errno.NOTEMPTY);
      }
    } else if (existing instanceof MemoryDirectory) {
      throw new WasiError(Errno.ISDIR);
    }
    if (toDir.removed) throw new WasiError(Errno.NOENT);
    if (existing !== undefined) {
      existing.nlink = existing instanceof MemoryDirectory ? 0n : existing.nlink - 1n;
      if (existing instanceof MemoryDirectory) { existing.removed = true; toDir.nlink--; }
    }
    this.entries.delete(name);
    toDir.entries.set(toName, node);
    if (node instanceof MemoryDirectory && toDir !== this) { this.nlink--; toDir.nlink++; }
    node.ctim = this.volume.now();
    this.touch();
    toDir.touch();
  }
}

class MemoryFileHandle implements FileHandle {
  constructor(readonly file: MemoryFile) {}

  read(dst: Uint8Array, position: number): number {
    const f = this.file;
    if (position >= f.length) return 0;
    const n = Math.min(dst.length, f.length - position);
    dst.set(f.data.subarray(position, position + n));
    return n;
  }

  write(src: Uint8Array, position: number): number {
    // Writing nothing changes nothing, even past the end (as write(2) on a regular file).
    if (src.length === 0) return 0;
    const f = this.file;
    const end = position + src.length;
    if (end > f.length) {
      f.reserve(end);
      if (position > f.length) f.data.fill(0, f.length, position);
      f.length = end;
    }
    f.data.set(src, position);
    f.touch();
    return src.length;
  }

  append(src: Uint8Array): number {
    const at = this.file.length;
    this.write(src, at);
    return at;
  }

  stat(): FileStat { return this.file.stat(); }
  setSize(size: number): void { this.file.resize(size); this.file.touch(); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.file.setTimes(atim, mtim); }
  allocate(offset: number, len: number): void {
    if (offset + len > this.file.length) this.setSize(offset + len);
  }
  sync(): void {}
  datasync(): void {}
  close(): void {}
}

/** Contents to seed a MemoryFileSystem with: file bytes or text, nested directories. */
export interface MemoryTree {
  [name: string]: string | Uint8Array | MemoryTree;
}

/** Options of a MemoryFileSystem. */
export interface MemoryFileSystemOptions {
  /** Where timestamps come from, in nanoseconds since the epoch (default: `Date.now()`). */
  clock?: NanoClock;
}

/**
 * A filesystem in memory: files, directories, symlinks, hard links and
 * nanosecond timestamps. It works in browsers. Mount it with
 * `WasiBuilder.preopen()` (or the `preopens` option of `WASI`); the guest
 * changes this very object, so what it wrote can be read back with the
 * path-based methods (`readFile`, `readdir`, `stat`, ...), which take
 * '/'-separated paths relative to the root and throw `WasiError` (see
 * {@link fsPaths} for their rules).
 *
 * @example
 * ```ts
 * const fs = new MemoryFileSystem({ 'input.txt': 'hello\n', out: {} });
 * await new WasiBuilder().preopen('/data', fs).run(bytes);
 * fs.readFile('out/result.txt', 'utf8');
 * ```
 */
export class MemoryFileSystem implements FileSystem {
  /** The root directory, which the kernel walks one name at a time. */
  readonly root: FsDirectory;
  /** True: every method answers synchronously. */
  readonly synchronous = true;

  /**
   * An empty filesystem, or one seeded from `tree`.
   *
   * @param tree Contents to start with: `{ name: text | bytes | subtree }`
   *   (text is stored as UTF-8).
   * @param options The clock for timestamps.
   */
  constructor(tree: MemoryTree = {}, options: MemoryFileSystemOptions = {}) {
    const volume = new MemoryVolume(options.clock ?? defaultClock);
    const root = new MemoryDirectory(volume);
    this.root = root;
    populate(root, tree);
  }

  /** The bytes of the file at `path` (symlinks followed). ENOENT, EISDIR, ENOTDIR as {@link fsPaths.readFile}. */
  readFile(path: string): Uint8Array;
  /** The text (UTF-8) of the file at `path`. */
  readFile(path: string, encoding: TextEncodingName): string;
  readFile(path: string, encoding?: TextEncodingName): Uint8Array | string {
    return paths.readFile(this, path, encoding);
  }

  /** Creates the file at `path` or replaces its contents with `data` (text is written as UTF-8). */
  writeFile(path: string, data: string | Uint8Array): void {
    paths.writeFile(this, path, data);
  }

  /** The names in the directory at `path`, in the order the guest's `fd_readdir` lists them (creation order). */
  readdir(path: string): string[] {
    return paths.readdir(this, path);
  }

  /** The attributes of what `path` names, following symlinks. */
  stat(path: string): FileStat {
    return paths.stat(this, path);
  }

  /** The attributes of what `path` names; a symlink at the end is described itself. */
  lstat(path: string): FileStat {
    return paths.lstat(this, path);
  }

  /** True when `path` names something (symlinks followed). */
  exists(path: string): boolean {
    return paths.exists(this, path);
  }

  /** Creates a directory; with `recursive`, its missing parents too (and an existing directory is fine). */
  mkdir(path: string, options?: MkdirOptions): void {
    paths.mkdir(this, path, options);
  }

  /** Creates a symlink at `path` pointing to `target`. */
  symlink(target: string, path: string): void {
    paths.symlink(this, target, path);
  }

  /** The target of the symlink at `path` (EINVAL for anything else). */
  readlink(path: string): string {
    return paths.readlink(this, path);
  }

  /** Removes a file or symlink (EISDIR for a directory). */
  unlink(path: string): void {
    paths.unlink(this, path);
  }

  /** Removes an empty directory (ENOTEMPTY otherwise). */
  rmdir(path: string): void {
    paths.rmdir(this, path);
  }

  /** Removes a file or symlink, or with `recursive` a directory and all it holds; `force` ignores a missing path. */
  rm(path: string, options?: RmOptions): void {
    paths.rm(this, path, options);
  }
}

function populate(dir: MemoryDirectory, tree: MemoryTree): void {
  for (const [name, value] of Object.entries(tree)) {
    if (typeof value === 'string' || value instanceof Uint8Array) {
      const handle = dir.open(name, { read: false, write: true, create: true, exclusive: true, truncate: false });
      handle.write(typeof value === 'string' ? new TextEncoder().encode(value) : value, 0);
    } else {
      dir.mkdir(name);
      populate(dir.entries.get(name) as MemoryDirectory, value);
    }
  }
}
