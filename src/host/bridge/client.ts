/**
 * The calling side of a host bridge (layer: host): synchronous proxies for
 * objects that live on another thread. Each call posts a message and
 * sleeps in `Atomics.wait` on the shared cell until the owning side
 * (host-side.ts) has posted the reply, which is then taken with a
 * synchronous receive (Node's `receiveMessageOnPort`, given by the caller,
 * so this module stays platform-neutral).
 *
 * The proxies implement Kiln's synchronous host interfaces (FileSystem
 * nodes and handles, streams, clocks, random, a trace sink), so the kernel
 * uses them like any local backend. Errors come back as the same WasiError
 * errno or Node `code`, so host-errors.ts maps them as it would locally.
 */
import { FileType, type ClockId } from '../../abi/constants.js';
import { Errno, WasiError } from '../../abi/errno.js';
import type { Clocks } from '../clocks.js';
import type {
  DirEntry, FileHandle, FileStat, FileSystem, FsDirectory, FsNode, FsSymlink, OpenOptions, TimeSpec,
} from '../fs/types.js';
import type { RandomSource } from '../random.js';
import type { InputStream, OutputStream } from '../stdio.js';
import type { TraceSink } from '../stdio.js';
import { CELL_REPLY_READY } from './host-side.js';
import {
  decodeError, protocolError, type CallArg, type CallMessage, type FilledReply, type HandleId, type NodeRef, type ReplyMessage,
} from './protocol.js';

/** How the calling side reaches the owner: post a message, and take a reply synchronously if one is there. */
export interface SyncChannel {
  post(message: CallMessage): void;
  /** The next message on the reply port, or undefined if none has arrived. */
  receive(): unknown;
}

export class BridgeClient {
  #seq = 0;
  #released: HandleId[] = [];
  /** The live proxy of each handle (one per handle, so releasing a handle never strands another proxy). */
  readonly #proxies = new Map<HandleId, WeakRef<object>>();
  readonly #registry = new FinalizationRegistry<HandleId>((id) => {
    if (this.#proxies.get(id)?.deref() !== undefined) return; // a newer proxy of the same handle
    this.#proxies.delete(id);
    this.#released.push(id);
  });
  /** Calls made (for figures and tests). */
  calls = 0;

  constructor(readonly channel: SyncChannel, readonly cell: Int32Array) {}

  /** Runs `method` on handle `h` on the owning thread and returns its result, or throws its error. */
  call(h: HandleId, method: string, args: CallArg[]): unknown {
    const seq = ++this.#seq;
    const msg: CallMessage = { seq, h, m: method, a: args };
    if (this.#released.length > 0) {
      msg.rel = this.#released;
      this.#released = [];
    }
    this.calls++;
    Atomics.store(this.cell, 0, 0);
    this.channel.post(msg);
    for (;;) {
      while (Atomics.load(this.cell, 0) !== CELL_REPLY_READY) Atomics.wait(this.cell, 0, 0);
      const reply = this.channel.receive() as ReplyMessage | undefined;
      if (reply === undefined) {
        // The wake-up can only follow the post; wait for the message itself.
        Atomics.wait(this.cell, 0, CELL_REPLY_READY, 1);
        continue;
      }
      if (reply.seq !== seq) throw protocolError(`reply ${reply.seq} for call ${seq}`);
      if (reply.ok) return reply.v;
      throw decodeError(reply.e);
    }
  }

  /**
   * Lets the owner drop handle `h` once `proxy` is garbage-collected. (The
   * collector's callbacks run when this thread's event loop turns, i.e.
   * after the guest: until then, handles of objects the owner returns
   * afresh on every call accumulate on its side.)
   */
  track(proxy: object, h: HandleId): void {
    this.#proxies.set(h, new WeakRef(proxy));
    const i = this.#released.indexOf(h);
    if (i >= 0) this.#released.splice(i, 1);
    this.#registry.register(proxy, h);
  }

  /** A proxy for a node described by a reply (the same proxy for the same handle). */
  node(ref: NodeRef): FsNode {
    const live = this.#proxies.get(ref.$h)?.deref();
    if (live instanceof BridgedNode && live.filetype === ref.t) return live;
    const n = ref.t === FileType.DIRECTORY
      ? new BridgedDirectory(this, ref.$h, ref.ls)
      : ref.t === FileType.SYMBOLIC_LINK
        ? new BridgedSymlink(this, ref.$h, ref.t, ref.ls)
        : new BridgedNode(this, ref.$h, ref.t, ref.ls);
    this.track(n, ref.$h);
    return n;
  }

  /** The filesystem whose root directory is handle `root`. */
  fileSystem(root: HandleId): FileSystem {
    // Synchronous: each call waits here while the owning thread runs (and awaits) the real one.
    return { root: new BridgedDirectory(this, root, false), synchronous: true };
  }
}

function filled(v: unknown, dst: Uint8Array): number {
  const r = v as FilledReply;
  if (typeof r?.n !== 'number' || !(r.bytes instanceof Uint8Array)) throw protocolError('bad filled-buffer reply');
  dst.set(r.bytes.subarray(0, dst.byteLength));
  return r.n;
}

/** Bytes to send: a copy of just the view (cloning a view would copy its whole buffer, e.g. guest memory). */
function bytesArg(src: Uint8Array): Uint8Array {
  return src.slice();
}

class BridgedNode implements FsNode {
  lookupStat?: () => FileStat;

  constructor(readonly client: BridgeClient, readonly handle: HandleId, readonly filetype: FileType, hasLookupStat: boolean) {
    if (hasLookupStat) this.lookupStat = () => this.client.call(this.handle, 'lookupStat', []) as FileStat;
  }

  stat(): FileStat { return this.client.call(this.handle, 'stat', []) as FileStat; }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.client.call(this.handle, 'setTimes', [atim, mtim]); }
}

class BridgedSymlink extends BridgedNode implements FsSymlink {
  readlink(): string { return this.client.call(this.handle, 'readlink', []) as string; }
}

class BridgedDirectory extends BridgedNode implements FsDirectory {
  constructor(client: BridgeClient, handle: HandleId, hasLookupStat: boolean) {
    super(client, handle, FileType.DIRECTORY, hasLookupStat);
  }

  lookup(name: string): FsNode | null {
    const ref = this.client.call(this.handle, 'lookup', [name]) as NodeRef | null;
    return ref === null ? null : this.client.node(ref);
  }

  list(): DirEntry[] { return this.client.call(this.handle, 'list', []) as DirEntry[]; }
  mkdir(name: string): void { this.client.call(this.handle, 'mkdir', [name]); }

  open(name: string, options: OpenOptions): FileHandle {
    const o: OpenOptions = {
      read: options.read, write: options.write, create: options.create,
      exclusive: options.exclusive, truncate: options.truncate,
    };
    const ref = this.client.call(this.handle, 'open', [name, o]) as { $h: HandleId };
    const f = new BridgedFile(this.client, ref.$h);
    this.client.track(f, ref.$h);
    return f;
  }

  symlink(name: string, target: string): void { this.client.call(this.handle, 'symlink', [name, target]); }

  link(name: string, existing: FsNode): void {
    this.client.call(this.handle, 'link', [name, { $h: handleOf(existing, this.client) }]);
  }

  unlink(name: string): void { this.client.call(this.handle, 'unlink', [name]); }
  rmdir(name: string): void { this.client.call(this.handle, 'rmdir', [name]); }

  rename(name: string, toDir: FsDirectory, toName: string): void {
    this.client.call(this.handle, 'rename', [name, { $h: handleOf(toDir, this.client) }, toName]);
  }
}

/** The handle of a node of the same bridge; a node of another filesystem cannot be linked or renamed into. */
function handleOf(node: FsNode, client: BridgeClient): HandleId {
  if (!(node instanceof BridgedNode) || node.client !== client) throw new WasiError(Errno.XDEV);
  return node.handle;
}

class BridgedFile implements FileHandle {
  constructor(readonly client: BridgeClient, readonly handle: HandleId) {}
  read(dst: Uint8Array, position: number): number {
    return filled(this.client.call(this.handle, 'read', [{ $out: dst.byteLength }, position]), dst);
  }
  write(src: Uint8Array, position: number): number { return this.client.call(this.handle, 'write', [bytesArg(src), position]) as number; }
  append(src: Uint8Array): number { return this.client.call(this.handle, 'append', [bytesArg(src)]) as number; }
  stat(): FileStat { return this.client.call(this.handle, 'stat', []) as FileStat; }
  setSize(size: number): void { this.client.call(this.handle, 'setSize', [size]); }
  setTimes(atim: TimeSpec, mtim: TimeSpec): void { this.client.call(this.handle, 'setTimes', [atim, mtim]); }
  allocate(offset: number, len: number): void { this.client.call(this.handle, 'allocate', [offset, len]); }
  sync(): void { this.client.call(this.handle, 'sync', []); }
  datasync(): void { this.client.call(this.handle, 'datasync', []); }
  close(): void { this.client.call(this.handle, 'close', []); }
}

/** An output stream on the owning thread; `filetype` and `bufferable` were read there once. */
export function bridgedOutput(client: BridgeClient, h: HandleId, filetype: FileType, bufferable: boolean): OutputStream {
  return {
    filetype,
    bufferable,
    write: (data) => client.call(h, 'write', [bytesArg(data)]) as number,
  };
}

export function bridgedInput(client: BridgeClient, h: HandleId, filetype: FileType, hasAvailable: boolean): InputStream {
  const s: InputStream = {
    filetype,
    read: (dst) => filled(client.call(h, 'read', [{ $out: dst.byteLength }]), dst),
  };
  if (hasAvailable) s.available = () => client.call(h, 'available', []) as number | undefined;
  return s;
}

export function bridgedClocks(client: BridgeClient, h: HandleId): Clocks {
  return {
    now: (id: ClockId) => client.call(h, 'now', [id]) as bigint,
    resolution: (id: ClockId) => client.call(h, 'resolution', [id]) as bigint,
  };
}

export function bridgedRandom(client: BridgeClient, h: HandleId): RandomSource {
  return (dst) => { filled(client.call(h, 'fill', [{ $out: dst.byteLength }]), dst); };
}

export function bridgedTrace(client: BridgeClient, h: HandleId): TraceSink {
  return (line) => { client.call(h, 'line', [line]); };
}
