/**
 * WASIX processes and signals (layer: syscalls): `proc_id`,
 * `proc_parent`, `proc_exit2`, `proc_join`, `proc_signal`,
 * `proc_raise_interval`, `proc_signals_get` / `_sizes_get`,
 * `callback_signal`, `proc_snapshot`. Starting programs (`proc_spawn*`,
 * `proc_exec*`) is in spawn.ts.
 *
 * WASIX numbers signals as Linux does (STKFLT at 16, CHLD at 17); the
 * kernel keeps WASI's numbering, so signals are converted on the way in
 * (`signalOfLinux`) and out (`linuxSignalNumber`).
 */
import { Errno } from '../../abi/errno.js';
import { SIGNAL_MAX } from '../../abi/constants.js';
import { ProcessExit } from '../../abi/process-exit.js';
import { u64Number, u64Safe } from '../../abi/signatures.js';
import { linuxSignalNumber, signalOfLinux, type ExitStatus } from '../../kernel/exit-status.js';
import type { Process } from '../../kernel/process.js';
import { syscall, type SyscallContext } from '../context.js';
import { endVforkChild } from '../vfork-child.js';

/** `join_flags`: return at once when no child has ended. */
const JOIN_NON_BLOCKING = 1;
/** `join_status_type`. */
const enum JoinStatus { NOTHING = 0, EXIT_NORMAL = 1, EXIT_SIGNAL = 2 }
/** `option` tags. */
const enum Option { NONE = 0, SOME = 1 }

/** musl's pthread_self()->tid of the main thread in wasix-libc (it never asks the kernel). */
const LIBC_MAIN_TID = 0x3fffffff;

/** The kernel's signal for a WASIX (Linux-numbered) one; undefined when it has none. */
export function kernelSignal(sig: number): number | undefined {
  return signalOfLinux(sig);
}

/** The WASIX process functions of a process (spawning and exec are in spawn.ts). */
export function wasixProcSyscalls(ctx: SyscallContext) {
  const process = ctx.process;
  let interval: ReturnType<typeof setInterval> | undefined;
  return {
    proc_id: syscall((pidOut: number): number => {
      ctx.memory.setU32(pidOut, process.pid);
      return Errno.SUCCESS;
    }),

    proc_parent: syscall((pid: number, parentOut: number): number => {
      const target = pid === process.pid ? process : process.kernel.process(pid);
      if (target === undefined) return Errno.SRCH;
      ctx.memory.setU32(parentOut, target.parent?.pid ?? 0);
      return Errno.SUCCESS;
    }),

    /** As proc_exit; in the child of a `proc_fork_env`, it ends that child and returns. */
    proc_exit2: (code: number): number => {
      if (endVforkChild(ctx, code >>> 0)) return 0; // no result reaches the guest
      throw new ProcessExit(code >>> 0);
    },

    proc_join: syscall((pidPtr: number, flags: number, statusOut: number): number => {
      const m = ctx.memory;
      m.check(pidPtr, 8);
      m.check(statusOut, 6);
      const wanted = m.u8(pidPtr) === Option.SOME ? m.u32(pidPtr + 4) | 0 : undefined;
      return joinChild(process, wanted, (flags & JOIN_NON_BLOCKING) !== 0, (pid, child) => {
        const mem = ctx.memory;
        mem.setU8(pidPtr, Option.SOME);
        mem.setU32(pidPtr + 4, pid);
        mem.bytes.fill(0, statusOut, statusOut + 6);
        const status = child?.status;
        if (status === undefined) {
          mem.setU8(statusOut, JoinStatus.NOTHING);
        } else if (status.kind === 'signal') {
          mem.setU8(statusOut, JoinStatus.EXIT_SIGNAL);
          mem.setU8(statusOut + 4, linuxSignalNumber(status.signal));
        } else {
          mem.setU8(statusOut, JoinStatus.EXIT_NORMAL);
          mem.setU16(statusOut + 2, joinExitCode(status));
        }
        return Errno.SUCCESS;
      });
    }),

    proc_signal: syscall((pid: number, sig: number): number => {
      const signal = kernelSignal(sig);
      if (signal === undefined) return Errno.INVAL;
      const target = pid === process.pid || pid === 0 ? process : process.kernel.process(Math.abs(pid));
      if (target === undefined || target.status !== undefined) return Errno.SRCH;
      target.raise(signal);
      return Errno.SUCCESS;
    }),

    proc_raise_interval: syscall((sig: number, lo: number, hi: number, repeat: number): number => {
      const signal = kernelSignal(sig);
      if (signal === undefined) return Errno.INVAL;
      if (interval !== undefined) {
        clearTimeout(interval);
        clearInterval(interval);
        interval = undefined;
      }
      if (lo === 0 && hi === 0) return Errno.SUCCESS;
      const ms = u64Safe(hi) ? Math.max(1, u64Number(lo, hi) / 1e6) : 2 ** 31 - 1;
      const fire = (): void => process.raise(signal);
      interval = repeat !== 0 ? setInterval(fire, ms) : setTimeout(() => { interval = undefined; fire(); }, ms);
      const timer = interval;
      process.atEnd(() => { clearTimeout(timer); clearInterval(timer); });
      return Errno.SUCCESS;
    }),

    proc_signals_sizes_get: syscall((countOut: number): number => {
      ctx.memory.setSize(countOut, startupDispositions(process).length);
      return Errno.SUCCESS;
    }),

    proc_signals_get: syscall((buf: number): number => {
      const m = ctx.memory;
      const list = startupDispositions(process);
      m.check(buf, list.length * 2);
      list.forEach(([sig, disposition], i) => {
        m.setU8(buf + i * 2, linuxSignalNumber(sig));
        m.setU8(buf + i * 2 + 1, disposition);
      });
      return Errno.SUCCESS;
    }),

    callback_signal: (ptr: number, len: number): number => {
      let name: string;
      try {
        name = ctx.memory.string(ptr, len);
      } catch {
        return Errno.FAULT; // no result reaches the guest; the callback stays as it was
      }
      process.signalCallback = name;
      process.releaseHeldSignals();
      return Errno.SUCCESS;
    },

    proc_snapshot: syscall((): number => Errno.NOTSUP),
  };
}

/**
 * Every signal's disposition at start-up (1 to 30 in the kernel's
 * numbering): the inherited ones, default for the rest. wasix-libc sets
 * up its default handlers while it applies this list, so a signal that
 * arrives before the program's first sigaction (SIGCHLD from a child)
 * meets a handler instead of a null function pointer.
 */
function startupDispositions(process: Process): (readonly [number, number])[] {
  const inherited = new Map(process.inheritedDispositions);
  const out: (readonly [number, number])[] = [];
  for (let sig = 1; sig <= SIGNAL_MAX; sig++) out.push([sig, inherited.get(sig) ?? 0]);
  return out;
}

/** The thread `thread_signal` names: a live thread, or the main thread under wasix-libc's id for it. */
export function signalTarget(process: Process, tid: number) {
  return process.threads.get(tid) ?? (tid === LIBC_MAIN_TID ? process.mainThread : undefined);
}

/**
 * Waits for a child of `process` to end (waitpid): `wanted` a pid (a
 * negative one: its absolute value), or -1, 0 or undefined for any child.
 * CHILD when there is no such child; `report(pid, child)` with the child
 * that ended (then reaped), or with 0 and no child when `nonBlocking` and
 * none has ended yet; its result is the call's.
 */
export function joinChild(process: Process, wanted: number | undefined, nonBlocking: boolean,
  report: (pid: number, child: Process | undefined) => number): number {
  const candidates = (): Process[] => {
    if (wanted === undefined || wanted === -1 || wanted === 0) return [...process.children.values()];
    const child = process.children.get(Math.abs(wanted));
    return child === undefined ? [] : [child];
  };
  if (candidates().length === 0) return Errno.CHILD;
  const attempt = (): number | undefined => {
    const list = candidates();
    if (list.length === 0) return Errno.CHILD;
    const ended = list.find((c) => c.finished);
    if (ended !== undefined) {
      const result = report(ended.pid, ended);
      process.reap(ended);
      return result;
    }
    if (nonBlocking) return report(0, undefined);
    return undefined;
  };
  return process.block(attempt, () => Infinity);
}

/**
 * The exit code a join reports for a child that exited (its low 8 bits),
 * or ended by a fault (a trap): 134, as SIGABRT's exit status would be
 * (the status kiln run gives). Not for a child a signal ended.
 */
export function joinExitCode(status: ExitStatus): number {
  return status.kind === 'exit' ? status.code & 0xff : 134;
}
