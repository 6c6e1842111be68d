/**
 * The child of a vfork (layer: syscalls): after WASIX `proc_fork_env` a
 * thread acts for a child process that has no program of its own
 * (`Process.vforking`). The child's `proc_exec*` starts a program in it
 * and its `proc_exit` or `proc_exit2` ends it; either call then returns
 * to the thread, which acts for its own process again.
 */
import type { SyscallContext } from './context.js';

/** True when the calling context is that of a child a `proc_fork_env` thread acts for. */
export function inVforkChild(ctx: SyscallContext): boolean {
  return ctx.process.parent?.vforking.get(ctx.thread) === ctx.process;
}

/** The thread goes back to acting for its own process. */
export function leaveVforkChild(ctx: SyscallContext): void {
  ctx.process.parent?.vforking.delete(ctx.thread);
}

/**
 * Ends the child a `proc_fork_env` thread acts for, when the calling
 * context is that child's, and returns true: its `proc_exit` /
 * `proc_exit2` returns to the thread. False otherwise.
 */
export function endVforkChild(ctx: SyscallContext, code: number): boolean {
  if (!inVforkChild(ctx)) return false;
  leaveVforkChild(ctx);
  void ctx.process.end({ kind: 'exit', code });
  return true;
}
