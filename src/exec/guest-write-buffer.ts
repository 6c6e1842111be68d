/**
 * Write coalescing on a threaded process's main thread (layer: execution,
 * platform-neutral): the counterpart of kernel/write-buffer.ts for a guest
 * whose thread writes to host descriptors itself (the direct-write map of
 * exec/channel.ts). A host write call costs microseconds; a guest's
 * 16-byte `fd_write` should not.
 *
 * While the process has one thread, small writes to a descriptor the map
 * marks bufferable (a file or pipe, never a terminal) are gathered in a
 * shared buffer, as records (host descriptor, length, bytes), and written
 * in order when the thread makes any call through the kernel or on its
 * own thread, when the buffer fills, and when the thread's entry returns
 * or traps. Every observable order is kept: output and every other call
 * of the thread stay in program order, and another thread or process can
 * only learn of a write through a call. A second thread turns coalescing
 * off for the rest of the process (the kernel clears ENABLED before the
 * thread starts), since threads may order their writes through memory
 * alone. The buffer is shared so that nothing written is lost when the
 * thread is terminated (a kill, a time limit): the kernel drains it then
 * (`drainGuestWrites`).
 */

/** Writes all of `data` to a host descriptor, synchronously; throws on failure. */
export type HostWrite = (hostFd: number, data: Uint8Array) => void;

/** ENABLED: 1 while coalescing is on; LENGTH: bytes of whole records; START: where the records not yet written begin. */
const enum Cell { ENABLED = 0, LENGTH = 1, START = 2 }
const HEADER_BYTES = 12;
const RECORD_HEADER = 8;
/** Bytes gathered at most before they are written. */
const CAPACITY = 64 * 1024;
/** Writes at least this large go straight to the host (after what is gathered). */
const DIRECT = 8 * 1024;

/** A new coalescing buffer, on. */
export function createGuestWriteBuffer(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(HEADER_BYTES + CAPACITY);
  Atomics.store(new Int32Array(buffer, 0, 3), Cell.ENABLED, 1);
  return buffer;
}

/** Turns coalescing off for good (kernel side: a second thread is about to start). */
export function stopCoalescing(buffer: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(buffer, 0, 3), Cell.ENABLED, 0);
}

/**
 * Writes the records of `buffer` from START to LENGTH through `write`,
 * moving START past each one written, then empties it; `write` failing
 * throws, with START at the record that failed.
 */
function writeRecords(buffer: SharedArrayBuffer, write: HostWrite): void {
  const cells = new Int32Array(buffer, 0, 3);
  const view = new DataView(buffer, HEADER_BYTES);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  const length = Atomics.load(cells, Cell.LENGTH);
  for (let at = Atomics.load(cells, Cell.START); at < length;) {
    // The records in a row for one descriptor, joined: one host write.
    const host = view.getInt32(at, true);
    let end = at;
    let joined = 0;
    while (end < length && view.getInt32(end, true) === host) {
      const n = view.getUint32(end + 4, true);
      scratch.set(bytes.subarray(end + RECORD_HEADER, end + RECORD_HEADER + n), joined);
      joined += n;
      end += RECORD_HEADER + n;
    }
    write(host, scratch.subarray(0, joined));
    at = end;
    Atomics.store(cells, Cell.START, at);
  }
  emptyBuffer(buffer);
}

/** Where records for one descriptor are joined (each thread writes its own buffer only, one at a time). */
const scratch = new Uint8Array(CAPACITY);

/**
 * Kernel side, once the thread that filled `buffer` is stopped: writes
 * what it left, from where its own writing stopped (only whole records
 * count: LENGTH moves after each).
 */
export function drainGuestWrites(buffer: SharedArrayBuffer, write: HostWrite): void {
  if (Atomics.load(new Int32Array(buffer, 0, 3), Cell.LENGTH) === 0) return;
  try {
    writeRecords(buffer, write);
  } catch { /* the descriptor failed: the thread is gone, nobody to tell */ }
  emptyBuffer(buffer);
}

/** Empties `buffer` (what it held is dropped). */
function emptyBuffer(buffer: SharedArrayBuffer): void {
  const cells = new Int32Array(buffer, 0, 3);
  Atomics.store(cells, Cell.LENGTH, 0);
  Atomics.store(cells, Cell.START, 0);
}

/** The guest thread's side. */
export class GuestWriteBuffer {
  readonly #buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  /** What this thread put in (only this thread adds; the kernel empties it once the thread stopped). */
  #length = 0;
  /** A flush failed: from now on every write goes through the kernel, which answers its errno. */
  #failed = false;
  /** Where the record `reserve` made room for ends. */
  #reserved = 0;

  constructor(buffer: SharedArrayBuffer, readonly write: HostWrite) {
    this.#buffer = buffer;
    this.#cells = new Int32Array(buffer, 0, 3);
    this.#view = new DataView(buffer, HEADER_BYTES);
    this.#bytes = new Uint8Array(buffer, HEADER_BYTES);
  }

  /** True while bytes wait to be written (check before any call). */
  get pending(): boolean { return this.#length > 0; }

  /**
   * Room for a write of `total` bytes to host descriptor `host`: the offset
   * in `bytes` to copy them to, then `commit()`; or -1 when the caller must
   * write them itself (coalescing is off, they are large, or a flush
   * failed), after what was gathered is written.
   */
  reserve(host: number, total: number): number {
    if (this.#failed || total >= DIRECT || Atomics.load(this.#cells, Cell.ENABLED) === 0) {
      this.flush();
      return -1;
    }
    if (this.#length + RECORD_HEADER + total > CAPACITY) {
      this.flush();
      if (this.#failed) return -1;
    }
    const at = this.#length;
    this.#view.setInt32(at, host, true);
    this.#view.setUint32(at + 4, total, true);
    this.#reserved = at + RECORD_HEADER + total;
    return at + RECORD_HEADER;
  }

  /** Where reserved bytes are copied to. */
  get bytes(): Uint8Array { return this.#bytes; }

  /** The reserved bytes are in place: they count from now on. */
  commit(): void {
    this.#length = this.#reserved;
    Atomics.store(this.#cells, Cell.LENGTH, this.#length);
  }

  /** Writes everything gathered, in order. A host error drops the rest, and later writes go through the kernel. */
  flush(): void {
    if (this.#length === 0) return;
    this.#length = 0;
    try {
      writeRecords(this.#buffer, this.write);
    } catch {
      this.#failed = true;
      emptyBuffer(this.#buffer);
    }
  }
}
