/**
 * The network of a run (layer: execution): the `network`, `allowConnect`
 * and `allowBind` options as the kernel's network, the same for every
 * placement (a process worker gets the options as data and makes its own).
 */
import { loopbackNetworking } from '../host/net/loopback.js';
import type { Runtime } from '../host/runtime.js';
import { NetworkPolicy } from '../kernel/net-policy.js';
import { NO_NETWORK, type KernelNetwork } from '../kernel/network.js';
import type { NetworkMode, WASIOptions } from './options.js';

/** The options that decide a run's network. */
export type NetworkOptions = Pick<WASIOptions, 'network' | 'allowConnect' | 'allowBind' | 'runtime'>;

const MODES: readonly NetworkMode[] = ['none', 'loopback', 'host'];

/** The mode `options` ask for (see `WASIOptions.network` for the default); a TypeError for an unknown one. */
export function networkMode(options: NetworkOptions): NetworkMode {
  const mode = options.network ?? (options.runtime?.networking !== undefined ? 'host' : 'none');
  if (!MODES.includes(mode)) throw new TypeError(`network must be one of ${MODES.join(', ')}, not ${JSON.stringify(mode)}`);
  return mode;
}

/** The kernel's network for `options` on `runtime`; a TypeError for a malformed rule. */
export function kernelNetwork(options: NetworkOptions, runtime: Runtime): KernelNetwork {
  const mode = networkMode(options);
  const policy = NetworkPolicy.fromRules(options.allowConnect, options.allowBind);
  if (mode === 'none') return policy.isOpen ? NO_NETWORK : { networking: NO_NETWORK.networking, policy };
  return { networking: mode === 'loopback' ? loopbackNetworking() : runtime.networking, policy };
}

/** Waits until what the kernel's guests sent on sockets they closed has left (see `VirtualNetworking.flush`). */
export async function flushNetwork(network: KernelNetwork): Promise<void> {
  await network.networking.flush?.();
}
