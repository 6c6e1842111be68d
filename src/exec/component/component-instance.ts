/**
 * Instantiating a transpiled component (layer: execution,
 * platform-neutral): the glue's source becomes its `instantiate` function
 * (once per transpiled component), the core modules are compiled (once),
 * and `instantiate` runs synchronously with Kiln's `wasi:*` imports. Every
 * interface the component imports must be there: one Kiln does not
 * implement is named before anything runs.
 */
import type { ComponentImports } from '../../syscalls/p2/imports.js';
import type { TranspiledComponent } from './transpile.js';

/** What the glue's `instantiate` returns: the component's exports, by name. */
export type ComponentExports = Record<string, unknown>;
type Instantiate = (getCoreModule: (name: string) => WebAssembly.Module, imports: ComponentImports) => ComponentExports;

/** The component imports interfaces Kiln does not implement. */
export class UnsupportedImportsError extends Error {
  /**
   * Interfaces the component imports that Kiln lacks.
   *
   * @param missing The interfaces, with their versions.
   */
  constructor(
    /** The interfaces, with their versions, that Kiln does not implement. */
    readonly missing: readonly string[],
  ) {
    super(`the component imports ${missing.join(', ')}, which Kiln does not implement yet (see docs/compatibility.md, "WASI preview 2")`);
    this.name = 'UnsupportedImportsError';
  }
}

/** The component is no `wasi:cli` command. */
export class NotACommandError extends Error {
  /**
   * The component exports no `wasi:cli/run`.
   *
   * @param exports What it exports instead.
   */
  constructor(exports: readonly string[]) {
    super(`the component exports no wasi:cli/run (it exports ${exports.length === 0 ? 'nothing' : exports.join(', ')}): only commands can run`);
    this.name = 'NotACommandError';
  }
}

interface Prepared {
  instantiate: Instantiate;
  modules: Map<string, WebAssembly.Module>;
}

/**
 * Components prepared on this thread, by key (the component's hash): a
 * process worker gets each run's component as a copy, and evaluating the
 * glue and compiling the cores again for each would cost more than the
 * run of a small program.
 */
const prepared = new Map<string, Prepared>();
/** The most components kept prepared. */
const PREPARED_ENTRIES = 8;

/** The glue's `instantiate`, evaluated from its source (it imports nothing: instantiation mode). */
function evaluateGlue(source: string): Instantiate {
  const declaration = 'export function instantiate(';
  const util = 'export const _util';
  if (source.split(declaration).length !== 2) throw new Error('unexpected glue: no single "export function instantiate"');
  const body = source.replace(declaration, 'function instantiate(').replace(util, 'const _util');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the glue is code Kiln's transpiler wrote
  return new Function(`${body}\nreturn instantiate;`)() as Instantiate;
}

function prepare(component: TranspiledComponent): Prepared {
  let p = prepared.get(component.key);
  if (p === undefined) {
    p = { instantiate: evaluateGlue(component.glue), modules: new Map() };
    while (prepared.size >= PREPARED_ENTRIES) prepared.delete(prepared.keys().next().value!);
  } else {
    prepared.delete(component.key); // most recently used last
  }
  prepared.set(component.key, p);
  return p;
}

const crossing = new WeakMap<TranspiledComponent, TranspiledComponent>();

/**
 * `component` as it crosses to process workers: its core modules in shared
 * memory, made once, so that handing it to a worker (every request a
 * served component handles there) copies the glue's text but not the
 * modules (13 MB for a JavaScript component).
 */
export function crossingCores(component: TranspiledComponent): TranspiledComponent {
  if (typeof SharedArrayBuffer !== 'function') return component;
  let shared = crossing.get(component);
  if (shared === undefined) {
    const cores = new Map<string, Uint8Array>();
    for (const [name, bytes] of component.cores) {
      const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
      copy.set(bytes);
      cores.set(name, copy);
    }
    shared = { ...component, cores };
    crossing.set(component, shared);
  }
  return shared;
}

/** The interface name without its version: `wasi:cli/environment@0.2.3` → `wasi:cli/environment`. */
export function unversioned(name: string): string {
  const at = name.lastIndexOf('@');
  return at > 0 ? name.slice(0, at) : name;
}

const importedByComponent = new WeakMap<TranspiledComponent, ReadonlySet<string>>();

/** The interfaces `component` imports, by unversioned name. */
export function importedInterfaces(component: TranspiledComponent): ReadonlySet<string> {
  let names = importedByComponent.get(component);
  if (names === undefined) {
    names = new Set(component.imports.map(unversioned));
    importedByComponent.set(component, names);
  }
  return names;
}

/** Throws UnsupportedImportsError unless `imports` (an import object, or the names it will have) has every interface the component imports. */
export function checkImports(component: TranspiledComponent, imports: ComponentImports | ReadonlySet<string>): void {
  const has = imports instanceof Set ? (name: string) => imports.has(name) : (name: string) => (imports as ComponentImports)[name] !== undefined;
  const missing = component.imports.filter((name) => !has(unversioned(name)));
  if (missing.length > 0) throw new UnsupportedImportsError(missing);
}

/** The `run` function of a command's `wasi:cli/run` export. */
export function commandRun(component: TranspiledComponent): string {
  const name = component.exports.find((e) => unversioned(e) === 'wasi:cli/run');
  if (name === undefined) throw new NotACommandError(component.exports);
  return name;
}

/** The component exports no `wasi:http/incoming-handler`. */
export class NotAnHttpHandlerError extends Error {
  /**
   * The component exports no incoming handler.
   *
   * @param exports What it exports instead.
   */
  constructor(exports: readonly string[]) {
    super(`the component exports no wasi:http/incoming-handler (it exports ${exports.length === 0 ? 'nothing' : exports.join(', ')}): only HTTP handlers can serve`);
    this.name = 'NotAnHttpHandlerError';
  }
}

/** The name of a component's `wasi:http/incoming-handler` export (NotAnHttpHandlerError without one). */
export function incomingHandlerExport(component: TranspiledComponent): string {
  const name = component.exports.find((e) => unversioned(e) === 'wasi:http/incoming-handler');
  if (name === undefined) throw new NotAnHttpHandlerError(component.exports);
  return name;
}

/**
 * Instantiates `component` with `imports` (each interface it imports must
 * be there) and returns its exports. Throws a LinkError or CompileError as
 * the engine does.
 */
export function instantiateComponent(component: TranspiledComponent, imports: ComponentImports): ComponentExports {
  checkImports(component, imports);
  const p = prepare(component);
  const getCoreModule = (name: string): WebAssembly.Module => {
    let m = p.modules.get(name);
    if (m === undefined) {
      const bytes = component.cores.get(name);
      if (bytes === undefined) throw new Error(`the glue asked for a core module the transpiler did not write: ${name}`);
      // Cores that crossed to a worker in shared memory (crossingCores) are compiled from a copy: the JS API takes unshared bytes.
      m = new WebAssembly.Module((bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice()) as Uint8Array<ArrayBuffer>);
      p.modules.set(name, m);
    }
    return m;
  };
  return p.instantiate(getCoreModule, imports);
}

/**
 * Instantiates `component` with `imports` and returns its `wasi:cli/run`
 * `run` function. Throws a LinkError or CompileError as the engine does.
 */
export function instantiateCommand(component: TranspiledComponent, imports: ComponentImports): () => void {
  const runExport = commandRun(component);
  const exports = instantiateComponent(component, imports);
  const run = (exports[runExport] as { run?: () => void } | undefined)?.run;
  if (typeof run !== 'function') throw new NotACommandError(component.exports);
  return run;
}
