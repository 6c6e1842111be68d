/**
 * Stream resources (layer: kernel): stdio and other non-seekable byte
 * streams over the host's InputStream / OutputStream.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import type { FileStat } from '../host/fs/types.js';
import type { InputStream, OutputStream, ReadinessNotifier } from '../host/stdio.js';
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

  /** The guest's last descriptor on the stream closed (or the process ended): nothing may stay held back. */
  override close(): void { this.stream.flush?.(); }

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

/**
 * An input stream as a descriptor. Never waits itself: a stream with
 * `tryRead` (data arriving from another thread) answers EAGAIN when nothing
 * has arrived, and the syscall layer waits on the process's readiness signal
 * (syscalls/blocking-io.ts). A stream without it (a file, `/dev/null`, a
 * fixed buffer) is read synchronously and is always ready.
 */
export class InputStreamResource extends StreamResource {
  #attached: ReadinessNotifier | undefined;

  /** `readiness`: the process's signal, which the stream bumps when input arrives. */
  constructor(readonly stream: InputStream, readiness?: ReadinessNotifier) {
    super();
    if (readiness !== undefined) this.attach(readiness);
  }

  get filetype(): FileType { return this.stream.filetype; }

  /** Hands the process's readiness signal to the stream (idempotent). */
  attach(readiness: ReadinessNotifier): void {
    if (this.#attached === readiness) return;
    this.#attached = readiness;
    this.stream.attach?.(readiness);
  }

  override write(): number { throw new WasiError(Errno.BADF); }

  override read(dst: Uint8Array[]): number {
    const s = this.stream;
    let total = 0;
    for (const buf of dst) {
      if (buf.byteLength === 0) continue;
      if (s.tryRead !== undefined) {
        let n: number | 'again';
        try {
          n = s.tryRead(buf);
        } catch (e) {
          if (total > 0) break; // the failure is reported by the next read
          throw e;
        }
        if (n === 'again') {
          if (total > 0) break;
          throw new WasiError(Errno.AGAIN);
        }
        total += n;
        // Return what arrived rather than wait for more.
        if (n < buf.byteLength || s.readiness?.().nbytes === 0) break;
        continue;
      }
      const n = s.read(buf);
      total += n;
      if (n < buf.byteLength) break;
      if (s.available?.() === 0) break;
    }
    return total;
  }

  override pollRead(): Readiness {
    const r = this.stream.readiness?.();
    if (r !== undefined) return { ready: r.ready, nbytes: BigInt(r.nbytes), hangup: r.hangup };
    const available = this.stream.available?.();
    return { ready: true, nbytes: BigInt(available ?? 0), hangup: false };
  }

  override close(): void { this.stream.close?.(); }
}

/**
 * `/dev/tty`: the terminal the process's first program started on, as a
 * descriptor that reads what its standard input read and writes where its
 * standard output wrote (kernel/devices.ts). Closing it closes neither.
 */
export class TerminalResource extends StreamResource {
  constructor(readonly input: InputStreamResource, readonly output: OutputStreamResource) { super(); }

  get filetype(): FileType { return FileType.CHARACTER_DEVICE; }
  override read(dst: Uint8Array[]): number { return this.input.read(dst); }
  override pollRead(): Readiness { return this.input.pollRead(); }
  override write(src: Uint8Array[]): number { return this.output.write(src); }
  override pollWrite(): Readiness { return this.output.pollWrite(); }
  override close(): void {}
}
