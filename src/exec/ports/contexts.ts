/**
 * WASIX contexts (`context_create`, `context_switch`, `context_destroy`)
 * on one wasm thread, over JSPI (layer: execution, platform-neutral; runs
 * where the thread runs, in a thread worker).
 *
 * A context is a call stack of its own on the thread. With JSPI each one
 * is a `WebAssembly.promising` call: the thread's entry (`_start`,
 * `wasi_thread_start`) is the main context's, and a created context's is
 * its entrypoint from the function table, called on its first resumption.
 * `context_switch` is a `WebAssembly.Suspending` import: it suspends the
 * active context's stack (its Promise settles when another context
 * switches back to it) and starts or resumes the target in a microtask,
 * once the active stack has suspended. One context runs at a time, on the
 * thread's own event loop; system calls inside a context block the thread
 * as they always do.
 *
 * As Wasmer does (wasix-libc's `wasix/context.h`): switching to the active
 * context does nothing; switching to a context that is not suspended, or
 * that does not exist, is EINVAL; destroying the main or the active
 * context is EINVAL, destroying a deleted one does nothing; a context
 * whose entrypoint returns or traps ends, and the main context resumes
 * with a trap (the same trap, or one that says the entrypoint returned).
 * The host does not move the guest's stack pointer: a program keeps each
 * context's shadow stack itself, as with Wasmer.
 *
 * Without JSPI (Node 20, Firefox, Safari) there is no context-switching
 * environment: the functions answer ENOTSUP (syscalls/wasix/unsupported.ts).
 */
import { Errno } from '../../abi/errno.js';
import type { JspiApi } from './jspi.js';

/** The main context's identifier (wasix-libc's `wasix_context_main`). */
export const MAIN_CONTEXT = 0n;

/** How a suspended context is resumed, or made to throw. */
interface Resumer {
  ok(): void;
  fail(error: unknown): void;
}

interface GuestContext {
  /** Its entrypoint (undefined for the main context). */
  readonly entry: (() => unknown) | undefined;
  started: boolean;
  ended: boolean;
  /** Set while it is suspended in `context_switch`. */
  resume: Resumer | undefined;
}

/** A pointer as the guest passes it (an i64 is a bigint) as a number; NaN past 2^53. */
function pointer(p: number | bigint): number {
  return typeof p === 'bigint' ? (p <= BigInt(Number.MAX_SAFE_INTEGER) && p >= 0n ? Number(p) : NaN) : p >>> 0;
}

/** The context-switching environment of one thread. */
export class GuestContexts {
  readonly #jspi: JspiApi;
  readonly #contexts = new Map<bigint, GuestContext>([[MAIN_CONTEXT, { entry: undefined, started: true, ended: false, resume: undefined }]]);
  #active = MAIN_CONTEXT;
  #next = 1n;
  /** The guest's function table (its entrypoints) and memory, once it is instantiated. */
  instance: WebAssembly.Instance | undefined;

  /**
   * @param jspi The engine's JSPI.
   * @param memory The thread's memory (where `context_create` writes the new identifier).
   */
  constructor(jspi: JspiApi, readonly memory: WebAssembly.Memory) {
    this.#jspi = jspi;
  }

  /** Runs the thread's entry (`fn`, an exported function) as the main context; settles when it returns or fails. */
  async runMain<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): Promise<void> {
    await this.#jspi.promising(fn)(...args);
  }

  /** The guest's imports: `context_create(id_out, entrypoint)`, `context_switch(id)` (suspending), `context_destroy(id)`. */
  imports(): Record<'context_create' | 'context_switch' | 'context_destroy', unknown> {
    return {
      context_create: (idOut: number | bigint, entrypoint: number): number => this.#create(pointer(idOut), entrypoint >>> 0),
      context_switch: new this.#jspi.Suspending((target: bigint): number | Promise<number> => this.#switch(BigInt.asUintN(64, target))),
      context_destroy: (id: bigint): number => this.#destroy(BigInt.asUintN(64, id)),
    };
  }

  #create(idOut: number, index: number): number {
    const exports = this.instance?.exports ?? {};
    const named = exports['__indirect_function_table'];
    const table = named instanceof WebAssembly.Table ? named : Object.values(exports).find((e): e is WebAssembly.Table => e instanceof WebAssembly.Table);
    let entry: unknown;
    try {
      entry = table?.get(index);
    } catch {
      entry = undefined; // past the table's end
    }
    if (typeof entry !== 'function' || entry.length !== 0) return Errno.INVAL;
    const buffer = this.memory.buffer;
    if (!(idOut + 8 <= buffer.byteLength)) return Errno.FAULT;
    const id = this.#next++;
    this.#contexts.set(id, { entry: entry as () => unknown, started: false, ended: false, resume: undefined });
    new DataView(buffer).setBigUint64(idOut, id, true);
    return Errno.SUCCESS;
  }

  #switch(target: bigint): number | Promise<number> {
    if (target === this.#active) return Errno.SUCCESS;
    const next = this.#contexts.get(target);
    if (next === undefined || next.ended || (next.started && next.resume === undefined)) return Errno.INVAL;
    const current = this.#contexts.get(this.#active)!;
    const suspended = new Promise<number>((ok, fail) => {
      current.resume = { ok: () => ok(Errno.SUCCESS), fail };
    });
    this.#active = target;
    if (!next.started) {
      next.started = true;
      queueMicrotask(() => this.#start(target, next));
    } else {
      const resume = next.resume!;
      next.resume = undefined;
      resume.ok();
    }
    return suspended;
  }

  /** Runs a context's entrypoint on a stack of its own; when it ends, the main context resumes with a trap. */
  #start(id: bigint, context: GuestContext): void {
    const ended = (error: unknown): void => {
      context.ended = true;
      if (this.#active !== id) return; // destroyed meanwhile: nobody waits for it
      this.#active = MAIN_CONTEXT;
      const main = this.#contexts.get(MAIN_CONTEXT)!;
      const resume = main.resume;
      main.resume = undefined;
      resume?.fail(error);
    };
    this.#jspi.promising(context.entry!)().then(
      () => ended(new WebAssembly.RuntimeError(`WASIX context ${id} returned from its entrypoint (a context's entrypoint must not return)`)),
      ended,
    );
  }

  #destroy(id: bigint): number {
    if (id === MAIN_CONTEXT || id === this.#active) return Errno.INVAL;
    this.#contexts.delete(id); // a suspended stack that is never resumed is collected with its Promise
    return Errno.SUCCESS;
  }
}
