/**
 * Blocking I/O on non-blocking resources (layer: syscalls).
 *
 * Resources never wait: a read, receive, send or accept that cannot proceed
 * throws EAGAIN. A syscall that blocks (fd_read, fd_write on a socket,
 * sock_accept, sock_recv, sock_send) runs its operation here as an attempt
 * of `Process.block` (kernel/blocking.ts): EAGAIN on a blocking descriptor
 * means "not yet" and the process waits on its readiness signal (or, on the
 * kernel thread of a threaded process, parks the attempt); on a descriptor
 * with NONBLOCK it is the answer.
 *
 * An attempt may run again later, on another call stack (the threaded
 * kernel re-runs parked attempts): it reads guest memory through
 * `ctx.memory` and decodes its iovecs on every try, and keeps only its
 * progress (bytes already moved) between tries.
 */
import { Errno } from '../abi/errno.js';
import { FdFlags } from '../abi/constants.js';
import { errnoOf } from '../abi/host-errors.js';
import type { Resource } from '../kernel/resource.js';
import { flushPendingWrites, writesPending } from '../kernel/write-buffer.js';
import { errnoOrRethrow, type SyscallContext } from './context.js';

/** One try of an operation: its errno when done; throws (EAGAIN when it would block). */
export type Step = () => number;

const FOREVER = (): number => Infinity;

/** True when `resource`'s descriptors are non-blocking (NONBLOCK in its fdflags). */
export function isNonblocking(resource: Resource): boolean {
  return (resource.fdflags & FdFlags.NONBLOCK) !== 0;
}

/**
 * Waits until `check` answers (undefined: not yet; a thrown errno is the
 * answer), sleeping on the process's readiness signal in between (or
 * parked, on a threaded kernel): no spinning. A signal for the thread
 * (WASIX) ends the wait with EINTR; `timeoutNs` (0 or undefined: none)
 * with `timeoutErrno`.
 */
export function waitFor(ctx: SyscallContext, check: () => number | undefined, timeoutNs?: bigint, timeoutErrno: number = Errno.AGAIN): number {
  const thread = ctx.thread;
  const interrupts = thread.interrupts;
  const deadline = timeoutNs === undefined || timeoutNs === 0n ? undefined : performance.now() + Number(timeoutNs) / 1e6;
  return ctx.process.block(() => {
    let done: number | undefined;
    try {
      done = check();
    } catch (e) {
      return errnoOrRethrow(e);
    }
    if (done !== undefined) return done;
    if (thread.interrupts !== interrupts) return Errno.INTR;
    return deadline !== undefined && performance.now() >= deadline ? timeoutErrno : undefined;
  }, deadline === undefined ? FOREVER : () => Math.max(0, deadline - performance.now()));
}

/**
 * Runs `step` until it stops answering EAGAIN (see `waitFor`). With
 * `nonblocking` (or NONBLOCK on the resource) EAGAIN is returned at once;
 * with `timeoutNs` (a socket's SO_RCVTIMEO / SO_SNDTIMEO; 0 means none) it
 * is returned once that time passed, as on Linux.
 */
export function blockingIo(ctx: SyscallContext, resource: Resource, step: Step, nonblocking = false, timeoutNs?: bigint): number {
  return waitFor(ctx, () => {
    try {
      return step();
    } catch (e) {
      const errno = errnoOrRethrow(e);
      return errno === Errno.AGAIN && !nonblocking && !isNonblocking(resource) ? undefined : errno;
    }
  }, timeoutNs);
}

/**
 * Writes an iovec array to a pipe or socket the way a blocking write does:
 * until all of it is taken (or, with NONBLOCK, as much as fits now; EAGAIN
 * if nothing does). An error after part of it went in reports that part;
 * the error shows on the next call. EPIPE on a pipe also raises SIGPIPE
 * for the calling thread, as POSIX does. Writes the count to `doneOut`.
 * `put` is the resource's write (its `send` for sock_send).
 */
export function writeAll(
  ctx: SyscallContext, resource: Resource, iovs: number, iovsLen: number, doneOut: number,
  put: (src: Uint8Array[]) => number = (src) => resource.write(src),
  timeoutNs?: bigint,
): number {
  // fd_write skips the flush every other syscall does: output gathered for
  // other streams must not wait behind a write that blocks.
  if (writesPending) flushPendingWrites();
  let done = 0;
  return blockingIo(ctx, resource, () => {
    const m = ctx.memory;
    const src = m.iovecs(iovs, iovsLen);
    const want = totalBytes(src);
    const nonblocking = isNonblocking(resource);
    for (;;) {
      let n: number;
      try {
        n = put(skipBytes(src, done));
      } catch (e) {
        if (done > 0 && (nonblocking || !isAgain(e))) break;
        if (resource.raisesSigpipe && errnoOf(e) === Errno.PIPE) ctx.process.raise(SIGPIPE, ctx.thread);
        throw e;
      }
      done += n;
      if (done >= want || nonblocking) break;
    }
    m.setSize(doneOut, done);
    return Errno.SUCCESS;
  }, false, timeoutNs);
}

/** SIGPIPE, in WASI's numbering. */
const SIGPIPE = 13;

/** True for EAGAIN (a WasiError, or a host error with that code). */
export function isAgain(e: unknown): boolean {
  return errnoOf(e) === Errno.AGAIN;
}

export function totalBytes(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}

/** `bufs` without its first `n` bytes. */
export function skipBytes(bufs: readonly Uint8Array[], n: number): Uint8Array[] {
  if (n === 0) return bufs as Uint8Array[];
  const out: Uint8Array[] = [];
  for (const b of bufs) {
    if (n >= b.byteLength) { n -= b.byteLength; continue; }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
