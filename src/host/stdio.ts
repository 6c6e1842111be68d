/**
 * Standard streams (layer: host): the interfaces the kernel's stdio
 * descriptors use, and host-neutral implementations (capture to memory,
 * callbacks, a fixed input). Node's file-descriptor streams live in
 * `host/node/`.
 */
import { FileType } from '../abi/constants.js';

/**
 * Where a guest's output goes: anything with `filetype` and a synchronous
 * `write`. Kiln provides `CaptureStream`, `CallbackStream`, `NullStream`,
 * `NodeFdOutput` (Node) and `ConsoleStream` (browsers).
 */
export interface OutputStream {
  /** The file type the guest sees (CHARACTER_DEVICE for a terminal). */
  readonly filetype: FileType;
  /** Writes all of `data` (synchronously); returns the count written. */
  write(data: Uint8Array): number;
  /**
   * True when Kiln may gather small writes before handing them over (see
   * kernel/write-buffer.ts): not for terminals or live consumers.
   */
  readonly bufferable?: boolean;
  /**
   * The OS descriptor behind the stream, when writing to it from any thread
   * is the same as writing through the stream: threads of a threaded
   * process then write to it directly (docs/architecture.md, "Threads").
   */
  readonly hostFd?: number;
  /**
   * Delivers whatever the stream still holds back (a console stream's
   * unfinished last line). Called when the guest's last descriptor on the
   * stream closes, which includes the end of the process.
   */
  flush?(): void;
}

/** Receives one line per system call, e.g. `path_open(fd=3, ...) = NOENT` (`--trace`, the `trace` option). */
export type TraceSink = (line: string) => void;

/**
 * What an input stream bumps when data, end of input or an error arrives:
 * the process's ReadinessSignal (kernel/readiness-signal.ts), typed here by
 * shape so the host layer does not reach up into the kernel. `cell` is an
 * Int32Array of length 1 over a SharedArrayBuffer, so another thread (a
 * stdin reader) can bump it too.
 */
export interface ReadinessNotifier {
  /** The shared counter (an Int32Array of length 1 over a SharedArrayBuffer). */
  readonly cell: Int32Array;
  /** Bumps the counter and wakes whoever waits on it. */
  notify(): void;
}

/** Read readiness of a stream, as poll_oneoff reports it. */
export interface StreamReadiness {
  /** A read now will not block. */
  ready: boolean;
  /** Bytes that can be read now without blocking. */
  nbytes: number;
  /** End of input (or a failure) reached: reads return what is left, then 0 (or the error). */
  hangup: boolean;
}

/**
 * An input stream. The synchronous `read` is all a stream must have: files,
 * `/dev/null` and fixed buffers answer at once. A stream whose data arrives
 * asynchronously (a pipe, socket or terminal read by another thread) also
 * offers the non-blocking trio `tryRead` / `readiness` / `attach`, and the
 * kernel then never calls `read` on the guest's behalf: it waits on the
 * process's readiness signal (kernel/blocking.ts) instead.
 */
export interface InputStream {
  /** The file type the guest sees (CHARACTER_DEVICE for a terminal). */
  readonly filetype: FileType;
  /** Reads into `dst`; 0 means end of input. May block. */
  read(dst: Uint8Array): number;
  /** Bytes known to be available now without blocking, or undefined when unknown. */
  available?(): number | undefined;
  /**
   * Non-blocking read: the bytes copied into `dst` (0 = end of input), or
   * 'again' when nothing has arrived yet. Throws (a WasiError or a host
   * error) for a failure, once the bytes that came before it are read.
   */
  tryRead?(dst: Uint8Array): number | 'again';
  /** Whether a read would block now; asking may start the stream's reader. */
  readiness?(): StreamReadiness;
  /** Gives the stream the signal to bump whenever data, end of input or an error arrives. */
  attach?(signal: ReadinessNotifier): void;
  /** The guest closed its last descriptor on the stream: stop reading the host (never closes a host descriptor). */
  close?(): void;
  /**
   * A read that may wait, for a stream on another thread than the kernel
   * that reads it: the host bridge awaits it (a guest in a process worker
   * reading an input stream of the caller's thread) instead of `read`.
   */
  readAsync?(dst: Uint8Array): Promise<number>;
}

/**
 * Collects everything written, in memory: what `WasiBuilder.stdout('capture')`
 * uses, and handy for tests. Read it back with `bytes()` or `text()` at
 * any time (during a run, what the guest has written so far).
 */
export class CaptureStream implements OutputStream {
  /** UNKNOWN: the guest does not see a terminal. */
  readonly filetype = FileType.UNKNOWN;
  /** True: small writes may be gathered before they reach the stream. */
  readonly bufferable = true;
  #chunks: Uint8Array[] = [];
  #length = 0;

  /** Keeps a copy of `data`; returns its length. */
  write(data: Uint8Array): number {
    this.#chunks.push(data.slice());
    this.#length += data.byteLength;
    return data.byteLength;
  }

  /** Everything written so far, as one byte array (a view kept by the stream: copy it before changing it). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) { out.set(c, at); at += c.byteLength; }
    this.#chunks = [out];
    return out;
  }

  /**
   * Everything written so far, decoded as UTF-8 (invalid sequences become
   * U+FFFD). A multi-byte character split across writes decodes whole,
   * since all bytes are decoded together.
   */
  text(): string { return new TextDecoder().decode(this.bytes()); }
}

/**
 * Hands each write to a callback, as it happens (a copy of the bytes, so
 * the callback may keep it). What `WasiBuilder.stdout(fn)` and a function
 * given as a waPC engine's `wasi.stdout` become.
 */
export class CallbackStream implements OutputStream {
  /** UNKNOWN: the guest does not see a terminal. */
  readonly filetype = FileType.UNKNOWN;
  /**
   * A stream that calls `onData` for each write.
   *
   * @param onData Receives each write's bytes; what it throws fails the
   *   guest's write (EIO).
   */
  constructor(readonly onData: (data: Uint8Array) => void) {}
  /** Passes a copy of `data` to `onData`; returns its length. */
  write(data: Uint8Array): number {
    this.onData(data.slice());
    return data.byteLength;
  }
}

/** Discards output and gives end of input at once (like /dev/null). */
export class NullStream implements OutputStream, InputStream {
  /** CHARACTER_DEVICE, as /dev/null. */
  readonly filetype = FileType.CHARACTER_DEVICE;
  /** True: nothing is lost by gathering writes. */
  readonly bufferable = true;
  /** Discards `data`; returns its length. */
  write(data: Uint8Array): number { return data.byteLength; }
  /** End of input: always 0. */
  read(): number { return 0; }
  /** Nothing to read: always 0. */
  available(): number { return 0; }
}

/** Input from a fixed buffer or string, then end of input. */
export class BufferInputStream implements InputStream {
  /** UNKNOWN: the guest does not see a terminal. */
  readonly filetype = FileType.UNKNOWN;
  #data: Uint8Array;
  #at = 0;
  /**
   * Input that is `data`, then end of input.
   *
   * @param data The whole input: bytes, or text (read as UTF-8).
   */
  constructor(data: Uint8Array | string) {
    this.#data = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  }
  /** Copies the next bytes into `dst`; 0 once everything was read. */
  read(dst: Uint8Array): number {
    const n = Math.min(dst.byteLength, this.#data.byteLength - this.#at);
    dst.set(this.#data.subarray(this.#at, this.#at + n));
    this.#at += n;
    return n;
  }
  /** The bytes not read yet. */
  available(): number { return this.#data.byteLength - this.#at; }
}
