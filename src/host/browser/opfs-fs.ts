/**
 * OpfsFileSystem (layer: host, browser): a persistent filesystem on the
 * browser's origin private file system, for guests in a page. It is an
 * AsyncFileSystem: each operation is a message to a dedicated worker
 * (`kiln.browser-opfs.js`, the bundled browser-opfs-worker.ts) that runs
 * it on OPFS (opfs-server.ts), reading and writing files through
 * synchronous access handles, which only a worker has. A guest reaches it
 * where asynchronous filesystems work: `run()` on a cross-origin isolated
 * page (the process worker's bridge awaits each reply), `runHere()` with
 * JSPI, and threaded processes.
 *
 * What OPFS has not: symlinks and hard links (NOTSUP), settable times
 * (NOTSUP), access and change times (both are the modification time), a
 * directory's own times (the time this filesystem last changed it, or
 * first saw it), and renaming a file that is open (BUSY).
 */
import { FileType } from '../../abi/constants.js';
import { Errno, WasiError } from '../../abi/errno.js';
import type { AsyncFileHandle, AsyncFileSystem, AsyncFsDirectory, AsyncFsNode } from '../async-backend.js';
import type { DirEntry, FileStat, OpenOptions, TimeSpec } from '../fs/types.js';
import type { OpfsCall, OpfsReady, OpfsReply, OpfsRequest, OpfsStat } from './opfs-protocol.js';
import { workerUrls } from './worker-locations.js';
import type { WebWorker } from './worker-pool.js';

type WorkerConstructor = new (url: string | URL, options: { type: 'module'; name?: string }) => WebWorker;

/** Runs a request in the filesystem's worker. */
type Call = <T>(request: OpfsRequest) => Promise<T>;

/** The device number of every OpfsFileSystem's nodes. */
const OPFS_DEV = 0x6f706673n;

/** DOMException names (what OPFS throws) as errnos. */
const ERRNOS: Readonly<Record<string, Errno>> = {
  NotFoundError: Errno.NOENT,
  TypeMismatchError: Errno.NOTDIR,
  InvalidModificationError: Errno.EXIST,
  NoModificationAllowedError: Errno.BUSY,
  QuotaExceededError: Errno.NOSPC,
  NotAllowedError: Errno.ACCES,
  SecurityError: Errno.ACCES,
};

/** Where an OpfsFileSystem keeps its files. */
export interface OpfsOptions {
  /** The directory under the origin's OPFS root that is this filesystem's root (made if missing); default `kiln`. */
  directory?: string;
}

export class OpfsFileSystem implements AsyncFileSystem {
  readonly root: AsyncFsDirectory;
  /** Settles once the worker has the root directory; rejects when OPFS is not available here. */
  readonly ready: Promise<void>;
  readonly #worker: WebWorker;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 1;
  #closed = false;

  /** Starts the filesystem's worker on `options.directory` (see `ready`). */
  constructor(options: OpfsOptions = {}) {
    const directory = options.directory ?? 'kiln';
    const Worker = (globalThis as unknown as { Worker?: WorkerConstructor }).Worker;
    if (Worker === undefined) throw new TypeError('OpfsFileSystem needs Web Workers, which this context does not have');
    this.#worker = new Worker(workerUrls().opfs, { type: 'module', name: 'kiln opfs' });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#worker.onmessage = ({ data }: { data: OpfsReady | OpfsReply }) => {
        if ('ready' in data) {
          if (data.ready) resolve();
          else reject(new Error(`OPFS is not available: ${data.error}`));
          return;
        }
        const p = this.#pending.get(data.id);
        if (p === undefined) return;
        this.#pending.delete(data.id);
        if (data.ok) p.resolve(data.value);
        else p.reject(errorOf(data.error));
      };
      this.#worker.onerror = (event) => {
        event.preventDefault?.();
        const e = new Error(`the OPFS worker failed: ${event.message ?? `could not load ${String(workerUrls().opfs)}`}`);
        reject(e);
        this.#failAll(e);
      };
    });
    this.#worker.postMessage({ directory });
    this.root = new OpfsDirectory((request) => this.#call(request), []);
  }

  #call<T>(request: OpfsRequest): Promise<T> {
    if (this.#closed) return Promise.reject(new WasiError(Errno.IO, 'the OpfsFileSystem is closed'));
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const call: OpfsCall = { ...request, id };
      this.#worker.postMessage(call);
    });
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(new WasiError(Errno.IO, e.message));
    this.#pending.clear();
  }

  /** Ends the worker (what it wrote is in OPFS already); later calls fail with EIO. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#failAll(new Error('the OpfsFileSystem is closed'));
  }
}

function errorOf(e: { name: string; message: string }): Error {
  const errno = ERRNOS[e.name];
  return errno === undefined ? new WasiError(Errno.IO, `${e.name}: ${e.message}`) : new WasiError(errno, e.message);
}

function statOf(s: OpfsStat): FileStat {
  const ns = BigInt(Math.round(s.mtimeMs)) * 1_000_000n;
  return {
    dev: OPFS_DEV,
    ino: BigInt(s.ino),
    filetype: s.kind === 'directory' ? FileType.DIRECTORY : FileType.REGULAR_FILE,
    nlink: 1n,
    size: BigInt(s.size),
    atim: ns,
    mtim: ns,
    ctim: ns,
  };
}

const notSupported = (what: string): never => { throw new WasiError(Errno.NOTSUP, `OPFS has no ${what}`); };

/** A call whose error `from` means errno `to` here (OPFS names both cases of a type mismatch alike). */
async function remapped<T>(p: Promise<T>, from: Errno, to: Errno): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof WasiError && e.errno === from) throw new WasiError(to, e.message);
    throw e;
  }
}

class OpfsNode implements AsyncFsNode {
  /** `call` runs requests in the filesystem's worker (it also tells this filesystem's nodes from another's). */
  constructor(readonly call: Call, readonly path: string[], readonly filetype: FileType) {}
  async stat(): Promise<FileStat> { return statOf(await this.call<OpfsStat>({ op: 'stat', path: this.path })); }
  setTimes(_atim: TimeSpec, _mtim: TimeSpec): never { return notSupported('settable times'); }
}

class OpfsDirectory extends OpfsNode implements AsyncFsDirectory {
  constructor(call: Call, path: string[]) {
    super(call, path, FileType.DIRECTORY);
  }

  async lookup(name: string): Promise<AsyncFsNode | null> {
    const path = [...this.path, name];
    const kind = await this.call<'file' | 'directory' | null>({ op: 'lookup', path });
    if (kind === null) return null;
    return kind === 'directory' ? new OpfsDirectory(this.call, path) : new OpfsNode(this.call, path, FileType.REGULAR_FILE);
  }

  async list(): Promise<DirEntry[]> {
    const entries = await this.call<{ name: string; kind: 'file' | 'directory'; ino: number }[]>({ op: 'list', path: this.path });
    return entries.map((e) => ({ name: e.name, filetype: e.kind === 'directory' ? FileType.DIRECTORY : FileType.REGULAR_FILE, ino: BigInt(e.ino) }));
  }

  async mkdir(name: string): Promise<void> { await this.call({ op: 'mkdir', path: [...this.path, name] }); }

  async open(name: string, options: OpenOptions): Promise<AsyncFileHandle> {
    const path = [...this.path, name];
    const { create, exclusive, truncate } = options;
    // Opening a directory as a file: OPFS says TypeMismatchError, POSIX EISDIR.
    const fd = await remapped(this.call<number>({ op: 'open', path, options: { create, exclusive, truncate } }), Errno.NOTDIR, Errno.ISDIR);
    return new OpfsFile(this.call, fd);
  }

  symlink(): never { return notSupported('symlinks'); }
  link(): never { return notSupported('hard links'); }

  async unlink(name: string): Promise<void> {
    await remapped(this.call({ op: 'remove', path: [...this.path, name], directory: false }), Errno.NOTDIR, Errno.ISDIR);
  }

  async rmdir(name: string): Promise<void> {
    // removeEntry of a directory with entries: InvalidModificationError.
    await remapped(this.call({ op: 'remove', path: [...this.path, name], directory: true }), Errno.EXIST, Errno.NOTEMPTY);
  }

  async rename(name: string, toDir: AsyncFsDirectory, toName: string): Promise<void> {
    if (!(toDir instanceof OpfsDirectory) || toDir.call !== this.call) throw new WasiError(Errno.XDEV);
    await this.call({ op: 'rename', from: [...this.path, name], to: [...toDir.path, toName] });
  }
}

class OpfsFile implements AsyncFileHandle {
  constructor(readonly call: Call, readonly fd: number) {}

  async read(dst: Uint8Array, position: number): Promise<number> {
    const bytes = await this.call<Uint8Array>({ op: 'read', fd: this.fd, length: dst.byteLength, position });
    dst.set(bytes);
    return bytes.byteLength;
  }

  write(src: Uint8Array, position: number): Promise<number> { return this.call({ op: 'write', fd: this.fd, data: src.slice(), position }); }
  append(src: Uint8Array): Promise<number> { return this.call({ op: 'append', fd: this.fd, data: src.slice() }); }
  async stat(): Promise<FileStat> { return statOf(await this.call<OpfsStat>({ op: 'fstat', fd: this.fd })); }
  async setSize(size: number): Promise<void> { await this.call({ op: 'truncate', fd: this.fd, size }); }
  setTimes(): never { return notSupported('settable times'); }

  async allocate(offset: number, len: number): Promise<void> {
    const s = await this.call<OpfsStat>({ op: 'fstat', fd: this.fd });
    if (s.size < offset + len) await this.setSize(offset + len);
  }

  async sync(): Promise<void> { await this.call({ op: 'flush', fd: this.fd }); }
  async datasync(): Promise<void> { await this.sync(); }
  async close(): Promise<void> { await this.call({ op: 'close', fd: this.fd }); }
}
