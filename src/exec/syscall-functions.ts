/**
 * A process's system call functions (layer: execution): the import
 * objects of every namespace Kiln serves, over one syscall context, traced
 * when asked, and the same functions by number (abi/syscall-table.ts) for
 * the channel server. Every port uses these very functions: the inline
 * port hands them to the guest, the suspending port wraps them, the
 * channel server calls them by number.
 *
 * The syscall bodies take i64 arguments split (two i32 halves; see
 * abi/signatures.ts). For a guest, the functions with an i64 parameter are
 * linked through the i64 adapter (i64-adapter.ts): the import objects hold
 * the adapter's exports, wasm functions with the guest's signatures, and
 * every other function as it is. The channel carries arguments split, so
 * `byNumber` gives the split functions themselves.
 */
import {
  PREVIEW1, THREADS, UNSTABLE,
  type Preview1Imports, type Preview1Split, type Signature, type UnstableImports, type UnstableSplit,
} from '../abi/signatures.js';
import { isSyscallModule, signaturesOf, SYSCALLS, type SyscallModule } from '../abi/syscall-table.js';
import { WASIX_32V1, WASIX_64V1, WASIX_FIRST_GENERATION_FORMS } from '../abi/wasix-signatures.js';
import type { TraceSink } from '../host/stdio.js';
import type { Process } from '../kernel/process.js';
import { SyscallContext, type SpawnThread } from '../syscalls/context.js';
import { createPreview1Imports } from '../syscalls/preview1/index.js';
import { createUnstableImports } from '../syscalls/unstable/index.js';
import { createWasixImports, type Wasix32Split } from '../syscalls/wasix/index.js';
import { firstGeneration } from '../syscalls/wasix/legacy.js';
import { traceImports } from '../syscalls/trace.js';
import { linkThroughAdapter, narrowing, type SplitFunction } from './i64-adapter.js';

/** One import function: wasm numbers and bigints in, an errno (or a value) out. */
export type ImportFunction = (...args: (number | bigint)[]) => number;

/**
 * `wasi` `thread-spawn(start_arg) -> tid or -errno`, given by the runner
 * that can start threads (it also starts WASIX first-generation threads).
 */
export type ThreadSpawnFunction = SpawnThread;

export class SyscallFunctions {
  readonly context: SyscallContext;
  /**
   * The `wasi_snapshot_preview1` functions for a guest (traced when
   * tracing): node:wasi's signatures, i64 parameters as bigints when called
   * from JavaScript; those with an i64 parameter are the i64 adapter's
   * exports.
   */
  readonly preview1: Preview1Imports;
  /** The preview 1 functions in split form (traced when tracing). */
  readonly #preview1Split: Preview1Split;
  /** The preview 1 functions in split form before tracing: the wasi_unstable functions delegate to them. */
  readonly #raw: Preview1Split;
  readonly #trace: TraceSink | undefined;

  /** Where the calls are traced (`--trace`), if anywhere. */
  get trace(): TraceSink | undefined { return this.#trace; }
  #unstable: UnstableImports | undefined;
  #unstableSplit: UnstableSplit | undefined;
  #threads: { 'thread-spawn': ThreadSpawnFunction } | undefined;
  #wasixSplit: Wasix32Split | undefined;
  #wasix: Record<string, ImportFunction> | undefined;
  #wasix64Split: Record<string, SplitFunction> | undefined;
  #wasix64: Record<string, ImportFunction> | undefined;
  #byNumber: (ImportFunction | undefined)[] | undefined;

  constructor(readonly process: Process, trace?: TraceSink) {
    this.context = new SyscallContext(process);
    this.#raw = createPreview1Imports(this.context);
    this.#trace = trace;
    this.#preview1Split = this.#traced(this.#raw, PREVIEW1);
    this.preview1 = linkThroughAdapter<Preview1Imports>(PREVIEW1, this.#preview1Split as unknown as Record<string, SplitFunction>);
  }

  /** The `wasi_unstable` (preview 0) functions for a guest, over the same context (made on first use). */
  get unstable(): UnstableImports {
    this.#unstable ??= linkThroughAdapter<UnstableImports>(UNSTABLE, this.#unstableSplitFunctions() as unknown as Record<string, SplitFunction>);
    return this.#unstable;
  }

  #unstableSplitFunctions(): UnstableSplit {
    this.#unstableSplit ??= this.#traced(createUnstableImports(this.context, this.#raw), UNSTABLE);
    return this.#unstableSplit;
  }

  /**
   * Serves `wasi` `thread-spawn` (and WASIX `thread_spawn_v2`) with
   * `spawn` (a runner that can start threads gives it).
   */
  serveThreads(spawn: ThreadSpawnFunction): void {
    this.#threads = this.#traced({ 'thread-spawn': spawn }, THREADS);
    this.context.spawnThread = spawn;
    this.#byNumber = undefined;
  }

  /** The `wasix_32v1` functions in split form (made on first use), over the same context. */
  #wasixSplitFunctions(): Wasix32Split {
    this.#wasixSplit ??= this.#traced(createWasixImports(this.context, this.#raw), WASIX_32V1);
    return this.#wasixSplit;
  }

  /**
   * The `wasix_64v1` functions in split form (made on first use): the
   * 32-bit bodies behind a narrowing of each pointer and size (a value of
   * 2^32 or more becomes 2^32 - 1, past any memory: EFAULT). Making them
   * marks the process's memory as 64-bit.
   */
  #wasix64SplitFunctions(): Record<string, SplitFunction> {
    if (this.#wasix64Split === undefined) {
      this.context.wide = true;
      const bodies = createWasixImports(this.context, this.#raw) as unknown as Record<string, SplitFunction>;
      const narrowed: Record<string, SplitFunction> = {};
      for (const [name, sig] of Object.entries(WASIX_64V1)) narrowed[name] = narrowing(sig, bodies[name]!);
      this.#wasix64Split = this.#traced(narrowed, WASIX_64V1);
    }
    return this.#wasix64Split;
  }

  /** The `wasix_64v1` functions for a guest (made on first use), as `wasix`. */
  get wasix64(): Readonly<Record<string, ImportFunction>> {
    if (this.#wasix64 === undefined) this.#linksWasix();
    this.#wasix64 ??= linkThroughAdapter<Record<string, ImportFunction>>(WASIX_64V1, this.#wasix64SplitFunctions());
    return this.#wasix64;
  }

  /** The `wasix_32v1` functions for a guest (made on first use): a guest that links them is a WASIX one (`runs`). */
  get wasix(): Readonly<Record<string, ImportFunction>> {
    if (this.#wasix === undefined) this.#linksWasix();
    this.#wasix ??= linkThroughAdapter<Record<string, ImportFunction>>(WASIX_32V1, this.#wasixSplitFunctions() as unknown as Record<string, SplitFunction>);
    return this.#wasix;
  }

  /**
   * The functions of `module` for a guest, if Kiln serves it (and, for
   * `wasi`, if threads are served): i64 arguments whole (bigints from
   * JavaScript).
   */
  namespace(module: SyscallModule): Readonly<Record<string, ImportFunction>> | undefined {
    switch (module) {
      case 'wasi_snapshot_preview1': return this.preview1 as unknown as Record<string, ImportFunction>;
      case 'wasi_unstable': return this.unstable as unknown as Record<string, ImportFunction>;
      case 'wasi': return this.#threads as unknown as Record<string, ImportFunction> | undefined;
      case 'wasix_32v1': return this.wasix;
      case 'wasix_64v1': return this.wasix64;
    }
  }

  /**
   * The import object for a single-threaded module: every namespace of
   * the numbering it imports from (`wasi` `thread-spawn` aside), and
   * nothing more (linking `wasix_64v1` makes the memory 64-bit).
   */
  importsFor(module: WebAssembly.Module): Record<string, Readonly<Record<string, ImportFunction>>> {
    this.runs(module);
    const out: Record<string, Readonly<Record<string, ImportFunction>>> = {};
    for (const { module: name } of WebAssembly.Module.imports(module)) {
      if (name in out || name === 'wasi' || !isSyscallModule(name)) continue;
      const functions = this.namespace(name);
      if (functions !== undefined) out[name] = functions;
    }
    return out;
  }

  /** A guest links WASIX functions: absolute paths, and a root (as `runs`). */
  #linksWasix(): void {
    this.context.absolutePaths = true;
    this.process.addRoot();
  }

  /**
   * The process runs `module` (its first image, or one exec put in place):
   * a WASIX module's preview 1 paths may be absolute, and it gets a root
   * (`Process.addRoot`, unless it has one).
   */
  runs(module: WebAssembly.Module): void {
    const wasix = WebAssembly.Module.imports(module).some((i) => i.module === 'wasix_32v1' || i.module === 'wasix_64v1');
    this.context.absolutePaths = wasix;
    if (wasix) this.process.addRoot();
  }

  /** The functions of `module` in split form (i64 arguments as two i32 halves), if served. */
  splitNamespace(module: SyscallModule): Readonly<Record<string, SplitFunction>> | undefined {
    switch (module) {
      case 'wasi_snapshot_preview1': return this.#preview1Split as unknown as Record<string, SplitFunction>;
      case 'wasi_unstable': return this.#unstableSplitFunctions() as unknown as Record<string, SplitFunction>;
      case 'wasi': return this.#threads as unknown as Record<string, SplitFunction> | undefined;
      case 'wasix_32v1': return this.#wasixSplitFunctions() as unknown as Record<string, SplitFunction>;
      case 'wasix_64v1': return this.#wasix64SplitFunctions();
    }
  }

  /**
   * The function numbered `number` (abi/syscall-table.ts), if served, in
   * split form: it takes the arguments as the channel carries them (each
   * i64 as two i32 halves).
   */
  byNumber(number: number): ImportFunction | undefined {
    // Resolved per function on first call: making a namespace's functions has effects (wasix_64v1 makes the memory 64-bit).
    const table = this.#byNumber ??= new Array(SYSCALLS.length);
    const found = table[number];
    if (found !== undefined) return found;
    const e = SYSCALLS[number];
    if (e === undefined) return undefined;
    const functions = e.firstGeneration
      ? this.#traced(firstGeneration(this.context), WASIX_FIRST_GENERATION_FORMS) as unknown as Record<string, SplitFunction>
      : this.splitNamespace(e.module);
    return (table[number] = functions?.[e.name] as ImportFunction | undefined);
  }

  #traced<T extends Record<string, (...args: never[]) => unknown>>(imports: T, signatures: Readonly<Record<string, Signature>>): T {
    const sink = this.#trace;
    if (sink === undefined) return imports;
    const ctx = this.context;
    return traceImports(imports, signatures, () => (ctx.bound ? ctx.memory : undefined), sink, true);
  }
}

export { signaturesOf };
