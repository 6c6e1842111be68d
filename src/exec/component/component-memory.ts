/**
 * A memory cap for a component (layer: execution, platform-neutral): the
 * same cap a module gets (`maxMemory`, `--max-memory`), applied to each
 * core module of the transpiled component that defines a memory. A core
 * module that imports its memory (the preview 1 adapter, jco's shims) is
 * left as it is: it links to the capped one. A component whose memory
 * needs more than the cap at start is refused with MemoryLimitError, as a
 * module is.
 */
import { limitMemory, memoryDeclaration } from '../module-binary.js';
import type { TranspiledComponent } from './transpile.js';

/** `component` with every memory it defines capped at `maxPages` 64 KiB pages (a new key: prepared apart). */
export function limitComponentMemory(component: TranspiledComponent, maxPages: number): TranspiledComponent {
  const cores = new Map<string, Uint8Array>();
  for (const [name, bytes] of component.cores) {
    const decl = memoryDeclaration(bytes);
    cores.set(name, decl === undefined || decl.import !== undefined ? bytes : limitMemory(bytes, maxPages));
  }
  return { ...component, key: `${component.key}/max-pages=${maxPages}`, cores };
}
