/**
 * Networking for Node (layer: host, Node only): the runtime's
 * `networking` member, real TCP and UDP sockets and name lookups for a
 * guest, and the listening sockets of `kiln run --listen`.
 *
 * The host sockets live on one I/O worker thread (node-net-worker.ts);
 * the kernel sees each through its own shared memory (host/net/
 * socket-proxy.ts, socket-layout.ts), posts commands to the worker and
 * never waits for an answer, so a kernel whose thread sleeps in
 * Atomics.wait (a guest running inline) is served all the same.
 *
 * One worker per networking object, started at the first socket or
 * lookup and used by every socket after: readiness travels with each
 * socket (every socket names the signal to bump), so one thread serves the
 * sockets of every process and signal alike, and a process that opens a
 * hundred sockets costs one thread, not a hundred. (A worker per
 * ReadinessSignal would start a thread per process and tie its life to
 * a signal nothing closes.) `nodeNetworking` is the shared instance of
 * this thread (each process worker, which has its own copy of Kiln, has
 * its own); `new NodeNetworking()` makes a separate one.
 *
 * The worker runs the compiled node-net-worker.js next to this module (so
 * from dist/, not from TypeScript sources under a loader such as tsx).
 * It is unref'd: it never keeps the process alive. `close()` shuts it
 * down: it sends what every socket queued, then FIN, within a grace
 * period, and terminates the worker; sockets still held by a kernel then
 * fail with ENETDOWN, and the next socket or lookup starts a new worker.
 * An embedder that wants a guest's last bytes delivered before the
 * process exits awaits `close()` first (or `flush()`, which waits only for
 * the sockets already closed and keeps the thread).
 */
import { Worker } from 'node:worker_threads';
import { Errno } from '../../abi/errno.js';
import type { ListenAddress } from '../net/address.js';
import { listenOnSockets } from '../net/listen-sockets.js';
import type { HostLookup, SocketKind, TcpListeners, VirtualNetworking, VirtualSocket } from '../net/networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import { SharedNetworkClient } from '../net/shared-network.js';
import type { SharedListenerOptions } from '../net/shared-layout.js';
import type { IpFamily } from '../net/socket-address.js';
import { literalLookup } from '../net/shared-lookup.js';
import type { NetCommand, NetReply, NetWorkerData } from '../net/socket-protocol.js';
import { DEFAULT_TUNING, type SharedSocket, type SocketTuning } from '../net/socket-proxy.js';

export { ListenError } from '../net/listen-error.js';

interface IoThread {
  worker: Worker;
  client: SharedNetworkClient;
  /** `settle` requests waiting for their answer, by token. */
  settles: Map<number, () => void>;
  /** Requests that keep the worker referenced (so the process waits for the answers). */
  refs: number;
}

/** How a `NodeNetworking` is made. */
export interface NodeNetworkingOptions {
  /**
   * Certificates (PEM) that TLS connections (`connectTls`, `wasi:http`'s
   * https) trust besides the host's own (Node's bundled roots and
   * NODE_EXTRA_CA_CERTS): a private certificate authority, or a test
   * server's own certificate.
   */
  readonly trustedCertificates?: readonly string[];
}

/** Real sockets on an I/O thread: the Node runtime's `networking`. */
export class NodeNetworking implements VirtualNetworking {
  /** `host`. */
  readonly name = 'host';
  readonly #trustedCertificates: readonly string[];
  #io: IoThread | undefined;
  /** The last close() under way (or done). */
  #closing: Promise<void> | undefined;
  #token = 0;

  /** A network of real sockets; its I/O thread starts at the first socket or lookup. */
  constructor(options: NodeNetworkingOptions = {}) {
    this.#trustedCertificates = [...(options.trustedCertificates ?? [])];
  }

  /** A new TCP (`stream`) or UDP (`datagram`) socket on the I/O thread; `readiness` is bumped at every change to it. */
  socket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal): VirtualSocket {
    return this.#tunedSocket(family, kind, readiness, DEFAULT_TUNING);
  }

  /** Resolves `host` with the system's resolver (every address; ENOENT for no such name); an IP address answers at once. */
  lookup(host: string, readiness: ReadinessSignal): HostLookup {
    // An IP address needs no resolving (and no I/O thread).
    return literalLookup(host, readiness) ?? this.#thread().client.lookup(host, readiness);
  }

  /**
   * Listens on TCP addresses with sockets of this networking (rejects with
   * a ListenError when one cannot be); their connections send without
   * Nagle's delay. `close()` of the result ends them and their connections.
   */
  listenTcp(addresses: readonly ListenAddress[], readiness: ReadinessSignal, options: SharedListenerOptions = {}): Promise<TcpListeners> {
    return listenOnSockets({
      socket: (family, kind, r, tuning) => this.#tunedSocket(family, kind, r, tuning),
      lookup: (host, r) => this.lookup(host, r),
      settle: (sockets) => this.#settle(sockets),
    }, addresses, readiness, options);
  }

  /**
   * Resolves once every socket the kernel closed has handed its last
   * bytes and FIN to the system (or the I/O thread's grace period passed);
   * open sockets are left alone, and the I/O thread keeps running.
   */
  async flush(): Promise<void> {
    const io = this.#io;
    if (io !== undefined) await this.#settleOn(io, 'closed');
  }

  /**
   * Shuts the I/O thread down: every socket, open or closed, sends what it
   * queued and FIN (within the I/O thread's grace period), then the worker
   * is terminated. Sockets a kernel still holds fail with ENETDOWN from
   * then on; the next socket or lookup starts a new thread. Resolves once
   * the worker is gone; at once when it was not started.
   */
  close(): Promise<void> {
    const io = this.#io;
    if (io === undefined) return this.#closing ?? Promise.resolve();
    this.#io = undefined; // sockets made from now on start a new thread
    this.#closing = (async () => {
      await this.#settleOn(io, 'all');
      await io.worker.terminate();
      io.client.failAll(Errno.NETDOWN);
    })();
    return this.#closing;
  }

  #tunedSocket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal, tuning: SocketTuning): SharedSocket {
    return this.#thread().client.socket(family, kind, readiness, tuning);
  }

  /** Closes `sockets` on the I/O thread and resolves once their output reached the system (or the grace period passed). */
  #settle(sockets: readonly SharedSocket[]): Promise<void> {
    const io = this.#io;
    if (io === undefined || sockets.length === 0) return Promise.resolve();
    return this.#settleOn(io, io.client.ids(sockets));
  }

  #settleOn(io: IoThread, ids: number[] | 'all' | 'closed'): Promise<void> {
    const token = ++this.#token;
    if (io.refs++ === 0) io.worker.ref();
    return new Promise<void>((resolve) => {
      io.settles.set(token, resolve);
      post(io.worker, { op: 'settle', ids, token });
    }).finally(() => {
      if (--io.refs === 0) io.worker.unref();
    });
  }

  /** The I/O thread, started on first use. */
  #thread(): IoThread {
    if (this.#io !== undefined) return this.#io;
    const data: NetWorkerData = {
      doorbell: new SharedArrayBuffer(4),
      ...(this.#trustedCertificates.length > 0 ? { trustedCertificates: this.#trustedCertificates } : {}),
    };
    const worker = new Worker(new URL('./node-net-worker.js', import.meta.url), { workerData: data, execArgv: [] });
    const io: IoThread = {
      worker,
      client: new SharedNetworkClient((c) => post(worker, c), data.doorbell),
      settles: new Map(),
      refs: 0,
    };
    worker.on('message', (m: NetReply) => {
      if (m.op !== 'settled') return;
      io.settles.get(m.token)?.();
      io.settles.delete(m.token);
    });
    worker.on('error', (e) => {
      process.stderr.write(`kiln: socket I/O thread failed: ${e.stack ?? e.message}\n`);
    });
    worker.on('exit', () => {
      if (this.#io === io) {
        // Not a close(): the thread died; its sockets fail and the next socket starts a new one.
        this.#io = undefined;
        io.client.failAll(Errno.IO);
      }
      for (const resolve of io.settles.values()) resolve();
      io.settles.clear();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.#io = io;
    return io;
  }
}

function post(worker: Worker, command: NetCommand): void {
  worker.postMessage(command);
}

/** This thread's host networking, the Node runtime's `networking`. */
export const nodeNetworking = new NodeNetworking();
