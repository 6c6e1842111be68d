/**
 * A process worker (layer: execution, Node only; the worker's entry). Once
 * its modules are loaded it reports `ready`, then serves runs one at a
 * time, for as long as the pool keeps it (process-pool.ts): each run is
 * process-worker-run.ts's, on the Node runtime, with its host bridge over
 * a MessagePort that this thread reads synchronously
 * (`receiveMessageOnPort`).
 *
 * Host descriptors that NodeFileSystem opens during a run are recorded in
 * the run's shared `hostFds` table, so that the caller can close them if it
 * must terminate this worker (time limit).
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BridgeClient } from '../../host/bridge/client.js';
import { observeHostFds } from '../../host/node/node-fs.js';
import { nodeRuntime } from '../../host/node/node-runtime.js';
import { retireServed, serveRun } from '../process-worker-run.js';
import type { PoolMessage, WorkerReport, WorkerRun } from '../process-protocol.js';

const parent = parentPort!;

function report(r: WorkerReport, transfer?: ArrayBuffer[]): void {
  parent.postMessage(r, transfer);
}

/** Records the host descriptors a run's filesystems open, in its shared table. */
function recordHostFds(table: Int32Array): void {
  observeHostFds({
    opened(fd) {
      for (let i = 0; i < table.length; i++) {
        if (Atomics.compareExchange(table, i, 0, fd + 1) === 0) return;
      }
    },
    closing(fd) {
      for (let i = 0; i < table.length; i++) {
        if (Atomics.compareExchange(table, i, fd + 1, 0) === fd + 1) return;
      }
    },
  });
}

async function serve(message: WorkerRun): Promise<void> {
  const port = message.bridgePort as MessagePort;
  const client = new BridgeClient(
    { post: (m) => port.postMessage(m), receive: () => receiveMessageOnPort(port)?.message },
    new Int32Array(message.bridgeCell),
  );
  if (message.hostFds !== undefined) recordHostFds(new Int32Array(message.hostFds));
  try {
    await serveRun({ runtime: nodeRuntime, client, report }, message);
  } finally {
    observeHostFds(undefined);
    port.close();
  }
}

parent.on('message', (m: PoolMessage) => {
  if (m.type === 'run') void serve(m);
  else if (m.type === 'retire') {
    // An instance kept for the next request holds host descriptors: they are closed before the thread ends.
    retireServed();
    process.exit(0);
  }
});
report({ type: 'ready' });
