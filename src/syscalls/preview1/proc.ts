/**
 * proc_exit, proc_raise and sched_yield (layer: syscalls; preview 1
 * "Process").
 *
 * proc_raise asks the process's signal table what the signal does
 * (kernel/signals.ts): with the default dispositions of POSIX, ignored
 * signals (CHLD, CONT, URG, WINCH) and the job-control stops (Kiln has no
 * job control) return success; every other signal ends the process, which
 * reports exit status 128 + the Linux signal number, as a shell shows a
 * process killed by a signal. sched_yield yields through the runtime.
 */
import { Errno } from '../../abi/errno.js';
import { ProcessExit } from '../../abi/process-exit.js';
import { linuxSignalNumber } from '../../kernel/exit-status.js';
import { isSignal } from '../../kernel/signals.js';
import { syscall, type SyscallContext } from '../context.js';
import { endVforkChild } from '../vfork-child.js';

export function procSyscalls(ctx: SyscallContext) {
  return {
    /** Ends the process; in the child of a WASIX `proc_fork_env`, it ends that child and returns. */
    proc_exit: (code: number): number => {
      if (endVforkChild(ctx, code >>> 0)) return 0; // no result reaches the guest
      throw new ProcessExit(code >>> 0);
    },
    proc_raise: syscall((sig: number): number => {
      if (!isSignal(sig)) return Errno.INVAL;
      const action = ctx.process.signals.action(sig);
      if (action === 'terminate') throw new ProcessExit(128 + linuxSignalNumber(sig), sig);
      if (action === 'handle') ctx.process.signals.queue(sig);
      return Errno.SUCCESS;
    }),
    sched_yield: syscall((): number => {
      ctx.process.runtime.yieldNow();
      return Errno.SUCCESS;
    }),
  };
}
