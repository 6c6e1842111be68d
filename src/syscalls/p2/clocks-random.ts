/**
 * `wasi:clocks` and `wasi:random` (layer: syscalls): the process's clocks
 * and random source (the runtime's, or the embedder's replacements), as
 * preview 1's `clock_time_get` and `random_get` read them.
 */
import { ClockId } from '../../abi/constants.js';
import type { HostContext } from './host-context.js';
import { Pollable } from './io.js';
import { datetimeOf, MAX_LIST_BYTES, type Datetime } from './values.js';

const never = (): boolean => false;

/** The `wasi:clocks/*` interfaces. */
export function clockInterfaces(ctx: HostContext) {
  const clocks = ctx.process.clocks;
  return {
    'wasi:clocks/monotonic-clock': {
      now: (): bigint => ctx.monotonicNs(),
      resolution: (): bigint => clocks.resolution(ClockId.MONOTONIC),
      subscribeInstant: (when: bigint): Pollable => new Pollable(ctx, never, when),
      subscribeDuration: (duration: bigint): Pollable => new Pollable(ctx, never, ctx.monotonicNs() + duration),
    },
    'wasi:clocks/wall-clock': {
      now: (): Datetime => datetimeOf(clocks.now(ClockId.REALTIME)),
      resolution: (): Datetime => datetimeOf(clocks.resolution(ClockId.REALTIME)),
    },
  };
}

/** The `wasi:random/*` interfaces. */
export function randomInterfaces(ctx: HostContext) {
  const fill = ctx.process.random;
  const bytes = (len: bigint): Uint8Array => {
    if (len > BigInt(MAX_LIST_BYTES)) throw new Error(`wasi:random: ${len} bytes asked for at once, more than ${MAX_LIST_BYTES}`);
    const out = new Uint8Array(Number(len));
    fill(out);
    return out;
  };
  const u64 = (): bigint => new DataView(bytes(8n).buffer).getBigUint64(0, true);
  return {
    'wasi:random/random': { getRandomBytes: bytes, getRandomU64: u64 },
    'wasi:random/insecure': { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    'wasi:random/insecure-seed': { insecureSeed: (): [bigint, bigint] => [u64(), u64()] },
  };
}
