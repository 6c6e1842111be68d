/**
 * Function signatures read from a module's binary (layer: front doors).
 * `WebAssembly.Module.imports()` and `.exports()` name each import and
 * export and its kind, but Node 20 does not say a function's type (the
 * type reflection proposal is not shipped there). A host that stands in
 * for a missing function import must know what it returns, and one that
 * calls an export with arguments typed on a command line must know what
 * it takes: both read the type (1), import (2), function (3) and export
 * (7) sections here (WebAssembly core spec, 5.5 "Modules"; type
 * definitions as extended by the GC proposal, so that such modules are
 * read too).
 */
import { ModuleFormatError, Reader, memoryDeclaration } from '../exec/module-binary.js';

/**
 * A value type as the text format spells it: `i32`, `i64`, `f32`, `f64`,
 * `v128`, an abbreviated reference type (`funcref`, `externref`, ...), or
 * `(ref null N)` / `(ref N)` / `(ref func)` for the general forms.
 */
export type ValType = string;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface FunctionImport {
  module: string;
  name: string;
  type: FuncType;
}

export interface ModuleFunctionTypes {
  /** The function imports, in the order of the import section. */
  imports: FunctionImport[];
  /** The type of each exported function, by export name. */
  exports: Map<string, FuncType>;
}

/** Whether a value of this type may be null (a nullable reference). */
export function isNullableRef(t: ValType): boolean {
  return t.startsWith('(ref null ') || (t.endsWith('ref') && !t.startsWith('('));
}

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_EXPORT = 7;

const NUMERIC: Readonly<Record<number, ValType>> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

/** Abstract heap types by their one-byte encoding; `<name>ref` is the nullable shorthand. */
const HEAP: Readonly<Record<number, string>> = {
  0x70: 'func', 0x6f: 'extern', 0x6e: 'any', 0x6d: 'eq', 0x6c: 'i31', 0x6b: 'struct', 0x6a: 'array',
  0x69: 'exn', 0x71: 'none', 0x72: 'noextern', 0x73: 'nofunc', 0x74: 'noexn',
};
/** The shorthands of the bottom types are spelled `nullref`, `nullexternref`, ... */
const SHORTHAND: Readonly<Record<string, string>> = { none: 'null', noextern: 'nullextern', nofunc: 'nullfunc', noexn: 'nullexn' };

/** A signed LEB128 of up to 33 bits (a heap type: negative for abstract ones). */
function s33(r: Reader): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    const b = r.byte();
    result += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return (b & 0x40) !== 0 ? result - scale : result;
  }
  throw new ModuleFormatError('LEB128 too long');
}

function heapType(r: Reader): string {
  const first = r.bytes[r.at];
  if (first !== undefined && HEAP[first] !== undefined) {
    r.at++;
    return HEAP[first]!;
  }
  const index = s33(r);
  if (index < 0) throw new ModuleFormatError(`unknown heap type ${index}`);
  return String(index);
}

function valType(r: Reader): ValType {
  const b = r.byte();
  const numeric = NUMERIC[b];
  if (numeric !== undefined) return numeric;
  const heap = HEAP[b];
  if (heap !== undefined) return `${SHORTHAND[heap] ?? heap}ref`;
  if (b === 0x63) return `(ref null ${heapType(r)})`;
  if (b === 0x64) return `(ref ${heapType(r)})`;
  throw new ModuleFormatError(`unknown value type 0x${b.toString(16)}`);
}

function vec<T>(r: Reader, item: () => T): T[] {
  const n = r.leb();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item());
  return out;
}

/** A field or array element: a value type or a packed i8/i16, then mutability. */
function fieldType(r: Reader): void {
  const b = r.bytes[r.at];
  if (b === 0x78 || b === 0x77) r.at++;
  else valType(r);
  r.byte();
}

/** One composite type; undefined for struct and array types. */
function compositeType(r: Reader): FuncType | undefined {
  const form = r.byte();
  switch (form) {
    case 0x60: return { params: vec(r, () => valType(r)), results: vec(r, () => valType(r)) };
    case 0x5f: vec(r, () => fieldType(r)); return undefined;
    case 0x5e: fieldType(r); return undefined;
    default: throw new ModuleFormatError(`unknown type form 0x${form.toString(16)}`);
  }
}

/** One sub type (possibly with declared supertypes); each is one type index. */
function subType(r: Reader): FuncType | undefined {
  const b = r.bytes[r.at];
  if (b === 0x50 || b === 0x4f) {
    r.at++;
    vec(r, () => r.leb());
  }
  return compositeType(r);
}

function typeSection(r: Reader): (FuncType | undefined)[] {
  const types: (FuncType | undefined)[] = [];
  const count = r.leb();
  for (let i = 0; i < count; i++) {
    if (r.bytes[r.at] === 0x4e) {
      r.at++;
      types.push(...vec(r, () => subType(r)));
    } else {
      types.push(subType(r));
    }
  }
  return types;
}

/** Limits of a table or memory: flags, minimum, maximum (flag 1), page size (flag 8, custom page sizes). */
function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.leb();
  if (flags & 1) r.leb();
  if (flags & 8) r.leb();
}

function typeAt(types: readonly (FuncType | undefined)[], index: number): FuncType {
  const t = types[index];
  if (t === undefined) throw new ModuleFormatError(`function type ${index} is not a function type`);
  return t;
}

/** The types of a module's function imports and exported functions. */
export function moduleFunctionTypes(bytes: Uint8Array): ModuleFunctionTypes {
  memoryDeclaration(bytes); // checks the header
  let types: (FuncType | undefined)[] = [];
  const imports: FunctionImport[] = [];
  const defined: FuncType[] = [];
  const exports = new Map<string, FuncType>();
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (id === SECTION_TYPE) {
      types = typeSection(r);
    } else if (id === SECTION_IMPORT) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        switch (kind) {
          case 0: imports.push({ module, name, type: typeAt(types, r.leb()) }); break;
          case 1: valType(r); skipLimits(r); break; // table: reference type, limits
          case 2: skipLimits(r); break; // memory
          case 3: valType(r); r.byte(); break; // global: value type, mutability
          case 4: r.byte(); r.leb(); break; // tag: attribute, type index
          default: throw new ModuleFormatError(`unknown import kind ${kind}`);
        }
      }
    } else if (id === SECTION_FUNCTION) {
      defined.push(...vec(r, () => typeAt(types, r.leb())));
    } else if (id === SECTION_EXPORT) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kind = r.byte();
        const index = r.leb();
        if (kind !== 0) continue;
        const type = index < imports.length ? imports[index]!.type : defined[index - imports.length];
        if (type === undefined) throw new ModuleFormatError(`export ${JSON.stringify(name)} names function ${index}, which does not exist`);
        exports.set(name, type);
      }
      break; // nothing after the export section is needed
    }
    r.at = end;
  }
  return { imports, exports };
}
