/**
 * `wasi:http/types` messages and bodies (layer: syscalls): the requests and
 * responses a component receives and sends, as WASI 0.2 shapes them.
 *
 * A body the host hands in (a request `kiln serve` received, a response an
 * outgoing request got) is read through a `wasi:io` input stream over a
 * `ByteSource`; a body the guest writes goes through a `wasi:io` output
 * stream into a `BodySink`, which keeps it for the host to send once the
 * guest `finish`es it. Each child (a body, its stream) can be taken once,
 * as the interface says; a second take is `err`.
 */
import { concatBytes } from '../../abi/bytes.js';
import { Fields, type FieldEntry } from './http-fields.js';
import type { HostContext } from './host-context.js';
import { InputStream, OutputStream, Pollable, type ByteSink, type ByteSource } from './io.js';
import { DISPOSE, fail } from './values.js';

/** `wasi:http/types.method`. */
export type Method =
  | { tag: 'get' | 'head' | 'post' | 'put' | 'delete' | 'connect' | 'options' | 'trace' | 'patch' }
  | { tag: 'other'; val: string };

/** `wasi:http/types.scheme`. */
export type Scheme = { tag: 'HTTP' } | { tag: 'HTTPS' } | { tag: 'other'; val: string };

/** `wasi:http/types.error-code` (the cases Kiln gives; the guest may give any). */
export type HttpErrorCode = { tag: string; val?: unknown };

const KNOWN_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);

/** The `method` of an HTTP method's name. */
export function methodOf(name: string): Method {
  const lower = name.toLowerCase();
  return KNOWN_METHODS.has(lower) && name === name.toUpperCase() ? { tag: lower } as Method : { tag: 'other', val: name };
}

/** The HTTP name of a `method`. */
export function methodName(m: Method): string {
  return m.tag === 'other' ? m.val : m.tag.toUpperCase();
}

/** The bytes of a body, kept as the guest writes them. */
export class BodySink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  size = 0;

  write(src: Uint8Array): number {
    this.chunks.push(src.slice());
    this.size += src.length;
    return src.length;
  }

  ready(): boolean { return true; }

  release(): void {}

  /** Everything written, in one array. */
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** Bytes held in memory, read in order. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let at = 0;
  return {
    read: (dst) => {
      const n = Math.min(dst.length, bytes.length - at);
      dst.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    ready: () => true,
    release: () => {},
  };
}

/** An incoming body's trailers as far as they are known: `pending` until the body has been received to its end. */
export type TrailersState = { tag: 'pending' } | { tag: 'ok'; val: FieldEntry[] | undefined } | { tag: 'err'; val: HttpErrorCode };

/** Where an incoming body's trailers come from (asked again until they are known), and how its source is let go. */
export interface TrailersSource {
  /** The trailers now: asking may read (and drop) what is left of the body. */
  poll(): TrailersState;
  /** The body and its trailers are no longer wanted. */
  release(): void;
}

/** A body without trailers whose source holds nothing. */
const NO_TRAILERS: TrailersSource = { poll: () => ({ tag: 'ok', val: undefined }), release: () => {} };

/** `wasi:http/types.future-trailers`: the trailers of an incoming body, once it has been received to its end. */
export class FutureTrailers {
  #taken = false;

  constructor(readonly ctx: HostContext, readonly source: TrailersSource) {}

  subscribe(): Pollable { return new Pollable(this.ctx, () => this.source.poll().tag !== 'pending'); }

  get(): unknown {
    const state = this.source.poll();
    if (state.tag === 'pending') return undefined;
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    this.source.release();
    if (state.tag === 'err') return { tag: 'ok', val: { tag: 'err', val: state.val } };
    return { tag: 'ok', val: { tag: 'ok', val: state.val === undefined ? undefined : Fields.received(state.val) } };
  }

  [DISPOSE](): void {
    this.source.release();
  }
}

/**
 * `wasi:http/types.incoming-body`: a body the host hands in, read once
 * through its stream; `finish` gives its trailers. The source is let go
 * when the body is dropped, or when its trailers are (the stream's drop
 * leaves it: the trailers come after the bytes).
 */
export class IncomingBody {
  #stream: InputStream | undefined;
  #finished = false;

  constructor(readonly ctx: HostContext, readonly source: ByteSource, readonly trailers: TrailersSource = NO_TRAILERS) {}

  stream(): InputStream {
    if (this.#stream !== undefined) fail(undefined);
    this.#stream = new InputStream(this.ctx, { ...this.source, release: () => {} });
    return this.#stream;
  }

  static finish(body: IncomingBody): FutureTrailers {
    body.#finished = true;
    return new FutureTrailers(body.ctx, body.trailers);
  }

  [DISPOSE](): void {
    if (!this.#finished) this.trailers.release();
  }
}

/** What every message the guest builds (an outgoing request or response) shares: its headers and its one body. */
export abstract class OutgoingMessage {
  #body: OutgoingBody | undefined;

  constructor(readonly ctx: HostContext, readonly fields: Fields) {}

  headers(): Fields { return this.fields.frozen(); }

  body(): OutgoingBody {
    if (this.#body !== undefined) fail(undefined);
    this.#body = new OutgoingBody(this.ctx);
    return this.#body;
  }

  /** The body the guest took (undefined: it took none, so the message has an empty one). */
  get takenBody(): OutgoingBody | undefined { return this.#body; }
}

/** `wasi:http/types.outgoing-body`: written once through its stream, then finished (with trailers, or none). */
export class OutgoingBody {
  readonly sink = new BodySink();
  #stream: OutputStream | undefined;
  finished = false;
  /** The trailers `finish` gave. */
  trailers: FieldEntry[] | undefined;

  constructor(readonly ctx: HostContext) {}

  write(): OutputStream {
    if (this.#stream !== undefined) fail(undefined);
    this.#stream = new OutputStream(this.ctx, this.sink);
    return this.#stream;
  }

  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    body.finished = true;
    body.trailers = trailers?.entries();
  }
}

/** `wasi:http/types.outgoing-response`: built by a component's incoming handler. */
export class OutgoingResponse extends OutgoingMessage {
  #status = 200;

  statusCode(): number { return this.#status; }

  setStatusCode(status: number): void {
    if (status < 100 || status > 999) fail(undefined);
    this.#status = status;
  }
}

/** A request the host received, as it hands it to a component. */
export interface ReceivedRequest {
  /** The method, as sent (`GET`, `POST`, or any other token). */
  method: string;
  /** The request target: path and query (`/a/b?c=d`). */
  pathWithQuery: string;
  /** How it arrived. */
  scheme: 'http' | 'https';
  /** The host (and port) it was sent to: the `Host` header. */
  authority: string;
  /** The header fields, in order, as sent. */
  headers: FieldEntry[];
  /** The whole body. */
  body: Uint8Array;
  /** The trailer fields that followed it, in order (none: undefined). */
  trailers?: FieldEntry[];
}

/** `wasi:http/types.incoming-request`: a request the host received. */
export class IncomingRequest {
  #consumed = false;

  constructor(readonly ctx: HostContext, readonly request: ReceivedRequest) {}

  method(): Method { return methodOf(this.request.method); }

  pathWithQuery(): string | undefined { return this.request.pathWithQuery; }

  scheme(): Scheme { return this.request.scheme === 'https' ? { tag: 'HTTPS' } : { tag: 'HTTP' }; }

  authority(): string | undefined { return this.request.authority; }

  headers(): Fields { return Fields.received(this.request.headers); }

  consume(): IncomingBody {
    if (this.#consumed) fail(undefined);
    this.#consumed = true;
    const trailers = this.request.trailers;
    return new IncomingBody(this.ctx, bytesSource(this.request.body), { poll: () => ({ tag: 'ok', val: trailers }), release: () => {} });
  }
}

/** What a component answered through its `response-outparam`. */
export type ResponseOutcome = { tag: 'ok'; val: OutgoingResponse } | { tag: 'err'; val: HttpErrorCode };

/** `wasi:http/types.response-outparam`: where an incoming handler puts its response. */
export class ResponseOutparam {
  outcome: ResponseOutcome | undefined;

  sendInformational(): void {
    fail<HttpErrorCode>({ tag: 'internal-error', val: 'informational responses are not sent' });
  }

  static set(param: ResponseOutparam, response: ResponseOutcome): void {
    param.outcome = response;
  }
}

