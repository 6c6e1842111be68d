/**
 * Linking and starting one waPC guest instance (layer: waPC host), shared
 * by the built-in engines: the `wapc` imports over the instance's memory,
 * WASI when the guest wants it, the export checks, and the start functions
 * (`_start`, `_initialize`, `wapc_init`, each if exported, in that order;
 * `proc_exit(0)` ends one normally, any other exit status fails it).
 *
 * A module's own start function (wasm start section) is turned into an
 * export and run first, after instantiation (START_SECTION_EXPORT).
 *
 * WASI: a module that imports `wasi_snapshot_preview1` or `wasi_unstable`
 * gets a fresh Kiln WASI per instance (both namespaces over the same
 * process), configured from the engine's `wasi` options; without options
 * it gets a sandbox with no directories, arguments or environment, and the
 * host's stdout and stderr. Nothing outside what the options grant is
 * reachable.
 */
import type { FileSystem } from '../host/fs/types.js';
import { ProcessExit } from '../abi/process-exit.js';
import type { Platform } from '../front/platform.js';
import { requireImports, type ImportObject } from '../exec/imports-check.js';
import { exportStartFunction } from '../exec/module-binary.js';
import { WASI } from '../front/wasi.js';
import type { DeadlineRunner } from '../host/deadline.js';
import type { CheckedEngineOptions, CheckedWasiOptions } from './engine-options.js';
import { createWapcImports, InstanceMemory, type HostCallDispatch } from './imports.js';
import type { ModuleState } from './state.js';

export type { WapcOutput, WapcWasiOptions, WebAssemblyEngineOptions } from './engine-options.js';

/** What an engine needs from the platform it runs on. */
export interface WapcPlatform {
  /** The platform whose runtime WASI guests use (host descriptors and directories). */
  platform: Platform;
  /** Stops runaway guests; engines with `timeoutMs` need it. */
  deadline?: DeadlineRunner;
}

export const START_FUNCTIONS = ['_start', '_initialize', 'wapc_init'] as const;

type GuestCall = (opLength: number, msgLength: number) => number | Promise<number>;

/** A linked, instantiated guest whose start functions have not run yet. */
export interface LinkedGuest {
  guestCall: GuestCall;
  starters: { name: string; fn: () => unknown }[];
  wasi: WASI | undefined;
}

/** True when the module imports WASI (either namespace). */
export function importsWasi(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.module === 'wasi_snapshot_preview1' || i.module === 'wasi_unstable');
}

function envPairs(env: CheckedWasiOptions['env']): Record<string, string> {
  if (env === undefined) return {};
  if (Array.isArray(env)) return Object.fromEntries(env as readonly (readonly [string, string])[]);
  return { ...(env as Record<string, string>) };
}

function guestWasi(options: CheckedWasiOptions, platform: Platform): WASI {
  const preopens: Record<string, string | FileSystem> = {};
  for (const dir of options.preopenedDirs ?? []) preopens[dir] = dir;
  for (const [guest, target] of options.mapDirs ?? []) preopens[guest] = target;
  return new WASI({
    version: 'preview1',
    args: options.argv ?? [],
    env: envPairs(options.env),
    preopens,
    stdout: options.stdout,
    stderr: options.stderr,
    returnOnExit: true,
  }, platform);
}

/**
 * The export under which a module's own start function (its wasm start
 * section) is called, after instantiation: run inside instantiation, it
 * could not reach the guest's memory, which a host call from it needs
 * (AssemblyScript guests register and call the host from there).
 */
export const START_SECTION_EXPORT = '__kiln_start_section';

function prepared(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return exportStartFunction(bytes, START_SECTION_EXPORT) as Uint8Array<ArrayBuffer>;
}

function notCompiled(e: unknown): Error {
  return new Error(`the module does not compile: ${(e as Error).message}`, { cause: e });
}

function checkSource(source: unknown): asserts source is Uint8Array | WebAssembly.Module {
  if (!(source instanceof Uint8Array || source instanceof WebAssembly.Module)) {
    throw new TypeError('the module must be a Uint8Array or a WebAssembly.Module');
  }
}

/** Compiles module bytes synchronously (or takes a compiled module); the error says why it is not a module. */
export function compileGuest(source: Uint8Array | WebAssembly.Module): WebAssembly.Module {
  checkSource(source);
  if (source instanceof WebAssembly.Module) return source;
  try {
    return new WebAssembly.Module(prepared(source));
  } catch (e) {
    throw notCompiled(e);
  }
}

/** compileGuest without blocking the thread. */
export async function compileGuestAsync(source: Uint8Array | WebAssembly.Module): Promise<WebAssembly.Module> {
  checkSource(source);
  if (source instanceof WebAssembly.Module) return source;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = prepared(source);
  } catch (e) {
    throw notCompiled(e);
  }
  return WebAssembly.compile(bytes).catch((e: unknown) => { throw notCompiled(e); });
}

export interface LinkOptions {
  module: WebAssembly.Module;
  state: ModuleState;
  /** The engine's options, checked (checkEngineOptions). */
  options: CheckedEngineOptions;
  platform: WapcPlatform;
  /** Replaces the synchronous host call (asynchronous engines). */
  hostCall?: HostCallDispatch;
  /** Adapts the `wapc` imports and the guest's exports (JSPI wraps them). */
  wrapImport?: (fn: (...args: number[]) => unknown) => unknown;
  wrapExport?: (fn: (...args: number[]) => unknown) => (...args: number[]) => unknown;
}

/** Links and instantiates a guest; throws with the reason if it cannot be linked or lacks `memory` / `__guest_call`. */
export function linkGuest(link: LinkOptions): LinkedGuest {
  const { module, state, options, platform } = link;
  const memory = new InstanceMemory();
  const log = options.consoleLog;
  const wapc = createWapcImports({
    state,
    memory,
    consoleLog: log === undefined ? (m) => console.info(`Guest module ${state.id}: ${m}`) : (m) => log(m, state.id),
    hostCall: link.hostCall,
  }) as unknown as Record<string, (...args: number[]) => unknown>;
  if (link.wrapImport !== undefined) wapc['__host_call'] = link.wrapImport(wapc['__host_call']!) as (...args: number[]) => unknown;
  const imports: ImportObject = { wapc };
  let wasi: WASI | undefined;
  if (options.wasi !== undefined || importsWasi(module)) {
    wasi = guestWasi(options.wasi ?? {}, platform.platform);
    imports['wasi_snapshot_preview1'] = wasi.wasiImport as unknown as Record<string, unknown>;
    imports['wasi_unstable'] = wasi.unstableImport as unknown as Record<string, unknown>;
  }
  requireImports(module, imports);
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  const exports = instance.exports;
  const mem = exports['memory'];
  if (!(mem instanceof WebAssembly.Memory)) throw new Error("the module does not export its memory as 'memory'");
  const call = exports['__guest_call'];
  if (typeof call !== 'function') throw new Error("the module does not export '__guest_call'");
  memory.attach(mem);
  wasi?.attach(instance);
  const wrap = link.wrapExport ?? ((fn) => fn);
  const starters: LinkedGuest['starters'] = [];
  for (const name of [START_SECTION_EXPORT, ...START_FUNCTIONS]) {
    const fn = exports[name];
    if (typeof fn === 'function') starters.push({ name, fn: wrap(fn as (...args: number[]) => unknown) as () => unknown });
  }
  return { guestCall: wrap(call as (...args: number[]) => unknown) as GuestCall, starters, wasi };
}

/** The message for a start function that did not end normally, or undefined when it did (returned, or proc_exit(0)). */
export function startFailure(name: string, e: unknown): string | undefined {
  const what = name === START_SECTION_EXPORT ? 'the start function' : name;
  if (e instanceof ProcessExit) return e.code === 0 ? undefined : `${what} exited with status ${e.code}`;
  return `${what} failed: ${e instanceof Error ? e.message : String(e)}`;
}

/** Runs the start functions in order (synchronously); throws the first failure. */
export function startGuest(guest: LinkedGuest, run: <T>(body: () => T) => T = (b) => b()): void {
  for (const { name, fn } of guest.starters) {
    try {
      run(fn);
    } catch (e) {
      const failure = startFailure(name, e);
      if (failure !== undefined) throw new Error(failure, { cause: e });
    }
  }
}

/** Closes what the instance holds (its WASI descriptors). */
export function releaseGuest(guest: LinkedGuest | undefined): void {
  void guest?.wasi?.process.end({ kind: 'exit', code: 0 });
}
