/**
 * napi-rs `wasm32-wasi` bindings on Kiln (layer: front doors, Node).
 *
 * A package that napi-rs builds for `wasm32-wasip1-threads` (for example
 * `@oxc-parser/binding-wasm32-wasi`) ships a loader, `*.wasi.cjs`, that
 * creates a `node:wasi` WASI, a shared memory and the emnapi runtime, and a
 * worker script, `wasi-worker.mjs`, that every guest thread runs in, with
 * its own `node:wasi` WASI on the same memory. `loadNapiRsBinding` does what
 * that loader does with Kiln's `WASI` on the loading thread and in every
 * worker (napi-rs-worker.ts), and returns the same exports object.
 *
 * Like the package's loader it preopens the host's filesystem root (`/` →
 * `/`) and passes `process.env`, unless `preopens` / `env` say otherwise;
 * the workers get the same arguments, environment and preopens (preopens are
 * host directories: a worker cannot share an in-memory filesystem object).
 *
 * Workers run the compiled napi-rs-worker.js next to this module, so from
 * dist/; when this module itself runs from TypeScript sources (under a
 * loader such as tsx) it uses dist/napi/napi-rs-worker.js: build first.
 * As in the package's loader the workers never keep the process alive;
 * `napiRsRuntime(exports).terminate()` stops them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse, resolve } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { WASI } from '../front/node/node-wasi.js';
import type { TraceSink } from '../host/stdio.js';
import { loadEmnapi } from './emnapi.js';

/** Options of `loadNapiRsBinding`. */
export interface NapiRsOptions {
  /** Guest arguments (default none, as the package's loader). */
  args?: readonly string[];
  /** The guest's environment (default: this process's `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Guest path → host directory, on every thread (default: the filesystem root, `/` → `/`). */
  preopens?: Readonly<Record<string, string>>;
  /** One line per syscall, from every thread: `true` for the host's stderr, or a sink (worker lines prefixed `[thread N]`). */
  trace?: boolean | TraceSink;
  /** Guest threads kept for async work (default: NAPI_RS_ASYNC_WORK_POOL_SIZE, else UV_THREADPOOL_SIZE, else 4). */
  asyncWorkPoolSize?: number;
  /** Where to resolve a package name from (default: the current directory, then Kiln's own location). */
  resolveFrom?: string;
}

/** What Kiln keeps about a loaded binding. */
export interface NapiRsRuntime {
  /** Kiln's WASI on the loading thread. */
  readonly wasi: WASI;
  /** The binding's wasm file. */
  readonly wasmPath: string;
  /** Worker threads created for guest threads so far. */
  readonly workers: number;
  /** Kiln WASI objects constructed in those workers (one per worker that loaded the module). */
  readonly workerWasiInstances: number;
  /** Guest threads started in those workers (`wasi_thread_start` calls, counting reused workers again). */
  readonly threadsStarted: number;
  /**
   * Waits for queued async work, runs the binding's cleanup (as at process
   * exit) and stops every worker; the binding cannot be used afterwards.
   */
  terminate(): Promise<void>;
}

/** What a worker gets: everything it needs to build its WASI and load emnapi. */
export interface NapiRsWorkerData {
  /** A file in the binding's package: emnapi is resolved from here. */
  anchor: string;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  /** `true`: trace to the worker's stderr; a port: post each line there. */
  trace: boolean | MessagePort;
  /** [0]: Kiln WASI objects constructed in workers; [1]: guest threads started there. */
  counters: Int32Array;
}

const runtimes = new WeakMap<object, NapiRsRuntime>();

/** The runtime behind exports that `loadNapiRsBinding` returned. */
export function napiRsRuntime(exports: object): NapiRsRuntime | undefined {
  return runtimes.get(exports);
}

/**
 * Loads a napi-rs `wasm32-wasi` binding on Kiln: `target` is its package
 * name (e.g. '@oxc-parser/binding-wasm32-wasi') or the path of its
 * `.wasm32-wasi.wasm` file. Returns the binding's exports.
 */
export function loadNapiRsBinding<T extends object = Record<string, unknown>>(target: string, options: NapiRsOptions = {}): T {
  const found = locate(target, options.resolveFrom);
  const bytes = readFileSync(found.wasmPath);
  const module = new WebAssembly.Module(bytes);
  const declared = importedMemory(bytes);
  if (declared === undefined || !declared.shared || declared.maximum === undefined) {
    throw new TypeError(`${found.wasmPath} does not import a shared memory as env.memory: not a napi-rs wasm32-wasip1-threads binding`);
  }
  const memory = new WebAssembly.Memory({
    initial: Math.min(Math.max(declared.initial, found.loaderInitialPages ?? 0), declared.maximum),
    maximum: declared.maximum,
    shared: true,
  });

  const root = parse(process.cwd()).root;
  const args = [...(options.args ?? [])];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) env[k] = v;
  const preopens: Record<string, string> = { ...(options.preopens ?? { [root]: root }) };
  for (const [guest, host] of Object.entries(preopens)) {
    if (typeof host !== 'string') throw new TypeError(`preopen ${guest}: napi-rs bindings take host directory paths (every guest thread opens them)`);
  }
  const trace = options.trace ?? false;

  const wasi = new WASI({ version: 'preview1', args, env, preopens, trace });
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const workers = new Set<Worker>();
  let created = 0;
  /** A worker failed: wasm must not be entered again (its waits could be on the dead thread). */
  let crashed = false;
  const workerUrl = workerScript();

  const onCreateWorker = (): Worker => {
    let port: MessagePort | undefined;
    let workerTrace: boolean | MessagePort = trace === true;
    if (typeof trace === 'function') {
      const channel = new MessageChannel();
      port = channel.port2;
      workerTrace = port;
      channel.port1.unref();
      channel.port1.on('message', (line: string) => trace(`[thread ${worker.threadId}] ${line}`));
    }
    const data: NapiRsWorkerData = { anchor: found.anchor, args, env, preopens, trace: workerTrace, counters };
    const worker = new Worker(workerUrl, { workerData: data, transferList: port ? [port] : [], execArgv: [] });
    workers.add(worker);
    created++;
    worker.once('exit', () => workers.delete(worker));
    // Before emnapi's own listeners, which rethrow the error.
    worker.on('error', () => { crashed = true; });
    // As the generated loader: guest threads (Rust threads that are never
    // joined) must not keep the process alive, and emnapi refs a worker while
    // it runs a thread, so its handles' ref() is disabled.
    for (const name of ['kPublicPort', 'kHandle']) {
      const key = Object.getOwnPropertySymbols(worker).find((s) => s.toString().includes(name));
      const handle = key === undefined ? undefined : (worker as unknown as Record<symbol, { ref?: () => void } | undefined>)[key];
      if (handle !== undefined) handle.ref = () => {};
    }
    worker.unref();
    return worker;
  };

  const { core, context, plugins } = loadEmnapi(found.anchor, true);
  let instance: WebAssembly.Instance | undefined;
  const { napiModule } = core.instantiateNapiModuleSync(module, {
    context,
    asyncWorkPoolSize: options.asyncWorkPoolSize ?? poolSizeFromEnv(),
    reuseWorker: true,
    plugins,
    wasi,
    onCreateWorker,
    overwriteImports(importObject: Record<string, Record<string, unknown>>) {
      importObject['env'] = { ...importObject['env'], ...importObject['napi'], ...importObject['emnapi'], memory };
      return importObject;
    },
    beforeInit(loaded: { instance: WebAssembly.Instance }) {
      instance = loaded.instance;
      for (const name of Object.keys(instance.exports)) {
        if (name.startsWith('__napi_register__')) (instance.exports[name] as () => void)();
      }
    },
  });

  // Teardown, in the order newer generated loaders use: the binding's
  // cleanup barrier (when it has one: it settles what it cancels and joins
  // its async runtime), then the context's cleanup hooks, both while the
  // workers are alive (the hooks wait for guest threads); workers last. At
  // process exit this replaces emnapi's own 'beforeExit' destroy, which would
  // also run after `terminate()` had stopped the threads it waits for.
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', destroy);
    if (crashed) return;
    const prepare = instance?.exports['napi_prepare_wasm_env_cleanup'];
    if (typeof prepare === 'function') (prepare as () => void)();
    context.destroy();
  };
  context.suppressDestroy();
  process.once('exit', destroy);

  let terminating: Promise<void> | undefined;
  const terminate = async (): Promise<void> => {
    // The workers are unref'd: hold the event loop open until they have exited.
    const hold = setInterval(() => {}, 1 << 30);
    try {
      // Async work still queued or running goes first, while everything is live.
      const pending = instance?.exports['napi_wasm_async_work_pending'];
      if (typeof pending === 'function') {
        while (!crashed && (pending as () => number)() !== 0) await new Promise((r) => setTimeout(r, 1));
      }
      destroy();
      for (const w of workers) {
        // Through emnapi, which then expects the exit (one behind its back is a crash it rethrows).
        napiModule.PThread?.terminateWorker(w);
        // A worker still loading reports 'loaded' after it was terminated, which emnapi logs.
        (w as unknown as { onmessage: unknown }).onmessage = () => {};
      }
      await Promise.all([...workers].map((w) => w.terminate()));
    } finally {
      clearInterval(hold);
    }
  };

  const exports = napiModule.exports;
  runtimes.set(exports, {
    wasi,
    wasmPath: found.wasmPath,
    get workers() { return created; },
    get workerWasiInstances() { return Atomics.load(counters, 0); },
    get threadsStarted() { return Atomics.load(counters, 1); },
    terminate: () => (terminating ??= terminate()),
  });
  return exports as T;
}

function poolSizeFromEnv(): number {
  const n = Number(process.env['NAPI_RS_ASYNC_WORK_POOL_SIZE'] ?? process.env['UV_THREADPOOL_SIZE']);
  return n > 0 ? n : 4;
}

/** The compiled worker script: next to this module, or in dist/ when this module runs from sources. */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/napi/napi-rs-worker.js', here)
    : new URL('./napi-rs-worker.js', here);
}

interface Located {
  wasmPath: string;
  /** Where emnapi is resolved from: the package's package.json, or the wasm file. */
  anchor: string;
  /** The initial memory size the package's own loader uses, when it says. */
  loaderInitialPages?: number;
}

function locate(target: string, resolveFrom: string | undefined): Located {
  if (target.endsWith('.wasm')) {
    const wasmPath = resolve(target);
    return { wasmPath, anchor: wasmPath };
  }
  const bases = resolveFrom !== undefined ? [resolveFrom] : [process.cwd(), import.meta.url];
  let manifestPath: string | undefined;
  for (const base of bases) {
    const from = base.startsWith('file:') ? base : join(resolve(base), 'noop.js');
    try {
      manifestPath = createRequire(from).resolve(`${target}/package.json`);
      break;
    } catch { /* next base */ }
  }
  if (manifestPath === undefined) throw new Error(`cannot find package ${target} (from ${bases.join(', ')})`);
  const dir = dirname(manifestPath);
  const wasm = readdirSync(dir).filter((f) => f.endsWith('.wasm32-wasi.wasm'));
  if (wasm.length !== 1) throw new Error(`${target}: expected one *.wasm32-wasi.wasm file in ${dir}, found ${wasm.length}`);
  // As the package's loader: a debug build next to it wins.
  const debug = join(dir, wasm[0]!.replace(/\.wasm$/, '.debug.wasm'));
  const wasmPath = existsSync(debug) ? debug : join(dir, wasm[0]!);
  const main = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { main?: string }).main;
  let loaderInitialPages: number | undefined;
  if (typeof main === 'string' && main.endsWith('.wasi.cjs') && existsSync(join(dir, main))) {
    const m = /new WebAssembly\.Memory\(\{\s*initial:\s*(\d+)/.exec(readFileSync(join(dir, main), 'utf8'));
    if (m) loaderInitialPages = Number(m[1]);
  }
  return { wasmPath, anchor: manifestPath, loaderInitialPages };
}

/** The limits of the memory a module imports (first memory import), read from its import section. */
export function importedMemory(bytes: Uint8Array): { initial: number; maximum?: number; shared: boolean } | undefined {
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new TypeError('truncated wasm module');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const limits = (): { initial: number; maximum?: number; shared: boolean } => {
    const flags = bytes[pos++]!;
    const initial = leb();
    return { initial, maximum: (flags & 1) !== 0 ? leb() : undefined, shared: (flags & 2) !== 0 };
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = leb();
    const end = pos + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const skip = (n: number): void => { pos += n; };
        skip(leb()); // module name (pos += leb() would read pos before leb() moves it)
        skip(leb()); // field name
        const kind = bytes[pos++];
        if (kind === 0) leb();
        else if (kind === 1) { pos++; limits(); }
        else if (kind === 2) return limits();
        else if (kind === 3) pos += 2;
        else if (kind === 4) { pos++; leb(); }
        else return undefined;
      }
      return undefined;
    }
    pos = end;
  }
  return undefined;
}
