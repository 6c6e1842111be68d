/**
 * `wasi:io` (layer: syscalls): `error`, `poll` and `streams` for the
 * component host, over kernel resources.
 *
 * A stream reads from a `ByteSource` or writes to a `ByteSink`: a kernel
 * resource read or written as preview 1's `fd_read`/`fd_write` do (stdio,
 * pipes), or a file at an offset (`read-via-stream`). Sources and sinks
 * never wait; the blocking methods wait on the process's readiness signal
 * (`HostContext.waitUntil`), and so does `poll`: no spinning.
 *
 * An output stream accepts up to `OUTPUT_CAPACITY` bytes beyond what its
 * sink took (`check-write`), keeps them, and hands them on as the sink
 * takes them (`flush`, and every later call); `blocking-flush` waits until
 * none is left.
 *
 * The methods that wait are the ones jco suspends with JSPI (its list of
 * blocking WASI imports): each runs through `HostContext.blocking`, which
 * on a thread that must not block answers a promise and runs the method
 * again once it may go on, so each waits before it changes anything.
 */
import { Errno, errnoName } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { Resource } from '../../kernel/resource.js';
import { Parked } from '../../kernel/blocking.js';
import { bufferWrite, flushPendingWrites, throwDeferred, writesPending, type BufferedWriter } from '../../kernel/write-buffer.js';
import { errnoOrRethrow } from '../context.js';
import type { HeldResource, HostContext } from './host-context.js';
import { DISPOSE, fail, lengthOf, ResultError } from './values.js';

/** Bytes an output stream takes beyond what its sink took (what `check-write` offers at most). */
export const OUTPUT_CAPACITY = 64 * 1024;
/** The most one `blocking-write-and-flush` may carry (WASI's own limit). */
const BLOCKING_WRITE_MAX = 4096;
/** The most one read hands back. */
const READ_MAX = 256 * 1024;

/** `wasi:io/error.error`: what failed, for `to-debug-string` and `wasi:filesystem`'s `filesystem-error-code`. */
export class IoError {
  /**
   * @param errno What failed, as an errno.
   * @param detail Words for `to-debug-string`.
   * @param cause What was thrown (an interface may know more of it: `wasi:http`'s `http-error-code`).
   */
  constructor(readonly errno: number, readonly detail?: string, readonly cause?: unknown) {}

  toDebugString(): string {
    const name = `E${errnoName(this.errno)}`;
    return this.detail === undefined ? name : `${name}: ${this.detail}`;
  }
}

/** `wasi:io/streams.stream-error`. */
export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };

const CLOSED: StreamError = { tag: 'closed' };

/** The stream error for a failed source or sink call (EPIPE: the other end is gone, the stream is closed). */
function streamError(e: unknown): StreamError {
  const errno = errnoOrRethrow(e);
  return errno === Errno.PIPE ? CLOSED : { tag: 'last-operation-failed', val: new IoError(errno, e instanceof Error ? e.message : undefined, e) };
}

/** Where an input stream's bytes come from. Never waits. */
export interface ByteSource {
  /** Reads into `dst`: the count; 0 at the end; throws EAGAIN when nothing is there yet. */
  read(dst: Uint8Array): number;
  /** True when `read` would not answer EAGAIN. */
  ready(): boolean;
  /** The stream was dropped. */
  release(): void;
  /** When (monotonic ns) a source that waits with a time limit gives up: from then on it is ready, and a read fails. */
  deadlineNs?(): bigint | undefined;
}

/** Where an output stream's bytes go. Never waits. */
export interface ByteSink {
  /** Takes what it can of `src` now: the count; throws EAGAIN when nothing fits. */
  write(src: Uint8Array): number;
  /** True when `write` would take something. */
  ready(): boolean;
  /** The stream was dropped. */
  release(): void;
}

/** A resource read in order (stdin, a pipe), as `fd_read` reads it. */
export function resourceSource(held: HeldResource): ByteSource {
  const r = held.resource;
  return { read: (dst) => r.read([dst]), ready: () => r.pollRead().ready, release: () => held.release() };
}

/** A resource written in order (stdout, a pipe), as `fd_write` writes it. */
export function resourceSink(held: HeldResource): ByteSink {
  const r = held.resource;
  return { write: (src) => r.write([src]), ready: () => r.pollWrite().ready, release: () => held.release() };
}

/** A file read from `offset` on, whatever the descriptor's own position. */
export function fileSource(held: HeldResource, offset: bigint): ByteSource {
  let at = offset;
  const r = held.resource;
  return {
    read: (dst) => {
      const n = r.pread([dst], Number(at));
      at += BigInt(n);
      return n;
    },
    ready: () => true,
    release: () => held.release(),
  };
}

/**
 * A file written from `offset` on (`at: 'end'`: each write at the end, as
 * O_APPEND). Small positioned writes are gathered by the kernel's write
 * buffer (kernel/write-buffer.ts) while a command runs, as preview 1's
 * `fd_write` to a file is: the component host's calls flush them first
 * (write-boundary.ts), a failure to write them is this stream's next
 * write's error.
 */
export function fileSink(held: HeldResource, offset: bigint | 'end'): ByteSink {
  const r: Resource = held.resource;
  let at = offset === 'end' ? 0 : Number(offset);
  /** This stream's gathered bytes: one writer per stream, so another stream's write flushes them first. */
  const gathered: BufferedWriter = {
    deferredError: undefined,
    flushBuffered: (data, where) => {
      for (let done = 0; done < data.length;) done += r.pwrite([data.subarray(done)], where + done);
    },
  };
  return {
    write: (src) => {
      throwDeferred(gathered);
      if (offset !== 'end' && bufferWrite(gathered, src, at)) {
        at += src.length;
        return src.length;
      }
      // The end of the file is where it is once everything gathered is written.
      if (writesPending) flushPendingWrites();
      const where = offset === 'end' ? Number(r.stat().size) : at;
      const n = r.pwrite([src], where);
      at = where + n;
      return n;
    },
    ready: () => true,
    release: () => {
      if (writesPending) flushPendingWrites();
      held.release();
    },
  };
}

/**
 * `wasi:io/poll.pollable`: ready when its condition holds, or once its
 * deadline (monotonic ns; a function when it moves, as a time limit that
 * starts again) passed.
 */
export class Pollable {
  constructor(
    readonly ctx: HostContext,
    readonly condition: () => boolean,
    readonly deadline?: bigint | (() => bigint | undefined),
  ) {}

  /** The deadline now, if any. */
  get deadlineNs(): bigint | undefined {
    return typeof this.deadline === 'function' ? this.deadline() : this.deadline;
  }

  ready(): boolean {
    const deadline = this.deadlineNs;
    return (deadline !== undefined && this.ctx.monotonicNs() >= deadline) || this.condition();
  }

  block(): void | Promise<void> {
    return this.ctx.blocking(() => {
      this.ctx.waitUntil(() => (this.ready() ? true : undefined), () => this.#wakeIn());
    });
  }

  /** Milliseconds until the deadline (Infinity without one). */
  #wakeIn(): number {
    return msUntil(this.ctx, this.deadlineNs);
  }

  /** Milliseconds until any of `list` may be ready by its deadline. */
  static wakeIn(list: readonly Pollable[]): number {
    let ms = Infinity;
    for (const p of list) ms = Math.min(ms, p.#wakeIn());
    return ms;
  }
}

/** Milliseconds from now until `deadlineNs` on `ctx`'s monotonic clock (Infinity without one). */
function msUntil(ctx: HostContext, deadlineNs: bigint | undefined): number {
  if (deadlineNs === undefined) return Infinity;
  return Math.max(0, Number(deadlineNs - ctx.monotonicNs()) / 1e6);
}

/** A pollable that is always ready. */
export function readyPollable(ctx: HostContext): Pollable {
  return new Pollable(ctx, () => true);
}

/** `wasi:io/poll.poll`: the indices of the ready pollables, waiting until one is. */
export function poll(ctx: HostContext, list: readonly Pollable[]): Uint32Array | Promise<Uint32Array> {
  if (list.length === 0) throw new Error('wasi:io/poll.poll: the list of pollables is empty');
  return ctx.blocking(() => ctx.waitUntil(() => {
    const ready: number[] = [];
    list.forEach((p, i) => { if (p.ready()) ready.push(i); });
    return ready.length > 0 ? Uint32Array.from(ready) : undefined;
  }, () => Pollable.wakeIn(list)));
}

/** `wasi:io/streams.input-stream`. */
export class InputStream {
  #ended = false;
  #released = false;

  constructor(readonly ctx: HostContext, readonly source: ByteSource) {}

  /** `read`: replayable where the process has asynchronous filesystems (HostContext.blocking), so a file's stream can suspend under JSPI. */
  read(len: bigint): Uint8Array | Promise<Uint8Array> {
    return this.ctx.blocking(() => this.readNow(len));
  }

  /** One read now (for a caller already inside `HostContext.blocking`). */
  readNow(len: bigint): Uint8Array {
    if (this.#ended) fail(CLOSED);
    const want = lengthOf(len, READ_MAX);
    if (want === 0) return new Uint8Array(0);
    const buf = new Uint8Array(want);
    let n: number;
    try {
      n = this.source.read(buf);
    } catch (e) {
      if (errnoOf(e) === Errno.AGAIN) return new Uint8Array(0);
      fail(streamError(e));
    }
    if (n === 0) {
      this.#ended = true;
      fail(CLOSED);
    }
    return n === want ? buf : buf.slice(0, n);
  }

  blockingRead(len: bigint): Uint8Array | Promise<Uint8Array> {
    return this.ctx.blocking(() => this.readWhenReady(len));
  }

  /** `blocking-read` as one run: waits (or parks) until a read would not come back empty, then reads. */
  readWhenReady(len: bigint): Uint8Array {
    this.#waitReadable();
    return this.readNow(len);
  }

  skip(len: bigint): bigint | Promise<bigint> {
    return this.ctx.blocking(() => BigInt(this.readNow(len).length));
  }

  blockingSkip(len: bigint): bigint | Promise<bigint> {
    return this.ctx.blocking(() => BigInt(this.readWhenReady(len).length));
  }

  subscribe(): Pollable {
    return new Pollable(this.ctx, () => this.#readable(), this.source.deadlineNs === undefined ? undefined : () => this.source.deadlineNs!());
  }

  /** True when a read would not come back empty: bytes, the end, or an error. */
  #readable(): boolean {
    try {
      return this.#ended || this.source.ready();
    } catch {
      return true;
    }
  }

  #waitReadable(): void {
    if (!this.#readable()) this.ctx.waitUntil(() => (this.#readable() ? true : undefined), () => msUntil(this.ctx, this.source.deadlineNs?.()));
  }

  [DISPOSE](): void {
    if (this.#released) return;
    this.#released = true;
    this.source.release();
  }
}

/** `wasi:io/streams.output-stream`. */
export class OutputStream {
  /** Bytes written and not yet taken by the sink, in order. */
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #error: StreamError | undefined;
  #released = false;
  /** The contents a `blocking-write-and-flush` wrote and is still flushing (when it is run again, it only flushes). */
  #flushing: Uint8Array | undefined;

  constructor(readonly ctx: HostContext, readonly sink: ByteSink) {}

  // check-write, write, flush, write-zeroes and splice may meet an asynchronous filesystem (a file opened
  // for appending asks its size): replayable through HostContext.blocking, each over a `...Now` form that
  // the methods already inside it call.

  checkWrite(): bigint | Promise<bigint> {
    return this.ctx.blocking(() => this.#checkWriteNow());
  }

  #checkWriteNow(): bigint {
    this.#push();
    if (this.#error !== undefined) this.#raise();
    return BigInt(OUTPUT_CAPACITY - this.#pendingBytes);
  }

  write(contents: Uint8Array): void | Promise<void> {
    return this.ctx.blocking(() => this.#writeNow(contents));
  }

  #writeNow(contents: Uint8Array): void {
    this.#push();
    if (this.#error !== undefined) this.#raise();
    if (contents.length > OUTPUT_CAPACITY - this.#pendingBytes) {
      throw new Error(`wasi:io/streams.output-stream.write: ${contents.length} bytes, more than check-write allowed`);
    }
    if (contents.length === 0) return;
    // Behind nothing else, the sink takes what it can at once; the rest is kept (a copy: `contents` may be a view the caller reuses).
    const taken = this.#pendingBytes === 0 ? this.#take(contents) : 0;
    if (taken === contents.length || this.#error !== undefined) return;
    this.#pending.push(contents.slice(taken));
    this.#pendingBytes += contents.length - taken;
    this.#push();
  }

  blockingWriteAndFlush(contents: Uint8Array): void | Promise<void> {
    if (contents.length > BLOCKING_WRITE_MAX) {
      throw new Error(`wasi:io/streams.output-stream.blocking-write-and-flush: ${contents.length} bytes, more than ${BLOCKING_WRITE_MAX}`);
    }
    if (this.#pendingBytes === 0 && this.#error === undefined && this.#flushing === undefined && this.ctx.session === undefined) {
      // Nothing waiting: straight to the sink, and only what it does not take now waits to be flushed.
      const taken = this.#take(contents);
      if (taken === contents.length) return;
      if (this.#error === undefined) {
        this.#pending.push(contents.slice(taken));
        this.#pendingBytes = contents.length - taken;
      }
      return this.ctx.blocking(() => this.#flushNow());
    }
    return this.ctx.blocking(() => {
      // Room for all of it (at most 4096 bytes of the 64 KiB), then the write, once, then the flush.
      if (this.#flushing !== contents) {
        this.#waitForRoom(contents.length);
        this.#writeNow(contents);
        this.#flushing = contents;
      }
      try {
        this.#flushNow();
      } catch (e) {
        if (!(e instanceof Parked)) this.#flushing = undefined;
        throw e;
      }
      this.#flushing = undefined;
    });
  }

  flush(): void | Promise<void> {
    return this.ctx.blocking(() => {
      this.#push();
      if (this.#error !== undefined) this.#raise();
    });
  }

  blockingFlush(): void | Promise<void> {
    return this.ctx.blocking(() => this.#flushNow());
  }

  /** `blocking-flush` as one run: waits (or parks) until nothing is pending. */
  #flushNow(): void {
    this.ctx.waitUntil(() => {
      this.#push();
      return this.#pendingBytes === 0 || this.#error !== undefined ? true : undefined;
    });
    if (this.#error !== undefined) this.#raise();
  }

  subscribe(): Pollable {
    return new Pollable(this.ctx, () => {
      this.#push();
      return this.#error !== undefined || this.#pendingBytes < OUTPUT_CAPACITY;
    });
  }

  writeZeroes(len: bigint): void | Promise<void> {
    const zeroes = new Uint8Array(lengthOf(len, OUTPUT_CAPACITY + 1));
    return this.ctx.blocking(() => this.#writeNow(zeroes));
  }

  blockingWriteZeroesAndFlush(len: bigint): void | Promise<void> {
    return this.blockingWriteAndFlush(new Uint8Array(lengthOf(len, BLOCKING_WRITE_MAX + 1)));
  }

  splice(src: InputStream, len: bigint): bigint | Promise<bigint> {
    return this.ctx.blocking(() => {
      const room = this.#checkWriteNow();
      const data = src.readNow(len < room ? len : room);
      this.#writeNow(data);
      return BigInt(data.length);
    });
  }

  blockingSplice(src: InputStream, len: bigint): bigint | Promise<bigint> {
    return this.ctx.blocking(() => {
      // Both waits come before anything moves: room here, then bytes there.
      const room = this.#waitForRoom(1);
      const data = src.readWhenReady(len < room ? len : room);
      this.#writeNow(data);
      return BigInt(data.length);
    });
  }

  [DISPOSE](): void {
    if (this.#released) return;
    this.#released = true;
    // What was written is handed on before the stream goes (as a close flushes).
    try {
      this.#flushNow();
    } catch (e) {
      if (e instanceof Parked) {
        // A thread that must not block: the rest is handed on as the sink takes it.
        void Promise.resolve(this.ctx.blocking(() => this.#flushNow())).catch(() => undefined).finally(() => this.sink.release());
        return;
      }
      if (!(e instanceof ResultError)) throw e;
    }
    this.sink.release();
  }

  /** Waits until `check-write` offers room for `bytes`; returns the room. */
  #waitForRoom(bytes: number): bigint {
    const room = this.#checkWriteNow();
    if (room >= BigInt(bytes)) return room;
    this.ctx.waitUntil(() => {
      this.#push();
      return this.#error !== undefined || OUTPUT_CAPACITY - this.#pendingBytes >= bytes ? true : undefined;
    });
    return this.#checkWriteNow();
  }

  /** What the sink takes of `bytes` now: 0 when it has no room (EAGAIN) or fails (the failure kept as the stream's error). */
  #take(bytes: Uint8Array): number {
    try {
      return this.sink.write(bytes);
    } catch (e) {
      if (errnoOf(e) !== Errno.AGAIN) this.#error = streamError(e);
      return 0;
    }
  }

  /** Hands pending bytes to the sink while it takes them. */
  #push(): void {
    while (this.#pendingBytes > 0 && this.#error === undefined) {
      const head = this.#pending[0]!;
      const n = this.#take(head);
      if (n === 0) return;
      this.#pendingBytes -= n;
      if (n < head.length) this.#pending[0] = head.subarray(n);
      else this.#pending.shift();
    }
  }

  #raise(): never {
    const error = this.#error!;
    // A failure is reported once; after it the stream is closed.
    this.#error = CLOSED;
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    return fail(error);
  }
}
