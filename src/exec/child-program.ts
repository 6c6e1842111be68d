/**
 * A program a process starts (layer: execution): WASIX `proc_spawn` and
 * `proc_exec` compile the bytes they were given into a module that runs
 * in the channel placement. A module that imports its memory (WASIX,
 * wasi-threads) runs as it is; a single-threaded one (preview 1, or a
 * WASIX program built without threads) gets a shared memory Kiln makes in
 * place of its own (`importingSharedMemory`), with its limits.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { isThreadedModule, threadedMemory, type MemoryImport } from './threaded-module.js';
import { importingSharedMemory } from './module-binary.js';

/** Compiled programs, by a hash of their bytes; a hit is used only when the bytes are the same (a pipeline starts one program many times). */
const compiled = new Map<string, { source: Uint8Array; module: WebAssembly.Module; memory: MemoryImport }>();

function keyOf(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return `${bytes.length}:${h >>> 0}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The module `program` runs as, and the shared memory it imports; ENOEXEC (with the reason) when it cannot run. */
export function compileProgram(program: Uint8Array): { module: WebAssembly.Module; memory: MemoryImport } {
  const key = keyOf(program);
  const hit = compiled.get(key);
  if (hit !== undefined && sameBytes(hit.source, program)) return hit;
  let bytes = program;
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    if (!isThreadedModule(module)) {
      // A single-threaded module: its memory becomes a shared one Kiln makes, so it runs as every process does.
      const importing = importingSharedMemory(bytes);
      if (importing === undefined) throw new WasiError(Errno.NOEXEC, 'the module has no memory of its own to run it with');
      bytes = importing;
      module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    }
  } catch (e) {
    if (e instanceof WasiError) throw e;
    throw new WasiError(Errno.NOEXEC, e instanceof Error ? e.message : String(e));
  }
  const memory = threadedMemory(module, bytes);
  if (compiled.size > 64) compiled.clear();
  const entry = { source: program, module, memory };
  compiled.set(key, entry);
  return entry;
}
