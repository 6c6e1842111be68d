/**
 * The worker mode on Node (layer: front doors, Node only; reached from
 * src/node.ts, never from the browser build): runs a single-threaded
 * command in a worker with its kernel beside it, so the caller's event
 * loop keeps running while the guest computes.
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
 * A trap rejects with the engine's error (RuntimeError, with the worker's
 * stack, wasm backtrace included); proc_exit resolves to the code. With a
 * time limit the worker is terminated when it passes, every host
 * descriptor its kernel had open is closed here, and the run rejects with
 * TimeoutError. When the promise settles, the worker has exited and no
 * handle of the run is left.
 *
 * The worker runs node-worker.js (or .ts from sources) next to this module,
 * started by host/node/worker-start.ts.
 */
import { closeSync } from 'node:fs';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { startKilnWorker } from '../../host/node/worker-start.js';
import { BridgeHost } from '../../host/bridge/host-side.js';
import { decodeError, type EncodedError } from '../../host/bridge/protocol.js';
import type { CallMessage } from '../../host/bridge/protocol.js';
import { systemClocks } from '../../host/clocks.js';
import type { FileSystem } from '../../host/fs/types.js';
import { NodeFileSystem } from '../../host/node/node-fs.js';
import { NodeFdInput, NodeFdOutput } from '../../host/node/node-stdio.js';
import { cryptoRandom } from '../../host/random.js';
import { BufferInputStream, CaptureStream, type InputStream, type OutputStream } from '../../host/stdio.js';
import type { AsyncFileSystem } from '../../host/async-backend.js';
import type { CheckedWASIOptions } from '../wasi.js';
import type { FsSpec, InputSpec, OutputSpec, WorkerConfig, WorkerData, WorkerReport } from './protocol.js';
import { TimeoutError, type WorkerRunRequest } from './types.js';

/** Slots for host descriptors beyond the guest's descriptor limit (stdio and preopens need none). */
const FD_SLOT_SPARE = 16;

export async function runInWorker(request: WorkerRunRequest): Promise<number> {
  const { module, options } = request;
  const timeoutMs = options.timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const bridge = new BridgeHost((reply) => port1.postMessage(reply), cell);
  const captures = new Map<1 | 2, CaptureStream>();
  const config = describe(options, bridge, captures);
  port1.on('message', (m: CallMessage) => bridge.serve(m));
  const portClosed = new Promise<void>((resolve) => { port1.once('close', () => resolve()); });
  const hostFds = new Int32Array(new SharedArrayBuffer(4 * ((options.maxDescriptors ?? 1024) + FD_SLOT_SPARE)));
  const data: WorkerData = {
    config, module, bridgePort: port2, bridgeCell: cell.buffer as SharedArrayBuffer, hostFds: hostFds.buffer as SharedArrayBuffer,
  };
  let worker: Worker;
  try {
    worker = startKilnWorker(import.meta.url, 'node-worker', { workerData: data, transferList: [port2] });
  } catch (e) {
    port1.close();
    throw e;
  }
  return new Promise<number>((resolve, reject) => {
    let outcome: { code: number } | { error: Error } | undefined;
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      void worker.terminate();
    }, timeoutMs);
    worker.on('message', (r: WorkerReport) => {
      if (r.type === 'out') captures.get(r.stream)?.write(r.data);
      else if (r.type === 'exit') outcome ??= { code: r.code };
      else outcome ??= { error: reviveError(r.error) };
    });
    worker.on('error', (e: Error) => { outcome ??= { error: e }; });
    worker.once('exit', (exitCode) => {
      if (timer !== undefined) clearTimeout(timer);
      closeLeftoverFds(hostFds);
      // Settle once the bridge's port has closed (the worker may have closed its end first): then nothing of the run is left.
      port1.close();
      void portClosed.then(() => {
        if (outcome === undefined) {
          reject(timedOut ? new TimeoutError(timeoutMs!) : new Error(`the process worker exited (${exitCode}) without reporting`));
        } else if ('error' in outcome) {
          reject(outcome.error);
        } else {
          resolve(outcome.code);
        }
      });
    });
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

/** The configuration as data; objects that stay on this thread are registered with the bridge. */
function describe(options: CheckedWASIOptions, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>): WorkerConfig {
  const coalesce = options.timeoutMs === undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const trace = options.trace;
  return {
    version: options.version ?? 'preview1',
    args: [...(options.args ?? [])],
    env,
    preopens: Object.entries(options.preopens ?? {}).map(([guest, target]) => [guest, fsSpec(target, bridge)]),
    stdin: inputSpec(options.stdin, bridge),
    stdout: outputSpec(options.stdout, 1, bridge, captures, coalesce),
    stderr: outputSpec(options.stderr, 2, bridge, captures, coalesce),
    clocks: options.clocks === undefined || options.clocks === systemClocks ? undefined : bridge.register('clocks', options.clocks),
    random: options.random === undefined || options.random === cryptoRandom ? undefined : bridge.register('random', options.random),
    trace: typeof trace === 'function' ? bridge.register('trace', trace) : trace === true,
    maxDescriptors: options.maxDescriptors,
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

function inputSpec(s: number | InputStream | undefined, bridge: BridgeHost): InputSpec {
  if (s === undefined) return { kind: 'fd', fd: 0 };
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
  s: number | OutputStream | undefined, fd: 1 | 2, bridge: BridgeHost, captures: Map<1 | 2, CaptureStream>, coalesce: boolean,
): OutputSpec {
  if (s === undefined) return { kind: 'fd', fd };
  if (typeof s === 'number') return { kind: 'fd', fd: s };
  if (s instanceof NodeFdOutput) return { kind: 'fd', fd: s.fd };
  if (s instanceof CaptureStream) {
    captures.set(fd, s);
    return { kind: 'capture', bufferable: coalesce };
  }
  return { kind: 'bridge', h: bridge.register('out', s), filetype: s.filetype, bufferable: coalesce && s.bufferable === true };
}
