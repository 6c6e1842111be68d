/**
 * Stack capture for one guest thread (layer: execution, guest side; runs
 * in the thread's worker): WASIX `proc_fork` and `stack_checkpoint` /
 * `stack_restore` (setjmp/longjmp) on modules transformed by binaryen's
 * asyncify (`wasm-opt --asyncify`), which export `asyncify_start_unwind`,
 * `asyncify_stop_unwind`, `asyncify_start_rewind` and
 * `asyncify_stop_rewind` (newer binaryen adds `asyncify_get_state`; it is
 * not needed: only this class starts and stops unwinding and rewinding,
 * so it keeps the state). See docs/architecture.md, "WASIX".
 *
 * The import unwinds the guest's stack into a buffer at the bottom of the
 * thread's own stack (below everything in use), the thread's entry
 * returns to `run()`, which does what the call asked (the kernel forks
 * the process: a copy of the memory, a new worker rewinding into the same
 * call with result 0; a checkpoint keeps a copy of the buffer) and rewinds
 * the thread into the call, which then returns its result. A restore
 * unwinds the current stack, puts a checkpoint's buffer back and rewinds
 * into that checkpoint's call.
 *
 * The buffer starts with a header (abi/fork-record.ts): the asyncify
 * data pointers, then what a forked child needs to resume. A memory64
 * module (`wasix_64v1`) has 64-bit asyncify pointers, stack and TLS
 * globals and thread start arguments: `wide` says which.
 */

import { FORK_FROM_PORT, forkRecord, type ForkRecordLayout } from '../../abi/fork-record.js';

/** Space for the unwound stack (the frames between the entry and the call). */
const BUFFER_BYTES = 16 * 1024;
/** Kept free above the buffer, below the stack pointer. */
const MARGIN = 512;

interface AsyncifyExports {
  asyncify_start_unwind(data: number | bigint): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: number | bigint): void;
  asyncify_stop_rewind(): void;
}

const enum State { NORMAL = 0, UNWINDING = 1, REWINDING = 2 }

/** How the thread was entered: `_start`, or `wasi_thread_start(tid, arg)`. */
export type ThreadEntry = { kind: 'main' } | { kind: 'thread'; tid: number; arg: number };

/** Where a forked child resumes (the buffer holds the rest). */
export interface ResumeAt {
  /** The buffer's address in the child's (copied) memory. */
  data: number;
}

/** A checkpoint (setjmp) of this thread: the unwound stack and the stack pointer. */
interface Checkpoint { bytes: Uint8Array; stackPointer: number }

/** True when `exports` has the asyncify exports this class drives. */
function hasAsyncify(exports: WebAssembly.Exports): boolean {
  return ['asyncify_start_unwind', 'asyncify_stop_unwind', 'asyncify_start_rewind', 'asyncify_stop_rewind'].every((name) => typeof exports[name] === 'function');
}

/** Signature of the call that forks the process in the kernel: errno; the child's pid in the header. */
export type KernelFork = (copyMemory: number, data: number) => number;

/** Marks the checkpoint table a fork leaves for its child ("kcp1"). */
const CHECKPOINTS_TAG = 0x3170636b;

/** errno values this file answers itself. */
const EFAULT = 21;
const ENOMEM = 48;

export class StackCapture {
  #instance: WebAssembly.Instance | undefined;
  #after: (() => void) | undefined;
  /** What the call being rewound into gives: the value to write (a negated errno: that error instead). */
  #resumeWith: (() => number) | undefined;
  /** The value a restored checkpoint's call writes (longjmp's `val`). */
  #resumeValue: bigint | undefined;
  /** Where asyncify stands: only this class starts and stops unwinding and rewinding. */
  #state = State.NORMAL;
  #nextCheckpoint = 1;
  readonly #checkpoints = new Map<number, Checkpoint>();
  readonly #record: ForkRecordLayout;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly entry: ThreadEntry,
    readonly kernelFork: KernelFork,
    /** A memory64 module: 64-bit pointers in the header, globals and thread start arguments. */
    readonly wide = false,
  ) {
    this.#record = forkRecord(wide);
  }

  /** The instance, once made (its exports drive the unwinding). */
  set instance(instance: WebAssembly.Instance) { this.#instance = instance; }

  get #asyncify(): AsyncifyExports {
    return this.#instance!.exports as unknown as AsyncifyExports;
  }

  #startUnwind(data: number): void {
    this.#state = State.UNWINDING;
    this.#asyncify.asyncify_start_unwind(this.#pointer(data));
  }

  #startRewind(data: number): void {
    this.#state = State.REWINDING;
    this.#asyncify.asyncify_start_rewind(this.#pointer(data));
  }

  get #view(): DataView { return new DataView(this.memory.buffer); }

  #global(name: string): WebAssembly.Global | undefined {
    const g = this.#instance!.exports[name];
    return g instanceof WebAssembly.Global ? g : undefined;
  }

  /** Sets an address global (`__stack_pointer`, `__tls_base`): an i64 one for a wide module. */
  #setAddress(global: WebAssembly.Global, value: number): void {
    global.value = this.wide ? BigInt(value) : value;
  }

  /** An address as asyncify's exports take it. */
  #pointer(address: number): number | bigint {
    return this.wide ? BigInt(address) : address;
  }

  /** Reads a pointer-sized value of the guest (u32, or u64 below 2^53 for a wide module). */
  #readPointer(view: DataView, at: number): number {
    return this.wide ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true);
  }

  #writePointer(view: DataView, at: number, value: number): void {
    if (this.wide) view.setBigUint64(at, BigInt(value), true);
    else view.setUint32(at, value, true);
  }

  /** True when [ptr, ptr + len) lies in memory (`ptr` unsigned: the calls below take it as wasm passes an i32). */
  #inMemory(ptr: number, len: number): boolean {
    return ptr >= 0 && ptr + len <= this.memory.buffer.byteLength;
  }

  /** The buffer at the bottom of this thread's stack, its header filled; undefined when the stack has no room. */
  #buffer(): number | undefined {
    const sp = Number(this.#global('__stack_pointer')?.value ?? 0);
    let lower: number;
    if (this.entry.kind === 'main') {
      // The stack's bottom: `__stack_low` where the linker exports it; else the end of the data below
      // the stack, or, when the data lies above it (`--stack-first`, Rust's layout), the start of memory.
      const dataEnd = Number(this.#global('__data_end')?.value ?? 0);
      lower = Number(this.#global('__stack_low')?.value ?? (dataEnd < sp ? dataEnd : 16));
    } else {
      // thread_start_t: the stack's top is field 0 and its size field 14 (pointer-sized fields).
      const view = this.#view;
      const field = this.wide ? 8 : 4;
      if (!this.#inMemory(this.entry.arg, 16 * field)) return undefined;
      lower = this.#readPointer(view, this.entry.arg) - this.#readPointer(view, this.entry.arg + 14 * field);
    }
    const record = this.#record;
    const data = (lower + 15) & ~15;
    const end = Math.min(data + record.DATA + BUFFER_BYTES, sp - MARGIN);
    if (lower <= 0 || end - data < record.DATA + 1024) return undefined;
    const view = this.#view;
    this.#writePointer(view, data + record.START, data + record.DATA);
    this.#writePointer(view, data + record.END, end);
    return data;
  }

  /** Runs the thread's entry, and again after each unwind this class started, until it returns for good. */
  run(enter: () => void): void {
    for (;;) {
      enter();
      if (this.#state !== State.UNWINDING || this.#instance === undefined || !hasAsyncify(this.#instance.exports)) return;
      this.#asyncify.asyncify_stop_unwind();
      this.#state = State.NORMAL;
      const after = this.#after!;
      this.#after = undefined;
      after();
    }
  }

  /** A forked child: set the registers the parent had, and rewind into its proc_fork, which returns 0. */
  resumeChild(at: ResumeAt): void {
    const view = this.#view;
    const record = this.#record;
    this.#setAddress(this.#global('__stack_pointer')!, view.getUint32(at.data + record.STACK_POINTER, true));
    const tls = this.#global('__tls_base');
    if (tls !== undefined) this.#setAddress(tls, view.getUint32(at.data + record.TLS_BASE, true));
    this.#takeCheckpoints(at.data);
    this.#resumeWith = () => 0;
    this.#startRewind(at.data);
  }

  /**
   * Writes this thread's checkpoints after the unwound frames of a fork
   * (free stack, below the stack pointer), for the child, whose copy of
   * the memory carries them: a longjmp in the child to a setjmp the parent
   * made before the fork works, as on Wasmer. The table: a tag, the count,
   * then for each its id, stack pointer, length and bytes. Checkpoints
   * that do not fit below the stack pointer are left out (a longjmp to one
   * traps in the child).
   */
  #handCheckpoints(data: number): void {
    const view = this.#view;
    let at = (this.#readPointer(view, data + this.#record.START) + 7) & ~7;
    const limit = Number(this.#global('__stack_pointer')!.value) - MARGIN;
    if (at + 8 > limit) return;
    const table = at;
    let count = 0;
    at += 8;
    const bytes = new Uint8Array(this.memory.buffer);
    for (const [id, saved] of this.#checkpoints) {
      const next = (at + 12 + saved.bytes.byteLength + 7) & ~7;
      if (next > limit) continue;
      view.setUint32(at, id, true);
      view.setUint32(at + 4, saved.stackPointer, true);
      view.setUint32(at + 8, saved.bytes.byteLength, true);
      bytes.set(saved.bytes, at + 12);
      at = next;
      count++;
    }
    view.setUint32(table, CHECKPOINTS_TAG, true);
    view.setUint32(table + 4, count, true);
  }

  /** A forked child: the checkpoints its parent handed on (`#handCheckpoints`). */
  #takeCheckpoints(data: number): void {
    const view = this.#view;
    let at = (this.#readPointer(view, data + this.#record.START) + 7) & ~7;
    if (!this.#inMemory(at, 8) || view.getUint32(at, true) !== CHECKPOINTS_TAG) return;
    const count = view.getUint32(at + 4, true);
    at += 8;
    for (let i = 0; i < count; i++) {
      const id = view.getUint32(at, true);
      const length = view.getUint32(at + 8, true);
      this.#checkpoints.set(id, { stackPointer: view.getUint32(at + 4, true), bytes: new Uint8Array(this.memory.buffer, at + 12, length).slice() });
      this.#nextCheckpoint = Math.max(this.#nextCheckpoint, id + 1);
      at = (at + 12 + length + 7) & ~7;
    }
  }

  /** `proc_fork(copy_memory, pid_out)`. */
  fork = (copyMemory: number, pidOutArg: number): number => {
    const pidOut = pidOutArg >>> 0;
    if (this.#state === State.REWINDING) return this.#finishRewind(pidOut, 'u32');
    if (!this.#inMemory(pidOut, 4)) return EFAULT;
    const data = this.#buffer();
    if (data === undefined) return ENOMEM; // no room on the stack for the unwound frames
    const view = this.#view;
    const record = this.#record;
    view.setUint32(data + record.STACK_POINTER, Number(this.#global('__stack_pointer')!.value), true);
    view.setUint32(data + record.TLS_BASE, Number(this.#global('__tls_base')?.value ?? 0), true);
    view.setUint32(data + record.ENTRY, this.entry.kind === 'main' ? 0 : 1, true);
    view.setUint32(data + record.TID, this.entry.kind === 'main' ? 0 : this.entry.tid, true);
    view.setUint32(data + record.ARG, this.entry.kind === 'main' ? 0 : this.entry.arg, true);
    this.#startUnwind(data);
    this.#after = () => {
      // The stack is in the buffer now (the checkpoints after it): the kernel copies the memory with it.
      this.#handCheckpoints(data);
      const errno = this.kernelFork(FORK_FROM_PORT + (copyMemory !== 0 ? 1 : 0), data);
      const pid = new DataView(this.memory.buffer).getUint32(data + record.CHILD_PID, true);
      this.#resumeWith = errno === 0 ? () => pid : () => -errno;
      this.#startRewind(data);
    };
    return 0;
  };

  /** `stack_checkpoint(snapshot, ret_val)`: setjmp. */
  checkpoint = (snapshotArg: number, retPtrArg: number): number => {
    const snapshot = snapshotArg >>> 0;
    const retPtr = retPtrArg >>> 0;
    if (this.#state === State.REWINDING) return this.#finishRewind(retPtr, 'u64');
    if (!this.#inMemory(snapshot, 24) || !this.#inMemory(retPtr, 8)) return EFAULT;
    const data = this.#buffer();
    if (data === undefined) return ENOMEM;
    const stackPointer = Number(this.#global('__stack_pointer')!.value);
    this.#startUnwind(data);
    this.#after = () => {
      const view = new DataView(this.memory.buffer);
      const used = this.#readPointer(view, data + this.#record.START);
      const id = this.#nextCheckpoint++;
      this.#checkpoints.set(id, { bytes: new Uint8Array(this.memory.buffer, data, used - data).slice(), stackPointer });
      view.setBigUint64(snapshot, BigInt(id), true);
      view.setBigUint64(snapshot + 8, 0x6b696c6e_00000000n | BigInt(id), true);
      view.setBigUint64(snapshot + 16, 0n, true);
      this.#resumeWith = () => 0;
      this.#startRewind(data);
    };
    return 0;
  };

  /** `stack_restore(snapshot, val)`: longjmp; a snapshot this thread did not take traps. */
  restore = (snapshotArg: number, lo: number, hi: number): void => {
    const snapshot = snapshotArg >>> 0;
    if (!this.#inMemory(snapshot, 24)) throw new WebAssembly.RuntimeError('stack_restore: the jmp_buf lies outside memory');
    const view = this.#view;
    const id = Number(view.getBigUint64(snapshot, true));
    const saved = this.#checkpoints.get(id);
    if (saved === undefined) throw new WebAssembly.RuntimeError('stack_restore: not a checkpoint of this thread (longjmp to a jmp_buf setjmp did not fill)');
    const data = this.#buffer();
    if (data === undefined) throw new WebAssembly.RuntimeError('stack_restore: no room on the stack to unwind');
    const record = this.#record;
    if (saved.bytes.byteLength > this.#readPointer(new DataView(this.memory.buffer), data + record.END) - data) {
      throw new WebAssembly.RuntimeError('stack_restore: the stack has no room for the checkpoint');
    }
    this.#startUnwind(data);
    this.#after = () => {
      // Drop what was unwound; put the checkpoint's frames back (same thread, same buffer address) and rewind into them.
      new Uint8Array(this.memory.buffer).set(saved.bytes, data);
      const v = new DataView(this.memory.buffer);
      this.#writePointer(v, data + record.START, data + saved.bytes.byteLength);
      this.#writePointer(v, data + record.END, Math.max(data + saved.bytes.byteLength, this.#readPointer(v, data + record.END)));
      this.#setAddress(this.#global('__stack_pointer')!, saved.stackPointer);
      this.#resumeValue = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      this.#resumeWith = () => 0;
      this.#startRewind(data);
    };
  };

  /** The call rewound into: stop rewinding, write its result, return success. */
  #finishRewind(out: number, width: 'u32' | 'u64'): number {
    this.#asyncify.asyncify_stop_rewind();
    this.#state = State.NORMAL;
    const result = this.#resumeWith?.() ?? 0;
    this.#resumeWith = undefined;
    if (result < 0) return -result;
    const view = this.#view;
    if (width === 'u32') view.setUint32(out, result, true);
    else {
      view.setBigUint64(out, this.#resumeValue ?? BigInt(result), true);
      this.#resumeValue = undefined;
    }
    return 0;
  }
}
