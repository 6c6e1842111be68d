/**
 * Clocks (layer: host): realtime, monotonic and CPU-time sources, in
 * nanoseconds. The defaults use only web-platform APIs (performance, Date)
 * plus `process.cpuUsage` / `process.hrtime` where a Node-like host has them;
 * embedders can inject their own (deterministic tests, virtual time).
 */
import { ClockId } from '../abi/constants.js';

/** The clocks a guest reads (`clock_time_get`, `clock_res_get`), in nanoseconds; inject your own for virtual time. */
export interface Clocks {
  /** Current time of `id` in nanoseconds. */
  now(id: ClockId): bigint;
  /** Resolution of `id` in nanoseconds. */
  resolution(id: ClockId): bigint;
}

interface NodeLikeProcess {
  hrtime?: { bigint?: () => bigint };
  cpuUsage?: () => { user: number; system: number };
}

const nodeProcess: NodeLikeProcess | undefined = (globalThis as { process?: NodeLikeProcess }).process;
const hrtime = nodeProcess?.hrtime?.bigint?.bind(nodeProcess.hrtime);
const cpuUsage = nodeProcess?.cpuUsage?.bind(nodeProcess);

const originNs = BigInt(Math.round(performance.timeOrigin * 1e6));

function monotonicNs(): bigint {
  return hrtime !== undefined ? hrtime() : BigInt(Math.round(performance.now() * 1e6));
}

/** Realtime anchored once to the wall clock, then advanced by the monotonic clock (sub-ms resolution). */
const realtimeAnchor = BigInt(Date.now()) * 1_000_000n - monotonicNs();

function cpuNs(): bigint {
  if (cpuUsage !== undefined) {
    const u = cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  }
  return BigInt(Math.round(performance.now() * 1e6));
}

/**
 * The default clocks: realtime from the wall clock (advanced by the
 * monotonic clock), monotonic from `process.hrtime` or `performance.now()`,
 * CPU time from `process.cpuUsage` where the host has it.
 */
export const systemClocks: Clocks = {
  now(id: ClockId): bigint {
    switch (id) {
      case ClockId.REALTIME: return realtimeAnchor + monotonicNs();
      case ClockId.MONOTONIC: return monotonicNs();
      case ClockId.PROCESS_CPUTIME_ID:
      case ClockId.THREAD_CPUTIME_ID: return cpuNs();
      default: return originNs;
    }
  },
  resolution(id: ClockId): bigint {
    switch (id) {
      case ClockId.REALTIME:
      case ClockId.MONOTONIC: return hrtime !== undefined ? 1n : 1000n;
      default: return 1000n;
    }
  },
};

/** True for the four clock ids preview 1 defines. */
export function isClockId(id: number): id is ClockId {
  return id >= ClockId.REALTIME && id <= ClockId.THREAD_CPUTIME_ID;
}
