/**
 * DirectoryResource: an open directory (layer: kernel). Every directory
 * descriptor is a sandbox root of its own, as in wasmtime (cap-std): paths
 * resolved from it may not climb above it with `..`, even where the result
 * would still lie inside a preopen.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import type { DirEntry, FileStat, FsDirectory, TimeSpec } from '../host/fs/types.js';
import { Resource } from './resource.js';

export class DirectoryResource extends Resource {
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

  override readdir(): DirEntry[] {
    const self = this.node.stat();
    const parent = this.parent?.stat() ?? self;
    return [
      { name: '.', filetype: FileType.DIRECTORY, ino: self.ino },
      { name: '..', filetype: FileType.DIRECTORY, ino: parent.ino },
      ...this.node.list(),
    ];
  }

  /** Entries from a readdir cookie on; the listing is re-read at cookie 0. */
  entriesFrom(cookie: bigint): readonly DirEntry[] {
    if (cookie === 0n || this.#listing === undefined) this.#listing = this.readdir();
    return this.#listing;
  }

  override setFdflags(flags: number): void {
    if (flags !== 0 && flags !== this.fdflags) throw new WasiError(Errno.INVAL);
  }
}
