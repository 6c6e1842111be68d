/**
 * args_* and environ_* (layer: syscalls; preview 1 "Command-line
 * arguments" and "Environment variables").
 */
import { Errno } from '../../abi/errno.js';
import { syscall, type SyscallContext } from '../context.js';

function sizesGet(ctx: SyscallContext, list: readonly Uint8Array[], countPtr: number, sizePtr: number): number {
  let size = 0;
  for (const s of list) size += s.byteLength;
  const m = ctx.memory;
  m.check(countPtr, m.sizeBytes);
  m.check(sizePtr, m.sizeBytes);
  m.setSize(countPtr, list.length);
  m.setSize(sizePtr, size);
  return Errno.SUCCESS;
}

function listGet(ctx: SyscallContext, list: readonly Uint8Array[], ptrs: number, buf: number): number {
  const m = ctx.memory;
  let size = 0;
  for (const s of list) size += s.byteLength;
  const width = m.sizeBytes;
  m.check(ptrs, list.length * width);
  m.check(buf, size);
  let at = buf >>> 0;
  list.forEach((s, i) => {
    m.setSize(ptrs + i * width, at);
    m.write(at, s);
    at += s.byteLength;
  });
  return Errno.SUCCESS;
}

export function argsEnvSyscalls(ctx: SyscallContext) {
  const p = ctx.process;
  return {
    args_get: syscall((argv: number, argvBuf: number) => listGet(ctx, p.argBytes, argv, argvBuf)),
    args_sizes_get: syscall((countOut: number, sizeOut: number) => sizesGet(ctx, p.argBytes, countOut, sizeOut)),
    environ_get: syscall((environ: number, environBuf: number) => listGet(ctx, p.envBytes, environ, environBuf)),
    environ_sizes_get: syscall((countOut: number, sizeOut: number) => sizesGet(ctx, p.envBytes, countOut, sizeOut)),
  };
}
