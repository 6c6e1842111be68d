/**
 * `kiln wapc` (layer: front doors / CLI): one call into a waPC guest from
 * the command line. Loads the module, starts it on the built-in engine,
 * calls OPERATION once with the payload and writes the reply to stdout,
 * exactly as the guest gave it (or, with --json, decoded from MessagePack
 * and printed as JSON).
 *
 * - stdout holds only the reply: a WASI guest's own stdout goes to stderr
 *   (fd 2), as do its stderr and its `__console_log` messages
 *   ("Guest module {id}: {message}").
 * - Without --host-callback the synchronous WapcHost runs the guest on this
 *   thread, and the guest's host calls fail with "Missing host callback
 *   function!". With it, WapcHostAsync and WebAssemblyEngineAsync (JSPI on
 *   Node 24, else a worker), so the callback may answer with a Promise.
 * - Exit status: 0 with the reply; 1 when the call or the guest's start
 *   fails; 124 when --timeout stops it; 2 for usage errors and unusable
 *   input files (as `kiln run`).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileGuestAsync, importsWasi, type WapcWasiOptions, type WebAssemblyEngineOptions } from '../wapc/guest-instance.js';
import { DeadlineExceeded } from '../host/deadline.js';
import {
  GuestCallFailureError, GuestCallTimeoutError, InitFailedError, messagepack, WapcHost, WapcHostAsync,
  WebAssemblyEngine, WebAssemblyEngineAsync, type HostCallbackAsync,
} from '../node.js';
import { readInputFile, readModuleFile } from './module-file.js';
import { UsageError } from './run-args.js';
import { parseWapcArgs, WAPC_SYNOPSIS, WAPC_USAGE, type PayloadSource, type WapcArgs } from './wapc-args.js';
import { TIMEOUT_STATUS } from './run-endings.js';

/** A failure with its own exit status (1 unless said otherwise). */
class WapcCliError extends Error {
  constructor(message: string, readonly status = 1) {
    super(message);
    this.name = 'WapcCliError';
  }
}

/** The host callback a `--host-callback` module exports: its answer may be bytes, a string, or a Promise of either. */
export type CliHostCallback = (
  id: number, binding: string, namespace: string, operation: string, payload: Uint8Array,
) => Uint8Array | string | Promise<Uint8Array | string>;

function say(message: string): void {
  process.stderr.write(`kiln wapc: ${message}\n`);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer);
  return Buffer.concat(chunks);
}

async function payloadBytes(source: PayloadSource): Promise<Uint8Array> {
  switch (source.kind) {
    case 'empty': return new Uint8Array(0);
    case 'literal': return new TextEncoder().encode(source.text);
    case 'file': return readInputFile(source.path, 'a payload file');
    case 'stdin': return readStdin();
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/**
 * JSON.parse's reviver: an integer literal too large for a number to hold
 * exactly becomes a bigint (MessagePack int 64 / uint 64), so that u64 and
 * i64 values keep every digit. Needs the literal's source text, which
 * JSON.parse gives from Node 21 on; Node 20 keeps the rounded number.
 */
function exactIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  const source = context?.source;
  if (typeof value !== 'number' || Number.isSafeInteger(value) || source === undefined || !/^-?\d+$/.test(source)) return value;
  const big = BigInt(source);
  return big >= I64_MIN && big <= U64_MAX ? big : value;
}

/** --json: the payload as JSON, encoded as MessagePack; not JSON is a usage error. */
export function jsonPayload(bytes: Uint8Array): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError('--json: the payload is not UTF-8 text');
  }
  let value: unknown;
  try {
    value = JSON.parse(text, exactIntegers);
  } catch (e) {
    throw new UsageError(`--json: the payload is not valid JSON: ${(e as Error).message}`);
  }
  return messagepack.serialize(value);
}

/**
 * A decoded MessagePack value for JSON.stringify: a bigint becomes a
 * number when it is a safe integer and a decimal string otherwise; bytes
 * (MessagePack bin) become an array of numbers.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}

/** --json: the reply decoded from MessagePack, as one line of JSON. */
export function jsonReply(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) throw new WapcCliError('--json: the reply is empty, not MessagePack');
  let value: unknown;
  try {
    value = messagepack.deserialize(bytes);
  } catch (e) {
    throw new WapcCliError(`--json: the reply is not MessagePack: ${(e as Error).message}`);
  }
  return `${JSON.stringify(value, jsonReplacer) ?? 'null'}\n`;
}

/** Imports the --host-callback module and finds its function. */
async function loadHostCallback(file: string): Promise<CliHostCallback> {
  const full = path.resolve(file);
  if (!existsSync(full)) throw new UsageError(`no such file: ${file}`);
  if (statSync(full).isDirectory()) throw new UsageError(`${file} is a directory, not a JavaScript module`);
  let mod: { default?: unknown; hostCallback?: unknown };
  try {
    mod = await import(pathToFileURL(full).href) as typeof mod;
  } catch (e) {
    throw new WapcCliError(`cannot load the host callback ${file}: ${(e as Error).message ?? String(e)}`);
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.hostCallback;
  if (typeof fn !== 'function') {
    throw new UsageError(`${file} exports no host callback (a function as its default export or as 'hostCallback')`);
  }
  return fn as CliHostCallback;
}

/** The engine options: WASI (guest stdout to fd 2) for guests that import it or when a WASI flag is given. */
function engineOptions(args: WapcArgs, module: WebAssembly.Module): WebAssemblyEngineOptions {
  const options: WebAssemblyEngineOptions = {
    consoleLog: (message, id) => process.stderr.write(`Guest module ${id}: ${message}\n`),
  };
  if (args.timeoutMs !== undefined) options.timeoutMs = args.timeoutMs;
  if (importsWasi(module) || args.dirs.length > 0 || args.env.length > 0 || args.guestArgs.length > 0) {
    const wasi: WapcWasiOptions = {
      argv: [args.module, ...args.guestArgs],
      env: args.env,
      mapDirs: args.dirs.map((d) => [d.guest, d.host] as const),
      stdout: 2,
      stderr: 2,
    };
    options.wasi = wasi;
  }
  return options;
}

/** True when `e` (or an error it was caused by) is the time limit stopping the guest. */
function timedOut(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if (c instanceof GuestCallTimeoutError || c instanceof DeadlineExceeded) return true;
  }
  return false;
}

/** Starts the guest, makes the call, closes the host; the reply or a thrown error. */
async function callGuest(args: WapcArgs, module: WebAssembly.Module, payload: Uint8Array): Promise<Uint8Array> {
  const options = engineOptions(args, module);
  if (args.hostCallback === undefined) {
    const host = new WapcHost(new WebAssemblyEngine(module, options));
    try {
      return host.call(args.operation, payload);
    } finally {
      host.close();
    }
  }
  const callback = await loadHostCallback(args.hostCallback);
  const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(module, options), callback as HostCallbackAsync);
  try {
    return await host.call(args.operation, payload);
  } finally {
    await host.close();
  }
}

/** Writes the reply to stdout; a reader that went away (EPIPE, as `| head`) is not an error. */
function write(bytes: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdout = process.stdout;
    const failed = (e: Error): void => {
      if ((e as { code?: string }).code === 'EPIPE') resolve();
      else reject(new WapcCliError(`cannot write the reply: ${e.message}`));
    };
    stdout.once('error', failed);
    stdout.write(bytes, (e) => {
      if (e) return failed(e);
      stdout.off('error', failed);
      resolve();
    });
  });
}

async function run(args: WapcArgs): Promise<number> {
  const bytes = readModuleFile(args.module);
  let payload = await payloadBytes(args.payload);
  if (args.json) payload = jsonPayload(payload);
  let module: WebAssembly.Module;
  try {
    // As the engines compile it: a wasm start section becomes an export run after instantiation.
    module = await compileGuestAsync(bytes);
  } catch (e) {
    throw new WapcCliError((e as Error).message);
  }
  let reply: Uint8Array;
  try {
    reply = await callGuest(args, module, payload);
  } catch (e) {
    if (e instanceof UsageError || e instanceof WapcCliError) throw e;
    const status = timedOut(e) ? TIMEOUT_STATUS : 1;
    if (e instanceof GuestCallFailureError) throw new WapcCliError(`guest call failed: ${e.message}`, status);
    if (e instanceof InitFailedError) throw new WapcCliError(e.message, status);
    throw new WapcCliError(e instanceof Error ? e.message : String(e));
  }
  await write(args.json ? jsonReply(reply) : reply);
  return 0;
}

/** `kiln wapc ARGS...`; returns the exit status. */
export async function wapcCommand(argv: readonly string[]): Promise<number> {
  if (argv.length === 0) {
    process.stdout.write(WAPC_USAGE);
    return 2;
  }
  let args: WapcArgs;
  try {
    args = parseWapcArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(e.message);
    process.stderr.write(`Usage: ${WAPC_SYNOPSIS}\nTry 'kiln wapc --help' for more information.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(WAPC_USAGE);
    return 0;
  }
  try {
    return await run(args);
  } catch (e) {
    // Unusable input files (as `kiln run`): the message alone, status 2.
    if (e instanceof UsageError) {
      say(e.message);
      return 2;
    }
    if (e instanceof WapcCliError) {
      say(e.message);
      return e.status;
    }
    throw e;
  }
}
