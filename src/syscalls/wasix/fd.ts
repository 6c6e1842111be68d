/**
 * WASIX descriptors (layer: syscalls): `fd_dup`, `fd_dup2`,
 * `fd_fdflags_get` / `_set`, `fd_pipe`, `fd_event`, `path_open2`, and
 * epoll (`epoll_create`, `epoll_ctl`, `epoll_wait`).
 *
 * Pipes, eventfds and epoll sets are kernel resources
 * (kernel/pipe-resource.ts, event-resource.ts, epoll-resource.ts): reads
 * and writes on them block through the preview 1 calls, as any stream's
 * do; epoll_wait blocks here, on the process's readiness signal.
 */
import { Errno } from '../../abi/errno.js';
import { FdFlags, RIGHTS_STREAM } from '../../abi/constants.js';
import { u64Number, u64Safe, type Preview1Split } from '../../abi/signatures.js';
import { EpollResource, type EpollData } from '../../kernel/epoll-resource.js';
import { EventResource } from '../../kernel/event-resource.js';
import { createDuplexPipe, PIPE_CAPACITY } from '../../kernel/pipe-resource.js';
import { syscall, type SyscallContext } from '../context.js';

/** `fdflagsext`: close on exec. */
const FDFLAGSEXT_CLOEXEC = 1;
/** `eventfdflags`: semaphore mode. */
const EVENTFD_SEMAPHORE = 1;
/**
 * `epoll_ctl` ops as wasix-libc passes them: Linux's EPOLL_CTL_* (ADD 1,
 * DEL 2, MOD 3), unchanged. The witx numbers them ADD 0, MOD 1, DEL 2;
 * 0 is taken as ADD too, and 1 as the library means it (ADD), so a
 * program built with wasix-libc gets EEXIST and ENOENT as on Linux.
 */
const enum EpollOp { WITX_ADD = 0, ADD = 1, DEL = 2, MOD = 3 }
/** Size of `epoll_event_t`: events u32 @0, data @8 {ptr u32 @0, fd u32 @4, data1 u32 @8, data2 u64 @16}. */
const EPOLL_EVENT_SIZE = 32;

/** The WASIX descriptor functions of a process. */
/** `pathOpen`: the path_open body `path_open2` builds on. */
export function wasixFdSyscalls(ctx: SyscallContext, pathOpen: Preview1Split['path_open']) {
  const process = ctx.process;
  const fds = process.fds;
  const notify = (): void => process.readiness.notify();
  // epoll_data_t: {ptr, fd u32, data1 u32, data2 u64}; the pointer is 8 bytes in a 64-bit guest (fd and data1 move by 4).
  const readEpollData = (ptr: number): EpollData => {
    const m = ctx.memory;
    const shift = m.sizeBytes - 4;
    return { ptr: m.size(ptr), fd: m.u32(ptr + 4 + shift), data1: m.u32(ptr + 8 + shift), data2: m.u64(ptr + 16) };
  };
  return {
    fd_dup: syscall((fd: number, fdOut: number): number => {
      const d = fds.get(fd);
      ctx.memory.check(fdOut, 4);
      ctx.memory.setU32(fdOut, fds.add({ ...d, cloexec: false }));
      return Errno.SUCCESS;
    }),

    // Also onto a number that is not open, as Wasmer's does (the first generations' wasix-libc
    // makes dup2 of it: close, then renumber); preview 1's answers EBADF there, as wasmtime's does.
    fd_renumber: syscall((fd: number, to: number): number => {
      fds.move(fd, to >>> 0);
      return Errno.SUCCESS;
    }),

    fd_dup2: syscall((fd: number, min: number, cloexec: number, fdOut: number): number => {
      const d = fds.get(fd);
      ctx.memory.check(fdOut, 4);
      if (min < 0) return Errno.INVAL;
      ctx.memory.setU32(fdOut, fds.addFrom({ ...d, cloexec: cloexec !== 0 }, min));
      return Errno.SUCCESS;
    }),

    fd_fdflags_get: syscall((fd: number, flagsOut: number): number => {
      const d = fds.get(fd);
      ctx.memory.setU16(flagsOut, d.cloexec === true ? FDFLAGSEXT_CLOEXEC : 0);
      return Errno.SUCCESS;
    }),

    fd_fdflags_set: syscall((fd: number, flags: number): number => {
      const d = fds.get(fd);
      if ((flags & ~FDFLAGSEXT_CLOEXEC & 0xffff) !== 0) return Errno.INVAL;
      d.cloexec = (flags & FDFLAGSEXT_CLOEXEC) !== 0;
      return Errno.SUCCESS;
    }),

    // Both ends read and write (the witx: "Pipes are bidirectional"; Wasmer's pipes are too).
    fd_pipe: syscall((readOut: number, writeOut: number): number => {
      const m = ctx.memory;
      m.check(readOut, 4);
      m.check(writeOut, 4);
      const [first, second] = createDuplexPipe(notify, PIPE_CAPACITY, process.kernel.pipes);
      let r: number;
      try {
        r = fds.add({ resource: first, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
      } catch (e) {
        first.close();
        second.close();
        throw e;
      }
      let w: number;
      try {
        w = fds.add({ resource: second, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
      } catch (e) {
        fds.close(r);
        second.close();
        throw e;
      }
      m.setU32(readOut, r);
      m.setU32(writeOut, w);
      return Errno.SUCCESS;
    }),

    fd_event: syscall((lo: number, hi: number, flags: number, fdOut: number): number => {
      ctx.memory.check(fdOut, 4);
      const initial = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      const resource = new EventResource(initial, (flags & EVENTFD_SEMAPHORE) !== 0, notify);
      // wasix-libc passes eventfd()'s flags as they are: EFD_NONBLOCK is O_NONBLOCK, WASI's NONBLOCK.
      if ((flags & FdFlags.NONBLOCK) !== 0) resource.setFdflags(FdFlags.NONBLOCK);
      ctx.memory.setU32(fdOut, fds.add({ resource, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 }));
      return Errno.SUCCESS;
    }),

    path_open2: syscall((fd: number, dirflags: number, path: number, pathLen: number, oflags: number,
      baseLo: number, baseHi: number, inhLo: number, inhHi: number, fdflags: number, fdflagsext: number, fdOut: number): number => {
      if ((fdflagsext & ~FDFLAGSEXT_CLOEXEC & 0xffff) !== 0) return Errno.INVAL;
      const errno = pathOpen(fd, dirflags, path, pathLen, oflags, baseLo, baseHi, inhLo, inhHi, fdflags, fdOut);
      if (errno === Errno.SUCCESS && (fdflagsext & FDFLAGSEXT_CLOEXEC) !== 0) fds.get(ctx.memory.u32(fdOut)).cloexec = true;
      return errno;
    }),

    epoll_create: syscall((fdOut: number): number => {
      ctx.memory.check(fdOut, 4);
      ctx.memory.setU32(fdOut, fds.add({ resource: new EpollResource(process.readiness), rightsBase: RIGHTS_STREAM, rightsInheriting: 0 }));
      return Errno.SUCCESS;
    }),

    epoll_ctl: syscall((epfd: number, op: number, fd: number, event: number): number => {
      const set = fds.get(epfd).resource;
      if (!(set instanceof EpollResource)) return Errno.INVAL;
      const target = fds.get(fd).resource;
      if (target === set) return Errno.INVAL;
      switch (op) {
        case EpollOp.WITX_ADD:
        case EpollOp.ADD: set.add(fd, target, ctx.memory.u32(event), readEpollData(event + 8)); break;
        case EpollOp.MOD: set.modify(fd, target, ctx.memory.u32(event), readEpollData(event + 8)); break;
        case EpollOp.DEL: set.delete(fd, target); break;
        default: return Errno.INVAL;
      }
      return Errno.SUCCESS;
    }),

    epoll_wait: syscall((epfd: number, events: number, maxevents: number, lo: number, hi: number, countOut: number): number => {
      const set = fds.get(epfd).resource;
      if (!(set instanceof EpollResource)) return Errno.INVAL;
      const max = maxevents >>> 0;
      if (max === 0) return Errno.INVAL;
      ctx.memory.check(events, max * EPOLL_EVENT_SIZE);
      ctx.memory.check(countOut, ctx.memory.sizeBytes);
      const forever = (lo === -1 && hi === -1) || !u64Safe(hi);
      const deadline = forever ? Infinity : performance.now() + u64Number(lo, hi) / 1e6;
      const thread = ctx.thread;
      const interrupts = thread.interrupts;
      return process.block(() => {
        const ready = set.ready(max);
        if (ready.length === 0) {
          if (thread.interrupts !== interrupts) return Errno.INTR;
          if (deadline - performance.now() > 0) return undefined;
        }
        const m = ctx.memory;
        ready.forEach((e, i) => {
          const at = events + i * EPOLL_EVENT_SIZE;
          m.bytes.fill(0, at, at + EPOLL_EVENT_SIZE);
          const shift = m.sizeBytes - 4;
          m.setU32(at, e.events);
          m.setSize(at + 8, e.data.ptr);
          m.setU32(at + 12 + shift, e.data.fd);
          m.setU32(at + 16 + shift, e.data.data1);
          m.setU64(at + 24, e.data.data2);
        });
        m.setSize(countOut, ready.length);
        return Errno.SUCCESS;
      }, () => Math.max(0, deadline - performance.now()));
    }),
  };
}
