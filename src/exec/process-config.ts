/**
 * A process worker's configuration, the caller's side, platform-neutral
 * (layer: execution): the options as data for the worker
 * (process-protocol.ts), with what exists only on the caller's thread (a
 * MemoryFileSystem or any FileSystem object, asynchronous ones included;
 * stream objects; callbacks; custom clocks and random; a trace sink)
 * registered with the run's host bridge. Node's launcher
 * (node/process-launch.ts) and the browser's (browser/process-launch.ts)
 * both describe a run with it; what a platform's worker can reach on its
 * own (Node: a host directory by path, a host descriptor by number) is
 * said by its `WorkerReach`.
 */
import type { AsyncFileSystem } from '../host/async-backend.js';
import type { BridgeHost } from '../host/bridge/host-side.js';
import { decodeError, type EncodedError } from '../host/bridge/protocol.js';
import type { FileSystem } from '../host/fs/types.js';
import type { Runtime } from '../host/runtime.js';
import { BufferInputStream, CaptureStream, type InputStream, type OutputStream } from '../host/stdio.js';
import { listenAddresses } from './listeners.js';
import { networkMode } from './network.js';
import type { CheckedWASIOptions } from './options.js';
import type { FsSpec, InputSpec, OutputSpec, WorkerConfig } from './process-protocol.js';

/** What a platform's process worker reaches by itself, without the bridge. */
export interface WorkerReach {
  /** The runtime the worker builds its kernel on (its defaults need not cross). */
  readonly runtime: Runtime;
  /** The host directory a filesystem serves, when the worker can open it by that path. */
  hostPath(fs: FileSystem | AsyncFileSystem): string | undefined;
  /** The host descriptor a stream reads or writes, when the worker can use it by number. */
  hostFd(stream: InputStream | OutputStream): number | undefined;
}

/**
 * The configuration as data; objects that stay on this thread are
 * registered with `bridge`, and captured output is collected in
 * `captures`. Host descriptors that the caller's runtime realises
 * differently from the worker's (a replaced `hostInput`, `hostOutput`) are
 * realised here, and the streams bridged.
 */
export function describeRun(
  options: CheckedWASIOptions, runtime: Runtime, reach: WorkerReach, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>,
): WorkerConfig {
  const coalesce = options.timeoutMs === undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const trace = options.trace;
  const clocks = options.clocks ?? runtime.clocks;
  const random = options.random ?? runtime.random;
  const own = (member: 'hostInput' | 'hostOutput'): boolean => runtime[member] === reach.runtime[member];
  const stdio = <T>(v: number | T | undefined, fd: number, member: 'hostInput' | 'hostOutput', make: (fd: number) => T): number | T =>
    own(member) ? v ?? fd : typeof v === 'number' ? make(v) : v ?? make(fd);
  return {
    args: [...(options.args ?? [])],
    env,
    preopens: Object.entries(options.preopens ?? {}).map(([guest, target]) =>
      [guest, fsSpec(typeof target === 'string' ? runtime.hostDirectory(target) : target, reach, bridge)]),
    stdin: inputSpec(stdio(options.stdin, 0, 'hostInput', (fd) => runtime.hostInput(fd)), reach, bridge),
    stdout: outputSpec(stdio(options.stdout, 1, 'hostOutput', (fd) => runtime.hostOutput(fd)), 1, reach, bridge, captures, coalesce),
    stderr: outputSpec(stdio(options.stderr, 2, 'hostOutput', (fd) => runtime.hostOutput(fd)), 2, reach, bridge, captures, coalesce),
    clocks: clocks === reach.runtime.clocks ? undefined : bridge.register('clocks', clocks),
    random: random === reach.runtime.random ? undefined : bridge.register('random', random),
    trace: typeof trace === 'function' ? bridge.register('trace', trace) : trace === true,
    maxDescriptors: options.maxDescriptors,
    maxSockets: options.maxSockets,
    maxThreads: options.maxThreads,
    commands: Object.entries(options.commands ?? {}),
    network: networkMode(options),
    allowConnect: options.allowConnect === undefined ? undefined : [...options.allowConnect],
    allowBind: options.allowBind === undefined ? undefined : [...options.allowBind],
    listen: listenAddresses(options.listen ?? []),
    readiness: sharedBuffer(options.readiness?.cell),
    coalesce,
  };
}

function sharedBuffer(cell: Int32Array | undefined): SharedArrayBuffer | undefined {
  return cell !== undefined && cell.buffer instanceof SharedArrayBuffer ? cell.buffer : undefined;
}

function fsSpec(target: string | FileSystem | AsyncFileSystem, reach: WorkerReach, bridge: BridgeHost): FsSpec {
  if (typeof target === 'string') return { kind: 'host', path: target };
  const path = reach.hostPath(target);
  if (path !== undefined) return { kind: 'host', path };
  return { kind: 'bridge', root: bridge.register('dir', target.root) };
}

function inputSpec(s: number | InputStream, reach: WorkerReach, bridge: BridgeHost): InputSpec {
  if (typeof s === 'number') return { kind: 'fd', fd: s };
  const fd = reach.hostFd(s);
  if (fd !== undefined) return { kind: 'fd', fd };
  if (s instanceof BufferInputStream) {
    const data = new Uint8Array(s.available());
    s.read(data);
    return { kind: 'bytes', data };
  }
  return { kind: 'bridge', h: bridge.register('in', s), filetype: s.filetype, hasAvailable: typeof s.available === 'function' };
}

function outputSpec(
  s: number | OutputStream, fd: 1 | 2, reach: WorkerReach, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>, coalesce: boolean,
): OutputSpec {
  if (typeof s === 'number') return { kind: 'fd', fd: s };
  const hostFd = reach.hostFd(s);
  if (hostFd !== undefined) return { kind: 'fd', fd: hostFd };
  if (s instanceof CaptureStream) {
    captures.set(fd, s);
    return { kind: 'capture', bufferable: coalesce };
  }
  return { kind: 'bridge', h: bridge.register('out', s), filetype: s.filetype, bufferable: coalesce && s.bufferable === true };
}

type ErrorCtor = new (message?: string) => Error;
const ENGINE_ERRORS: Readonly<Record<string, ErrorCtor>> = {
  RuntimeError: WebAssembly.RuntimeError,
  CompileError: WebAssembly.CompileError,
  LinkError: WebAssembly.LinkError,
  RangeError,
  TypeError,
};

/** The worker's error as the same class here, with the worker's stack (a trap's wasm backtrace). */
export function reviveError(e: EncodedError): Error {
  const Ctor = e.errno === undefined ? ENGINE_ERRORS[e.name] : undefined;
  if (Ctor === undefined) return decodeError(e);
  const err = new Ctor(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
