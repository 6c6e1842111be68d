/**
 * Stand-ins for function imports that nothing provides (layer: front
 * doors), as wasmtime's `unknown-imports-trap` and
 * `unknown-imports-default` define them: a module that imports functions
 * it may never call (an optional host API, a toolchain's stub) can then
 * start. Only functions are stood in for; a missing memory, table, global
 * or tag is still an error (imports-check.ts names it).
 */
import { isNullableRef, moduleFunctionTypes, type ValType } from './function-types.js';
import type { ImportObject } from '../exec/imports-check.js';

/**
 * 'trap': calling the stand-in traps, naming the import;
 * 'default': it returns the zero value of each of its results.
 */
export type UnknownImportPolicy = 'trap' | 'default';

/** A missing function whose results have no value a JavaScript stand-in can return. */
export class UnknownImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownImportError';
  }
}

type Stub = (...args: unknown[]) => unknown;

function trapping(module: string, name: string): Stub {
  return () => {
    throw new WebAssembly.RuntimeError(`unknown import ${module}.${name} was called`);
  };
}

function zero(module: string, name: string, t: ValType): unknown {
  switch (t) {
    case 'i32': case 'f32': case 'f64': return 0;
    case 'i64': return 0n;
  }
  if (isNullableRef(t)) return null;
  // v128 cannot cross into JavaScript at all; a non-nullable reference has no zero.
  throw new UnknownImportError(`cannot stand in for the import ${module}.${name}: its result type ${t} has no default value a host function can return`);
}

function returningZeros(module: string, name: string, results: readonly ValType[]): Stub {
  const values = results.map((t) => zero(module, name, t));
  if (values.length === 0) return () => undefined;
  if (values.length === 1) {
    const v = values[0];
    return () => v;
  }
  return () => [...values];
}

/**
 * `imports` plus a stand-in for every function import of the module it
 * lacks (a new object; `imports` is not changed). `bytes` are the
 * module's, for the result types the 'default' policy needs. Throws
 * UnknownImportError when a result type has no default value.
 */
export function withUnknownImports(
  module: WebAssembly.Module, bytes: Uint8Array, imports: ImportObject, policy: UnknownImportPolicy,
): ImportObject {
  const out: ImportObject = { ...imports };
  const copied = new Set<string>();
  let signatures: ReturnType<typeof moduleFunctionTypes>['imports'] | undefined;
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') continue;
    const ns = out[imp.module];
    if (ns !== undefined && imp.name in ns) continue;
    let stub: Stub;
    if (policy === 'trap') {
      stub = trapping(imp.module, imp.name);
    } else {
      signatures ??= moduleFunctionTypes(bytes).imports;
      const sig = signatures.find((s) => s.module === imp.module && s.name === imp.name);
      stub = returningZeros(imp.module, imp.name, sig?.type.results ?? []);
    }
    if (!copied.has(imp.module)) {
      out[imp.module] = { ...ns };
      copied.add(imp.module);
    }
    out[imp.module]![imp.name] = stub;
  }
  return out;
}
