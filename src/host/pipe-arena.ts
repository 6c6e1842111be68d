/**
 * Pipe rings in shared memory (layer: host, platform-neutral): the bytes
 * of the kernel's pipes, where the threads of every process of one kernel
 * can move them themselves (see docs/architecture.md, "Pipes in shared
 * memory").
 *
 * One arena (a SharedArrayBuffer) per kernel holds a fixed number of
 * rings. The kernel hands rings out and takes them back (`allocate`,
 * `release`: only on the kernel's thread); any thread may view a ring
 * (`ring(index)`) and move bytes through it. Each ring is a
 * single-producer, single-consumer `SharedRing` with a lock per side
 * (writers take the write lock, readers the read lock), so one writer
 * and one reader move bytes at once without waiting for each other, and
 * writers (or readers) of several descriptors, threads or processes take
 * turns.
 *
 * A ring's header also holds:
 * - FLAGS: which side closed, and each side's NONBLOCK (the kernel keeps
 *   them current; a guest thread reads them);
 * - EVENT: a counter bumped on every change (bytes moved, a side closed),
 *   which a thread waiting for bytes or room sleeps on (`Atomics.wait`);
 * - WATCH: set by the kernel before it looks at the ring; whoever changes
 *   the ring next clears it and rings the kernel's doorbell, so a call
 *   the kernel parked on this pipe runs again;
 * - GENERATION: bumped when the ring is handed out, so a thread holding a
 *   stale descriptor map never moves another pipe's bytes.
 *
 * A lock word holds its owner's token (0: free): a thread that holds a
 * lock and is stopped mid-copy (its worker terminated) leaves a lock the
 * kernel frees (`releaseLocksOf`); the kernel's own attempts only try
 * (`tryLock`), never wait.
 */
import { SharedRing } from './net/ring-buffer.js';

/** The cells of a ring's header (Int32 indices from the ring's start). */
export const enum PipeCell {
  WRITE_LOCK = 0,
  READ_LOCK = 1,
  /** Bytes ever read, bytes ever written: the SharedRing counters. */
  READ = 2,
  WRITE = 3,
  FLAGS = 4,
  EVENT = 5,
  /** Threads sleeping on EVENT. */
  EVENT_WAITERS = 6,
  WATCH = 7,
  GENERATION = 8,
  /** Threads sleeping on a lock. */
  LOCK_WAITERS = 9,
}

/** Bits of FLAGS. */
export const enum PipeFlag {
  READER_CLOSED = 1,
  WRITER_CLOSED = 2,
  READER_NONBLOCK = 4,
  WRITER_NONBLOCK = 8,
}

/** POSIX PIPE_BUF (Linux's value): a pipe write up to this size goes in whole. */
export const PIPE_BUF = 4096;

/** The lock of one side. */
export type PipeSide = PipeCell.WRITE_LOCK | PipeCell.READ_LOCK;

/** The kernel's own lock token (a guest thread's is larger: `threadToken`). */
export const KERNEL_TOKEN = 1;

const HEADER_CELLS = 16;
const HEADER_BYTES = HEADER_CELLS * 4;
/** The arena's own header: rings, capacity. */
const ARENA_HEADER_BYTES = 16;
/** How often the kernel tries a taken lock before it gives up (the holder copies at most a ring's capacity). */
const KERNEL_TRIES = 4096;
/** The generation bits a descriptor map entry carries (`mapEntry`). */
const GENERATION_MASK = 0x3fffff;

/** A lock token for a guest thread of process `pid` in channel slot `slot`, unique in its kernel. */
export function threadToken(pid: number, slot: number): number {
  return ((pid & 0x7fff) << 16) | ((slot & 0xffff) + 2);
}

/** One ring of the arena. */
export class ArenaPipe {
  /** The header, as Int32 cells of the whole arena (`base` is the ring's first cell). */
  readonly words: Int32Array;
  readonly base: number;
  readonly ring: SharedRing;

  constructor(readonly arena: PipeArena, readonly index: number) {
    this.words = arena.words;
    const at = ARENA_HEADER_BYTES + index * (HEADER_BYTES + arena.capacity);
    this.base = at / 4;
    const cells = new Int32Array(arena.buffer, at, HEADER_CELLS);
    this.ring = new SharedRing(cells, PipeCell.READ, PipeCell.WRITE, new Uint8Array(arena.buffer, at + HEADER_BYTES, arena.capacity));
  }

  get capacity(): number { return this.arena.capacity; }

  /** The index of `cell` in `words` (for Atomics.wait on it). */
  cellIndex(cell: PipeCell): number { return this.base + cell; }

  load(cell: PipeCell): number { return Atomics.load(this.words, this.base + cell); }

  flags(): number { return this.load(PipeCell.FLAGS); }
  setFlags(bits: number): void { Atomics.or(this.words, this.base + PipeCell.FLAGS, bits); }
  clearFlags(bits: number): void { Atomics.and(this.words, this.base + PipeCell.FLAGS, ~bits); }

  /** The generation as a descriptor map carries it. */
  generation(): number { return this.load(PipeCell.GENERATION) & GENERATION_MASK; }

  /** Takes `side`'s lock, waiting for it (guest threads only: they may block). */
  lock(side: PipeSide, token: number): void {
    const w = this.words;
    const c = this.base + side;
    if (Atomics.compareExchange(w, c, 0, token) === 0) return;
    const waiters = this.base + PipeCell.LOCK_WAITERS;
    Atomics.add(w, waiters, 1);
    for (;;) {
      const owner = Atomics.compareExchange(w, c, 0, token);
      if (owner === 0) break;
      Atomics.wait(w, c, owner);
    }
    Atomics.sub(w, waiters, 1);
  }

  /** Takes `side`'s lock if it is free within a few tries (the kernel's thread must not block); false when not. */
  tryLock(side: PipeSide, token: number): boolean {
    const w = this.words;
    const c = this.base + side;
    for (let i = 0; i < KERNEL_TRIES; i++) {
      if (Atomics.compareExchange(w, c, 0, token) === 0) return true;
    }
    return false;
  }

  unlock(side: PipeSide): void {
    Atomics.store(this.words, this.base + side, 0);
    if (Atomics.load(this.words, this.base + PipeCell.LOCK_WAITERS) > 0) Atomics.notify(this.words, this.base + side);
  }

  /** The kernel is about to look at the ring: the next change rings its doorbell. */
  watch(): void { Atomics.store(this.words, this.base + PipeCell.WATCH, 1); }

  /**
   * Something changed (bytes moved, a side closed, a flag): wakes the
   * threads sleeping on the ring; true when the kernel watched it (the
   * caller rings the kernel's doorbell).
   */
  changed(): boolean {
    const w = this.words;
    Atomics.add(w, this.base + PipeCell.EVENT, 1);
    if (Atomics.load(w, this.base + PipeCell.EVENT_WAITERS) > 0) Atomics.notify(w, this.base + PipeCell.EVENT);
    return Atomics.load(w, this.base + PipeCell.WATCH) !== 0 && Atomics.exchange(w, this.base + PipeCell.WATCH, 0) !== 0;
  }
}

/**
 * The arena: `rings` rings of `capacity` bytes (a power of two) in one
 * SharedArrayBuffer, viewed on any thread from its buffer.
 */
export class PipeArena {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly rings: number;
  readonly capacity: number;
  readonly #views: (ArenaPipe | undefined)[] = [];
  /** Rings free to hand out (the kernel's thread only). */
  readonly #free: number[] = [];

  /** A new arena's memory. */
  static create(rings: number, capacity: number): SharedArrayBuffer {
    if (rings < 1 || rings > 255 || capacity < 8 || (capacity & (capacity - 1)) !== 0) throw new RangeError(`pipe arena of ${rings} x ${capacity}`);
    const buffer = new SharedArrayBuffer(ARENA_HEADER_BYTES + rings * (HEADER_BYTES + capacity));
    const head = new Int32Array(buffer, 0, 2);
    head[0] = rings;
    head[1] = capacity;
    return buffer;
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.rings = this.words[0]!;
    this.capacity = this.words[1]!;
    for (let i = this.rings - 1; i >= 0; i--) this.#free.push(i);
  }

  /** The ring `index` (cached view). */
  ring(index: number): ArenaPipe {
    return this.#views[index] ??= new ArenaPipe(this, index);
  }

  /** Kernel: a free ring, empty, open, with a new generation; undefined when every ring is in use. */
  allocate(): ArenaPipe | undefined {
    const index = this.#free.pop();
    if (index === undefined) return undefined;
    const pipe = this.ring(index);
    const w = this.words;
    for (const cell of [PipeCell.WRITE_LOCK, PipeCell.READ_LOCK, PipeCell.FLAGS, PipeCell.WATCH]) Atomics.store(w, pipe.base + cell, 0);
    pipe.ring.reset();
    Atomics.add(w, pipe.base + PipeCell.GENERATION, 1);
    return pipe;
  }

  /** Kernel: takes back a ring no descriptor names any more. */
  release(pipe: ArenaPipe): void {
    Atomics.add(this.words, pipe.base + PipeCell.GENERATION, 1); // a stale map entry no longer matches
    pipe.changed();
    this.#free.push(pipe.index);
  }

  /** Kernel: frees every lock `token` holds (its thread was stopped mid-copy); the copy it made was never published. */
  releaseLocksOf(token: number): void {
    for (let i = 0; i < this.rings; i++) {
      const pipe = this.#views[i];
      if (pipe === undefined) continue;
      for (const side of [PipeCell.WRITE_LOCK, PipeCell.READ_LOCK] as const) {
        if (Atomics.compareExchange(this.words, pipe.base + side, token, 0) === token) {
          Atomics.notify(this.words, pipe.base + side);
          pipe.changed();
        }
      }
    }
  }
}

/** A descriptor map entry for `pipe` (0 means none): its index and generation. */
export function mapEntry(pipe: ArenaPipe): number {
  return ((pipe.generation() << 8) | (pipe.index + 1)) >>> 0;
}

/** The ring a map entry names, when its generation still matches (checked again under the lock). */
export function entryIndex(entry: number): number { return (entry & 0xff) - 1; }
export function entryGeneration(entry: number): number { return (entry >>> 8) & GENERATION_MASK; }
