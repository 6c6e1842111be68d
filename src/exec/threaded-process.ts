/**
 * Starting a threaded process (layer: execution, platform-neutral): a
 * module that imports a shared memory or `wasi` `thread-spawn` becomes a
 * process of a kernel, run in the channel placement (threaded-run.ts),
 * its children (fork, spawn, exec) started by the kernel's launcher. The
 * same for the `WASI` object's `run()` and `runHere()` on the calling
 * thread and for a browser's process worker, where the kernel runs in the
 * worker.
 */
import { AsyncBackendSession } from '../host/async-backend.js';
import type { TraceSink } from '../host/stdio.js';
import type { ThreadSpawner } from '../host/threads.js';
import type { ExitStatus } from '../kernel/exit-status.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PreopenedResource, Process } from '../kernel/process.js';
import { requireImports, servedImports } from './imports-check.js';
import type { CheckedWASIOptions } from './options.js';
import { spawnProcess } from './process-factory.js';
import { createLauncher } from './process-launcher.js';
import { SyscallFunctions } from './syscall-functions.js';
import { threadedMemory, type MemoryImport } from './threaded-module.js';
import { runThreaded } from './threaded-run.js';

/** The import namespaces a threaded module may use: the system call modules and `wasi` (`thread-spawn`). */
export const THREADED_NAMESPACES = ['wasi_snapshot_preview1', 'wasi_unstable', 'wasix_32v1', 'wasix_64v1', 'wasi'] as const;

export interface ThreadedProcessStart {
  kernel: Kernel;
  /** The process's configuration (arguments, environment, preopens, stdio, limits). */
  options: CheckedWASIOptions;
  module: WebAssembly.Module;
  /** The module's bytes: its shared memory's limits are read from the binary. */
  bytes: Uint8Array | undefined;
  threads: ThreadSpawner;
  trace?: TraceSink;
  /** Resources after the preopens (listening sockets). */
  resources?: readonly PreopenedResource[];
  /** Called with the process once it exists, and with undefined when it has ended. */
  onProcess?(process: Process | undefined): void;
}

/**
 * The shared memory a threaded module imports, its limits read from
 * `bytes`; throws a TypeError without the bytes, a MissingImportsError for
 * an import Kiln does not serve.
 */
export function checkThreadedModule(module: WebAssembly.Module, bytes: Uint8Array | undefined): MemoryImport {
  if (bytes === undefined) {
    throw new TypeError("a module that uses threads must be given as bytes, not a compiled Module: its shared memory's limits are read from the binary");
  }
  const memory = threadedMemory(module, bytes);
  requireImports(module, {
    ...servedImports(THREADED_NAMESPACES),
    [memory.import.module]: { [memory.import.name]: new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true }) },
  });
  return memory;
}

/** Runs `start.module` as a new process of `start.kernel` with every thread in a worker; resolves once it and its children ended. */
export async function runThreadedProcess(start: ThreadedProcessStart): Promise<{ process: Process; status: ExitStatus }> {
  const memory = checkThreadedModule(start.module, start.bytes);
  const { kernel, trace } = start;
  const session = new AsyncBackendSession();
  const process = spawnProcess(kernel, start.options, { session, resources: start.resources });
  kernel.launcher ??= createLauncher({ kernel, threads: start.threads, trace });
  start.onProcess?.(process);
  try {
    const status = await runThreaded({
      process,
      functions: new SyscallFunctions(process, trace),
      module: start.module,
      memory,
      threads: start.threads,
      session,
      timeoutMs: start.options.timeoutMs,
      directWrites: trace === undefined,
    });
    await kernel.launcher.settled(); // its children's runs too: nothing of the tree left running
    return { process, status };
  } finally {
    start.onProcess?.(undefined);
  }
}
