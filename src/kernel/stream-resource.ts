/**
 * Stream resources (layer: kernel): stdio and other non-seekable byte
 * streams over the host's InputStream / OutputStream.
 */
import { Errno, WasiError } from '../abi/errno.js';
import type { FileType } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import { Resource, type Readiness } from './resource.js';
import { bufferWrite, throwDeferred, type BufferedWriter } from './write-buffer.js';

function streamStat(filetype: FileType): FileStat {
  return { dev: 0n, ino: 0n, filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
}

abstract class StreamResource extends Resource {
  override pread(): number { throw new WasiError(Errno.SPIPE); }
  override pwrite(): number { throw new WasiError(Errno.SPIPE); }
  override seek(): bigint { throw new WasiError(Errno.SPIPE); }
  override tell(): bigint { throw new WasiError(Errno.SPIPE); }
  override stat(): FileStat { return streamStat(this.filetype); }
  override sync(): void {}
  override datasync(): void {}
  override advise(): void {}
}

export class OutputStreamResource extends StreamResource implements BufferedWriter {
  deferredError: unknown = undefined;

  constructor(readonly stream: OutputStream) { super(); }

  flushBuffered(data: Uint8Array): void {
    this.stream.write(data);
  }
  get filetype(): FileType { return this.stream.filetype; }

  override read(): number { throw new WasiError(Errno.BADF); }

  override write(src: Uint8Array[]): number {
    throwDeferred(this);
    let total = 0;
    for (const buf of src) {
      if (buf.byteLength === 0) continue;
      if (this.stream.bufferable === true && bufferWrite(this, buf, 0)) total += buf.byteLength;
      else total += this.stream.write(buf);
    }
    return total;
  }
}

export class InputStreamResource extends StreamResource {
  constructor(readonly stream: InputStream) { super(); }
  get filetype(): FileType { return this.stream.filetype; }

  override write(): number { throw new WasiError(Errno.BADF); }

  override read(dst: Uint8Array[]): number {
    let total = 0;
    for (const buf of dst) {
      if (buf.byteLength === 0) continue;
      const n = this.stream.read(buf);
      total += n;
      // Return what arrived rather than wait for more.
      if (n < buf.byteLength) break;
      if (this.stream.available?.() === 0) break;
    }
    return total;
  }

  override pollRead(): Readiness {
    const available = this.stream.available?.();
    return { ready: true, nbytes: BigInt(available ?? 0), hangup: false };
  }
}
