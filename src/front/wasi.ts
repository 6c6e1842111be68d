/**
 * WASI: the node:wasi-compatible front door (layer: front doors). Code that
 * uses `node:wasi` switches by changing its import line; Kiln adds options
 * node:wasi does not have (in-memory filesystems, stdio streams, clocks,
 * random, tracing, limits, listening sockets, the runtime) and the entry
 * points `run()` and `runHere()`.
 *
 * Each entry point asks the placement decision (exec/placement.ts) where
 * the process runs, spawns the process on this object's kernel (or has a
 * process worker do it), runs it through the runner of that placement, and
 * reports how it ended: the exit code, or the fault thrown.
 */
import type { Preview1Imports, UnstableImports } from '../abi/signatures.js';
import { AsyncBackendSession } from '../host/async-backend.js';
import { withRuntime, type Runtime } from '../host/runtime.js';
import type { TraceSink } from '../host/stdio.js';
import { exitCodeOrThrow, type ExitStatus } from '../kernel/exit-status.js';
import { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/process.js';
import { requireImports, servedImports } from '../exec/imports-check.js';
import { runInline } from '../exec/inline-run.js';
import { openListeners } from '../exec/listeners.js';
import { limitMemory } from '../exec/module-binary.js';
import { checkOptions, type CheckedWASIOptions, type WASIOptions, type WasiImportObject, type WasiVersion } from '../exec/options.js';
import { place, type Entry } from '../exec/placement.js';
import { jspiAvailable, JspiUnavailableError, runSuspending } from '../exec/ports/suspending.js';
import { spawnProcess } from '../exec/process-factory.js';
import { SyscallFunctions } from '../exec/syscall-functions.js';
import { isThreadedModule } from '../exec/threaded-module.js';
import { checkThreadedModule, runThreadedProcess } from '../exec/threaded-process.js';
import { flushNetwork, kernelNetwork } from '../exec/network.js';
import { isComponent } from '../exec/component/component-binary.js';
import { checkCommand, hostImports, runComponentInline, runComponentSuspending } from '../exec/component/component-run.js';
import { transpileComponent, type TranspiledComponent } from '../exec/component/transpile.js';
import { limitComponentMemory } from '../exec/component/component-memory.js';
import { ComponentHttpHandler, noResponse, type ServedResponse } from '../exec/component/http-handler.js';
import type { ReceivedRequest } from '../syscalls/p2/http-types.js';
import { KILN_INTERFACES, type ComponentImports } from '../syscalls/p2/imports.js';
import { HostContext } from '../syscalls/p2/host-context.js';
import type { Platform } from './platform.js';

export type { WASIOptions, CheckedWASIOptions, WasiImportObject, WasiVersion, NetworkMode } from '../exec/options.js';
export { wasiVersionOf } from '../exec/options.js';

/** WASI signal numbers by name (as `WASI.kill()` takes them). */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 16, SIGCONT: 17, SIGSTOP: 18, SIGTSTP: 19,
  SIGTTIN: 20, SIGTTOU: 21, SIGURG: 22, SIGXCPU: 23, SIGXFSZ: 24, SIGVTALRM: 25, SIGPROF: 26, SIGWINCH: 27, SIGPOLL: 28,
  SIGPWR: 29, SIGSYS: 30,
};

/** What `WASI.invoke()` gives back. */
export interface InvokeResult {
  /** The exit code: `proc_exit`'s, or 0 when the function returned. */
  exitCode: number;
  /** True when the function returned (false when the guest called `proc_exit`). */
  returned: boolean;
  /** What the function returned, when it did. */
  value: unknown;
}

/** The namespaces `run()` and `runHere()` serve to a single-threaded module: both WASI snapshots and WASIX. */
const SNAPSHOTS = ['wasi_snapshot_preview1', 'wasi_unstable', 'wasix_32v1', 'wasix_64v1'] as const;

/** The process of the calling thread's placements (start(), invoke(), attach()), made on first use. */
interface InlineProcess {
  process: Process;
  functions: SyscallFunctions;
}

export class WASI {
  /** The kernel this object's process runs on. */
  readonly #kernel: Kernel;
  readonly #options: CheckedWASIOptions;
  readonly #platform: Platform;
  readonly #version: WasiVersion;
  readonly #returnOnExit: boolean;
  readonly #trace: TraceSink | undefined;
  #inline: InlineProcess | undefined;
  /** The threaded process `run()` is running, for `kill()`. */
  #signalTarget: Process | undefined;
  #status: ExitStatus | undefined;
  #started = false;

  constructor(options: WASIOptions, platform: Platform) {
    let checked = checkOptions(options);
    this.#version = checked.version ?? 'preview1';
    this.#platform = platform;
    this.#returnOnExit = options.returnOnExit ?? true;
    const runtime = withRuntime(platform.runtime, options.runtime);
    this.#kernel = new Kernel(runtime, { readiness: options.readiness, network: kernelNetwork(options, runtime) });
    this.#kernel.commands = new Map(Object.entries(options.commands ?? {}).map(([path, program]) => [path, () => program]));
    // Host directories are resolved now, so that a missing one is an error here, as with node:wasi.
    const preopens = checked.preopens;
    if (preopens !== undefined && Object.values(preopens).some((t) => typeof t === 'string')) {
      checked = {
        ...checked,
        preopens: Object.fromEntries(Object.entries(preopens).map(([g, t]) => [g, typeof t === 'string' ? runtime.hostDirectory(t) : t])),
      };
    }
    this.#options = checked;
    const trace = options.trace;
    this.#trace = trace === undefined || trace === false ? undefined : trace === true ? traceToHostStderr(runtime) : trace;
  }

  /** How the guest ended, once it has: its exit, or the fault it ended with; undefined before. */
  get exitStatus(): ExitStatus | undefined { return this.#status; }

  /** The runtime this object's processes use (the platform's, with the `runtime` option's members). */
  get runtime(): Runtime { return this.#kernel.runtime; }

  /**
   * The kernel process that `start()`, `invoke()` and `attach()` run
   * (descriptor table, status); `run()` and `runHere()` run their own.
   * Kiln's runners use it; it is not a stable embedding API.
   */
  get process(): Process { return this.#inlineProcess().process; }

  /**
   * The `wasi_snapshot_preview1` functions (whatever `version` says), with
   * node:wasi's signatures (i64 parameters as bigints from JavaScript). The
   * functions with an i64 parameter are small wasm functions (the i64
   * adapter), so a guest linked to them passes its i64 values without a
   * BigInt; see docs/architecture.md, "i64 at the boundary".
   */
  get wasiImport(): Preview1Imports { return this.#inlineProcess().functions.preview1; }

  /**
   * The `wasi_unstable` (preview 0) functions, over the same process and
   * guest memory as `wasiImport` (made on first use). A host that links
   * both namespaces passes both; each call is traced under the name the
   * guest imported.
   */
  get unstableImport(): UnstableImports { return this.#inlineProcess().functions.unstable; }

  /**
   * The `wasix_32v1` functions (32-bit WASIX: preview 1's names and the
   * WASIX extensions), over the same process and guest memory as
   * `wasiImport` (made on first use). A module built with wasix-libc
   * imports a shared memory and runs with `run()`, which links this
   * namespace itself; a single-threaded WASIX module can be linked with
   * it and run with `start()`.
   */
  get wasixImport(): Readonly<Record<string, (...args: (number | bigint)[]) => number>> { return this.#inlineProcess().functions.wasix; }

  /**
   * The `wasix_64v1` functions (64-bit WASIX, on a memory64 memory: Node
   * 24, or Node 20 with --experimental-wasm-memory64), over the same
   * process; linking them makes the process read its memory with the
   * 64-bit layouts. Pointers and sizes must stay below 4 GiB.
   */
  get wasix64Import(): Readonly<Record<string, (...args: (number | bigint)[]) => number>> { return this.#inlineProcess().functions.wasix64; }

  /**
   * The import object to instantiate a module with: `{ wasi_unstable }`
   * when `version` is 'unstable', else `{ wasi_snapshot_preview1 }` (as node:wasi).
   */
  getImportObject(): WasiImportObject {
    return this.#version === 'unstable' ? { wasi_unstable: this.unstableImport } : { wasi_snapshot_preview1: this.wasiImport };
  }

  #inlineProcess(): InlineProcess {
    if (this.#inline === undefined) {
      const process = spawnProcess(this.#kernel, this.#options);
      this.#inline = { process, functions: new SyscallFunctions(process, this.#trace) };
    }
    return this.#inline;
  }

  /**
   * Runs a command module's `_start`; returns its exit code (0 when `_start`
   * returns). A trap propagates as the engine's RuntimeError.
   */
  start(instance: WebAssembly.Instance): number {
    this.#place('start', false);
    const exports = this.#begin(instance);
    const start = exports['_start'];
    if (typeof start !== 'function') throw new TypeError('instance.exports._start must be a function');
    if (exports['_initialize'] !== undefined) throw new TypeError('instance.exports._initialize must not be present for a command');
    return this.#finish(this.process, runInline(this.process, start as () => void));
  }

  /**
   * Calls one exported function, as `wasmtime run --invoke` does: binds
   * the instance's memory when it exports one (a library that imports no
   * WASI function needs none), runs `_initialize` first when exported,
   * then `name(...args)`. The process then ends as after `start()`: output
   * flushed, descriptors closed. Gives what the function returned and the
   * exit code (that of `proc_exit`, or 0); a trap propagates.
   */
  invoke(instance: WebAssembly.Instance, name: string, args: readonly unknown[] = []): InvokeResult {
    this.#place('start', false);
    const exports = instance.exports;
    const fn = exports[name];
    if (typeof fn !== 'function') throw new TypeError(`instance.exports.${name} must be a function`);
    const init = exports['_initialize'];
    this.#claim();
    const memory = exports['memory'];
    const { process, functions } = this.#inlineProcess();
    if (memory instanceof WebAssembly.Memory) functions.context.bind(memory);
    let returned = false;
    let value: unknown;
    const status = runInline(process, () => {
      if (typeof init === 'function' && name !== '_initialize') (init as () => void)();
      value = (fn as (...a: unknown[]) => unknown)(...args);
      returned = true;
    });
    return { exitCode: this.#finish(process, status), returned, value };
  }

  /**
   * Binds an instance's memory and runs nothing: for hosts that drive the
   * exports themselves (the waPC engine runs `_start`, `_initialize` and
   * `wapc_init`, then `__guest_call` many times). `proc_exit` then throws
   * ProcessExit out of whichever export the host called; the host ends the
   * process (`process.end`) when it drops the instance.
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
   * the caller where the platform allows; resolves to its exit code
   * (rejects with the engine's RuntimeError on a trap, TimeoutError past
   * `timeoutMs`).
   *
   * - A module that uses threads runs with every thread in a worker and
   *   its kernel on this thread (the threaded placement).
   * - Otherwise, on Node, the guest runs in a process worker with its
   *   kernel beside it: the caller's event loop keeps running, and objects
   *   of this thread (filesystems, including asynchronous ones, streams,
   *   clocks) are reached through the host bridge.
   * - In a browser, and with `extraResources` (kernel objects of this
   *   thread), the guest runs here, as `start()` does.
   */
  async run(module: WebAssembly.Module | BufferSource): Promise<number> {
    this.#claim();
    if (!(module instanceof WebAssembly.Module) && isComponent(bytesOf(module))) return this.#runComponent(bytesOf(module));
    const prepared = await prepareModule(module, this.#options.maxMemory);
    const threaded = isThreadedModule(prepared.module);
    const placement = this.#place('run', threaded);
    if (placement === 'threaded') return this.#finishRun(await this.#runThreaded(prepared));
    if (threaded) checkThreadedModule(prepared.module, prepared.bytes);
    else requireImports(prepared.module, servedImports(SNAPSHOTS));
    if (placement === 'process-worker') {
      const threadedBytes = threaded ? prepared.bytes : undefined;
      const status = await this.#platform.runInWorker!({ module: prepared.module, options: this.#options, runtime: this.runtime, threadedBytes });
      return this.#report(status);
    }
    const listeners = await openListeners(this.runtime, this.#options.listen, this.#kernel.readiness);
    try {
      const process = spawnProcess(this.#kernel, this.#options, { resources: listeners.resources });
      const functions = new SyscallFunctions(process, this.#trace);
      const instance = await WebAssembly.instantiate(prepared.module, functions.importsFor(prepared.module) as WebAssembly.Imports);
      const exports = instance.exports;
      const memory = exports['memory'];
      if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory must be a WebAssembly.Memory');
      functions.context.bind(memory);
      return this.#finish(process, runInline(process, exports['_start'] as () => void));
    } finally {
      await listeners.close();
      await flushNetwork(this.#kernel.network);
    }
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
    if (this.#started) throw new Error('WASI instance has already started');
    if (!(module instanceof WebAssembly.Module) && isComponent(bytesOf(module))) return this.#runComponentHere(bytesOf(module));
    const prepared = await prepareModule(module, this.#options.maxMemory);
    const placement = this.#place('runHere', isThreadedModule(prepared.module));
    this.#claim();
    if (placement === 'threaded') return this.#finishRun(await this.#runThreaded(prepared));
    requireImports(prepared.module, servedImports(SNAPSHOTS));
    const session = new AsyncBackendSession();
    const listeners = await openListeners(this.runtime, this.#options.listen, this.#kernel.readiness);
    try {
      const process = spawnProcess(this.#kernel, this.#options, { session, resources: listeners.resources });
      const status = await runSuspending({ module: prepared.module, functions: new SyscallFunctions(process), session, trace: this.#trace });
      return this.#finish(process, status);
    } finally {
      await listeners.close();
      await flushNetwork(this.#kernel.network);
    }
  }

  /**
   * Runs a `wasi:cli` command component (WASI preview 2): transpiled by
   * jco (kept in memory and in the `componentCache`), its `wasi:*`
   * imports served by Kiln over a kernel process, on this thread.
   */
  async #runComponent(bytes: Uint8Array): Promise<number> {
    const component = this.#capped(await transpileComponent(bytes, this.#options.componentCache));
    // The embedder's own interfaces are objects of this thread: with them the component runs here.
    if (this.#options.interfaces === undefined && this.#place('run', false) === 'process-worker') {
      checkCommand(component, KILN_INTERFACES);
      return this.#report(await this.#platform.runInWorker!({ module: component, options: this.#options, runtime: this.runtime }));
    }
    return this.#startComponent(component);
  }

  /**
   * Runs a `wasi:cli` command component on this thread with JSPI: its glue
   * transpiled to suspend on the imports that may wait, so a guest that
   * waits (a sleep, stdin, a socket) suspends and the caller's event loop
   * goes on.
   */
  async #runComponentHere(bytes: Uint8Array): Promise<number> {
    this.#claim();
    if (!jspiAvailable()) throw new JspiUnavailableError('runHere()');
    const component = this.#capped(await transpileComponent(bytes, this.#options.componentCache, true));
    // Its calls that meet an asynchronous filesystem suspend, and run again once the backend answered.
    const session = new AsyncBackendSession();
    const { process, imports } = this.#componentProcess(component, session);
    try {
      const status = await runComponentSuspending(process, component, imports);
      await session.settled();
      return this.#finish(process, status);
    } finally {
      await flushNetwork(this.#kernel.network);
    }
  }

  /**
   * Runs a transpiled `wasi:cli` command component (from
   * `transpileComponent`) on the calling thread, as `start()` runs a
   * module: synchronously, its exit code returned. `run()` is the way
   * that keeps the caller's event loop going.
   */
  startComponent(component: TranspiledComponent): number {
    this.#claim();
    // A component's cores are bytes here: maxMemory caps them (it cannot cap a module already instantiated).
    place({ entry: 'start', threaded: false, options: { ...this.#options, maxMemory: undefined }, runtime: this.runtime, processWorkers: this.#platform.runInWorker !== undefined });
    return this.#startComponent(this.#capped(component));
  }

  /**
   * A handler for the HTTP requests a `wasi:http/proxy` component serves
   * (its `wasi:http/incoming-handler` export): each `handle(request)` calls
   * the component on this thread and gives its response. Each request gets
   * a fresh process and instance made from this object's options
   * (arguments, environment, preopens, network), or, with
   * `reuseInstance`, one instance serves them all. A request that traps
   * or exits gets a 500 and ends its instance. `close()` ends the kept
   * one. NotAnHttpHandlerError for a component without the export. A
   * component transpiled for JSPI (`transpileComponent(bytes, cache,
   * true)`) is called through `handleAsync`, suspended while it waits.
   */
  httpHandler(component: TranspiledComponent, options: { reuseInstance?: boolean } = {}): ComponentHttpHandler {
    if (component.suspending === true && !jspiAvailable()) throw new JspiUnavailableError('httpHandler() of a component transpiled for JSPI');
    this.#claim();
    const capped = this.#capped(component);
    const inWorker = this.#platform.runInWorker;
    // Fresh instances of a synchronous component run in process workers where the platform has them (the embedder's own interfaces are objects of this thread: then here).
    const elsewhere = inWorker !== undefined && this.#options.interfaces === undefined && this.#place('run', false) === 'process-worker'
      ? {
        concurrency: Math.max(1, this.runtime.threadParallelism()),
        handle: async (httpRequest: ReceivedRequest): Promise<ServedResponse> => {
          let response: ServedResponse | undefined;
          const status = await inWorker({ module: capped, options: this.#options, runtime: this.runtime, httpRequest, onResponse: (r) => { response = r; } });
          return response ?? noResponse(status);
        },
      }
      : undefined;
    return new ComponentHttpHandler(capped, {
      spawn: () => spawnProcess(this.#kernel, this.#options),
      imports: (ctx) => hostImports(ctx, component, this.#options.interfaces, this.#trace),
      ...(elsewhere === undefined ? {} : { elsewhere }),
    }, options.reuseInstance ?? false);
  }

  /** The component with its memories capped at `maxMemory`, when set (MemoryLimitError when it needs more at start). */
  #capped(component: TranspiledComponent): TranspiledComponent {
    const pages = maxPagesOf(this.#options.maxMemory);
    return pages === undefined ? component : limitComponentMemory(component, pages);
  }

  #startComponent(component: TranspiledComponent): number {
    const { process, imports } = this.#componentProcess(component);
    return this.#finish(process, runComponentInline(process, component, imports));
  }

  /** The process a command component runs as (with `session`: its asynchronous filesystems replayed), and its imports; the component checked against them (the process released when it fails). */
  #componentProcess(component: TranspiledComponent, session?: AsyncBackendSession): { process: Process; imports: ComponentImports } {
    const process = spawnProcess(this.#kernel, this.#options, session === undefined ? {} : { session });
    const imports = hostImports(new HostContext(process, session), component, this.#options.interfaces, this.#trace);
    try {
      checkCommand(component, imports);
    } catch (e) {
      void process.end({ kind: 'exit', code: 0 });
      this.#kernel.release(process);
      throw e;
    }
    return { process, imports };
  }

  async #runThreaded(prepared: PreparedModule): Promise<{ process: Process; status: ExitStatus }> {
    const listeners = await openListeners(this.runtime, this.#options.listen, this.#kernel.readiness);
    try {
      return await runThreadedProcess({
        kernel: this.#kernel,
        options: this.#options,
        module: prepared.module,
        bytes: prepared.bytes,
        threads: this.runtime.threadSpawn!,
        trace: this.#trace,
        resources: listeners.resources,
        onProcess: (process) => { this.#signalTarget = process; },
      });
    } finally {
      await listeners.close();
      await flushNetwork(this.#kernel.network);
    }
  }

  /**
   * Sends a signal to the guest `run()` is running with threads (a WASIX
   * or wasi-threads module: its kernel is on this thread, free to take it):
   * the guest's handler runs, or the signal's default action (SIGINT,
   * SIGTERM: the process ends, `run()` resolves to 128 + the signal's
   * number). `signal` is a name (`'SIGINT'`) or a WASI signal number.
   * Returns false when no such guest is running here (also for one whose
   * kernel is in a browser's process worker).
   */
  kill(signal: string | number = 'SIGTERM'): boolean {
    const target = this.#signalTarget;
    if (target === undefined || target.status !== undefined) return false;
    const sig = typeof signal === 'number' ? signal : SIGNAL_NUMBERS[signal.toUpperCase().replace(/^(SIG)?/, 'SIG')];
    if (sig === undefined || !Number.isInteger(sig) || sig < 1 || sig > 30) throw new RangeError(`not a signal: ${String(signal)}`);
    target.raise(sig);
    return true;
  }

  #place(entry: Entry, threaded: boolean): ReturnType<typeof place> {
    return place({
      entry, threaded, options: this.#options, runtime: this.runtime,
      processWorkers: this.#platform.runInWorker !== undefined, threadedWorkers: this.#platform.threadedInWorker,
    });
  }

  #finishRun(run: { process: Process; status: ExitStatus }): number {
    return this.#finish(run.process, run.status);
  }

  /** Releases an ended process and reports its status: the exit code, or the fault thrown. */
  #finish(process: Process, status: ExitStatus): number {
    this.#kernel.release(process);
    return this.#report(status);
  }

  #report(status: ExitStatus): number {
    this.#status = status;
    const code = exitCodeOrThrow(status);
    if (!this.#returnOnExit) this.runtime.exit(code);
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
    this.#inlineProcess().functions.context.bind(memory);
    return exports;
  }
}

interface PreparedModule {
  module: WebAssembly.Module;
  /** The (capped) bytes, when the module was given as bytes. */
  bytes?: Uint8Array;
}

const PAGE = 65536;

/** The bytes of a BufferSource, without copying. */
function bytesOf(source: BufferSource): Uint8Array {
  return ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
}

/** `maxMemory` (bytes) as whole 64 KiB pages; RangeError for what is not a number of bytes. */
function maxPagesOf(maxMemory: number | undefined): number | undefined {
  if (maxMemory === undefined) return undefined;
  if (!(Number.isFinite(maxMemory) && maxMemory >= 0)) throw new RangeError(`maxMemory must be a number of bytes, not ${String(maxMemory)}`);
  return Math.floor(maxMemory / PAGE);
}

/** Compiles the module, first lowering its memory maximum to `maxMemory` bytes when set. */
async function prepareModule(module: WebAssembly.Module | BufferSource, maxMemory: number | undefined): Promise<PreparedModule> {
  const maxPages = maxPagesOf(maxMemory);
  if (module instanceof WebAssembly.Module) {
    if (maxMemory !== undefined) {
      throw new TypeError('maxMemory cannot cap a compiled WebAssembly.Module: pass the module bytes instead (or cap them with limitMemory() before compiling)');
    }
    return { module };
  }
  let bytes: Uint8Array = ArrayBuffer.isView(module)
    ? new Uint8Array(module.buffer, module.byteOffset, module.byteLength)
    : new Uint8Array(module);
  if (maxPages !== undefined) bytes = limitMemory(bytes, maxPages);
  return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), bytes };
}

function traceToHostStderr(runtime: Runtime): TraceSink {
  const out = runtime.hostOutput(2);
  const encoder = new TextEncoder();
  return (line) => { out.write(encoder.encode(`[kiln trace] ${line}\n`)); };
}
