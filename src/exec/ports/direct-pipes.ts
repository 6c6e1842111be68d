/**
 * Pipes a guest thread reads and writes itself (layer: execution, guest
 * side of the channel port): `fd_read` and `fd_write` of a descriptor the
 * channel's direct-pipe maps name move the bytes between the thread's
 * memory and the pipe's ring in the kernel's pipe arena
 * (host/pipe-arena.ts), with no call to the kernel; a thread that must
 * wait for bytes or room sleeps on the ring (interruptibly: a signal for
 * it, its process's end). Everything else goes to the kernel, which
 * answers with the same semantics (kernel/pipe-resource.ts): a descriptor
 * the maps do not name, a pointer out of bounds, an empty request, a
 * closed side (EBADF, EPIPE with SIGPIPE), a ring handed to another pipe
 * since the maps were set.
 *
 * As there: a read returns what is buffered, 0 at end of file; a write of
 * at most PIPE_BUF bytes goes in whole; a blocking write returns once all
 * of it went in (or a signal came after part did); NONBLOCK (mirrored in
 * the ring by the kernel) answers EAGAIN instead of waiting; a signal
 * whose handler runs ends a wait with EINTR, except the signals ignored
 * by default (kernel/signals.ts `interruptsCalls`).
 */
import { Errno } from '../../abi/errno.js';
import { entryGeneration, entryIndex, PIPE_BUF, PipeArena, PipeCell, PipeFlag, type ArenaPipe } from '../../host/pipe-arena.js';
import { linuxSignalNumber } from '../../kernel/exit-status.js';
import { interruptsCalls } from '../../kernel/signals.js';
import type { SyscallChannel } from '../channel.js';

type ImportFn = (...args: number[]) => number;

/** What the functions read guest memory through (the port's views, taken again when the memory grew). */
export interface GuestViews {
  covers(end: number): boolean;
  readonly view: DataView;
  readonly bytes: Uint8Array;
}

export interface DirectPipeThread {
  channel: SyscallChannel;
  slot: number;
  /** The kernel's pipe arena and this thread's lock token. */
  arena: SharedArrayBuffer;
  token: number;
  views: GuestViews;
  /** Runs before each call (the thread's gathered writes go first). */
  beforeCall: (() => void) | undefined;
  /** Runs the handlers of the signals waiting for the thread; the signals (a bit per Linux number). */
  takeSignals: () => number;
}

/** The signals (Linux bits) whose handler also ends a wait. */
const INTERRUPTING = (() => {
  let mask = 0;
  for (let sig = 1; sig <= 30; sig++) if (interruptsCalls(sig)) mask |= 1 << linuxSignalNumber(sig);
  return mask;
})();

export function directPipes(thread: DirectPipeThread): { fdRead(viaKernel: ImportFn): ImportFn; fdWrite(next: ImportFn): ImportFn } {
  const { channel, slot, token, views } = thread;
  const arena = new PipeArena(thread.arena);

  /** The buffers the `n` iovecs at `at` name, or undefined when one is outside the memory. */
  const buffers = (at: number, n: number): Uint8Array[] | undefined => {
    if (!views.covers(at + n * 8)) return undefined;
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const ptr = views.view.getUint32(at + i * 8, true);
      const len = views.view.getUint32(at + i * 8 + 4, true);
      if (!views.covers(ptr + len)) return undefined;
      if (len > 0) out.push(views.bytes.subarray(ptr, ptr + len));
    }
    return out;
  };

  /** Sleeps until the ring's event counter moves from `seen`: false when a signal that ends a wait came. */
  const waitForChange = (pipe: ArenaPipe, seen: number): boolean => {
    const waiters = pipe.cellIndex(PipeCell.EVENT_WAITERS);
    Atomics.add(pipe.words, waiters, 1);
    let result;
    try {
      result = channel.futexWait(slot, pipe.words, pipe.cellIndex(PipeCell.EVENT), seen, Infinity, true);
    } finally {
      Atomics.sub(pipe.words, waiters, 1);
    }
    return result !== 'interrupted' || (thread.takeSignals() & INTERRUPTING) === 0;
  };

  /** A change others may wait for: wakes threads on the ring, and the kernel when it watches it. */
  const changed = (pipe: ArenaPipe): void => {
    if (pipe.changed()) channel.ringDoorbell();
  };

  /**
   * A call on the ring map entry `entry` names, when this thread can make
   * it: the buffers the iovecs name (none empty), where the count goes,
   * the ring and the generation the entry expects. Undefined when the
   * kernel answers (no entry, a pointer out of the memory, nothing to move).
   */
  const begin = (entry: number, iovs: number, iovsLen: number, out: number) => {
    if (entry === 0) return undefined;
    thread.beforeCall?.();
    const bufs = buffers(iovs >>> 0, iovsLen >>> 0);
    const outAt = out >>> 0;
    if (bufs === undefined || bufs.length === 0 || !views.covers(outAt + 4)) return undefined;
    thread.takeSignals(); // handlers of signals that came while the thread ran its own code run first
    return { bufs, outAt, pipe: arena.ring(entryIndex(entry)), generation: entryGeneration(entry) };
  };

  const fdRead = (viaKernel: ImportFn): ImportFn => (fd, iovs, iovsLen, out) => {
    const call = begin(channel.pipeReadEntry(fd!), iovs!, iovsLen!, out!);
    if (call === undefined) return viaKernel(fd!, iovs!, iovsLen!, out!);
    const { bufs, outAt, pipe, generation } = call;
    for (;;) {
      const seen = pipe.load(PipeCell.EVENT);
      pipe.lock(PipeCell.READ_LOCK, token);
      const flags = pipe.flags();
      const stale = pipe.generation() !== generation || (flags & PipeFlag.READER_CLOSED) !== 0;
      const n = stale ? 0 : pipe.ring.read(bufs);
      pipe.unlock(PipeCell.READ_LOCK);
      if (stale) return viaKernel(fd!, iovs!, iovsLen!, out!);
      if (n > 0 || (flags & PipeFlag.WRITER_CLOSED) !== 0) {
        if (n > 0) changed(pipe);
        views.view.setUint32(outAt, n, true);
        return Errno.SUCCESS;
      }
      if ((flags & PipeFlag.READER_NONBLOCK) !== 0) return Errno.AGAIN;
      if (!waitForChange(pipe, seen)) return Errno.INTR;
    }
  };

  const fdWrite = (next: ImportFn): ImportFn => (fd, iovs, iovsLen, out) => {
    const call = begin(channel.pipeWriteEntry(fd!), iovs!, iovsLen!, out!);
    if (call === undefined) return next(fd!, iovs!, iovsLen!, out!);
    const { bufs, outAt, pipe, generation } = call;
    let want = 0;
    for (const b of bufs) want += b.byteLength;
    const whole = want <= PIPE_BUF;
    const written = (n: number): number => {
      views.view.setUint32(outAt, n, true);
      return Errno.SUCCESS;
    };
    let done = 0;
    for (;;) {
      const seen = pipe.load(PipeCell.EVENT);
      pipe.lock(PipeCell.WRITE_LOCK, token);
      const flags = pipe.flags();
      const open = pipe.generation() === generation && (flags & (PipeFlag.WRITER_CLOSED | PipeFlag.READER_CLOSED)) === 0;
      const free = open ? pipe.ring.free() : 0;
      const n = open && (whole ? free >= want : free > 0) ? pipe.ring.write(done === 0 ? bufs : skip(bufs, done)) : 0;
      pipe.unlock(PipeCell.WRITE_LOCK);
      // A closed side (EBADF, or EPIPE with SIGPIPE), a ring handed on: the kernel answers.
      if (!open) return done > 0 ? written(done) : next(fd!, iovs!, iovsLen!, out!);
      if (n > 0) {
        done += n;
        changed(pipe);
        if (done === want) return written(done);
        continue; // the reader may have made more room meanwhile
      }
      if ((flags & PipeFlag.WRITER_NONBLOCK) !== 0) return done > 0 ? written(done) : Errno.AGAIN;
      if (!waitForChange(pipe, seen)) return done > 0 ? written(done) : Errno.INTR;
    }
  };

  return { fdRead, fdWrite };
}

/** `bufs` without their first `n` bytes. */
function skip(bufs: readonly Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of bufs) {
    if (n >= b.byteLength) {
      n -= b.byteLength;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
