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
import { Fields, type FieldEntry } from './http-fields.js';
import type { HostContext } from './host-context.js';
import { InputStream, OutputStream, Pollable, readyPollable, type ByteSink, type ByteSource } from './io.js';
import { fail } from './values.js';

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
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
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

/** `wasi:http/types.future-trailers`: the trailers of an incoming body (Kiln receives none). */
export class FutureTrailers {
  #taken = false;

  constructor(readonly ctx: HostContext) {}

  subscribe(): Pollable { return readyPollable(this.ctx); }

  get(): unknown {
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

/** `wasi:http/types.incoming-body`: a body the host hands in, read once through its stream. */
export class IncomingBody {
  #stream: InputStream | undefined;

  constructor(readonly ctx: HostContext, readonly source: ByteSource) {}

  stream(): InputStream {
    if (this.#stream !== undefined) fail(undefined);
    this.#stream = new InputStream(this.ctx, this.source);
    return this.#stream;
  }

  static finish(body: IncomingBody): FutureTrailers {
    return new FutureTrailers(body.ctx);
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

/** `wasi:http/types.outgoing-body`: written once through its stream, then finished. */
export class OutgoingBody {
  readonly sink = new BodySink();
  #stream: OutputStream | undefined;
  finished = false;

  constructor(readonly ctx: HostContext) {}

  write(): OutputStream {
    if (this.#stream !== undefined) fail(undefined);
    this.#stream = new OutputStream(this.ctx, this.sink);
    return this.#stream;
  }

  static finish(body: OutgoingBody, _trailers: Fields | undefined): void {
    body.finished = true;
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
    return new IncomingBody(this.ctx, bytesSource(this.request.body));
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

