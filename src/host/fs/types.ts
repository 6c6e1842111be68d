/**
 * The filesystem interface (layer: host). A filesystem is a tree of nodes;
 * Kiln's kernel walks it one component at a time (its own path resolver
 * holds the sandbox), so a backend never sees a path with a `/` in it and
 * never follows a symlink by itself.
 *
 * Backends report failures by throwing `WasiError` (or a host error with a
 * `code` such as 'ENOENT', mapped in `host/host-errors.ts`). Every method
 * has one meaning on every backend; a backend that cannot do something
 * throws `WasiError(NOTSUP)`.
 */
import { FileType } from '../../abi/constants.js';

/** `filestat` as the kernel sees it; times are nanoseconds since the epoch. */
export interface FileStat {
  /** The device (filesystem) the file is on. */
  dev: bigint;
  /** The file's serial number (inode), unique within `dev`. */
  ino: bigint;
  /** What kind of file it is. */
  filetype: FileType;
  /** The number of hard links to the file. */
  nlink: bigint;
  /** The size in bytes (for a symlink, its target's length in UTF-8 bytes). */
  size: bigint;
  /** Last access time, in nanoseconds since the epoch. */
  atim: bigint;
  /** Last modification time, in nanoseconds since the epoch. */
  mtim: bigint;
  /** Last status change time, in nanoseconds since the epoch. */
  ctim: bigint;
}

/** A time to set: nanoseconds, the current time, or leave unchanged. */
export type TimeSpec = bigint | 'now' | null;

/** One entry of a directory listing. */
export interface DirEntry {
  /** The entry's name (a single component). */
  name: string;
  /** The type of what the entry names (a symlink is SYMBOLIC_LINK). */
  filetype: FileType;
  /** The serial number (inode) of what the entry names. */
  ino: bigint;
}

/** A node of a filesystem tree: a directory, a symlink, or another file. */
export interface FsNode {
  /** The node's type when it was looked up. */
  readonly filetype: FileType;
  /** The node's current attributes. */
  stat(): FileStat;
  /**
   * The attributes captured when this node was looked up, if the backend
   * took them then (saves a second host call right after a lookup); live
   * holders of a node call `stat()`.
   */
  lookupStat?(): FileStat;
  /** Sets the access and modification times: nanoseconds, `'now'`, or `null` to leave one unchanged. */
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
}

/** A symbolic link. */
export interface FsSymlink extends FsNode {
  /** The link's target, as stored (Kiln's resolver follows it, never the backend). */
  readlink(): string;
}

/** How `FsDirectory.open` opens a file. */
export interface OpenOptions {
  /** Open for reading. */
  read: boolean;
  /** Open for writing. */
  write: boolean;
  /** Create the file if it does not exist. */
  create: boolean;
  /** With `create`: fail with EEXIST if the file exists. */
  exclusive: boolean;
  /** Empty the file when it is opened. */
  truncate: boolean;
}

/**
 * A directory. Every method takes a single name (never a path with a
 * `/`), and failures are thrown as `WasiError` (or a host error with a
 * `code`).
 */
export interface FsDirectory extends FsNode {
  /** The entry `name` (lstat semantics: a symlink is returned as itself), or null. */
  lookup(name: string): FsNode | null;
  /** Entries other than `.` and `..`, in a stable order. */
  list(): DirEntry[];
  /** Opens (or creates) the regular file or device `name`; never follows a symlink. */
  open(name: string, options: OpenOptions): FileHandle;
  /** Creates the directory `name` (EEXIST if the name is taken). */
  mkdir(name: string): void;
  /** Creates a symlink `name` whose target is `target` (EEXIST if the name is taken). */
  symlink(name: string, target: string): void;
  /** Creates a hard link `name` to `existing`, a node of the same filesystem (EXDEV otherwise). */
  link(name: string, existing: FsNode): void;
  /** Removes the file or symlink `name` (EISDIR for a directory). */
  unlink(name: string): void;
  /** Removes the empty directory `name` (ENOTDIR, ENOTEMPTY). */
  rmdir(name: string): void;
  /** Moves the entry `name` to `toName` in `toDir`, replacing what is there as rename(2) does. */
  rename(name: string, toDir: FsDirectory, toName: string): void;
}

/** An open regular file. Positions are explicit: the kernel keeps the offset. */
export interface FileHandle {
  /** Reads into `dst` from `position`; returns the count read (0 at the end of the file). */
  read(dst: Uint8Array, position: number): number;
  /** Writes `src` at `position` (a gap past the end reads as zeros); returns the count written. */
  write(src: Uint8Array, position: number): number;
  /** Appends at the current end; returns the offset the data was written at. */
  append(src: Uint8Array): number;
  /** The file's current attributes. */
  stat(): FileStat;
  /** Truncates or extends (with zeros) the file to `size` bytes. */
  setSize(size: number): void;
  /** Sets the access and modification times: nanoseconds, `'now'`, or `null` to leave one unchanged. */
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
  /** Ensures [offset, offset + len) is allocated, growing the file if needed. */
  allocate(offset: number, len: number): void;
  /** Writes the file's data and attributes to storage. */
  sync(): void;
  /** Writes the file's data to storage. */
  datasync(): void;
  /** Closes the handle; it is not used afterwards. */
  close(): void;
}

/**
 * A filesystem: a tree of nodes under `root`, which Kiln's kernel walks
 * one name at a time (it resolves paths, `..` and symlinks itself, so the
 * sandbox does not depend on the backend). `MemoryFileSystem` and
 * `NodeFileSystem` implement it; the functions of `fsPaths` work on any.
 */
export interface FileSystem {
  /** The root directory: what a guest sees at the path it is mounted on. */
  readonly root: FsDirectory;
  /**
   * True when every method answers synchronously, never with a Promise
   * (`MemoryFileSystem`, `NodeFileSystem`): the kernel then calls it
   * directly. Any other filesystem object goes through the adapter for
   * asynchronous backends (host/async-backend.ts), so that a Promise
   * where none can be awaited is a clean error, not a broken call.
   */
  readonly synchronous?: boolean;
}

/** True when `node` is a directory. */
export function isDirectory(node: FsNode): node is FsDirectory {
  return node.filetype === FileType.DIRECTORY;
}

/** True when `node` is a symlink. */
export function isSymlink(node: FsNode): node is FsSymlink {
  return node.filetype === FileType.SYMBOLIC_LINK;
}
