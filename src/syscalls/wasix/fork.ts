/**
 * `proc_fork` (layer: syscalls): the kernel's half of a fork. The guest
 * thread's port has unwound the thread's stack into a buffer in guest
 * memory (exec/ports/asyncify.ts) and calls this with the buffer's fork
 * record; the kernel's launcher makes the child — the same module on a
 * copy of the memory, a copy of the descriptor table, the same current
 * directory, environment and signal handler — and its pid goes into the
 * record. vfork (`copy_memory` false) is a fork: the child gets its own
 * copy, as POSIX allows. A module without asyncify's exports, or a
 * placement whose port cannot unwind, gets ENOTSUP.
 */
import { Errno } from '../../abi/errno.js';
import { FORK_FROM_PORT, forkRecord } from '../../abi/fork-record.js';
import { syscall, type SyscallContext } from '../context.js';

/** The WASIX fork functions of a process. */
export function wasixForkSyscalls(ctx: SyscallContext) {
  const process = ctx.process;
  return {
    proc_fork: syscall((copyMemory: number, record: number): number => {
      if (copyMemory < FORK_FROM_PORT) return Errno.NOTSUP;
      const launcher = process.kernel.launcher;
      if (launcher === undefined || process.image === undefined) return Errno.NOTSUP;
      const layout = forkRecord(ctx.memory.wide);
      ctx.memory.check(record, layout.DATA);
      const child = launcher.fork(process, record);
      ctx.memory.setU32(record + layout.CHILD_PID, child.pid);
      return Errno.SUCCESS;
    }),

    /**
     * vfork without asyncify (wasix-libc's builds with wasm exception
     * handling: setjmp, this, then longjmp back once it returned): a child
     * process with a copy of the descriptor table, the directory, the
     * environment and the signal state, and no program; the calling
     * thread acts for it (its calls run as the child's, on this memory)
     * until the child's exec or exit returns. Where a thread cannot act
     * for another process (no channel port): ENOTSUP.
     */
    proc_fork_env: syscall((pidOut: number): number => {
      ctx.memory.check(pidOut, 4);
      const thread = ctx.thread;
      // Not where no channel port serves the thread (no image), nor from a vfork child (the thread is another process's).
      if (process.kernel.launcher === undefined || process.image === undefined || thread.process !== process) return Errno.NOTSUP;
      const child = process.kernel.launcher.forkEnvironment(process);
      process.vforking.set(thread, child);
      ctx.memory.setU32(pidOut, child.pid);
      return Errno.SUCCESS;
    }),
  };
}
