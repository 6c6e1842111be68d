/**
 * Pipe resources (layer: kernel): the two ends of an in-memory pipe (WASIX
 * `fd_pipe`, and pipes between processes of one kernel), over one bounded
 * ring buffer that both ends share.
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
import { FileType, type Advice, type Whence } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import { dropFromEpollSets } from './epoll-resource.js';
import { Resource, type Readiness } from './resource.js';

/** POSIX PIPE_BUF (Linux's value): writes up to this size are atomic. */
export const PIPE_BUF = 4096;

/** Linux's default pipe capacity (16 pages). */
export const PIPE_CAPACITY = 65536;

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };

/** The bytes in flight between the ends: a ring buffer, allocated on the first write. */
class PipeBuffer {
  #data: Uint8Array | undefined;
  /** Index of the oldest buffered byte. */
  #head = 0;
  #size = 0;
  readerClosed = false;
  writerClosed = false;

  constructor(readonly capacity: number, readonly notify: () => void) {}

  get size(): number { return this.#size; }
  get free(): number { return this.capacity - this.#size; }

  /** Moves up to `size` bytes into `dst` (iovecs in order); the number moved. */
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

  /** Copies up to `free` bytes from `src` (iovecs in order); the number copied. */
  put(src: readonly Uint8Array[]): number {
    const cap = this.capacity;
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

  /** Drops what is buffered and the memory (nobody will read it). */
  discard(): void {
    this.#data = undefined;
    this.#head = 0;
    this.#size = 0;
  }
}

/** What both ends have: a non-seekable stream of type UNKNOWN. */
abstract class PipeEnd extends Resource {
  /**
   * WASI has no FIFO file type: Wasmer reports `Filetype::Unknown` for its
   * pipes (fd_fdstat_get and fd_filestat_get), and wasmtime reports a host
   * FIFO as UNKNOWN ("preview1 never had a FIFO code").
   */
  readonly filetype = FileType.UNKNOWN;

  constructor(protected readonly pipe: PipeBuffer) { super(); }

  /** True once the read end closed. */
  get readerClosed(): boolean { return this.pipe.readerClosed; }
  /** True once the write end closed. */
  get writerClosed(): boolean { return this.pipe.writerClosed; }
  /** Bytes buffered in the pipe now. */
  get buffered(): number { return this.pipe.size; }
  /** The pipe's capacity in bytes. */
  get capacity(): number { return this.pipe.capacity; }

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
}

/** The read end of a pipe. Writing to it is EBADF (the Resource default), as on Linux. */
export class PipeReader extends PipeEnd {
  /**
   * What is buffered, up to `dst`'s size; 0 at end of file (every writer
   * closed, nothing buffered) or for an empty `dst`; EAGAIN when empty
   * while the writer is open.
   */
  override read(dst: Uint8Array[]): number {
    const pipe = this.pipe;
    if (pipe.readerClosed) throw new WasiError(Errno.BADF);
    if (total(dst) === 0) return 0;
    const n = pipe.take(dst);
    if (n > 0) {
      pipe.notify(); // room for a waiting writer
      return n;
    }
    if (pipe.writerClosed) return 0;
    throw new WasiError(Errno.AGAIN);
  }

  /** Ready with bytes buffered (`nbytes`), or at hangup (the writer closed). */
  override pollRead(): Readiness {
    const pipe = this.pipe;
    if (pipe.readerClosed) return NOT_READY;
    if (pipe.size > 0 || pipe.writerClosed) return { ready: true, nbytes: BigInt(pipe.size), hangup: pipe.writerClosed };
    return NOT_READY;
  }

  /** The read end is never writable. */
  override pollWrite(): Readiness { return NOT_READY; }

  /** Ends the read side: buffered bytes are dropped, and writing becomes EPIPE. */
  override close(): void {
    const pipe = this.pipe;
    if (pipe.readerClosed) return;
    pipe.readerClosed = true;
    pipe.discard();
    dropFromEpollSets(this);
    pipe.notify();
  }
}

/** The write end of a pipe. Reading from it is EBADF (the Resource default), as on Linux. */
export class PipeWriter extends PipeEnd {
  override get waitsForRoom(): boolean { return true; }
  override get raisesSigpipe(): boolean { return true; }

  /**
   * Buffers `src`: all of it when it is at most PIPE_BUF bytes (or EAGAIN),
   * else what fits (at least one byte, or EAGAIN when full). EPIPE when the
   * reader closed; 0 for an empty `src`.
   */
  override write(src: Uint8Array[]): number {
    const pipe = this.pipe;
    if (pipe.writerClosed) throw new WasiError(Errno.BADF);
    const want = total(src);
    if (want === 0) return 0;
    if (pipe.readerClosed) throw new WasiError(Errno.PIPE);
    const free = pipe.free;
    if (free === 0 || (want <= atomicSize(pipe) && want > free)) throw new WasiError(Errno.AGAIN);
    const n = pipe.put(src);
    pipe.notify(); // data for a waiting reader
    return n;
  }

  /** The write end is never readable. */
  override pollRead(): Readiness { return NOT_READY; }

  /**
   * Ready with at least PIPE_BUF bytes free (`nbytes`: the free space), or
   * at hangup (the reader closed: a write is EPIPE).
   */
  override pollWrite(): Readiness {
    const pipe = this.pipe;
    if (pipe.writerClosed) return NOT_READY;
    if (pipe.readerClosed) return { ready: true, nbytes: 0n, hangup: true };
    const free = pipe.free;
    return free >= atomicSize(pipe) ? { ready: true, nbytes: BigInt(free), hangup: false } : NOT_READY;
  }

  /** Ends the write side: once drained, the reader reads end of file. */
  override close(): void {
    const pipe = this.pipe;
    if (pipe.writerClosed) return;
    pipe.writerClosed = true;
    dropFromEpollSets(this);
    pipe.notify();
  }
}

/**
 * A new pipe of `capacity` bytes: its read end and its write end.
 * `notify` (the process's readiness signal) is called after every change
 * that may let the other end go on.
 */
export function createPipe(notify: () => void, capacity = PIPE_CAPACITY): [PipeReader, PipeWriter] {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new WasiError(Errno.INVAL, `pipe capacity ${capacity}`);
  const pipe = new PipeBuffer(capacity, notify);
  return [new PipeReader(pipe), new PipeWriter(pipe)];
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
