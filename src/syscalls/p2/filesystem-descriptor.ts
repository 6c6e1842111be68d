/**
 * `wasi:filesystem/types.descriptor` and `directory-entry-stream` (layer:
 * syscalls): a descriptor is a kernel resource (an open directory or file)
 * held by the component, and every method is the kernel operation
 * preview 1's `fd_*`/`path_*` call makes, through the same path resolver
 * (kernel/fs-ops.ts), so the sandbox is the same: `..` above the
 * directory, absolute paths and symlinks out of it are `not-permitted`.
 *
 * What a descriptor may do follows wasmtime. A directory carries the
 * capabilities of the preopen it came from (reading; mutating, which the
 * preopen's rights grant), inherited by every directory opened beneath
 * it: mutating calls without it are `not-permitted`, and `open-at`
 * asking to write, create, truncate or mutate is `read-only` (the WIT's
 * own answer). A file carries the mode it was opened in: readable unless
 * opened for writing alone, writable when asked to write, create or
 * truncate; reading or writing outside that mode is `bad-descriptor`, as
 * the host's own refusal (EBADF) reaches the guest in wasmtime.
 *
 * Streams from a file hold it open (`HeldResource`): dropping the
 * descriptor closes the host file once no stream from it is left.
 */
import { DirectoryResource } from '../../kernel/directory-resource.js';
import * as ops from '../../kernel/fs-ops.js';
import type { Resource } from '../../kernel/resource.js';
import { guarded } from './filesystem-errors.js';
import {
  adviceOf, descriptorFlags, descriptorStatOf, descriptorTypeOf, syncFdflagsOf, timeSpecOf,
  type Advice, type DescriptorFlags, type DescriptorStat, type DescriptorType, type DirectoryEntry,
  type MetadataHasher, type MetadataHashValue, type NewTimestamp, type OpenFlags, type PathFlags,
} from './filesystem-values.js';
import { HeldResource, type HostContext } from './host-context.js';
import { fileSink, fileSource, InputStream, OutputStream } from './io.js';
import { DISPOSE, fail, lengthOf, MAX_LIST_BYTES } from './values.js';

/** What the filesystem interfaces of one component share. */
export interface FilesystemHost {
  readonly ctx: HostContext;
  readonly hasher: MetadataHasher;
}

/** What a directory descriptor may do (from its preopen). */
export interface DirectoryCapabilities {
  readonly read: boolean;
  readonly mutate: boolean;
}

/** The mode a file descriptor was opened in. */
interface FileMode {
  readonly read: boolean;
  readonly write: boolean;
}

type Open =
  | { readonly kind: 'directory'; readonly dir: DirectoryResource; readonly caps: DirectoryCapabilities }
  | { readonly kind: 'file'; readonly file: Resource; readonly mode: FileMode };

/** The largest file offset a JavaScript host can address. */
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

/** A guest file offset (and `len` bytes from it) as a number: `file-too-large` past what a host can address (as preview 1). */
function offsetOf(offset: bigint, len = 0): number {
  return offset + BigInt(len) > MAX_OFFSET ? fail('file-too-large') : Number(offset);
}

/** `wasi:filesystem/types.directory-entry-stream`: the entries of a directory as listed when it was asked for. */
export class DirectoryEntryStream {
  #next = 0;

  constructor(readonly entries: readonly DirectoryEntry[]) {}

  readDirectoryEntry(): DirectoryEntry | undefined {
    return this.entries[this.#next++];
  }

  [DISPOSE](): void {}
}

/**
 * The descriptor's methods that may call a filesystem backend: each runs
 * through `HostContext.blocking`, so that under JSPI, on an asynchronous
 * filesystem, it suspends the guest until the backend answers (jco's glue
 * is told to suspend on them: exec/component/transpile.ts).
 */
export const DESCRIPTOR_BACKEND_METHODS = [
  'readViaStream', 'writeViaStream', 'appendViaStream', 'advise', 'syncData', 'getFlags', 'getType', 'setSize', 'setTimes',
  'read', 'write', 'readDirectory', 'sync', 'createDirectoryAt', 'stat', 'statAt', 'setTimesAt', 'linkAt', 'openAt',
  'readlinkAt', 'removeDirectoryAt', 'renameAt', 'symlinkAt', 'unlinkFileAt', 'isSameObject', 'metadataHash', 'metadataHashAt',
] as const;

/** `wasi:filesystem/types.descriptor`. */
export class Descriptor {
  static {
    for (const name of DESCRIPTOR_BACKEND_METHODS) {
      const method = Descriptor.prototype[name] as (this: Descriptor, ...args: unknown[]) => unknown;
      Object.defineProperty(Descriptor.prototype, name, {
        configurable: true,
        writable: true,
        value: function (this: Descriptor, ...args: unknown[]): unknown {
          return this.#host.ctx.blocking(() => method.apply(this, args));
        },
      });
    }
  }

  readonly #host: FilesystemHost;
  readonly #held: HeldResource;
  readonly #open: Open;
  #dropped = false;

  private constructor(host: FilesystemHost, held: HeldResource, open: Open) {
    this.#host = host;
    this.#held = held;
    this.#open = open;
  }

  /** A descriptor for a preopened directory of the process's table (the table keeps it open). */
  static preopen(host: FilesystemHost, dir: DirectoryResource, caps: DirectoryCapabilities): Descriptor {
    return new Descriptor(host, HeldResource.borrowed(dir), { kind: 'directory', dir, caps });
  }

  /** The kernel resource behind this descriptor. */
  get resource(): Resource {
    return this.#held.resource;
  }

  readViaStream(offset: bigint): InputStream {
    return guarded(() => {
      this.#file(false);
      const at = BigInt(offsetOf(offset));
      return new InputStream(this.#host.ctx, fileSource(this.#held.retain(), at));
    });
  }

  writeViaStream(offset: bigint): OutputStream {
    return guarded(() => {
      this.#file(true);
      const at = BigInt(offsetOf(offset));
      return new OutputStream(this.#host.ctx, fileSink(this.#held.retain(), at));
    });
  }

  appendViaStream(): OutputStream {
    return guarded(() => {
      this.#file(true);
      return new OutputStream(this.#host.ctx, fileSink(this.#held.retain(), 'end'));
    });
  }

  advise(offset: bigint, length: bigint, advice: Advice): void {
    guarded(() => this.#anyFile().advise(offset, length, adviceOf(advice)));
  }

  syncData(): void {
    guarded(() => this.resource.datasync());
  }

  getFlags(): Required<DescriptorFlags> {
    return guarded(() => {
      const o = this.#open;
      if (o.kind === 'directory') return descriptorFlags(o.caps.read, false, o.caps.mutate, 0);
      return descriptorFlags(o.mode.read, o.mode.write, false, o.file.fdflags);
    });
  }

  getType(): DescriptorType {
    return descriptorTypeOf(this.resource.filetype);
  }

  setSize(size: bigint): void {
    guarded(() => this.#file(true).setSize(offsetOf(size)));
  }

  setTimes(dataAccessTimestamp: NewTimestamp, dataModificationTimestamp: NewTimestamp): void {
    guarded(() => {
      const o = this.#open;
      if (o.kind === 'directory' && !o.caps.mutate) fail('not-permitted');
      this.resource.setTimes(timeSpecOf(dataAccessTimestamp), timeSpecOf(dataModificationTimestamp));
    });
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    return guarded(() => {
      const file = this.#file(false);
      const at = offsetOf(offset);
      const want = lengthOf(length, MAX_LIST_BYTES);
      const buf = new Uint8Array(want);
      const n = want === 0 ? 0 : file.pread([buf], at);
      // A regular file reads short only at its end.
      return [n === want ? buf : buf.slice(0, n), n < want || n === 0];
    });
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    return guarded(() => {
      const file = this.#file(true);
      const at = offsetOf(offset, buffer.length);
      let done = 0;
      while (done < buffer.length) {
        const n = file.pwrite([buffer.subarray(done)], at + done);
        if (n === 0) break;
        done += n;
      }
      return BigInt(done);
    });
  }

  readDirectory(): DirectoryEntryStream {
    return guarded(() => {
      const d = this.#directory();
      if (!d.caps.read) fail('not-permitted');
      const entries = d.dir.node.list()
        .filter((e) => e.name !== '.' && e.name !== '..')
        .map((e): DirectoryEntry => ({ type: descriptorTypeOf(e.filetype), name: e.name }));
      return new DirectoryEntryStream(entries);
    });
  }

  sync(): void {
    guarded(() => this.resource.sync());
  }

  createDirectoryAt(path: string): void {
    guarded(() => ops.mkdirAt(this.#mutable(), path));
  }

  stat(): DescriptorStat {
    return guarded(() => descriptorStatOf(this.resource.stat()));
  }

  statAt(pathFlags: PathFlags, path: string): DescriptorStat {
    return guarded(() => descriptorStatOf(ops.statAt(this.#readable(), path, pathFlags.symlinkFollow === true)));
  }

  setTimesAt(pathFlags: PathFlags, path: string, dataAccessTimestamp: NewTimestamp, dataModificationTimestamp: NewTimestamp): void {
    guarded(() => {
      const dir = this.#mutable();
      const a = timeSpecOf(dataAccessTimestamp);
      const m = timeSpecOf(dataModificationTimestamp);
      ops.setTimesAt(dir, path, pathFlags.symlinkFollow === true, a, m);
    });
  }

  linkAt(oldPathFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const target = Descriptor.#of(newDescriptor);
    guarded(() => {
      const from = this.#mutable();
      const to = target.#mutable();
      ops.linkAt(from, oldPath, oldPathFlags.symlinkFollow === true, to, newPath);
    });
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    return guarded(() => {
      const d = this.#directory();
      if (!d.caps.read) fail('not-permitted');
      const create = openFlags.create === true;
      const directory = openFlags.directory === true;
      const exclusive = openFlags.exclusive === true;
      const truncate = openFlags.truncate === true;
      const writeAsked = flags.write === true;
      if (!d.caps.mutate && (create || truncate || writeAsked || flags.mutateDirectory === true)) fail('read-only');
      if (directory && (create || exclusive || truncate)) fail('invalid');
      // As wasmtime: readable unless opened for writing alone; creating or truncating opens for writing.
      const mode: FileMode = { read: flags.read === true || !writeAsked, write: writeAsked || create || truncate };
      const resource = ops.openAt(d.dir, path, {
        follow: pathFlags.symlinkFollow === true,
        create, directory, exclusive, truncate,
        read: mode.read,
        write: mode.write,
        fdflags: syncFdflagsOf(flags),
      });
      const held = this.#host.ctx.own(resource);
      if (resource instanceof DirectoryResource) {
        return new Descriptor(this.#host, held, { kind: 'directory', dir: resource, caps: d.caps });
      }
      return new Descriptor(this.#host, held, { kind: 'file', file: resource, mode });
    });
  }

  readlinkAt(path: string): string {
    return guarded(() => ops.readlinkAt(this.#readable(), path));
  }

  removeDirectoryAt(path: string): void {
    guarded(() => ops.rmdirAt(this.#mutable(), path));
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const target = Descriptor.#of(newDescriptor);
    guarded(() => {
      const from = this.#mutable();
      const to = target.#mutable();
      ops.renameAt(from, oldPath, to, newPath);
    });
  }

  symlinkAt(oldPath: string, newPath: string): void {
    guarded(() => ops.symlinkAt(oldPath, this.#mutable(), newPath));
  }

  unlinkFileAt(path: string): void {
    guarded(() => ops.unlinkAt(this.#mutable(), path));
  }

  isSameObject(other: Descriptor): boolean {
    const that = Descriptor.#of(other);
    if (that.resource === this.resource) return true;
    try {
      const a = this.resource.stat();
      const b = that.resource.stat();
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      // Not a result: a descriptor whose file cannot be looked at is the same as nothing.
      return false;
    }
  }

  metadataHash(): MetadataHashValue {
    return guarded(() => this.#host.hasher.hash(this.resource.stat()));
  }

  metadataHashAt(pathFlags: PathFlags, path: string): MetadataHashValue {
    return guarded(() => this.#host.hasher.hash(ops.statAt(this.#directory().dir, path, pathFlags.symlinkFollow === true)));
  }

  /** The guest dropped the descriptor: the kernel resource closes once no stream from it is left. */
  [DISPOSE](): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.#held.release();
  }

  /** `other` as a descriptor of this host (a borrowed handle the glue lifted): anything else is a trap. */
  static #of(other: Descriptor): Descriptor {
    if (!(other instanceof Descriptor)) throw new TypeError('wasi:filesystem: not a descriptor');
    return other;
  }

  /** The directory, for a path call: a file is `not-directory` (as wasmtime). */
  #directory(): { dir: DirectoryResource; caps: DirectoryCapabilities } {
    const o = this.#open;
    return o.kind === 'directory' ? o : fail('not-directory');
  }

  #readable(): DirectoryResource {
    const d = this.#directory();
    return d.caps.read ? d.dir : fail('not-permitted');
  }

  #mutable(): DirectoryResource {
    const d = this.#directory();
    return d.caps.mutate ? d.dir : fail('not-permitted');
  }

  /** The file, for a call on a file: a directory is `bad-descriptor` (as wasmtime). */
  #anyFile(): Resource {
    const o = this.#open;
    return o.kind === 'file' ? o.file : fail('bad-descriptor');
  }

  /** The file, open for writing (`write`) or reading: otherwise `bad-descriptor`, as POSIX's EBADF. */
  #file(write: boolean): Resource {
    const o = this.#open;
    if (o.kind !== 'file' || !(write ? o.mode.write : o.mode.read)) fail('bad-descriptor');
    return o.file;
  }
}
