/**
 * The fd_* functions of wasi_unstable that differ from preview 1 (layer:
 * syscalls; `phases/old/snapshot_0/witx/wasi_unstable.witx`, "fd_seek",
 * "fd_filestat_get", "fd_fdstat_get", "fd_fdstat_set_rights").
 *
 * - `fd_seek`: preview 0 numbers whence CUR=0, END=1, SET=2; translated,
 *   then preview 1's fd_seek runs (same checks, same errno order).
 * - `fd_filestat_get`: the preview 0 filestat (`nlink` a u32, 56 bytes).
 * - `fd_fdstat_get` / `fd_fdstat_set_rights`: preview 0 has no SOCK_ACCEPT
 *   right (bit 29). It is not shown to a preview 0 guest, and a descriptor
 *   that holds it keeps it when the guest sets the rights it can name;
 *   bits preview 0 does not define are ENOTCAPABLE, as preview 1 answers
 *   for bits it does not define.
 */
import { Errno } from '../../abi/errno.js';
import { RIGHTS_ALL_UNSTABLE, Rights, Whence, WhenceUnstable } from '../../abi/constants.js';
import { FDSTAT, FILESTAT_UNSTABLE } from '../../abi/layouts.js';
import type { GuestMemory } from '../../abi/memory.js';
import type { Preview1Split } from '../../abi/signatures.js';
import type { FileStat } from '../../host/fs/types.js';
import { syscall, type SyscallContext } from '../context.js';

const U32_MAX = 0xffffffffn;

/** Writes a preview 0 filestat; the caller has checked [ptr, ptr + 56). */
export function writeFilestatUnstable(m: GuestMemory, ptr: number, s: FileStat): void {
  const L = FILESTAT_UNSTABLE;
  m.check(ptr, L.size);
  const p = ptr >>> 0;
  const v = m.view;
  v.setBigUint64(p + L.dev, s.dev, true);
  v.setBigUint64(p + L.ino, s.ino, true);
  v.setUint32(p + L.filetype, s.filetype, true); // the u8 and its padding
  // More than 2^32 - 1 links cannot be told in a u32: saturate (as wasmtime).
  v.setUint32(p + L.nlink, Number(s.nlink > U32_MAX ? U32_MAX : s.nlink), true);
  v.setBigUint64(p + L.fileSize, s.size, true);
  v.setBigUint64(p + L.atim, BigInt.asUintN(64, s.atim), true);
  v.setBigUint64(p + L.mtim, BigInt.asUintN(64, s.mtim), true);
  v.setBigUint64(p + L.ctim, BigInt.asUintN(64, s.ctim), true);
}

/**
 * A preview 0 whence as preview 1's. Other values go through unchanged:
 * they are not 0, 1 or 2, so preview 1 answers EINVAL after its descriptor
 * checks, as for its own unknown values.
 */
export function whenceToPreview1(whence: number): number {
  switch (whence) {
    case WhenceUnstable.CUR: return Whence.CUR;
    case WhenceUnstable.END: return Whence.END;
    case WhenceUnstable.SET: return Whence.SET;
    default: return whence;
  }
}

export function fdUnstableSyscalls(ctx: SyscallContext, preview1: Preview1Split) {
  const fds = ctx.process.fds;
  const p1Seek = preview1.fd_seek;
  const p1FdstatGet = preview1.fd_fdstat_get;
  const p1SetRights = preview1.fd_fdstat_set_rights;

  return {
    fd_seek: (fd: number, offsetLo: number, offsetHi: number, whence: number, newOffsetOut: number): number =>
      p1Seek(fd, offsetLo, offsetHi, whenceToPreview1(whence), newOffsetOut),

    fd_filestat_get: syscall((fd: number, out: number): number => {
      const d = fds.get(fd, Rights.FD_FILESTAT_GET);
      ctx.memory.check(out, FILESTAT_UNSTABLE.size);
      writeFilestatUnstable(ctx.memory, out, d.resource.stat());
      return Errno.SUCCESS;
    }),

    fd_fdstat_get: syscall((fd: number, out: number): number => {
      const errno = p1FdstatGet(fd, out);
      if (errno !== Errno.SUCCESS) return errno;
      // Same struct; only the rights preview 0 cannot name are cleared (every right is in the low half).
      const m = ctx.memory;
      m.setU64Halves(out + FDSTAT.rightsBase, m.u32(out + FDSTAT.rightsBase) & RIGHTS_ALL_UNSTABLE, 0);
      m.setU64Halves(out + FDSTAT.rightsInheriting, m.u32(out + FDSTAT.rightsInheriting) & RIGHTS_ALL_UNSTABLE, 0);
      return Errno.SUCCESS;
    }),

    fd_fdstat_set_rights: syscall((fd: number, baseLo: number, baseHi: number, inheritingLo: number, inheritingHi: number): number => {
      const d = fds.get(fd);
      if (baseHi !== 0 || (baseLo & ~RIGHTS_ALL_UNSTABLE) !== 0) return Errno.NOTCAPABLE;
      if (inheritingHi !== 0 || (inheritingLo & ~RIGHTS_ALL_UNSTABLE) !== 0) return Errno.NOTCAPABLE;
      // Rights beyond preview 0's (SOCK_ACCEPT) are kept: the guest cannot name them.
      const hiddenBase = d.rightsBase & ~RIGHTS_ALL_UNSTABLE;
      const hiddenInheriting = d.rightsInheriting & ~RIGHTS_ALL_UNSTABLE;
      return p1SetRights(fd, baseLo | hiddenBase, 0, inheritingLo | hiddenInheriting, 0);
    }),
  };
}
