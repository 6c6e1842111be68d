/**
 * Threads as a host service (layer: host, platform-neutral): how a threaded
 * process gets a fresh JavaScript thread for each wasm thread. Node
 * implements it with worker_threads (host/node/node-thread-spawner.ts); an
 * embedder may supply its own (e.g. browser Workers).
 *
 * Everything that crosses to a thread worker is plain data, shared memory or
 * a compiled module, so it can be posted to any kind of worker.
 */

/**
 * How a thread of WASIX's first generation starts (its five-argument
 * `thread_spawn`): the module's export `entry` is called with `userData`
 * (one i64, or two i32 halves, low first, as the export declares), the
 * exported `__stack_pointer` set to `stackBase` before (when both are
 * there and `stackBase` is not 0).
 */
export interface FirstGenerationThread {
  /** The export the thread starts in (`_start_thread`, `_react`, or what the guest named). */
  entry: string;
  /** The argument for the entry. */
  userData: bigint;
  /** The top of the thread's stack. */
  stackBase: bigint;
}

/** What a thread worker needs to run one wasm thread. */
export interface GuestThreadStart {
  /** The compiled guest module. */
  module: WebAssembly.Module;
  /** The process's shared memory. */
  memory: WebAssembly.Memory;
  /** Where the module imports its memory from. */
  memoryImport: {
    /** The import's module name. */
    module: string;
    /** The import's field name. */
    name: string;
  };
  /** The process's syscall channel (front/threads/syscall-channel.ts). */
  channel: SharedArrayBuffer;
  /** The buffer of the process's readiness cell, the kernel's doorbell. */
  doorbell: SharedArrayBuffer;
  /** This thread's slot in the syscall channel. */
  slot: number;
  /** The main thread runs `_start`; others `wasi_thread_start(tid, arg)`. */
  entry: {
    /** The main thread. */
    kind: 'main';
    /**
     * A forked child's main thread: where in the copied memory the forking
     * thread's unwound stack waits to be rewound (see exec/ports/asyncify.ts).
     */
    resume?: {
      /** The address of the unwound stack's header. */
      data: number;
    };
  } | {
    /** A spawned thread. */
    kind: 'thread';
    /** Its thread id. */
    tid: number;
    /** The argument `thread-spawn` was given. */
    arg: number;
    /** A thread of WASIX's first generation: it starts in `_start_thread` instead. */
    firstGeneration?: FirstGenerationThread;
  };
  /**
   * True when the module's code may hold a local across a
   * `memory.atomic.wait` (V8's baseline compiler before V8 13 may lose it:
   * Node's spawner then turns that compiler off).
   */
  atomicWait: boolean;
  /**
   * The main thread's write-gathering buffer (exec/guest-write-buffer.ts),
   * while the process may gather writes; unset for other threads.
   */
  writeBuffer?: SharedArrayBuffer;
  /** False while syscalls are traced: every write and futex call then goes through the kernel. */
  directWrites: boolean;
  /**
   * The kernel's pipe arena (host/pipe-arena.ts), whose rings the thread
   * reads and writes itself where the channel's direct-pipe maps say so,
   * and the thread's lock token. Unset while syscalls are traced.
   */
  pipes?: {
    /** The arena's memory (host/pipe-arena.ts `PipeArena`). */
    arena: SharedArrayBuffer;
    /** The thread's lock token (`threadToken`), unique in its kernel. */
    token: number;
  };
  /**
   * The process's arguments and environment (NUL-terminated strings), for
   * the thread to answer `args_*` and `environ_*` itself. Unset while
   * syscalls are traced.
   */
  argsEnv?: {
    /** `argv`, each string with its NUL. */
    args: readonly Uint8Array[];
    /** `NAME=value` strings, each with its NUL. */
    env: readonly Uint8Array[];
  };
  /**
   * Set when the process reads the default clocks and the host's threads
   * share one monotonic clock (host/clocks.ts, `sharedMonotonicNs`): the
   * thread reads the monotonic and realtime clocks itself, realtime from
   * the kernel's anchor. Unset while syscalls are traced.
   */
  localClock?: {
    /** The kernel's realtime anchor (`systemRealtimeAnchor`). */
    realtimeAnchor: bigint;
  };
}

/** What a thread worker reports. */
export type ThreadEvent =
  | {
    /** The thread's entry returned (the worker may run another thread). */
    type: 'returned';
  }
  | {
    /** The thread trapped or failed to start. */
    type: 'failed';
    /** The error's message. */
    message: string;
    /** The error's stack (the wasm backtrace for a trap). */
    stack: string;
    /** True for a trap (a `WebAssembly.RuntimeError`), false for another failure. */
    trap: boolean;
  };

/** A JavaScript thread that runs wasm threads, one at a time. */
export interface ThreadWorker {
  /** Runs one wasm thread; its end is reported through the spawner's `onEvent`. */
  run(start: GuestThreadStart): void;
  /** Stops the worker, wherever it is (a tight loop, Atomics.wait). */
  terminate(): Promise<void>;
  /**
   * The worker's threads all returned and its process needs it no more:
   * the spawner may keep it for a later `spawn` (of any process) or stop
   * it. Without it, the worker is terminated.
   */
  release?(): void;
}

/**
 * Makes the JavaScript threads of a threaded process (`HostBindings.threads`):
 * Node's uses worker_threads; an embedder may supply browser Workers running
 * `runGuestThread`.
 */
export interface ThreadSpawner {
  /** A worker (new, or one released before); `onEvent` receives what it reports. Throws if no thread can be made. */
  spawn(onEvent: (event: ThreadEvent) => void): ThreadWorker;
}
