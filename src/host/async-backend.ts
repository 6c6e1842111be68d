/**
 * Asynchronous backends (layer: host). An embedder may give Kiln a
 * filesystem whose methods return Promises (`AsyncFileSystem`: the
 * FileSystem interface with `T | Promise<T>` results, all the way down to
 * nodes and open files). A guest's system calls are synchronous, so such a
 * backend needs one of:
 *
 * - the worker mode: the host bridge awaits each Promise on the caller's
 *   thread while the guest's thread waits (nothing here is needed);
 * - a runner that can suspend a system call and run it again: the JSPI
 *   runner (front/jspi.ts) and the threaded kernel. For them,
 *   `AsyncBackendSession.adapt()` presents the backend as a synchronous
 *   FileSystem: a backend call whose result is an unsettled Promise is
 *   recorded and throws `Pending(promise)`; once it settles the runner runs
 *   the whole system call again, and the adapter answers the replayed
 *   backend calls from its record, in order, so every backend call of one
 *   system call happens exactly once.
 *
 * The runner tells the session where system calls begin: `begin()` before
 * a new call (a fresh record), `resume(record)` before running it again,
 * `end()` when it returned or threw (`runReplayable` does all three).
 * Records are per call, so a kernel serving several guest threads can keep
 * several suspended calls at once.
 *
 * Writes and closes do not suspend: `write()` on an open file returns at
 * once when the backend answers with a Promise (the bytes are copied and
 * written behind, short writes completed), and `close()` likewise. Every
 * other backend call of the session first waits for the writes and closes
 * in flight, so what a guest reads back is what it wrote. A write that
 * fails behind is reported by that file's next write, append, sync or
 * datasync, as with Kiln's write coalescing. `settled()` waits for all of
 * them (runners await it when the process ends).
 *
 * Replay relies on one rule of the kernel: within one system call it
 * changes its own state only after the backend calls that may suspend
 * (positional writes, which could come in between, never suspend).
 */
import { FileType } from '../abi/constants.js';
import { Errno, WasiError } from '../abi/errno.js';
import { Pending } from './pending.js';
import type {
  DirEntry, FileHandle, FileStat, FileSystem, FsDirectory, FsNode, FsSymlink, OpenOptions, TimeSpec,
} from './fs/types.js';

/** A value, or a Promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** `FsNode` whose methods may return Promises. */
export interface AsyncFsNode {
  /** The node's type when it was looked up. */
  readonly filetype: FileType;
  /** The node's current attributes. */
  stat(): MaybePromise<FileStat>;
  /** The attributes captured when the node was looked up, if the backend took them then. */
  lookupStat?(): MaybePromise<FileStat>;
  /** Sets the access and modification times (`null` leaves one unchanged). */
  setTimes(atim: TimeSpec, mtim: TimeSpec): MaybePromise<void>;
}

/** `FsSymlink` whose methods may return Promises. */
export interface AsyncFsSymlink extends AsyncFsNode {
  /** The link's target, as stored. */
  readlink(): MaybePromise<string>;
}

/** `FsDirectory` whose methods may return Promises; each takes a single name, never a path. */
export interface AsyncFsDirectory extends AsyncFsNode {
  /** The entry `name` (a symlink as itself), or null when there is none. */
  lookup(name: string): MaybePromise<AsyncFsNode | null>;
  /** The entries other than `.` and `..`, in a stable order. */
  list(): MaybePromise<DirEntry[]>;
  /** Creates the directory `name`. */
  mkdir(name: string): MaybePromise<void>;
  /** Opens (or creates) the file `name`; never follows a symlink. */
  open(name: string, options: OpenOptions): MaybePromise<AsyncFileHandle>;
  /** Creates a symlink `name` pointing to `target`. */
  symlink(name: string, target: string): MaybePromise<void>;
  /** Creates a hard link `name` to an existing node of the same filesystem. */
  link(name: string, existing: AsyncFsNode): MaybePromise<void>;
  /** Removes the file or symlink `name`. */
  unlink(name: string): MaybePromise<void>;
  /** Removes the empty directory `name`. */
  rmdir(name: string): MaybePromise<void>;
  /** Moves the entry `name` to `toName` in `toDir`. */
  rename(name: string, toDir: AsyncFsDirectory, toName: string): MaybePromise<void>;
}

/** `FileHandle` whose methods may return Promises. Positions are explicit. */
export interface AsyncFileHandle {
  /** Reads into `dst` from `position`; the count read (0 at the end). */
  read(dst: Uint8Array, position: number): MaybePromise<number>;
  /** Writes `src` at `position`; the count written. */
  write(src: Uint8Array, position: number): MaybePromise<number>;
  /** Appends `src` at the current end; the offset it was written at. */
  append(src: Uint8Array): MaybePromise<number>;
  /** The file's current attributes. */
  stat(): MaybePromise<FileStat>;
  /** Truncates or extends the file to `size` bytes. */
  setSize(size: number): MaybePromise<void>;
  /** Sets the access and modification times (`null` leaves one unchanged). */
  setTimes(atim: TimeSpec, mtim: TimeSpec): MaybePromise<void>;
  /** Makes sure `[offset, offset + len)` is allocated, growing the file if needed. */
  allocate(offset: number, len: number): MaybePromise<void>;
  /** Writes the file's data and attributes to storage. */
  sync(): MaybePromise<void>;
  /** Writes the file's data to storage. */
  datasync(): MaybePromise<void>;
  /** Closes the handle. */
  close(): MaybePromise<void>;
}

/**
 * A filesystem whose methods may return Promises. Every `FileSystem` is
 * one (its results are plain values); `root` itself is a plain property.
 */
export interface AsyncFileSystem {
  /** The root directory. */
  readonly root: AsyncFsDirectory;
}

export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

interface RecordEntry {
  method: string;
  state: 'pending' | 'done' | 'failed';
  value?: unknown;
  error?: unknown;
  /** For reads: the bytes the backend filled, copied into the buffer of a replayed call. */
  bytes?: Uint8Array;
  promise?: Promise<void>;
}

/** The backend calls one system call made, in order (what `begin()` returns and `resume()` takes). */
export class CallRecord {
  /** @internal */
  readonly entries: RecordEntry[] = [];
  /** @internal */
  cursor = 0;
}

interface CallOptions<R, T> {
  /** Turns the backend's result into what the kernel gets (e.g. a node into its adapter). */
  wrap?: (raw: R) => T;
  /** The buffer a read fills. */
  fill?: Uint8Array;
}

/**
 * Presents an `AsyncFileSystem` as a synchronous `FileSystem` (`adapt()`)
 * to a runner that can suspend a system call and run it again (JSPI, the
 * threaded kernel). A backend call that returns an unsettled Promise is
 * recorded and throws `Pending`; the runner awaits it and runs the system
 * call again, and the replayed backend calls are answered from the record,
 * so each is made once. A runner calls `begin()` before a new system call,
 * `resume(record)` before running one again and `end()` after (or wraps
 * each call in `runReplayable`), and awaits `settled()` at the end.
 * Positional writes and closes never suspend: they complete behind, in
 * order, and every other backend call waits for them.
 */
export class AsyncBackendSession {
  #current: CallRecord | undefined;
  /** Writes and closes in flight, chained in order; never rejects. */
  #tail: Promise<void> = Promise.resolve();
  #inFlight = 0;

  /** Starts a new system call: its backend calls are recorded in a fresh record, which is returned. */
  begin(): CallRecord {
    const r = new CallRecord();
    this.#current = r;
    return r;
  }

  /** Before running a suspended system call again: its backend calls are answered from `record`. */
  resume(record: CallRecord): void {
    record.cursor = 0;
    this.#current = record;
  }

  /** The system call returned or threw (also when it suspended). */
  end(): void {
    this.#current = undefined;
  }

  /** True while writes or closes are still in flight. */
  get busy(): boolean { return this.#inFlight > 0; }

  /** Resolves once every write and close in flight has finished. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await this.#tail;
  }

  /** The backend as a synchronous FileSystem, for a runner that handles `Pending`. */
  adapt(fs: AsyncFileSystem): FileSystem {
    return { root: new AdaptedDirectory(this, fs.root) };
  }

  /**
   * One backend call: answered from the record when the system call is
   * being run again; otherwise made, recorded, and if its result is an
   * unsettled Promise, `Pending` is thrown.
   *
   * @internal
   */
  call<R, T = R>(method: string, invoke: () => MaybePromise<R>, options: CallOptions<R, T> = {}): T {
    const record = this.#current;
    const wrap = options.wrap ?? ((r: R) => r as unknown as T);
    if (record === undefined) {
      // Outside a system call (e.g. the process shutting down): only synchronous results can be used.
      const r = invoke();
      if (isPromiseLike(r)) {
        Promise.resolve(r).catch(() => {});
        throw new WasiError(Errno.IO, `the filesystem answered ${method} with a Promise, which this way of running cannot wait for: use run() (a worker) or runHere() (JSPI)`);
      }
      return wrap(r);
    }
    if (record.cursor < record.entries.length) {
      const e = record.entries[record.cursor++]!;
      if (e.method !== method) {
        throw new Error(`asynchronous backend replay diverged: call ${record.cursor - 1} was ${e.method}, now ${method}`);
      }
      if (e.state === 'pending') throw new Pending(e.promise!);
      if (e.state === 'failed') throw e.error;
      if (options.fill !== undefined && e.bytes !== undefined) options.fill.set(e.bytes.subarray(0, options.fill.byteLength));
      return e.value as T;
    }
    // Reads see the writes before them.
    if (this.#inFlight > 0) throw new Pending(this.#tail);
    const entry: RecordEntry = { method, state: 'pending' };
    let r: MaybePromise<R>;
    try {
      r = invoke();
    } catch (err) {
      entry.state = 'failed';
      entry.error = err;
      record.entries.push(entry);
      record.cursor++;
      throw err;
    }
    record.entries.push(entry);
    record.cursor++;
    const settle = (v: R): void => {
      entry.value = wrap(v);
      entry.state = 'done';
      const fill = options.fill;
      if (fill !== undefined && typeof v === 'number') entry.bytes = fill.slice(0, Math.max(0, Math.min(v, fill.byteLength)));
    };
    if (!isPromiseLike(r)) {
      settle(r);
      return entry.value as T;
    }
    entry.promise = Promise.resolve(r).then(settle, (err: unknown) => {
      entry.state = 'failed';
      entry.error = err;
    });
    throw new Pending(entry.promise);
  }

  /**
   * A write or close: made at once when nothing is in flight and the
   * backend answers synchronously; otherwise queued behind what is in
   * flight. `complete` is the value the kernel gets for a write that goes
   * behind (the whole length).
   */
  behind(method: string, invoke: () => MaybePromise<unknown>, complete: unknown, onError: (e: unknown) => void): unknown {
    const record = this.#current;
    if (record !== undefined && record.cursor < record.entries.length) {
      const e = record.entries[record.cursor++]!;
      if (e.method !== method) {
        throw new Error(`asynchronous backend replay diverged: call ${record.cursor - 1} was ${e.method}, now ${method}`);
      }
      if (e.state === 'failed') throw e.error;
      return e.value;
    }
    const log = (value: unknown): unknown => {
      if (record !== undefined) {
        record.entries.push({ method, state: 'done', value });
        record.cursor++;
      }
      return value;
    };
    if (this.#inFlight === 0) {
      let r: unknown;
      try {
        r = invoke();
      } catch (err) {
        if (record !== undefined) {
          record.entries.push({ method, state: 'failed', error: err });
          record.cursor++;
        }
        throw err;
      }
      if (!isPromiseLike(r)) return log(r);
      this.#track(Promise.resolve(r).then(() => {}, onError));
      return log(complete);
    }
    this.#track(this.#tail.then(() => invoke()).then(() => {}, onError));
    return log(complete);
  }

  #track(p: Promise<void>): void {
    this.#inFlight++;
    const done = p.then(() => { this.#inFlight--; });
    this.#tail = this.#tail.then(() => done);
  }
}

class AdaptedNode implements FsNode {
  readonly filetype: FileType;
  lookupStat?: () => FileStat;

  constructor(readonly session: AsyncBackendSession, readonly raw: AsyncFsNode) {
    this.filetype = raw.filetype;
    const lookupStat = raw.lookupStat;
    if (lookupStat !== undefined) this.lookupStat = () => session.call('lookupStat', () => lookupStat.call(raw));
  }

  stat(): FileStat { return this.session.call('stat', () => this.raw.stat()); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.session.call('setTimes', () => this.raw.setTimes(atim, mtim)); }
}

class AdaptedSymlink extends AdaptedNode implements FsSymlink {
  readlink(): string { return this.session.call('readlink', () => (this.raw as AsyncFsSymlink).readlink()); }
}

function adaptNode(session: AsyncBackendSession, raw: AsyncFsNode): FsNode {
  const t = raw.filetype;
  if (t === FileType.DIRECTORY) return new AdaptedDirectory(session, raw as AsyncFsDirectory);
  if (t === FileType.SYMBOLIC_LINK) return new AdaptedSymlink(session, raw);
  return new AdaptedNode(session, raw);
}

class AdaptedDirectory extends AdaptedNode implements FsDirectory {
  declare readonly raw: AsyncFsDirectory;

  lookup(name: string): FsNode | null {
    return this.session.call('lookup', () => this.raw.lookup(name),
      { wrap: (n: AsyncFsNode | null) => (n === null ? null : adaptNode(this.session, n)) });
  }

  list(): DirEntry[] { return this.session.call('list', () => this.raw.list()); }
  mkdir(name: string): void { this.session.call('mkdir', () => this.raw.mkdir(name)); }

  open(name: string, options: OpenOptions): FileHandle {
    return this.session.call('open', () => this.raw.open(name, options),
      { wrap: (h: AsyncFileHandle) => new AdaptedFile(this.session, h) });
  }

  symlink(name: string, target: string): void { this.session.call('symlink', () => this.raw.symlink(name, target)); }

  link(name: string, existing: FsNode): void {
    const raw = unwrap(existing, this.session);
    this.session.call('link', () => this.raw.link(name, raw));
  }

  unlink(name: string): void { this.session.call('unlink', () => this.raw.unlink(name)); }
  rmdir(name: string): void { this.session.call('rmdir', () => this.raw.rmdir(name)); }

  rename(name: string, toDir: FsDirectory, toName: string): void {
    const raw = unwrap(toDir, this.session) as AsyncFsDirectory;
    this.session.call('rename', () => this.raw.rename(name, raw, toName));
  }
}

function unwrap(node: FsNode, session: AsyncBackendSession): AsyncFsNode {
  if (!(node instanceof AdaptedNode) || node.session !== session) throw new WasiError(Errno.XDEV);
  return node.raw;
}

class AdaptedFile implements FileHandle {
  /** A write that failed behind, reported by the next write, append, sync or datasync. */
  #deferred: unknown = undefined;

  constructor(readonly session: AsyncBackendSession, readonly raw: AsyncFileHandle) {}

  #throwDeferred(): void {
    const e = this.#deferred;
    if (e !== undefined) {
      this.#deferred = undefined;
      throw e;
    }
  }

  read(dst: Uint8Array, position: number): number {
    return this.session.call('read', () => this.raw.read(dst, position), { fill: dst });
  }

  write(src: Uint8Array, position: number): number {
    return this.session.behind('write', () => {
      this.#throwDeferred();
      const data = src.slice();
      const first = this.raw.write(data, position);
      return isPromiseLike(first) ? writeRest(this.raw, data, position, first) : first;
    }, src.byteLength, (e) => { this.#deferred = e; }) as number;
  }

  append(src: Uint8Array): number {
    return this.session.call('append', () => { this.#throwDeferred(); return this.raw.append(src); });
  }

  stat(): FileStat { return this.session.call('stat', () => this.raw.stat()); }
  setSize(size: number): void { this.session.call('setSize', () => this.raw.setSize(size)); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.session.call('setTimes', () => this.raw.setTimes(atim, mtim)); }
  allocate(offset: number, len: number): void { this.session.call('allocate', () => this.raw.allocate(offset, len)); }
  sync(): void { this.session.call('sync', () => { this.#throwDeferred(); return this.raw.sync(); }); }
  datasync(): void { this.session.call('datasync', () => { this.#throwDeferred(); return this.raw.datasync(); }); }
  close(): void { this.session.behind('close', () => this.raw.close(), undefined, () => {}); }
}

/** Completes a write the backend answered with a Promise, continuing after short writes. */
async function writeRest(h: AsyncFileHandle, data: Uint8Array, position: number, first: Promise<number>): Promise<number> {
  let at = await first;
  while (at < data.byteLength) {
    const n = await h.write(data.subarray(at), position + at);
    if (n <= 0) throw new WasiError(Errno.IO, 'the backend wrote nothing');
    at += n;
  }
  return at;
}

/**
 * Runs one system call under `session`: a `Pending` it throws is awaited
 * and the call run again (answered from its record) until it completes.
 * Returns the result directly when nothing suspended, else a Promise.
 */
export function runReplayable<T>(session: AsyncBackendSession, body: () => T): T | Promise<T> {
  const record = session.begin();
  try {
    return body();
  } catch (e) {
    if (e instanceof Pending) return replay(session, record, body, e);
    throw e;
  } finally {
    session.end();
  }
}

async function replay<T>(session: AsyncBackendSession, record: CallRecord, body: () => T, first: Pending): Promise<T> {
  let pending = first;
  for (;;) {
    await pending.promise.then(() => {}, () => {});
    session.resume(record);
    try {
      return body();
    } catch (e) {
      if (!(e instanceof Pending)) throw e;
      pending = e;
    } finally {
      session.end();
    }
  }
}
