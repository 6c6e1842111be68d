/**
 * Networking as a runtime service (layer: host, platform-neutral): the
 * `networking` member of the Runtime (host/runtime.ts). A platform that
 * can reach a network implements it (Node: host/node/node-networking.ts,
 * real sockets on an I/O thread); the default, `noNetworking`, answers
 * every call with ENOTSUP, so a guest reaches nothing unless the embedder
 * gave it a network.
 *
 * What crosses to the kernel are channels (host/net/channel.ts): shared
 * memory that the host side fills and the kernel's socket resources read
 * without blocking, bumping a readiness signal at every change.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { ListenAddress } from './address.js';
import type { ListenerChannel } from './channel.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import type { SharedListenerOptions } from './shared-layout.js';

/** Listening TCP sockets opened by a VirtualNetworking. */
export interface TcpListeners {
  /** One listener per address, in order. */
  channels: ListenerChannel[];
  /** The bound addresses (port 0 resolved to the port the system chose). */
  addresses: ListenAddress[];
  /** Flushes and closes every connection and releases the host sockets. */
  close(): Promise<void>;
}

/** The network a guest may reach: what the runtime's `networking` member does. */
export interface VirtualNetworking {
  /**
   * Listens on TCP addresses; resolves once every one is bound (rejects,
   * e.g. with a `ListenError`, when one cannot be). `readiness` is bumped
   * whenever a listener or connection changes.
   */
  listenTcp(addresses: readonly ListenAddress[], readiness: ReadinessSignal, options?: SharedListenerOptions): Promise<TcpListeners>;
}

/** No network: every call answers ENOTSUP. The default runtime's `networking`. */
export const noNetworking: VirtualNetworking = {
  listenTcp(): Promise<TcpListeners> {
    return Promise.reject(new WasiError(Errno.NOTSUP, 'this runtime has no networking (give the runtime a networking member)'));
  },
};
