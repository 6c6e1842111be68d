/**
 * WASIX current directory, terminal and clock setting (layer: syscalls):
 * `getcwd`, `chdir`, `tty_get`, `tty_set`, `clock_time_set`.
 *
 * The current directory is the process's (inherited by the processes it
 * starts). wasix-libc resolves relative paths itself from the directory
 * it tracks; `chdir` here checks the directory through the sandboxed
 * resolver (kernel/guest-paths.ts) and records it. The terminal is the
 * Runtime's (`ttyGet` / `ttySet`): on Node a real terminal's modes change,
 * and are restored when Kiln exits. With no terminal on any of stdin,
 * stdout and stderr, `tty_get` answers ENOTTY (Wasmer answers a default
 * state), so `tcgetattr()` fails as it does on Linux.
 */
import { Errno } from '../../abi/errno.js';
import type { TtyState } from '../../host/runtime.js';
import { absolutePath, requireDirectory } from '../../kernel/guest-paths.js';
import { encodeUtf8 } from '../../abi/memory.js';
import { syscall, type SyscallContext } from '../context.js';

/** Size of `tty_t`: cols, rows, width, height (u32), then six booleans. */
const TTY_SIZE = 24;

/** The WASIX current-directory, terminal and clock functions of a process. */
export function wasixCwdTtySyscalls(ctx: SyscallContext) {
  const process = ctx.process;
  return {
    getcwd: syscall((buf: number, lenPtr: number): number => {
      const m = ctx.memory;
      const max = m.size(lenPtr);
      const path = encodeUtf8(process.cwd);
      m.setSize(lenPtr, path.byteLength);
      if (path.byteLength >= max) return Errno.RANGE;
      m.check(buf, path.byteLength + 1);
      m.write(buf, path);
      m.setU8(buf + path.byteLength, 0);
      return Errno.SUCCESS;
    }),

    chdir: syscall((ptr: number, len: number): number => {
      const target = absolutePath(process.cwd, ctx.memory.string(ptr, len));
      requireDirectory(process.fds, target, process.devices);
      process.cwd = target;
      return Errno.SUCCESS;
    }),

    tty_get: syscall((out: number): number => {
      const m = ctx.memory;
      m.check(out, TTY_SIZE);
      const t = process.runtime.ttyGet();
      // No terminal at all: ENOTTY, as tcgetattr() on Linux (wasix-libc's tcgetattr reads tty_get).
      if (!t.stdinTty && !t.stdoutTty && !t.stderrTty) return Errno.NOTTY;
      m.setU32(out, t.cols);
      m.setU32(out + 4, t.rows);
      m.setU32(out + 8, t.width);
      m.setU32(out + 12, t.height);
      const flags = [t.stdinTty, t.stdoutTty, t.stderrTty, t.echo, t.lineBuffered, t.lineFeeds];
      flags.forEach((f, i) => m.setU8(out + 16 + i, f ? 1 : 0));
      m.setU16(out + 22, 0);
      return Errno.SUCCESS;
    }),

    tty_set: syscall((ptr: number): number => {
      const m = ctx.memory;
      m.check(ptr, TTY_SIZE);
      const flag = (i: number): boolean => m.u8(ptr + 16 + i) !== 0;
      const state: TtyState = {
        cols: m.u32(ptr), rows: m.u32(ptr + 4), width: m.u32(ptr + 8), height: m.u32(ptr + 12),
        stdinTty: flag(0), stdoutTty: flag(1), stderrTty: flag(2), echo: flag(3), lineBuffered: flag(4), lineFeeds: flag(5),
      };
      process.runtime.ttySet(state);
      return Errno.SUCCESS;
    }),

    // Setting a clock is a privilege a sandboxed guest does not have (Linux answers EPERM).
    clock_time_set: syscall((_id: number, _lo: number, _hi: number): number => Errno.PERM),
  };
}
