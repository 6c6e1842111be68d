/**
 * listenTcp (layer: host, Node): opens listening TCP sockets for a guest,
 * as `kiln run --listen` does, for embedders without the CLI.
 *
 * An I/O worker thread (node-net-worker.ts) owns the net.Servers and the
 * connections; the guest thread sees them through shared memory as kernel
 * socket resources (src/kernel/socket-resource.ts), and sleeps on
 * `readiness` while it waits. Pass both to WASI:
 *
 *   const sockets = await listenTcp('127.0.0.1:8080');
 *   try {
 *     const wasi = new WASI({ extraResources: sockets.resources, readiness: sockets.readiness });
 *     await wasi.run(module);
 *   } finally {
 *     await sockets.close();
 *   }
 *
 * The worker runs the compiled node-net-worker.js next to this module (so
 * from dist/, not from TypeScript sources under a loader such as tsx).
 * It is unref'd: it never keeps the process alive, and `close()`
 * flushes what the guest sent, ends the connections and terminates it.
 */
import { Worker } from 'node:worker_threads';
import { RIGHTS_LISTENER, RIGHTS_SOCKET } from '../../abi/constants.js';
import type { PreopenedResource } from '../../kernel/process.js';
import { ReadinessSignal } from '../../kernel/readiness-signal.js';
import { ListenerResource } from '../../kernel/socket-resource.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from '../net/address.js';
import { SharedListenerChannel } from '../net/shared-channel.js';
import { SharedListenerMemory, type SharedListenerOptions } from '../net/shared-layout.js';
import type { NetWorkerData, NetWorkerMessage } from './node-net-worker.js';

/** Options of `listenTcp`. */
export interface ListenOptions extends SharedListenerOptions {
  /** The signal the I/O thread bumps; give the same one to WASI (default: a new one). */
  readiness?: ReadinessSignal;
}

/** Listening sockets made by `listenTcp`, to hand to a guest. */
export interface ListenSockets {
  /** One listening socket per address, in order: pass as WASI's `extraResources`. */
  resources: PreopenedResource[];
  /** Pass as WASI's `readiness`, so poll_oneoff wakes on socket events. */
  readiness: ReadinessSignal;
  /** The bound addresses (port 0 resolved to the port the system chose). */
  addresses: ListenAddress[];
  /** Flushes and closes every connection and stops the I/O thread. */
  close(): Promise<void>;
}

/** A listen address that could not be bound; `code` is Node's (e.g. EADDRINUSE). */
export class ListenError extends Error {
  /** The error for `address`, which failed with `code`. */
  constructor(
    /** The address as given. */
    readonly address: string,
    /** Node's error code (e.g. EADDRINUSE). */
    readonly code: string,
    detail: string,
  ) {
    super(`cannot listen on ${address}: ${describe(code, detail)}`);
    this.name = 'ListenError';
  }
}

function describe(code: string, detail: string): string {
  switch (code) {
    case 'EADDRINUSE': return 'address in use';
    case 'EADDRNOTAVAIL': return 'address not available';
    case 'EACCES': return 'permission denied';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': return 'unknown host';
    default: return detail;
  }
}

/** How long `close()` waits for the I/O thread to flush before terminating it. */
const CLOSE_TIMEOUT_MS = 2000;

/**
 * Listens on TCP addresses (`HOST:PORT` or `[IPv6]:PORT`, port 0 for a
 * free one) on an I/O thread, for a guest that accepts connections
 * (`sock_accept`), as wasmtime's `--tcplisten`. Pass `resources` as
 * WASI's `extraResources` and `readiness` as its `readiness`. Rejects
 * with ListenError when an address cannot be bound.
 */
export async function listenTcp(
  address: string | ListenAddress | readonly (string | ListenAddress)[],
  options: ListenOptions = {},
): Promise<ListenSockets> {
  const list = Array.isArray(address) ? address as readonly (string | ListenAddress)[] : [address as string | ListenAddress];
  const parsed = list.map((a) => {
    if (typeof a !== 'string') return a;
    const p = parseListenAddress(a);
    if (p === undefined) throw new TypeError(`invalid listen address '${a}': expected HOST:PORT or [IPv6]:PORT`);
    return p;
  });
  const readiness = options.readiness ?? new ReadinessSignal();
  if (parsed.length === 0) return { resources: [], readiness, addresses: [], close: async () => {} };

  if (!(readiness.cell.buffer instanceof SharedArrayBuffer)) throw new TypeError('listenTcp needs a ReadinessSignal in shared memory');
  const memories = parsed.map(() => SharedListenerMemory.create(options));
  const data: NetWorkerData = {
    listeners: parsed.map((a, i) => ({ address: a, buffer: memories[i]!.buffer })),
    readiness: { buffer: readiness.cell.buffer as SharedArrayBuffer, index: readiness.cell.byteOffset / 4 },
  };
  const worker = new Worker(new URL('./node-net-worker.js', import.meta.url), { workerData: data, execArgv: [] });
  const addresses = await started(worker, parsed);
  worker.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= stop(worker));
  return {
    resources: memories.map((m) => ({
      resource: new ListenerResource(new SharedListenerChannel(m.buffer), readiness),
      rightsBase: RIGHTS_LISTENER,
      rightsInheriting: RIGHTS_SOCKET,
    })),
    readiness,
    addresses,
    close,
  };
}

/** Waits for the worker to bind every address; on failure terminates it and throws. */
function started(worker: Worker, parsed: ListenAddress[]): Promise<ListenAddress[]> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => { cleanup(); void worker.terminate(); reject(e); };
    const onMessage = (m: NetWorkerMessage) => {
      if (m.type === 'listening') { cleanup(); resolve(m.addresses); }
      if (m.type === 'error') fail(new ListenError(formatListenAddress(parsed[m.index]!), m.code, m.message));
    };
    const onError = (e: Error) => fail(e);
    const onExit = (code: number) => fail(new Error(`socket I/O thread exited (${code}) before listening`));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** Asks the worker to flush and close (bounded by a timeout), then terminates it. */
async function stop(worker: Worker): Promise<void> {
  worker.ref();
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    worker.on('message', (m: NetWorkerMessage) => { if (m.type === 'closed') resolve(); });
    worker.once('exit', () => resolve());
    worker.postMessage({ type: 'close' });
  });
  clearTimeout(timer);
  await worker.terminate();
}
