/**
 * The destructor calls of WASIX's first-generation thread locals, guest
 * side (layer: execution; runs in the thread's worker): as Wasmer does,
 * each value of a thread gets a call of the module's destructor export
 * (`_thread_local_destroy(user lo, hi, value lo, hi)`, or the export
 * `callback_thread_local_destroy` named) when the thread ends (its entry
 * returned or it called `thread_exit`), and every thread's value of a key
 * `thread_local_destroy` destroys gets one on the destroying thread. The
 * kernel keeps the calls (syscalls/wasix/legacy.ts); the port takes them
 * one at a time through `thread_local_get` with the keys of
 * abi/thread-locals.ts, into 16 bytes of free stack below the stack
 * pointer, and makes them.
 */
import { DEFAULT_DESTRUCTOR, TAKE_AT_THREAD_EXIT, TAKE_PENDING } from '../../abi/thread-locals.js';

/** A call to the kernel's `thread_local_get` (split form): errno. */
type ThreadLocalGet = (key: number, out: number) => number;

export class GuestThreadLocals {
  /** The destructor export's name. */
  destructor = DEFAULT_DESTRUCTOR;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly threadLocalGet: ThreadLocalGet,
    readonly exports: () => WebAssembly.Exports | undefined,
  ) {}

  /** `callback_thread_local_destroy(name, len)`: names the export (a bad pointer keeps the old name). */
  name(ptr: number, len: number): void {
    try {
      this.destructor = new TextDecoder().decode(new Uint8Array(this.memory.buffer, ptr >>> 0, len >>> 0).slice());
    } catch { /* outside memory: as the kernel, keep the old name */ }
  }

  /** The calls `thread_local_destroy` left this thread. */
  runPending(): void {
    this.#run(TAKE_PENDING);
  }

  /**
   * The thread ends: a call for each of its values, once (as in Wasmer, a
   * value a destructor sets gets no call of its own).
   */
  runAtExit(): void {
    this.#run(TAKE_AT_THREAD_EXIT);
  }

  /** Makes the calls: the first taken with `first`, the rest with TAKE_PENDING. */
  #run(first: number): void {
    const exports = this.exports();
    const sp = exports?.['__stack_pointer'];
    const top = sp instanceof WebAssembly.Global ? Number(sp.value) : 0;
    const scratch = (top - 16) & ~7;
    if (scratch < 0) return;
    const destructor = exports?.[this.destructor];
    for (let take = first; this.threadLocalGet(take, scratch) === 0; take = TAKE_PENDING) {
      const view = new DataView(this.memory.buffer);
      const user = [view.getInt32(scratch, true), view.getInt32(scratch + 4, true)];
      const value = [view.getInt32(scratch + 8, true), view.getInt32(scratch + 12, true)];
      if (typeof destructor === 'function') (destructor as (...a: number[]) => void)(...user, ...value);
    }
  }
}
