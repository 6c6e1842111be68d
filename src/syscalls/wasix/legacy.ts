/**
 * The names of WASIX's first two generations (layer: syscalls), for
 * binaries built from 2022 to May 2023 (wasix-abi.md §0):
 *
 * - `thread_spawn(start, tid_out)` (second generation) is
 *   `thread_spawn_v2`; the first generation's five-argument form
 *   (`user_data`, `stack_base`, `stack_start`, `reactor`, `tid_out`, with
 *   an exported `_start_thread`) reaches the same function with bigints
 *   and is refused with ENOTSUP (not served yet);
 * - `thread_local_create/destroy/set/get`: keys of the process, a value
 *   per thread (0 until set); `callback_thread`, `callback_reactor` and
 *   `callback_thread_local_destroy` are accepted (their exports are not
 *   called: no destructors run at thread exit);
 * - the bus, HTTP and websocket calls: ENOTSUP.
 */
import { Errno } from '../../abi/errno.js';
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
    thread_spawn: (start: number | bigint, tidOut: number | bigint): number =>
      typeof start === 'bigint' || typeof tidOut === 'bigint' ? Errno.NOTSUP : threadSpawnV2(start, tidOut),

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
    callback_thread: (): number => Errno.SUCCESS,
    callback_reactor: (): number => Errno.SUCCESS,
    callback_thread_local_destroy: (): number => Errno.SUCCESS,
  };
  for (const name of UNSERVED) out[name] = (): number => Errno.NOTSUP;
  return out;
}
