/**
 * From a component's bytes to what runs it (layer: execution,
 * platform-neutral): jco's transpiler (`@bytecodealliance/jco-transpile`,
 * an optional dependency loaded on first use) writes the canonical-ABI
 * glue as one JavaScript function (`instantiate`, synchronous) and splits
 * out the core modules it instantiates. Kiln implements the `wasi:*`
 * imports the glue calls (syscalls/p2).
 *
 * Transpiling takes a few hundred milliseconds, so results are kept,
 * keyed by the SHA-256 of the component: in memory (the last few, for
 * the API), and by an optional `TranspileCache` (the CLI keeps them on
 * disk, exec/node/component-disk-cache.ts), which is asked first.
 *
 * For JSPI (`runHere()`), the glue is written a second way (`suspending`):
 * the imports that may wait (jco's list of blocking WASI calls, the same
 * methods Kiln's host runs through `HostContext.blocking`) are wrapped in
 * `WebAssembly.Suspending`, and `wasi:cli/run`'s `run` and
 * `wasi:http/incoming-handler`'s `handle` in `WebAssembly.promising`. It is
 * kept under its own key.
 */

import { rewriteGlue } from './glue-rewrites.js';
import type { ParseModule } from './glue-class-hoisting.js';
import { DESCRIPTOR_BACKEND_METHODS } from '../../syscalls/p2/filesystem-descriptor.js';
import { kebab } from '../../syscalls/p2/values.js';

/** The npm package that transpiles components (an optional dependency of Kiln). */
export const TRANSPILER_PACKAGE = '@bytecodealliance/jco-transpile';
const TRANSPILER_ENTRY = `${TRANSPILER_PACKAGE}/component`;
/** The parser the glue's rewrites use (a dependency of Kiln, loaded only to transpile). */
const PARSER_PACKAGE = 'acorn';

/** A transpiled component: the glue's source, its core modules, and what it imports and exports. */
export interface TranspiledComponent {
  /** SHA-256 of the component's bytes, in hex (and `-jspi` for the suspending glue). */
  readonly key: string;
  /** The glue suspends on the imports that may wait and `run` gives a promise (JSPI). */
  readonly suspending?: boolean;
  /** The glue: an ES module source that exports `instantiate(getCoreModule, imports, instantiateCore?)`. */
  readonly glue: string;
  /** The core modules, by the name the glue asks for. */
  readonly cores: ReadonlyMap<string, Uint8Array>;
  /** The interfaces the component imports, with their versions (`wasi:cli/environment@0.2.3`). */
  readonly imports: readonly string[];
  /** Its exports (`wasi:cli/run@0.2.3`). */
  readonly exports: readonly string[];
}

/** Somewhere transpiled components are kept between runs (the CLI: a directory). */
export interface TranspileCache {
  /** The component transpiled from bytes whose SHA-256 is `key` (hex), if kept. */
  get(key: string): TranspiledComponent | undefined | Promise<TranspiledComponent | undefined>;
  /** Keeps a component just transpiled (a failure to keep it only costs a later transpile). */
  set(component: TranspiledComponent): void | Promise<void>;
}

/** Running a component needs the transpiler, and it is not installed. */
export class TranspilerMissingError extends Error {
  /**
   * The transpiler could not be loaded.
   *
   * @param cause Why loading it failed.
   */
  constructor(cause: unknown) {
    super(`running a WebAssembly component needs ${TRANSPILER_PACKAGE} (npm install ${TRANSPILER_PACKAGE}); it could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TranspilerMissingError';
  }
}

/** The transpiler rejected the component (not valid, or a feature jco does not support). */
export class ComponentTranspileError extends Error {
  /**
   * The transpiler refused the component.
   *
   * @param message The transpiler's own words.
   */
  constructor(message: string) {
    super(`the component could not be transpiled: ${message}`);
    this.name = 'ComponentTranspileError';
  }
}

/** What `generate` of jco's bindgen component takes and gives (the parts Kiln uses). */
interface GenerateOptions {
  name: string;
  asyncMode?: { tag: 'sync' } | { tag: 'jspi'; val: { imports: string[]; exports: string[] } };
  instantiation: { tag: 'sync' };
  noTypescript: boolean;
  map: [string, string][];
  noNodejsCompat: boolean;
  noComponentErrorWrapping: boolean;
  tlaCompat: boolean;
  validLiftingOptimization: boolean;
  tracing: boolean;
}
interface Generated {
  files: [string, Uint8Array][];
  imports: string[];
  exports: [string, string][];
}
interface BindgenModule {
  $init: Promise<void>;
  generate(bytes: Uint8Array, options: GenerateOptions): Generated;
}

const NAME = 'component';
const OPTIONS: GenerateOptions = {
  name: NAME,
  instantiation: { tag: 'sync' },
  noTypescript: true,
  map: [],
  noNodejsCompat: true,
  noComponentErrorWrapping: true,
  tlaCompat: false,
  validLiftingOptimization: false,
  tracing: false,
};

/**
 * The imports that may wait, as jco names them for JSPI: its own list of
 * blocking WASI calls (ASYNC_WASI_IMPORTS), and the calls that may meet an
 * asynchronous filesystem (the descriptor's methods, a stream's reads and
 * writes: a file opened for appending asks its size).
 * Kiln's host runs each through `HostContext.blocking`.
 */
const SUSPENDING_IMPORTS = [
  ...DESCRIPTOR_BACKEND_METHODS.map((m) => `wasi:filesystem/types#[method]descriptor.${kebab(m)}`),
  'wasi:io/streams#[method]input-stream.read',
  'wasi:io/streams#[method]input-stream.skip',
  'wasi:io/streams#[method]output-stream.check-write',
  'wasi:io/streams#[method]output-stream.write',
  'wasi:io/streams#[method]output-stream.flush',
  'wasi:io/streams#[method]output-stream.write-zeroes',
  'wasi:io/streams#[method]output-stream.splice',
  'wasi:io/poll#poll',
  'wasi:io/poll#[method]pollable.block',
  'wasi:io/streams#[method]input-stream.blocking-read',
  'wasi:io/streams#[method]input-stream.blocking-skip',
  'wasi:io/streams#[method]output-stream.blocking-flush',
  'wasi:io/streams#[method]output-stream.blocking-write-and-flush',
  'wasi:io/streams#[method]output-stream.blocking-write-zeroes-and-flush',
  'wasi:io/streams#[method]output-stream.blocking-splice',
];
const SUSPENDING_OPTIONS: GenerateOptions = {
  ...OPTIONS,
  asyncMode: { tag: 'jspi', val: { imports: SUSPENDING_IMPORTS, exports: ['wasi:cli/run#run', 'wasi:http/incoming-handler#handle'] } },
};

let bindgen: Promise<BindgenModule> | undefined;
let parser: Promise<ParseModule | undefined> | undefined;

/** The JavaScript parser that glue-class-hoisting.ts works on (acorn), loaded once; without it the glue keeps its classes where jco put them. */
function loadParser(): Promise<ParseModule | undefined> {
  parser ??= (async () => {
    try {
      const entry = PARSER_PACKAGE;
      const acorn = await import(entry) as { parse(source: string, options: object): ReturnType<ParseModule> };
      return (source: string) => acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' });
    } catch {
      return undefined;
    }
  })();
  return parser;
}

/** Loads the transpiler once (a specifier in a variable, so that bundlers leave the optional package out). */
function loadBindgen(): Promise<BindgenModule> {
  bindgen ??= (async () => {
    let mod: BindgenModule;
    try {
      const entry = TRANSPILER_ENTRY;
      mod = await import(entry) as BindgenModule;
    } catch (e) {
      bindgen = undefined;
      throw new TranspilerMissingError(e);
    }
    await mod.$init;
    return mod;
  })();
  return bindgen;
}

/** The hex SHA-256 of `bytes`. */
async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The most transpiled components kept in memory. */
const MEMORY_ENTRIES = 8;
const inMemory = new Map<string, TranspiledComponent>();

function remember(c: TranspiledComponent): TranspiledComponent {
  inMemory.delete(c.key);
  inMemory.set(c.key, c);
  while (inMemory.size > MEMORY_ENTRIES) inMemory.delete(inMemory.keys().next().value!);
  return c;
}

/**
 * Transpiles `bytes` (a component), or takes it from memory or `cache`;
 * with `suspending`, the glue for JSPI (`runHere()`).
 */
export async function transpileComponent(bytes: Uint8Array, cache?: TranspileCache, suspending = false): Promise<TranspiledComponent> {
  const key = `${await sha256(bytes)}${suspending ? '-jspi' : ''}`;
  const kept = inMemory.get(key) ?? await cache?.get(key);
  if (kept !== undefined) return remember(kept);
  const [{ generate }, parse] = await Promise.all([loadBindgen(), loadParser()]);
  let out: Generated;
  try {
    out = generate(bytes, suspending ? SUSPENDING_OPTIONS : OPTIONS);
  } catch (e) {
    throw new ComponentTranspileError(describe(e));
  }
  const files = new Map(out.files);
  const glue = files.get(`${NAME}.js`);
  if (glue === undefined) throw new ComponentTranspileError(`the transpiler wrote no ${NAME}.js`);
  files.delete(`${NAME}.js`);
  const component: TranspiledComponent = {
    key,
    ...(suspending ? { suspending } : {}),
    glue: rewriteGlue(new TextDecoder().decode(glue), suspending, parse),
    cores: files,
    imports: out.imports,
    exports: out.exports.map(([name]) => name),
  };
  await cache?.set(component);
  return remember(component);
}

/** A transpiler failure's text: its payload (jco throws strings and `{ tag, val }` values) or message. */
function describe(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'payload' in e) return describe((e as { payload: unknown }).payload);
  if (typeof e === 'object' && e !== null && 'val' in e) return describe((e as { val: unknown }).val);
  return String(e);
}
