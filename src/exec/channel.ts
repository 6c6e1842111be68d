/**
 * The syscall channel (layer: execution, platform-neutral): one
 * SharedArrayBuffer through which guest threads in workers hand their
 * system calls to the kernel's thread (the channel port).
 *
 * Each guest thread owns a slot: a state cell, the function number, the
 * result, and one 32-bit cell per argument of the longest signature in
 * split form (abi/signatures.ts: each i64 argument as two i32 halves, low
 * then high, as the i64 adapter hands them over; so no BigInt is made on
 * either side). A guest thread fills its slot (the function's number from
 * abi/syscall-table.ts, across namespaces), moves it to REQUEST, bumps the
 * kernel's doorbell (the kernel's readiness cell, so one Atomics.waitAsync
 * on the kernel's thread covers both requests and resources becoming
 * ready) and sleeps in Atomics.wait until the kernel moves the slot to
 * REPLY.
 *
 * A slot's signal cell holds the signals waiting for the thread's
 * handler, one bit per signal (Linux numbering, as WASIX guests use): the
 * kernel sets bits, the guest thread takes them after each call and runs
 * its handler (WASIX `callback_signal`).
 *
 * The direct-write map says, for guest descriptors 0..63, which host
 * descriptor a guest thread may write to itself (see docs/architecture.md,
 * "Ports"): host fd + 1, or 0. The direct-pipe maps say, for the same
 * descriptors, which ring of the kernel's pipe arena a guest thread may
 * read, and write, itself (host/pipe-arena.ts `mapEntry`, or 0).
 */
import { splitLength } from '../abi/signatures.js';
import { SYSCALLS } from '../abi/syscall-table.js';

/**
 * A slot's state. ENDED: the call will never be answered, the process
 * ended (the thread unwinds). FUTEX: the thread waits on a futex word of
 * its memory itself (`futexWait`), the word's index in the FUTEX cell.
 */
export const enum SlotState { IDLE = 0, REQUEST = 1, REPLY = 2, ENDED = 3, FUTEX = 4 }

/** How a futex wait on the guest's thread ended (Atomics.wait's answers, and a signal for the thread). */
export type FutexWaitResult = 'ok' | 'not-equal' | 'timed-out' | 'interrupted';

/** Thrown on the guest's thread by a call the kernel ended (`endCall`): the thread's entry unwinds and returns. */
export class CallEnded {}

/** FUTEX_ON: what the FUTEX cell indexes, the thread's memory (0) or the pipe arena (1). */
const enum Cell { STATE = 0, FUNC = 1, RESULT = 2, SIGNALS = 3, FUTEX = 4, FUTEX_ON = 5, CELLS = 6 }

/** For each function number, how many arguments it takes in split form. */
const SPLIT_ARGS: readonly number[] = SYSCALLS.map((e) => splitLength(e.signature));
/** Argument cells per slot: as many as the longest signature has in split form. */
const ARGS = Math.max(...SPLIT_ARGS);
const SLOT_CELL_BYTES = Cell.CELLS * 4;
const SLOT_ARG_BYTES = ARGS * 4;
export const DIRECT_WRITE_FDS = 64;
/** The bit of a direct-write entry that marks it bufferable. */
const BUFFERABLE = 1 << 30;
const HEADER_BYTES = 16;
/** The descriptor maps: direct writes, pipe reads, pipe writes. */
const MAPS = 3;

export class SyscallChannel {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly #cells: Int32Array;
  readonly #args: Int32Array;
  readonly #direct: Int32Array;
  readonly #pipeRead: Int32Array;
  readonly #pipeWrite: Int32Array;
  readonly #doorbell: Int32Array;

  /** Memory for `slots` guest threads. */
  static create(slots: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + MAPS * DIRECT_WRITE_FDS * 4 + slots * (SLOT_CELL_BYTES + SLOT_ARG_BYTES));
    new Int32Array(buffer, 0, 1)[0] = slots;
    return buffer;
  }

  /** Views a channel (on any thread); `doorbell` is the process's readiness cell. */
  constructor(buffer: SharedArrayBuffer, doorbell: Int32Array) {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer, 0, 1)[0]!;
    this.#direct = new Int32Array(buffer, HEADER_BYTES, DIRECT_WRITE_FDS);
    this.#pipeRead = new Int32Array(buffer, HEADER_BYTES + DIRECT_WRITE_FDS * 4, DIRECT_WRITE_FDS);
    this.#pipeWrite = new Int32Array(buffer, HEADER_BYTES + 2 * DIRECT_WRITE_FDS * 4, DIRECT_WRITE_FDS);
    const cellsAt = HEADER_BYTES + MAPS * DIRECT_WRITE_FDS * 4;
    this.#cells = new Int32Array(buffer, cellsAt, this.slots * Cell.CELLS);
    const argsAt = cellsAt + this.slots * SLOT_CELL_BYTES;
    this.#args = new Int32Array(buffer, argsAt, this.slots * ARGS);
    this.#doorbell = doorbell;
  }

  // ---- guest-thread side ----

  /** Guest side: runs before each call (the thread writes what it gathered: exec/guest-write-buffer.ts). */
  beforeCall: (() => void) | undefined;

  /** Makes a call through `slot` (its arguments in split form: i32 numbers) and waits for its result. */
  call(slot: number, func: number, args: ArrayLike<number>): number {
    this.beforeCall?.();
    const c = slot * Cell.CELLS;
    const a = slot * ARGS;
    const n = SPLIT_ARGS[func]!;
    for (let i = 0; i < n; i++) this.#args[a + i] = args[i] ?? 0;
    this.#cells[c + Cell.FUNC] = func;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.REQUEST);
    this.ringDoorbell();
    let state: number;
    while ((state = Atomics.load(this.#cells, c + Cell.STATE)) === SlotState.REQUEST) {
      Atomics.wait(this.#cells, c + Cell.STATE, SlotState.REQUEST);
    }
    if (state === SlotState.ENDED) throw new CallEnded();
    const result = this.#cells[c + Cell.RESULT]!;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.IDLE);
    return result;
  }

  /**
   * Waits on the futex word `words[index]` while it holds `expected`, for at
   * most `timeoutMs`, on the guest's own thread (no call to the kernel): a
   * wake is an Atomics.notify of that word, from another guest thread or
   * from the kernel (`wakeFutex`: a signal for the thread). Throws
   * `CallEnded` when the process ended meanwhile (`endCall`). With
   * `onPipes`, `words` is the kernel's pipe arena (a thread waiting for a
   * pipe's bytes or room) instead of the thread's memory.
   */
  futexWait(slot: number, words: Int32Array, index: number, expected: number, timeoutMs: number, onPipes = false): FutexWaitResult {
    const c = slot * Cell.CELLS;
    this.#cells[c + Cell.FUTEX] = index;
    this.#cells[c + Cell.FUTEX_ON] = onPipes ? 1 : 0;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.FUTEX);
    // A signal raised before the state was set finds no waiter to wake: look now.
    const result: FutexWaitResult = Atomics.load(this.#cells, c + Cell.SIGNALS) !== 0
      ? 'interrupted'
      : Atomics.wait(words, index, expected, timeoutMs);
    if (Atomics.compareExchange(this.#cells, c + Cell.STATE, SlotState.FUTEX, SlotState.IDLE) !== SlotState.FUTEX) throw new CallEnded();
    return result === 'ok' && Atomics.load(this.#cells, c + Cell.SIGNALS) !== 0 ? 'interrupted' : result;
  }

  /** Takes the signals waiting for the thread of `slot` (a bit per signal; 0 when none). */
  takeSignals(slot: number): number {
    const c = slot * Cell.CELLS + Cell.SIGNALS;
    return Atomics.load(this.#cells, c) === 0 ? 0 : Atomics.exchange(this.#cells, c, 0);
  }

  /** The host descriptor a guest thread may write `fd` to itself, or -1. */
  directWriteFd(fd: number): number {
    return fd >= 0 && fd < DIRECT_WRITE_FDS ? (Atomics.load(this.#direct, fd) & ~BUFFERABLE) - 1 : -1;
  }

  /** True when writes to `fd` (a direct-write descriptor) may be gathered (not a terminal: exec/guest-write-buffer.ts). */
  directWriteBufferable(fd: number): boolean {
    return (Atomics.load(this.#direct, fd) & BUFFERABLE) !== 0;
  }

  /** The pipe ring a guest thread may read `fd` from itself (a map entry: host/pipe-arena.ts), or 0. */
  pipeReadEntry(fd: number): number {
    return fd >= 0 && fd < DIRECT_WRITE_FDS ? Atomics.load(this.#pipeRead, fd) : 0;
  }

  /** The pipe ring a guest thread may write `fd` to itself, or 0. */
  pipeWriteEntry(fd: number): number {
    return fd >= 0 && fd < DIRECT_WRITE_FDS ? Atomics.load(this.#pipeWrite, fd) : 0;
  }

  /** Rings the kernel's doorbell (a guest thread changed something a parked call may wait for). */
  ringDoorbell(): void {
    Atomics.add(this.#doorbell, 0, 1);
    Atomics.notify(this.#doorbell, 0);
  }

  // ---- kernel side ----

  /** True when `slot` holds a call to run. */
  hasRequest(slot: number): boolean {
    return Atomics.load(this.#cells, slot * Cell.CELLS + Cell.STATE) === SlotState.REQUEST;
  }

  func(slot: number): number { return this.#cells[slot * Cell.CELLS + Cell.FUNC]!; }

  /** The arguments of the call in `slot`, in split form (each i64 as two i32 halves). */
  args(slot: number): number[] {
    const n = SPLIT_ARGS[this.func(slot)] ?? 0;
    const a = slot * ARGS;
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#args[a + i]!;
    return out;
  }

  /** Answers the call in `slot` and wakes its thread. */
  reply(slot: number, result: number): void {
    const c = slot * Cell.CELLS;
    this.#cells[c + Cell.RESULT] = result;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.REPLY);
    Atomics.notify(this.#cells, c + Cell.STATE);
  }

  /**
   * Ends the call the thread of `slot` waits in without an answer (its
   * process ended): the thread unwinds (`CallEnded`) and its worker is free.
   * False when the thread is not in a call (it runs guest code).
   */
  endCall(slot: number, memory: ArrayBufferLike, pipes?: ArrayBufferLike): boolean {
    const c = slot * Cell.CELLS + Cell.STATE;
    if (Atomics.compareExchange(this.#cells, c, SlotState.REQUEST, SlotState.ENDED) === SlotState.REQUEST) {
      Atomics.notify(this.#cells, c);
      return true;
    }
    const index = this.#cells[slot * Cell.CELLS + Cell.FUTEX]!;
    const on = this.#waitedOn(slot, memory, pipes);
    if (Atomics.compareExchange(this.#cells, c, SlotState.FUTEX, SlotState.ENDED) !== SlotState.FUTEX) return false;
    if (on !== undefined) Atomics.notify(new Int32Array(on), index);
    return true;
  }

  /** Wakes the thread of `slot` if it waits on a futex or a pipe (`futexWait`): a signal came for it. */
  wakeFutex(slot: number, memory: ArrayBufferLike, pipes?: ArrayBufferLike): void {
    const c = slot * Cell.CELLS;
    if (Atomics.load(this.#cells, c + Cell.STATE) !== SlotState.FUTEX) return;
    const on = this.#waitedOn(slot, memory, pipes);
    if (on !== undefined) Atomics.notify(new Int32Array(on), this.#cells[c + Cell.FUTEX]!);
  }

  /** The memory the thread of `slot` waits in (`futexWait`). */
  #waitedOn(slot: number, memory: ArrayBufferLike, pipes: ArrayBufferLike | undefined): ArrayBufferLike | undefined {
    return this.#cells[slot * Cell.CELLS + Cell.FUTEX_ON] === 1 ? pipes : memory;
  }

  /** Hands signal `linuxSignal` (1 to 31) to the thread of `slot`. */
  raiseSignal(slot: number, linuxSignal: number): void {
    Atomics.or(this.#cells, slot * Cell.CELLS + Cell.SIGNALS, 1 << linuxSignal);
  }

  /** Readies `slot` for a new thread: no call waiting, no signals. */
  resetSlot(slot: number): void {
    Atomics.store(this.#cells, slot * Cell.CELLS + Cell.STATE, SlotState.IDLE);
    Atomics.store(this.#cells, slot * Cell.CELLS + Cell.SIGNALS, 0);
  }

  /** Sets the direct-write map: `hostFds[fd]` is the host descriptor or -1; `bufferable[fd]` true where writes may be gathered. */
  setDirectWrites(hostFds: readonly number[], bufferable: readonly boolean[] = []): void {
    for (let fd = 0; fd < DIRECT_WRITE_FDS; fd++) {
      Atomics.store(this.#direct, fd, ((hostFds[fd] ?? -1) + 1) | (bufferable[fd] === true ? BUFFERABLE : 0));
    }
  }

  /** Sets the direct-pipe maps: `read[fd]`, `write[fd]` a map entry (host/pipe-arena.ts `mapEntry`) or 0. */
  setDirectPipes(read: readonly number[], write: readonly number[]): void {
    for (let fd = 0; fd < DIRECT_WRITE_FDS; fd++) {
      Atomics.store(this.#pipeRead, fd, read[fd] ?? 0);
      Atomics.store(this.#pipeWrite, fd, write[fd] ?? 0);
    }
  }
}
