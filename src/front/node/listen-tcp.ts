/**
 * listenTcp (layer: front doors, Node only): listening TCP sockets for an
 * embedder that hands them to a guest itself. The sockets are the Node
 * runtime's networking (host/node/node-networking.ts), wrapped as the
 * kernel's listening-socket resources, to pass as WASI's `extraResources`:
 *
 *   const sockets = await listenTcp('127.0.0.1:8080');
 *   try {
 *     const wasi = new WASI({ extraResources: sockets.resources, readiness: sockets.readiness });
 *     await wasi.run(module);
 *   } finally {
 *     await sockets.close();
 *   }
 *
 * The `listen` option of WASI does the same by itself, on whichever thread
 * runs the guest's kernel (so also in a process worker, with a time limit).
 */
import type { ListenAddress } from '../../host/net/address.js';
import type { SharedListenerOptions } from '../../host/net/shared-layout.js';
import { nodeNetworking } from '../../host/node/node-networking.js';
import { ReadinessSignal } from '../../host/readiness-signal.js';
import { listenAddresses, listenerResources } from '../../exec/listeners.js';
import type { PreopenedResource } from '../../kernel/process.js';

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
  /**
   * Flushes and closes every connection and the listening sockets. The I/O
   * thread, which serves every host socket of this thread, stays (idle and
   * unreferenced); `nodeNetworking.close()` stops it.
   */
  close(): Promise<void>;
}

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
  const readiness = options.readiness ?? new ReadinessSignal();
  const listeners = await nodeNetworking.listenTcp(listenAddresses(address), readiness, options);
  return {
    resources: listenerResources(listeners.channels, readiness),
    readiness,
    addresses: listeners.addresses,
    close: () => listeners.close(),
  };
}
