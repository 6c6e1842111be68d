/**
 * The names of WASIX's first two generations (layer: syscalls), for
 * binaries built from 2022 to May 2023 (wasix-abi.md §0):
 *
 * - `thread_spawn(start, tid_out)` (second generation) is
 *   `thread_spawn_v2`; the first generation's five-argument form
 *   (`user_data`, `stack_base`, `stack_start`, `reactor`, `tid_out`) starts
 *   a thread in the module's exported `_start_thread(user_data)`, or the
 *   export `callback_thread` / `callback_reactor` named (`firstGeneration`);
 * - `thread_local_create/destroy/set/get`: keys of the process, a value
 *   per thread (0 until set); `callback_thread_local_destroy` is accepted
 *   (its export is not called: no destructors run at thread exit);
 * - the bus, HTTP and websocket calls: ENOTSUP.
 */
import { Errno } from '../../abi/errno.js';
import { i64Big, splitArgs, type SplitSyscallFunction } from '../../abi/signatures.js';
import { WASIX_FIRST_GENERATION_FORMS } from '../../abi/wasix-signatures.js';
import { syscall, type SyscallContext } from '../context.js';

/** A function in split form (every argument an i32). */
type SplitFunction = (...args: number[]) => number;

const UNSERVED = ['bus_open_local', 'bus_open_remote', 'bus_close', 'bus_call', 'bus_subcall', 'bus_poll', 'call_reply', 'call_fault', 'call_close', 'ws_connect', 'http_request', 'http_status'];

/** Thread-local keys of each process, and each thread's values. */
interface ThreadLocals { nextKey: number; keys: Set<number>; values: WeakMap<object, Map<number, bigint>> }
const localsOf = new WeakMap<object, ThreadLocals>();

/** The legacy WASIX functions of a process; `threadSpawnV2` is the current thread_spawn_v2 body. */
export function wasixLegacySyscalls(ctx: SyscallContext, threadSpawnV2: (start: number, tidOut: number) => number) {
  const process = ctx.process;
  const locals = (): ThreadLocals => {
    let l = localsOf.get(process);
    if (l === undefined) localsOf.set(process, l = { nextKey: 1, keys: new Set(), values: new WeakMap() });
    return l;
  };
  const valuesOf = (l: ThreadLocals): Map<number, bigint> => {
    let v = l.values.get(ctx.thread);
    if (v === undefined) l.values.set(ctx.thread, v = new Map());
    return v;
  };
  const out: Record<string, SplitFunction> = {
    // A first-generation binary calls this name with five arguments, the first three bigints (see below).
    thread_spawn: (start: number | bigint, tidOut: number | bigint, ...rest: (number | bigint)[]): number => {
      if (typeof start === 'number' && typeof tidOut === 'number') return threadSpawnV2(start, tidOut);
      const [userLo, userHi, baseLo, baseHi, stackLo, stackHi, reactor, out] = splitArgs(WASIX_FIRST_GENERATION_FORMS.thread_spawn, [start, tidOut, ...rest]);
      return firstGeneration(ctx).thread_spawn(userLo!, userHi!, baseLo!, baseHi!, stackLo!, stackHi!, reactor!, out!);
    },

    thread_local_create: syscall((_lo: number, _hi: number, keyOut: number): number => {
      ctx.memory.check(keyOut, 4);
      const l = locals();
      const key = l.nextKey++;
      l.keys.add(key);
      ctx.memory.setU32(keyOut, key);
      return Errno.SUCCESS;
    }),
    thread_local_destroy: syscall((key: number): number => (locals().keys.delete(key >>> 0) ? Errno.SUCCESS : Errno.INVAL)),
    thread_local_set: syscall((key: number, lo: number, hi: number): number => {
      const l = locals();
      if (!l.keys.has(key >>> 0)) return Errno.INVAL;
      valuesOf(l).set(key >>> 0, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
      return Errno.SUCCESS;
    }),
    thread_local_get: syscall((key: number, valOut: number): number => {
      const l = locals();
      if (!l.keys.has(key >>> 0)) return Errno.INVAL;
      ctx.memory.setU64(valOut, valuesOf(l).get(key >>> 0) ?? 0n);
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
  };
}
