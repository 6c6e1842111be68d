/**
 * WASI: the node:wasi-compatible front door (layer: front doors). Code that
 * uses `node:wasi` switches by changing its import line; Kiln adds options
 * node:wasi does not have (in-memory filesystems, stdio streams, clocks,
 * random, tracing, limits).
 */
import { PREVIEW1, type Preview1Imports } from '../abi/signatures.js';
import { systemClocks, type Clocks } from '../host/clocks.js';
import type { FileSystem } from '../host/fs/types.js';
import { cryptoRandom, type RandomSource } from '../host/random.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import { ProcessExit } from '../kernel/exit.js';
import { withCoalescedWrites } from '../kernel/write-buffer.js';
import { Process, type PreopenedResource } from '../kernel/process.js';
import type { ReadinessSignal } from '../kernel/readiness-signal.js';
import { SyscallContext } from '../syscalls/context.js';
import { createPreview1Imports } from '../syscalls/preview1/index.js';
import { traceImports, type TraceSink } from '../syscalls/trace.js';
import type { HostBindings } from './host-bindings.js';
import { MissingImportsError, missingImports, type ImportObject } from './imports-check.js';

export interface WASIOptions {
  /** Only 'preview1' is supported (as `wasi_snapshot_preview1`). Defaults to 'preview1'. */
  version?: 'preview1';
  args?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Guest path → host directory path, or any Kiln filesystem. */
  preopens?: Readonly<Record<string, string | FileSystem>>;
  /** Return the exit code from start() (default true) instead of exiting the host process. */
  returnOnExit?: boolean;
  /** A host file descriptor number, or a Kiln stream. */
  stdin?: number | InputStream;
  stdout?: number | OutputStream;
  stderr?: number | OutputStream;
  clocks?: Clocks;
  random?: RandomSource;
  /** Print one line per syscall: `true` for the host's stderr, or a sink. */
  trace?: boolean | TraceSink;
  /** Largest number of open descriptors (default 1024): more is EMFILE. */
  maxDescriptors?: number;
  /** Resources placed at the descriptors after the preopened directories (e.g. listening sockets). */
  extraResources?: readonly PreopenedResource[];
  /** Signal that I/O threads bump when resources become ready (e.g. `listenTcp(...).readiness`). */
  readiness?: ReadinessSignal;
}

export class WASI {
  readonly wasiImport: Preview1Imports;
  readonly process: Process;
  readonly #context: SyscallContext;
  readonly #returnOnExit: boolean;
  readonly #host: HostBindings;
  #started = false;

  constructor(options: WASIOptions, host: HostBindings) {
    if (options.version !== undefined && options.version !== 'preview1') {
      throw new TypeError(`unsupported WASI version ${JSON.stringify(options.version)}; Kiln supports 'preview1'`);
    }
    this.#host = host;
    this.#returnOnExit = options.returnOnExit ?? true;
    const env = Object.entries(options.env ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const stream = <T>(v: number | T | undefined, fd: number, make: (fd: number) => T): T =>
      typeof v === 'number' ? make(v) : v ?? make(fd);
    this.process = new Process({
      args: options.args ?? [],
      env,
      stdin: stream(options.stdin, 0, (fd) => host.input(fd)),
      stdout: stream(options.stdout, 1, (fd) => host.output(fd)),
      stderr: stream(options.stderr, 2, (fd) => host.output(fd)),
      preopens: Object.entries(options.preopens ?? {}).map(([guestPath, target]) => ({
        guestPath,
        fs: typeof target === 'string' ? host.directory(target) : target,
      })),
      extraResources: options.extraResources,
      readiness: options.readiness,
      clocks: options.clocks ?? systemClocks,
      random: options.random ?? cryptoRandom,
      maxDescriptors: options.maxDescriptors,
    });
    this.#context = new SyscallContext(this.process);
    let imports = createPreview1Imports(this.#context);
    const trace = options.trace;
    if (trace !== undefined && trace !== false) {
      const sink: TraceSink = trace === true ? traceToHostStderr(host) : trace;
      imports = traceImports(imports, PREVIEW1, () => (this.#context.bound ? this.#context.memory : undefined), sink);
    }
    this.wasiImport = imports;
  }

  /** The import object to instantiate a module with. */
  getImportObject(): { wasi_snapshot_preview1: Preview1Imports } {
    return { wasi_snapshot_preview1: this.wasiImport };
  }

  /**
   * Runs a command module's `_start`; returns its exit code (0 when `_start`
   * returns). A trap propagates as the engine's RuntimeError.
   */
  start(instance: WebAssembly.Instance): number {
    const exports = this.#begin(instance);
    const start = exports['_start'];
    if (typeof start !== 'function') throw new TypeError('instance.exports._start must be a function');
    if (exports['_initialize'] !== undefined) throw new TypeError('instance.exports._initialize must not be present for a command');
    let code = 0;
    try {
      withCoalescedWrites(start as () => void);
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

  /** Initialises a reactor module: calls `_initialize` if it has one. */
  initialize(instance: WebAssembly.Instance): void {
    const exports = this.#begin(instance);
    if (exports['_start'] !== undefined) throw new TypeError('instance.exports._start must not be present for a reactor');
    const init = exports['_initialize'];
    if (init === undefined) return;
    if (typeof init !== 'function') throw new TypeError('instance.exports._initialize must be a function');
    (init as () => void)();
  }

  /** Compiles (if needed), links and starts a module; resolves to its exit code. */
  async run(module: WebAssembly.Module | BufferSource): Promise<number> {
    const compiled = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(module);
    const imports = this.getImportObject() as unknown as ImportObject;
    const missing = missingImports(compiled, imports);
    if (missing.length > 0) throw new MissingImportsError(missing);
    const instance = await WebAssembly.instantiate(compiled, imports as WebAssembly.Imports);
    return this.start(instance);
  }

  #begin(instance: WebAssembly.Instance): WebAssembly.Exports {
    if (this.#started) throw new Error('WASI instance has already started');
    const exports = instance.exports;
    const memory = exports['memory'];
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory must be a WebAssembly.Memory');
    this.#started = true;
    this.#context.bind(memory);
    return exports;
  }
}

function traceToHostStderr(host: HostBindings): TraceSink {
  const out = host.output(2);
  const encoder = new TextEncoder();
  return (line) => { out.write(encoder.encode(`[kiln trace] ${line}\n`)); };
}
