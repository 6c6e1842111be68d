/**
 * The runtime for browsers (layer: host, no Node API): no host
 * directories (mount a FileSystem), empty standard input, output to the
 * console line by line, no network, threads in Web Workers (on a
 * cross-origin isolated page), no terminal, and an exit that unwinds the
 * guest.
 */
import { ConsoleStream } from './console-stream.js';
import { NullStream } from './stdio.js';
import { threadIdCounter, unsupportedRuntime, type Runtime } from './runtime.js';
import { webWorkerThreadSpawner } from './browser/web-worker-spawner.js';

/** The runtime of Kiln in a browser; replace members with the `runtime` option. */
export const browserRuntime: Runtime = {
  ...unsupportedRuntime,
  hostDirectory: (path) => {
    throw new TypeError(`host directories are not available in a browser (${path}); mount a FileSystem instead`);
  },
  hostInput: () => new NullStream(),
  hostOutput: (fd) => new ConsoleStream(fd === 2 ? 'error' : 'log'),
  threadGenerateId: threadIdCounter(),
  threadSpawn: webWorkerThreadSpawner(),
  threadParallelism: () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
};
