/**
 * path_* (layer: syscalls; preview 1 "Paths"). Each call checks the
 * directory descriptor's rights, decodes the path (UTF-8, bounds-checked)
 * and calls the kernel's path operation; the sandbox is the kernel
 * resolver's job.
 */
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { FileStat } from '../../host/fs/types.js';
import { FdFlags, FileType, LookupFlags, OFlags, OFLAGS_ALL, FDFLAGS_ALL, Rights, RIGHTS_STREAM } from '../../abi/constants.js';
import { FILESTAT } from '../../abi/layouts.js';
import { encodeUtf8 } from '../../abi/memory.js';
import type { DirectoryResource } from '../../kernel/directory-resource.js';
import * as ops from '../../kernel/fs-ops.js';
import { absolutePath, locate } from '../../kernel/guest-paths.js';
import { descriptorAlias } from '../../kernel/devices.js';
import { definedRights, syscall, type SyscallContext } from '../context.js';
import { applicableRights, timesFromFlags, writeFilestat } from './fd.js';

const READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR;
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;

/**
 * The path functions of a process. With `fromRoot` (WASIX's, as Wasmer
 * resolves paths; also preview 1's in a WASIX module, `ctx.absolutePaths`), an absolute path is the guest's own: it starts at the
 * preopen that holds it, whichever directory descriptor came with it (the
 * first generations' wasix-libc passes its root preopen with absolute
 * paths). Without it (preview 1), the resolver refuses one (EPERM).
 */
export function pathSyscalls(ctx: SyscallContext, fromRoot = false) {
  const fds = ctx.process.fds;
  const str = (ptr: number, len: number): string => ctx.memory.string(ptr, len);
  const follows = (flags: number): boolean => (flags & LookupFlags.SYMLINK_FOLLOW) !== 0;
  /** The directory (checked for `rights`) and the path a call names. */
  const at = (fd: number, rights: number, ptr: number, len: number): [DirectoryResource, string] => where(ctx.dir(fd, rights), str(ptr, len));
  /** Where `path`, given with `dir`, starts. */
  const where = (dir: DirectoryResource, path: string): [DirectoryResource, string] => {
    if (!fromRoot && !ctx.absolutePaths) return [dir, path];
    let absolute: string;
    if (path.charCodeAt(0) === 47 /* / */) absolute = absolutePath('/', path);
    // From the root, a relative path starts at the current directory (Wasmer's root descriptor; wasix-libc's first generations rely on it).
    else if (dir.preopenPath === '/' && ctx.process.cwd !== '/') absolute = absolutePath(ctx.process.cwd, path);
    // `dev/null` from a root the embedder preopened: the device directory (kernel/devices.ts), unless that root holds a dev/.
    else if (dir.preopenPath === '/' && (path === 'dev' || path.startsWith('dev/'))) absolute = absolutePath('/', path);
    else return [dir, path];
    const { dir: root, rest } = locate(fds, absolute, ctx.process.devices);
    return [root, rest !== '.' && path.endsWith('/') ? `${rest}/` : rest];
  };

  /** The command registered at the guest path `path` names from `dir` (a preopen; or any directory, for an absolute `path` with `fromRoot`). */
  const registeredCommand = (dir: DirectoryResource, path: string): (() => Uint8Array) | undefined => {
    const commands = ctx.process.kernel.commands;
    if (commands === undefined || commands.size === 0) return undefined;
    const absolute = path.charCodeAt(0) === 47 /* / */;
    if (absolute ? !fromRoot && !ctx.absolutePaths : dir.preopenPath === undefined) return undefined;
    return commands.get(absolute ? absolutePath('/', path) : absolutePath(absolutePath('/', dir.preopenPath!), path));
  };

  return {
    path_create_directory: syscall((fd: number, path: number, pathLen: number): number => {
      ops.mkdirAt(...at(fd, Rights.PATH_CREATE_DIRECTORY, path, pathLen));
      return Errno.SUCCESS;
    }),

    path_filestat_get: syscall((fd: number, flags: number, path: number, pathLen: number, out: number): number => {
      const dir = ctx.dir(fd, Rights.PATH_FILESTAT_GET);
      const p = str(path, pathLen);
      ctx.memory.check(out, FILESTAT.size);
      let stat: FileStat;
      try {
        stat = ops.statAt(...where(dir, p), follows(flags));
      } catch (e) {
        // A command the embedder registered at a path its files do not hold is a file there (a shell's PATH search stats it).
        const command = errnoOf(e) === Errno.NOENT ? registeredCommand(dir, p) : undefined;
        if (command === undefined) throw e;
        stat = { dev: 0n, ino: 0n, filetype: FileType.REGULAR_FILE, nlink: 1n, size: BigInt(command().byteLength), atim: 0n, mtim: 0n, ctim: 0n };
      }
      writeFilestat(ctx.memory, out, stat);
      return Errno.SUCCESS;
    }),

    path_filestat_set_times: syscall((fd: number, flags: number, path: number, pathLen: number,
      atimLo: number, atimHi: number, mtimLo: number, mtimHi: number, fstFlags: number): number => {
      const dir = ctx.dir(fd, Rights.PATH_FILESTAT_SET_TIMES);
      const [a, m] = timesFromFlags(atimLo, atimHi, mtimLo, mtimHi, fstFlags);
      ops.setTimesAt(...where(dir, str(path, pathLen)), follows(flags), a, m);
      return Errno.SUCCESS;
    }),

    path_link: syscall((oldFd: number, oldFlags: number, oldPath: number, oldPathLen: number,
      newFd: number, newPath: number, newPathLen: number): number => {
      const from = ctx.dir(oldFd, Rights.PATH_LINK_SOURCE);
      const to = ctx.dir(newFd, Rights.PATH_LINK_TARGET);
      ops.linkAt(...where(from, str(oldPath, oldPathLen)), follows(oldFlags), ...where(to, str(newPath, newPathLen)));
      return Errno.SUCCESS;
    }),

    path_open: syscall((fd: number, dirflags: number, path: number, pathLen: number, oflags: number,
      rightsBaseLo: number, _rightsBaseHi: number, rightsInheritingLo: number, _rightsInheritingHi: number,
      fdflags: number, fdOut: number): number => {
      if ((oflags & ~OFLAGS_ALL) !== 0 || (fdflags & ~FDFLAGS_ALL) !== 0) return Errno.INVAL;
      let needed = Rights.PATH_OPEN;
      if (oflags & OFlags.CREAT) needed |= Rights.PATH_CREATE_FILE;
      if (oflags & OFlags.TRUNC) needed |= Rights.PATH_FILESTAT_SET_SIZE;
      const d = fds.get(fd);
      const [dir, p] = at(fd, needed, path, pathLen);
      ctx.memory.check(fdOut, 4);
      // Rights beyond the 30 defined bits cannot be granted by anything; ignore them.
      const base = definedRights(rightsBaseLo);
      const inheriting = definedRights(rightsInheritingLo);
      // The device directory is only reachable where paths may be absolute (it is made on first use).
      const inDevices = (fromRoot || ctx.absolutePaths) && dir === ctx.process.devices;
      if (inDevices && p === 'tty') {
        // The terminal the process started on; none is ENXIO, as for a Linux process without a controlling terminal.
        const terminal = ctx.process.terminal;
        if (terminal === undefined) return Errno.NXIO;
        ctx.memory.setU32(fdOut, fds.add({ resource: terminal, rightsBase: RIGHTS_STREAM & base, rightsInheriting: 0 }));
        return Errno.SUCCESS;
      }
      const alias = inDevices ? descriptorAlias(p) : undefined;
      if (alias !== undefined) {
        // /dev/stdout and the like: another descriptor for what that one names, with at most its rights.
        const named = fds.get(alias);
        ctx.memory.setU32(fdOut, fds.add({ resource: named.resource, rightsBase: named.rightsBase & base, rightsInheriting: named.rightsInheriting & inheriting }));
        return Errno.SUCCESS;
      }
      const resource = ops.openAt(dir, p, {
        follow: (dirflags & LookupFlags.SYMLINK_FOLLOW) !== 0,
        create: (oflags & OFlags.CREAT) !== 0,
        directory: (oflags & OFlags.DIRECTORY) !== 0,
        exclusive: (oflags & OFlags.EXCL) !== 0,
        truncate: (oflags & OFlags.TRUNC) !== 0,
        read: (base & READ_RIGHTS) !== 0,
        write: (base & WRITE_RIGHTS) !== 0 || (fdflags & FdFlags.APPEND) !== 0,
        fdflags,
      });
      // The new descriptor holds the requested rights that apply to what was
      // opened and that the directory may hand down. Asking for more is not
      // an error (wasmtime and the conformance suite mask, never refuse).
      const granted = base & applicableRights(resource.filetype) & d.rightsInheriting;
      let newFd: number;
      try {
        newFd = fds.add({ resource, rightsBase: granted, rightsInheriting: inheriting & d.rightsInheriting });
      } catch (e) {
        resource.close();
        throw e;
      }
      ctx.memory.setU32(fdOut, newFd);
      return Errno.SUCCESS;
    }),

    path_readlink: syscall((fd: number, path: number, pathLen: number, buf: number, bufLen: number, bufusedOut: number): number => {
      const target = encodeUtf8(ops.readlinkAt(...at(fd, Rights.PATH_READLINK, path, pathLen)));
      const m = ctx.memory;
      m.check(bufusedOut, m.sizeBytes);
      const dst = m.slice(buf, bufLen);
      const n = Math.min(dst.byteLength, target.byteLength);
      dst.set(target.subarray(0, n));
      m.setSize(bufusedOut, n);
      return Errno.SUCCESS;
    }),

    path_remove_directory: syscall((fd: number, path: number, pathLen: number): number => {
      ops.rmdirAt(...at(fd, Rights.PATH_REMOVE_DIRECTORY, path, pathLen));
      return Errno.SUCCESS;
    }),

    path_rename: syscall((fd: number, oldPath: number, oldPathLen: number, newFd: number, newPath: number, newPathLen: number): number => {
      const from = ctx.dir(fd, Rights.PATH_RENAME_SOURCE);
      const to = ctx.dir(newFd, Rights.PATH_RENAME_TARGET);
      ops.renameAt(...where(from, str(oldPath, oldPathLen)), ...where(to, str(newPath, newPathLen)));
      return Errno.SUCCESS;
    }),

    path_symlink: syscall((oldPath: number, oldPathLen: number, fd: number, newPath: number, newPathLen: number): number => {
      const dir = ctx.dir(fd, Rights.PATH_SYMLINK);
      ops.symlinkAt(str(oldPath, oldPathLen), ...where(dir, str(newPath, newPathLen)));
      return Errno.SUCCESS;
    }),

    path_unlink_file: syscall((fd: number, path: number, pathLen: number): number => {
      ops.unlinkAt(...at(fd, Rights.PATH_UNLINK_FILE, path, pathLen));
      return Errno.SUCCESS;
    }),
  };
}
