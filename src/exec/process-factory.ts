/**
 * Making a process from the options (layer: execution): one place where
 * `WASIOptions` become a kernel `ProcessSpec`, whatever the placement.
 * Host descriptor numbers and host directory paths are realised by the
 * runtime; filesystem objects are used as they are when they declare
 * themselves synchronous, and otherwise through the adapter for
 * asynchronous backends (`session`): with a runner that replays (JSPI, the
 * channel server) a backend Promise suspends the call; without one, it is
 * a clean EIO naming the placements that can wait for it.
 */
import { AsyncBackendSession, type AsyncFileSystem } from '../host/async-backend.js';
import type { FileSystem } from '../host/fs/types.js';
import type { Runtime } from '../host/runtime.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PreopenedResource, Process } from '../kernel/process.js';
import type { CheckedWASIOptions } from './options.js';

/** How a process's filesystems and extra resources are given. */
export interface ProcessBackends {
  /**
   * The session that replays asynchronous backend calls, for a runner that
   * can suspend a system call (JSPI, the channel server). Without one,
   * backend Promises cannot be waited for.
   */
  session?: AsyncBackendSession;
  /** Resources after the preopens besides `options.extraResources` (listening sockets opened for `listen`). */
  resources?: readonly PreopenedResource[];
}

/** The `NAME=value` strings of an environment record (undefined values left out). */
export function environmentStrings(env: CheckedWASIOptions['env']): string[] {
  return Object.entries(env ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
}

/** A preopen target as a filesystem the kernel can call. */
function fileSystemOf(target: string | FileSystem | AsyncFileSystem, runtime: Runtime, backends: ProcessBackends): FileSystem {
  if (typeof target === 'string') return runtime.hostDirectory(target);
  if ((target as FileSystem).synchronous === true) return target as FileSystem;
  return (backends.session ?? new AsyncBackendSession()).adapt(target);
}

/** Spawns the process `options` describe on `kernel`. */
export function spawnProcess(kernel: Kernel, options: CheckedWASIOptions, backends: ProcessBackends = {}): Process {
  const runtime = kernel.runtime;
  const stdio = <T>(v: number | T | undefined, fd: number, make: (fd: number) => T): T =>
    typeof v === 'number' ? make(v) : v ?? make(fd);
  return kernel.spawn({
    args: options.args ?? [],
    env: environmentStrings(options.env),
    stdin: stdio(options.stdin, 0, (fd) => runtime.hostInput(fd)),
    stdout: stdio(options.stdout, 1, (fd) => runtime.hostOutput(fd)),
    stderr: stdio(options.stderr, 2, (fd) => runtime.hostOutput(fd)),
    preopens: Object.entries(options.preopens ?? {}).map(([guestPath, target]) => ({
      guestPath,
      fs: fileSystemOf(target, runtime, backends),
    })),
    extraResources: [...(options.extraResources ?? []), ...(backends.resources ?? [])],
    clocks: options.clocks ?? runtime.clocks,
    random: options.random ?? runtime.random,
    maxDescriptors: options.maxDescriptors,
    maxThreads: options.maxThreads,
    maxSockets: options.maxSockets,
  });
}
