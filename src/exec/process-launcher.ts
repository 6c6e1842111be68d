/**
 * Starting child processes (layer: execution): the kernel's launcher for
 * WASIX `proc_spawn` and `proc_exec`. A child is a process of the same
 * kernel, run in the channel placement like its parent (every thread in
 * a worker, its kernel on this thread), with its own memory, syscall
 * channel and threads. See docs/architecture.md, "Processes".
 */
import { Errno, WasiError } from '../abi/errno.js';
import { AsyncBackendSession } from '../host/async-backend.js';
import type { TraceSink } from '../host/stdio.js';
import type { ThreadSpawner } from '../host/threads.js';
import { statusOfThrown } from '../kernel/exit-status.js';
import type { Kernel } from '../kernel/kernel.js';
import type { LaunchRequest, Process, ProcessLauncher } from '../kernel/process.js';
import { SyscallFunctions } from './syscall-functions.js';
import type { MemoryImport } from './threaded-module.js';
import { runThreaded, sharedMemory } from './threaded-run.js';
import { compileProgram } from './child-program.js';

/** What every child of a kernel runs with. */
export interface LauncherOptions {
  kernel: Kernel;
  threads: ThreadSpawner;
  /** Where traced calls go (children are traced when the parent is). */
  trace?: TraceSink;
}

const decoder = new TextDecoder();

/** A NUL-terminated argument or environment string as text. */
function text(bytes: Uint8Array): string {
  return decoder.decode(bytes.subarray(0, bytes.length - 1));
}

/** A launcher that runs each child in the channel placement. */
export function createLauncher(options: LauncherOptions): ProcessLauncher {
  /** The runs of the processes it started, until each finished. */
  const runs = new Set<Promise<unknown>>();
  const track = (run: Promise<unknown>): void => {
    const done = run.then(() => { runs.delete(done); }, () => { runs.delete(done); });
    runs.add(done);
  };
  return {
    async settled(): Promise<void> {
      while (runs.size > 0) await Promise.all([...runs]);
    },

    launch(parent: Process, request: LaunchRequest): Process {
      let module: WebAssembly.Module;
      let memory: MemoryImport;
      try {
        ({ module, memory } = compileProgram(request.program));
      } catch (e) {
        if (request.into === undefined) request.fds.release(); // a vfork child keeps its table: its exec failed, it goes on
        throw e;
      }
      const child = request.into ?? options.kernel.spawn({
        args: request.args,
        env: request.env,
        fds: request.fds,
        clocks: parent.clocks,
        random: parent.random,
        maxThreads: parent.maxThreads,
        maxSockets: parent.maxSockets,
      }, parent);
      if (request.into !== undefined) child.setCommandLine(request.args, request.env);
      child.cwd = request.cwd;
      child.inheritedDispositions = request.dispositions;
      const session = new AsyncBackendSession();
      track(runThreaded({
        process: child,
        functions: new SyscallFunctions(child, childTrace(options.trace, child)),
        module,
        memory,
        threads: options.threads,
        session,
        directWrites: options.trace === undefined,
      }).catch((e: unknown) => child.end(statusOfThrown(e))));
      return child;
    },

    fork(parent: Process, record: number): Process {
      const image = parent.image;
      if (image === undefined) throw new WasiError(Errno.NOTSUP);
      // The copy: the same size and limits, the parent's bytes (its other threads may be writing: as fork in a threaded process, what they wrote is the child's undefined state).
      const source = image.instanceMemory;
      const pages = source.buffer.byteLength / 65536;
      const copy = sharedMemory({ ...image.memory, initial: pages, maximum: image.memory.maximum ?? pages } as MemoryImport);
      new Uint8Array(copy.buffer).set(new Uint8Array(source.buffer, 0, pages * 65536));
      const child = copyEnvironment(parent);
      track(runThreaded({
        process: child,
        functions: new SyscallFunctions(child, childTrace(options.trace, child)),
        module: image.module,
        memory: { ...image.memory, import: image.memory.import, shared: true, maximum: image.memory.maximum ?? pages } as MemoryImport,
        threads: options.threads,
        session: new AsyncBackendSession(),
        directWrites: options.trace === undefined,
        forked: { memory: copy, record },
      }).catch((e: unknown) => child.end(statusOfThrown(e))));
      return child;
    },

    forkEnvironment(parent: Process): Process {
      const child = copyEnvironment(parent);
      child.parkBlockedCalls = parent.parkBlockedCalls; // its calls run on the parent's channel slot until exec or exit
      return child;
    },
  };

  /** A child of `parent` with copies of its command line, environment, descriptor table, directory and signal state. */
  function copyEnvironment(parent: Process): Process {
    const child = options.kernel.spawn({
      args: parent.argBytes.map(text),
      env: parent.envBytes.map(text),
      fds: parent.fds.copy(),
      clocks: parent.clocks,
      random: parent.random,
      maxThreads: parent.maxThreads,
      maxSockets: parent.maxSockets,
    }, parent);
    child.cwd = parent.cwd;
    child.signalCallback = parent.signalCallback;
    child.inheritedDispositions = parent.inheritedDispositions;
    return child;
  }
}

/**
 * A child's trace lines, each after `[pid N]` (as `strace -f` marks the
 * lines of the processes it follows), so that the lines of a run's
 * processes, which interleave, say whose they are.
 */
function childTrace(trace: TraceSink | undefined, child: Process): TraceSink | undefined {
  return trace === undefined ? undefined : (line) => trace(`[pid ${child.pid}] ${line}`);
}
