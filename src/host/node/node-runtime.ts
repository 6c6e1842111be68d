/**
 * The runtime for Node (layer: host, Node only): host directories
 * (`NodeFileSystem`), host descriptors (a reader thread for pipes and
 * terminals on stdin), real sockets on an I/O thread, worker threads for
 * wasm threads, the terminal, and `process.exit`. The pid a guest sees is
 * Kiln's own (the host's pid is not exposed).
 */
import os from 'node:os';
import { noBus, threadIdCounter, type Runtime } from '../runtime.js';
import { systemClocks } from '../clocks.js';
import { cryptoRandom } from '../random.js';
import { NodeFileSystem } from './node-fs.js';
import { nodeNetworking } from './node-networking.js';
import { NodeFdOutput } from './node-stdio.js';
import { nodeInput } from './node-stdin.js';
import { nodeThreadSpawner } from './node-thread-spawner.js';
import { nodeTtyGet, nodeTtySet } from './node-tty.js';

/** The runtime of Kiln on Node; replace members with the `runtime` option. */
export const nodeRuntime: Runtime = {
  hostDirectory: (path) => new NodeFileSystem(path),
  hostInput: (fd) => nodeInput(fd),
  hostOutput: (fd) => new NodeFdOutput(fd),
  clocks: systemClocks,
  random: cryptoRandom,
  networking: nodeNetworking,
  bus: noBus,
  threadSpawn: nodeThreadSpawner,
  threadGenerateId: threadIdCounter(),
  threadParallelism: () => os.availableParallelism(),
  yieldNow: () => {},
  getpid: () => undefined,
  ttyGet: nodeTtyGet,
  ttySet: nodeTtySet,
  exit: (code) => process.exit(code),
};
