/**
 * A threaded process's kernel thread (layer: front doors, platform-neutral).
 * See docs/architecture.md, "Threads (wasi-threads)".
 *
 * The kernel (one Process, one descriptor table) lives on the thread that
 * runs this, driven by its event loop; every wasm thread, the main one
 * included, runs in a thread worker on the shared memory. The dispatcher
 * sleeps in Atomics.waitAsync on the process's readiness cell, which guest
 * threads bump with each request and I/O threads bump when a resource
 * becomes ready; it runs requests against the shared memory, keeps blocked
 * calls parked until they can finish, and ends the process, with every
 * worker, on proc_exit, a trap, `_start` returning or the time limit.
 */
import { Errno } from '../../abi/errno.js';
import { Rights } from '../../abi/constants.js';
import type { GuestThreadStart, ThreadEvent, ThreadSpawner, ThreadWorker } from '../../host/threads.js';
import { Parked, Pending, type Attempt, type WakeIn } from '../../kernel/blocking.js';
import { ProcessExit } from '../../kernel/exit.js';
import { OutputStreamResource } from '../../kernel/stream-resource.js';
import { errnoOrRethrow } from '../../syscalls/context.js';
import type { HostBindings } from '../host-bindings.js';
import { WASI, type WASIOptions } from '../wasi.js';
import type { MemoryDecl } from '../module-binary.js';
import { TimeoutError } from '../worker-mode/types.js';
import { DIRECT_WRITE_FDS, PREVIEW1_NAMES, SyscallChannel, THREAD_SPAWN } from './syscall-channel.js';

/** A wasm thread trapped (or a thread worker failed); the process ended with it. */
export class ThreadTrapError extends Error {
  constructor(message: string, readonly guestStack: string, readonly trap: boolean) {
    super(message);
    this.name = trap ? 'RuntimeError' : 'ThreadError';
    this.stack = guestStack;
  }
}

export interface ThreadedProcessOptions {
  module: WebAssembly.Module;
  /** The memory the module imports (shared, with a maximum). */
  memory: MemoryDecl & { import: { module: string; name: string } };
  wasi: WASIOptions;
  host: HostBindings;
  threads: ThreadSpawner;
  /** Threads besides the main one that may exist at once. */
  maxThreads: number;
  timeoutMs?: number;
}

/** Syscalls after which the direct-write map may be stale. */
const CHANGES_DESCRIPTORS = new Set(['fd_close', 'fd_renumber', 'path_open', 'fd_fdstat_set_rights', 'fd_fdstat_set_flags']
  .map((n) => PREVIEW1_NAMES.indexOf(n as (typeof PREVIEW1_NAMES)[number])));

type Outcome = { code: number } | { error: Error };

export class ThreadedProcess {
  readonly #opts: ThreadedProcessOptions;
  readonly #wasi: WASI;
  readonly #memory: WebAssembly.Memory;
  readonly #channel: SyscallChannel;
  readonly #doorbell: Int32Array;
  readonly #functions: ((...args: (number | bigint)[]) => number)[];
  readonly #directWrites: boolean;
  /** Live threads by slot (slot 0 is the main thread). */
  readonly #threads = new Map<number, ThreadWorker>();
  readonly #freeSlots: number[] = [];
  readonly #idle: ThreadWorker[] = [];
  readonly #workers = new Set<ThreadWorker>();
  readonly #parked = new Map<number, { attempt: Attempt; wakeIn: WakeIn }>();
  /** Slots whose call met an unsettled async backend call; true once it settled. */
  readonly #pending = new Map<number, boolean>();
  #nextTid = 1;
  #ended = false;
  #settle!: (outcome: Outcome) => void;

  constructor(opts: ThreadedProcessOptions) {
    this.#opts = opts;
    const decl = opts.memory;
    this.#memory = new WebAssembly.Memory({ initial: decl.initial, maximum: decl.maximum, shared: true });
    this.#wasi = new WASI(opts.wasi, opts.host);
    // The kernel reads and writes the shared memory directly; binding through
    // initialize() is how a WASI object learns its memory.
    this.#wasi.initialize({ exports: { memory: this.#memory } } as unknown as WebAssembly.Instance);
    this.#wasi.process.parkBlockedCalls = true;
    const slots = opts.maxThreads + 1;
    this.#channel = new SyscallChannel(SyscallChannel.create(slots), this.#wasi.process.readiness.cell);
    this.#doorbell = this.#wasi.process.readiness.cell;
    if (!(this.#doorbell.buffer instanceof SharedArrayBuffer)) throw new Error('threads need SharedArrayBuffer');
    const imports = this.#wasi.wasiImport as unknown as Record<string, (...args: (number | bigint)[]) => number>;
    this.#functions = PREVIEW1_NAMES.map((name) => imports[name]!);
    this.#directWrites = opts.wasi.trace === undefined || opts.wasi.trace === false;
    for (let s = slots - 1; s >= 1; s--) this.#freeSlots.push(s);
  }

  /** Runs `_start` in the main thread worker; resolves to the exit code. */
  run(): Promise<number> {
    const done = new Promise<Outcome>((resolve) => { this.#settle = resolve; });
    this.#refreshDirectWrites();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (this.#opts.timeoutMs !== undefined) {
      timer = setTimeout(() => this.#end({ error: new TimeoutError(this.#opts.timeoutMs!) }), this.#opts.timeoutMs);
    }
    try {
      this.#start(0, { kind: 'main' });
    } catch (e) {
      this.#end({ error: e instanceof Error ? e : new Error(String(e)) });
    }
    void this.#serve();
    return done.then((outcome) => {
      if (timer !== undefined) clearTimeout(timer);
      if ('error' in outcome) throw outcome.error;
      return outcome.code;
    });
  }

  #start(slot: number, entry: GuestThreadStart['entry']): void {
    const worker = this.#idle.pop() ?? this.#newWorker();
    this.#threads.set(slot, worker);
    worker.run({
      module: this.#opts.module,
      memory: this.#memory,
      memoryImport: this.#opts.memory.import,
      channel: this.#channel.buffer,
      doorbell: this.#doorbell.buffer as SharedArrayBuffer,
      slot,
      entry,
      directWrites: this.#directWrites,
    });
  }

  #newWorker(): ThreadWorker {
    let self: ThreadWorker | undefined;
    const worker = this.#opts.threads.spawn((event) => { if (self !== undefined) this.#onEvent(self, event); });
    self = worker;
    this.#workers.add(worker);
    return worker;
  }

  #onEvent(worker: ThreadWorker, event: ThreadEvent): void {
    if (this.#ended) return;
    let slot = -1;
    for (const [s, w] of this.#threads) if (w === worker) slot = s;
    if (event.type === 'failed') {
      this.#end({ error: new ThreadTrapError(event.message, event.stack, event.trap) });
    } else if (slot === 0) {
      this.#end({ code: 0 }); // _start returned: the process ends
    } else if (slot > 0) {
      this.#threads.delete(slot);
      this.#freeSlots.push(slot);
      this.#idle.push(worker);
    }
  }

  /** thread-spawn: a new thread id, or a negated errno. */
  #spawn(arg: number): number {
    const slot = this.#freeSlots.pop();
    if (slot === undefined) return -Errno.AGAIN;
    const tid = this.#nextTid;
    this.#nextTid = tid >= 0x1fffffff ? 1 : tid + 1;
    try {
      this.#start(slot, { kind: 'thread', tid, arg: arg | 0 });
    } catch {
      this.#threads.delete(slot);
      this.#freeSlots.push(slot);
      return -Errno.AGAIN;
    }
    return tid;
  }

  async #serve(): Promise<void> {
    const cell = this.#doorbell;
    while (!this.#ended) {
      const seen = Atomics.load(cell, 0);
      this.#drain();
      if (this.#ended) break;
      let wait = Infinity;
      for (const p of this.#parked.values()) wait = Math.min(wait, p.wakeIn());
      const w = waitAsync(cell, 0, seen, wait === Infinity ? undefined : Math.max(0, wait));
      if (w.async) await w.value;
    }
  }

  /** Runs every waiting request and every parked call that may finish now. */
  #drain(): void {
    for (const [slot, p] of this.#parked) {
      let result: number | undefined;
      try {
        result = p.attempt();
      } catch (e) {
        result = this.#errnoOrEnd(e);
      }
      if (this.#ended) return;
      if (result !== undefined) {
        this.#parked.delete(slot);
        this.#channel.reply(slot, result);
      }
    }
    for (const [slot, settled] of this.#pending) {
      if (!settled) continue;
      this.#pending.delete(slot);
      this.#call(slot);
      if (this.#ended) return;
    }
    for (const slot of this.#threads.keys()) {
      if (this.#channel.hasRequest(slot) && !this.#parked.has(slot) && !this.#pending.has(slot)) {
        this.#call(slot);
        if (this.#ended) return;
      }
    }
  }

  #call(slot: number): void {
    const func = this.#channel.func(slot);
    const args = this.#channel.args(slot);
    if (func === THREAD_SPAWN) {
      this.#channel.reply(slot, this.#spawn(Number(args[0])));
      return;
    }
    let result: number;
    try {
      result = this.#functions[func]!(...args);
    } catch (e) {
      if (e instanceof Parked) {
        this.#parked.set(slot, { attempt: e.attempt, wakeIn: e.wakeIn });
        return;
      }
      if (e instanceof Pending) {
        this.#pending.set(slot, false);
        const settled = (): void => {
          this.#pending.set(slot, true);
          this.#wasi.process.readiness.notify();
        };
        e.promise.then(settled, settled);
        return;
      }
      this.#end(e instanceof ProcessExit ? { code: e.code } : { error: asError(e) });
      return;
    }
    if (CHANGES_DESCRIPTORS.has(func)) this.#refreshDirectWrites();
    this.#channel.reply(slot, result);
  }

  /** The errno a parked attempt's failure means; ends the process on proc_exit or a host fault. */
  #errnoOrEnd(e: unknown): number | undefined {
    try {
      return errnoOrRethrow(e);
    } catch (fatal) {
      this.#end(fatal instanceof ProcessExit ? { code: fatal.code } : { error: asError(fatal) });
      return undefined;
    }
  }

  /** Publishes which guest descriptors are OS-backed output streams a thread may write itself. */
  #refreshDirectWrites(): void {
    const hostFds: number[] = [];
    const fds = this.#wasi.process.fds;
    for (let fd = 0; fd < DIRECT_WRITE_FDS; fd++) {
      hostFds.push(-1);
      let d;
      try { d = fds.get(fd, Rights.FD_WRITE); } catch { continue; }
      if (d.resource instanceof OutputStreamResource) {
        const host = d.resource.stream.hostFd;
        if (host !== undefined && host >= 0) hostFds[fd] = host;
      }
    }
    this.#channel.setDirectWrites(hostFds);
  }

  /** Ends the process: every worker stops, every descriptor closes, the run settles. */
  #end(outcome: Outcome): void {
    if (this.#ended) return;
    this.#ended = true;
    const stopping = [...this.#workers].map((w) => w.terminate().catch(() => undefined));
    this.#workers.clear();
    this.#threads.clear();
    this.#idle.length = 0;
    this.#parked.clear();
    this.#pending.clear();
    const process = this.#wasi.process;
    if ('code' in outcome) process.exitCode = outcome.code;
    process.readiness.notify(); // lets the dispatcher's waitAsync return
    void Promise.all(stopping).then(() => {
      process.shutdown();
      this.#settle(outcome);
    });
  }
}

/** Atomics.waitAsync (ES2024; in Node 20 and current browsers), typed here for the ES2022 library. */
const waitAsync = (Atomics as unknown as {
  waitAsync(cell: Int32Array, index: number, value: number, timeoutMs?: number):
    { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
