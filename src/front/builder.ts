/**
 * WasiBuilder: the embedding API (layer: front doors), in the spirit of
 * wasmtime's WasiCtxBuilder. Each method sets one thing; `build()` gives a
 * `WASI`, `run()` compiles, links, starts and reports the exit code with
 * any captured output.
 */
import type { AsyncFileSystem } from '../host/async-backend.js';
import type { Clocks } from '../host/clocks.js';
import type { FileSystem } from '../host/fs/types.js';
import type { RandomSource } from '../host/random.js';
import {
  BufferInputStream, CallbackStream, CaptureStream, type InputStream, type OutputStream,
} from '../host/stdio.js';
import type { TraceSink } from '../host/stdio.js';
import { isReadableStream, isWritableStream, ReadableStreamInput, WritableStreamOutput } from '../host/web-streams.js';
import type { ListenAddress } from '../host/net/address.js';
import type { Runtime } from '../host/runtime.js';
import type { Platform } from './platform.js';
import { WASI, type WASIOptions } from './wasi.js';

/** Where a guest's output goes: the host's own stream, captured, a callback, a WritableStream, or any stream. */
export type OutputTarget = 'inherit' | 'capture' | ((data: Uint8Array) => void) | WritableStream<Uint8Array> | OutputStream | number;
/** Where a guest's input comes from: the host's stdin, fixed bytes or text, a ReadableStream of bytes, or any stream. */
export type InputSource = 'inherit' | string | Uint8Array | ReadableStream<Uint8Array> | InputStream | number;

/**
 * Where `run()` runs the guest: 'worker' (the default: on Node a worker
 * with its kernel beside it, so this thread's event loop keeps running; in
 * a browser this thread, as `start()`), or 'caller' (this thread with JSPI,
 * see `WASI.runHere()`).
 */
export type RunThread = 'worker' | 'caller';

/** Output captured by `'capture'` streams. */
export interface CapturedOutput {
  /** Captured standard output as bytes (empty unless stdout was `'capture'`). */
  stdout: Uint8Array;
  /** Captured standard error as bytes (empty unless stderr was `'capture'`). */
  stderr: Uint8Array;
  /** Captured standard output decoded as UTF-8. */
  stdoutText: string;
  /** Captured standard error decoded as UTF-8. */
  stderrText: string;
}

/** What `WasiBuilder.run()` resolves to: the exit code and the captured output. */
export interface RunResult extends CapturedOutput {
  /** The exit code: `proc_exit`'s, or 0 when `_start` returned. */
  exitCode: number;
}

/**
 * The embedding API, after wasmtime's WasiCtxBuilder: each method sets one
 * thing and returns the builder; `run()` compiles, links and runs a
 * command module and reports its exit code with any captured output, and
 * `build()` gives the `WASI` object itself.
 *
 * @example
 * ```ts
 * const result = await new WasiBuilder()
 *   .args(['app', '/data/input.txt'])
 *   .preopen('/data', new MemoryFileSystem({ 'input.txt': 'hello\n' }))
 *   .stdout('capture')
 *   .run(bytes);
 * result.exitCode; result.stdoutText;
 * ```
 */
export class WasiBuilder {
  readonly #platform: Platform;
  #args: string[] = [];
  #env: Record<string, string> = {};
  #preopens: Record<string, string | FileSystem | AsyncFileSystem> = {};
  #stdin: InputSource = 'inherit';
  #stdout: OutputTarget = 'inherit';
  #stderr: OutputTarget = 'inherit';
  #clocks: Clocks | undefined;
  #random: RandomSource | undefined;
  #trace: TraceSink | boolean = false;
  #maxDescriptors: number | undefined;
  #maxMemory: number | undefined;
  #maxThreads: number | undefined;
  #maxSockets: number | undefined;
  readonly #commands: Record<string, Uint8Array> = {};
  #timeoutMs: number | undefined;
  #thread: RunThread = 'worker';
  #listen: (string | ListenAddress)[] = [];
  #runtime: Partial<Runtime> = {};

  /** A builder for processes on `platform` (Node's or the browser's, from each entry point). */
  constructor(platform: Platform) {
    this.#platform = platform;
  }

  /** Sets argv (argv[0] included). */
  args(args: readonly string[]): this { this.#args = [...args]; return this; }
  /** Appends one argument to argv. */
  arg(arg: string): this { this.#args.push(arg); return this; }
  /** Sets the environment variable `name`. Nothing of the host's environment is inherited. */
  env(name: string, value: string): this { this.#env[name] = value; return this; }
  /** Sets several environment variables. */
  envs(vars: Readonly<Record<string, string>>): this { Object.assign(this.#env, vars); return this; }
  /** Mounts a host directory (Node) at `guestPath`. */
  preopenDir(hostPath: string, guestPath: string): this { this.#preopens[guestPath] = hostPath; return this; }
  /**
   * Mounts any filesystem (e.g. a MemoryFileSystem) at `guestPath`. It may
   * be asynchronous (methods returning Promises) for `run()`.
   */
  preopen(guestPath: string, fs: FileSystem | AsyncFileSystem): this { this.#preopens[guestPath] = fs; return this; }
  /**
   * Standard input: `'inherit'` (the default: the host's stdin), text,
   * bytes, a ReadableStream of bytes (read as the guest asks; its end is
   * the guest's end of input; not with `start()`), an InputStream or a host
   * descriptor number.
   */
  stdin(source: InputSource): this { this.#stdin = source; return this; }
  /**
   * Standard output: `'inherit'` (the default), `'capture'` (returned by
   * `run()` as `stdout` and `stdoutText`), a function that receives each
   * write, a WritableStream (each write a chunk, in order), an OutputStream
   * or a host descriptor number.
   */
  stdout(target: OutputTarget): this { this.#stdout = target; return this; }
  /** Standard error, as `stdout()`; captured as `stderr` and `stderrText`. */
  stderr(target: OutputTarget): this { this.#stderr = target; return this; }
  /** The clocks the guest reads (default: `systemClocks`). */
  clocks(clocks: Clocks): this { this.#clocks = clocks; return this; }
  /** The source of `random_get` (default: `cryptoRandom`). */
  random(random: RandomSource): this { this.#random = random; return this; }
  /** Traces every system call: `true` to the host's stderr, or one line at a time to `sink`. */
  trace(sink: TraceSink | boolean = true): this { this.#trace = sink; return this; }
  /** Caps the open descriptors (default 1024): opening more fails with EMFILE. */
  maxDescriptors(n: number): this { this.#maxDescriptors = n; return this; }
  /** Caps the guest's linear memory at `bytes` (whole 64 KiB pages); see WASIOptions.maxMemory. */
  maxMemory(bytes: number): this { this.#maxMemory = bytes; return this; }
  /** Caps the threads a wasi-threads guest may spawn (EAGAIN beyond). */
  maxThreads(n: number): this { this.#maxThreads = n; return this; }
  /** Caps the open sockets of each process (EMFILE beyond). */
  maxSockets(n: number): this { this.#maxSockets = n; return this; }
  /** A program a WASIX guest starts at the absolute guest `path` (`posix_spawn`, `exec`): the module's bytes (the `commands` option). */
  command(path: string, program: Uint8Array): this { this.#commands[path] = program; return this; }
  /** Stops the guest after `ms` of wall-clock time: `run()` rejects with TimeoutError. */
  timeout(ms: number): this { this.#timeoutMs = ms; return this; }
  /** Where `run()` runs the guest: 'worker' (default) or 'caller' (JSPI). */
  thread(where: RunThread): this { this.#thread = where; return this; }
  /** Adds a listening TCP socket (`HOST:PORT`, port 0 for a free one), opened through the runtime's networking. */
  listen(address: string | ListenAddress): this { this.#listen.push(address); return this; }
  /** Replaces members of the runtime (the others stay the platform's); later calls add to earlier ones. */
  runtime(members: Partial<Runtime>): this { Object.assign(this.#runtime, members); return this; }

  /** A WASI object; `captures` receives the capture streams it made. */
  build(captures: { stdout?: CaptureStream; stderr?: CaptureStream } = {}): WASI {
    const options: WASIOptions = {
      args: this.#args,
      env: this.#env,
      preopens: this.#preopens,
      stdin: inputFor(this.#stdin),
      stdout: outputFor(this.#stdout, (c) => { captures.stdout = c; }),
      stderr: outputFor(this.#stderr, (c) => { captures.stderr = c; }),
      clocks: this.#clocks,
      random: this.#random,
      trace: this.#trace,
      maxDescriptors: this.#maxDescriptors,
      maxMemory: this.#maxMemory,
      maxThreads: this.#maxThreads,
      maxSockets: this.#maxSockets,
      commands: this.#commands,
      timeoutMs: this.#timeoutMs,
      listen: this.#listen,
      runtime: Object.keys(this.#runtime).length > 0 ? this.#runtime : undefined,
    };
    return new WASI(options, this.#platform);
  }

  /**
   * Compiles, links and runs a command module (`WASI.run()`, or
   * `WASI.runHere()` with `.thread('caller')`). When the run fails (a trap,
   * a time limit), the error carries what was captured before it as
   * `error.captured` (a `CapturedOutput`).
   */
  async run(module: WebAssembly.Module | BufferSource): Promise<RunResult> {
    const captures: { stdout?: CaptureStream; stderr?: CaptureStream } = {};
    const wasi = this.build(captures);
    const collect = (): CapturedOutput => {
      const stdout = captures.stdout?.bytes() ?? new Uint8Array(0);
      const stderr = captures.stderr?.bytes() ?? new Uint8Array(0);
      const decoder = new TextDecoder();
      return { stdout, stderr, stdoutText: decoder.decode(stdout), stderrText: decoder.decode(stderr) };
    };
    let exitCode: number;
    try {
      exitCode = this.#thread === 'caller' ? await wasi.runHere(module) : await wasi.run(module);
    } catch (e) {
      if (e instanceof Error && (captures.stdout !== undefined || captures.stderr !== undefined)) {
        (e as Error & { captured?: CapturedOutput }).captured = collect();
      }
      throw e;
    }
    return { exitCode, ...collect() };
  }
}

function inputFor(source: InputSource): InputStream | number | undefined {
  if (source === 'inherit') return undefined;
  if (typeof source === 'string' || source instanceof Uint8Array) return new BufferInputStream(source);
  if (isReadableStream(source)) return new ReadableStreamInput(source);
  return source as InputStream | number;
}

function outputFor(target: OutputTarget, onCapture: (c: CaptureStream) => void): OutputStream | number | undefined {
  if (target === 'inherit') return undefined;
  if (target === 'capture') {
    const c = new CaptureStream();
    onCapture(c);
    return c;
  }
  if (typeof target === 'function') return new CallbackStream(target);
  if (isWritableStream(target)) return new WritableStreamOutput(target);
  return target as OutputStream | number;
}
