/**
 * Process workers on Node, the caller's side (layer: execution, Node only;
 * reached from the Node entry point, never from the browser build): runs a
 * single-threaded command in a worker with its kernel beside it, so the
 * caller's event loop keeps running while the guest computes.
 *
 * The configuration crosses as data: arguments, environment, host
 * directories by path (a NodeFileSystem is made in the worker), host
 * descriptors by number, captured output (captured in the worker, every
 * piece posted back as it is written), input bytes. What exists only here
 * (a MemoryFileSystem or any FileSystem object, including asynchronous
 * ones; stream objects; callbacks; custom clocks and random; a trace sink)
 * stays here and is reached through the host bridge (host/bridge/), whose
 * owning side runs on this thread's event loop and awaits Promises.
 *
 * The run resolves to how the process ended: its exit (proc_exit's code,
 * a signal), or a fault: a trap (the engine's error, RuntimeError, with
 * the worker's stack, wasm backtrace included), a time limit (the worker
 * is terminated when it passes, every host descriptor its kernel had open
 * is closed here: TimeoutError), a worker that died. When the promise
 * settles, no handle of the run is left: the worker is back in the pool
 * (process-pool.ts), idle and unreferenced, or has exited.
 */
import { closeSync } from 'node:fs';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { BridgeHost } from '../../host/bridge/host-side.js';
import { decodeError, type EncodedError } from '../../host/bridge/protocol.js';
import type { CallMessage } from '../../host/bridge/protocol.js';
import type { FileSystem } from '../../host/fs/types.js';
import { NodeFileSystem } from '../../host/node/node-fs.js';
import { nodeRuntime } from '../../host/node/node-runtime.js';
import { NodeFdInput, NodeFdOutput } from '../../host/node/node-stdio.js';
import type { Runtime } from '../../host/runtime.js';
import { BufferInputStream, CaptureStream, type InputStream, type OutputStream } from '../../host/stdio.js';
import type { AsyncFileSystem } from '../../host/async-backend.js';
import type { ExitStatus } from '../../kernel/exit-status.js';
import { listenAddresses } from '../listeners.js';
import { networkMode } from '../network.js';
import type { CheckedWASIOptions } from '../options.js';
import { TimeoutError } from '../timeout.js';
import type { WorkerRunRequest } from '../worker-runner.js';
import type { FsSpec, InputSpec, OutputSpec, WorkerConfig, WorkerReport, WorkerRun } from './process-protocol.js';
import { processWorkers } from './process-pool.js';
import { unexpectedExit } from '../../host/node/node-thread-spawner.js';

/** Slots for host descriptors beyond the guest's descriptor limit (stdio and preopens need none). */
const FD_SLOT_SPARE = 16;

export async function runInWorker(request: WorkerRunRequest): Promise<ExitStatus> {
  const { module, options, runtime } = request;
  const timeoutMs = options.timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const bridge = new BridgeHost((reply) => port1.postMessage(reply), cell);
  const captures = new Map<1 | 2, CaptureStream>();
  const config = describe(options, runtime, bridge, captures);
  port1.on('message', (m: CallMessage) => bridge.serve(m));
  const portClosed = new Promise<void>((resolve) => { port1.once('close', () => resolve()); });
  const hostFds = new Int32Array(new SharedArrayBuffer(4 * ((options.maxDescriptors ?? 1024) + FD_SLOT_SPARE)));
  const run: WorkerRun = {
    type: 'run', config, module, bridgePort: port2, bridgeCell: cell.buffer as SharedArrayBuffer, hostFds: hostFds.buffer as SharedArrayBuffer,
  };
  return new Promise<ExitStatus>((resolve) => {
    let outcome: ExitStatus | undefined;
    let worker: Worker | undefined;
    let settled = false;
    /** Settles once the bridge's port has closed (the worker may close its end first): then nothing of the run is left. */
    const settle = (status: ExitStatus, after?: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      port1.close();
      void portClosed.then(() => {
        after?.();
        resolve(status);
      });
    };
    const timedOut = (): ExitStatus => ({ kind: 'fault', error: new TimeoutError(timeoutMs!) });
    const acquisition = processWorkers.acquire(options.workerResourceLimits);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      if (worker === undefined) {
        // Still waiting for a worker: it joins the pool once ready, untouched.
        acquisition.cancel();
        settle(timedOut());
        return;
      }
      outcome ??= timedOut();
      void worker.terminate();
    }, timeoutMs);
    const onMessage = (r: WorkerReport): void => {
      if (r.type === 'out') captures.get(r.stream)?.write(r.data);
      else if (r.type === 'exit') finish(r.signal === undefined ? { kind: 'exit', code: r.code } : { kind: 'signal', signal: r.signal });
      else if (r.type === 'error') finish({ kind: 'fault', error: reviveError(r.error) });
    };
    let error: Error | undefined;
    const onError = (e: Error): void => { error = e; };
    const onExit = (exitCode: number): void => {
      detach();
      closeLeftoverFds(hostFds);
      settle(outcome ?? { kind: 'fault', error: new Error(unexpectedExit('the process worker', error, exitCode)) });
    };
    const detach = (): void => {
      worker?.off('message', onMessage);
      worker?.off('error', onError);
      worker?.off('exit', onExit);
    };
    /** The run ended in the worker: the worker goes back to the pool once the run's port has closed. */
    const finish = (status: ExitStatus): void => {
      if (outcome !== undefined) return;
      outcome = status;
      detach();
      const w = worker!;
      settle(status, () => processWorkers.release(w));
    };
    acquisition.worker.then((w) => {
      if (settled) return;
      worker = w;
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(run, [port2]);
    }, (e: unknown) => settle({ kind: 'fault', error: e instanceof Error ? e : new Error(String(e)) }));
  });
}

/** Closes the host descriptors a stopped worker's kernel still had open. */
function closeLeftoverFds(table: Int32Array): void {
  for (let i = 0; i < table.length; i++) {
    const v = Atomics.exchange(table, i, 0);
    if (v === 0) continue;
    try { closeSync(v - 1); } catch { /* already closed */ }
  }
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
function reviveError(e: EncodedError): Error {
  const Ctor = e.errno === undefined ? ENGINE_ERRORS[e.name] : undefined;
  if (Ctor === undefined) return decodeError(e);
  const err = new Ctor(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/**
 * The configuration as data; objects that stay on this thread are
 * registered with the bridge. Host directories arrive resolved (a
 * `NodeFileSystem` crosses as its path, any other filesystem is bridged);
 * host descriptors that the caller's runtime realises differently from
 * Node's own (a replaced `hostInput`, `hostOutput`) are realised here, and
 * the streams bridged.
 */
function describe(options: CheckedWASIOptions, runtime: Runtime, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>): WorkerConfig {
  const coalesce = options.timeoutMs === undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const trace = options.trace;
  const clocks = options.clocks ?? runtime.clocks;
  const random = options.random ?? runtime.random;
  const own = (member: 'hostInput' | 'hostOutput'): boolean => runtime[member] === nodeRuntime[member];
  const stdio = <T>(v: number | T | undefined, fd: number, member: 'hostInput' | 'hostOutput', make: (fd: number) => T): number | T =>
    own(member) ? v ?? fd : typeof v === 'number' ? make(v) : v ?? make(fd);
  return {
    args: [...(options.args ?? [])],
    env,
    preopens: Object.entries(options.preopens ?? {}).map(([guest, target]) =>
      [guest, fsSpec(typeof target === 'string' ? runtime.hostDirectory(target) : target, bridge)]),
    stdin: inputSpec(stdio(options.stdin, 0, 'hostInput', (fd) => runtime.hostInput(fd)), bridge),
    stdout: outputSpec(stdio(options.stdout, 1, 'hostOutput', (fd) => runtime.hostOutput(fd)), 1, bridge, captures, coalesce),
    stderr: outputSpec(stdio(options.stderr, 2, 'hostOutput', (fd) => runtime.hostOutput(fd)), 2, bridge, captures, coalesce),
    clocks: clocks === nodeRuntime.clocks ? undefined : bridge.register('clocks', clocks),
    random: random === nodeRuntime.random ? undefined : bridge.register('random', random),
    trace: typeof trace === 'function' ? bridge.register('trace', trace) : trace === true,
    maxDescriptors: options.maxDescriptors,
    maxSockets: options.maxSockets,
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

function fsSpec(target: string | FileSystem | AsyncFileSystem, bridge: BridgeHost): FsSpec {
  if (typeof target === 'string') return { kind: 'host', path: target };
  if (target instanceof NodeFileSystem) {
    const root = target.root as unknown as { path?: unknown };
    if (typeof root.path === 'string') return { kind: 'host', path: root.path };
  }
  return { kind: 'bridge', root: bridge.register('dir', target.root) };
}

function inputSpec(s: number | InputStream, bridge: BridgeHost): InputSpec {
  if (typeof s === 'number') return { kind: 'fd', fd: s };
  if (s instanceof NodeFdInput) return { kind: 'fd', fd: s.fd };
  if (s instanceof BufferInputStream) {
    const data = new Uint8Array(s.available());
    s.read(data);
    return { kind: 'bytes', data };
  }
  return { kind: 'bridge', h: bridge.register('in', s), filetype: s.filetype, hasAvailable: typeof s.available === 'function' };
}

function outputSpec(
  s: number | OutputStream, fd: 1 | 2, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>, coalesce: boolean,
): OutputSpec {
  if (typeof s === 'number') return { kind: 'fd', fd: s };
  if (s instanceof NodeFdOutput) return { kind: 'fd', fd: s.fd };
  if (s instanceof CaptureStream) {
    captures.set(fd, s);
    return { kind: 'capture', bufferable: coalesce };
  }
  return { kind: 'bridge', h: bridge.register('out', s), filetype: s.filetype, bufferable: coalesce && s.bufferable === true };
}
