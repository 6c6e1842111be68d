/**
 * Process workers in browsers, the caller's side (layer: execution,
 * browser): `run()` of a single-threaded command on a cross-origin
 * isolated page runs the guest and its kernel in a module Web Worker
 * (`kiln.browser-process.js`, the bundled browser-process-worker.ts), so
 * the page's thread stays free while the guest computes, sleeps or waits
 * for input, and a time limit can stop it.
 *
 * The configuration crosses as data (process-config.ts, as on Node); what
 * exists only on the page — a MemoryFileSystem or any FileSystem, an
 * asynchronous one included, stream objects, callbacks, custom clocks and
 * random, a trace sink — stays on the page and is reached through the host
 * bridge, whose owning side runs on the page's event loop and awaits
 * Promises. The worker cannot take a message synchronously, so replies come
 * back through a shared mailbox (host/bridge/shared-mailbox.ts).
 *
 * Workers come from Kiln's idle browser workers (host/browser/worker-pool.ts):
 * one that ended its run cleanly goes back there for the next run; one
 * stopped by a time limit or that failed is terminated. When the promise
 * settles, nothing of the run is left running.
 */
import { BridgeHost } from '../../host/bridge/host-side.js';
import type { CallMessage } from '../../host/bridge/protocol.js';
import { createMailbox, mailboxPoster } from '../../host/bridge/shared-mailbox.js';
import { browserRuntime } from '../../host/browser-runtime.js';
import { workerUrls } from '../../host/browser/worker-locations.js';
import { browserWorkers } from '../../host/browser/worker-pool.js';
import type { CaptureStream } from '../../host/stdio.js';
import type { ExitStatus } from '../../kernel/exit-status.js';
import { describeRun, reviveError, type WorkerReach } from '../process-config.js';
import type { WorkerReport, WorkerRun } from '../process-protocol.js';
import { TimeoutError } from '../timeout.js';
import type { WorkerRunner, WorkerRunRequest } from '../worker-runner.js';
import { crossingCores } from '../component/component-instance.js';

/** The MessageChannel members this file uses (Kiln's types do not assume the DOM). */
interface Port {
  onmessage: ((event: { data: CallMessage }) => void) | null;
  close(): void;
}
type MessageChannelConstructor = new () => { port1: Port; port2: unknown };

/** A browser's process worker reaches nothing by itself: no host directories, no host descriptors. */
const browserReach: WorkerReach = {
  runtime: browserRuntime,
  hostPath: () => undefined,
  hostFd: () => undefined,
};

/**
 * A process runner on Web Workers loading `url`: by default Kiln's own
 * (`kiln.browser-process.js` beside the prebuilt bundle,
 * `browser-process-worker.js` in the compiled modules, or what
 * `setWorkerUrls` set).
 */
export function webWorkerProcessRunner(url?: string | URL): WorkerRunner {
  return (request) => runInWebWorker(request, url ?? workerUrls().process);
}

function runInWebWorker(request: WorkerRunRequest, workerUrl: string | URL): Promise<ExitStatus> {
  const { module, options, runtime } = request;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const mailbox = createMailbox();
  const bridge = new BridgeHost(mailboxPoster(mailbox), cell);
  const captures = new Map<1 | 2, CaptureStream>();
  const config = describeRun(options, runtime, browserReach, bridge, captures);
  const channel = new (globalThis as unknown as { MessageChannel: MessageChannelConstructor }).MessageChannel();
  channel.port1.onmessage = ({ data }) => bridge.serve(data);
  const run: WorkerRun = {
    type: 'run', config, module: module instanceof WebAssembly.Module ? module : crossingCores(module), threadedBytes: request.threadedBytes,
    bridgePort: channel.port2, bridgeCell: cell.buffer as SharedArrayBuffer, bridgeMailbox: mailbox,
    ...(request.httpRequest === undefined ? {} : { httpRequest: request.httpRequest }),
  };
  const worker = browserWorkers.acquire(workerUrl, 'kiln process');
  return new Promise<ExitStatus>((resolve) => {
    let settled = false;
    /** Ends the run: the worker goes back to the pool when the run ended in it (`reusable`), else it is terminated. */
    const settle = (status: ExitStatus, reusable = false, holds = 0): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (reusable) browserWorkers.release(worker, workerUrl, holds);
      else worker.terminate();
      channel.port1.close();
      resolve(status);
    };
    const timeoutMs = options.timeoutMs;
    const timer = timeoutMs === undefined ? undefined
      : setTimeout(() => settle({ kind: 'fault', error: new TimeoutError(timeoutMs) }), timeoutMs);
    worker.onmessage = ({ data: r }: { data: WorkerReport }) => {
      if (r.type === 'out') captures.get(r.stream)?.write(r.data);
      else if (r.type === 'response') request.onResponse?.(r.response);
      else if (r.type === 'exit') settle(r.signal === undefined ? { kind: 'exit', code: r.code } : { kind: 'signal', signal: r.signal }, true, r.idleWorkers);
      else if (r.type === 'error') settle({ kind: 'fault', error: reviveError(r.error) }, true, r.idleWorkers);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      settle({ kind: 'fault', error: new Error(`the process worker failed: ${event.message ?? `could not load ${String(workerUrl)}` +
        ' (serve kiln.browser-process.js beside kiln.browser.js, or give its URL with setWorkerUrls)'}`) });
    };
    worker.postMessage(run, [channel.port2]);
  });
}
