/**
 * Process workers on Node, the caller's side (layer: execution, Node only;
 * reached from the Node entry point, never from the browser build): runs a
 * single-threaded command in a worker with its kernel beside it, so the
 * caller's event loop keeps running while the guest computes.
 *
 * The configuration crosses as data: arguments, environment, host
 * directories by path (a NodeFileSystem is made in the worker), host
 * descriptors by number, captured output (captured in the worker, every
 * piece posted back as it is written), input bytes. What exists only here
 * (a MemoryFileSystem or any FileSystem object, including asynchronous
 * ones; stream objects; callbacks; custom clocks and random; a trace sink)
 * stays here and is reached through the host bridge (host/bridge/), whose
 * owning side runs on this thread's event loop and awaits Promises.
 *
 * The run resolves to how the process ended: its exit (proc_exit's code,
 * a signal), or a fault: a trap (the engine's error, RuntimeError, with
 * the worker's stack, wasm backtrace included), a time limit (the worker
 * is terminated when it passes, every host descriptor its kernel had open
 * is closed here: TimeoutError), a worker that died. When the promise
 * settles, no handle of the run is left: the worker is back in the pool
 * (process-pool.ts), idle and unreferenced, or has exited.
 */
import { closeSync } from 'node:fs';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { BridgeHost } from '../../host/bridge/host-side.js';
import type { CallMessage } from '../../host/bridge/protocol.js';
import { NodeFileSystem } from '../../host/node/node-fs.js';
import { nodeRuntime } from '../../host/node/node-runtime.js';
import { NodeFdInput, NodeFdOutput } from '../../host/node/node-stdio.js';
import type { CaptureStream } from '../../host/stdio.js';
import type { ExitStatus } from '../../kernel/exit-status.js';
import { describeRun, reviveError, type WorkerReach } from '../process-config.js';
import { TimeoutError } from '../timeout.js';
import type { WorkerRunRequest } from '../worker-runner.js';
import type { WorkerReport, WorkerRun } from '../process-protocol.js';
import { processWorkers } from './process-pool.js';
import { crossingCores } from '../component/component-instance.js';
import { unexpectedExit } from '../../host/node/node-thread-spawner.js';

/** What a Node process worker reaches itself: host directories by path, host descriptors by number. */
const nodeReach: WorkerReach = {
  runtime: nodeRuntime,
  hostPath(fs) {
    if (!(fs instanceof NodeFileSystem)) return undefined;
    const root = fs.root as unknown as { path?: unknown };
    return typeof root.path === 'string' ? root.path : undefined;
  },
  hostFd: (s) => (s instanceof NodeFdInput || s instanceof NodeFdOutput ? s.fd : undefined),
};

/** Slots for host descriptors beyond the guest's descriptor limit (stdio and preopens need none). */
const FD_SLOT_SPARE = 16;

export async function runInWorker(request: WorkerRunRequest): Promise<ExitStatus> {
  const { module, options, runtime } = request;
  const timeoutMs = options.timeoutMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const bridge = new BridgeHost((reply) => port1.postMessage(reply), cell);
  const captures = new Map<1 | 2, CaptureStream>();
  const config = describeRun(options, runtime, nodeReach, bridge, captures);
  port1.on('message', (m: CallMessage) => bridge.serve(m));
  const portClosed = new Promise<void>((resolve) => { port1.once('close', () => resolve()); });
  const hostFds = new Int32Array(new SharedArrayBuffer(4 * ((options.maxDescriptors ?? 1024) + FD_SLOT_SPARE)));
  const run: WorkerRun = {
    type: 'run', config, module: module instanceof WebAssembly.Module ? module : crossingCores(module), bridgePort: port2, bridgeCell: cell.buffer as SharedArrayBuffer, hostFds: hostFds.buffer as SharedArrayBuffer,
    ...(request.httpRequest === undefined ? {} : { httpRequest: request.httpRequest }),
  };
  return new Promise<ExitStatus>((resolve) => {
    let outcome: ExitStatus | undefined;
    let worker: Worker | undefined;
    let settled = false;
    /** Settles once the bridge's port has closed (the worker may close its end first): then nothing of the run is left. */
    const settle = (status: ExitStatus, after?: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      port1.close();
      void portClosed.then(() => {
        after?.();
        resolve(status);
      });
    };
    const timedOut = (): ExitStatus => ({ kind: 'fault', error: new TimeoutError(timeoutMs!) });
    const acquisition = processWorkers.acquire(options.workerResourceLimits);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      if (worker === undefined) {
        // Still waiting for a worker: it joins the pool once ready, untouched.
        acquisition.cancel();
        settle(timedOut());
        return;
      }
      outcome ??= timedOut();
      void worker.terminate();
    }, timeoutMs);
    const onMessage = (r: WorkerReport): void => {
      if (r.type === 'out') captures.get(r.stream)?.write(r.data);
      else if (r.type === 'response') request.onResponse?.(r.response);
      else if (r.type === 'exit') finish(r.signal === undefined ? { kind: 'exit', code: r.code } : { kind: 'signal', signal: r.signal });
      else if (r.type === 'error') finish({ kind: 'fault', error: reviveError(r.error) });
    };
    let error: Error | undefined;
    const onError = (e: Error): void => { error = e; };
    const onExit = (exitCode: number): void => {
      detach();
      closeLeftoverFds(hostFds);
      settle(outcome ?? { kind: 'fault', error: new Error(unexpectedExit('the process worker', error, exitCode)) });
    };
    const detach = (): void => {
      worker?.off('message', onMessage);
      worker?.off('error', onError);
      worker?.off('exit', onExit);
    };
    /** The run ended in the worker: the worker goes back to the pool once the run's port has closed. */
    const finish = (status: ExitStatus): void => {
      if (outcome !== undefined) return;
      outcome = status;
      detach();
      const w = worker!;
      settle(status, () => processWorkers.release(w));
    };
    acquisition.worker.then((w) => {
      if (settled) return;
      worker = w;
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(run, [port2]);
    }, (e: unknown) => settle({ kind: 'fault', error: e instanceof Error ? e : new Error(String(e)) }));
  });
}

/** Closes the host descriptors a stopped worker's kernel still had open. */
function closeLeftoverFds(table: Int32Array): void {
  for (let i = 0; i < table.length; i++) {
    const v = Atomics.exchange(table, i, 0);
    if (v === 0) continue;
    try { closeSync(v - 1); } catch { /* already closed */ }
  }
}
