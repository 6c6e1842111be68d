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
  /**
   * Optional fast path for `clock_time_get`: writes what `now(id)` would
   * return at `byteOffset` of `view`, as a little-endian u64 (the caller
   * has checked that the 8 bytes are there). When a clock has it, Kiln
   * calls it instead of `now()`, so the time reaches guest memory without a
   * bigint; it must agree with `now()`. An object that replaces `now()`
   * must replace or leave out this one too (`systemClocks` keeps its own
   * on its prototype, so `{ ...systemClocks, now }` does not copy it).
   */
  writeNow?(id: ClockId, view: DataView, byteOffset: number): void;
}

interface NodeLikeProcess {
  hrtime?: { bigint?: () => bigint };
  cpuUsage?: () => { user: number; system: number };
}

const nodeProcess: NodeLikeProcess | undefined = (globalThis as { process?: NodeLikeProcess }).process;
const hrtime = nodeProcess?.hrtime?.bigint?.bind(nodeProcess.hrtime);
const cpuUsage = nodeProcess?.cpuUsage?.bind(nodeProcess);

const TWO_32 = 0x1_0000_0000;

const originNs = BigInt(Math.round(performance.timeOrigin * 1e6));

/** Monotonic nanoseconds from `performance.now()` (hosts without `process.hrtime`): below 2^53 for 104 days. */
function performanceNs(): number {
  return Math.round(performance.now() * 1e6);
}

function monotonicNs(): bigint {
  return hrtime !== undefined ? hrtime() : BigInt(performanceNs());
}

/** Realtime anchored once to the wall clock, then advanced by the monotonic clock (sub-ms resolution). */
const realtimeAnchor = BigInt(Date.now()) * 1_000_000n - monotonicNs();

/** Microseconds below which their nanoseconds stay below 2^53 (104 days). */
const SAFE_MICROS = 9e12;

/** CPU time from `process.cpuUsage` (microseconds), or the monotonic clock where there is none. */
function cpuNs(): bigint {
  if (cpuUsage === undefined) return BigInt(performanceNs());
  const u = cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
}

/** A non-negative integer below 2^53 as a little-endian u64. */
function writeNumber(view: DataView, at: number, ns: number): void {
  const lo = ns >>> 0;
  view.setUint32(at, lo, true);
  view.setUint32(at + 4, (ns - lo) / TWO_32, true);
}

/** `base` (a u64 given as halves) plus `ns` (a non-negative integer below 2^53), as a little-endian u64. */
function writeSum(view: DataView, at: number, baseLo: number, baseHi: number, ns: number): void {
  const sum = baseLo + ns;
  const lo = sum >>> 0;
  view.setUint32(at, lo, true);
  view.setUint32(at + 4, (baseHi + (sum - lo) / TWO_32) >>> 0, true);
}

function writeCpu(view: DataView, at: number): void {
  if (cpuUsage === undefined) { writeNumber(view, at, performanceNs()); return; }
  const u = cpuUsage();
  const us = u.user + u.system;
  if (us < SAFE_MICROS) writeNumber(view, at, us * 1000);
  else view.setBigUint64(at, BigInt(us) * 1000n, true);
}

const anchorLo = Number(BigInt.asUintN(32, realtimeAnchor));
const anchorHi = Number(BigInt.asUintN(32, realtimeAnchor >> 32n));
const originLo = Number(BigInt.asUintN(32, originNs));
const originHi = Number(BigInt.asUintN(32, originNs >> 32n));

/**
 * The fast path of the default clocks (`Clocks.writeNow`) where the
 * platform's clock is a number (`performance.now()`): the time goes to
 * guest memory as two 32-bit halves, without a bigint. Node has none:
 * `process.hrtime.bigint()` written with `setBigUint64` measured cheaper
 * than any reading of Node's clock that makes no bigint (docs/architecture.md,
 * "i64 at the boundary"). It sits on the prototype of `systemClocks`, so an
 * object spread of them that replaces `now` does not copy it.
 */
const systemFastPath: Pick<Clocks, 'writeNow'> = hrtime !== undefined ? {} : {
  writeNow(id: ClockId, view: DataView, at: number): void {
    switch (id) {
      case ClockId.MONOTONIC: writeNumber(view, at, performanceNs()); return;
      case ClockId.REALTIME: writeSum(view, at, anchorLo, anchorHi, performanceNs()); return;
      case ClockId.PROCESS_CPUTIME_ID:
      case ClockId.THREAD_CPUTIME_ID: writeCpu(view, at); return;
      default: writeSum(view, at, originLo, originHi, 0);
    }
  },
};

/**
 * The default clocks: realtime from the wall clock (advanced by the
 * monotonic clock), monotonic from `process.hrtime` or `performance.now()`,
 * CPU time from `process.cpuUsage` where the host has it.
 */
export const systemClocks: Clocks = Object.assign(Object.create(systemFastPath) as Clocks, {
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
});

/**
 * The default monotonic clock as every thread of the host reads it alike
 * (Node's `process.hrtime`), or undefined where threads have clocks of
 * their own (`performance.now()` counts from each worker's start): with
 * it, a guest thread reads the default clocks itself.
 */
export const sharedMonotonicNs: (() => bigint) | undefined = hrtime;

/** This thread's anchor of the default realtime clock: realtime = anchor + monotonic. */
export const systemRealtimeAnchor: bigint = realtimeAnchor;

/** True for the four clock ids preview 1 defines. */
export function isClockId(id: number): id is ClockId {
  return id >= ClockId.REALTIME && id <= ClockId.THREAD_CPUTIME_ID;
}
