/**
 * What every syscall family shares (layer: syscalls): the process it acts
 * for, the guest memory once bound, the errno boundary, and typed lookups
 * of descriptors.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { GuestMemory } from '../abi/memory.js';
import { errnoOf } from '../abi/host-errors.js';
import { DirectoryResource } from '../kernel/directory-resource.js';
import { isControlFlow } from '../kernel/blocking.js';
import { ProcessExit } from '../abi/process-exit.js';
import { flushPendingWrites, writesPending } from '../kernel/write-buffer.js';
import type { Process } from '../kernel/process.js';
import type { KernelThread } from '../kernel/thread.js';
import type { FirstGenerationThread } from '../host/threads.js';

/**
 * Starts a guest thread with `startArg` (wasi-threads / WASIX), or, given
 * `firstGeneration`, as WASIX's first generation starts one: its tid, or a
 * negated errno.
 */
export type SpawnThread = (startArg: number, firstGeneration?: FirstGenerationThread) => number;

export class SyscallContext {
  #memory: GuestMemory | undefined;
  /**
   * The thread making the current call: the main thread, unless the
   * runner of a threaded process says which thread's call it runs.
   */
  thread: KernelThread;
  /** Starts a thread, where the runner can (threaded processes); undefined elsewhere (EAGAIN). */
  spawnThread: SpawnThread | undefined;
  /**
   * True while the process runs a WASIX module: its preview 1 path
   * functions then take absolute paths as its WASIX ones do (wasix-libc
   * hands them `/dev/null` with its root preopen, as Wasmer resolves
   * them). A preview 1 module's are refused (EPERM), as wasmtime does.
   */
  absolutePaths = false;

  constructor(readonly process: Process) {
    this.thread = process.mainThread!;
  }

  #wide = false;
  #wasmMemory: WebAssembly.Memory | undefined;

  /** True for a 64-bit guest (it links `wasix_64v1`): the memory is read with 64-bit layouts. */
  get wide(): boolean { return this.#wide; }
  set wide(wide: boolean) {
    this.#wide = wide;
    if (this.#wasmMemory !== undefined) this.#memory = new GuestMemory(this.#wasmMemory, wide);
  }

  /** Binds the guest's exported memory; syscalls cannot run before this. */
  bind(memory: WebAssembly.Memory): void {
    this.#wasmMemory = memory;
    this.#memory = new GuestMemory(memory, this.#wide);
  }

  get bound(): boolean { return this.#memory !== undefined; }

  get memory(): GuestMemory {
    const m = this.#memory;
    if (m === undefined) throw new WasiError(Errno.FAULT, 'no guest memory bound yet');
    return m;
  }

  /**
   * The directory behind `fd`, for a `path_*` call: EBADF if closed, ENOTDIR
   * if it is not a directory, ENOTCAPABLE if `rights` are not all held.
   */
  dir(fd: number, rights: number): DirectoryResource {
    const d = this.process.fds.get(fd);
    if (!(d.resource instanceof DirectoryResource)) throw new WasiError(Errno.NOTDIR);
    if ((d.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
    return d.resource;
  }
}

/**
 * What a thrown value means at the syscall boundary: ProcessExit ends the
 * guest, Parked and Pending go to whoever runs the syscall (blocking.ts),
 * the rest is an errno.
 */
export function errnoOrRethrow(e: unknown): number {
  if (e instanceof ProcessExit || isControlFlow(e)) throw e;
  return errnoOf(e);
}

type Body = (a?: never, b?: never, c?: never, d?: never, e?: never, f?: never, g?: never, h?: never, i?: never, j?: never, k?: never) => number;

/**
 * The errno boundary: runs a syscall body and turns what it throws into the
 * return value. ProcessExit passes through: it ends the guest.
 *
 * Before the body runs, coalesced writes are flushed (see
 * kernel/write-buffer.ts); fd_write uses `writeSyscall`, which leaves them
 * to the buffer itself.
 *
 * The wrapper has the body's own arity (no rest arguments), so the engine
 * can inline it on hot paths such as fd_write and clock_time_get. Bodies
 * take i64 arguments split (abi/signatures.ts, `SplitArgsOf`).
 */
export function syscall<F extends (...args: never[]) => number>(body: F): F {
  const f = body as unknown as Body;
  let wrapped: Body;
  switch (body.length) {
    case 0: wrapped = () => { if (writesPending) flushPendingWrites(); try { return f(); } catch (e) { return errnoOrRethrow(e); } }; break;
    case 1: wrapped = (a) => { if (writesPending) flushPendingWrites(); try { return f(a); } catch (e) { return errnoOrRethrow(e); } }; break;
    case 2: wrapped = (a, b) => { if (writesPending) flushPendingWrites(); try { return f(a, b); } catch (e) { return errnoOrRethrow(e); } }; break;
    case 3: wrapped = (a, b, c) => { if (writesPending) flushPendingWrites(); try { return f(a, b, c); } catch (e) { return errnoOrRethrow(e); } }; break;
    case 4: wrapped = (a, b, c, d) => { if (writesPending) flushPendingWrites(); try { return f(a, b, c, d); } catch (e) { return errnoOrRethrow(e); } }; break;
    case 5: wrapped = (a, b, c, d, e) => { if (writesPending) flushPendingWrites(); try { return f(a, b, c, d, e); } catch (x) { return errnoOrRethrow(x); } }; break;
    case 6: wrapped = (a, b, c, d, e, g) => { if (writesPending) flushPendingWrites(); try { return f(a, b, c, d, e, g); } catch (x) { return errnoOrRethrow(x); } }; break;
    case 7: wrapped = (a, b, c, d, e, g, h) => { if (writesPending) flushPendingWrites(); try { return f(a, b, c, d, e, g, h); } catch (x) { return errnoOrRethrow(x); } }; break;
    default: wrapped = body.length <= 11
      ? (a, b, c, d, e, g, h, i, j, k, l) => {
        if (writesPending) flushPendingWrites();
        try { return f(a, b, c, d, e, g, h, i, j, k, l); } catch (x) { return errnoOrRethrow(x); }
      }
      // WASIX's proc_spawn2 and path_open2 take more (14 and 12): rare calls, rest arguments.
      : ((...args: never[]) => {
        if (writesPending) flushPendingWrites();
        try { return (body as (...a: never[]) => number)(...args); } catch (x) { return errnoOrRethrow(x); }
      }) as Body;
  }
  return wrapped as unknown as F;
}

/**
 * Converts an ABI rights value (a u64, split: low and high halves) to
 * Kiln's 30-bit number, or null if it has undefined bits.
 */
export function rightsFromAbi(lo: number, hi: number): number | null {
  if (hi !== 0 || (lo >>> 30) !== 0) return null;
  return lo;
}

/** The defined bits (the low 30) of an ABI rights value given split: the rest cannot be granted by anything. */
export function definedRights(lo: number): number {
  return lo & 0x3fff_ffff;
}

/** The errno boundary for fd_write: writes gather in the write buffer instead of flushing it. */
export function writeSyscall(body: (fd: number, iovs: number, iovsLen: number, out: number) => number) {
  return (fd: number, iovs: number, iovsLen: number, out: number): number => {
    try { return body(fd, iovs, iovsLen, out); } catch (e) { return errnoOrRethrow(e); }
  };
}
