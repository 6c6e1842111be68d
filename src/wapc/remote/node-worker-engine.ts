/**
 * WorkerEngine (layer: waPC host, Node only): an asynchronous engine
 * provider whose guest runs in a worker thread (node-worker.ts), with its
 * host callback on the caller's thread. Used where the guest must not
 * compute on the caller's thread (WapcHostPool), where an asynchronous
 * host callback must be awaited without JSPI, and for time limits of the
 * asynchronous engine.
 *
 * What crosses to the worker is data: the compiled module, WASI options
 * with host paths and descriptor numbers. Output streams given as objects
 * (or functions) stay here: the worker forwards what the guest writes to
 * them. A Kiln filesystem object given in `mapDirs` cannot cross and is
 * refused when the engine is constructed.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { OutputStream } from '../../host/stdio.js';
import { startKilnWorker } from '../../host/node/worker-start.js';
import { errorText } from '../errors.js';
import { checkEngineOptions, type CheckedEngineOptions, type CheckedWasiOptions, type WebAssemblyEngineOptions } from '../engine-options.js';
import { compileGuestAsync } from '../guest-instance.js';
import type { WebAssemblyEngineProviderAsync } from '../provider.js';
import type { ModuleState } from '../state.js';
import type { HostCallReply, HostCallRequest, RemoteInit, RemoteReply, RemoteRequest, RemoteWasiOptions } from './protocol.js';

/** The worker stopped (crashed, ran out of memory, or was closed) while a request was waiting. */
export class WorkerStoppedError extends Error {
  /**
   * A stopped worker's error.
   *
   * @param message Why the worker stopped.
   */
  constructor(message: string) {
    super(message);
    this.name = 'WorkerStoppedError';
  }
}

function remoteWasi(wasi: CheckedWasiOptions | undefined): { options?: RemoteWasiOptions; streams: Partial<Record<1 | 2, OutputStream>> } {
  const streams: Partial<Record<1 | 2, OutputStream>> = {};
  if (wasi === undefined) return { streams };
  const out = (fd: 1 | 2, v: number | OutputStream | undefined): number | 'forward' | undefined => {
    if (v === undefined || typeof v === 'number') return v;
    streams[fd] = v;
    return 'forward';
  };
  const mapDirs = (wasi.mapDirs ?? []).map(([guest, host]): [string, string] => {
    if (typeof host !== 'string') throw new TypeError(`mapDirs: ${guest} is mapped to a filesystem object, which cannot reach a worker; map a host directory path`);
    return [guest, host];
  });
  const env = wasi.env === undefined ? undefined : Array.isArray(wasi.env)
    ? (wasi.env as readonly (readonly [string, string])[]).map(([k, v]): [string, string] => [k, v])
    : Object.entries(wasi.env as Record<string, string>);
  return {
    options: {
      argv: wasi.argv === undefined ? undefined : [...wasi.argv],
      env,
      mapDirs,
      preopenedDirs: wasi.preopenedDirs === undefined ? undefined : [...wasi.preopenedDirs],
      stdout: out(1, wasi.stdout),
      stderr: out(2, wasi.stderr),
    },
    streams,
  };
}

/**
 * An asynchronous engine whose guest runs in a worker thread (Node), with
 * the host callback on the caller's thread: the worker sleeps in
 * `Atomics.wait` while the callback runs, so the callback may be
 * asynchronous without JSPI. `WebAssemblyEngineAsync` in mode 'worker' and
 * every worker of a `WapcHostPool` use it.
 */
export class WorkerEngine implements WebAssemblyEngineProviderAsync {
  readonly #source: Uint8Array | WebAssembly.Module;
  readonly #options: CheckedEngineOptions;
  /** The WASI options as they cross to the worker, and the streams that stay here. */
  readonly #remoteWasi: ReturnType<typeof remoteWasi>;
  #worker: Worker | undefined;
  #hostCallPort: MessagePort | undefined;
  #state: ModuleState | undefined;
  #streams: Partial<Record<1 | 2, OutputStream>> = {};
  /** The request waiting for its reply (one at a time: the host serialises). */
  #waiting: { resolve: (r: RemoteReply) => void; reject: (e: Error) => void } | undefined;
  #stopped: string | undefined;

  /**
   * An engine for `module`; the host's `init` (from `new WapcHost` or
   * `WapcHostAsync.create`) compiles and starts it.
   *
   * @param module The guest: wasm bytes or a compiled module.
   * @param options WASI (host paths and descriptor numbers cross to the
   *   worker; output streams and functions stay here and receive what the
   *   guest writes), console log and time limit; checked here.
   */
  constructor(module: Uint8Array | WebAssembly.Module, options: WebAssemblyEngineOptions = {}) {
    this.#source = module;
    this.#options = checkEngineOptions(options);
    this.#remoteWasi = remoteWasi(this.#options.wasi);
  }

  async init(state: ModuleState): Promise<void> {
    this.#state = state;
    const module = await compileGuestAsync(this.#source);
    const wasi = this.#remoteWasi;
    this.#streams = wasi.streams;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.#hostCallPort = port1;
    port1.on('message', (request: HostCallRequest) => void this.#answerHostCall(request, cell));
    const data: RemoteInit = {
      module, id: state.id, wasi: wasi.options, timeoutMs: this.#options.timeoutMs, hostCallPort: port2, hostCallCell: cell.buffer as SharedArrayBuffer,
    };
    const worker = startKilnWorker(import.meta.url, 'node-worker', { workerData: data, transferList: [port2] });
    this.#worker = worker;
    worker.on('message', (reply: RemoteReply) => this.#received(reply));
    worker.on('error', (e) => this.#stop(`the engine's worker failed: ${e.message}`));
    worker.on('exit', (code) => this.#stop(`the engine's worker exited (code ${code})`));
    const ready = await this.#next();
    if (ready.t === 'init-failed') {
      await this.close();
      throw new Error(ready.message);
    }
    // An idle engine does not keep the process alive; a request in flight does.
    worker.unref();
    port1.unref();
  }

  async call(opLength: number, msgLength: number): Promise<number> {
    const state = this.#state!;
    const op = state.operation.subarray(0, opLength);
    const payload = state.payload.subarray(0, msgLength);
    const reply = await this.#request({ t: 'call', op, payload });
    if (reply.t !== 'result') throw new Error(`unexpected reply ${reply.t}`);
    if (reply.response !== undefined) state.guestResponse = reply.response;
    if (reply.guestError !== undefined) state.guestError = reply.guestError;
    if (reply.trap !== undefined) {
      const cause = new Error(reply.trap.message);
      if (reply.trap.stack !== undefined) cause.stack = reply.trap.stack;
      state.trap = { message: reply.trap.message, cause, timedOut: reply.trap.timedOut };
    }
    return reply.rc;
  }

  async replace(module: Uint8Array | WebAssembly.Module): Promise<void> {
    const reply = await this.#request({ t: 'replace', module: await compileGuestAsync(module) });
    if (reply.t === 'replaced' && reply.error !== undefined) throw new Error(reply.error);
  }

  async close(): Promise<void> {
    this.#stopped ??= 'the engine is closed';
    this.#hostCallPort?.close();
    await this.#worker?.terminate();
  }

  #request(request: RemoteRequest): Promise<RemoteReply> {
    if (this.#stopped !== undefined) return Promise.reject(new WorkerStoppedError(this.#stopped));
    const reply = this.#next();
    const worker = this.#worker!;
    worker.ref();
    worker.postMessage(request);
    return reply.finally(() => worker.unref());
  }

  #next(): Promise<RemoteReply> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  #received(reply: RemoteReply): void {
    if (reply.t === 'log') {
      const log = this.#options.consoleLog;
      if (log === undefined) console.info(`Guest module ${this.#state?.id}: ${reply.message}`);
      else log(reply.message, this.#state!.id);
      return;
    }
    if (reply.t === 'out') {
      this.#streams[reply.fd]?.write(reply.data);
      return;
    }
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(reply);
  }

  #stop(reason: string): void {
    this.#stopped ??= reason;
    this.#hostCallPort?.close();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(new WorkerStoppedError(this.#stopped));
  }

  async #answerHostCall(request: HostCallRequest, cell: Int32Array): Promise<void> {
    const state = this.#state!;
    let reply: HostCallReply;
    try {
      const ok = await state.dispatchHostCall(request.binding, request.namespace, request.operation, request.payload);
      reply = ok
        ? { ok: true, bytes: state.hostResponse! }
        : { ok: false, error: new TextDecoder().decode(state.hostError!) };
    } catch (e) {
      reply = { ok: false, error: errorText(e) };
    }
    this.#hostCallPort?.postMessage(reply);
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
  }
}
