/**
 * Listening sockets for a process (layer: execution): the `listen` option
 * (`kiln run --listen`) opened through the runtime's networking on the
 * kernel's thread, as listening-socket resources placed after the
 * preopened directories. Shared by every placement, and by `listenTcp`.
 */
import { RIGHTS_LISTENER, RIGHTS_SOCKET } from '../abi/constants.js';
import { parseListenAddress, type ListenAddress } from '../host/net/address.js';
import type { ListenerChannel } from '../host/net/channel.js';
import type { ReadinessSignal } from '../host/readiness-signal.js';
import type { Runtime } from '../host/runtime.js';
import type { PreopenedResource } from '../kernel/process.js';
import { ListenerResource } from '../kernel/socket-resource.js';

/** Listening sockets of a process, and how to release them once it ended. */
export interface ProcessListeners {
  /** One resource per address, in order. */
  resources: PreopenedResource[];
  /** The bound addresses (port 0 resolved to the port the system chose). */
  addresses: ListenAddress[];
  /** Flushes and closes every connection and releases the host sockets. */
  close(): Promise<void>;
}

/** `HOST:PORT` / `[IPv6]:PORT` texts and addresses, parsed (a TypeError for a malformed one). */
export function listenAddresses(address: string | ListenAddress | readonly (string | ListenAddress)[]): ListenAddress[] {
  const list = Array.isArray(address) ? address as readonly (string | ListenAddress)[] : [address as string | ListenAddress];
  return list.map((a) => {
    if (typeof a !== 'string') return a;
    const p = parseListenAddress(a);
    if (p === undefined) throw new TypeError(`invalid listen address '${a}': expected HOST:PORT or [IPv6]:PORT`);
    return p;
  });
}

/** Listener channels as the kernel's listening-socket resources, waking `readiness`. */
export function listenerResources(channels: readonly ListenerChannel[], readiness: ReadinessSignal): PreopenedResource[] {
  return channels.map((channel) => ({
    resource: new ListenerResource(channel, readiness),
    rightsBase: RIGHTS_LISTENER,
    rightsInheriting: RIGHTS_SOCKET,
  }));
}

const NONE: ProcessListeners = { resources: [], addresses: [], close: async () => {} };

/** Opens the `listen` addresses through `runtime.networking`; nothing when there are none. */
export async function openListeners(
  runtime: Runtime, addresses: readonly (string | ListenAddress)[] | undefined, readiness: ReadinessSignal,
): Promise<ProcessListeners> {
  if (addresses === undefined || addresses.length === 0) return NONE;
  const listeners = await runtime.networking.listenTcp(listenAddresses(addresses), readiness);
  return {
    resources: listenerResources(listeners.channels, readiness),
    addresses: listeners.addresses,
    close: () => listeners.close(),
  };
}
