/**
 * Kiln for Node.js: the core plus host directories, host file descriptors
 * and process exit. `import { WASI } from 'kiln'` is a drop-in for
 * `import { WASI } from 'node:wasi'`.
 */
import { WasiBuilder as CoreBuilder } from './front/builder.js';
import type { WorkerHostBindings } from './front/worker-mode/types.js';
import { runInWorker } from './front/worker-mode/node-launch.js';
import { WASI as CoreWASI, type WASIOptions } from './front/wasi.js';
import { NodeFileSystem } from './host/node/node-fs.js';
import { NodeFdInput, NodeFdOutput } from './host/node/node-stdio.js';
import { nodeInput } from './host/node/node-stdin.js';
import { nodeThreadSpawner } from './host/node/node-thread-spawner.js';

export * from './core.js';
export { NodeFileSystem, NodeFdInput, NodeFdOutput };
export { listenTcp, ListenError, type ListenSockets, type ListenOptions } from './host/node/node-net-listen.js';
export { loadNapiRsBinding, napiRsRuntime, type NapiRsOptions, type NapiRsRuntime } from './napi/napi-rs.js';

export const nodeHost: WorkerHostBindings = {
  directory: (hostPath) => new NodeFileSystem(hostPath),
  input: (fd) => nodeInput(fd),
  output: (fd) => new NodeFdOutput(fd),
  exit: (code) => process.exit(code),
  runInWorker,
  threads: nodeThreadSpawner,
};

/** node:wasi's WASI, on Kiln. */
export class WASI extends CoreWASI {
  constructor(options: WASIOptions = {}) {
    super(options, nodeHost);
  }
}

/** The embedding API with Node host bindings. */
export class WasiBuilder extends CoreBuilder {
  constructor() {
    super(nodeHost);
  }
}
