/**
 * Threaded modules (layer: execution): which modules run in the channel
 * placement (every thread in a worker), and what such a module must have.
 * See docs/architecture.md, "Threads (wasi-threads)".
 */
import { mayWaitAtomically, memoryDeclaration, type MemoryDecl } from './module-binary.js';

/** The shared memory a threaded module imports: its limits (from the binary) and where it is imported from. */
export interface MemoryImport extends MemoryDecl {
  /** False when the module's code surely holds no local across `memory.atomic.wait` (module-binary.ts, `mayWaitAtomically`). */
  atomicWait: boolean;
  /** Where the module imports it from. */
  import: {
    /** The import's module name. */
    module: string;
    /** The import's field name. */
    name: string;
  };
}

/** True for modules that import a memory or `wasi` `thread-spawn`: they run with every thread in a worker. */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(
    (i) => (i.module === 'wasi' && i.name === 'thread-spawn') || i.kind === 'memory',
  );
}

/** Refused before running: the module cannot run in the threaded placement. */
export class ThreadedModuleError extends Error {
  /** The reason, as a message. */
  constructor(message: string) {
    super(message);
    this.name = 'ThreadedModuleError';
  }
}

/**
 * Checks a threaded module (its compiled form and its bytes) and gives the
 * shared memory it imports; throws ThreadedModuleError when it lacks what
 * the threaded placement needs.
 */
export function threadedMemory(module: WebAssembly.Module, bytes: Uint8Array): MemoryImport {
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
  return { ...decl, import: decl.import, atomicWait: mayWaitAtomically(bytes) };
}
