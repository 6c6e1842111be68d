/**
 * poll_oneoff of wasi_unstable (layer: syscalls;
 * `phases/old/snapshot_0/witx/typenames.witx`, "subscription").
 *
 * A preview 0 subscription is 56 bytes: a clock subscription carries an
 * `identifier` (a userdata of its own, which nothing reports back: the
 * event's userdata is the subscription's, as in wasmtime) before the clock
 * id, so the clock fields sit 8 bytes later than in preview 1; fd
 * subscriptions and the 32-byte event are unchanged. Everything else is
 * preview 1's poll_oneoff, read with this layout.
 */
import { SUBSCRIPTION_UNSTABLE } from '../../abi/layouts.js';
import type { SyscallContext } from '../context.js';
import { pollSyscalls } from '../preview1/poll.js';

export function pollUnstableSyscalls(ctx: SyscallContext) {
  return pollSyscalls(ctx, SUBSCRIPTION_UNSTABLE);
}
