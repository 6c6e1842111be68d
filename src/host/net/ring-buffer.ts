/**
 * SharedRing (layer: host, platform-neutral): a single-producer,
 * single-consumer byte ring in shared memory. Two free-running Int32
 * counters (bytes ever read, bytes ever written) live in a shared cell
 * array and are only touched with Atomics, so plain byte copies made before
 * a counter store are visible to the other thread after its Atomics.load.
 * The capacity is a power of two, so a counter maps to a position with a
 * mask and the counters may wrap.
 */
export class SharedRing {
  readonly #cells: Int32Array;
  readonly #readCell: number;
  readonly #writeCell: number;
  readonly #data: Uint8Array;
  readonly #mask: number;

  /** `data.byteLength` must be a power of two. */
  constructor(cells: Int32Array, readCell: number, writeCell: number, data: Uint8Array) {
    const cap = data.byteLength;
    if (cap === 0 || (cap & (cap - 1)) !== 0) throw new RangeError('ring capacity must be a power of two');
    this.#cells = cells;
    this.#readCell = readCell;
    this.#writeCell = writeCell;
    this.#data = data;
    this.#mask = cap - 1;
  }

  get capacity(): number { return this.#data.byteLength; }

  /** Bytes written and not yet read. */
  used(): number {
    return (Atomics.load(this.#cells, this.#writeCell) - Atomics.load(this.#cells, this.#readCell)) >>> 0;
  }

  free(): number { return this.capacity - this.used(); }

  /** Producer: copies as much of `srcs` as fits; returns the bytes written. */
  write(srcs: readonly Uint8Array[]): number {
    const w = Atomics.load(this.#cells, this.#writeCell);
    let room = this.capacity - ((w - Atomics.load(this.#cells, this.#readCell)) >>> 0);
    let done = 0;
    for (const src of srcs) {
      if (room === 0) break;
      const n = Math.min(room, src.byteLength);
      this.#copyIn(w + done, src.subarray(0, n));
      done += n;
      room -= n;
    }
    if (done > 0) Atomics.store(this.#cells, this.#writeCell, (w + done) | 0);
    return done;
  }

  /** Consumer: copies up to the bytes available into `dsts`; `peek` leaves them in the ring. */
  read(dsts: readonly Uint8Array[], peek = false): number {
    const r = Atomics.load(this.#cells, this.#readCell);
    let left = (Atomics.load(this.#cells, this.#writeCell) - r) >>> 0;
    let done = 0;
    for (const dst of dsts) {
      if (left === 0) break;
      const n = Math.min(left, dst.byteLength);
      this.#copyOut(r + done, dst.subarray(0, n));
      done += n;
      left -= n;
    }
    if (done > 0 && !peek) Atomics.store(this.#cells, this.#readCell, (r + done) | 0);
    return done;
  }

  /** Consumer: removes and returns everything available (a fresh copy). */
  take(): Uint8Array {
    const out = new Uint8Array(this.used());
    this.read([out]);
    return out;
  }

  /** Consumer: drops the next `n` bytes (at most what is available). */
  skip(n: number): void {
    const r = Atomics.load(this.#cells, this.#readCell);
    const k = Math.min(n, this.used());
    if (k > 0) Atomics.store(this.#cells, this.#readCell, (r + k) | 0);
  }

  /** Consumer: drops everything available. */
  discard(): void {
    Atomics.store(this.#cells, this.#readCell, Atomics.load(this.#cells, this.#writeCell));
  }

  /** Empties the ring; only when neither side is using it. */
  reset(): void {
    Atomics.store(this.#cells, this.#readCell, 0);
    Atomics.store(this.#cells, this.#writeCell, 0);
  }

  #copyIn(counter: number, src: Uint8Array): void {
    const at = counter & this.#mask;
    const first = Math.min(src.byteLength, this.capacity - at);
    this.#data.set(src.subarray(0, first), at);
    if (first < src.byteLength) this.#data.set(src.subarray(first), 0);
  }

  #copyOut(counter: number, dst: Uint8Array): void {
    const at = counter & this.#mask;
    const first = Math.min(dst.byteLength, this.capacity - at);
    dst.set(this.#data.subarray(at, at + first));
    if (first < dst.byteLength) dst.set(this.#data.subarray(0, dst.byteLength - first), first);
  }
}
