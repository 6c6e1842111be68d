/**
 * A process's system call functions (layer: execution): the import
 * objects of every namespace Kiln serves, over one syscall context, traced
 * when asked, and the same functions by number (abi/syscall-table.ts) for
 * the channel server. Every port uses these very functions: the inline
 * port hands them to the guest, the suspending port wraps them, the
 * channel server calls them by number.
 */
import { PREVIEW1, THREADS, UNSTABLE, type Preview1Imports, type Signature, type UnstableImports } from '../abi/signatures.js';
import { SYSCALLS, type SyscallModule } from '../abi/syscall-table.js';
import type { TraceSink } from '../host/stdio.js';
import type { Process } from '../kernel/process.js';
import { SyscallContext } from '../syscalls/context.js';
import { createPreview1Imports } from '../syscalls/preview1/index.js';
import { createUnstableImports } from '../syscalls/unstable/index.js';
import { traceImports } from '../syscalls/trace.js';

/** One import function: wasm numbers and bigints in, an errno (or a value) out. */
export type ImportFunction = (...args: (number | bigint)[]) => number;

/** `wasi` `thread-spawn(start_arg) -> tid or -errno`, given by the runner that can start threads. */
export type ThreadSpawnFunction = (startArg: number) => number;

const SIGNATURES: Readonly<Record<SyscallModule, Readonly<Record<string, Signature>>>> = {
  wasi_snapshot_preview1: PREVIEW1,
  wasi_unstable: UNSTABLE,
  wasi: THREADS,
};

export class SyscallFunctions {
  readonly context: SyscallContext;
  /** The `wasi_snapshot_preview1` functions (traced when tracing). */
  readonly preview1: Preview1Imports;
  /** The preview 1 functions before tracing: the wasi_unstable adapter delegates to them. */
  readonly #raw: Preview1Imports;
  readonly #trace: TraceSink | undefined;
  #unstable: UnstableImports | undefined;
  #threads: { 'thread-spawn': ThreadSpawnFunction } | undefined;
  #byNumber: (ImportFunction | undefined)[] | undefined;

  constructor(readonly process: Process, trace?: TraceSink) {
    this.context = new SyscallContext(process);
    this.#raw = createPreview1Imports(this.context);
    this.#trace = trace;
    this.preview1 = this.#traced(this.#raw, PREVIEW1);
  }

  /** The `wasi_unstable` (preview 0) functions, over the same context (made on first use). */
  get unstable(): UnstableImports {
    this.#unstable ??= this.#traced(createUnstableImports(this.context, this.#raw), UNSTABLE);
    return this.#unstable;
  }

  /** Serves `wasi` `thread-spawn` with `spawn` (a runner that can start threads gives it). */
  serveThreads(spawn: ThreadSpawnFunction): void {
    this.#threads = this.#traced({ 'thread-spawn': spawn }, THREADS);
    this.#byNumber = undefined;
  }

  /** The functions of `module`, if Kiln serves it (and, for `wasi`, if threads are served). */
  namespace(module: SyscallModule): Readonly<Record<string, ImportFunction>> | undefined {
    switch (module) {
      case 'wasi_snapshot_preview1': return this.preview1 as unknown as Record<string, ImportFunction>;
      case 'wasi_unstable': return this.unstable as unknown as Record<string, ImportFunction>;
      case 'wasi': return this.#threads as unknown as Record<string, ImportFunction> | undefined;
    }
  }

  /** The function numbered `number` (abi/syscall-table.ts), if served. */
  byNumber(number: number): ImportFunction | undefined {
    this.#byNumber ??= SYSCALLS.map((e) => this.namespace(e.module)?.[e.name]);
    return this.#byNumber[number];
  }

  #traced<T extends Record<string, (...args: never[]) => unknown>>(imports: T, signatures: Readonly<Record<string, Signature>>): T {
    const sink = this.#trace;
    if (sink === undefined) return imports;
    const ctx = this.context;
    return traceImports(imports, signatures, () => (ctx.bound ? ctx.memory : undefined), sink);
  }
}

/** The signature table of a namespace. */
export function signaturesOf(module: SyscallModule): Readonly<Record<string, Signature>> {
  return SIGNATURES[module];
}
