/**
 * Stack capture for one guest thread (layer: execution, guest side; runs
 * in the thread's worker): WASIX `proc_fork` and `stack_checkpoint` /
 * `stack_restore` (setjmp/longjmp) on modules transformed by binaryen's
 * asyncify (`wasm-opt --asyncify`), which export `asyncify_start_unwind`,
 * `asyncify_stop_unwind`, `asyncify_start_rewind`, `asyncify_stop_rewind`
 * and `asyncify_get_state`. See docs/architecture.md, "WASIX".
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
 * The buffer's first 32 bytes are a header (abi/fork-record.ts): the
 * asyncify data pointers, then what a forked child needs to resume.
 */

import { FORK_FROM_PORT, ForkRecord as Resume } from '../../abi/fork-record.js';

/** Space for the unwound stack (the frames between the entry and the call). */
const BUFFER_BYTES = 16 * 1024;
/** Kept free above the buffer, below the stack pointer. */
const MARGIN = 512;

interface AsyncifyExports {
  asyncify_start_unwind(data: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
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

/** True when `exports` has asyncify's exports. */
export function hasAsyncify(exports: WebAssembly.Exports): boolean {
  return typeof exports['asyncify_start_unwind'] === 'function' && typeof exports['asyncify_get_state'] === 'function';
}

/** Signature of the call that forks the process in the kernel: errno; the child's pid in the header. */
export type KernelFork = (copyMemory: number, data: number) => number;

export class StackCapture {
  #instance: WebAssembly.Instance | undefined;
  #after: (() => void) | undefined;
  /** What the call being rewound into gives: the value to write (a negated errno: that error instead). */
  #resumeWith: (() => number) | undefined;
  /** The value a restored checkpoint's call writes (longjmp's `val`). */
  #resumeValue: bigint | undefined;
  #nextCheckpoint = 1;
  readonly #checkpoints = new Map<number, Checkpoint>();

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly entry: ThreadEntry,
    readonly kernelFork: KernelFork,
  ) {}

  /** The instance, once made (its exports drive the unwinding). */
  set instance(instance: WebAssembly.Instance) { this.#instance = instance; }

  get #asyncify(): AsyncifyExports {
    return this.#instance!.exports as unknown as AsyncifyExports;
  }

  get #view(): DataView { return new DataView(this.memory.buffer); }

  #global(name: string): WebAssembly.Global | undefined {
    const g = this.#instance!.exports[name];
    return g instanceof WebAssembly.Global ? g : undefined;
  }

  /** The buffer at the bottom of this thread's stack, its header filled; undefined when the stack has no room. */
  #buffer(): number | undefined {
    const sp = Number(this.#global('__stack_pointer')?.value ?? 0);
    let lower: number;
    if (this.entry.kind === 'main') {
      lower = Number(this.#global('__data_end')?.value ?? 0);
    } else {
      const view = this.#view;
      lower = view.getUint32(this.entry.arg, true) - view.getUint32(this.entry.arg + 56, true);
    }
    const data = (lower + 15) & ~15;
    const end = Math.min(data + Resume.DATA + BUFFER_BYTES, sp - MARGIN);
    if (lower <= 0 || end - data < Resume.DATA + 1024) return undefined;
    const view = this.#view;
    view.setUint32(data + Resume.START, data + Resume.DATA, true);
    view.setUint32(data + Resume.END, end, true);
    return data;
  }

  /** Runs the thread's entry, and again after each unwind this class started, until it returns for good. */
  run(enter: () => void): void {
    for (;;) {
      enter();
      const asyncify = this.#instance === undefined || !hasAsyncify(this.#instance.exports) ? undefined : this.#asyncify;
      if (asyncify === undefined || asyncify.asyncify_get_state() !== State.UNWINDING) return;
      asyncify.asyncify_stop_unwind();
      const after = this.#after!;
      this.#after = undefined;
      after();
    }
  }

  /** A forked child: set the registers the parent had, and rewind into its proc_fork, which returns 0. */
  resumeChild(at: ResumeAt): void {
    const view = this.#view;
    this.#global('__stack_pointer')!.value = view.getUint32(at.data + Resume.STACK_POINTER, true);
    const tls = this.#global('__tls_base');
    if (tls !== undefined) tls.value = view.getUint32(at.data + Resume.TLS_BASE, true);
    this.#resumeWith = () => 0;
    this.#asyncify.asyncify_start_rewind(at.data);
  }

  /** `proc_fork(copy_memory, pid_out)`. */
  fork = (copyMemory: number, pidOut: number): number => {
    const asyncify = this.#asyncify;
    if (asyncify.asyncify_get_state() === State.REWINDING) return this.#finishRewind(pidOut, 'u32');
    const data = this.#buffer();
    if (data === undefined) return 48; // ENOMEM: no room on the stack for the unwound frames
    const view = this.#view;
    view.setUint32(data + Resume.STACK_POINTER, Number(this.#global('__stack_pointer')!.value), true);
    view.setUint32(data + Resume.TLS_BASE, Number(this.#global('__tls_base')?.value ?? 0), true);
    view.setUint32(data + Resume.ENTRY, this.entry.kind === 'main' ? 0 : 1, true);
    view.setUint32(data + Resume.TID, this.entry.kind === 'main' ? 0 : this.entry.tid, true);
    view.setUint32(data + Resume.ARG, this.entry.kind === 'main' ? 0 : this.entry.arg, true);
    asyncify.asyncify_start_unwind(data);
    this.#after = () => {
      // The stack is in the buffer now: the kernel copies the memory with it.
      const errno = this.kernelFork(FORK_FROM_PORT + (copyMemory !== 0 ? 1 : 0), data);
      const pid = new DataView(this.memory.buffer).getUint32(data + Resume.CHILD_PID, true);
      this.#resumeWith = errno === 0 ? () => pid : () => -errno;
      this.#asyncify.asyncify_start_rewind(data);
    };
    return 0;
  };

  /** `stack_checkpoint(snapshot, ret_val)`: setjmp. */
  checkpoint = (snapshot: number, retPtr: number): number => {
    const asyncify = this.#asyncify;
    if (asyncify.asyncify_get_state() === State.REWINDING) return this.#finishRewind(retPtr, 'u64');
    const data = this.#buffer();
    if (data === undefined) return 48; // ENOMEM
    const stackPointer = Number(this.#global('__stack_pointer')!.value);
    asyncify.asyncify_start_unwind(data);
    this.#after = () => {
      const view = new DataView(this.memory.buffer);
      const used = view.getUint32(data + Resume.START, true);
      const id = this.#nextCheckpoint++;
      this.#checkpoints.set(id, { bytes: new Uint8Array(this.memory.buffer, data, used - data).slice(), stackPointer });
      view.setBigUint64(snapshot, BigInt(id), true);
      view.setBigUint64(snapshot + 8, 0x6b696c6e_00000000n | BigInt(id), true);
      view.setBigUint64(snapshot + 16, 0n, true);
      this.#resumeWith = () => 0;
      this.#asyncify.asyncify_start_rewind(data);
    };
    return 0;
  };

  /** `stack_restore(snapshot, val)`: longjmp; a snapshot this thread did not take traps. */
  restore = (snapshot: number, lo: number, hi: number): void => {
    const view = this.#view;
    const id = Number(view.getBigUint64(snapshot, true));
    const saved = this.#checkpoints.get(id);
    if (saved === undefined) throw new WebAssembly.RuntimeError('stack_restore: not a checkpoint of this thread (longjmp to a jmp_buf setjmp did not fill)');
    const data = this.#buffer();
    if (data === undefined) throw new WebAssembly.RuntimeError('stack_restore: no room on the stack to unwind');
    if (saved.bytes.byteLength > new DataView(this.memory.buffer).getUint32(data + Resume.END, true) - data) {
      throw new WebAssembly.RuntimeError('stack_restore: the stack has no room for the checkpoint');
    }
    this.#asyncify.asyncify_start_unwind(data);
    this.#after = () => {
      // Drop what was unwound; put the checkpoint's frames back (same thread, same buffer address) and rewind into them.
      new Uint8Array(this.memory.buffer).set(saved.bytes, data);
      const v = new DataView(this.memory.buffer);
      v.setUint32(data + Resume.START, data + saved.bytes.byteLength, true);
      v.setUint32(data + Resume.END, Math.max(data + saved.bytes.byteLength, v.getUint32(data + Resume.END, true)), true);
      this.#global('__stack_pointer')!.value = saved.stackPointer;
      this.#resumeValue = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      this.#resumeWith = () => 0;
      this.#asyncify.asyncify_start_rewind(data);
    };
  };

  /** The call rewound into: stop rewinding, write its result, return success. */
  #finishRewind(out: number, width: 'u32' | 'u64'): number {
    this.#asyncify.asyncify_stop_rewind();
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
