/**
 * The host bridge's wire format (layer: host). A bridge lets code on one
 * thread (a guest's kernel in a worker) use objects that exist only on
 * another (the embedder's filesystem, streams, clocks), synchronously: the
 * calling side posts a call and sleeps in `Atomics.wait` until the owning
 * side has run it (awaiting it if it returned a Promise) and posted the
 * reply. Everything here is structured-cloneable data.
 *
 * Objects cross as *handles*: numbers naming an entry in the owning side's
 * table. An object a bridged call returns (a filesystem node, an open file)
 * becomes a new handle; an object passed as an argument (the target
 * directory of `rename`) is sent as its handle and resolved back to the
 * real object by the owner.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { FileType } from '../../abi/constants.js';

export type HandleId = number;

/** What a handle names, which decides the methods it answers. */
export type HandleKind = 'dir' | 'node' | 'symlink' | 'file' | 'out' | 'in' | 'clocks' | 'random' | 'trace';

/** An argument naming a handle (e.g. `rename`'s target directory). */
export interface HandleArg { $h: HandleId }

/** An argument for a buffer the callee fills: only its length crosses; the bytes come back in the reply. */
export interface OutBufferArg { $out: number }

/** Reply value of a call that filled a buffer. */
export interface FilledReply { n: number; bytes: Uint8Array }

/** A filesystem node returned by a call: its handle, type, and whether it has `lookupStat`. */
export interface NodeRef { $h: HandleId; t: FileType; ls: boolean }

export type CallArg = string | number | bigint | boolean | null | Uint8Array | HandleArg | OutBufferArg | object;

export interface CallMessage {
  seq: number;
  h: HandleId;
  m: string;
  a: CallArg[];
  /** Handles the caller no longer uses (piggybacked on the next call). */
  rel?: HandleId[];
}

/** An error as it crosses: WasiError keeps its errno, a Node error its `code`. */
export interface EncodedError {
  name: string;
  message: string;
  errno?: number;
  code?: string;
  stack?: string;
}

export type ReplyMessage =
  | { seq: number; ok: true; v: unknown }
  | { seq: number; ok: false; e: EncodedError };

/** Encodes a thrown value so that host-errors.ts maps it the same on the other side. */
export function encodeError(e: unknown): EncodedError {
  if (e instanceof WasiError) return { name: 'WasiError', message: e.message, errno: e.errno };
  const out: EncodedError = { name: 'Error', message: String(e) };
  if (e instanceof Error) {
    out.name = e.name;
    out.message = e.message;
    if (e.stack !== undefined) out.stack = e.stack;
  }
  if (e !== null && typeof e === 'object' && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string') out.code = code;
  }
  return out;
}

/** The error to throw for an encoded one: a WasiError with its errno, or an Error with its `code`. */
export function decodeError(e: EncodedError): Error {
  if (e.errno !== undefined) {
    const w = new WasiError(e.errno as Errno);
    w.message = e.message;
    return w;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

/** The errno for a reply that is not what the protocol says it must be (a bug on the other side). */
export function protocolError(detail: string): WasiError {
  return new WasiError(Errno.IO, `host bridge: ${detail}`);
}

export function isHandleArg(v: unknown): v is HandleArg {
  return typeof v === 'object' && v !== null && typeof (v as { $h?: unknown }).$h === 'number';
}

export function isOutBufferArg(v: unknown): v is OutBufferArg {
  return typeof v === 'object' && v !== null && typeof (v as { $out?: unknown }).$out === 'number';
}
