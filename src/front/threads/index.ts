/**
 * The threaded mode's entry (layer: front doors): which modules need it,
 * and running one. See docs/architecture.md, "Threads (wasi-threads)".
 */
import { memoryDeclaration } from '../module-binary.js';
import type { HostBindings } from '../host-bindings.js';
import { requireImports, type ImportObject } from '../imports-check.js';
import type { WASIOptions } from '../wasi.js';
import { ThreadedProcess } from './threaded-process.js';

export { ThreadTrapError } from './threaded-process.js';

/** True for modules that import a memory or `wasi` `thread-spawn`: they run in the threaded mode. */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(
    (i) => (i.module === 'wasi' && i.name === 'thread-spawn') || i.kind === 'memory',
  );
}

export interface ThreadedRunOptions {
  /** Largest number of threads besides the main one (thread-spawn fails with EAGAIN beyond it; default 1024). */
  maxThreads?: number;
  /** Wall-clock limit for the whole process, in ms. */
  timeoutMs?: number;
}

/** Refused before running: the module cannot run in the threaded mode. */
export class ThreadedModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThreadedModuleError';
  }
}

/**
 * Runs a threaded command module with the kernel on this thread and every
 * wasm thread in a worker; resolves to the exit code. `bytes` are the
 * module's bytes (the memory import's limits are read from them).
 */
export async function runThreaded(
  module: WebAssembly.Module,
  bytes: Uint8Array,
  options: WASIOptions,
  host: HostBindings,
  limits: ThreadedRunOptions = {},
): Promise<number> {
  const threads = host.threads;
  if (threads === undefined) throw new ThreadedModuleError('this host cannot run threads (no thread spawner)');
  const decl = memoryDeclaration(bytes);
  if (decl?.import === undefined || !decl.shared || decl.maximum === undefined) {
    throw new ThreadedModuleError('a threaded module must import a shared memory with a maximum size');
  }
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exports.includes('_start')) throw new ThreadedModuleError('the module has no _start export');
  const spawns = WebAssembly.Module.imports(module).some((i) => i.module === 'wasi' && i.name === 'thread-spawn');
  if (spawns && !exports.includes('wasi_thread_start')) {
    throw new ThreadedModuleError('the module imports thread-spawn but exports no wasi_thread_start');
  }
  const provided: ImportObject = {
    wasi_snapshot_preview1: Object.fromEntries(WebAssembly.Module.imports(module)
      .filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => [i.name, () => 0])),
    wasi: { 'thread-spawn': () => 0 },
    [decl.import.module]: { [decl.import.name]: new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true }) },
  };
  requireImports(module, provided);
  const process = new ThreadedProcess({
    module,
    memory: { ...decl, import: decl.import },
    wasi: options,
    host,
    threads,
    maxThreads: limits.maxThreads ?? 1024,
    timeoutMs: limits.timeoutMs,
  });
  return process.run();
}
