/**
 * The names of WASIX's first two generations (layer: syscalls), for
 * binaries built from 2022 to May 2023 (wasix-abi.md §0):
 *
 * - `proc_join(pid, exit_code_out)` (the first two generations: no flags,
 *   `pid` a u32, 2^32 - 1 for any child) waits as the current form does,
 *   blocking, and writes the child's exit code as Wasmer does: the code
 *   itself (that generation's waitpid hands it to the program as the wait
 *   status), 128 + the signal for a child a signal ended;
 * - `sock_accept(fd, flags, fd_out, addr_out)` (the first generation):
 *   the peer's address too, as a 20-byte `addr_port_t`;
 * - `thread_spawn(start, tid_out)` (second generation) is
 *   `thread_spawn_v2`; the first generation's five-argument form
 *   (`user_data`, `stack_base`, `stack_start`, `reactor`, `tid_out`) starts
 *   a thread in the module's exported `_start_thread(user_data)`, or the
 *   export `callback_thread` / `callback_reactor` named (`firstGeneration`);
 * - `thread_local_create/destroy/set/get`: keys of the process, a value
 *   per thread (0 until set). As in Wasmer, each value gets a call of the
 *   destructor export (`_thread_local_destroy`, or the one
 *   `callback_thread_local_destroy` names) with the key's user data, when
 *   its thread ends or its key is destroyed; the kernel keeps the calls,
 *   the thread's port makes them (abi/thread-locals.ts);
 * - the bus, HTTP and websocket calls: ENOTSUP.
 */
import { Errno } from '../../abi/errno.js';
import { i64Big, splitArgs, type SplitSyscallFunction } from '../../abi/signatures.js';
import { TAKE_AT_THREAD_EXIT, TAKE_PENDING } from '../../abi/thread-locals.js';
import { WASIX_FIRST_GENERATION_FORMS } from '../../abi/wasix-signatures.js';
import { syscall, type SyscallContext } from '../context.js';
import { linuxSignalNumber, type ExitStatus } from '../../kernel/exit-status.js';
import { joinChild, joinExitCode } from './proc.js';
import { acceptConnection } from './sock.js';
import { FIRST_GENERATION_ADDR_PORT_SIZE } from './sock-address.js';

/** A function in split form (every argument an i32). */
type SplitFunction = (...args: number[]) => number;

const UNSERVED = ['bus_open_local', 'bus_open_remote', 'bus_close', 'bus_call', 'bus_subcall', 'bus_poll', 'call_reply', 'call_fault', 'call_close', 'ws_connect', 'http_request', 'http_status'];

/**
 * Thread-local keys of each process (with the user data their destructor
 * gets), each thread's values, and the destructor calls a thread has yet
 * to make (abi/thread-locals.ts).
 */
interface ThreadLocals {
  nextKey: number;
  keys: Map<number, bigint>;
  values: Map<object, Map<number, bigint>>;
  pending: WeakMap<object, [user: bigint, value: bigint][]>;
}
const localsOf = new WeakMap<object, ThreadLocals>();

/** The current bodies the legacy names share: the second generation's thread_spawn, proc_join and preview 1's sock_accept. */
interface CurrentForms {
  threadSpawnV2: (start: number, tidOut: number) => number;
  procJoin: (pid: number, flags: number, statusOut: number) => number;
  sockAccept: (fd: number, flags: number, fdOut: number) => number;
}

/** The legacy WASIX functions of a process, over the current bodies they share. */
export function wasixLegacySyscalls(ctx: SyscallContext, current: CurrentForms) {
  const process = ctx.process;
  const locals = (): ThreadLocals => {
    let l = localsOf.get(process);
    if (l === undefined) localsOf.set(process, l = { nextKey: 1, keys: new Map(), values: new Map(), pending: new WeakMap() });
    return l;
  };
  const valuesOf = (l: ThreadLocals): Map<number, bigint> => {
    let v = l.values.get(ctx.thread);
    if (v === undefined) l.values.set(ctx.thread, v = new Map());
    return v;
  };
  const pendingOf = (l: ThreadLocals): [bigint, bigint][] => {
    let p = l.pending.get(ctx.thread);
    if (p === undefined) l.pending.set(ctx.thread, p = []);
    return p;
  };
  /** One destructor call of the calling thread to `out` (its values first become calls when it ends, `atExit`). */
  const takeDestructorCall = (l: ThreadLocals, atExit: boolean, out: number): number => {
    ctx.memory.check(out, 16);
    const calls = pendingOf(l);
    const values = atExit ? l.values.get(ctx.thread) : undefined;
    if (values !== undefined) {
      l.values.delete(ctx.thread);
      for (const [key, value] of values) {
        const user = l.keys.get(key);
        if (user !== undefined) calls.push([user, value]);
      }
    }
    const next = calls.shift();
    if (next === undefined) return Errno.NOENT;
    ctx.memory.setU64(out, next[0]);
    ctx.memory.setU64(out + 8, next[1]);
    return Errno.SUCCESS;
  };
  /** The first generations' forms, made on first use (a binary calls them through these names when Kiln runs it on the calling thread). */
  let older: FirstGenerationSplit | undefined;
  const oldForms = (): FirstGenerationSplit => (older ??= firstGeneration(ctx));
  const out: Record<string, SplitFunction> = {
    // A first-generation binary calls this name with five arguments, the first three bigints (see below).
    thread_spawn: (start: number | bigint, tidOut: number | bigint, ...rest: (number | bigint)[]): number => {
      if (typeof start === 'number' && typeof tidOut === 'number') return current.threadSpawnV2(start, tidOut);
      const [userLo, userHi, baseLo, baseHi, stackLo, stackHi, reactor, out] = splitArgs(WASIX_FIRST_GENERATION_FORMS.thread_spawn, [start, tidOut, ...rest]);
      return oldForms().thread_spawn(userLo!, userHi!, baseLo!, baseHi!, stackLo!, stackHi!, reactor!, out!);
    },

    // The first generations' form has two arguments (pid in and out, the exit code out).
    proc_join: (pid: number, flags: number, statusOut?: number): number => (statusOut === undefined
      ? oldForms().proc_join(pid, flags)
      : current.procJoin(pid, flags, statusOut)),

    // The first generation's form has four arguments: the peer's address too.
    sock_accept: (fd: number, flags: number, fdOut: number, addrOut?: number): number => (addrOut === undefined
      ? current.sockAccept(fd, flags, fdOut)
      : oldForms().sock_accept(fd, flags, fdOut, addrOut)),

    thread_local_create: syscall((lo: number, hi: number, keyOut: number): number => {
      ctx.memory.check(keyOut, 4);
      const l = locals();
      const key = l.nextKey++;
      l.keys.set(key, BigInt.asUintN(64, i64Big(lo, hi)));
      ctx.memory.setU32(keyOut, key);
      return Errno.SUCCESS;
    }),
    // As Wasmer: every thread's value of the key is a destructor call for the calling thread (its port makes them).
    thread_local_destroy: syscall((key: number): number => {
      const l = locals();
      const user = l.keys.get(key >>> 0);
      if (user === undefined) return Errno.INVAL;
      l.keys.delete(key >>> 0);
      const calls = pendingOf(l);
      for (const values of l.values.values()) {
        const value = values.get(key >>> 0);
        if (value === undefined) continue;
        values.delete(key >>> 0);
        calls.push([user, value]);
      }
      return Errno.SUCCESS;
    }),
    thread_local_set: syscall((key: number, lo: number, hi: number): number => {
      const l = locals();
      if (!l.keys.has(key >>> 0)) return Errno.INVAL;
      valuesOf(l).set(key >>> 0, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
      return Errno.SUCCESS;
    }),
    thread_local_get: syscall((key: number, valOut: number): number => {
      const l = locals();
      const k = key >>> 0;
      if (k === TAKE_AT_THREAD_EXIT || k === TAKE_PENDING) return takeDestructorCall(l, k === TAKE_AT_THREAD_EXIT, valOut);
      if (!l.keys.has(k)) return Errno.INVAL;
      ctx.memory.setU64(valOut, valuesOf(l).get(k) ?? 0n);
      return Errno.SUCCESS;
    }),
    callback_thread: (ptr: number, len: number): number => nameEntry(ctx, 'thread', ptr, len),
    callback_reactor: (ptr: number, len: number): number => nameEntry(ctx, 'reactor', ptr, len),
    callback_thread_local_destroy: (): number => Errno.SUCCESS,
  };
  for (const name of UNSERVED) out[name] = (): number => Errno.NOTSUP;
  return out;
}

/** The exports first-generation threads and reactors of each process start in, when the guest named them. */
const entriesOf = new WeakMap<object, { thread?: string; reactor?: string }>();

/** `callback_thread` / `callback_reactor`: names the export (a bad pointer keeps the old name). */
function nameEntry(ctx: SyscallContext, kind: 'thread' | 'reactor', ptr: number, len: number): number {
  let name: string;
  try {
    name = ctx.memory.string(ptr, len);
  } catch {
    return Errno.SUCCESS;
  }
  const entries = entriesOf.get(ctx.process) ?? {};
  entries[kind] = name;
  entriesOf.set(ctx.process, entries);
  return Errno.SUCCESS;
}

/** The first generation's forms (abi/wasix-signatures.ts), in split form. */
export type FirstGenerationSplit = { [N in keyof typeof WASIX_FIRST_GENERATION_FORMS]: SplitSyscallFunction<(typeof WASIX_FIRST_GENERATION_FORMS)[N]> };

/**
 * The first generation's `thread_spawn(user_data, stack_base, stack_start,
 * reactor, tid_out)`: a thread that starts in `_start_thread(user_data)`
 * (`_react` for a reactor; or the exports `callback_thread` and
 * `callback_reactor` named) on the stack at `stack_base`. A module without
 * that export gets ENOTCAPABLE, as Wasmer answers.
 */
export function firstGeneration(ctx: SyscallContext): FirstGenerationSplit {
  return {
    thread_spawn: syscall((userLo: number, userHi: number, baseLo: number, baseHi: number, _stackLo: number, _stackHi: number, reactor: number, tidOut: number): number => {
      ctx.memory.check(tidOut, 4);
      const spawn = ctx.spawnThread;
      if (spawn === undefined) return Errno.AGAIN;
      const isReactor = (reactor & 0xff) !== 0;
      const named = entriesOf.get(ctx.process);
      const entry = (isReactor ? named?.reactor ?? '_react' : named?.thread) ?? '_start_thread';
      if (!ctx.process.exportsFunction(entry)) return Errno.NOTCAPABLE;
      const stackBase = BigInt.asUintN(64, i64Big(baseLo, baseHi));
      const tid = spawn(0, { userData: BigInt.asUintN(64, i64Big(userLo, userHi)), stackBase, entry });
      if (tid < 0) return -tid;
      ctx.memory.setU32(tidOut, tid);
      return Errno.SUCCESS;
    }),

    sock_accept: syscall((fd: number, flags: number, fdOut: number, addrOut: number): number =>
      acceptConnection(ctx, fd, flags, fdOut, addrOut, FIRST_GENERATION_ADDR_PORT_SIZE)),

    proc_join: syscall((pidPtr: number, exitCodeOut: number): number => {
      const m = ctx.memory;
      m.check(pidPtr, 4);
      m.check(exitCodeOut, 4);
      const wanted = m.u32(pidPtr);
      const result = joinChild(ctx.process, wanted === 0xffffffff ? undefined : wanted, false, (pid, child) => {
        m.setU32(pidPtr, pid);
        m.setU32(exitCodeOut, child?.status === undefined ? 0 : exitCode(child.status));
        return Errno.SUCCESS;
      });
      // No such child, as Wasmer answers: ECHILD in the exit code too (and, for any child, pid 2^32 - 1).
      if (result === Errno.CHILD) m.setU32(exitCodeOut, Errno.CHILD);
      return result;
    }),
  };
}

/** The exit code (a trap's as 134), or 128 + the (Linux) number of the signal that ended the child, as a shell reports it. */
function exitCode(status: ExitStatus): number {
  return status.kind === 'signal' ? 128 + linuxSignalNumber(status.signal) : joinExitCode(status);
}
