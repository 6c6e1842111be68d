/**
 * The owning side of a host bridge (layer: host): runs on the thread where
 * the real objects live (the embedder's), keeps the handle table, runs each
 * call on the real object, awaits it when it returns a Promise (so an
 * asynchronous backend serves a synchronous guest), and posts the reply,
 * then wakes the calling thread through the shared cell.
 *
 * Calls arrive one at a time (the calling thread waits for each reply), so
 * no two calls of one bridge overlap.
 */
import { FileType } from '../../abi/constants.js';
import { Errno, WasiError } from '../../abi/errno.js';
import type { Clocks } from '../clocks.js';
import type { AsyncFileHandle, AsyncFsDirectory, AsyncFsNode, AsyncFsSymlink } from '../async-backend.js';
import type { RandomSource } from '../random.js';
import type { InputStream, OutputStream } from '../stdio.js';
import type { TraceSink } from '../stdio.js';
import {
  encodeError, isHandleArg, isOutBufferArg, protocolError,
  type CallArg, type CallMessage, type FilledReply, type HandleId, type HandleKind, type NodeRef, type ReplyMessage,
} from './protocol.js';

/** Objects a handle can name, by kind. */
interface Entries {
  dir: AsyncFsDirectory;
  node: AsyncFsNode;
  symlink: AsyncFsSymlink;
  file: AsyncFileHandle;
  out: OutputStream;
  in: InputStream;
  clocks: Clocks;
  random: RandomSource;
  trace: TraceSink;
}

type Entry = { [K in HandleKind]: { kind: K; obj: Entries[K] } }[HandleKind];

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Index 0 of the cell: 0 while a call is in flight, 1 once its reply is posted. */
export const CELL_REPLY_READY = 1;

export class BridgeHost {
  readonly #table = new Map<HandleId, Entry>();
  /** One handle per object (a filesystem that returns the same node twice gives the same handle). */
  readonly #ids = new WeakMap<object, HandleId>();
  #next = 1;
  /** Calls served (for figures and tests). */
  calls = 0;

  /**
   * @param post posts a reply to the calling side.
   * @param cell the shared wake-up cell (an Int32Array over a SharedArrayBuffer).
   */
  constructor(readonly post: (reply: ReplyMessage) => void, readonly cell: Int32Array) {}

  /** Registers an object and returns its handle. */
  register<K extends HandleKind>(kind: K, obj: Entries[K]): HandleId {
    const known = this.#ids.get(obj);
    if (known !== undefined && this.#table.get(known)?.kind === kind) return known;
    const id = this.#next++;
    this.#table.set(id, { kind, obj } as Entry);
    this.#ids.set(obj, id);
    return id;
  }

  #release(id: HandleId): void {
    const e = this.#table.get(id);
    if (e === undefined) return;
    this.#table.delete(id);
    if (this.#ids.get(e.obj) === id) this.#ids.delete(e.obj);
  }

  /** Number of live handles (objects the other side may still call). */
  get size(): number { return this.#table.size; }

  /** Serves one call message; replies at once when the real call is synchronous. */
  serve(msg: CallMessage): void {
    this.calls++;
    if (msg.rel !== undefined) for (const id of msg.rel) this.#release(id);
    let result: unknown;
    try {
      result = this.#dispatch(msg);
    } catch (e) {
      this.#reply({ seq: msg.seq, ok: false, e: encodeError(e) });
      return;
    }
    if (isPromiseLike(result)) {
      Promise.resolve(result).then(
        (v) => this.#reply({ seq: msg.seq, ok: true, v }),
        (e: unknown) => this.#reply({ seq: msg.seq, ok: false, e: encodeError(e) }),
      );
    } else {
      this.#reply({ seq: msg.seq, ok: true, v: result });
    }
  }

  #reply(reply: ReplyMessage): void {
    try {
      this.post(reply);
    } catch (e) {
      // A value that cannot be cloned: report it as the call's failure.
      this.post({ seq: reply.seq, ok: false, e: encodeError(protocolError(`reply not transferable: ${String(e)}`)) });
    }
    Atomics.store(this.cell, 0, CELL_REPLY_READY);
    Atomics.notify(this.cell, 0);
  }

  #get(id: HandleId): Entry {
    const e = this.#table.get(id);
    if (e === undefined) throw protocolError(`unknown handle ${id}`);
    return e;
  }

  #arg<K extends HandleKind>(a: CallArg | undefined, ...kinds: K[]): Entries[K] {
    if (!isHandleArg(a)) throw protocolError('expected a handle argument');
    const e = this.#get(a.$h);
    if (!(kinds as HandleKind[]).includes(e.kind)) throw new WasiError(Errno.XDEV);
    return e.obj as Entries[K];
  }

  /** A node returned by a lookup becomes a handle of the kind its file type says. */
  #nodeRef(node: AsyncFsNode): NodeRef {
    const t = node.filetype;
    const kind: HandleKind = t === FileType.DIRECTORY ? 'dir' : t === FileType.SYMBOLIC_LINK ? 'symlink' : 'node';
    const id = this.register(kind, node as AsyncFsDirectory);
    return { $h: id, t, ls: typeof node.lookupStat === 'function' };
  }

  #then<T, R>(v: T | PromiseLike<T>, f: (v: T) => R): R | Promise<R> {
    return isPromiseLike(v) ? Promise.resolve(v).then(f) : f(v);
  }

  #filled(len: CallArg | undefined, fill: (dst: Uint8Array) => number | PromiseLike<number>): FilledReply | Promise<FilledReply> {
    if (!isOutBufferArg(len)) throw protocolError('expected an output buffer argument');
    const dst = new Uint8Array(len.$out);
    return this.#then(fill(dst), (n) => ({ n, bytes: dst.subarray(0, Math.max(0, Math.min(n, dst.byteLength))) }));
  }

  #dispatch(msg: CallMessage): unknown {
    const entry = this.#get(msg.h);
    const a = msg.a;
    const m = msg.m;
    switch (entry.kind) {
      case 'dir': {
        const d = entry.obj;
        switch (m) {
          case 'lookup': return this.#then(d.lookup(a[0] as string), (n) => (n === null ? null : this.#nodeRef(n)));
          case 'list': return d.list();
          case 'mkdir': return d.mkdir(a[0] as string);
          case 'open': return this.#then(d.open(a[0] as string, a[1] as Parameters<AsyncFsDirectory['open']>[1]),
            (h): { $h: HandleId } => ({ $h: this.register('file', h) }));
          case 'symlink': return d.symlink(a[0] as string, a[1] as string);
          case 'link': return d.link(a[0] as string, this.#arg(a[1], 'dir', 'node', 'symlink'));
          case 'unlink': return d.unlink(a[0] as string);
          case 'rmdir': return d.rmdir(a[0] as string);
          case 'rename': return d.rename(a[0] as string, this.#arg(a[1], 'dir'), a[2] as string);
        }
        return this.#nodeCall(d, m, a);
      }
      case 'symlink':
        if (m === 'readlink') return entry.obj.readlink();
        return this.#nodeCall(entry.obj, m, a);
      case 'node':
        return this.#nodeCall(entry.obj, m, a);
      case 'file': {
        const f = entry.obj;
        switch (m) {
          case 'read': return this.#filled(a[0], (dst) => f.read(dst, a[1] as number));
          case 'write': return f.write(a[0] as Uint8Array, a[1] as number);
          case 'append': return f.append(a[0] as Uint8Array);
          case 'stat': return f.stat();
          case 'setSize': return f.setSize(a[0] as number);
          case 'setTimes': return f.setTimes(a[0] as bigint | 'now' | null, a[1] as bigint | 'now' | null);
          case 'allocate': return f.allocate(a[0] as number, a[1] as number);
          case 'sync': return f.sync();
          case 'datasync': return f.datasync();
          case 'close': {
            this.#release(msg.h);
            return f.close();
          }
        }
        break;
      }
      case 'out':
        if (m === 'write') return entry.obj.write(a[0] as Uint8Array);
        break;
      case 'in': {
        const s = entry.obj;
        if (m === 'read') return this.#filled(a[0], (dst) => (s.readAsync !== undefined ? s.readAsync(dst) : s.read(dst)));
        if (m === 'available') return s.available?.();
        break;
      }
      case 'clocks':
        if (m === 'now') return entry.obj.now(a[0] as never);
        if (m === 'resolution') return entry.obj.resolution(a[0] as never);
        break;
      case 'random':
        if (m === 'fill') return this.#filled(a[0], (dst) => { (entry.obj)(dst); return dst.byteLength; });
        break;
      case 'trace':
        if (m === 'line') return entry.obj(a[0] as string);
        break;
    }
    throw protocolError(`no method ${m} on a ${entry.kind} handle`);
  }

  #nodeCall(n: AsyncFsNode, m: string, a: CallArg[]): unknown {
    switch (m) {
      case 'stat': return n.stat();
      case 'lookupStat': return n.lookupStat !== undefined ? n.lookupStat() : n.stat();
      case 'setTimes': return n.setTimes(a[0] as bigint | 'now' | null, a[1] as bigint | 'now' | null);
    }
    throw protocolError(`no method ${m} on a filesystem node`);
  }
}
