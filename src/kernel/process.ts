/**
 * Process (layer: kernel): what a running guest owns — its pid and
 * parent, arguments, environment, current directory, descriptor table,
 * threads, children and their exit statuses, signals, futexes, clocks and
 * randomness — and its end. Preview 1 is one view of it; WASIX is another.
 *
 * Every way a process ends goes through `end(status)`, once: `_start`
 * returning, `proc_exit` from any thread, a fatal signal, a trap, a time
 * limit, a worker that died. It flushes pending writes, stops every thread
 * (through the `halt` hook of whatever runs it), closes every descriptor
 * the process owns, records the status and wakes whoever waits for it.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, RIGHTS_STREAM, Rights } from '../abi/constants.js';
import type { Clocks } from '../host/clocks.js';
import type { FileSystem, FsDirectory } from '../host/fs/types.js';
import type { RandomSource } from '../host/random.js';
import type { ReadinessSignal } from '../host/readiness-signal.js';
import type { PipeArena } from '../host/pipe-arena.js';
import { deviceDirectory } from './devices.js';
import { rootDirectory } from './root-directory.js';
import { absolutePath } from './guest-paths.js';
import type { Runtime } from '../host/runtime.js';
import type { KernelNetwork } from './network.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import { Parked, type Attempt, type WakeIn } from './blocking.js';
import { DirectoryResource } from './directory-resource.js';
import type { ExitStatus } from './exit-status.js';
import { FdTable } from './fd-table.js';
import { FutexTable } from './futex.js';
import type { Resource } from './resource.js';
import { Signals } from './signals.js';
import { InputStreamResource, OutputStreamResource, TerminalResource } from './stream-resource.js';
import { KernelThread } from './thread.js';
import { flushPendingWrites, writesPending } from './write-buffer.js';

export interface Preopen {
  /** The path the guest sees (fd_prestat_dir_name). */
  guestPath: string;
  fs: FileSystem;
}

/** A resource handed in at start-up at the next free descriptor (e.g. a listening socket). */
export interface PreopenedResource {
  /** The resource. */
  resource: Resource;
  /** Rights of the descriptor. */
  rightsBase: number;
  /** Rights it hands down to descriptors opened through it. */
  rightsInheriting: number;
}

/** What a process uses of the kernel it runs on (the `Kernel`). */
export interface ProcessKernel {
  /** The platform services. */
  readonly runtime: Runtime;
  /** The signal blocked calls wait on. */
  readonly readiness: ReadinessSignal;
  /** The process `pid`, while it is in the kernel's table. */
  process(pid: number): Process | undefined;
  /** Forgets an ended process (its parent reaped it). */
  release(process: Process): void;
  /** Starts programs as processes (WASIX `proc_spawn`, `proc_exec`), where the runner can. */
  readonly launcher?: ProcessLauncher;
  /** Programs by absolute guest path that the embedder registered. */
  readonly commands?: ReadonlyMap<string, () => Uint8Array>;
  /** The network guests' sockets use (none when absent). */
  readonly network?: KernelNetwork;
  /** The shared-memory rings of its pipes (host/pipe-arena.ts), where there are (else pipes live in the kernel alone). */
  readonly pipes?: PipeArena;
}

/** A program to start as a child process. */
export interface LaunchRequest {
  /** The module's bytes. */
  program: Uint8Array;
  /** Its arguments (`argv[0]` first). */
  args: readonly string[];
  /** Its environment, `NAME=value`. */
  env: readonly string[];
  /** Its descriptor table (a copy of the parent's, with the spawn's actions applied). */
  fds: FdTable;
  /** Its current directory. */
  cwd: string;
  /** Signal dispositions it inherits ([signal, 0 default / 1 ignore]). */
  dispositions: readonly (readonly [sig: number, disposition: number])[];
  /**
   * The process to run it in, made by `proc_fork_env` and still without a
   * program (its descriptor table is `fds`); a new child of `parent` when absent.
   */
  into?: Process;
}

/** A program that replaces a process's own (exec). */
export interface ExecRequest {
  /** The module's bytes. */
  program: Uint8Array;
  /** Its arguments (`argv[0]` first). */
  args: readonly string[];
  /** Its environment, `NAME=value`. */
  env: readonly string[];
}

/** What a process runs, as the runner keeps it for forking: the module and the memory it imports. */
export interface ProcessImage {
  readonly module: WebAssembly.Module;
  /** The memory the module imports: its limits and where it is imported from. */
  readonly memory: {
    readonly initial: number;
    readonly maximum?: number;
    readonly shared: boolean;
    /** A memory64 memory (i64 addresses). */
    readonly address64?: boolean;
    readonly import: { readonly module: string; readonly name: string };
  };
  /** The process's memory. */
  readonly instanceMemory: WebAssembly.Memory;
}

/** Starts child processes: made by the execution layer, which knows how to run a module. */
export interface ProcessLauncher {
  /**
   * Forks `parent`: a child running the same module on a copy of its
   * memory, with a copy of its descriptor table, whose main thread
   * resumes where the fork record at `record` (abi/fork-record.ts) says.
   * Throws a WasiError when the parent cannot be forked.
   */
  fork(parent: Process, record: number): Process;
  /**
   * A child of `parent` with copies of its descriptor table, directory,
   * command line, environment and signal state, and no program yet
   * (`proc_fork_env`): a later `launch` with `into` runs one in it.
   */
  forkEnvironment(parent: Process): Process;
  /**
   * Creates the child process of `parent` and starts running it; the
   * child runs on, and `child.ended` settles when it ends. Throws a
   * WasiError (ENOEXEC: not a module Kiln can start as a process).
   */
  launch(parent: Process, request: LaunchRequest): Process;
  /**
   * Settles once every process it started has finished running: ended,
   * and nothing of its run left in the host (its workers stopped or
   * released). A process's `ended` settles a little before that.
   */
  settled(): Promise<void>;
}

/** What a new process is made of. */
export interface ProcessSpec {
  args: readonly string[];
  /** `NAME=value` strings. */
  env: readonly string[];
  /** Standard input (used when no descriptor table is given). */
  stdin?: InputStream;
  /** Standard output (used when no descriptor table is given). */
  stdout?: OutputStream;
  /** Standard error (used when no descriptor table is given). */
  stderr?: OutputStream;
  /** The preopened directories (used when no descriptor table is given). */
  preopens?: readonly Preopen[];
  /** Placed after the preopened directories, so libc's preopen scan finds every directory first. */
  extraResources?: readonly PreopenedResource[];
  clocks: Clocks;
  random: RandomSource;
  /** Open descriptors at most (default 1024): more is EMFILE. */
  maxDescriptors?: number;
  /** Threads besides the main one at most (default 1024): more is EAGAIN. */
  maxThreads?: number;
  /** Open sockets at most (default: only the descriptor limit bounds them): more is EMFILE. */
  maxSockets?: number;
  /**
   * A descriptor table to use instead of one made from stdio and the
   * preopens: the parent's own (`fds.share()`, as with vfork) or a copy
   * (`fds.copy()`, as fork and spawn give).
   */
  fds?: FdTable;
}

const encoder = new TextEncoder();

export class Process {
  readonly pid: number;
  readonly parent: Process | undefined;
  readonly fds: FdTable;
  /** NUL-terminated UTF-8 arguments and environment strings. */
  argBytes: readonly Uint8Array[];
  envBytes: readonly Uint8Array[];
  readonly clocks: Clocks;
  readonly random: RandomSource;
  /** The current directory, preopen-relative (WASIX `chdir` moves it). */
  cwd = '/';
  /** Live threads by tid (the main thread is 0). */
  readonly threads = new Map<number, KernelThread>();
  /** Children by pid: running, or ended and not yet reaped. */
  readonly children = new Map<number, Process>();
  /**
   * The child each of its threads acts for after WASIX `proc_fork_env`
   * (vfork without a copy of the memory): that thread's calls run as the
   * child's, on the same memory, until the child's `proc_exec*` starts its
   * program or its `proc_exit*` ends it, and that call returns to the
   * thread, acting for this process again.
   */
  readonly vforking = new Map<KernelThread, Process>();
  readonly signals = new Signals();
  readonly futexes: FutexTable;
  readonly maxThreads: number;
  /** Open sockets at most (undefined: only the descriptor limit). */
  readonly maxSockets: number | undefined;
  /**
   * True when the kernel runs on a thread that serves several guest threads
   * and must never wait: blocked calls are then parked (see blocking.ts).
   */
  parkBlockedCalls = false;
  /**
   * The export the guest named with WASIX `callback_signal` to receive
   * signals (`__wasm_signal`); undefined until it did, and signals then
   * take their default action in the kernel.
   */
  signalCallback: string | undefined;
  /** True when the guest's module exports `name` (set by the runner; without it, every name counts as exported). */
  exportsFunction: (name: string) => boolean = () => true;
  /** The inherited signal dispositions WASIX `proc_signals_get` reports (signal, 0 default / 1 ignore). */
  inheritedDispositions: readonly (readonly [sig: number, disposition: number])[] = [];
  /** What the process runs (set by a runner that can fork it). */
  image: ProcessImage | undefined;
  /**
   * Replaces the program the process runs (WASIX `proc_exec` in place),
   * where the runner can: every thread stops, the new module starts on a
   * new memory with the same pid, descriptors and directory. Throws a
   * WasiError (ENOEXEC) when the module cannot run so; otherwise it
   * throws `CallReplaced` (the calling thread is gone).
   */
  replaceImage: ((request: ExecRequest) => never) | undefined;
  /** Run once when the process ends (timers of `proc_raise_interval`, ...). */
  readonly #atEnd: (() => void)[] = [];
  #status: ExitStatus | undefined;
  #finished = false;
  readonly #ended: Promise<ExitStatus>;
  #settle!: (status: ExitStatus) => void;

  constructor(readonly kernel: ProcessKernel, pid: number, spec: ProcessSpec, parent?: Process) {
    this.pid = pid;
    this.parent = parent;
    this.fds = spec.fds ?? new FdTable(spec.maxDescriptors);
    this.argBytes = spec.args.map((a) => encoder.encode(`${a}\0`));
    this.envBytes = spec.env.map((e) => encoder.encode(`${e}\0`));
    this.clocks = spec.clocks;
    this.random = spec.random;
    this.maxThreads = spec.maxThreads ?? 1024;
    this.maxSockets = spec.maxSockets;
    this.futexes = new FutexTable(() => kernel.readiness.notify());
    this.#ended = new Promise((resolve) => { this.#settle = resolve; });
    this.threads.set(0, new KernelThread(this, 0));
    this.terminal = parent?.terminal;
    if (spec.fds !== undefined) return;
    if (spec.stdin === undefined || spec.stdout === undefined || spec.stderr === undefined) throw new TypeError('a process needs stdio or a descriptor table');
    // stdin is open for reading only, stdout and stderr for writing only (as wasmtime).
    const input = RIGHTS_STREAM & ~Rights.FD_WRITE;
    const output = RIGHTS_STREAM & ~Rights.FD_READ;
    const stdin = new InputStreamResource(spec.stdin, kernel.readiness);
    const stdout = new OutputStreamResource(spec.stdout);
    this.fds.add({ resource: stdin, rightsBase: input, rightsInheriting: 0 });
    this.fds.add({ resource: stdout, rightsBase: output, rightsInheriting: 0 });
    if (stdin.filetype === FileType.CHARACTER_DEVICE && stdout.filetype === FileType.CHARACTER_DEVICE && isTerminal(kernel.runtime)) {
      this.terminal = new TerminalResource(stdin, stdout);
    }
    this.fds.add({ resource: new OutputStreamResource(spec.stderr), rightsBase: output, rightsInheriting: 0 });
    for (const p of spec.preopens ?? []) {
      this.fds.add({
        resource: new DirectoryResource(p.fs.root, undefined, p.guestPath),
        rightsBase: RIGHTS_DIRECTORY,
        rightsInheriting: RIGHTS_DIRECTORY_INHERITING,
      });
    }
    for (const r of spec.extraResources ?? []) this.fds.add(r);
  }

  /** The platform services of the process's kernel. */
  get runtime(): Runtime { return this.kernel.runtime; }

  /** The kernel's readiness signal, which blocked calls of this process wait on. */
  get readiness(): ReadinessSignal { return this.kernel.readiness; }

  /**
   * Gives the process a root, a preopen at `/` (kernel/root-directory.ts:
   * the devices at `dev`, the preopened directories at their paths), added
   * after every descriptor it has, unless a preopen is at `/` already
   * (or the descriptor cap leaves no room). A WASIX guest gets one, as
   * Wasmer gives every guest a root.
   */
  addRoot(): void {
    const mounts: [string, FsDirectory][] = [];
    for (const fd of this.fds.numbers()) {
      const r = this.fds.get(fd).resource;
      if (!(r instanceof DirectoryResource) || r.preopenPath === undefined || !r.preopenPath.startsWith('/')) continue;
      const at = absolutePath('/', r.preopenPath);
      if (at === '/') return;
      mounts.push([at, r.node]);
    }
    const root = new DirectoryResource(rootDirectory(this.devices.node, mounts), undefined, '/');
    try {
      this.fds.add({ resource: root, rightsBase: RIGHTS_DIRECTORY, rightsInheriting: RIGHTS_DIRECTORY_INHERITING });
    } catch {
      // No descriptor left under the cap (maxDescriptors): the guest runs without a root.
    }
  }

  /**
   * `/dev/tty` (kernel/devices.ts): set when the process started with a
   * terminal as both standard input and output, or its parent had one.
   * Descriptors opened on it share it; it is never closed.
   */
  readonly terminal: TerminalResource | undefined;

  #devices: DirectoryResource | undefined;
  /** The `/dev` its WASIX paths reach where no preopen holds one (kernel/devices.ts), made on first use. */
  get devices(): DirectoryResource { return this.#devices ??= deviceDirectory(this.random); }

  /** The thread that runs `_start`. */
  get mainThread(): KernelThread | undefined { return this.threads.get(0); }

  /** How the process ended; undefined while it runs. */
  get status(): ExitStatus | undefined { return this.#status; }

  /** True once the process has ended and released what it owned (its status is final). */
  get finished(): boolean { return this.#finished; }

  /** Reaps an ended child: it leaves the kernel's table and this process's children. */
  reap(child: Process): void {
    if (child.parent === this) this.kernel.release(child);
  }

  /** Settles with the status once the process has ended and released what it owned. */
  get ended(): Promise<ExitStatus> { return this.#ended; }

  /**
   * A new thread (wasi-threads `thread-spawn`, WASIX `thread_spawn`): its id
   * from the runtime. EAGAIN beyond the thread limit or after the end.
   */
  spawnThread(): KernelThread {
    if (this.#status !== undefined || this.threads.size - 1 >= this.maxThreads) throw new WasiError(Errno.AGAIN);
    let tid = this.runtime.threadGenerateId();
    while (tid === 0 || this.threads.has(tid)) tid = this.runtime.threadGenerateId();
    const thread = new KernelThread(this, tid);
    this.threads.set(tid, thread);
    return thread;
  }

  /**
   * EMFILE unless `count` more sockets can be opened: there is room for
   * their descriptors and they stay within the socket limit. Checked
   * before a socket is made or a connection accepted, so a refusal
   * leaves nothing half open (an accepted connection stays queued).
   */
  checkSocketRoom(count: number): void {
    if (this.fds.room() < count) throw new WasiError(Errno.MFILE);
    this.checkSocketLimit(count);
  }

  /**
   * EMFILE unless `count` more sockets stay within the socket limit, with
   * the process's descriptors and `besides` sockets held elsewhere (a
   * component's, which are not descriptors).
   */
  checkSocketLimit(count: number, besides = 0): void {
    if (this.maxSockets === undefined) return;
    if (this.fds.countResources((r) => r.isSocket) + besides + count > this.maxSockets) {
      throw new WasiError(Errno.MFILE, `the socket limit (${this.maxSockets}) is reached`);
    }
  }

  /** Sets the arguments and environment the process reports (exec replaces them). */
  setCommandLine(args: readonly string[], env: readonly string[]): void {
    this.argBytes = args.map((a) => encoder.encode(`${a}\0`));
    this.envBytes = env.map((e) => encoder.encode(`${e}\0`));
  }

  /** A fresh main thread (exec: the old threads have stopped); it replaces any thread 0. */
  newMainThread(): KernelThread {
    const main = new KernelThread(this, 0);
    this.threads.set(0, main);
    return main;
  }

  /** Signals for given threads held back while the guest's callback was not exported. */
  readonly #heldForThreads: [sig: number, thread: KernelThread][] = [];

  /** Runs `cleanup` when the process ends (at once if it has ended). */
  atEnd(cleanup: () => void): void {
    if (this.#status !== undefined) cleanup();
    else this.#atEnd.push(cleanup);
  }

  /**
   * Raises `sig` for the process, or for one of its threads: with a
   * signal callback the guest registered (and exports), the signal goes to
   * that thread (else the main thread, else any) for the guest's handler,
   * which decides what it does (wasix-libc runs the handler, or the
   * default action, itself); a callback that is not exported
   * (`__wasm_signal_blocked`) holds signals back until one that is
   * exported is named again. Without a callback the kernel applies the
   * default action: ignored, or the end of the process by the signal.
   */
  raise(sig: number, thread?: KernelThread): void {
    if (sig === 0 || this.#status !== undefined) return;
    if (sig === 9 /* KILL */) {
      void this.end({ kind: 'signal', signal: sig });
      return;
    }
    const callback = this.signalCallback;
    if (callback !== undefined) {
      if (!this.exportsFunction(callback)) {
        // Held back; one for a given thread (thread_signal, pthread_kill) stays that thread's.
        if (thread === undefined) this.signals.queue(sig);
        else if (!this.#heldForThreads.some(([s, t]) => s === sig && t === thread)) this.#heldForThreads.push([sig, thread]);
        return;
      }
      const target = thread ?? this.mainThread ?? this.threads.values().next().value;
      if (target?.deliver !== undefined) {
        target.deliver(sig);
        return;
      }
      this.signals.queue(sig);
      return;
    }
    const action = this.signals.action(sig);
    if (action === 'terminate') void this.end({ kind: 'signal', signal: sig });
    else if (action === 'handle') this.signals.queue(sig);
  }

  /** Hands the signals held back to the guest (a callback it exports was named). */
  releaseHeldSignals(): void {
    const callback = this.signalCallback;
    if (callback === undefined || !this.exportsFunction(callback)) return;
    for (const [sig, thread] of this.#heldForThreads.splice(0)) this.raise(sig, this.threads.get(thread.tid) === thread ? thread : undefined);
    for (let sig = this.signals.takePending(); sig !== undefined; sig = this.signals.takePending()) this.raise(sig);
  }

  /**
   * Runs a blocking call: tries it, and while it would block, waits for the
   * readiness signal to change or `wakeIn()` ms to pass (or parks it).
   */
  block(attempt: Attempt, wakeIn: WakeIn): number {
    for (;;) {
      const seen = this.readiness.generation;
      const done = attempt();
      if (done !== undefined) return done;
      if (this.parkBlockedCalls) throw new Parked(attempt, wakeIn);
      this.readiness.wait(seen, wakeIn());
    }
  }

  /**
   * Ends the process, once (later calls do nothing and give the first
   * status): flushes pending writes, stops every thread, closes every
   * descriptor the process owns (never the host's own stdio), records the
   * status and wakes whoever waits for it (`ended`, the parent, futex
   * waiters). Descriptors are closed after every thread has stopped, so
   * no thread still writes through one; when no thread needs waiting for
   * (the inline port), that happens before `end` returns.
   */
  end(status: ExitStatus): Promise<ExitStatus> {
    if (this.#status !== undefined) return this.#ended;
    this.#status = status;
    if (writesPending) flushPendingWrites();
    const stopping: Promise<void>[] = [];
    // A process's running children end with it (Kiln has no init to adopt them), before it counts as ended.
    for (const child of this.children.values()) {
      if (child.status === undefined) stopping.push(child.end({ kind: 'signal', signal: 9 /* KILL */ }).then(() => undefined));
    }
    for (const cleanup of this.#atEnd.splice(0)) {
      try { cleanup(); } catch { /* a cleanup's failure does not stop the end */ }
    }
    for (const thread of [...this.threads.values()]) {
      const stopped = thread.stop();
      if (stopped !== undefined) stopping.push(stopped.catch(() => undefined));
    }
    this.futexes.wakeAll();
    const release = (): ExitStatus => {
      this.fds.release();
      this.#finished = true;
      this.readiness.notify(); // a parent waiting for this child, a dispatcher waiting for work
      this.#settle(status);
      this.parent?.raise(16 /* CHLD */);
      return status;
    };
    if (stopping.length === 0) {
      release();
      return this.#ended;
    }
    return Promise.all(stopping).then(release);
  }
}

/** True when the runtime's standard input and output are a terminal (not, say, /dev/null, also a character device). */
function isTerminal(runtime: Runtime): boolean {
  const state = runtime.ttyGet();
  return state.stdinTty && state.stdoutTty;
}
