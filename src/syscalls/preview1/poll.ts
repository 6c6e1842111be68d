/**
 * poll_oneoff (layer: syscalls; preview 1 "poll_oneoff").
 *
 * Reports every subscription that is ready at once; if none is, blocks
 * (kernel/blocking.ts: never spinning) until the earliest clock deadline or
 * until the process's readiness signal says a resource may have become ready.
 */
import { Errno } from '../../abi/errno.js';
import { ClockId, EventType, Rights, SubClockFlags } from '../../abi/constants.js';
import { EVENT, SUBSCRIPTION } from '../../abi/layouts.js';
import { isClockId } from '../../host/clocks.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { Resource } from '../../kernel/resource.js';
import { syscall, type SyscallContext } from '../context.js';

/*
 * Userdata, timeouts and deadlines are u64s kept as their two halves (lo,
 * hi: unsigned 32-bit numbers), so a poll makes no bigint of its own.
 */
interface ClockSub { userLo: number; userHi: number; deadlineLo: number; deadlineHi: number; clock: ClockId }
interface FdSub { userLo: number; userHi: number; type: EventType.FD_READ | EventType.FD_WRITE; resource: Resource }
interface Event { userLo: number; userHi: number; error: number; type: EventType; nbytes: bigint; flags: number }

const TWO_32 = 0x1_0000_0000;
const U32_MAX = 0xffff_ffff;

/** Where a subscription's fields sit: preview 1's layout, or preview 0's (whose clock fields are 8 bytes later). */
export type SubscriptionLayout = Readonly<{
  size: number; userdata: number; tag: number; clockId: number; clockTimeout: number; clockFlags: number; fd: number;
}>;

export function pollSyscalls(ctx: SyscallContext, SUB: SubscriptionLayout = SUBSCRIPTION) {
  const { clocks, fds } = ctx.process;
  const fast = typeof clocks.writeNow === 'function';
  // The time read last (clockNow), as halves.
  const scratch = new DataView(new ArrayBuffer(8));
  let nowLo = 0;
  let nowHi = 0;
  const clockNow = (id: ClockId): void => {
    if (fast) clocks.writeNow!(id, scratch, 0);
    else scratch.setBigUint64(0, clocks.now(id), true); // modulo 2^64
    nowLo = scratch.getUint32(0, true);
    nowHi = scratch.getUint32(4, true);
  };
  /** True when `c`'s deadline has come (reads its clock). */
  const due = (c: ClockSub): boolean => {
    clockNow(c.clock);
    return c.deadlineHi < nowHi || (c.deadlineHi === nowHi && c.deadlineLo <= nowLo);
  };

  return {
    poll_oneoff: syscall((inPtr: number, outPtr: number, nsubs: number, neventsOut: number): number => {
      const n = nsubs >>> 0;
      if (n === 0) return Errno.INVAL;
      const m = ctx.memory;
      m.check(inPtr, n * SUB.size);
      m.check(outPtr, n * EVENT.size);
      m.check(neventsOut, m.sizeBytes);

      const clocksSubs: ClockSub[] = [];
      const fdSubs: FdSub[] = [];
      const immediate: Event[] = [];
      for (let i = 0; i < n; i++) {
        const base = inPtr + i * SUB.size;
        const userLo = m.u32(base + SUB.userdata);
        const userHi = m.u32(base + SUB.userdata + 4);
        const tag = m.u8(base + SUB.tag);
        if (tag === EventType.CLOCK) {
          const id = m.u32(base + SUB.clockId);
          const timeoutLo = m.u32(base + SUB.clockTimeout);
          const timeoutHi = m.u32(base + SUB.clockTimeout + 4);
          const flags = m.u16(base + SUB.clockFlags);
          if (!isClockId(id)) {
            immediate.push({ userLo, userHi, error: Errno.INVAL, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
            continue;
          }
          let deadlineLo = timeoutLo;
          let deadlineHi = timeoutHi;
          if (!(flags & SubClockFlags.ABSTIME)) {
            // now + timeout; past 2^64 - 1 it never comes (saturated)
            clockNow(id);
            const lo = nowLo + timeoutLo;
            deadlineLo = lo >>> 0;
            deadlineHi = nowHi + timeoutHi + (lo >= TWO_32 ? 1 : 0);
            if (deadlineHi > U32_MAX) { deadlineLo = U32_MAX; deadlineHi = U32_MAX; }
          }
          clocksSubs.push({ userLo, userHi, deadlineLo, deadlineHi, clock: id });
        } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
          const fd = m.u32(base + SUB.fd);
          try {
            const d = fds.get(fd, Rights.POLL_FD_READWRITE);
            fdSubs.push({ userLo, userHi, type: tag, resource: d.resource });
          } catch (e) {
            immediate.push({ userLo, userHi, error: errnoOf(e), type: tag, nbytes: 0n, flags: 0 });
          }
        } else {
          return Errno.INVAL;
        }
      }

      // A signal for the thread (WASIX) ends the wait with EINTR.
      const thread = ctx.thread;
      const interrupts = thread.interrupts;
      const attempt = (): number | undefined => {
        const events = [...immediate];
        for (const s of fdSubs) {
          let r;
          try {
            r = s.type === EventType.FD_READ ? s.resource.pollRead() : s.resource.pollWrite();
          } catch (e) {
            events.push({ userLo: s.userLo, userHi: s.userHi, error: errnoOf(e), type: s.type, nbytes: 0n, flags: 0 });
            continue;
          }
          if (r.ready) {
            events.push({ userLo: s.userLo, userHi: s.userHi, error: 0, type: s.type, nbytes: r.nbytes, flags: r.hangup ? 1 : 0 });
          }
        }
        for (const c of clocksSubs) {
          if (due(c)) events.push({ userLo: c.userLo, userHi: c.userHi, error: 0, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
        }
        if (events.length === 0) return thread.interrupts !== interrupts ? Errno.INTR : undefined;
        writeEvents(events);
        return Errno.SUCCESS;
      };
      const wakeIn = (): number => {
        let wait = Infinity;
        for (const c of clocksSubs) {
          clockNow(c.clock);
          wait = Math.min(wait, ((c.deadlineHi - nowHi) * TWO_32 + (c.deadlineLo - nowLo)) / 1e6);
        }
        return Math.max(0, wait);
      };
      const writeEvents = (events: Event[]): void => {
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          const base = outPtr + i * EVENT.size;
          m.write(base, new Uint8Array(EVENT.size));
          m.setU64Halves(base + EVENT.userdata, e.userLo, e.userHi);
          m.setU16(base + EVENT.error, e.error);
          m.setU8(base + EVENT.type, e.type);
          m.setU64(base + EVENT.nbytes, e.nbytes);
          m.setU16(base + EVENT.flags, e.flags);
        }
        m.setSize(neventsOut, events.length);
      };
      return ctx.process.block(attempt, wakeIn);
    }),
  };
}
