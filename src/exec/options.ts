/**
 * The options a process is run with (layer: execution): node:wasi's, plus
 * Kiln's. The `WASI` class and `WasiBuilder` take them; every runner (each
 * placement, the process worker) reads them from here.
 */
import type { Preview1Imports, UnstableImports } from '../abi/signatures.js';
import type { AsyncFileSystem } from '../host/async-backend.js';
import type { Clocks } from '../host/clocks.js';
import type { FileSystem } from '../host/fs/types.js';
import type { ListenAddress } from '../host/net/address.js';
import type { RandomSource } from '../host/random.js';
import type { ReadinessSignal } from '../host/readiness-signal.js';
import type { Runtime } from '../host/runtime.js';
import type { InputStream, OutputStream, TraceSink } from '../host/stdio.js';
import { inputOption, outputOption, type OutputOption } from '../host/stream-options.js';
import type { PreopenedResource } from '../kernel/process.js';
import type { TranspileCache } from './component/transpile.js';
import type { InterfaceOverrides } from './component/component-run.js';

/** What `network` names: no network, an in-memory one, or the runtime's (the host's). */
export type NetworkMode = 'none' | 'loopback' | 'host';

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
  /** Largest number of open sockets (default: only `maxDescriptors` bounds them): more is EMFILE. */
  maxSockets?: number;
  /**
   * Programs a WASIX guest can start by these absolute guest paths
   * (`posix_spawn`, `exec`, and `PATH` searches), whatever its filesystem
   * holds there: each a module's bytes. E.g.
   * `{ '/bin/sh': readFileSync('dash.wasm') }` (`kiln run --command`).
   */
  commands?: Readonly<Record<string, Uint8Array>>;
  /**
   * Wall-clock limit for `run()`, in ms: when it passes the guest's worker(s)
   * are terminated, every descriptor it had open is closed and `run()`
   * rejects with TimeoutError. Only `run()` can stop a guest mid-loop.
   */
  timeoutMs?: number;
  /**
   * The network a guest's own sockets reach (WASIX `sock_open`, `resolve`),
   * as `kiln run --net`: `'none'` (every socket call fails cleanly and
   * nothing reaches the host), `'loopback'` (an in-memory network between
   * the processes of this run, no host socket at all), or `'host'` (the
   * runtime's `networking`: on Node, the host's network). Default:
   * `'host'` when the `runtime` option replaces `networking`, else `'none'`.
   */
  network?: NetworkMode;
  /**
   * Where guests may connect and send datagrams, as `HOST:PORT` rules
   * (`127.0.0.1:8080`, `10.0.0.0/8:*`, `[::1]:80-90`, `example.com:443`:
   * a name allows the addresses a guest's lookup of it answers). A denied
   * connect fails as a refused one (ECONNREFUSED). Default: anywhere the
   * network reaches.
   */
  allowConnect?: readonly string[];
  /**
   * What guests may bind, as `HOST:PORT` rules of addresses (port 0, any
   * free port, needs a rule whose range includes 0, such as `*`). A denied
   * bind fails with EACCES. Default: anything.
   */
  allowBind?: readonly string[];
  /**
   * Listening TCP sockets, `HOST:PORT` or `[IPv6]:PORT` (port 0 for a
   * free one), opened through the runtime's networking by whichever thread
   * runs the guest's kernel and placed after the preopened directories (fd
   * 3 when there are none), as `kiln run --listen`. The default runtime has
   * no networking; Node's reaches the host's.
   */
  listen?: readonly (string | ListenAddress)[];
  /**
   * Limits of the JavaScript heap of the worker that runs the guest in
   * `run()` (Node's `resourceLimits` of a process worker; wasm memory is
   * not part of it, see `maxMemory`). A worker that exceeds them dies, and
   * the run fails saying it ran out of memory.
   */
  workerResourceLimits?: WorkerResourceLimits;
  /**
   * Members of the runtime to replace (host directories and descriptors,
   * clocks, random, networking, threads, tty, ...): the others stay the
   * platform's (see `Runtime`).
   */
  runtime?: Partial<Runtime>;
  /**
   * Resources placed at the descriptors after the preopened directories
   * (e.g. from `listenTcp`). Kernel objects of the calling thread: with
   * them `run()` keeps the guest on this thread. Prefer `listen`.
   */
  extraResources?: readonly PreopenedResource[];
  /** Signal that I/O threads bump when resources become ready (e.g. `listenTcp(...).readiness`). */
  readiness?: ReadinessSignal;
  /**
   * Components (WASI preview 2): where transpiled components are kept
   * between runs, asked before transpiling (the CLI keeps them on disk).
   * Kiln also keeps the last few in memory.
   */
  componentCache?: TranspileCache;
  /**
   * Components: `wasi:*` interfaces to use in place of Kiln's, by
   * unversioned name (`'wasi:clocks/wall-clock'`), made per run from the
   * host context (the component's kernel process and its waits). Members
   * are camelCase, resources classes, as jco's glue expects; they must
   * answer synchronously.
   */
  interfaces?: InterfaceOverrides;
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


/** Heap limits of a worker, in MB (Node's `ResourceLimits`). */
export interface WorkerResourceLimits {
  /** The old generation (most of the heap). */
  maxOldGenerationSizeMb?: number;
  /** The young generation. */
  maxYoungGenerationSizeMb?: number;
  /** The memory for generated code. */
  codeRangeSizeMb?: number;
  /** The thread's stack. */
  stackSizeMb?: number;
}

/** Checks the standard streams of `options` (a function output becomes a CallbackStream). */
export function checkOptions(options: WASIOptions): CheckedWASIOptions {
  const version = options.version ?? 'preview1';
  if (version !== 'preview1' && version !== 'unstable') {
    throw new TypeError(`unsupported WASI version ${JSON.stringify(options.version)}; Kiln supports 'preview1' and 'unstable'`);
  }
  for (const [path, program] of Object.entries(options.commands ?? {})) {
    if (!path.startsWith('/')) throw new TypeError(`commands: ${JSON.stringify(path)} is not an absolute guest path`);
    if (!(program instanceof Uint8Array)) throw new TypeError(`commands: ${path} must be a module's bytes (a Uint8Array)`);
  }
  return {
    ...options,
    stdin: inputOption('stdin', options.stdin),
    stdout: outputOption('stdout', options.stdout),
    stderr: outputOption('stderr', options.stderr),
  };
}
