/**
 * Host file descriptors as Kiln streams (layer: host, Node only). Writes
 * are synchronous and complete, so nothing a guest wrote is lost when it
 * exits or traps. A descriptor Node left non-blocking (EAGAIN) is waited on
 * briefly in Atomics.wait rather than spun on.
 *
 * NodeFdInput reads synchronously: right for files and devices, which never
 * block. Pipes, sockets and terminals get a reader thread instead
 * (node-stdin.ts; `nodeInput` picks).
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { FileType } from '../../abi/constants.js';
import type { InputStream, OutputStream } from '../stdio.js';
import { sleepMs } from '../sleep.js';

/** The file type a guest sees for host descriptor `fd`. */
export function fileTypeOfFd(fd: number): FileType {
  if (tty.isatty(fd)) return FileType.CHARACTER_DEVICE;
  try {
    const s = fs.fstatSync(fd);
    if (s.isCharacterDevice()) return FileType.CHARACTER_DEVICE;
    if (s.isFile()) return FileType.REGULAR_FILE;
    if (s.isSocket()) return FileType.SOCKET_STREAM;
  } catch {
    // A closed descriptor: the guest sees an unknown stream that fails on use.
  }
  return FileType.UNKNOWN;
}

function isAgain(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'EAGAIN';
}

/** Output to a host file descriptor (synchronous writes, retried while the descriptor would block). */
export class NodeFdOutput implements OutputStream {
  /** What the guest sees: a terminal is CHARACTER_DEVICE, a file REGULAR_FILE, a pipe UNKNOWN. */
  readonly filetype: FileType;
  /** A terminal sees every write at once; files, pipes and devices may get them gathered. */
  readonly bufferable: boolean;
  /** Output to host descriptor `fd` (it stays open: Kiln never closes a host's descriptor). */
  constructor(
    /** The host file descriptor. */
    readonly fd: number,
  ) {
    this.filetype = fileTypeOfFd(fd);
    this.bufferable = !tty.isatty(fd);
  }

  get hostFd(): number { return this.fd; }

  write(data: Uint8Array): number {
    let at = 0;
    while (at < data.byteLength) {
      try {
        at += fs.writeSync(this.fd, data, at, data.byteLength - at);
      } catch (e) {
        if (!isAgain(e)) throw e;
        sleepMs(1);
      }
    }
    return data.byteLength;
  }
}

/** Input from a host file descriptor, read synchronously: right for files and devices, which never block. */
export class NodeFdInput implements InputStream {
  /** What the guest sees: a terminal is CHARACTER_DEVICE, a file REGULAR_FILE, a pipe UNKNOWN. */
  readonly filetype: FileType;
  /** Input from host descriptor `fd` (it stays open). */
  constructor(
    /** The host file descriptor. */
    readonly fd: number,
  ) {
    this.filetype = fileTypeOfFd(fd);
  }

  read(dst: Uint8Array): number {
    for (;;) {
      try {
        return fs.readSync(this.fd, dst, 0, dst.byteLength, null);
      } catch (e) {
        if (typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'EOF') return 0;
        if (!isAgain(e)) throw e;
        sleepMs(5);
      }
    }
  }
}
