/**
 * Import checking (layer: front doors): names every import a module needs
 * that an import object does not provide, so a missing function is a clear
 * error ("wasi_snapshot_preview1.sock_open (function)") before
 * instantiation instead of an engine LinkError.
 */
export type ImportObject = Record<string, Record<string, unknown>>;

export function missingImports(module: WebAssembly.Module, imports: ImportObject): string[] {
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = imports[imp.module];
    if (ns === undefined || !(imp.name in ns)) missing.push(`${imp.module}.${imp.name} (${imp.kind})`);
  }
  return missing;
}

export class MissingImportsError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`the module needs imports Kiln does not provide:\n${missing.map((m) => `  ${m}`).join('\n')}`);
    this.name = 'MissingImportsError';
  }
}

/** Throws MissingImportsError, naming each one, if `imports` lacks anything the module needs. */
export function requireImports(module: WebAssembly.Module, imports: ImportObject): void {
  const missing = missingImports(module, imports);
  if (missing.length > 0) throw new MissingImportsError(missing);
}
