/**
 * Standard input and output as WHATWG streams (layer: host; the same on
 * Node and in browsers): a `ReadableStream` of bytes as a guest's input,
 * a `WritableStream` as its output.
 *
 * A ReadableStream answers later, so the guest must not wait for it on the
 * stream's own thread. Its input stream offers the kernel the non-blocking
 * trio (`tryRead` / `readiness` / `attach`): a kernel whose thread stays
 * free while the guest waits (a threaded process's, driven by its event
 * loop) waits on the readiness signal, which a chunk's arrival bumps; and
 * `readAsync`, which the host bridge awaits when the guest runs in a
 * process worker. `start()`, whose guest holds the thread, refuses it.
 */
import { FileType } from '../abi/constants.js';
import { Errno, WasiError } from '../abi/errno.js';
import type { InputStream, OutputStream, ReadinessNotifier, StreamReadiness } from './stdio.js';

/** Whether `v` is a ReadableStream (as far as standard input needs one). */
export function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as { getReader?: unknown }).getReader === 'function';
}

/** Whether `v` is a WritableStream (as far as standard output needs one). */
export function isWritableStream(v: unknown): v is WritableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as { getWriter?: unknown }).getWriter === 'function';
}

/** A guest's input from a ReadableStream of bytes (Uint8Array chunks); its end is the guest's end of input. */
export class ReadableStreamInput implements InputStream {
  /** UNKNOWN: the guest does not see a terminal. */
  readonly filetype = FileType.UNKNOWN;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #error: unknown;
  #reading: Promise<void> | undefined;
  #signal: ReadinessNotifier | undefined;

  /** Input read from `stream` (locked to this input from now on). */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Starts reading the next chunk, unless a read is under way or the stream ended. */
  #fill(): Promise<void> {
    if (this.#reading !== undefined) return this.#reading;
    if (this.#ended) return Promise.resolve();
    this.#reading = this.#reader.read().then(
      ({ done, value }) => {
        if (done) this.#ended = true;
        else if (value !== undefined && value.byteLength > 0) this.#chunks.push(value instanceof Uint8Array ? value : new Uint8Array(value));
      },
      (e: unknown) => {
        this.#error = e;
        this.#ended = true;
      },
    ).finally(() => {
      this.#reading = undefined;
      this.#signal?.notify();
    });
    return this.#reading;
  }

  #copy(dst: Uint8Array): number {
    let n = 0;
    while (n < dst.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const k = Math.min(chunk.byteLength, dst.byteLength - n);
      dst.set(chunk.subarray(0, k), n);
      n += k;
      if (k === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(k);
    }
    return n;
  }

  /** What has arrived (or the end, or the stream's failure as EIO), else 'again', having asked for more. */
  tryRead(dst: Uint8Array): number | 'again' {
    if (this.#chunks.length > 0) return this.#copy(dst);
    if (this.#error !== undefined) throw new WasiError(Errno.IO, `standard input's stream failed: ${String(this.#error)}`);
    if (this.#ended) return 0;
    void this.#fill();
    return 'again';
  }

  /** Whether a read would answer now; asks the stream for more when not. */
  readiness(): StreamReadiness {
    const nbytes = this.available();
    if (nbytes > 0 || this.#ended) return { ready: true, nbytes, hangup: this.#ended && nbytes === 0 };
    void this.#fill();
    return { ready: false, nbytes: 0, hangup: false };
  }

  /** The signal to bump when a chunk, the end or a failure arrives. */
  attach(signal: ReadinessNotifier): void {
    this.#signal = signal;
  }

  /** The bytes that arrived and were not read yet. */
  available(): number {
    let n = 0;
    for (const c of this.#chunks) n += c.byteLength;
    return n;
  }

  /** Waits for input (the host bridge's way, for a guest in a process worker). */
  async readAsync(dst: Uint8Array): Promise<number> {
    for (;;) {
      const r = this.tryRead(dst);
      if (r !== 'again') return r;
      await this.#fill();
    }
  }

  /** A synchronous read answers only what has arrived: waiting here would hold the thread the stream needs. */
  read(dst: Uint8Array): number {
    const r = this.tryRead(dst);
    if (r === 'again') throw new WasiError(Errno.AGAIN, 'standard input is a ReadableStream, which cannot be waited for on its own thread');
    return r;
  }

  /** The guest closed standard input: stop reading the stream. */
  close(): void {
    this.#ended = true;
    void this.#reader.cancel().catch(() => {});
  }
}

/** A guest's output to a WritableStream: each write becomes a chunk, in order. */
export class WritableStreamOutput implements OutputStream {
  /** UNKNOWN: the guest does not see a terminal. */
  readonly filetype = FileType.UNKNOWN;
  /** Small writes may be gathered (and always are delivered before the run ends). */
  readonly bufferable = true;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #error: unknown;

  /** Output written to `stream` (locked to this output from now on). */
  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }

  /** Queues a copy of `data` on the stream; fails with EIO once the stream has failed. */
  write(data: Uint8Array): number {
    if (this.#error !== undefined) throw new WasiError(Errno.IO, `the output stream failed: ${String(this.#error)}`);
    this.#writer.write(data.slice()).catch((e: unknown) => { this.#error ??= e; });
    return data.byteLength;
  }
}
