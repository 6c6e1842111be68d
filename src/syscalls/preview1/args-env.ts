/**
 * args_* and environ_* (layer: syscalls; preview 1 "Command-line
 * arguments" and "Environment variables"), over string-lists.ts.
 */
import { syscall, type SyscallContext } from '../context.js';
import { listGet, listSizesGet } from './string-lists.js';

export function argsEnvSyscalls(ctx: SyscallContext) {
  const p = ctx.process;
  return {
    args_get: syscall((argv: number, argvBuf: number) => listGet(ctx.memory, p.argBytes, argv, argvBuf)),
    args_sizes_get: syscall((countOut: number, sizeOut: number) => listSizesGet(ctx.memory, p.argBytes, countOut, sizeOut)),
    environ_get: syscall((environ: number, environBuf: number) => listGet(ctx.memory, p.envBytes, environ, environBuf)),
    environ_sizes_get: syscall((countOut: number, sizeOut: number) => listSizesGet(ctx.memory, p.envBytes, countOut, sizeOut)),
  };
}
