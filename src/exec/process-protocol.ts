/**
 * What crosses between the caller's thread and a process worker (layer:
 * execution; Node's worker threads and browsers' Web Workers alike): the
 * configuration as data, and the worker's reports. Objects that exist only
 * on the caller's thread are named by host-bridge handles (host/bridge/).
 */
import type { FileType } from '../abi/constants.js';
import type { EncodedError, HandleId } from '../host/bridge/protocol.js';
import type { NetworkMode } from './options.js';
import type { ListenAddress } from '../host/net/address.js';
import type { TranspiledComponent } from './component/transpile.js';
import type { ServedResponse } from './component/http-handler.js';
import type { ReceivedRequest } from '../syscalls/p2/http-types.js';

export type OutputSpec =
  | { kind: 'fd'; fd: number }
  /** Captured in the worker; every piece is posted to the caller as it is written. */
  | { kind: 'capture'; bufferable: boolean }
  | { kind: 'bridge'; h: HandleId; filetype: FileType; bufferable: boolean };

export type InputSpec =
  | { kind: 'fd'; fd: number }
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'bridge'; h: HandleId; filetype: FileType; hasAvailable: boolean };

export type FsSpec =
  /** A host directory, opened in the worker as a NodeFileSystem. */
  | { kind: 'host'; path: string }
  /** A filesystem on the caller's thread: the handle of its root directory. */
  | { kind: 'bridge'; root: HandleId };

export interface WorkerConfig {
  args: string[];
  env: Record<string, string>;
  preopens: [guestPath: string, fs: FsSpec][];
  stdin: InputSpec;
  stdout: OutputSpec;
  stderr: OutputSpec;
  /** Handles of bridged clocks / random / trace sink; absent for the worker's own defaults. */
  clocks?: HandleId;
  random?: HandleId;
  /** true: trace to the host's stderr from the worker; a handle: a sink on the caller's thread. */
  trace: boolean | HandleId;
  maxDescriptors?: number;
  maxSockets?: number;
  maxThreads?: number;
  /** Registered commands (guest path, module bytes), for the processes a threaded process starts. */
  commands: [path: string, program: Uint8Array][];
  /** The network guests' sockets reach, and what they may reach on it (the options of the same names). */
  network: NetworkMode;
  allowConnect?: string[];
  allowBind?: string[];
  /** Listening sockets the worker opens through its runtime's networking. */
  listen: ListenAddress[];
  /** The buffer of the embedder's ReadinessSignal (e.g. bumped by I/O threads), shared with the worker's kernel. */
  readiness?: SharedArrayBuffer;
  /** Gather small writes (off under a time limit, so a stopped guest loses nothing it wrote). */
  coalesce: boolean;
}

/** A run handed to a ready process worker. */
export interface WorkerRun {
  type: 'run';
  config: WorkerConfig;
  /** A compiled module, or a transpiled component (its glue and core modules cross as data). */
  module: WebAssembly.Module | TranspiledComponent;
  /** A threaded module's bytes: the worker runs it with its kernel there and its threads in workers it starts. */
  threadedBytes?: Uint8Array;
  /** A request for a `wasi:http/proxy` component: a fresh instance handles it, and the worker reports the response. */
  httpRequest?: ReceivedRequest;
  /** The worker's end of this run's host bridge (transferred). */
  bridgePort: unknown;
  /** The bridge's wake-up cell. */
  bridgeCell: SharedArrayBuffer;
  /** Where the bridge's replies are put (shared-mailbox.ts), for a worker that cannot receive them synchronously (browsers). */
  bridgeMailbox?: SharedArrayBuffer;
  /** Host descriptors the run has open (fd + 1 per slot, 0 when free), for closing after a stop (Node). */
  hostFds?: SharedArrayBuffer;
}

/** What the pool posts to a process worker: a run, or (to an idle one) the end: let go of what it keeps, then exit. */
export type PoolMessage = WorkerRun | { type: 'retire' };

export type WorkerReport =
  /** Kiln's modules are loaded: the worker can take a run. */
  | { type: 'ready' }
  | { type: 'out'; stream: 1 | 2; data: Uint8Array }
  /** The component's response to the run's `httpRequest` (before the run's end). */
  | { type: 'response'; response: ServedResponse }
  /** The process exited with `code`, or (with `signal`) was ended by that signal. */
  | { type: 'exit'; code: number; signal?: number; idleWorkers?: number }
  /** The run failed; `idleWorkers`: workers of the worker's own it keeps idle now (a browser's, after a threaded run). */
  | { type: 'error'; error: EncodedError; idleWorkers?: number };
