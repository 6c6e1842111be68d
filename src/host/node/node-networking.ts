/**
 * Networking for Node (layer: host, Node only): the runtime's
 * `networking` member, real TCP sockets for a guest.
 *
 * An I/O worker thread (node-net-worker.ts) owns the net.Servers and the
 * connections; the kernel sees them through shared memory as channels
 * (host/net/channel.ts), which its socket resources read without blocking,
 * and sleeps on the readiness signal the I/O thread bumps at every change.
 *
 * The worker runs the compiled node-net-worker.js next to this module (so
 * from dist/, not from TypeScript sources under a loader such as tsx).
 * It is unref'd: it never keeps the process alive, and `close()`
 * flushes what the guest sent, ends the connections and terminates it.
 */
import { Worker } from 'node:worker_threads';
import type { ReadinessSignal } from '../readiness-signal.js';
import { formatListenAddress, type ListenAddress } from '../net/address.js';
import { Errno, WasiError } from '../../abi/errno.js';
import type { HostLookup, TcpListeners, VirtualNetworking, VirtualSocket } from '../net/networking.js';
import { SharedListenerChannel } from '../net/shared-channel.js';
import { SharedListenerMemory, type SharedListenerOptions } from '../net/shared-layout.js';
import type { NetWorkerData, NetWorkerMessage } from './node-net-worker.js';

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

/** Real TCP sockets on an I/O thread: the Node runtime's `networking`. */
export const nodeNetworking: VirtualNetworking = {
  name: 'host',
  socket(): VirtualSocket {
    throw new WasiError(Errno.NOTSUP, 'host sockets for guests are not available yet');
  },
  lookup(): HostLookup {
    throw new WasiError(Errno.NOTSUP, 'host name lookups for guests are not available yet');
  },
  async listenTcp(addresses: readonly ListenAddress[], readiness: ReadinessSignal, options: SharedListenerOptions = {}): Promise<TcpListeners> {
    if (addresses.length === 0) return { channels: [], addresses: [], close: async () => {} };
    if (!(readiness.cell.buffer instanceof SharedArrayBuffer)) throw new TypeError('listening sockets need a ReadinessSignal in shared memory');
    const memories = addresses.map(() => SharedListenerMemory.create(options));
    const data: NetWorkerData = {
      listeners: addresses.map((a, i) => ({ address: a, buffer: memories[i]!.buffer })),
      readiness: { buffer: readiness.cell.buffer as SharedArrayBuffer, index: readiness.cell.byteOffset / 4 },
    };
    const worker = new Worker(new URL('./node-net-worker.js', import.meta.url), { workerData: data, execArgv: [] });
    const bound = await started(worker, addresses);
    worker.unref();
    let closing: Promise<void> | undefined;
    return {
      channels: memories.map((m) => new SharedListenerChannel(m.buffer)),
      addresses: bound,
      close: () => (closing ??= stop(worker)),
    };
  },
};

/** Waits for the worker to bind every address; on failure terminates it and throws. */
function started(worker: Worker, parsed: readonly ListenAddress[]): Promise<ListenAddress[]> {
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
