/**
 * The built-in waPC engines' options and their check (layer: waPC host).
 * Every engine (`WebAssemblyEngine`, `WebAssemblyEngineAsync`, the worker
 * engine, each engine of a pool) checks its options when it is constructed,
 * so a wrong value is a TypeError naming the option and what it accepts,
 * not a guest whose writes later fail with EIO. The check also settles the
 * one shorthand: a function given as `wasi.stdout` or `wasi.stderr` becomes
 * a `CallbackStream`, as with `WasiBuilder.stdout(fn)`.
 */
import type { OutputStream } from '../host/stdio.js';
import { describeValue, outputOption, type OutputOption } from '../host/stream-options.js';
import type { FileSystem } from '../host/fs/types.js';

/**
 * Where a guest's stdout or stderr goes: a host file descriptor number, a
 * Kiln stream (an object with `write()` and `filetype`, e.g. a
 * `CaptureStream`), or a function that receives a copy of each write.
 */
export type WapcOutput = OutputOption;

/** WASI for a guest, as wapc-rs's `WasiParams` (plus output streams). */
export interface WapcWasiOptions {
  /** The guest's arguments (argv[0] included). */
  argv?: readonly string[];
  /** Environment variables, as a record or as `[name, value]` pairs. */
  env?: Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  /** `[guestPath, hostPath]` pairs: a host directory (or a Kiln filesystem) visible at `guestPath`. */
  mapDirs?: readonly (readonly [string, string | FileSystem])[];
  /** Host directories visible under their own path. */
  preopenedDirs?: readonly string[];
  /** Where the guest's stdout goes (default: the host's descriptor 1). */
  stdout?: WapcOutput;
  /** Where the guest's stderr goes (default: the host's descriptor 2). */
  stderr?: WapcOutput;
}

/** Options of the built-in engines (`WebAssemblyEngine`, `WebAssemblyEngineAsync`, pools). */
export interface WebAssemblyEngineOptions {
  /**
   * WASI for guests that import it (`wasi_snapshot_preview1` or
   * `wasi_unstable`). A guest that imports WASI without these options gets
   * a sandbox with nothing in it and the host's stdout and stderr.
   */
  wasi?: WapcWasiOptions;
  /** Receives the guest's `__console_log` messages (default: console.info("Guest module {id}: {message}")). */
  consoleLog?: (message: string, id: number) => void;
  /**
   * Time limit of one call, in ms: a guest still running then is stopped,
   * the call fails with GuestCallTimeoutError, and the host goes on with a
   * fresh instance of the module (start functions re-run). Also bounds each
   * start function. Node only.
   */
  timeoutMs?: number;
}

/** WASI options after the check: output is a descriptor number or a stream. */
export interface CheckedWasiOptions extends Omit<WapcWasiOptions, 'stdout' | 'stderr'> {
  stdout?: number | OutputStream;
  stderr?: number | OutputStream;
}

/** Engine options after the check (see checkEngineOptions). */
export interface CheckedEngineOptions extends Omit<WebAssemblyEngineOptions, 'wasi'> {
  wasi?: CheckedWasiOptions;
}

const WASI_KEYS = ['argv', 'env', 'mapDirs', 'preopenedDirs', 'stdout', 'stderr'] as const;

function fail(option: string, accepts: string, value: unknown): never {
  throw new TypeError(`${option} must be ${accepts}, not ${describeValue(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function checkStrings(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(option, 'an array of strings', value);
  value.forEach((v: unknown, i) => { if (typeof v !== 'string') fail(`${option}[${i}]`, 'a string', v); });
  return value as readonly string[];
}

function checkEnv(value: unknown): WapcWasiOptions['env'] {
  const accepts = 'a record of strings or an array of [name, value] pairs of strings';
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    value.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        fail(`wasi.env[${i}]`, 'a [name, value] pair of strings', pair);
      }
    });
    return value as readonly (readonly [string, string])[];
  }
  if (!isObject(value)) fail('wasi.env', accepts, value);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`wasi.env.${name}`, 'a string', v);
  }
  return value as Readonly<Record<string, string>>;
}

function isFileSystem(value: unknown): value is FileSystem {
  return isObject(value) && isObject(value['root']);
}

function checkMapDirs(value: unknown): WapcWasiOptions['mapDirs'] {
  if (value === undefined) return undefined;
  const pair = 'a [guestPath, hostPath or FileSystem] pair';
  if (!Array.isArray(value)) fail('wasi.mapDirs', 'an array of [guestPath, hostPath or FileSystem] pairs', value);
  value.forEach((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) fail(`wasi.mapDirs[${i}]`, pair, entry);
    if (typeof entry[0] !== 'string') fail(`wasi.mapDirs[${i}][0]`, 'a guest path (a string)', entry[0]);
    if (typeof entry[1] !== 'string' && !isFileSystem(entry[1])) {
      fail(`wasi.mapDirs[${i}][1]`, 'a host directory path (a string) or a FileSystem (an object with root)', entry[1]);
    }
  });
  return value as WapcWasiOptions['mapDirs'];
}

function checkWasi(value: unknown): CheckedWasiOptions | undefined {
  if (value === undefined) return undefined;
  const keys = `${WASI_KEYS.slice(0, -1).join(', ')} and ${WASI_KEYS[WASI_KEYS.length - 1]}`;
  if (!isObject(value) || Array.isArray(value)) fail('wasi', `an object (the WASI settings: ${keys})`, value);
  for (const key of Object.keys(value)) {
    if (!(WASI_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`wasi.${key} is not an option; the WASI settings are ${keys}`);
    }
  }
  const checked: CheckedWasiOptions = {};
  const argv = checkStrings('wasi.argv', value['argv']);
  if (argv !== undefined) checked.argv = argv;
  const env = checkEnv(value['env']);
  if (env !== undefined) checked.env = env;
  const mapDirs = checkMapDirs(value['mapDirs']);
  if (mapDirs !== undefined) checked.mapDirs = mapDirs;
  const preopenedDirs = checkStrings('wasi.preopenedDirs', value['preopenedDirs']);
  if (preopenedDirs !== undefined) checked.preopenedDirs = preopenedDirs;
  const stdout = outputOption('wasi.stdout', value['stdout']);
  if (stdout !== undefined) checked.stdout = stdout;
  const stderr = outputOption('wasi.stderr', value['stderr']);
  if (stderr !== undefined) checked.stderr = stderr;
  return checked;
}

/** Checks `timeoutMs`: a positive, finite number of milliseconds (RangeError for other numbers). */
export function checkTimeoutMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const accepts = 'a positive number of milliseconds';
  if (typeof value !== 'number') fail('timeoutMs', accepts, value);
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`timeoutMs must be ${accepts}, not ${String(value)}`);
  return value;
}

/**
 * Checks an engine's options and returns them with output functions
 * wrapped in CallbackStreams. Throws a TypeError (a RangeError for a
 * `timeoutMs` that is not positive) naming the option and what it accepts.
 * Options it does not know at the top level are left alone (an engine may
 * have more); inside `wasi` an unknown name is an error.
 */
export function checkEngineOptions(options: unknown): CheckedEngineOptions {
  if (options === undefined) return {};
  if (!isObject(options) || Array.isArray(options)) fail('the engine options', 'an object', options);
  const checked: CheckedEngineOptions = {};
  const wasi = checkWasi(options['wasi']);
  if (wasi !== undefined) checked.wasi = wasi;
  const log = options['consoleLog'];
  if (log !== undefined) {
    if (typeof log !== 'function') fail('consoleLog', 'a function (message, id) => void', log);
    checked.consoleLog = log as CheckedEngineOptions['consoleLog'];
  }
  const timeoutMs = checkTimeoutMs(options['timeoutMs']);
  if (timeoutMs !== undefined) checked.timeoutMs = timeoutMs;
  return checked;
}
