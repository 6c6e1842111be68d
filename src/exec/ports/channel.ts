/**
 * The channel port, guest side (layer: execution, platform-neutral; runs
 * inside a thread worker): one wasm thread whose kernel is on another
 * thread. Instantiates the module on the shared memory with imports that
 * hand every system call to the kernel through the syscall channel (each
 * import the module makes from a namespace of the syscall numbering sends
 * that function's number), except `fd_write` to a descriptor the
 * direct-write map names: that one is written from this thread (no
 * cross-thread round trip for the hot call). Functions with an i64
 * parameter are linked through the i64 adapter (../i64-adapter.ts), so
 * their arguments reach the channel as i32 halves, without a BigInt.
 */
import { ClockId } from '../../abi/constants.js';
import { splitArgs, splitI64 } from '../../abi/signatures.js';
import { WASIX_64V1, WASIX_FIRST_GENERATION_FORMS } from '../../abi/wasix-signatures.js';
import { sharedMonotonicNs } from '../../host/clocks.js';
import { firstGenerationEntry, isSyscallModule, signaturesOf, syscallEntry, type SyscallModule } from '../../abi/syscall-table.js';
import type { FirstGenerationThread, GuestThreadStart } from '../../host/threads.js';
import { CallEnded, SyscallChannel } from '../channel.js';
import { GuestWriteBuffer, type HostWrite } from '../guest-write-buffer.js';
import { linkThroughAdapter, narrowing, type SplitFunction } from '../i64-adapter.js';
import { forkRecord } from '../../abi/fork-record.js';
import { StackCapture, type ThreadEntry } from './asyncify.js';
import { GuestContexts } from './contexts.js';
import { GuestThreadLocals } from './thread-locals.js';
import { directPipes } from './direct-pipes.js';
import { jspi } from './jspi.js';
import { GuestMemory } from '../../abi/memory.js';
import { listGet, listSizesGet } from '../../syscalls/preview1/string-lists.js';

export type { HostWrite };

type ImportFn = SplitFunction;

/** How the thread enters the module: as `start` says, or, for a forked child, as the forking thread did. */
function threadEntryOf(start: GuestThreadStart, memory: WebAssembly.Memory, wide: boolean): ThreadEntry {
  const e = start.entry;
  if (e.kind === 'thread') return { kind: 'thread', tid: e.tid, arg: e.arg };
  if (e.resume === undefined) return { kind: 'main' };
  const view = new DataView(memory.buffer);
  const at = e.resume.data;
  const Resume = forkRecord(wide);
  return view.getUint32(at + Resume.ENTRY, true) === 0
    ? { kind: 'main' }
    : { kind: 'thread', tid: view.getUint32(at + Resume.TID, true), arg: view.getUint32(at + Resume.ARG, true) };
}

/** Thrown through the guest's frames by WASIX `thread_exit`: the thread's entry ends there. */
class ThreadExit {}

/** The functions a thread answers from the arguments and environment it was handed (`argsEnv`). */
const STRING_LISTS = new Set(['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get']);

/** The WASIX context functions, served on the thread itself where it has JSPI (contexts.ts). */
const CONTEXT_FUNCTIONS = new Set(['context_create', 'context_switch', 'context_destroy']);

/**
 * Runs the thread's entry to completion; a trap propagates. A thread with
 * WASIX contexts (JSPI) runs its entry as a Promise, and so returns one.
 */
export function runGuestThread(start: GuestThreadStart, hostWrite: HostWrite | undefined): void | Promise<void> {
  const channel = new SyscallChannel(start.channel, new Int32Array(start.doorbell, 0, 1));
  const slot = start.slot;
  const memory = start.memory;
  const forkNumber = syscallEntry('wasix_32v1', 'proc_fork')!.number;
  /** The module's imports, read once (each read makes a new list). */
  const imports = WebAssembly.Module.imports(start.module);
  /** A wasix_64v1 module: memory64, its pointers i64 (`wasi_thread_start` takes the start argument as one). */
  const wide = imports.some((i) => i.module === 'wasix_64v1');
  const capture = new StackCapture(memory, threadEntryOf(start, memory, wide), (copy, data) => channel.call(slot, forkNumber, [copy, data]), wide);
  const asyncified = WebAssembly.Module.exports(start.module).some((e) => e.name === 'asyncify_start_unwind');
  const firstGen = start.entry.kind === 'thread' ? start.entry.firstGeneration : undefined;
  // Contexts need the entry called through JSPI, with no JavaScript frame between it and the guest:
  // not with asyncify's stack capture (fork, setjmp), nor for the first generation's thread entry.
  const engine = jspi();
  const usesContexts = imports.some((i) => (i.module === 'wasix_32v1' || i.module === 'wasix_64v1') && CONTEXT_FUNCTIONS.has(i.name));
  const contexts = usesContexts && engine !== undefined && !asyncified && firstGen === undefined ? new GuestContexts(engine, memory) : undefined;
  let instance: WebAssembly.Instance | undefined;
  let signalCallback = '__wasm_signal';
  /** Runs the guest's signal handler for each signal the kernel handed this thread; the signals taken (a bit each). */
  const takeSignals = (): number => {
    let taken = 0;
    for (let bits = channel.takeSignals(slot); bits !== 0; bits = channel.takeSignals(slot)) {
      taken |= bits;
      const handler = instance?.exports[signalCallback];
      if (typeof handler !== 'function') return taken;
      for (let sig = 1; sig < 32; sig++) if ((bits & (1 << sig)) !== 0) (handler as (sig: number) => void)(sig);
    }
    return taken;
  };
  /** The main thread's gathered writes (exec/guest-write-buffer.ts): written before any call, and when the thread ends. */
  const gathered = start.writeBuffer !== undefined && hostWrite !== undefined ? new GuestWriteBuffer(start.writeBuffer, hostWrite) : undefined;
  if (gathered !== undefined) channel.beforeCall = () => { if (gathered.pending) gathered.flush(); };
  const views = new MemoryViews(memory);
  const guestMemory = new GuestMemory(memory);
  const futexes = guestFutexes(channel, slot, views, () => takeSignals(), channel.beforeCall);
  // Pipes whose bytes live in the kernel's pipe arena: read and written here (direct-pipes.ts).
  const pipes = start.pipes === undefined ? undefined
    : directPipes({ channel, slot, arena: start.pipes.arena, token: start.pipes.token, views, beforeCall: channel.beforeCall, takeSignals });
  // The first generations' thread locals: their destructor calls are made here (thread-locals.ts).
  const threadLocalGet = syscallEntry('wasix_32v1', 'thread_local_get')!.number;
  const threadLocals = imports.some((i) => i.module === 'wasix_32v1' && i.name === 'thread_local_create')
    ? new GuestThreadLocals(memory, (key, out) => channel.call(slot, threadLocalGet, [key, out]), () => instance?.exports)
    : undefined;
  /** Function `number` through the kernel; the thread's signal handlers run after it. */
  const viaKernel = (number: number): ImportFn => (...args) => {
    const result = channel.call(slot, number, args);
    takeSignals();
    return result;
  };
  const split: Partial<Record<SyscallModule, Record<string, ImportFn>>> = {};
  for (const { module, name, kind } of imports) {
    if (kind !== 'function' || !isSyscallModule(module)) continue;
    const entry = syscallEntry(module, name);
    if (entry === undefined) continue; // reported before the process started (missing imports)
    if (contexts !== undefined && CONTEXT_FUNCTIONS.has(name)) continue; // below, not split
    const number = entry.number;
    let call: ImportFn;
    if (name === 'fd_write' && module !== 'wasix_64v1' && (pipes !== undefined || (hostWrite !== undefined && start.directWrites))) {
      const toHost = hostWrite !== undefined && start.directWrites ? directFdWrite(channel, slot, number, views, hostWrite, gathered, () => takeSignals()) : viaKernel(number);
      call = pipes === undefined ? toHost : pipes.fdWrite(toHost);
    } else if (name === 'fd_read' && module !== 'wasix_64v1' && pipes !== undefined) {
      call = pipes.fdRead(viaKernel(number));
    } else if (start.argsEnv !== undefined && module !== 'wasix_64v1' && STRING_LISTS.has(name)) {
      const list = name.startsWith('args_') ? start.argsEnv.args : start.argsEnv.env;
      const body = name.endsWith('_sizes_get') ? listSizesGet : listGet;
      call = localStringList(guestMemory, list, body, channel.beforeCall, viaKernel(number), takeSignals);
    } else if (name === 'clock_time_get' && start.localClock !== undefined && (module === 'wasi_snapshot_preview1' || module === 'wasix_32v1')) {
      call = localClockTimeGet(views, start.localClock.realtimeAnchor, channel.beforeCall, viaKernel(number), takeSignals);
    } else if (module === 'wasix_32v1' && start.directWrites && (name === 'futex_wait' || name === 'futex_wake' || name === 'futex_wake_all')) {
      call = futexes[name](viaKernel(number));
    } else if ((module === 'wasix_32v1' || module === 'wasix_64v1') && asyncified && (name === 'proc_fork' || name === 'stack_checkpoint' || name === 'stack_restore')) {
      // Unwound and rewound on this thread (asyncify.ts); a fork asks the kernel for the child in between.
      // wasix_64v1's pointers are narrowed first, as every wasix_64v1 call's are.
      const body = name === 'proc_fork' ? capture.fork : name === 'stack_checkpoint' ? capture.checkpoint : capture.restore as unknown as ImportFn;
      call = module === 'wasix_64v1' ? narrowing(WASIX_64V1[name], body) : body;
    } else if (module === 'wasix_32v1' && name === 'thread_spawn') {
      // The first generation's five-argument form passes bigints: it has a number of its own (abi/syscall-table.ts).
      const firstGeneration = firstGenerationEntry(name)!.number;
      call = (...args: (number | bigint)[]) => (typeof args[0] === 'bigint'
        ? channel.call(slot, firstGeneration, splitArgs(WASIX_FIRST_GENERATION_FORMS.thread_spawn, args))
        : channel.call(slot, number, args as number[]));
    } else if (module === 'wasix_32v1' && (name === 'proc_join' || name === 'sock_accept')) {
      // The first generations' forms take another number of arguments (two; four): they have numbers of their own (abi/syscall-table.ts).
      const firstGenerationArgs = name === 'proc_join' ? 2 : 4;
      const current = viaKernel(number);
      const firstGeneration = viaKernel(firstGenerationEntry(name)!.number);
      call = (...args) => (args.length === firstGenerationArgs ? firstGeneration(...args) : current(...args));
    } else if (module === 'wasi' && name === 'thread-spawn') {
      // A memory64 module passes its start argument as an i64 (a bigint); it stays below 4 GiB here.
      call = (arg) => channel.call(slot, number, [typeof arg === 'bigint' ? narrowPointer(arg) : arg!]);
    } else if ((module === 'wasix_32v1' || module === 'wasix_64v1') && name === 'thread_exit') {
      call = (...args) => {
        channel.call(slot, number, args);
        throw new ThreadExit();
      };
    } else if (module === 'wasix_32v1' && threadLocals !== undefined && name === 'thread_local_destroy') {
      const destroy = viaKernel(number);
      call = (...args) => {
        const result = destroy(...args);
        threadLocals.runPending();
        return result;
      };
    } else if (module === 'wasix_32v1' && threadLocals !== undefined && name === 'callback_thread_local_destroy') {
      call = (ptr, len) => {
        const result = channel.call(slot, number, [ptr!, len!]);
        threadLocals.name(ptr!, len!);
        takeSignals();
        return result;
      };
    } else if ((module === 'wasix_32v1' || module === 'wasix_64v1') && name === 'callback_signal') {
      // wasix_64v1's pointer and length come as i32 halves (below 4 GiB: the low ones).
      call = (...args) => {
        const [ptr, len] = module === 'wasix_64v1' ? [args[0]!, args[2]!] : [args[0]!, args[1]!];
        const result = channel.call(slot, number, args);
        try {
          signalCallback = new TextDecoder().decode(new Uint8Array(memory.buffer, ptr >>> 0, len >>> 0).slice());
        } catch { /* a bad pointer: the kernel kept the old name too */ }
        takeSignals();
        return result;
      };
    } else {
      call = viaKernel(number);
    }
    (split[module] ??= {})[name] = call;
  }
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const [module, functions] of Object.entries(split) as [SyscallModule, Record<string, ImportFn>][]) {
    namespaces[module] = linkThroughAdapter<Record<string, unknown>>(signaturesOf(module), functions);
  }
  if (contexts !== undefined) {
    const functions = contexts.imports();
    for (const { module, name } of imports) {
      if ((module === 'wasix_32v1' || module === 'wasix_64v1') && CONTEXT_FUNCTIONS.has(name)) (namespaces[module] ??= {})[name] = functions[name as keyof typeof functions];
    }
  }
  (namespaces[start.memoryImport.module] ??= {})[start.memoryImport.name] = memory;
  instance = new WebAssembly.Instance(start.module, namespaces as WebAssembly.Imports);
  const exports = instance.exports;
  capture.instance = instance;
  const entry = capture.entry;
  if (contexts !== undefined) {
    contexts.instance = instance;
    const main = entry.kind === 'main'
      ? contexts.runMain(exports['_start'] as () => void)
      : wide
        ? contexts.runMain(exports['wasi_thread_start'] as (tid: number, arg: bigint) => void, entry.tid, BigInt(entry.arg >>> 0))
        : contexts.runMain(exports['wasi_thread_start'] as (tid: number, arg: number) => void, entry.tid, entry.arg);
    return main.catch(threadEnded).finally(() => gathered?.flush());
  }
  if (start.entry.kind === 'main' && start.entry.resume !== undefined) capture.resumeChild(start.entry.resume);
  let processEnded = false;
  try {
    capture.run(() => {
      try {
        if (entry.kind === 'main') (exports['_start'] as () => void)();
        else if (firstGen !== undefined) startFirstGeneration(exports, firstGen);
        else if (wide) (exports['wasi_thread_start'] as (tid: number, arg: bigint) => void)(entry.tid, BigInt(entry.arg >>> 0));
        else (exports['wasi_thread_start'] as (tid: number, arg: number) => void)(entry.tid, entry.arg);
      } catch (e) {
        processEnded = e instanceof CallEnded;
        threadEnded(e);
      }
    });
    // A thread that returned or called thread_exit destroys its thread locals (not when the process ended it).
    if (entry.kind === 'thread' && !processEnded && threadLocals !== undefined) {
      try {
        threadLocals.runAtExit();
      } catch (e) {
        threadEnded(e);
      }
    }
  } finally {
    gathered?.flush(); // returned, exited or trapped: what it wrote lands
  }
}

/** thread_exit, or a call the kernel ended (the process ended): the thread returns; anything else propagates. */
function threadEnded(e: unknown): void {
  if (!(e instanceof ThreadExit) && !(e instanceof CallEnded)) throw e;
}

/** A 64-bit pointer as the 32-bit one the kernel takes: 2^32 - 1 (past any memory here) when it does not fit. */
function narrowPointer(p: bigint): number {
  return p >= 0x1_0000_0000n || p < 0n ? 0xffffffff : Number(p);
}

/**
 * Enters a thread of WASIX's first generation: the exported
 * `__stack_pointer` (when it is there and mutable) set to the thread's
 * stack, then its entry (`_start_thread(user_data)`), with one i64 or two
 * i32 halves, low first, as the export declares.
 */
function startFirstGeneration(exports: WebAssembly.Exports, start: FirstGenerationThread): void {
  const sp = exports['__stack_pointer'];
  if (start.stackBase !== 0n && sp instanceof WebAssembly.Global) {
    try {
      sp.value = Number(BigInt.asUintN(32, start.stackBase));
    } catch { /* immutable: the guest sets its own */ }
  }
  const fn = exports[start.entry] as (...args: (number | bigint)[]) => void;
  if (fn.length >= 2) fn(...splitI64(start.userData));
  else fn(start.userData);
}

/**
 * WASIX futex_wait, futex_wake and futex_wake_all (split form) on the
 * guest's own thread: Atomics.wait and Atomics.notify on the shared memory
 * (a signal the kernel hands the waiting thread runs its handler, and the
 * wait goes on; the end of the process ends it). An unaligned or
 * out-of-bounds pointer goes to the kernel (`viaKernel`), which answers
 * the errno. `beforeCall` and `afterCall` run around each (gathered
 * writes, signals).
 */
function guestFutexes(channel: SyscallChannel, slot: number, views: MemoryViews, afterCall: () => void, beforeCall: (() => void) | undefined) {
  const wake = (count: number) => (viaKernel: ImportFn): ImportFn => (ptr: number, wokenOut: number): number => {
    beforeCall?.();
    const at = ptr >>> 0;
    const out = wokenOut >>> 0;
    if ((at & 3) !== 0 || !views.covers(at + 4) || !views.covers(out + 1)) return viaKernel(ptr, wokenOut);
    views.view.setUint8(out, Atomics.notify(views.words, at >>> 2, count) > 0 ? 1 : 0);
    afterCall();
    return 0;
  };
  return {
    futex_wait: (viaKernel: ImportFn): ImportFn => (ptr: number, expected: number, timeout: number, wokenOut: number): number => {
      beforeCall?.();
      const at = ptr >>> 0;
      const t = timeout >>> 0;
      const out = wokenOut >>> 0;
      if ((at & 3) !== 0 || !views.covers(at + 4) || !views.covers(t + 16) || !views.covers(out + 1)) return viaKernel(ptr, expected, timeout, wokenOut);
      let ms = Infinity;
      if (views.view.getUint8(t) === 1) {
        const ns = views.view.getBigUint64(t + 8, true);
        if (ns < 2n ** 53n) ms = Number(ns) / 1e6;
      }
      // A signal for the thread runs its handler here, and the wait goes on (as a restarted call
      // does): wasix-libc takes an unwoken return with the word unchanged for a timeout, which
      // would fail a pthread_join or a condition wait that has none.
      const deadline = ms === Infinity ? Infinity : performance.now() + ms;
      let result = channel.futexWait(slot, views.words, at >>> 2, expected | 0, ms);
      while (result === 'interrupted') {
        afterCall();
        const left = deadline - performance.now();
        if (Atomics.load(views.words, at >>> 2) !== (expected | 0)) result = 'not-equal';
        else if (left <= 0) result = 'timed-out';
        else result = channel.futexWait(slot, views.words, at >>> 2, expected | 0, left);
      }
      views.view.setUint8(out, result === 'ok' ? 1 : 0);
      afterCall();
      return 0;
    },
    futex_wake: wake(1),
    futex_wake_all: wake(Infinity),
  };
}

/**
 * clock_time_get (split form) of the monotonic and realtime clocks, read on
 * this thread (the host's threads share the monotonic clock; realtime is
 * the kernel's anchor plus it); other clocks, and a pointer out of bounds,
 * go to the kernel (`viaKernel`). `afterCall` runs after each (signals).
 */
function localClockTimeGet(views: MemoryViews, realtimeAnchor: bigint, beforeCall: (() => void) | undefined, viaKernel: ImportFn, afterCall: () => void): ImportFn {
  const monotonic = sharedMonotonicNs!;
  return (id: number, precisionLo: number, precisionHi: number, out: number): number => {
    beforeCall?.();
    const at = out >>> 0;
    if ((id === ClockId.MONOTONIC || id === ClockId.REALTIME) && views.covers(at + 8)) {
      views.view.setBigUint64(at, id === ClockId.MONOTONIC ? monotonic() : realtimeAnchor + monotonic(), true);
      afterCall();
      return 0;
    }
    return viaKernel(id, precisionLo, precisionHi, out);
  };
}

/**
 * An `args_*` or `environ_*` function answered on the thread from `list`
 * (syscalls/preview1/string-lists.ts, the kernel's own bodies); a pointer
 * out of the memory goes to the kernel, which answers EFAULT. `beforeCall`
 * runs before each, as before any call (gathered writes), `afterCall`
 * after each (signals).
 */
function localStringList(
  memory: GuestMemory, list: readonly Uint8Array[], body: typeof listGet,
  beforeCall: (() => void) | undefined, viaKernel: ImportFn, afterCall: () => void,
): ImportFn {
  return (a: number, b: number): number => {
    beforeCall?.();
    try {
      body(memory, list, a, b);
    } catch {
      return viaKernel(a, b);
    }
    afterCall();
    return 0;
  };
}

/**
 * fd_write that writes straight to the host descriptor the map names, or
 * gathers the write in `gathered` when the descriptor is bufferable; any
 * case it does not handle (no mapping, a bad pointer, a host error before
 * anything was written) goes to the kernel, which answers with the errno;
 * `afterCall` runs after each call the kernel answered (signals).
 */
function directFdWrite(
  channel: SyscallChannel, slot: number, fdWrite: number, views: MemoryViews, hostWrite: HostWrite,
  gathered: GuestWriteBuffer | undefined, afterCall: () => void,
): ImportFn {
  /** The total size of the `n` buffers the iovecs at `at` name, or -1 when one is outside the memory. */
  const totalSize = (at: number, n: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ptr = views.view.getUint32(at + i * 8, true);
      const len = views.view.getUint32(at + i * 8 + 4, true);
      if (!views.covers(ptr + len)) return -1;
      total += len;
    }
    return total;
  };
  /** Gathers the write (exec/guest-write-buffer.ts); false when it must be written now. */
  const gather = (host: number, at: number, n: number, total: number): boolean => {
    let to = gathered!.reserve(host, total);
    if (to < 0) return false;
    const into = gathered!.bytes;
    const { view, bytes } = views;
    for (let i = 0; i < n; i++) {
      const ptr = view.getUint32(at + i * 8, true);
      const len = view.getUint32(at + i * 8 + 4, true);
      if (len <= 32) for (let k = 0; k < len; k++) into[to + k] = bytes[ptr + k]!;
      else into.set(bytes.subarray(ptr, ptr + len), to);
      to += len;
    }
    gathered!.commit();
    return true;
  };
  /** Writes the buffers to the host; the count written, or -1 when nothing could be. */
  const writeNow = (host: number, at: number, n: number): number => {
    if (gathered?.pending) gathered.flush(); // what was gathered goes first
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ptr = views.view.getUint32(at + i * 8, true);
      const len = views.view.getUint32(at + i * 8 + 4, true);
      if (len === 0) continue;
      try {
        hostWrite(host, views.bytes.subarray(ptr, ptr + len));
      } catch {
        return total > 0 ? total : -1;
      }
      total += len;
    }
    return total;
  };
  return (fd: number, iovs: number, iovsLen: number, out: number): number => {
    const host = channel.directWriteFd(fd);
    if (host >= 0) {
      const at = iovs >>> 0;
      const n = iovsLen >>> 0;
      const outAt = out >>> 0;
      const total = views.covers(at + n * 8) && views.covers(outAt + 4) ? totalSize(at, n) : -1;
      if (total >= 0) {
        const written = gathered !== undefined && channel.directWriteBufferable(fd) && gather(host, at, n, total) ? total : writeNow(host, at, n);
        if (written >= 0) {
          views.view.setUint32(outAt, written, true);
          return 0;
        }
      }
    }
    // Not a direct descriptor, a pointer out of bounds, a host error: the kernel answers (with the errno).
    const result = channel.call(slot, fdWrite, [fd, iovs, iovsLen, out]);
    afterCall(); // a signal the write raised (SIGPIPE) runs its handler now
    return result;
  };
}

/**
 * Views of a thread's shared memory, taken again when it grew: a shared
 * memory only grows, and an older view stays valid for what it covers, so
 * the memory is looked at again only for an offset past the views' end.
 */
class MemoryViews {
  buffer: ArrayBufferLike;
  view: DataView;
  bytes: Uint8Array;
  words: Int32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
    this.words = new Int32Array(this.buffer);
  }

  /** True when the memory reaches offset `end` (exclusive); the views then cover it. */
  covers(end: number): boolean {
    if (end <= this.buffer.byteLength) return true;
    const now = this.memory.buffer;
    if (now.byteLength === this.buffer.byteLength) return false;
    this.buffer = now;
    this.view = new DataView(now);
    this.bytes = new Uint8Array(now);
    this.words = new Int32Array(now);
    return end <= now.byteLength;
  }
}
