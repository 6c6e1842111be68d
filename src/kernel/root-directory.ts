/**
 * The root a WASIX guest is given (layer: kernel): a read-only directory
 * at `/` that holds the device directory (`dev`, kernel/devices.ts) and,
 * at their guest paths, the preopened directories (`/sandbox` is the
 * `sandbox` entry, `/a/b` is `b` in a directory `a` made for it). Wasmer
 * gives every guest a root, and wasix-libc resolves an absolute path
 * against its preopens itself: without one at `/`, `/dev/null` is ENOENT
 * before Kiln hears of it.
 *
 * Nothing can be made, removed or renamed in the root or in the
 * directories made to hold mounts (EPERM); inside a mounted directory,
 * its own filesystem answers. The resolver walks into a mount and back
 * out with `..` as into any directory (it keeps the path's directories
 * itself), and never above the root.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import type { DirEntry, FileHandle, FileStat, FsDirectory, FsNode } from '../host/fs/types.js';

/** Inodes of the root and of the directories made for mounts (the devices use 0x100 and up). */
let nextInode = 0x10n;

class MountDirectory implements FsDirectory {
  readonly filetype = FileType.DIRECTORY;
  readonly entries = new Map<string, FsNode>();
  readonly #ino = nextInode++;

  stat(): FileStat { return { dev: 0n, ino: this.#ino, filetype: FileType.DIRECTORY, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n }; }
  setTimes(): void { throw new WasiError(Errno.PERM); }
  lookup(name: string): FsNode | null { return this.entries.get(name) ?? null; }

  list(): DirEntry[] {
    return [...this.entries].map(([name, node]) => ({ name, filetype: FileType.DIRECTORY, ino: (node.lookupStat?.() ?? node.stat()).ino }));
  }

  open(name: string): FileHandle { throw new WasiError(this.entries.has(name) ? Errno.ISDIR : Errno.PERM); }
  mkdir(name: string): void { throw new WasiError(this.entries.has(name) ? Errno.EXIST : Errno.PERM); }
  symlink(): void { throw new WasiError(Errno.PERM); }
  link(): void { throw new WasiError(Errno.PERM); }
  unlink(): void { throw new WasiError(Errno.PERM); }
  rmdir(): void { throw new WasiError(Errno.PERM); }
  rename(): void { throw new WasiError(Errno.PERM); }
}

/**
 * A root holding `devices` at `dev` and each directory of `mounts` at its
 * absolute guest path; a mount at `/dev` takes the devices' place, and the
 * first of two mounts at one path wins (as the longer-prefix preopen wins).
 */
export function rootDirectory(devices: FsDirectory, mounts: readonly (readonly [guestPath: string, dir: FsDirectory])[]): FsDirectory {
  const root = new MountDirectory();
  // Outer directories first: a preopen at /a is the `a` entry, and one at /a/b is reached through it.
  const byDepth = [...mounts].sort((x, y) => depth(x[0]) - depth(y[0]));
  mounts: for (const [guestPath, dir] of byDepth) {
    const parts = guestPath.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..')) continue; // `/` itself, or a path that is not plain
    let at = root;
    for (const part of parts.slice(0, -1)) {
      const next = at.entries.get(part);
      if (next === undefined) {
        const made = new MountDirectory();
        at.entries.set(part, made);
        at = made;
      } else if (next instanceof MountDirectory) {
        at = next;
      } else {
        continue mounts; // below another mount: that one's filesystem holds the path
      }
    }
    const name = parts[parts.length - 1]!;
    if (!at.entries.has(name)) at.entries.set(name, dir);
  }
  if (!root.entries.has('dev')) root.entries.set('dev', devices);
  return root;
}

function depth(path: string): number {
  return path.split('/').filter((p) => p !== '' && p !== '.').length;
}
