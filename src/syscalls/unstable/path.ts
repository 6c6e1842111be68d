/**
 * The path_* function of wasi_unstable that differs from preview 1 (layer:
 * syscalls; `phases/old/snapshot_0/witx/wasi_unstable.witx`,
 * "path_filestat_get"): it writes the preview 0 filestat (`nlink` a u32,
 * 56 bytes). The checks are preview 1's: directory, rights, path, then the
 * output buffer. Every other path_* function is preview 1's (path_open's
 * rights are the same bits; SOCK_ACCEPT never applies to what it opens).
 */
import { Errno } from '../../abi/errno.js';
import { LookupFlags, Rights } from '../../abi/constants.js';
import { FILESTAT_UNSTABLE } from '../../abi/layouts.js';
import * as ops from '../../kernel/fs-ops.js';
import { syscall, type SyscallContext } from '../context.js';
import { writeFilestatUnstable } from './fd.js';

export function pathUnstableSyscalls(ctx: SyscallContext) {
  return {
    path_filestat_get: syscall((fd: number, flags: number, path: number, pathLen: number, out: number): number => {
      const dir = ctx.dir(fd, Rights.PATH_FILESTAT_GET);
      const p = ctx.memory.string(path, pathLen);
      ctx.memory.check(out, FILESTAT_UNSTABLE.size);
      writeFilestatUnstable(ctx.memory, out, ops.statAt(dir, p, (flags & LookupFlags.SYMLINK_FOLLOW) !== 0));
      return Errno.SUCCESS;
    }),
  };
}
