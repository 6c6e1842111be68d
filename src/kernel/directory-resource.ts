/**
 * DirectoryResource: an open directory (layer: kernel). Every directory
 * descriptor is a sandbox root of its own, as in wasmtime (cap-std): paths
 * resolved from it may not climb above it with `..`, even where the result
 * would still lie inside a preopen.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import type { DirEntry, FileStat, FsDirectory, FsNode, TimeSpec } from '../host/fs/types.js';
import { Resource } from './resource.js';

/** The inode of `node` as its lookup found it (without a host call where the backend kept the lookup's attributes). */
function inoOf(node: FsNode): bigint {
  return (node.lookupStat?.() ?? node.stat()).ino;
}

export class DirectoryResource extends Resource {
  /**
   * A descriptor that is never handed out, kept for its hidden class. V8
   * drops a hidden class at a full GC once no object has it, and
   * deoptimizes the code built on it: in a process started after the
   * previous one's descriptors were collected, fd_readdir and every path
   * call would run unoptimized again for their first thousands of calls.
   */
  static readonly shapeKeeper = new DirectoryResource({ filetype: FileType.DIRECTORY } as unknown as FsDirectory);

  readonly filetype = FileType.DIRECTORY;
  /** Snapshot of the listing taken when a guest starts reading at cookie 0. */
  #listing: DirEntry[] | undefined;

  /**
   * @param node the directory.
   * @param parent its parent when known (for the inode of `..` in readdir).
   * @param preopenPath the guest path of a preopened directory.
   */
  /** The resolver's starting stack: this directory alone (built once, used by every path call). */
  readonly root: readonly FsDirectory[];

  constructor(readonly node: FsDirectory, readonly parent?: FsDirectory, readonly preopenPath?: string) {
    super();
    this.root = [node];
  }


  override stat(): FileStat { return this.node.stat(); }
  override setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.node.setTimes(atim, mtim); }
  override sync(): void {}
  override datasync(): void {}
  override advise(): void {}

  /**
   * The listing with `.` and `..` first. Their inodes are those of the
   * directory and its parent as they were looked up when this descriptor
   * was opened (a descriptor names the directory it opened), without a
   * host call where the backend kept them.
   */
  override readdir(): DirEntry[] {
    const self = inoOf(this.node);
    const parent = this.parent !== undefined ? inoOf(this.parent) : self;
    return [
      { name: '.', filetype: FileType.DIRECTORY, ino: self },
      { name: '..', filetype: FileType.DIRECTORY, ino: parent },
      ...this.node.list(),
    ];
  }

  /**
   * The listing for a readdir cookie (the index of the next entry); it is
   * re-read at cookie 0.
   */
  entriesFrom(cookie: number): readonly DirEntry[] {
    if (cookie === 0 || this.#listing === undefined) this.#listing = this.readdir();
    return this.#listing;
  }

  override setFdflags(flags: number): void {
    if (flags !== 0 && flags !== this.fdflags) throw new WasiError(Errno.INVAL);
  }
}
