/**
 * Import checking (layer: execution): names every import a module needs
 * that an import object does not provide, so a missing function is a clear
 * error ("wasi_snapshot_preview1.sock_open (function)") before
 * instantiation instead of an engine LinkError.
 */
import { SYSCALLS, type SyscallModule } from '../abi/syscall-table.js';

/** An import object: namespace → name → value. */
export type ImportObject = Record<string, Record<string, unknown>>;

/**
 * The imports `module` needs that `imports` does not provide, each as
 * `namespace.name (kind)`, e.g. `wasi_snapshot_preview1.sock_open (function)`.
 */
export function missingImports(module: WebAssembly.Module, imports: ImportObject): string[] {
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = imports[imp.module];
    if (ns === undefined || !(imp.name in ns)) missing.push(`${imp.module}.${imp.name} (${imp.kind})`);
  }
  return missing;
}

/** A module needs imports that were not provided; the message lists each. */
export class MissingImportsError extends Error {
  /** The error for the imports in `missing`. */
  constructor(
    /** The missing imports, as `namespace.name (kind)`. */
    readonly missing: readonly string[],
  ) {
    super(`the module needs imports Kiln does not provide:\n${missing.map((m) => `  ${m}`).join('\n')}`);
    this.name = 'MissingImportsError';
  }
}

/** Throws MissingImportsError, naming each one, if `imports` lacks anything the module needs. */
export function requireImports(module: WebAssembly.Module, imports: ImportObject): void {
  const missing = missingImports(module, imports);
  if (missing.length > 0) throw new MissingImportsError(missing);
}

/**
 * Placeholders for every function Kiln serves in `modules` (from the
 * syscall numbering), to check a module's imports against before anything
 * is spawned or started.
 */
export function servedImports(modules: readonly SyscallModule[]): Readonly<ImportObject> {
  const key = modules.join(' ');
  let out = servedByModules.get(key);
  if (out === undefined) {
    out = {};
    for (const e of SYSCALLS) if (modules.includes(e.module)) (out[e.module] ??= {})[e.name] = served;
    servedByModules.set(key, out);
  }
  return out;
}

/** servedImports' answers, made once per list of modules (every start asks again). */
const servedByModules = new Map<string, ImportObject>();

function served(): number { return 0; }
