/**
 * FileResource: an open regular file (layer: kernel). Keeps the file offset
 * itself and uses positional host I/O, so dup'd descriptors share it and
 * the append flag can change at any time (fd_fdstat_set_flags).
 */
import { Errno, WasiError } from '../abi/errno.js';
import { Advice, FdFlags, FileType, type Whence } from '../abi/constants.js';
import type { FileHandle, FileStat, TimeSpec } from '../host/fs/types.js';
import { Resource, seekTarget, type Readiness } from './resource.js';
import { bufferWrite, throwDeferred, type BufferedWriter } from './write-buffer.js';

export class FileResource extends Resource implements BufferedWriter {
  position = 0;
  deferredError: unknown = undefined;

  constructor(
    readonly handle: FileHandle,
    readonly filetype: FileType,
    fdflags: number,
  ) {
    super();
    this.fdflags = fdflags;
  }

  override read(dst: Uint8Array[]): number {
    const n = this.pread(dst, this.position);
    this.position += n;
    return n;
  }

  /** Writes all of `data` at `offset` (a host may write less than asked per call). */
  #writeAll(data: Uint8Array, offset: number): void {
    let at = 0;
    while (at < data.byteLength) at += this.handle.write(data.subarray(at), offset + at);
  }

  flushBuffered(data: Uint8Array, offset: number): void {
    this.#writeAll(data, offset);
  }

  override write(src: Uint8Array[]): number {
    throwDeferred(this);
    const append = (this.fdflags & FdFlags.APPEND) !== 0;
    let total = 0;
    for (const buf of src) {
      if (buf.byteLength === 0) continue;
      if (append) {
        this.position = this.handle.append(buf) + buf.byteLength;
      } else {
        // Only a regular file's writes are gathered: a device's answer (ENOSPC from /dev/full, a terminal's) is the write's own.
        if (this.filetype !== FileType.REGULAR_FILE || !bufferWrite(this, buf, this.position)) this.#writeAll(buf, this.position);
        this.position += buf.byteLength;
      }
      total += buf.byteLength;
    }
    return total;
  }

  override pread(dst: Uint8Array[], offset: number): number {
    let total = 0;
    let at = offset;
    for (const buf of dst) {
      if (buf.byteLength === 0) continue;
      const n = this.handle.read(buf, at);
      at += n;
      total += n;
      if (n < buf.byteLength) break;
    }
    return total;
  }

  override pwrite(src: Uint8Array[], offset: number): number {
    let total = 0;
    let at = offset;
    for (const buf of src) {
      if (buf.byteLength === 0) continue;
      const n = this.handle.write(buf, at);
      at += n;
      total += n;
      if (n < buf.byteLength) break;
    }
    return total;
  }

  override seek(offset: bigint, whence: Whence): bigint {
    const target = seekTarget(BigInt(this.position), () => this.handle.stat().size, offset, whence);
    this.position = Number(target);
    return target;
  }

  override tell(): bigint { return BigInt(this.position); }
  override stat(): FileStat { return this.handle.stat(); }
  override setSize(size: number): void { this.handle.setSize(size); }
  override setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.handle.setTimes(atim, mtim); }
  override allocate(offset: number, len: number): void { this.handle.allocate(offset, len); }

  override advise(_offset: bigint, _len: bigint, advice: Advice): void {
    // Advice is a hint; Node has no posix_fadvise. Validate and accept.
    if (advice < Advice.NORMAL || advice > Advice.NOREUSE) throw new WasiError(Errno.INVAL);
  }

  override sync(): void { this.handle.sync(); }
  override datasync(): void { this.handle.datasync(); }

  override pollRead(): Readiness {
    const size = this.handle.stat().size;
    const left = size - BigInt(this.position);
    return { ready: true, nbytes: left > 0n ? left : 0n, hangup: false };
  }

  override close(): void { this.handle.close(); }
}
