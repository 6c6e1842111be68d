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

interface ClockSub { userdata: bigint; deadline: bigint; clock: ClockId }
interface FdSub { userdata: bigint; type: EventType.FD_READ | EventType.FD_WRITE; resource: Resource }
interface Event { userdata: bigint; error: number; type: EventType; nbytes: bigint; flags: number }

/** Where a subscription's fields sit: preview 1's layout, or preview 0's (whose clock fields are 8 bytes later). */
export type SubscriptionLayout = Readonly<{
  size: number; userdata: number; tag: number; clockId: number; clockTimeout: number; clockFlags: number; fd: number;
}>;

export function pollSyscalls(ctx: SyscallContext, SUB: SubscriptionLayout = SUBSCRIPTION) {
  const { clocks, fds } = ctx.process;

  return {
    poll_oneoff: syscall((inPtr: number, outPtr: number, nsubs: number, neventsOut: number): number => {
      const n = nsubs >>> 0;
      if (n === 0) return Errno.INVAL;
      const m = ctx.memory;
      m.check(inPtr, n * SUB.size);
      m.check(outPtr, n * EVENT.size);
      m.check(neventsOut, 4);

      const clocksSubs: ClockSub[] = [];
      const fdSubs: FdSub[] = [];
      const immediate: Event[] = [];
      for (let i = 0; i < n; i++) {
        const base = inPtr + i * SUB.size;
        const userdata = m.u64(base + SUB.userdata);
        const tag = m.u8(base + SUB.tag);
        if (tag === EventType.CLOCK) {
          const id = m.u32(base + SUB.clockId);
          const timeout = m.u64(base + SUB.clockTimeout);
          const flags = m.u16(base + SUB.clockFlags);
          if (!isClockId(id)) {
            immediate.push({ userdata, error: Errno.INVAL, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
            continue;
          }
          const deadline = (flags & SubClockFlags.ABSTIME) ? timeout : clocks.now(id) + timeout;
          clocksSubs.push({ userdata, deadline, clock: id });
        } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
          const fd = m.u32(base + SUB.fd);
          try {
            const d = fds.get(fd, Rights.POLL_FD_READWRITE);
            fdSubs.push({ userdata, type: tag, resource: d.resource });
          } catch (e) {
            immediate.push({ userdata, error: errnoOf(e), type: tag, nbytes: 0n, flags: 0 });
          }
        } else {
          return Errno.INVAL;
        }
      }

      const attempt = (): number | undefined => {
        const events = [...immediate];
        for (const s of fdSubs) {
          let r;
          try {
            r = s.type === EventType.FD_READ ? s.resource.pollRead() : s.resource.pollWrite();
          } catch (e) {
            events.push({ userdata: s.userdata, error: errnoOf(e), type: s.type, nbytes: 0n, flags: 0 });
            continue;
          }
          if (r.ready) {
            events.push({ userdata: s.userdata, error: 0, type: s.type, nbytes: r.nbytes, flags: r.hangup ? 1 : 0 });
          }
        }
        for (const c of clocksSubs) {
          if (c.deadline <= clocks.now(c.clock)) events.push({ userdata: c.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
        }
        if (events.length === 0) return undefined;
        writeEvents(events);
        return Errno.SUCCESS;
      };
      const wakeIn = (): number => {
        let wait = Infinity;
        for (const c of clocksSubs) wait = Math.min(wait, Number(c.deadline - clocks.now(c.clock)) / 1e6);
        return Math.max(0, wait);
      };
      const writeEvents = (events: Event[]): void => {
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          const base = outPtr + i * EVENT.size;
          m.write(base, new Uint8Array(EVENT.size));
          m.setU64(base + EVENT.userdata, e.userdata);
          m.setU16(base + EVENT.error, e.error);
          m.setU8(base + EVENT.type, e.type);
          m.setU64(base + EVENT.nbytes, e.nbytes);
          m.setU16(base + EVENT.flags, e.flags);
        }
        m.setU32(neventsOut, events.length);
      };
      return ctx.process.block(attempt, wakeIn);
    }),
  };
}
