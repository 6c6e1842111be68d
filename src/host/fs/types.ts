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
  dev: bigint;
  ino: bigint;
  filetype: FileType;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** A time to set: nanoseconds, the current time, or leave unchanged. */
export type TimeSpec = bigint | 'now' | null;

export interface DirEntry {
  name: string;
  filetype: FileType;
  ino: bigint;
}

export interface FsNode {
  /** The node's type when it was looked up. */
  readonly filetype: FileType;
  stat(): FileStat;
  /**
   * The attributes captured when this node was looked up, if the backend
   * took them then (saves a second host call right after a lookup); live
   * holders of a node call `stat()`.
   */
  lookupStat?(): FileStat;
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
}

export interface FsSymlink extends FsNode {
  readlink(): string;
}

export interface OpenOptions {
  read: boolean;
  write: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
}

export interface FsDirectory extends FsNode {
  /** The entry `name` (lstat semantics: a symlink is returned as itself), or null. */
  lookup(name: string): FsNode | null;
  /** Entries other than `.` and `..`, in a stable order. */
  list(): DirEntry[];
  mkdir(name: string): void;
  /** Opens (or creates) the regular file or device `name`; never follows a symlink. */
  open(name: string, options: OpenOptions): FileHandle;
  symlink(name: string, target: string): void;
  link(name: string, existing: FsNode): void;
  unlink(name: string): void;
  rmdir(name: string): void;
  rename(name: string, toDir: FsDirectory, toName: string): void;
}

/** An open regular file. Positions are explicit: the kernel keeps the offset. */
export interface FileHandle {
  read(dst: Uint8Array, position: number): number;
  write(src: Uint8Array, position: number): number;
  /** Appends at the current end; returns the offset the data was written at. */
  append(src: Uint8Array): number;
  stat(): FileStat;
  setSize(size: number): void;
  setTimes(atim: TimeSpec, mtim: TimeSpec): void;
  /** Ensures [offset, offset + len) is allocated, growing the file if needed. */
  allocate(offset: number, len: number): void;
  sync(): void;
  datasync(): void;
  close(): void;
}

export interface FileSystem {
  readonly root: FsDirectory;
}

export function isDirectory(node: FsNode): node is FsDirectory {
  return node.filetype === FileType.DIRECTORY;
}

export function isSymlink(node: FsNode): node is FsSymlink {
  return node.filetype === FileType.SYMBOLIC_LINK;
}
