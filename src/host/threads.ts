/**
 * Threads as a host service (layer: host, platform-neutral): how a threaded
 * process gets a fresh JavaScript thread for each wasm thread. Node
 * implements it with worker_threads (host/node/node-thread-spawner.ts); an
 * embedder may supply its own (e.g. browser Workers).
 *
 * Everything that crosses to a thread worker is plain data, shared memory or
 * a compiled module, so it can be posted to any kind of worker.
 */

/** What a thread worker needs to run one wasm thread. */
export interface GuestThreadStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Where the module imports its memory from. */
  memoryImport: { module: string; name: string };
  /** The process's syscall channel (front/threads/syscall-channel.ts). */
  channel: SharedArrayBuffer;
  /** The buffer of the process's readiness cell, the kernel's doorbell. */
  doorbell: SharedArrayBuffer;
  slot: number;
  /** The main thread runs `_start`; others `wasi_thread_start(tid, arg)`. */
  entry: { kind: 'main' } | { kind: 'thread'; tid: number; arg: number };
  /** False while syscalls are traced: every write then goes through the kernel. */
  directWrites: boolean;
}

/** What a thread worker reports. */
export type ThreadEvent =
  /** The thread's entry returned (the worker may run another thread). */
  | { type: 'returned' }
  /** The thread trapped or failed to start. */
  | { type: 'failed'; message: string; stack: string; trap: boolean };

export interface ThreadWorker {
  run(start: GuestThreadStart): void;
  /** Stops the worker, wherever it is (a tight loop, Atomics.wait). */
  terminate(): Promise<void>;
}

export interface ThreadSpawner {
  /** A new worker; `onEvent` receives what it reports. Throws if no thread can be made. */
  spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker;
}
