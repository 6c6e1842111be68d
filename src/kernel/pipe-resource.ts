/**
 * Pipe resources (layer: kernel): the two ends of an in-memory pipe, over
 * bounded ring buffers the ends share: WASIX `fd_pipe`'s pipes go both
 * ways (a ring each way), the pipes `proc_spawn` gives a child's stdio one
 * way (one ring). A ring lives in the kernel's pipe arena
 * (host/pipe-arena.ts) while one is free there, where guest threads also
 * move its bytes themselves (exec/ports/direct-pipes.ts, with the same
 * semantics), else in the kernel's own memory.
 *
 * Never blocks: a read of an empty pipe whose writer is open, and a write to
 * a full pipe, throw EAGAIN, and readiness tells when to try again. Every
 * change that may let the other end go on (bytes written or read, an end
 * closed) calls `notify` (the process's readiness signal), on which the
 * syscall layer builds blocking.
 *
 * Follows Linux's pipe(7):
 * - a read returns what is buffered, up to the request; 0 at end of file
 *   (every writer closed and the buffer drained);
 * - writing with the reader closed is EPIPE (the syscall layer raises
 *   SIGPIPE);
 * - a write of at most PIPE_BUF bytes is atomic: all of it or EAGAIN, never
 *   part (so concurrent small writes never interleave). A larger write
 *   takes what fits, at least one byte, or EAGAIN when full. Accordingly
 *   the write end polls writable only with PIPE_BUF bytes free (as Linux
 *   polls a pipe writable only with a free page), so a poll loop never
 *   spins on a write that cannot go in;
 * - a 0-byte read or write returns 0 at once, whatever the state;
 * - seeking, pread and pwrite are ESPIPE; fsync and ftruncate are EINVAL.
 *
 * Each end is one Resource: descriptors (dup, fork, spawn) share it, and
 * its `close()` runs once, when its last descriptor closes, which is when
 * Linux ends that side of the pipe.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FdFlags, FileType, type Advice, type Whence } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import { dropFromEpollSets } from './epoll-resource.js';
import { Resource, type Readiness } from './resource.js';
import { KERNEL_TOKEN, PIPE_BUF, PipeCell, PipeFlag, type ArenaPipe, type PipeArena } from '../host/pipe-arena.js';

/** POSIX PIPE_BUF (Linux's value): writes up to this size are atomic. */
export { PIPE_BUF };

/** Linux's default pipe capacity (16 pages). */
export const PIPE_CAPACITY = 65536;

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

/** The bytes in flight one way between the ends, as the kernel sees them. */
interface PipeBuffer {
  readonly capacity: number;
  /** Bytes buffered now. */
  readonly size: number;
  readonly readerClosed: boolean;
  readonly writerClosed: boolean;
  /** Moves up to `size` bytes into `dst` (iovecs in order); the number moved (0 also when it cannot now). */
  take(dst: readonly Uint8Array[]): number;
  /**
   * Copies what fits of `src` (iovecs in order), all of it or nothing when
   * `whole`; the number copied (0 when nothing could go in now).
   */
  put(src: readonly Uint8Array[], whole: boolean): number;
  /** Bytes that could go in now (readiness). */
  readonly free: number;
  closeReading(): void;
  closeWriting(): void;
  /** Mirrors a side's NONBLOCK for the threads that move bytes themselves. */
  setNonblock(reader: boolean, on: boolean): void;
  /** Wakes whoever waits on the pipe: it changed. */
  notify(): void;
  /** Wakes only the guest threads waiting on its ring, if it has one (the kernel is notified once per change). */
  wakeThreads(): void;
  /** The shared-memory ring guest threads move this pipe's bytes through themselves, if it has one. */
  readonly shared: ArenaPipe | undefined;
}

/** A pipe direction in the kernel's own memory: a ring buffer, allocated on the first write. */
class LocalPipeBuffer implements PipeBuffer {
  #data: Uint8Array | undefined;
  /** Index of the oldest buffered byte. */
  #head = 0;
  #size = 0;
  readerClosed = false;
  writerClosed = false;

  constructor(readonly capacity: number, readonly notify: () => void) {}

  get size(): number { return this.#size; }
  get free(): number { return this.capacity - this.#size; }
  get shared(): undefined { return undefined; }

  take(dst: readonly Uint8Array[]): number {
    const data = this.#data;
    if (data === undefined) return 0;
    const cap = this.capacity;
    let moved = 0;
    for (const buf of dst) {
      if (this.#size === 0) break;
      const n = Math.min(buf.byteLength, this.#size);
      if (n === 0) continue;
      const first = Math.min(n, cap - this.#head);
      buf.set(data.subarray(this.#head, this.#head + first), 0);
      if (n > first) buf.set(data.subarray(0, n - first), first);
      this.#head = (this.#head + n) % cap;
      this.#size -= n;
      moved += n;
    }
    if (this.#size === 0) this.#head = 0; // keeps the next transfers in one piece
    return moved;
  }

  put(src: readonly Uint8Array[], whole: boolean): number {
    const cap = this.capacity;
    if (whole && total(src) > cap - this.#size) return 0;
    const data = this.#data ??= new Uint8Array(cap);
    let copied = 0;
    for (const buf of src) {
      const room = cap - this.#size;
      if (room === 0) break;
      const n = Math.min(buf.byteLength, room);
      if (n === 0) continue;
      const tail = (this.#head + this.#size) % cap;
      const first = Math.min(n, cap - tail);
      data.set(buf.subarray(0, first), tail);
      if (n > first) data.set(buf.subarray(first, n), 0);
      this.#size += n;
      copied += n;
      if (n < buf.byteLength) break;
    }
    return copied;
  }

  /** Buffered bytes are dropped with the memory (nobody will read them). */
  closeReading(): void {
    this.readerClosed = true;
    this.#data = undefined;
    this.#head = 0;
    this.#size = 0;
  }

  closeWriting(): void { this.writerClosed = true; }

  setNonblock(): void {}
  wakeThreads(): void {}
}

/**
 * A pipe direction in a ring of the kernel's pipe arena
 * (host/pipe-arena.ts), which guest threads in workers also read and
 * write themselves: the kernel takes a side's lock only by trying (a
 * taken lock is "not now": its holder's change rings the doorbell, as the
 * kernel watches the ring before every look), and keeps the closed flags
 * itself too, since the ring goes back to the arena once both sides
 * closed.
 */
class SharedPipeBuffer implements PipeBuffer {
  readerClosed = false;
  writerClosed = false;

  constructor(readonly shared: ArenaPipe, readonly signal: () => void) {}

  get capacity(): number { return this.shared.capacity; }

  get size(): number {
    this.shared.watch();
    return this.shared.ring.used();
  }

  get free(): number {
    this.shared.watch();
    return this.shared.ring.free();
  }

  take(dst: readonly Uint8Array[]): number {
    const pipe = this.shared;
    pipe.watch();
    if (!pipe.tryLock(PipeCell.READ_LOCK, KERNEL_TOKEN)) return 0;
    try {
      return pipe.ring.read(dst);
    } finally {
      pipe.unlock(PipeCell.READ_LOCK);
    }
  }

  put(src: readonly Uint8Array[], whole: boolean): number {
    const pipe = this.shared;
    pipe.watch();
    if (!pipe.tryLock(PipeCell.WRITE_LOCK, KERNEL_TOKEN)) return 0;
    try {
      return whole && total(src) > pipe.ring.free() ? 0 : pipe.ring.write(src);
    } finally {
      pipe.unlock(PipeCell.WRITE_LOCK);
    }
  }

  /** Buffered bytes are dropped (nobody will read them). */
  closeReading(): void {
    this.readerClosed = true;
    const pipe = this.shared;
    pipe.setFlags(PipeFlag.READER_CLOSED);
    if (pipe.tryLock(PipeCell.READ_LOCK, KERNEL_TOKEN)) {
      pipe.ring.discard();
      pipe.unlock(PipeCell.READ_LOCK);
    }
    this.#releaseWhenClosed();
  }

  closeWriting(): void {
    this.writerClosed = true;
    this.shared.setFlags(PipeFlag.WRITER_CLOSED);
    this.#releaseWhenClosed();
  }

  setNonblock(reader: boolean, on: boolean): void {
    const bit = reader ? PipeFlag.READER_NONBLOCK : PipeFlag.WRITER_NONBLOCK;
    if (on) this.shared.setFlags(bit);
    else this.shared.clearFlags(bit);
  }

  notify(): void {
    this.wakeThreads();
    this.signal();
  }

  wakeThreads(): void {
    if (!this.readerClosed || !this.writerClosed) this.shared.changed();
  }

  #releaseWhenClosed(): void {
    if (this.readerClosed && this.writerClosed) this.shared.arena.release(this.shared);
  }
}

/**
 * One direction of a pipe, as its reading side sees it: what is buffered,
 * up to `dst`'s size; 0 at end of file (every writer closed, nothing
 * buffered) or for an empty `dst`; EAGAIN when empty while a writer is open.
 */
function readFrom(pipe: PipeBuffer, dst: Uint8Array[]): number {
  if (pipe.readerClosed) throw new WasiError(Errno.BADF);
  if (total(dst) === 0) return 0;
  const writerClosed = pipe.writerClosed; // before the take: bytes written before the close are seen
  const n = pipe.take(dst);
  if (n > 0) {
    pipe.notify(); // room for a waiting writer
    return n;
  }
  if (writerClosed && pipe.size === 0) return 0;
  throw new WasiError(Errno.AGAIN);
}

/**
 * One direction of a pipe, as its writing side sees it: buffers `src`, all
 * of it when it is at most PIPE_BUF bytes (or EAGAIN), else what fits (at
 * least one byte, or EAGAIN when full). EPIPE when the reader closed; 0 for
 * an empty `src`.
 */
function writeTo(pipe: PipeBuffer, src: Uint8Array[]): number {
  if (pipe.writerClosed) throw new WasiError(Errno.BADF);
  const want = total(src);
  if (want === 0) return 0;
  if (pipe.readerClosed) throw new WasiError(Errno.PIPE);
  const n = pipe.put(src, want <= atomicSize(pipe));
  if (n === 0) throw new WasiError(Errno.AGAIN);
  pipe.notify(); // data for a waiting reader
  return n;
}

/** Readable with bytes buffered (`nbytes`), or at hangup (the writer closed). */
function readReadiness(pipe: PipeBuffer): Readiness {
  if (pipe.readerClosed) return NOT_READY;
  const size = pipe.size;
  if (size > 0 || pipe.writerClosed) return { ready: true, nbytes: BigInt(size), hangup: pipe.writerClosed };
  return NOT_READY;
}

/**
 * Writable with at least PIPE_BUF bytes free (`nbytes`: the free space), or
 * at hangup (the reader closed: a write is EPIPE).
 */
function writeReadiness(pipe: PipeBuffer): Readiness {
  if (pipe.writerClosed) return NOT_READY;
  if (pipe.readerClosed) return { ready: true, nbytes: 0n, hangup: true };
  const free = pipe.free;
  return free >= atomicSize(pipe) ? { ready: true, nbytes: BigInt(free), hangup: false } : NOT_READY;
}

/** Ends the reading side: buffered bytes are dropped, and writing becomes EPIPE. */
function closeReading(pipe: PipeBuffer): void {
  if (!pipe.readerClosed) pipe.closeReading();
}

/** Ends the writing side: once drained, the reader reads end of file. */
function closeWriting(pipe: PipeBuffer): void {
  if (!pipe.writerClosed) pipe.closeWriting();
}

/** What every end has: a non-seekable stream of type UNKNOWN. */
export abstract class PipeEnd extends Resource {
  /**
   * WASI has no FIFO file type: Wasmer reports `Filetype::Unknown` for its
   * pipes (fd_fdstat_get and fd_filestat_get), and wasmtime reports a host
   * FIFO as UNKNOWN ("preview1 never had a FIFO code").
   */
  readonly filetype = FileType.UNKNOWN;

  override pread(_dst: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(_src: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  override seek(_offset: bigint, _whence: Whence): bigint { throw new WasiError(Errno.SPIPE); }
  override tell(): bigint { throw new WasiError(Errno.SPIPE); }
  override stat(): FileStat {
    return { dev: 0n, ino: 0n, filetype: FileType.UNKNOWN, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }
  override setSize(_size: number): void { throw new WasiError(Errno.INVAL); }
  override allocate(_offset: number, _len: number): void { throw new WasiError(Errno.SPIPE); }
  override advise(_offset: bigint, _len: bigint, _advice: Advice): void { throw new WasiError(Errno.SPIPE); }
  override sync(): void { throw new WasiError(Errno.INVAL); }
  override datasync(): void { throw new WasiError(Errno.INVAL); }

  /** The direction this end reads, and the one it writes (undefined: it does not). */
  protected abstract readonly reading: PipeBuffer | undefined;
  protected abstract readonly writing: PipeBuffer | undefined;

  /**
   * The shared-memory rings a guest thread may read and write this end
   * through itself (host/pipe-arena.ts): none for a direction whose bytes
   * live in the kernel alone, or whose side is closed.
   */
  directRings(): { read?: ArenaPipe; write?: ArenaPipe } {
    const read = this.reading?.readerClosed === false ? this.reading.shared : undefined;
    const write = this.writing?.writerClosed === false ? this.writing.shared : undefined;
    return { ...(read === undefined ? {} : { read }), ...(write === undefined ? {} : { write }) };
  }

  /** NONBLOCK is mirrored where guest threads read it. */
  override setFdflags(flags: number): void {
    super.setFdflags(flags);
    const on = (flags & FdFlags.NONBLOCK) !== 0;
    this.reading?.setNonblock(true, on);
    this.writing?.setNonblock(false, on);
  }
}

/** An end of a one-way pipe (the pipes `proc_spawn` gives a child's stdio). */
abstract class OneWayEnd extends PipeEnd {
  constructor(protected readonly pipe: PipeBuffer) { super(); }

  /** True once the read end closed. */
  get readerClosed(): boolean { return this.pipe.readerClosed; }
  /** True once the write end closed. */
  get writerClosed(): boolean { return this.pipe.writerClosed; }
  /** Bytes buffered in the pipe now. */
  get buffered(): number { return this.pipe.size; }
  /** The pipe's capacity in bytes. */
  get capacity(): number { return this.pipe.capacity; }
}

/** The read end of a one-way pipe. Writing to it is EBADF (the Resource default), as on Linux. */
export class PipeReader extends OneWayEnd {
  protected get reading(): PipeBuffer { return this.pipe; }
  protected get writing(): undefined { return undefined; }

  override read(dst: Uint8Array[]): number { return readFrom(this.pipe, dst); }
  override pollRead(): Readiness { return readReadiness(this.pipe); }
  /** The read end is never writable. */
  override pollWrite(): Readiness { return NOT_READY; }

  override close(): void {
    if (this.pipe.readerClosed) return;
    closeReading(this.pipe);
    dropFromEpollSets(this);
    this.pipe.notify();
  }
}

/** The write end of a one-way pipe. Reading from it is EBADF (the Resource default), as on Linux. */
export class PipeWriter extends OneWayEnd {
  protected get reading(): undefined { return undefined; }
  protected get writing(): PipeBuffer { return this.pipe; }

  override get waitsForRoom(): boolean { return true; }
  override get raisesSigpipe(): boolean { return true; }

  override write(src: Uint8Array[]): number { return writeTo(this.pipe, src); }
  /** The write end is never readable. */
  override pollRead(): Readiness { return NOT_READY; }
  override pollWrite(): Readiness { return writeReadiness(this.pipe); }

  override close(): void {
    if (this.pipe.writerClosed) return;
    closeWriting(this.pipe);
    dropFromEpollSets(this);
    this.pipe.notify();
  }
}

/**
 * An end of a two-way pipe (WASIX `fd_pipe`: "Pipes are bidirectional",
 * as Wasmer makes them): it reads what the other end writes and writes
 * what the other end reads, each direction a pipe of its own with the
 * one-way semantics above. Closing it ends both of its sides: the other
 * end reads end of file and its writes are EPIPE.
 */
export class DuplexPipeEnd extends PipeEnd {
  constructor(
    /** The direction this end reads. */
    private readonly inbound: PipeBuffer,
    /** The direction this end writes. */
    private readonly outbound: PipeBuffer,
  ) { super(); }

  override get waitsForRoom(): boolean { return true; }
  override get raisesSigpipe(): boolean { return true; }
  protected get reading(): PipeBuffer { return this.inbound; }
  protected get writing(): PipeBuffer { return this.outbound; }

  override read(dst: Uint8Array[]): number { return readFrom(this.inbound, dst); }
  override write(src: Uint8Array[]): number { return writeTo(this.outbound, src); }
  override pollRead(): Readiness { return readReadiness(this.inbound); }
  override pollWrite(): Readiness { return writeReadiness(this.outbound); }

  override close(): void {
    if (this.inbound.readerClosed) return;
    closeReading(this.inbound);
    closeWriting(this.outbound);
    dropFromEpollSets(this);
    this.outbound.wakeThreads();
    this.inbound.notify();
  }
}

/**
 * A new one-way pipe of `capacity` bytes: its read end and its write end.
 * `notify` (the process's readiness signal) is called after every change
 * that may let the other end go on. With an `arena` (the kernel's pipe
 * arena) the bytes live in one of its rings while one is free (the
 * capacity is then the arena's), else in the kernel.
 */
export function createPipe(notify: () => void, capacity = PIPE_CAPACITY, arena?: PipeArena): [PipeReader, PipeWriter] {
  const pipe = newBuffer(notify, capacity, arena);
  return [new PipeReader(pipe), new PipeWriter(pipe)];
}

/** A new two-way pipe (`capacity` bytes each way): its two ends. `notify` and `arena` as for `createPipe`. */
export function createDuplexPipe(notify: () => void, capacity = PIPE_CAPACITY, arena?: PipeArena): [DuplexPipeEnd, DuplexPipeEnd] {
  const there = newBuffer(notify, capacity, arena);
  const back = newBuffer(notify, capacity, arena);
  return [new DuplexPipeEnd(back, there), new DuplexPipeEnd(there, back)];
}

function newBuffer(notify: () => void, capacity: number, arena: PipeArena | undefined): PipeBuffer {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new WasiError(Errno.INVAL, `pipe capacity ${capacity}`);
  const ring = arena?.allocate();
  return ring === undefined ? new LocalPipeBuffer(capacity, notify) : new SharedPipeBuffer(ring, notify);
}

/** The largest write that must go in whole (PIPE_BUF, or the whole pipe when smaller). */
function atomicSize(pipe: PipeBuffer): number {
  return Math.min(PIPE_BUF, pipe.capacity);
}

function total(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}
