/**
 * Event resources (layer: kernel): an eventfd (WASIX `fd_event`), a 64-bit
 * counter that reads drain and writes add to, used to wake a thread or an
 * event loop.
 *
 * Follows Linux's eventfd(2):
 * - read: fewer than 8 bytes asked for (across the iovecs) is EINVAL; a
 *   counter of 0 is EAGAIN; otherwise 8 bytes, little-endian: the whole
 *   counter, which becomes 0, or in semaphore mode 1, taken off the counter;
 * - write: a buffer of fewer than 8 bytes is EINVAL, and so is the value
 *   0xffffffffffffffff; the value (the buffer's first 8 bytes) is added,
 *   unless the counter would pass 0xfffffffffffffffe: then EAGAIN. Linux's
 *   eventfd has a plain `write` (no `write_iter`), so `writev` hands it one
 *   iovec at a time, stopping at the first that is not taken whole (an
 *   iovec of other than 8 bytes) or fails; the bytes taken are returned,
 *   or the first iovec's error. This does the same;
 * - readable while the counter is above 0; writable while it is below
 *   0xfffffffffffffffe;
 * - pread and pwrite are ESPIPE, fsync and ftruncate EINVAL; seeking
 *   succeeds and stays at 0 (Linux's `noop_llseek`).
 * Linux's readv/writev of an empty vector return 0 before reaching the
 * eventfd; a kernel resource cannot tell it from read(2)/write(2) of 0
 * bytes, which are EINVAL, and answers EINVAL.
 *
 * Never blocks: EAGAIN is thrown and readiness tells when to try again;
 * every change calls `notify` (the process's readiness signal).
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, type Advice, type Whence } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import { dropFromEpollSets } from './epoll-resource.js';
import { Resource, type Readiness } from './resource.js';

/** The largest value the counter holds (2^64 - 2). */
export const EVENTFD_MAX = 0xfffffffffffffffen;

/** The value a write may never carry (2^64 - 1). */
const INVALID_VALUE = 0xffffffffffffffffn;

/** `eventfdflags` of typenames.witx (a u16), the flags of `fd_event`. */
export const EventFdFlags = {
  /** Reads take 1 off the counter instead of all of it (`$Semaphore`). */
  SEMAPHORE: 1 << 0,
} as const;

const NOT_READY: Readiness = { ready: false, nbytes: 0n, hangup: false };
const READY_8: Readiness = { ready: true, nbytes: 8n, hangup: false };

/** An eventfd. */
export class EventResource extends Resource {
  /**
   * WASI has no eventfd file type (and Wasmer reports `Filetype::Unknown`
   * for its event descriptors).
   */
  readonly filetype = FileType.UNKNOWN;
  #counter: bigint;
  readonly #notify: () => void;

  /**
   * A counter starting at `initial` (EINVAL outside 0 to EVENTFD_MAX);
   * `semaphore`: the EFD_SEMAPHORE mode; `notify`: the process's readiness
   * signal's notify, called after every change.
   */
  constructor(initial: bigint, readonly semaphore: boolean, notify: () => void) {
    super();
    if (initial < 0n || initial > EVENTFD_MAX) throw new WasiError(Errno.INVAL, `eventfd initial value ${initial}`);
    this.#counter = initial;
    this.#notify = notify;
  }

  /** The counter now. */
  get value(): bigint { return this.#counter; }

  /** 8 bytes: the counter (then 0), or 1 in semaphore mode (then one less). */
  override read(dst: Uint8Array[]): number {
    if (total(dst) < 8) throw new WasiError(Errno.INVAL);
    if (this.#counter === 0n) throw new WasiError(Errno.AGAIN);
    const value = this.semaphore ? 1n : this.#counter;
    this.#counter -= value;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    let at = 0;
    for (const buf of dst) {
      const n = Math.min(buf.byteLength, 8 - at);
      buf.set(bytes.subarray(at, at + n), 0);
      at += n;
      if (at === 8) break;
    }
    this.#notify(); // room for a waiting writer
    return 8;
  }

  /** Adds the value of each 8-byte iovec in turn (see the module comment); the bytes taken. */
  override write(src: Uint8Array[]): number {
    let done = 0;
    for (const buf of src) {
      if (done > 0 && buf.byteLength === 0) continue; // skipped once the writev loop is under way
      try {
        this.#add(buf);
      } catch (e) {
        if (done > 0) break;
        throw e;
      }
      done += 8;
      if (buf.byteLength !== 8) break;
    }
    if (done === 0) throw new WasiError(Errno.INVAL); // no iovec at all
    this.#notify(); // a count for a waiting reader
    return done;
  }

  /** Readable while the counter is above 0 (`nbytes`: the 8 a read returns). */
  override pollRead(): Readiness { return this.#counter > 0n ? READY_8 : NOT_READY; }

  /** Writable while the counter is below EVENTFD_MAX. */
  override pollWrite(): Readiness { return this.#counter < EVENTFD_MAX ? READY_8 : NOT_READY; }

  override pread(_dst: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(_src: Uint8Array[], _offset: number): number { throw new WasiError(Errno.SPIPE); }
  override seek(_offset: bigint, _whence: Whence): bigint { return 0n; }
  override tell(): bigint { return 0n; }
  override stat(): FileStat {
    return { dev: 0n, ino: 0n, filetype: FileType.UNKNOWN, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }
  override setSize(_size: number): void { throw new WasiError(Errno.INVAL); }
  override allocate(_offset: number, _len: number): void { throw new WasiError(Errno.NODEV); }
  override advise(_offset: bigint, _len: bigint, _advice: Advice): void {}
  override sync(): void { throw new WasiError(Errno.INVAL); }
  override datasync(): void { throw new WasiError(Errno.INVAL); }

  /** Leaves every epoll list; wakes whoever waits (their descriptor is gone). */
  override close(): void {
    dropFromEpollSets(this);
    this.#notify();
  }

  /** One eventfd_write of `buf`. */
  #add(buf: Uint8Array): void {
    if (buf.byteLength < 8) throw new WasiError(Errno.INVAL);
    const value = new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
    if (value === INVALID_VALUE) throw new WasiError(Errno.INVAL);
    if (this.#counter + value > EVENTFD_MAX) throw new WasiError(Errno.AGAIN);
    this.#counter += value;
  }
}

function total(bufs: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of bufs) n += b.byteLength;
  return n;
}
