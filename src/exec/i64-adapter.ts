/**
 * The i64 adapter (layer: execution): a small wasm module, generated from
 * the signature tables, that lets a guest call system calls with wasm i64
 * parameters without a single BigInt.
 *
 * When wasm calls a JavaScript function, V8 turns every i64 argument into
 * a BigInt (an allocation per argument per call). The adapter sits between
 * the guest and the JavaScript functions: it imports each function in its
 * *split* form, every i64 parameter as two i32 (low half, high half; see
 * `SplitArgsOf` in abi/signatures.ts), and exports a function with the
 * original signature that splits its i64 arguments (`i32.wrap_i64`,
 * `i64.shr_u`) and calls the import. The guest imports the adapter's
 * exports: a wasm-to-wasm call, then a wasm-to-JS call with only i32
 * arguments, which are plain numbers. Functions without i64 parameters
 * need no adapter and are linked as they are.
 *
 * The adapter's exports are real wasm functions with the guest-facing
 * signature, so they can be handed to any `WebAssembly.instantiate` (this is
 * what `wasiImport` and `getImportObject()` give), and called from
 * JavaScript with bigints for the i64 parameters, as node:wasi's functions
 * are.
 *
 * One module is compiled per list of parameter types and kept (functions
 * of the same types, and every process of a thread, share it); a process
 * instantiates it over each of its functions that its guest links. The
 * binary is written here directly (WebAssembly core spec, 5.5 "Modules"):
 * type, import, function, export and code sections.
 */
import { isI64Kind, isWidePointerKind, type Signature } from '../abi/signatures.js';
import { VOID_FUNCTIONS } from '../abi/wasix-signatures.js';

/** A function in split form: every argument an i32 number, an errno (or a value) back. */
export type SplitFunction = (...args: number[]) => number;

/** The namespace an adapter imports its split function from. */
const IMPORT_MODULE = 'k';

const enum Op {
  LOCAL_GET = 0x20,
  CALL = 0x10,
  END = 0x0b,
  I64_CONST = 0x42,
  I64_SHR_U = 0x88,
  I32_WRAP_I64 = 0xa7,
}

const enum ValType { I32 = 0x7f, I64 = 0x7e }

const enum Section { TYPE = 1, IMPORT = 2, FUNCTION = 3, EXPORT = 7, CODE = 10 }

const FUNC_TYPE = 0x60;
const EXTERN_FUNC = 0x00;
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** For each parameter of a signature, true when it is a wasm i64. */
function i64Params(sig: Signature): boolean[] {
  return sig.map(([, kind]) => isI64Kind(kind));
}

function uleb(n: number, out: number[]): void {
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function name(s: string, out: number[]): void {
  // Import and export names are ASCII identifiers.
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0x7f);
}

function section(id: Section, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  for (const b of content) out.push(b);
}

/**
 * The adapter's binary for `functions`: for each, an import of its split
 * form (`k.<name>`) and an export of its original form (`<name>`), each
 * export splitting its i64 parameters and calling its import. Every
 * function returns an i32 (an errno), except those marked as having no
 * result (WASIX `stack_restore`).
 */
export function adapterBytes(functions: readonly (readonly [name: string, i64: readonly boolean[], noResult?: boolean])[]): Uint8Array<ArrayBuffer> {
  // Types: one per distinct parameter list, split forms and original forms alike.
  const types: { params: ValType[]; result: boolean }[] = [];
  const typeKeys = new Map<string, number>();
  const typeOf = (params: ValType[], result: boolean): number => {
    const key = `${params.join(',')}->${result}`;
    let index = typeKeys.get(key);
    if (index === undefined) {
      index = types.length;
      types.push({ params, result });
      typeKeys.set(key, index);
    }
    return index;
  };
  const importTypes: number[] = [];
  const exportTypes: number[] = [];
  for (const [, i64, noResult] of functions) {
    importTypes.push(typeOf(i64.flatMap((wide) => (wide ? [ValType.I32, ValType.I32] : [ValType.I32])), noResult !== true));
    exportTypes.push(typeOf(i64.map((wide) => (wide ? ValType.I64 : ValType.I32)), noResult !== true));
  }

  const out = [...MAGIC_AND_VERSION];

  const typeSection: number[] = [];
  uleb(types.length, typeSection);
  for (const { params, result } of types) {
    typeSection.push(FUNC_TYPE);
    uleb(params.length, typeSection);
    typeSection.push(...params);
    if (result) typeSection.push(1, ValType.I32);
    else typeSection.push(0);
  }
  section(Section.TYPE, typeSection, out);

  const importSection: number[] = [];
  uleb(functions.length, importSection);
  functions.forEach(([fname], i) => {
    name(IMPORT_MODULE, importSection);
    name(fname, importSection);
    importSection.push(EXTERN_FUNC);
    uleb(importTypes[i]!, importSection);
  });
  section(Section.IMPORT, importSection, out);

  const functionSection: number[] = [];
  uleb(functions.length, functionSection);
  for (const t of exportTypes) uleb(t, functionSection);
  section(Section.FUNCTION, functionSection, out);

  const exportSection: number[] = [];
  uleb(functions.length, exportSection);
  functions.forEach(([fname], i) => {
    name(fname, exportSection);
    exportSection.push(EXTERN_FUNC);
    uleb(functions.length + i, exportSection); // defined functions follow the imported ones
  });
  section(Section.EXPORT, exportSection, out);

  const codeSection: number[] = [];
  uleb(functions.length, codeSection);
  functions.forEach(([, i64], i) => {
    const body: number[] = [0]; // no locals
    i64.forEach((wide, p) => {
      body.push(Op.LOCAL_GET);
      uleb(p, body);
      if (!wide) return;
      // low half: the i64 wrapped; high half: the i64 shifted right by 32, wrapped
      body.push(Op.I32_WRAP_I64, Op.LOCAL_GET);
      uleb(p, body);
      body.push(Op.I64_CONST, 32, Op.I64_SHR_U, Op.I32_WRAP_I64);
    });
    body.push(Op.CALL);
    uleb(i, body);
    body.push(Op.END);
    uleb(body.length, codeSection);
    codeSection.push(...body);
  });
  section(Section.CODE, codeSection, out);

  return new Uint8Array(out);
}

/** The name of the one function a compiled adapter imports and exports. */
const FUNCTION_NAME = 'f';

/** Compiled one-function adapters, by parameter types ('i' for i32, 'L' for i64): functions of the same types share one. */
const compiled = new Map<string, WebAssembly.Module>();

/**
 * The compiled adapter for a function whose parameters are i64 where
 * `i64` says (compiled on first use, then kept): it imports `k.f` in split
 * form and exports `f` with these parameters.
 */
export function i64AdapterModule(i64: readonly boolean[], noResult = false): WebAssembly.Module {
  const key = i64.map((wide) => (wide ? 'L' : 'i')).join('') + (noResult ? 'v' : '');
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(adapterBytes([[FUNCTION_NAME, i64, noResult]]));
    compiled.set(key, module);
  }
  return module;
}

/** `split` as a wasm function with the guest-facing signature whose parameters are i64 where `i64` says. */
export function adapt(i64: readonly boolean[], split: SplitFunction, noResult = false): WebAssembly.ExportValue {
  const instance = new WebAssembly.Instance(i64AdapterModule(i64, noResult), { [IMPORT_MODULE]: { [FUNCTION_NAME]: split } });
  return instance.exports[FUNCTION_NAME]!;
}

/** A function of a linked record whose adapter is made when the guest (or anyone) first reads it. */
interface Pending { i64: readonly boolean[]; split: SplitFunction; noResult: boolean; linked?: unknown }

/** For each record `linkThroughAdapter` made, its functions that go through an adapter. */
const pendingOf = new WeakMap<object, Map<string, Pending>>();

/** The pending entry of `name` for `receiver` or the linked record it inherits from. */
function pendingEntry(receiver: object, name: string): Pending | undefined {
  for (let o: object | null = receiver; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const entry = pendingOf.get(o)?.get(name);
    if (entry !== undefined) return entry;
  }
  return undefined;
}

/**
 * The accessor of `name` on linked records. It is one object per name,
 * shared by every record: an accessor made per record would give every
 * record its own hidden classes (slow to create, and a growing transition
 * tree in the engine).
 */
const accessors = new Map<string, PropertyDescriptor>();

function accessor(name: string): PropertyDescriptor {
  let d = accessors.get(name);
  if (d === undefined) {
    d = {
      enumerable: true,
      configurable: true,
      get(this: object): unknown {
        const entry = pendingEntry(this, name);
        if (entry === undefined) return undefined;
        entry.linked ??= adapt(entry.i64, entry.split, entry.noResult);
        return entry.linked;
      },
      set(this: object, value: unknown): void {
        const entry = pendingEntry(this, name);
        if (entry !== undefined) entry.linked = value;
      },
    };
    accessors.set(name, d);
  }
  return d;
}

/**
 * Links `split` (functions in split form, by name) for a guest: a record
 * with the same names in the same order, in which every function that
 * `table` gives an i64 parameter is an adapter's export (the original
 * wasm signature, calling the split function) and every other function is
 * the split function itself (split and original forms are the same when
 * nothing is i64).
 *
 * Each adapter is instantiated when its property is first read (an
 * accessor that then keeps it): instantiating one costs some
 * microseconds, and a guest imports few of these functions, so a process
 * pays only for those its guest links (WebAssembly.instantiate reads just
 * the imports the module names).
 */
export function linkThroughAdapter<T>(table: Readonly<Record<string, Signature>>, split: Readonly<Record<string, SplitFunction>>): T {
  const wide = wideFunctions(table);
  const linked: Record<string, unknown> = {};
  const pending = new Map<string, Pending>();
  for (const name in split) {
    const fn = split[name]!;
    const i64 = wide.get(name);
    if (i64 === undefined) {
      linked[name] = fn;
    } else {
      pending.set(name, { i64, split: fn, noResult: VOID_FUNCTIONS.has(name) });
      Object.defineProperty(linked, name, accessor(name));
    }
  }
  pendingOf.set(linked, pending);
  return linked as T;
}

/** For each signature table, its functions with an i64 parameter and which of their parameters are. */
const wideByTable = new WeakMap<object, ReadonlyMap<string, readonly boolean[]>>();

function wideFunctions(table: Readonly<Record<string, Signature>>): ReadonlyMap<string, readonly boolean[]> {
  let wide = wideByTable.get(table);
  if (wide === undefined) {
    const map = new Map<string, readonly boolean[]>();
    for (const [name, sig] of Object.entries(table)) {
      const i64 = i64Params(sig);
      if (i64.includes(true)) map.set(name, i64);
    }
    wide = map;
    wideByTable.set(table, wide);
  }
  return wide;
}

/**
 * A 32-bit body behind a 64-bit signature: each widened pointer or size
 * (two i32 halves) becomes one i32, its low half, or 2^32 - 1 when the
 * high half is not 0; other arguments pass as they are.
 */
export function narrowing(sig: Signature, body: SplitFunction): SplitFunction {
  const plan = sig.map(([, kind]) => (isWidePointerKind(kind) ? 2 : isI64Kind(kind) ? 1 : 0));
  return (...args: number[]): number => {
    const out: number[] = [];
    let k = 0;
    for (const p of plan) {
      if (p === 2) { out.push(args[k + 1] === 0 ? args[k]! : -1); k += 2; }
      else if (p === 1) { out.push(args[k]!, args[k + 1]!); k += 2; }
      else out.push(args[k++]!);
    }
    return body(...out);
  };
}
