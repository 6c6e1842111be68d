/**
 * The worker side of an OpfsFileSystem (layer: host, browser): runs each
 * request on the origin private file system, in a dedicated worker, where
 * files can be read and written through synchronous access handles (one
 * per open file, shared by the descriptors that have it open: OPFS lets a
 * file have only one). Directory operations use OPFS's asynchronous API.
 * Errors are DOMExceptions by name; opfs-fs.ts maps them to errnos.
 */
import type { OpfsOpen, OpfsRequest, OpfsStat } from './opfs-protocol.js';

/** The parts of the File System Access API used here (Kiln's types do not assume the DOM). */
export interface OpfsFileHandle {
  readonly kind: 'file';
  getFile(): Promise<{ size: number; lastModified: number }>;
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
  move(parent: OpfsDirectoryHandle, name: string): Promise<void>;
}
export interface OpfsDirectoryHandle {
  readonly kind: 'directory';
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFileHandle>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  entries(): AsyncIterableIterator<[string, OpfsFileHandle | OpfsDirectoryHandle]>;
  move(parent: OpfsDirectoryHandle, name: string): Promise<void>;
}
export interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  getSize(): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

/** An error with a DOMException's name (the name is what crosses). */
function fail(name: string, message: string): never {
  const e = new Error(message);
  e.name = name;
  throw e;
}

interface Shared { handle: SyncAccessHandle; refs: number }

export class OpfsServer {
  readonly #inos = new Map<string, number>();
  readonly #times = new Map<string, number>();
  readonly #shared = new Map<string, Shared>();
  readonly #open = new Map<number, { key: string; path: string[] }>();
  #nextIno = 2;
  #nextFd = 1;

  constructor(readonly root: OpfsDirectoryHandle) {}

  #ino(key: string): number {
    let ino = this.#inos.get(key);
    if (ino === undefined) this.#inos.set(key, ino = this.#nextIno++);
    return ino;
  }

  /** A directory changed: its time is now. */
  #touch(dir: string[]): void {
    this.#times.set(dir.join('/'), Date.now());
  }

  async #dir(path: string[]): Promise<OpfsDirectoryHandle> {
    let d = this.root;
    for (const name of path) d = await d.getDirectoryHandle(name);
    return d;
  }

  /** The handle at `path`, or null when nothing is there. */
  async #entry(path: string[]): Promise<OpfsFileHandle | OpfsDirectoryHandle | null> {
    if (path.length === 0) return this.root;
    let parent: OpfsDirectoryHandle;
    try {
      parent = await this.#dir(path.slice(0, -1));
    } catch (e) {
      if ((e as Error).name === 'NotFoundError' || (e as Error).name === 'TypeMismatchError') return null;
      throw e;
    }
    const name = path[path.length - 1]!;
    for (const get of [(n: string) => parent.getFileHandle(n), (n: string) => parent.getDirectoryHandle(n)]) {
      try {
        return await get(name);
      } catch (e) {
        if ((e as Error).name !== 'TypeMismatchError' && (e as Error).name !== 'NotFoundError') throw e;
      }
    }
    return null;
  }

  async #stat(path: string[]): Promise<OpfsStat> {
    const key = path.join('/');
    const shared = this.#shared.get(key);
    if (shared !== undefined) return { kind: 'file', size: shared.handle.getSize(), mtimeMs: this.#times.get(key) ?? Date.now(), ino: this.#ino(key) };
    const h = await this.#entry(path);
    if (h === null) fail('NotFoundError', `${key}: no such entry`);
    if (h.kind === 'directory') {
      if (!this.#times.has(key)) this.#times.set(key, Date.now());
      return { kind: 'directory', size: 0, mtimeMs: this.#times.get(key)!, ino: this.#ino(key) };
    }
    const file = await h.getFile();
    return { kind: 'file', size: file.size, mtimeMs: this.#times.get(key) ?? file.lastModified, ino: this.#ino(key) };
  }

  async #openFile(path: string[], options: OpfsOpen): Promise<number> {
    const key = path.join('/');
    const parent = await this.#dir(path.slice(0, -1));
    const name = path[path.length - 1]!;
    const existing = await this.#entry(path);
    if (existing?.kind === 'directory') fail('TypeMismatchError', `${key} is a directory`);
    if (existing !== null && options.create && options.exclusive) fail('InvalidModificationError', `${key} exists`);
    if (existing === null && !options.create) fail('NotFoundError', `${key}: no such file`);
    let shared = this.#shared.get(key);
    if (shared === undefined) {
      const file = existing ?? await parent.getFileHandle(name, { create: true });
      if (existing === null) this.#touch(path.slice(0, -1));
      shared = { handle: await file.createSyncAccessHandle(), refs: 0 };
      this.#shared.set(key, shared);
    }
    shared.refs++;
    if (options.truncate) {
      shared.handle.truncate(0);
      this.#times.set(key, Date.now());
    }
    const fd = this.#nextFd++;
    this.#open.set(fd, { key, path });
    return fd;
  }

  #file(fd: number): { key: string; path: string[]; handle: SyncAccessHandle } {
    const f = this.#open.get(fd);
    if (f === undefined) fail('InvalidStateError', `descriptor ${fd} is closed`);
    return { ...f, handle: this.#shared.get(f.key)!.handle };
  }

  #wrote(key: string): void {
    this.#times.set(key, Date.now());
  }

  async #rename(from: string[], to: string[]): Promise<void> {
    const source = await this.#entry(from);
    if (source === null) fail('NotFoundError', `${from.join('/')}: no such entry`);
    if (this.#shared.has(from.join('/'))) fail('NoModificationAllowedError', `${from.join('/')} is open`);
    const target = await this.#entry(to);
    const toParent = await this.#dir(to.slice(0, -1));
    const toName = to[to.length - 1]!;
    if (target !== null) {
      if (this.#shared.has(to.join('/'))) fail('NoModificationAllowedError', `${to.join('/')} is open`);
      if (target.kind === 'directory' && source.kind !== 'directory') fail('TypeMismatchError', `${to.join('/')} is a directory`);
      if (target.kind !== 'directory' && source.kind === 'directory') fail('TypeMismatchError', `${to.join('/')} is not a directory`);
      await toParent.removeEntry(toName); // an empty directory or a file, as rename(2) replaces them
    }
    await source.move(toParent, toName);
    // Serial numbers and times move with the node (and, for a directory, with everything in it).
    const fromKey = from.join('/');
    const toKey = to.join('/');
    for (const table of [this.#inos, this.#times] as Map<string, number>[]) {
      for (const [k, v] of [...table]) {
        if (k === fromKey || k.startsWith(`${fromKey}/`)) {
          table.delete(k);
          table.set(toKey + k.slice(fromKey.length), v);
        }
      }
    }
    this.#touch(from.slice(0, -1));
    this.#touch(to.slice(0, -1));
  }

  /** Runs one request; its result is what crosses back. */
  async serve(r: OpfsRequest): Promise<unknown> {
    switch (r.op) {
      case 'lookup': {
        const h = await this.#entry(r.path);
        return h === null ? null : h.kind;
      }
      case 'list': {
        const out: { name: string; kind: 'file' | 'directory'; ino: number }[] = [];
        for await (const [name, h] of (await this.#dir(r.path)).entries()) out.push({ name, kind: h.kind, ino: this.#ino([...r.path, name].join('/')) });
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      case 'stat': return this.#stat(r.path);
      case 'mkdir': {
        const parent = await this.#dir(r.path.slice(0, -1));
        if (await this.#entry(r.path) !== null) fail('InvalidModificationError', `${r.path.join('/')} exists`);
        await parent.getDirectoryHandle(r.path[r.path.length - 1]!, { create: true });
        this.#touch(r.path.slice(0, -1));
        this.#touch(r.path);
        return undefined;
      }
      case 'remove': {
        const h = await this.#entry(r.path);
        if (h === null) fail('NotFoundError', `${r.path.join('/')}: no such entry`);
        if (r.directory && h.kind !== 'directory') fail('TypeMismatchError', `${r.path.join('/')} is not a directory`);
        if (!r.directory && h.kind === 'directory') fail('TypeMismatchError', `${r.path.join('/')} is a directory`);
        if (this.#shared.has(r.path.join('/'))) fail('NoModificationAllowedError', `${r.path.join('/')} is open`);
        await (await this.#dir(r.path.slice(0, -1))).removeEntry(r.path[r.path.length - 1]!);
        this.#inos.delete(r.path.join('/'));
        this.#touch(r.path.slice(0, -1));
        return undefined;
      }
      case 'rename': return this.#rename(r.from, r.to);
      case 'open': return this.#openFile(r.path, r.options);
      case 'read': {
        const dst = new Uint8Array(r.length);
        const n = this.#file(r.fd).handle.read(dst, { at: r.position });
        return dst.subarray(0, n);
      }
      case 'write': {
        const f = this.#file(r.fd);
        const n = f.handle.write(r.data, { at: r.position });
        this.#wrote(f.key);
        return n;
      }
      case 'append': {
        const f = this.#file(r.fd);
        const at = f.handle.getSize();
        f.handle.write(r.data, { at });
        this.#wrote(f.key);
        return at;
      }
      case 'fstat': return this.#stat(this.#file(r.fd).path);
      case 'truncate': {
        const f = this.#file(r.fd);
        f.handle.truncate(r.size);
        this.#wrote(f.key);
        return undefined;
      }
      case 'flush': this.#file(r.fd).handle.flush(); return undefined;
      case 'close': {
        const f = this.#open.get(r.fd);
        if (f === undefined) return undefined;
        this.#open.delete(r.fd);
        const shared = this.#shared.get(f.key)!;
        if (--shared.refs === 0) {
          shared.handle.flush();
          shared.handle.close();
          this.#shared.delete(f.key);
        }
        return undefined;
      }
    }
  }
}
