/**
 * Running a threaded process (layer: execution, platform-neutral): the
 * channel placement. See docs/architecture.md, "Threads (wasi-threads)".
 *
 * The kernel (the process, its descriptor table) stays on this thread,
 * driven by its event loop through the channel server; every wasm thread,
 * the main one included, runs in a worker from the runtime's
 * `threadSpawn`, on one shared memory, and reaches the kernel through its
 * slot of the syscall channel. `thread-spawn` asks the process for a new
 * thread (its id from the runtime) and starts it in a worker (an idle one
 * when there is one). The process ends through `Process.end` on
 * `proc_exit` from any thread, a trap, a worker that failed, `_start`
 * returning or the time limit; every worker is stopped then.
 */
import { interruptsCalls } from '../kernel/signals.js';
import { createGuestWriteBuffer, drainGuestWrites, stopCoalescing } from './guest-write-buffer.js';
import type { OutputStream } from '../host/stdio.js';
import { sharedMonotonicNs, systemClocks, systemRealtimeAnchor } from '../host/clocks.js';
import { Errno, WasiError } from '../abi/errno.js';
import { Rights } from '../abi/constants.js';
import { syscallEntry } from '../abi/syscall-table.js';
import type { AsyncBackendSession } from '../host/async-backend.js';
import type { GuestThreadStart, ThreadEvent, ThreadSpawner, ThreadWorker } from '../host/threads.js';
import { linuxSignalNumber, statusOfThrown, type ExitStatus } from '../kernel/exit-status.js';
import type { Process } from '../kernel/process.js';
import { OutputStreamResource } from '../kernel/stream-resource.js';
import { PipeEnd } from '../kernel/pipe-resource.js';
import { mapEntry, threadToken } from '../host/pipe-arena.js';
import type { KernelThread } from '../kernel/thread.js';
import { ChannelServer, type SlotOwner } from './channel-server.js';
import { DIRECT_WRITE_FDS, SyscallChannel } from './channel.js';
import type { MemoryImport } from './threaded-module.js';
import { compileProgram } from './child-program.js';
import { CallReplaced } from '../kernel/blocking.js';
import { SyscallFunctions } from './syscall-functions.js';
import { TimeoutError } from './timeout.js';

/** A wasm thread trapped (or a thread worker failed); the process ended with it. */
export class ThreadTrapError extends Error {
  /** The failure of one thread: its message, its stack (the wasm backtrace), whether it was a trap. */
  constructor(
    message: string,
    /** The stack of the failure in the thread (for a trap, the wasm backtrace). */
    readonly guestStack: string,
    /** True for a trap (`WebAssembly.RuntimeError`), false for another failure of the thread. */
    readonly trap: boolean,
  ) {
    super(message);
    this.name = trap ? 'RuntimeError' : 'ThreadError';
    this.stack = guestStack;
  }
}

export interface ThreadedRun {
  process: Process;
  functions: SyscallFunctions;
  module: WebAssembly.Module;
  /** The shared memory the module imports (limits from its binary). */
  memory: MemoryImport;
  threads: ThreadSpawner;
  /** The session that replays asynchronous backend calls of the process's filesystems. */
  session: AsyncBackendSession;
  /** Wall-clock limit for the whole process, in ms. */
  timeoutMs?: number;
  /** False while tracing: every write then goes through the kernel, and is traced. */
  directWrites: boolean;
  /**
   * A forked child: its memory (a copy of the parent's) and the fork
   * record its main thread resumes from (abi/fork-record.ts).
   */
  forked?: { memory: WebAssembly.Memory; record: number };
}

/** How long a thread whose blocked call was ended may take to return before its worker is terminated. */
const UNWIND_MS = 250;

/**
 * Names of the calls after which the direct-write and direct-pipe maps
 * may be stale: they change the descriptor table, or begin or end a vfork
 * (whose child's calls the thread makes: no direct I/O then).
 */
const CHANGES_DESCRIPTORS = [
  'fd_close', 'fd_renumber', 'path_open', 'fd_fdstat_set_rights', 'fd_fdstat_set_flags', 'path_open2', 'fd_dup', 'fd_dup2',
  'fd_pipe', 'proc_spawn', 'proc_spawn2', 'proc_fork_env', 'proc_exec', 'proc_exec2', 'proc_exec3', 'proc_exit', 'proc_exit2',
];

const RENUMBERING = new Set(CHANGES_DESCRIPTORS.flatMap((name) =>
  ['wasi_snapshot_preview1', 'wasi_unstable', 'wasix_32v1'].map((module) => syscallEntry(module, name)?.number)
    .filter((n): n is number => n !== undefined)));

/** A new shared memory with the limits a module declares (a memory64 one takes its limits as bigints). */
export function sharedMemory(decl: MemoryImport): WebAssembly.Memory {
  if (decl.address64 === true) {
    const descriptor = { initial: BigInt(decl.initial), maximum: BigInt(decl.maximum ?? decl.initial), shared: true, address: 'i64' };
    return new WebAssembly.Memory(descriptor as unknown as WebAssembly.MemoryDescriptor);
  }
  return new WebAssembly.Memory({ initial: decl.initial, maximum: decl.maximum, shared: true });
}

/** Runs a threaded process to its end; resolves to how it ended. */
export async function runThreaded(run: ThreadedRun): Promise<ExitStatus> {
  const { process, functions } = run;
  /** What the process runs: exec in place replaces it. */
  let module = run.module;
  let memoryImport = run.memory;
  if (typeof SharedArrayBuffer !== 'function' || !(process.readiness.cell.buffer instanceof SharedArrayBuffer)) {
    throw new Error('threads need SharedArrayBuffer: in a browser, a cross-origin isolated page, served with the headers ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"');
  }
  let memory = run.forked?.memory ?? sharedMemory(run.memory);
  functions.context.bind(memory);
  functions.runs(module);
  process.image = { module, memory: memoryImport, instanceMemory: memory };
  process.parkBlockedCalls = true;
  const readiness = process.readiness;
  const slots = process.maxThreads + 1;
  const channel = new SyscallChannel(SyscallChannel.create(slots), readiness.cell);
  const server = new ChannelServer(channel, readiness);
  const freeSlots: number[] = [];
  for (let s = slots - 1; s >= 1; s--) freeSlots.push(s);
  const idle: ThreadWorker[] = [];
  const workers = new Set<ThreadWorker>();
  const running = new Map<ThreadWorker, { slot: number; thread: KernelThread }>();

  const end = (status: ExitStatus): void => { void process.end(status); };

  /** The rings of the kernel's pipes, which the threads read and write themselves (not while tracing). */
  const pipes = run.directWrites ? process.kernel.pipes : undefined;
  /** The streams behind the host descriptors the threads write to directly, by host descriptor. */
  const hostStreams = new Map<number, OutputStream>();
  const refreshDirectWrites = (): void => {
    const hostFds: number[] = [];
    const bufferable: boolean[] = [];
    const pipeRead: number[] = [];
    const pipeWrite: number[] = [];
    for (let fd = 0; fd < DIRECT_WRITE_FDS; fd++) {
      hostFds.push(-1);
      bufferable.push(false);
      pipeRead.push(0);
      pipeWrite.push(0);
      // has() first: a closed number would throw (and build an error) for each of the 64.
      // A thread acting for a vfork child makes that child's calls, on its own table: none directly.
      if (!process.fds.has(fd) || process.vforking.size > 0) continue;
      const open = process.fds.get(fd);
      if (pipes !== undefined && open.resource instanceof PipeEnd) {
        const rings = open.resource.directRings();
        if (rings.read !== undefined && (open.rightsBase & Rights.FD_READ) !== 0) pipeRead[fd] = mapEntry(rings.read);
        if (rings.write !== undefined && (open.rightsBase & Rights.FD_WRITE) !== 0) pipeWrite[fd] = mapEntry(rings.write);
        continue;
      }
      if ((open.rightsBase & Rights.FD_WRITE) !== 0 && open.resource instanceof OutputStreamResource) {
        const stream = open.resource.stream;
        const host = stream.hostFd;
        if (host !== undefined && host >= 0) {
          hostFds[fd] = host;
          bufferable[fd] = stream.bufferable === true;
          hostStreams.set(host, stream);
        }
      }
    }
    channel.setDirectWrites(hostFds, bufferable);
    channel.setDirectPipes(pipeRead, pipeWrite);
  };

  /** The main thread's gathered writes (exec/guest-write-buffer.ts); not while tracing. */
  const writeBuffer = run.directWrites ? createGuestWriteBuffer() : undefined;
  /** Writes what a stopped thread left gathered. */
  const drainWrites = (): void => {
    if (writeBuffer !== undefined) drainGuestWrites(writeBuffer, (host, data) => { hostStreams.get(host)?.write(data.slice()); });
  };

  // The threads read the default clocks themselves (not while tracing: every call shows then).
  const localClock = run.directWrites && process.clocks === systemClocks && sharedMonotonicNs !== undefined
    ? { realtimeAnchor: systemRealtimeAnchor } : undefined;

  const exportedFunctions = (m: WebAssembly.Module): Set<string> =>
    new Set(WebAssembly.Module.exports(m).filter((e) => e.kind === 'function').map((e) => e.name));
  let exported = exportedFunctions(module);
  process.exportsFunction = (name) => exported.has(name);

  /** The functions of a `proc_fork_env` child, over this process's memory (its thread acts for it until exec or exit). */
  const vforkFunctions = new WeakMap<Process, SyscallFunctions>();
  const functionsFor = (thread: KernelThread): SyscallFunctions => {
    const child = process.vforking.get(thread);
    if (child === undefined) return functions;
    let found = vforkFunctions.get(child);
    if (found === undefined) {
      found = new SyscallFunctions(child, functions.trace);
      found.context.wide = functions.context.wide;
      found.context.absolutePaths = functions.context.absolutePaths;
      found.context.bind(memory);
      vforkFunctions.set(child, found);
    }
    return found;
  };

  /** The owner of a thread's slot: its calls run as that thread's (the context says which thread calls), or its vfork child's. */
  const ownerOf = (thread: KernelThread): SlotOwner => ({
    call: (number, args) => {
      const acting = functionsFor(thread);
      const fn = acting.byNumber(number);
      if (fn === undefined) throw new WasiError(Errno.NOSYS);
      acting.context.thread = thread;
      return fn(...args);
    },
    session: run.session,
    fatal: (thrown) => end(statusOfThrown(thrown)),
    completed: (number) => { if (RENUMBERING.has(number)) refreshDirectWrites(); },
  });

  /** Stops the worker of `slot`'s thread at once: a pipe lock it held mid-copy is freed (host/pipe-arena.ts). */
  const terminate = (worker: ThreadWorker, slot: number): Promise<void> =>
    worker.terminate().finally(() => pipes?.releaseLocksOf(threadToken(process.pid, slot)));

  /** Workers whose blocked call was ended as their process ended: what to do once they report. */
  const unwinding = new Map<ThreadWorker, (event: ThreadEvent) => void>();

  /** Frees a worker its process needs no more: the spawner keeps it for another, or stops it. */
  const letGo = (worker: ThreadWorker): Promise<void> => {
    workers.delete(worker);
    running.delete(worker);
    if (worker.release === undefined) return worker.terminate().catch(() => undefined);
    worker.release();
    return Promise.resolve();
  };

  /**
   * Stops the thread of `worker` as its process ends: one waiting in a call
   * has the call ended and unwinds (its worker is then free for another
   * thread); one running guest code, or that does not return soon, is
   * terminated.
   */
  const halt = (worker: ThreadWorker, slot: number): Promise<void> => {
    server.detach(slot);
    if (!channel.endCall(slot, memory.buffer, pipes?.buffer)) return terminate(worker, slot).then(drainWrites);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        unwinding.delete(worker);
        terminate(worker, slot).then(drainWrites).then(resolve, resolve);
      }, UNWIND_MS);
      unwinding.set(worker, (event) => {
        clearTimeout(timer);
        if (event.type === 'returned') {
          void letGo(worker).then(resolve);
        } else {
          terminate(worker, slot).then(resolve, resolve);
        }
      });
    });
  };

  const onEvent = (worker: ThreadWorker, event: ThreadEvent): void => {
    const unwound = unwinding.get(worker);
    if (unwound !== undefined) {
      unwinding.delete(worker);
      unwound(event);
      return;
    }
    if (process.status !== undefined) return;
    const entry = running.get(worker);
    if (entry === undefined) {
      // An idle worker that failed (it died while waiting): it runs no thread again.
      const i = idle.indexOf(worker);
      if (i >= 0 && event.type === 'failed') { idle.splice(i, 1); workers.delete(worker); }
      return;
    }
    if (event.type === 'failed') {
      end({ kind: 'fault', error: new ThreadTrapError(event.message, event.stack, event.trap) });
      return;
    }
    running.delete(worker);
    server.detach(entry.slot);
    entry.thread.exit();
    process.readiness.notify(); // a thread_join waiting for it
    // _start returning ends the process; the main thread leaving through
    // thread_exit leaves it to the last thread (as pthread_exit does).
    if ((entry.thread.main && entry.thread.exitCode === undefined) || process.threads.size === 0) {
      end({ kind: 'exit', code: 0 });
      return;
    }
    freeSlots.push(entry.slot);
    idle.push(worker);
  };

  const newWorker = (): ThreadWorker => {
    let self: ThreadWorker | undefined;
    const worker = run.threads.spawn((event) => { if (self !== undefined) onEvent(self, event); });
    self = worker;
    workers.add(worker);
    return worker;
  };

  const start = (thread: KernelThread, slot: number, entry: GuestThreadStart['entry']): void => {
    const worker = idle.pop() ?? newWorker();
    running.set(worker, { slot, thread });
    thread.halt = () => halt(worker, slot);
    channel.resetSlot(slot);
    thread.deliver = (sig) => {
      if (interruptsCalls(sig)) thread.interrupts++;
      channel.raiseSignal(slot, linuxSignalNumber(sig));
      channel.wakeFutex(slot, memory.buffer, pipes?.buffer); // a futex or pipe wait on the thread's side wakes to run the handler
      process.readiness.notify(); // a call the thread is blocked in ends with EINTR
    };
    server.attach(slot, ownerOf(thread));
    worker.run({
      module,
      memory,
      memoryImport: memoryImport.import,
      channel: channel.buffer,
      doorbell: readiness.cell.buffer as SharedArrayBuffer,
      slot,
      entry,
      atomicWait: memoryImport.atomicWait,
      ...(entry.kind === 'main' && writeBuffer !== undefined ? { writeBuffer } : {}),
      directWrites: run.directWrites,
      ...(run.directWrites ? { argsEnv: { args: process.argBytes, env: process.envBytes } } : {}),
      ...(pipes === undefined ? {} : { pipes: { arena: pipes.buffer, token: threadToken(process.pid, slot) } }),
      ...(localClock === undefined ? {} : { localClock }),
    });
  };

  functions.serveThreads((arg, firstGeneration) => {
    // Threads may order their writes through memory alone: no more gathering (the caller flushed before this call).
    if (writeBuffer !== undefined) stopCoalescing(writeBuffer);
    const slot = freeSlots.pop();
    if (slot === undefined) return -Errno.AGAIN;
    let thread: KernelThread;
    try {
      thread = process.spawnThread();
    } catch {
      freeSlots.push(slot);
      return -Errno.AGAIN;
    }
    try {
      start(thread, slot, { kind: 'thread', tid: thread.tid, arg: arg | 0, ...(firstGeneration === undefined ? {} : { firstGeneration }) });
    } catch {
      thread.exit();
      server.detach(slot);
      freeSlots.push(slot);
      return -Errno.AGAIN;
    }
    return thread.tid;
  });

  process.replaceImage = (request) => {
    const { module: next, memory: decl } = compileProgram(request.program);
    // Every thread stops, the caller's too (its call is never answered).
    const stopped: Promise<void>[] = [];
    for (const [worker, entry] of [...running]) {
      running.delete(worker);
      workers.delete(worker);
      server.detach(entry.slot);
      // Terminated, not unwound: their slots serve the new image's threads.
      entry.thread.halt = () => terminate(worker, entry.slot);
      const stopping = entry.thread.stop();
      if (stopping !== undefined) stopped.push(stopping.catch(() => undefined));
      if (entry.slot !== 0) freeSlots.push(entry.slot);
    }
    process.futexes.wakeAll();
    process.setCommandLine(request.args, request.env);
    process.signalCallback = undefined; // handlers do not survive exec
    module = next;
    memoryImport = decl;
    exported = exportedFunctions(next);
    memory = sharedMemory(decl);
    functions.context.bind(memory);
    functions.runs(next);
    process.image = { module, memory: memoryImport, instanceMemory: memory };
    refreshDirectWrites();
    // The new image starts once the old threads' workers are gone: a thread still waiting on a
    // slot would take the answers its new owner gets.
    const main = process.newMainThread();
    void Promise.all(stopped).then(() => {
      if (process.status !== undefined) return;
      try {
        start(main, 0, { kind: 'main' });
      } catch (e) {
        end(statusOfThrown(e));
      }
    });
    throw new CallReplaced();
  };

  refreshDirectWrites();
  const timer = run.timeoutMs === undefined ? undefined
    : setTimeout(() => end({ kind: 'fault', error: new TimeoutError(run.timeoutMs!) }), run.timeoutMs);
  const serving = server.serve();
  try {
    start(process.mainThread!, 0, run.forked === undefined ? { kind: 'main' } : { kind: 'main', resume: { data: run.forked.record } });
  } catch (e) {
    end(statusOfThrown(e));
  }
  const status = await process.ended;
  drainWrites();
  if (timer !== undefined) clearTimeout(timer);
  server.stop();
  await serving;
  // Workers whose threads returned may run threads of another process (the spawner keeps them or stops them).
  await Promise.all([...workers].filter((w) => !running.has(w)).map(letGo));
  await run.session.settled();
  return status;
}
