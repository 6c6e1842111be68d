/**
 * The Web Worker that runs a single-threaded process with its kernel in a
 * browser (entry point, browser only; bundled as
 * `dist/kiln.browser-process.js`). For each run it is handed it does what
 * Node's process worker does (exec/process-worker-run.ts), on the browser
 * runtime; its host bridge posts calls on the run's MessagePort and reads
 * each reply from the run's shared mailbox (host/bridge/shared-mailbox.ts),
 * since a browser worker cannot receive a message synchronously.
 */
import { browserRuntime } from './host/browser-runtime.js';
import { BridgeClient } from './host/bridge/client.js';
import { mailboxChannel } from './host/bridge/shared-mailbox.js';
import { serveRun } from './exec/process-worker-run.js';
import { idleWorkers } from './host/browser/worker-pool.js';
import type { WorkerReport, WorkerRun } from './exec/process-protocol.js';

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((event: { data: WorkerRun }) => void) | null;
  postMessage(message: WorkerReport, transfer?: ArrayBuffer[]): void;
}

/** A MessagePort, as far as this file uses it. */
interface Port {
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = ({ data: run }) => {
  const port = run.bridgePort as Port;
  const client = new BridgeClient(mailboxChannel((m) => port.postMessage(m), run.bridgeMailbox!), new Int32Array(run.bridgeCell));
  // The end says how many workers of its own this worker keeps idle (the thread workers of a threaded run), for the page's count.
  const report = (r: WorkerReport, transfer?: ArrayBuffer[]): void =>
    scope.postMessage(r.type === 'exit' || r.type === 'error' ? { ...r, idleWorkers: idleWorkers() } : r, transfer);
  void serveRun({ runtime: browserRuntime, client, report }, run).finally(() => port.close());
};
