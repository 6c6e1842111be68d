/**
 * The syscall channel (layer: execution, platform-neutral): one
 * SharedArrayBuffer through which guest threads in workers hand their
 * system calls to the kernel's thread (the channel port).
 *
 * Each guest thread owns a slot: a state cell, the function number, the
 * result, and one 8-byte cell per argument of the longest signature (i32
 * arguments as float64, i64 arguments as bigint64 in the same cell). A
 * guest thread fills its slot (the function's number from
 * abi/syscall-table.ts, across namespaces), moves it to REQUEST, bumps the
 * kernel's doorbell (the kernel's readiness cell, so one Atomics.waitAsync
 * on the kernel's thread covers both requests and resources becoming
 * ready) and sleeps in Atomics.wait until the kernel moves the slot to
 * REPLY.
 *
 * The direct-write map says, for guest descriptors 0..63, which host
 * descriptor a guest thread may write to itself (see docs/architecture.md,
 * "Ports"): host fd + 1, or 0.
 */
import { SYSCALLS } from '../abi/syscall-table.js';

export const enum SlotState { IDLE = 0, REQUEST = 1, REPLY = 2 }

const enum Cell { STATE = 0, FUNC = 1, RESULT = 2, CELLS = 4 }

/** Argument cells per slot: as many as the longest signature has. */
const ARGS = Math.max(...SYSCALLS.map((e) => e.signature.length));
const SLOT_CELL_BYTES = Cell.CELLS * 4;
const SLOT_ARG_BYTES = ARGS * 8;
export const DIRECT_WRITE_FDS = 64;
const HEADER_BYTES = 16;

/** For each function number, which arguments are i64. */
const I64_ARGS: readonly (readonly boolean[])[] = SYSCALLS.map((e) => e.i64);

export class SyscallChannel {
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly #cells: Int32Array;
  readonly #f64: Float64Array;
  readonly #i64: BigInt64Array;
  readonly #direct: Int32Array;
  readonly #doorbell: Int32Array;

  /** Memory for `slots` guest threads. */
  static create(slots: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + DIRECT_WRITE_FDS * 4 + slots * (SLOT_CELL_BYTES + SLOT_ARG_BYTES));
    new Int32Array(buffer, 0, 1)[0] = slots;
    return buffer;
  }

  /** Views a channel (on any thread); `doorbell` is the process's readiness cell. */
  constructor(buffer: SharedArrayBuffer, doorbell: Int32Array) {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer, 0, 1)[0]!;
    this.#direct = new Int32Array(buffer, HEADER_BYTES, DIRECT_WRITE_FDS);
    const cellsAt = HEADER_BYTES + DIRECT_WRITE_FDS * 4;
    this.#cells = new Int32Array(buffer, cellsAt, this.slots * Cell.CELLS);
    const argsAt = cellsAt + this.slots * SLOT_CELL_BYTES;
    this.#f64 = new Float64Array(buffer, argsAt, this.slots * ARGS);
    this.#i64 = new BigInt64Array(buffer, argsAt, this.slots * ARGS);
    this.#doorbell = doorbell;
  }

  // ---- guest-thread side ----

  /** Makes a call through `slot` and waits for its result. */
  call(slot: number, func: number, args: ArrayLike<number | bigint>): number {
    const c = slot * Cell.CELLS;
    const a = slot * ARGS;
    const i64 = I64_ARGS[func]!;
    for (let i = 0; i < i64.length; i++) {
      if (i64[i]) this.#i64[a + i] = BigInt.asIntN(64, BigInt(args[i] ?? 0n));
      else this.#f64[a + i] = Number(args[i] ?? 0);
    }
    this.#cells[c + Cell.FUNC] = func;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.REQUEST);
    Atomics.add(this.#doorbell, 0, 1);
    Atomics.notify(this.#doorbell, 0);
    while (Atomics.load(this.#cells, c + Cell.STATE) === SlotState.REQUEST) {
      Atomics.wait(this.#cells, c + Cell.STATE, SlotState.REQUEST);
    }
    const result = this.#cells[c + Cell.RESULT]!;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.IDLE);
    return result;
  }

  /** The host descriptor a guest thread may write `fd` to itself, or -1. */
  directWriteFd(fd: number): number {
    return fd >= 0 && fd < DIRECT_WRITE_FDS ? Atomics.load(this.#direct, fd) - 1 : -1;
  }

  // ---- kernel side ----

  /** True when `slot` holds a call to run. */
  hasRequest(slot: number): boolean {
    return Atomics.load(this.#cells, slot * Cell.CELLS + Cell.STATE) === SlotState.REQUEST;
  }

  func(slot: number): number { return this.#cells[slot * Cell.CELLS + Cell.FUNC]!; }

  /** The decoded arguments of the call in `slot`. */
  args(slot: number): (number | bigint)[] {
    const i64 = I64_ARGS[this.func(slot)] ?? [];
    const a = slot * ARGS;
    return i64.map((isI64, i) => (isI64 ? this.#i64[a + i]! : this.#f64[a + i]!));
  }

  /** Answers the call in `slot` and wakes its thread. */
  reply(slot: number, result: number): void {
    const c = slot * Cell.CELLS;
    this.#cells[c + Cell.RESULT] = result;
    Atomics.store(this.#cells, c + Cell.STATE, SlotState.REPLY);
    Atomics.notify(this.#cells, c + Cell.STATE);
  }

  /** Sets the direct-write map: `hostFds[fd]` is the host descriptor or -1. */
  setDirectWrites(hostFds: readonly number[]): void {
    for (let fd = 0; fd < DIRECT_WRITE_FDS; fd++) Atomics.store(this.#direct, fd, (hostFds[fd] ?? -1) + 1);
  }
}
