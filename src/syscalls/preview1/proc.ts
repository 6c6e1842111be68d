/**
 * proc_exit, proc_raise and sched_yield (layer: syscalls; preview 1
 * "Process").
 *
 * proc_raise follows the default signal dispositions of POSIX, as a native
 * process would see them: ignored signals (CHLD, CONT, URG, WINCH) and the
 * job-control stops (Kiln has no job control) return success; every other
 * signal terminates the process, which reports exit status 128 + the Linux
 * signal number, as a shell shows a process killed by a signal.
 */
import { Errno } from '../../abi/errno.js';
import { SIGNAL_MAX } from '../../abi/constants.js';
import { ProcessExit } from '../../kernel/exit.js';
import { syscall, type SyscallContext } from '../context.js';

/** WASI signals whose default action is to do nothing here. */
const NO_ACTION = new Set([16 /* CHLD */, 17 /* CONT */, 18 /* STOP */, 19 /* TSTP */, 20 /* TTIN */, 21 /* TTOU */, 22 /* URG */, 27 /* WINCH */]);

/** WASI signal numbers match Linux's up to TERM (15); Linux has STKFLT at 16. */
export function linuxSignalNumber(sig: number): number {
  return sig <= 15 ? sig : sig + 1;
}

export function procSyscalls(ctx: SyscallContext) {
  return {
    proc_exit: (code: number): never => {
      ctx.process.exitCode = code >>> 0;
      throw new ProcessExit(code >>> 0);
    },
    proc_raise: syscall((sig: number): number => {
      if (sig < 0 || sig > SIGNAL_MAX) return Errno.INVAL;
      if (sig === 0 || NO_ACTION.has(sig)) return Errno.SUCCESS;
      const status = 128 + linuxSignalNumber(sig);
      ctx.process.exitCode = status;
      throw new ProcessExit(status);
    }),
    sched_yield: syscall((): number => Errno.SUCCESS),
  };
}
