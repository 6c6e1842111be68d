/**
 * The worker engine's messages (layer: waPC host): how a caller's thread
 * drives a WebAssemblyEngine living in a worker (remote/node-worker.ts).
 *
 * Calls and swaps go to the worker as messages and come back as messages.
 * A host call goes the other way and must be answered while the guest
 * waits: the worker posts it on the host-call port and sleeps in
 * `Atomics.wait` on the shared cell; the caller's thread runs the host
 * callback (awaiting it if it returns a Promise), posts the answer on the
 * same port, sets the cell and wakes the worker, which takes the answer
 * with a synchronous receive.
 */
import type { MessagePort } from 'node:worker_threads';

/** WASI options as they cross to the worker: host paths and descriptor numbers; 'forward' sends output back as messages. */
export interface RemoteWasiOptions {
  argv?: string[];
  env?: [string, string][];
  mapDirs?: [string, string][];
  preopenedDirs?: string[];
  stdout?: number | 'forward';
  stderr?: number | 'forward';
}

export interface RemoteInit {
  module: WebAssembly.Module;
  /** The host id the guest's callbacks and logs carry. */
  id: number;
  wasi?: RemoteWasiOptions;
  timeoutMs?: number;
  hostCallPort: MessagePort;
  /** Int32 cell: 0 while a host call is unanswered, 1 when the answer is on the port. */
  hostCallCell: SharedArrayBuffer;
}

export type RemoteRequest =
  | { t: 'call'; op: Uint8Array; payload: Uint8Array }
  | { t: 'replace'; module: WebAssembly.Module };

export interface RemoteTrap {
  message: string;
  timedOut: boolean;
  stack?: string;
}

export type RemoteReply =
  | { t: 'ready' }
  | { t: 'init-failed'; message: string }
  | { t: 'result'; rc: number; response?: Uint8Array; guestError?: string; trap?: RemoteTrap }
  | { t: 'replaced'; error?: string }
  | { t: 'log'; message: string }
  | { t: 'out'; fd: 1 | 2; data: Uint8Array };

export interface HostCallRequest {
  binding: string;
  namespace: string;
  operation: string;
  payload: Uint8Array;
}

export type HostCallReply = { ok: true; bytes: Uint8Array } | { ok: false; error: string };
