/**
 * Resource: what a descriptor refers to (layer: kernel) — an open file, a
 * directory, a stream, a socket. Preview 1 and WASIX both act on resources.
 *
 * The base class answers every operation with the errno a descriptor of
 * the wrong kind gets (safe defaults); each kind overrides what it supports.
 * Operations are non-blocking where the resource can block: they report
 * `WOULD_BLOCK` through readiness instead of waiting, and the blocking
 * semantics are built once, on top, by the kernel.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType, Whence, type Advice } from '../abi/constants.js';
import type { DirEntry, FileStat, TimeSpec } from '../host/fs/types.js';

/** Readiness of a resource for a poll subscription. */
export interface Readiness {
  ready: boolean;
  /** Bytes available to read (or space to write), when known. */
  nbytes: bigint;
  hangup: boolean;
}

export const READY_UNKNOWN_SIZE: Readiness = { ready: true, nbytes: 0n, hangup: false };

export abstract class Resource {
  abstract readonly filetype: FileType;
  /** File status flags (fdflags) of the open resource, shared by its descriptors. */
  fdflags = 0;

  read(_dst: Uint8Array[]): number { throw new WasiError(Errno.BADF); }
  write(_src: Uint8Array[]): number { throw new WasiError(Errno.BADF); }
  pread(_dst: Uint8Array[], _offset: number): number { throw new WasiError(Errno.BADF); }
  pwrite(_src: Uint8Array[], _offset: number): number { throw new WasiError(Errno.BADF); }
  seek(_offset: bigint, _whence: Whence): bigint { throw new WasiError(Errno.BADF); }
  tell(): bigint { throw new WasiError(Errno.BADF); }
  stat(): FileStat { throw new WasiError(Errno.BADF); }
  setSize(_size: number): void { throw new WasiError(Errno.BADF); }
  setTimes(_atim: TimeSpec, _mtim: TimeSpec): void { throw new WasiError(Errno.BADF); }
  allocate(_offset: number, _len: number): void { throw new WasiError(Errno.BADF); }
  advise(_offset: bigint, _len: bigint, _advice: Advice): void { throw new WasiError(Errno.BADF); }
  sync(): void { throw new WasiError(Errno.BADF); }
  datasync(): void { throw new WasiError(Errno.BADF); }
  /** Directory entries including `.` and `..`; NOTDIR for anything else. */
  readdir(): DirEntry[] { throw new WasiError(Errno.NOTDIR); }
  /** Changes fdflags; the resource decides which flags it can honour. */
  setFdflags(flags: number): void { this.fdflags = flags; }

  /** True for sockets: socket calls on anything else are ENOTSOCK, before any rights check. */
  get isSocket(): boolean { return false; }
  /**
   * True when a blocking `fd_write` waits for room until the resource took
   * all of it (pipes, sockets), where `write` answers EAGAIN when full.
   */
  get waitsForRoom(): boolean { return this.isSocket; }
  /** True when a write the reader is gone for raises SIGPIPE as well as failing with EPIPE (pipes). */
  get raisesSigpipe(): boolean { return false; }
  /** True for a listening socket: sock_accept on any other socket is EINVAL, as on Linux. */
  get isListening(): boolean { return false; }

  /** Accepts a connection on a listening socket; returns the connection. */
  accept(_fdflags: number): Resource { throw new WasiError(Errno.NOTSOCK); }
  /** Receives into `dst`; returns bytes received and roflags. */
  recv(_dst: Uint8Array[], _riflags: number): { size: number; roflags: number } { throw new WasiError(Errno.NOTSOCK); }
  send(_src: Uint8Array[]): number { throw new WasiError(Errno.NOTSOCK); }
  shutdown(_how: number): void { throw new WasiError(Errno.NOTSOCK); }

  pollRead(): Readiness { return READY_UNKNOWN_SIZE; }
  pollWrite(): Readiness { return READY_UNKNOWN_SIZE; }

  /** Releases host state. Called once, when the last descriptor closes. */
  close(): void {}
}

/** Computes a new offset for fd_seek; a result below zero is EINVAL. */
export function seekTarget(current: bigint, size: () => bigint, offset: bigint, whence: Whence): bigint {
  let base: bigint;
  switch (whence) {
    case Whence.SET: base = 0n; break;
    case Whence.CUR: base = current; break;
    case Whence.END: base = size(); break;
    default: throw new WasiError(Errno.INVAL);
  }
  const target = base + offset;
  if (target < 0n) throw new WasiError(Errno.INVAL);
  if (target > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError(Errno.OVERFLOW);
  return target;
}
