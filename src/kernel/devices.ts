/**
 * The device directory (layer: kernel): the `/dev` a WASIX guest finds by
 * absolute path where no preopened directory holds `/dev` (Wasmer mounts
 * one in every guest's root, and programs open `/dev/null` and
 * `/dev/urandom` as a matter of course: a shell's `2>/dev/null`).
 *
 * It holds character devices that reach nothing of the host: `null` (reads
 * end of file, takes every write), `zero` (reads zeros, takes every
 * write), `full` (reads zeros, writes are ENOSPC), `random` and `urandom`
 * (the process's random source; writes are taken, as Linux takes them);
 * `path_open` of `stdin`, `stdout`, `stderr` and `fd/N` there gives another
 * descriptor for what that descriptor names (`descriptorAlias`).
 * It is read-only: creating, removing or renaming anything in it is EPERM.
 * A preview 1 guest never sees it (its paths never start at `/`), and a
 * preopen at `/dev` or below it takes its place.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import type { DirEntry, FileHandle, FileStat, FsDirectory, FsNode, OpenOptions } from '../host/fs/types.js';
import { fillRandom, type RandomSource } from '../host/random.js';
import { DirectoryResource } from './directory-resource.js';

/** Where the devices are. */
export const DEVICES_PATH = '/dev';

type DeviceKind = 'null' | 'zero' | 'full' | 'random' | 'urandom';
const DEVICES: readonly DeviceKind[] = ['full', 'null', 'random', 'urandom', 'zero'];

/** Linux's device numbers (major 1, "mem"), as `rdev` would give them; here the inodes. */
const INODES: Record<DeviceKind, bigint> = { null: 0x103n, zero: 0x105n, full: 0x107n, random: 0x108n, urandom: 0x109n };
const DIRECTORY_INODE = 0x100n;

function deviceStat(ino: bigint, filetype: FileType): FileStat {
  return { dev: 0n, ino, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
}

class DeviceNode implements FsNode {
  readonly filetype = FileType.CHARACTER_DEVICE;
  constructor(readonly kind: DeviceKind) {}
  stat(): FileStat { return deviceStat(INODES[this.kind], FileType.CHARACTER_DEVICE); }
  setTimes(): void {}
}

class DeviceHandle implements FileHandle {
  constructor(readonly kind: DeviceKind, readonly random: RandomSource) {}

  read(dst: Uint8Array): number {
    switch (this.kind) {
      case 'null': return 0;
      case 'zero':
      case 'full': dst.fill(0); return dst.byteLength;
      default: fillRandom(this.random, dst); return dst.byteLength;
    }
  }

  write(src: Uint8Array): number {
    if (this.kind === 'full') throw new WasiError(Errno.NOSPC);
    return src.byteLength;
  }

  append(src: Uint8Array): number {
    this.write(src);
    return 0;
  }

  stat(): FileStat { return deviceStat(INODES[this.kind], FileType.CHARACTER_DEVICE); }
  /** O_TRUNC on a device changes nothing, as on Linux. */
  setSize(): void {}
  setTimes(): void {}
  allocate(): void { throw new WasiError(Errno.NODEV); }
  sync(): void {}
  datasync(): void {}
  close(): void {}
}

class DeviceDirectory implements FsDirectory {
  readonly filetype = FileType.DIRECTORY;
  readonly #nodes = new Map<string, DeviceNode>(DEVICES.map((kind) => [kind, new DeviceNode(kind)]));

  constructor(readonly random: RandomSource) {}

  stat(): FileStat { return deviceStat(DIRECTORY_INODE, FileType.DIRECTORY); }
  setTimes(): void { throw new WasiError(Errno.PERM); }
  lookup(name: string): FsNode | null { return this.#nodes.get(name) ?? null; }
  list(): DirEntry[] { return DEVICES.map((name) => ({ name, filetype: FileType.CHARACTER_DEVICE, ino: INODES[name] })); }

  open(name: string, options: OpenOptions): FileHandle {
    const node = this.#nodes.get(name);
    if (node === undefined) throw new WasiError(options.create ? Errno.PERM : Errno.NOENT);
    return new DeviceHandle(node.kind, this.random);
  }

  mkdir(): void { throw new WasiError(Errno.PERM); }
  symlink(): void { throw new WasiError(Errno.PERM); }
  link(): void { throw new WasiError(Errno.PERM); }
  unlink(): void { throw new WasiError(Errno.PERM); }
  rmdir(): void { throw new WasiError(Errno.PERM); }
  rename(): void { throw new WasiError(Errno.PERM); }
}

/**
 * The descriptor a name in the device directory stands for: `stdin`,
 * `stdout`, `stderr` (0, 1, 2) and `fd/N`; `path_open` gives another
 * descriptor for what that one names (EBADF when it is closed). They are
 * not in the listing, and only opening them works (their stat is ENOENT).
 */
export function descriptorAlias(name: string): number | undefined {
  switch (name) {
    case 'stdin': return 0;
    case 'stdout': return 1;
    case 'stderr': return 2;
  }
  const m = /^fd\/(0|[1-9][0-9]{0,8})$/.exec(name);
  return m === null ? undefined : Number(m[1]);
}

/** A process's device directory, over its random source. */
export function deviceDirectory(random: RandomSource): DirectoryResource {
  return new DirectoryResource(new DeviceDirectory(random));
}
