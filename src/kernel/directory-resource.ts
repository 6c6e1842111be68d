/**
 * DirectoryResource: an open directory (layer: kernel). It keeps the chain
 * of directories from its sandbox root down to itself, so `..` is resolved
 * by Kiln (never by the host) and can never climb above the root.
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
   * @param chain directories from the sandbox root (index 0) to this one.
   * @param preopenPath the guest path of a preopened directory.
   */
  constructor(readonly chain: readonly FsDirectory[], readonly preopenPath?: string) {
    super();
    if (chain.length === 0) throw new Error('DirectoryResource needs at least its root');
  }

  get node(): FsDirectory { return this.chain[this.chain.length - 1]!; }

  override stat(): FileStat { return this.node.stat(); }
  override setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.node.setTimes(atim, mtim); }
  override sync(): void {}
  override datasync(): void {}
  override advise(): void {}

  override readdir(): DirEntry[] {
    const self = this.node.stat();
    const parent = this.chain.length > 1 ? this.chain[this.chain.length - 2]!.stat() : self;
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
