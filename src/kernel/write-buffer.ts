/**
 * Write coalescing (layer: kernel). While a command runs, small writes to
 * a file or to non-terminal standard output are gathered in one buffer and
 * handed to the host in large pieces: a host write call costs far more
 * than a guest's 16-byte fd_write, and gathering them makes Kiln's write
 * path as fast as a native runtime's.
 *
 * What a guest can observe does not change: the buffer belongs to one
 * resource at a time and is flushed before any other syscall runs (the
 * syscall boundary calls `flushPendingWrites`), when another resource
 * writes, when it fills, and when the process exits or traps. A write
 * error the host reports at flush time is returned by that resource's next
 * write. Output to a terminal is never delayed.
 */

export interface BufferedWriter {
  /** Writes all of `data` to the host; `offset` is the one given with the first buffered byte. */
  flushBuffered(data: Uint8Array, offset: number): void;
  /** An error from a flush, reported by the next write. */
  deferredError: unknown;
}

const CAPACITY = 64 * 1024;
/** Writes at least this large go straight to the host. */
const DIRECT = 8 * 1024;

const buffer = new Uint8Array(CAPACITY);
let length = 0;
let owner: BufferedWriter | null = null;
let ownerOffset = 0;

/** Commands running with coalescing on (start() turns it on for its duration). */
let running = 0;

/** Runs `body` with coalescing on; everything is flushed when it ends, however it ends. */
export function withCoalescedWrites<T>(body: () => T): T {
  running++;
  try {
    return body();
  } finally {
    running--;
    flushPendingWrites();
  }
}

/** True while some resource has bytes waiting (a cheap check for the syscall boundary). */
export let writesPending = false;

/**
 * Buffers `data` for `writer`, to land at `offset` (file position, or 0 for
 * a stream); returns false when the caller should write it directly (large
 * data), after everything buffered has been flushed. Consecutive calls for
 * one writer must be contiguous; every other syscall flushes in between.
 */
export function bufferWrite(writer: BufferedWriter, data: Uint8Array, offset: number): boolean {
  const direct = running === 0 || data.byteLength >= DIRECT;
  // What is gathered lands first: before another writer's bytes, before bytes that do not fit, before a direct write.
  if (owner !== writer || direct || length + data.byteLength > CAPACITY) flushPendingWrites();
  if (direct) return false;
  if (length === 0) ownerOffset = offset;
  buffer.set(data, length);
  length += data.byteLength;
  owner = writer;
  writesPending = true;
  return true;
}

/** Hands everything buffered to its resource. Never throws. */
export function flushPendingWrites(): void {
  const w = owner;
  if (w === null) return;
  const n = length;
  owner = null;
  length = 0;
  writesPending = false;
  try {
    w.flushBuffered(buffer.subarray(0, n), ownerOffset);
  } catch (e) {
    w.deferredError = e;
  }
}

/** Rethrows (once) an error a previous flush of `writer` met. */
export function throwDeferred(writer: BufferedWriter): void {
  const e = writer.deferredError;
  if (e !== undefined) {
    writer.deferredError = undefined;
    throw e;
  }
}
