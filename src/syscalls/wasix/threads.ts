/**
 * WASIX threads and futexes (layer: syscalls): `thread_spawn_v2`,
 * `thread_id`, `thread_join`, `thread_exit`, `thread_parallelism`,
 * `thread_sleep`, `thread_signal`, `futex_wait`, `futex_wake`,
 * `futex_wake_all`.
 *
 * Thread ids are the kernel's: the main thread is 0, spawned threads get
 * the ids `thread-spawn` returned (from 1).
 *
 * Futexes live in the process's futex table (kernel/futex.ts): a wait
 * checks the word and enqueues in one step on the kernel's thread, and a
 * wake marks waiters and bumps the readiness signal, so a waiter sleeps
 * (Atomics.wait, or parked on the channel) instead of spinning. A wait
 * that a signal interrupts returns success with `woken` false: wasix-libc
 * traps on any error from `futex_wait`, and treats an unwoken return as a
 * spurious wake-up.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { u64Number, u64Safe } from '../../abi/signatures.js';
import { syscall, type SyscallContext } from '../context.js';
import { kernelSignal, signalTarget } from './proc.js';

/** A sleep of 2^53 ns or more (about 104 days) never ends in practice: it waits for a wake-up only. */
const FOREVER = (): number => Infinity;

/** Milliseconds from now until `deadline` (performance.now() time). */
function until(deadline: number): number {
  return Math.max(0, deadline - performance.now());
}

/** The thread-related WASIX functions of a process. */
export function wasixThreadSyscalls(ctx: SyscallContext) {
  const process = ctx.process;
  let words: Int32Array | undefined;
  /** The futex word at `ptr` as an index of an Int32Array over the memory (EINVAL unaligned, EFAULT outside). */
  const word = (ptr: number): [Int32Array, number] => {
    const m = ctx.memory;
    const at = m.check(ptr, 4);
    if ((at & 3) !== 0) throw new WasiError(Errno.INVAL);
    const buffer = m.bytes.buffer;
    if (words === undefined || words.buffer !== buffer) words = new Int32Array(buffer);
    return [words, at >>> 2];
  };
  const wake = (ptr: number, count: number, wokenOut: number): number => {
    const m = ctx.memory;
    const [, index] = word(ptr);
    m.check(wokenOut, 1);
    const woken = process.futexes.wake(index * 4, count);
    m.setU8(wokenOut, woken > 0 ? 1 : 0);
    return Errno.SUCCESS;
  };
  return {
    thread_spawn_v2: syscall((start: number, tidOut: number): number => {
      ctx.memory.check(tidOut, 4);
      const spawn = ctx.spawnThread;
      if (spawn === undefined) return Errno.AGAIN;
      const tid = spawn(start);
      if (tid < 0) return -tid;
      ctx.memory.setU32(tidOut, tid);
      return Errno.SUCCESS;
    }),

    thread_id: syscall((tidOut: number): number => {
      ctx.memory.setU32(tidOut, ctx.thread.tid);
      return Errno.SUCCESS;
    }),

    thread_join: syscall((tid: number): number => {
      if (tid === ctx.thread.tid) return Errno.DEADLK;
      if (!process.threads.has(tid)) return Errno.SUCCESS;
      return process.block(() => (process.threads.has(tid) && process.status === undefined ? undefined : Errno.SUCCESS), FOREVER);
    }),

    thread_exit: (rval: number): number => {
      // The runner ends the thread when the call returns (see exec/ports/channel.ts).
      ctx.thread.exitCode = rval >>> 0;
      return Errno.SUCCESS;
    },

    thread_parallelism: syscall((sizeOut: number): number => {
      ctx.memory.setSize(sizeOut, Math.max(1, process.runtime.threadParallelism()));
      return Errno.SUCCESS;
    }),

    thread_sleep: syscall((lo: number, hi: number): number => {
      if (!u64Safe(hi)) return process.block(() => undefined, FOREVER);
      const ms = u64Number(lo, hi) / 1e6;
      const deadline = performance.now() + ms;
      const thread = ctx.thread;
      const interruptsBefore = thread.interrupts;
      return process.block(() => {
        if (thread.interrupts !== interruptsBefore) return Errno.INTR;
        return until(deadline) <= 0 ? Errno.SUCCESS : undefined;
      }, () => until(deadline));
    }),

    thread_signal: syscall((tid: number, sig: number): number => {
      const signal = kernelSignal(sig);
      if (signal === undefined) return Errno.INVAL;
      const thread = signalTarget(process, tid);
      if (thread === undefined) return Errno.SRCH;
      process.raise(signal, thread);
      return Errno.SUCCESS;
    }),

    futex_wait: syscall((ptr: number, expected: number, timeout: number, wokenOut: number): number => {
      const m = ctx.memory;
      const [cells, index] = word(ptr);
      m.check(wokenOut, 1);
      let deadline = Infinity;
      if (m.u8(timeout) === 1) {
        const ns = m.u64(timeout + 8);
        deadline = ns >= 2n ** 53n ? Infinity : performance.now() + Number(ns) / 1e6;
      }
      if (Atomics.load(cells, index) !== (expected | 0)) {
        m.setU8(wokenOut, 0);
        return Errno.SUCCESS;
      }
      const waiter = process.futexes.enqueue(index * 4);
      const thread = ctx.thread;
      const interruptsBefore = thread.interrupts;
      return process.block(() => {
        const woken = waiter.woken;
        if (!woken && until(deadline) > 0 && thread.interrupts === interruptsBefore && process.status === undefined) return undefined;
        if (!woken) process.futexes.cancel(waiter);
        ctx.memory.setU8(wokenOut, woken ? 1 : 0);
        return Errno.SUCCESS;
      }, () => (deadline === Infinity ? Infinity : until(deadline)));
    }),

    futex_wake: syscall((ptr: number, wokenOut: number): number => wake(ptr, 1, wokenOut)),

    futex_wake_all: syscall((ptr: number, wokenOut: number): number => wake(ptr, Infinity, wokenOut)),
  };
}
