/**
 * WASI: the node:wasi-compatible front door (layer: front doors). Code that
 * uses `node:wasi` switches by changing its import line; Kiln adds options
 * node:wasi does not have (in-memory filesystems, stdio streams, clocks,
 * random, tracing, limits).
 */
import { PREVIEW1, UNSTABLE, type Preview1Imports, type Signature, type UnstableImports } from '../abi/signatures.js';
import { AsyncBackendSession, type AsyncFileSystem } from '../host/async-backend.js';
import { systemClocks, type Clocks } from '../host/clocks.js';
import type { FileSystem } from '../host/fs/types.js';
import { cryptoRandom, type RandomSource } from '../host/random.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import { inputOption, outputOption, type OutputOption } from '../host/stream-options.js';
import { ProcessExit } from '../kernel/exit.js';
import { withCoalescedWrites } from '../kernel/write-buffer.js';
import { Process, type PreopenedResource } from '../kernel/process.js';
import type { ReadinessSignal } from '../kernel/readiness-signal.js';
import { SyscallContext } from '../syscalls/context.js';
import { createPreview1Imports } from '../syscalls/preview1/index.js';
import { createUnstableImports } from '../syscalls/unstable/index.js';
import { traceImports, type TraceSink } from '../syscalls/trace.js';
import type { HostBindings } from './host-bindings.js';
import { requireImports, type ImportObject } from './imports-check.js';
import { JspiUnavailableError, jspiAvailable, runWithJspi } from './jspi.js';
import { limitMemory } from './module-binary.js';
import { isThreadedModule, runThreaded, ThreadedModuleError } from './threads/index.js';
import type { WorkerHostBindings } from './worker-mode/types.js';

/**
 * The WASI snapshot a module imports: 'preview1' (`wasi_snapshot_preview1`)
 * or 'unstable' (`wasi_unstable`, preview 0, as old TinyGo and Rust guests
 * import it).
 */
export type WasiVersion = 'preview1' | 'unstable';

/** What `getImportObject()` returns: the namespace of the chosen version. */
export type WasiImportObject =
  | {
    /** The preview 1 functions. */
    wasi_snapshot_preview1: Preview1Imports;
  }
  | {
    /** The preview 0 functions. */
    wasi_unstable: UnstableImports;
  };

/**
 * The version a module was built for, by the namespaces it imports:
 * 'unstable' for a module that imports `wasi_unstable` and not
 * `wasi_snapshot_preview1`, otherwise 'preview1'.
 */
export function wasiVersionOf(module: WebAssembly.Module): WasiVersion {
  const namespaces = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  return namespaces.has('wasi_unstable') && !namespaces.has('wasi_snapshot_preview1') ? 'unstable' : 'preview1';
}

/** Options of `WASI`: node:wasi's, plus Kiln's. */
export interface WASIOptions {
  /**
   * 'preview1' (the default) or 'unstable': which namespace
   * `getImportObject()` gives (`wasi_snapshot_preview1` or `wasi_unstable`),
   * as node:wasi. Both are available on every instance: `wasiImport` and
   * `unstableImport`.
   */
  version?: WasiVersion;
  /** argv, argv[0] included. */
  args?: readonly string[];
  /** The environment (variables whose value is undefined are left out). Nothing is inherited. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Guest path → host directory path, or any Kiln filesystem. A filesystem
   * whose methods return Promises (AsyncFileSystem) works with `run()`
   * (worker mode, Node) and `runHere()` (JSPI), not with `start()`.
   */
  preopens?: Readonly<Record<string, string | FileSystem | AsyncFileSystem>>;
  /** Return the exit code from start() (default true) instead of exiting the host process. */
  returnOnExit?: boolean;
  /** A host file descriptor number, or a Kiln stream. */
  stdin?: number | InputStream;
  /**
   * A host file descriptor number (default 1), a Kiln stream (e.g. a
   * CaptureStream), or a function that receives a copy of each write.
   * Anything else is a TypeError when the WASI object is made.
   */
  stdout?: OutputOption;
  /** A host file descriptor number (default 2), a Kiln stream, or a function (as `stdout`). */
  stderr?: OutputOption;
  /** The clocks the guest reads (default: `systemClocks`). */
  clocks?: Clocks;
  /** The source of `random_get` (default: `cryptoRandom`). */
  random?: RandomSource;
  /** Print one line per syscall: `true` for the host's stderr, or a sink. */
  trace?: boolean | TraceSink;
  /** Largest number of open descriptors (default 1024): more is EMFILE. */
  maxDescriptors?: number;
  /**
   * Largest linear memory in bytes (rounded down to whole 64 KiB pages).
   * The module's memory maximum is lowered in its bytes before compiling,
   * so `memory.grow` (malloc) fails inside the guest at the cap; a module
   * that needs more at start is refused with MemoryLimitError. Needs the
   * module's bytes: `run()`/`runHere()` of a compiled Module, and
   * `start()`, refuse it.
   */
  maxMemory?: number;
  /** Largest number of threads besides the main one, for wasi-threads modules (thread-spawn fails with EAGAIN beyond it). */
  maxThreads?: number;
  /**
   * Wall-clock limit for `run()`, in ms: when it passes the guest's worker(s)
   * are terminated, every descriptor it had open is closed and `run()`
   * rejects with TimeoutError. Only `run()` can stop a guest mid-loop.
   */
  timeoutMs?: number;
  /** Resources placed at the descriptors after the preopened directories (e.g. listening sockets). */
  extraResources?: readonly PreopenedResource[];
  /** Signal that I/O threads bump when resources become ready (e.g. `listenTcp(...).readiness`). */
  readiness?: ReadinessSignal;
}

/**
 * WASIOptions as the WASI constructor leaves them: standard streams are
 * descriptor numbers or stream objects (a function became a CallbackStream).
 */
export interface CheckedWASIOptions extends Omit<WASIOptions, 'stdin' | 'stdout' | 'stderr'> {
  /** A host file descriptor number, or a Kiln stream. */
  stdin?: number | InputStream;
  /** A host file descriptor number, or a Kiln stream. */
  stdout?: number | OutputStream;
  /** A host file descriptor number, or a Kiln stream. */
  stderr?: number | OutputStream;
}

export class WASI {
  /** The `wasi_snapshot_preview1` functions (whatever `version` says). */
  readonly wasiImport: Preview1Imports;
  /**
   * The kernel process behind this object (descriptor table, exit
   * status). Kiln's runners use it; it is not a stable embedding API.
   */
  readonly process: Process;
  readonly #context: SyscallContext;
  readonly #version: WasiVersion;
  /** The preview 1 functions before tracing: the wasi_unstable adapter delegates to them. */
  readonly #preview1: Preview1Imports;
  readonly #traceSink: TraceSink | undefined;
  #unstable: UnstableImports | undefined;
  readonly #returnOnExit: boolean;
  readonly #host: HostBindings;
  readonly #options: CheckedWASIOptions;
  #started = false;

  constructor(options: WASIOptions, host: HostBindings) {
    const version = options.version ?? 'preview1';
    if (version !== 'preview1' && version !== 'unstable') {
      throw new TypeError(`unsupported WASI version ${JSON.stringify(options.version)}; Kiln supports 'preview1' and 'unstable'`);
    }
    this.#version = version;
    this.#host = host;
    // Streams checked once, a function made a CallbackStream: every mode then sees a stream or a descriptor.
    const checked: CheckedWASIOptions = {
      ...options,
      stdin: inputOption('stdin', options.stdin),
      stdout: outputOption('stdout', options.stdout),
      stderr: outputOption('stderr', options.stderr),
    };
    this.#options = checked;
    this.#returnOnExit = options.returnOnExit ?? true;
    const env = Object.entries(options.env ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const stream = <T>(v: number | T | undefined, fd: number, make: (fd: number) => T): T =>
      typeof v === 'number' ? make(v) : v ?? make(fd);
    const { stdin, stdout, stderr } = checked;
    this.process = new Process({
      args: options.args ?? [],
      env,
      stdin: stream(stdin, 0, (fd) => host.input(fd)),
      stdout: stream(stdout, 1, (fd) => host.output(fd)),
      stderr: stream(stderr, 2, (fd) => host.output(fd)),
      preopens: Object.entries(options.preopens ?? {}).map(([guestPath, target]) => ({
        guestPath,
        // An AsyncFileSystem given here only works through run() or runHere(), which build their own process.
        fs: typeof target === 'string' ? host.directory(target) : target as FileSystem,
      })),
      extraResources: options.extraResources,
      readiness: options.readiness,
      clocks: options.clocks ?? systemClocks,
      random: options.random ?? cryptoRandom,
      maxDescriptors: options.maxDescriptors,
    });
    this.#context = new SyscallContext(this.process);
    const imports = createPreview1Imports(this.#context);
    this.#preview1 = imports;
    const trace = options.trace;
    this.#traceSink = trace === undefined || trace === false ? undefined : trace === true ? traceToHostStderr(host) : trace;
    this.wasiImport = this.#traced(imports, PREVIEW1);
  }

  /**
   * The `wasi_unstable` (preview 0) functions, over the same process and
   * guest memory as `wasiImport` (made on first use). A host that links
   * both namespaces passes both; each call is traced under the name the
   * guest imported.
   */
  get unstableImport(): UnstableImports {
    this.#unstable ??= this.#traced(createUnstableImports(this.#context, this.#preview1), UNSTABLE);
    return this.#unstable;
  }

  /**
   * The import object to instantiate a module with: `{ wasi_unstable }`
   * when `version` is 'unstable', else `{ wasi_snapshot_preview1 }` (as node:wasi).
   */
  getImportObject(): WasiImportObject {
    return this.#version === 'unstable' ? { wasi_unstable: this.unstableImport } : { wasi_snapshot_preview1: this.wasiImport };
  }

  #traced<T extends Record<string, (...args: never[]) => unknown>>(imports: T, signatures: Readonly<Record<string, Signature>>): T {
    const sink = this.#traceSink;
    if (sink === undefined) return imports;
    return traceImports(imports, signatures, () => (this.#context.bound ? this.#context.memory : undefined), sink);
  }

  /**
   * Runs a command module's `_start`; returns its exit code (0 when `_start`
   * returns). A trap propagates as the engine's RuntimeError.
   */
  start(instance: WebAssembly.Instance): number {
    if (this.#options.timeoutMs !== undefined) {
      throw new TypeError('timeoutMs cannot stop a guest started with start(), which runs on the calling thread; use run()');
    }
    if (this.#options.maxMemory !== undefined) {
      throw new TypeError('maxMemory cannot cap an instance; pass the module bytes to run() or runHere(), or cap them with limitMemory() before instantiating');
    }
    return this.#startDirect(instance);
  }

  #startDirect(instance: WebAssembly.Instance): number {
    const exports = this.#begin(instance);
    const start = exports['_start'];
    if (typeof start !== 'function') throw new TypeError('instance.exports._start must be a function');
    if (exports['_initialize'] !== undefined) throw new TypeError('instance.exports._initialize must not be present for a command');
    return this.#runToExit(start as () => void);
  }

  /**
   * Calls one exported function, as `wasmtime run --invoke` does: binds
   * the instance's memory when it exports one (a library that imports no
   * WASI function needs none), runs `_initialize` first when exported,
   * then `name(...args)`. The process then ends as after `start()`: output
   * flushed, descriptors closed. Resolves what the function returned and
   * the exit code (that of `proc_exit`, or 0); a trap propagates.
   */
  invoke(instance: WebAssembly.Instance, name: string, args: readonly unknown[] = []): InvokeResult {
    const exports = instance.exports;
    const fn = exports[name];
    if (typeof fn !== 'function') throw new TypeError(`instance.exports.${name} must be a function`);
    const init = exports['_initialize'];
    this.#claim();
    const memory = exports['memory'];
    if (memory instanceof WebAssembly.Memory) this.#context.bind(memory);
    let returned = false;
    let value: unknown;
    const exitCode = this.#runToExit(() => {
      if (typeof init === 'function' && name !== '_initialize') (init as () => void)();
      value = (fn as (...a: unknown[]) => unknown)(...args);
      returned = true;
    });
    return { exitCode, returned, value };
  }

  /**
   * Runs `body` as the life of the process: `proc_exit` ends it with its
   * code, a trap propagates; either way pending output is flushed and every
   * descriptor closed first. Returns the exit code (or exits the host when
   * `returnOnExit` is false).
   */
  #runToExit(body: () => void): number {
    let code = 0;
    try {
      withCoalescedWrites(body);
    } catch (e) {
      if (!(e instanceof ProcessExit)) {
        this.process.shutdown();
        throw e;
      }
      code = e.code;
    }
    this.process.exitCode = code;
    this.process.shutdown();
    if (!this.#returnOnExit) this.#host.exit(code);
    return code;
  }

  /**
   * Binds an instance's memory and runs nothing: for hosts that drive the
   * exports themselves (the waPC engine runs `_start`, `_initialize` and
   * `wapc_init`, then `__guest_call` many times). `proc_exit` then throws
   * ProcessExit out of whichever export the host called.
   */
  attach(instance: WebAssembly.Instance): void {
    this.#begin(instance);
  }

  /** Initialises a reactor module: calls `_initialize` if it has one. */
  initialize(instance: WebAssembly.Instance): void {
    const exports = this.#begin(instance);
    if (exports['_start'] !== undefined) throw new TypeError('instance.exports._start must not be present for a reactor');
    const init = exports['_initialize'];
    if (init === undefined) return;
    if (typeof init !== 'function') throw new TypeError('instance.exports._initialize must be a function');
    (init as () => void)();
  }

  /**
   * Compiles (if needed), links and runs a command module without blocking
   * the caller; resolves to its exit code (rejects with the engine's
   * RuntimeError on a trap, TimeoutError past `timeoutMs`).
   *
   * - A module that uses threads runs in the threaded mode.
   * - Otherwise, on Node, the guest runs in a worker with its kernel beside
   *   it (the worker mode): the caller's event loop keeps running, and
   *   objects of this thread (filesystems, including asynchronous ones,
   *   streams, clocks) are reached through the host bridge.
   * - In a browser, and with `extraResources` (kernel objects of this
   *   thread, such as listening sockets), the guest runs here in the direct
   *   mode, as `start()` does.
   */
  async run(module: WebAssembly.Module | BufferSource): Promise<number> {
    this.#claim();
    const options = this.#options;
    const prepared = await prepareModule(module, options.maxMemory);
    if (isThreadedModule(prepared.module)) return this.#finish(await this.#runThreaded(prepared));
    const imports = this.getImportObject() as unknown as ImportObject;
    requireImports(prepared.module, imports);
    const runInWorker = (this.#host as WorkerHostBindings).runInWorker;
    const kernelObjects = (options.extraResources?.length ?? 0) > 0;
    if (runInWorker !== undefined && !kernelObjects) {
      return this.#finish(await runInWorker({ module: prepared.module, options, host: this.#host }));
    }
    if (options.timeoutMs !== undefined) {
      throw new TypeError(kernelObjects
        ? 'timeoutMs needs the worker mode, which cannot take extraResources (kernel objects of this thread)'
        : 'timeoutMs needs the worker mode, which this platform does not have (Node only)');
    }
    const instance = await WebAssembly.instantiate(prepared.module, imports as WebAssembly.Imports);
    this.#started = false;
    return this.#startDirect(instance);
  }

  /**
   * Runs a command module on the caller's thread with JSPI
   * (WebAssembly.Suspending / promising: Node 24, Chromium 137 and later),
   * so that asynchronous backends (a filesystem whose methods return
   * Promises) work without a worker: a system call that meets an unsettled
   * Promise suspends the guest until it settles, and a sleeping guest does
   * not block the event loop. Between system calls the guest computes on
   * this thread. Throws JspiUnavailableError on engines without JSPI.
   */
  async runHere(module: WebAssembly.Module | BufferSource): Promise<number> {
    if (this.#version === 'unstable') {
      throw new TypeError("runHere() (JSPI) runs wasi_snapshot_preview1 modules only; run a version 'unstable' (wasi_unstable) module with run() or start()");
    }
    if (!jspiAvailable()) throw new JspiUnavailableError('runHere()');
    const options = this.#options;
    if (options.timeoutMs !== undefined) {
      throw new TypeError("timeoutMs cannot stop a guest computing on the caller's thread; use run(), which runs it in a worker");
    }
    this.#claim();
    const prepared = await prepareModule(module, options.maxMemory);
    if (isThreadedModule(prepared.module)) return this.#finish(await this.#runThreaded(prepared));
    requireImports(prepared.module, this.getImportObject() as unknown as ImportObject);
    const session = new AsyncBackendSession();
    const preopens: Record<string, string | FileSystem> = {};
    for (const [guest, target] of Object.entries(options.preopens ?? {})) {
      preopens[guest] = typeof target === 'string' ? target : session.adapt(target);
    }
    const inner = new WASI({
      ...options, preopens, trace: false, returnOnExit: true, maxMemory: undefined, timeoutMs: undefined,
    }, this.#host);
    const context = inner.#context;
    const trace = options.trace;
    const sink = trace === true ? traceToHostStderr(this.#host) : typeof trace === 'function' ? trace : undefined;
    const code = await runWithJspi({
      module: prepared.module,
      imports: inner.wasiImport,
      process: inner.process,
      session,
      bind: (memory) => context.bind(memory),
      trace: sink === undefined ? undefined : { sink, memory: () => (context.bound ? context.memory : undefined) },
    });
    return this.#finish(code);
  }

  async #runThreaded(prepared: PreparedModule): Promise<number> {
    if (this.#version === 'unstable') throw new ThreadedModuleError(UNSTABLE_THREADS);
    if (prepared.bytes === undefined) {
      throw new TypeError("a module that uses threads must be given as bytes, not a compiled Module: its shared memory's limits are read from the binary");
    }
    const { maxThreads, timeoutMs } = this.#options;
    return runThreaded(prepared.module, prepared.bytes, this.#options, this.#host, { maxThreads, timeoutMs });
  }

  /** Records the exit code of a run made elsewhere (worker, JSPI, threads); exits the host if asked to. */
  #finish(code: number): number {
    this.process.exitCode = code;
    if (!this.#returnOnExit) this.#host.exit(code);
    return code;
  }

  #claim(): void {
    if (this.#started) throw new Error('WASI instance has already started');
    this.#started = true;
  }

  #begin(instance: WebAssembly.Instance): WebAssembly.Exports {
    const exports = instance.exports;
    const memory = exports['memory'];
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory must be a WebAssembly.Memory');
    this.#claim();
    this.#context.bind(memory);
    return exports;
  }
}

/** What `WASI.invoke()` gives back. */
export interface InvokeResult {
  /** The exit code: `proc_exit`'s, or 0 when the function returned. */
  exitCode: number;
  /** True when the function returned (false when the guest called `proc_exit`). */
  returned: boolean;
  /** What the function returned, when it did. */
  value: unknown;
}

/** Why a threaded module cannot be run as version 'unstable'. */
export const UNSTABLE_THREADS =
  "wasi-threads modules must import wasi_snapshot_preview1: version 'unstable' (wasi_unstable) is not supported with threads";

interface PreparedModule {
  module: WebAssembly.Module;
  /** The (capped) bytes, when the module was given as bytes. */
  bytes?: Uint8Array;
}

const PAGE = 65536;

/** Compiles the module, first lowering its memory maximum to `maxMemory` bytes when set. */
async function prepareModule(module: WebAssembly.Module | BufferSource, maxMemory: number | undefined): Promise<PreparedModule> {
  if (maxMemory !== undefined && !(Number.isFinite(maxMemory) && maxMemory >= 0)) {
    throw new RangeError(`maxMemory must be a number of bytes, not ${String(maxMemory)}`);
  }
  if (module instanceof WebAssembly.Module) {
    if (maxMemory !== undefined) {
      throw new TypeError('maxMemory cannot cap a compiled WebAssembly.Module: pass the module bytes instead (or cap them with limitMemory() before compiling)');
    }
    return { module };
  }
  let bytes: Uint8Array = ArrayBuffer.isView(module)
    ? new Uint8Array(module.buffer, module.byteOffset, module.byteLength)
    : new Uint8Array(module);
  if (maxMemory !== undefined) bytes = limitMemory(bytes, Math.floor(maxMemory / PAGE));
  return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), bytes };
}

function traceToHostStderr(host: HostBindings): TraceSink {
  const out = host.output(2);
  const encoder = new TextEncoder();
  return (line) => { out.write(encoder.encode(`[kiln trace] ${line}\n`)); };
}
