/**
 * The network of a kernel's guests (layer: kernel): the VirtualNetworking
 * their sockets and lookups use, and the policy the kernel checks first.
 */
import { noNetworking, type VirtualNetworking } from '../host/net/networking.js';
import { NetworkPolicy } from './net-policy.js';

/** Sockets, lookups, and what guests may reach through them. */
export interface KernelNetwork {
  networking: VirtualNetworking;
  policy: NetworkPolicy;
}

/** No network: every socket call fails cleanly (the default). */
export const NO_NETWORK: KernelNetwork = { networking: noNetworking, policy: NetworkPolicy.open };
