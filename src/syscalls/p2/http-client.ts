/**
 * `wasi:http/outgoing-handler` (layer: syscalls): a component's HTTP
 * requests, as HTTP/1.1 over a TCP socket of the run's network (the
 * loopback network, or the host's), under the run's policy: the name is
 * looked up and the address checked as a `wasi:sockets` connect would be.
 * One connection per request (`connection: close`).
 *
 * Nothing waits: `handle` starts the exchange and returns its
 * `future-incoming-response`; each look at the future (its pollable,
 * `get`) moves the exchange on as far as it can without waiting (lookup,
 * connect, sending once the guest finished the body, reading the status
 * line and headers). The response's body is read from the socket as the
 * guest reads its stream, decoded from `content-length`, chunked, or
 * up-to-close framing. `https` goes over TLS where the network has it
 * (the host's network on Node: `VirtualSocket.connectTls`, the peer's
 * certificate checked for the request's host name with the host's trusted
 * certificates); on a network without TLS it is `internal-error`.
 */
import { concatBytes } from '../../abi/bytes.js';
import { Errno, WasiError } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { HostLookup } from '../../host/net/networking.js';
import type { NetSocketResource } from '../../kernel/net-socket-resource.js';
import { parseListenAddress } from '../../host/net/address.js';
import { ipFamily, type SocketAddress } from '../../host/net/socket-address.js';
import { Fields, type FieldEntry } from './http-fields.js';
import { IncomingBody, methodName, OutgoingMessage, type HttpErrorCode, type Method, type Scheme, type TrailersState } from './http-types.js';
import type { HeldResource, HostContext } from './host-context.js';
import { Pollable, type ByteSource } from './io.js';
import { networkOf, openSocket } from './sockets-common.js';
import { fail } from './values.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');
/** The most a response's status line and headers may take. */
const HEAD_MAX = 64 * 1024;

/** `wasi:http/types.outgoing-request`. */
export class OutgoingRequest extends OutgoingMessage {
  #method: Method = { tag: 'get' };
  #path: string | undefined;
  #scheme: Scheme | undefined;
  #authority: string | undefined;

  method(): Method { return this.#method; }

  setMethod(method: Method): void {
    if (method.tag === 'other' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method.val)) fail(undefined);
    this.#method = method;
  }

  pathWithQuery(): string | undefined { return this.#path; }

  setPathWithQuery(path: string | undefined): void {
    if (path !== undefined && /[\s\x00-\x1f]/.test(path)) fail(undefined);
    this.#path = path;
  }

  scheme(): Scheme | undefined { return this.#scheme; }

  setScheme(scheme: Scheme | undefined): void { this.#scheme = scheme; }

  authority(): string | undefined { return this.#authority; }

  setAuthority(authority: string | undefined): void {
    if (authority !== undefined && /[\s/@?#]/.test(authority)) fail(undefined);
    this.#authority = authority;
  }
}

/** `wasi:http/types.request-options`: the time limits of a request (durations in ns; none: no limit). */
export class RequestOptions {
  #connect: bigint | undefined;
  #firstByte: bigint | undefined;
  #betweenBytes: bigint | undefined;

  connectTimeout(): bigint | undefined { return this.#connect; }
  setConnectTimeout(d: bigint | undefined): void { this.#connect = d; }
  firstByteTimeout(): bigint | undefined { return this.#firstByte; }
  setFirstByteTimeout(d: bigint | undefined): void { this.#firstByte = d; }
  betweenBytesTimeout(): bigint | undefined { return this.#betweenBytes; }
  setBetweenBytesTimeout(d: bigint | undefined): void { this.#betweenBytes = d; }
}

/** Thrown inside the exchange: the request failed with this error code. */
class Failed {
  constructor(readonly code: HttpErrorCode) {}
}

function failWith(tag: string, val?: unknown): never {
  throw new Failed(val === undefined ? { tag } : { tag, val });
}

/** A response body's read failed: the stream's `last-operation-failed`, whose `http-error-code` is `code`. */
export class BodyReadError extends WasiError {
  constructor(errno: Errno, readonly code: HttpErrorCode, message: string) {
    super(errno, message);
  }
}

/** The time limits of one exchange, in monotonic ns (from `request-options`). */
interface Limits {
  connect: bigint | undefined;
  firstByte: bigint | undefined;
  betweenBytes: bigint | undefined;
}

type Phase = 'lookup' | 'connect' | 'send' | 'head' | 'body' | 'done';

/** One request and its response on one connection. */
class Exchange {
  phase: Phase = 'lookup';
  failure: HttpErrorCode | undefined;
  status = 0;
  headers: FieldEntry[] = [];
  #lookup: HostLookup | undefined;
  #addresses: string[] = [];
  #socket: HeldResource | undefined;
  #out: Uint8Array | undefined;
  /** Received and not yet parsed or handed to the guest. */
  #in: Uint8Array = new Uint8Array(0);
  #peerClosed = false;
  /** Until when the lookup and connect may take, the response's head may take to come, the next body bytes may take (monotonic ns). */
  #deadline: bigint | undefined;
  /** How the body is framed: bytes left (content-length), chunked (then trailers), or up to the close. */
  #framing: { kind: 'length'; left: number } | { kind: 'chunked'; left: number; at: 'size' | 'data' | 'crlf' | 'trailers' } | { kind: 'close' } = { kind: 'close' };
  /** The trailer fields after a chunked body. */
  #trailers: FieldEntry[] | undefined;

  constructor(
    readonly ctx: HostContext,
    readonly request: OutgoingRequest,
    readonly host: string,
    readonly port: number,
    /** Over TLS (https). */
    readonly tls: boolean,
    readonly limits: Limits,
  ) {
    this.#deadline = this.#after(limits.connect);
    const network = networkOf(ctx);
    if (!network.policy.allowsLookup(host)) failWith('destination-not-found');
    try {
      this.#lookup = network.networking.lookup(host, ctx.process.readiness);
    } catch (e) {
      failWith('internal-error', `no network for the request: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Moves on as far as possible without waiting; records a failure. */
  advance(): void {
    if (this.failure !== undefined) return;
    try {
      this.#advance();
    } catch (e) {
      // A kernel failure on the way (no room for another socket, a refusal by the network) is the request's failure too.
      if (e instanceof WasiError) this.failure = e.errno === Errno.MFILE ? { tag: 'connection-limit-reached' } : { tag: 'internal-error', val: e.message };
      else if (e instanceof Failed) this.failure = e.code;
      else throw e;
      this.close();
    }
  }

  /** `ns` from now on the process's monotonic clock (undefined: no limit). */
  #after(ns: bigint | undefined): bigint | undefined {
    return ns === undefined ? undefined : this.ctx.monotonicNs() + ns;
  }

  /** The time limit now running passed. */
  #late(): boolean {
    return this.#deadline !== undefined && this.ctx.monotonicNs() >= this.#deadline;
  }

  /** When the time limit now running ends (monotonic ns), if one runs. */
  get deadlineNs(): bigint | undefined { return this.#deadline; }

  /** The response's status and headers are known (or the request failed). */
  get settled(): boolean { return this.failure !== undefined || this.phase === 'body' || this.phase === 'done'; }

  close(): void {
    this.#socket?.release();
    this.#socket = undefined;
    this.#lookup?.cancel();
  }

  /** The body's next bytes (into `dst`): 0 at its end; EAGAIN when none has arrived. */
  readBody(dst: Uint8Array): number {
    for (;;) {
      const n = this.#takeBody(dst);
      if (n > 0 || this.phase === 'done') return n;
      if (this.#receive()) {
        this.#deadline = this.#after(this.limits.betweenBytes);
        continue;
      }
      if (!this.#peerClosed && this.#late()) {
        this.close();
        throw new BodyReadError(Errno.TIMEDOUT, { tag: 'connection-read-timeout' }, 'no bytes of the response\'s body came within between-bytes-timeout');
      }
      if (!this.#peerClosed) throw new WasiError(Errno.AGAIN);
      // The connection ended: what is left decides whether the body is whole.
      const last = this.#takeBody(dst);
      if (last > 0 || (this.phase as Phase) === 'done') return last;
      return failBody();
    }
  }

  /**
   * The response's trailers, once its body has been received to its end:
   * what the guest did not read of the body is read now and dropped.
   */
  trailersNow(): TrailersState {
    const scratch = new Uint8Array(16 * 1024);
    try {
      while (this.phase !== 'done' && this.readBody(scratch) > 0);
    } catch (e) {
      if (e instanceof BodyReadError) return { tag: 'err', val: e.code };
      if (errnoOf(e) === Errno.AGAIN) return { tag: 'pending' };
      throw e;
    }
    return { tag: 'ok', val: this.#trailers };
  }

  /** A read of the body would not answer EAGAIN: bytes are in, or it ended. */
  bodyReady(): boolean {
    if (this.phase !== 'body' || this.#in.length > 0 || this.#peerClosed || this.#late()) return true;
    return this.#receive() || this.#peerClosed;
  }

  /** Moves on; then, still waiting past the time limit that runs, fails with its error. */
  #advance(): void {
    this.#progress();
    if (!this.#late()) return;
    if (this.phase === 'lookup' || this.phase === 'connect') failWith('connection-timeout');
    if (this.phase === 'head') failWith('connection-read-timeout');
  }

  #progress(): void {
    if (this.phase === 'lookup') {
      let found: string[];
      try {
        found = this.#lookup!.result();
      } catch (e) {
        if (errnoOf(e) === Errno.AGAIN) return;
        return failWith('DNS-error', { rcode: undefined, infoCode: undefined });
      }
      this.#lookup = undefined;
      networkOf(this.ctx).policy.learn(this.host, found);
      this.#addresses = found.filter((ip) => ipFamily(ip) !== undefined);
      if (this.#addresses.length === 0) failWith('destination-not-found');
      this.#connectNext();
    }
    if (this.phase === 'connect') {
      const st = this.#net().state();
      if (st.error !== 0) {
        if (st.error === Errno.ACCES) failWith('TLS-certificate-error');
        if (st.error === Errno.PROTO) failWith('TLS-protocol-error');
        if (this.#addresses.length > 0) return this.#connectNext();
        failWith(st.error === Errno.CONNREFUSED ? 'connection-refused' : 'destination-unavailable');
      }
      if (!st.connected) return;
      this.phase = 'send';
      this.#deadline = undefined;
    }
    if (this.phase === 'send') {
      const body = this.request.takenBody;
      if (body !== undefined && !body.finished) return;
      this.#out ??= this.#message(body?.sink.bytes() ?? new Uint8Array(0), body?.trailers);
      while (this.#out.length > 0) {
        let n: number;
        try {
          n = this.#net().send([this.#out]);
        } catch (e) {
          if (errnoOf(e) === Errno.AGAIN) return;
          return failWith('connection-terminated');
        }
        this.#out = this.#out.subarray(n);
      }
      this.phase = 'head';
      this.#deadline = this.#after(this.limits.firstByte);
    }
    if (this.phase === 'head') {
      while (!this.#parseHead()) {
        if (!this.#receive()) {
          if (this.#peerClosed) failWith('HTTP-response-incomplete');
          return;
        }
      }
    }
  }

  #net(): NetSocketResource { return this.#socket!.resource as NetSocketResource; }

  /** Connects to the next address the lookup gave, once the policy allows it. */
  #connectNext(): void {
    this.#socket?.release();
    const network = networkOf(this.ctx);
    while (this.#addresses.length > 0) {
      const ip = this.#addresses.shift()!;
      const to: SocketAddress = { family: ipFamily(ip)!, ip, port: this.port };
      if (!network.policy.allowsConnect(to)) {
        if (this.#addresses.length === 0) failWith('destination-IP-prohibited');
        continue;
      }
      this.#socket = openSocket(this.ctx, to.family, 'stream');
      if (!this.tls) this.#net().connect(to);
      else {
        try {
          this.#net().connectTls(to, this.host);
        } catch (e) {
          if (errnoOf(e) === Errno.NOTSUP) failWith('internal-error', 'https needs a network that carries TLS (the host\'s: --net host); this one has none');
          throw e;
        }
      }
      this.phase = 'connect';
      return;
    }
  }

  /** The request's bytes: request line, headers, body (chunked, one chunk, when it has trailers). */
  #message(body: Uint8Array, trailers: FieldEntry[] | undefined): Uint8Array {
    const r = this.request;
    const lines = [`${methodName(r.method())} ${r.pathWithQuery() ?? '/'} HTTP/1.1`, `host: ${r.authority()}`];
    for (const [name, value] of r.fields.entries()) {
      if (name.toLowerCase() === 'host' || name.toLowerCase() === 'content-length') continue;
      lines.push(`${name}: ${decoder.decode(value)}`);
    }
    lines.push(trailers === undefined ? `content-length: ${body.length}` : 'transfer-encoding: chunked', 'connection: close', '', '');
    const head = encoder.encode(lines.join('\r\n'));
    if (trailers === undefined) return concatBytes([head, body]);
    const chunk = body.length === 0 ? [] : [encoder.encode(`${body.length.toString(16)}\r\n`), body, encoder.encode('\r\n')];
    const tail = encoder.encode(`0\r\n${trailers.map(([name, value]) => `${name}: ${decoder.decode(value)}\r\n`).join('')}\r\n`);
    return concatBytes([head, ...chunk, tail]);
  }

  /** Takes what the socket has into the input buffer: false when nothing came (or it ended: `#peerClosed`). */
  #receive(): boolean {
    if (this.#peerClosed || this.#socket === undefined) return false;
    const buf = new Uint8Array(64 * 1024);
    let n: number;
    try {
      n = this.#net().recv([buf], 0).size;
    } catch (e) {
      if (errnoOf(e) === Errno.AGAIN) return false;
      this.#peerClosed = true;
      return false;
    }
    if (n === 0) {
      this.#peerClosed = true;
      return false;
    }
    this.#in = concatBytes([this.#in, buf.subarray(0, n)]);
    return true;
  }

  /**
   * The lines of the section at the start of the input, up to the empty
   * line that ends it (both taken from the input): undefined while it is
   * not all in, `too-large` once it would pass HEAD_MAX.
   */
  #takeSection(): string[] | undefined | 'too-large' {
    const text = decoder.decode(this.#in.subarray(0, Math.min(this.#in.length, HEAD_MAX)));
    if (text.startsWith('\r\n')) {
      this.#in = this.#in.subarray(2);
      return [];
    }
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return this.#in.length >= HEAD_MAX ? 'too-large' : undefined;
    this.#in = this.#in.subarray(end + 4);
    return text.slice(0, end).split('\r\n');
  }

  /** Parses the status line and headers once they are all in: true when done. */
  #parseHead(): boolean {
    const section = this.#takeSection();
    if (section === 'too-large') failWith('HTTP-response-header-section-size', undefined);
    if (section === undefined) return false;
    const [statusLine, ...fieldLines] = section;
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
    if (m === null) failWith('HTTP-protocol-error');
    this.status = Number(m[1]);
    for (const line of fieldLines) this.headers.push(fieldOf(line) ?? failWith('HTTP-protocol-error'));
    const field = (name: string): string | undefined => {
      const f = this.headers.find(([k]) => k === name);
      return f === undefined ? undefined : decoder.decode(f[1]);
    };
    const length = field('content-length');
    if (field('transfer-encoding')?.toLowerCase().includes('chunked')) this.#framing = { kind: 'chunked', left: 0, at: 'size' };
    else if (length !== undefined) this.#framing = { kind: 'length', left: Number(length) };
    this.#deadline = this.#after(this.limits.betweenBytes);
    const empty = this.status === 204 || this.status === 304 || methodName(this.request.method()) === 'HEAD';
    this.phase = empty || (this.#framing.kind === 'length' && this.#framing.left === 0) ? 'done' : 'body';
    this.headers = this.headers.filter(([k]) => k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive');
    return true;
  }

  /** Copies decoded body bytes from the input buffer into `dst`. */
  #takeBody(dst: Uint8Array): number {
    const f = this.#framing;
    if (this.phase !== 'body') return 0;
    if (f.kind === 'close') {
      const n = this.#take(dst, Infinity);
      if (n === 0 && this.#peerClosed) this.phase = 'done';
      return n;
    }
    if (f.kind === 'length') {
      const n = this.#take(dst, f.left);
      f.left -= n;
      if (f.left === 0) this.phase = 'done';
      return n;
    }
    // Chunked: a size line, that many bytes, CRLF; a 0 size ends the data, trailer lines and an empty line the body.
    for (;;) {
      if (f.at === 'trailers') {
        const lines = this.#takeSection();
        if (lines === 'too-large') return failBody();
        if (lines === undefined) return 0;
        if (lines.length > 0) this.#trailers = lines.map((line) => fieldOf(line) ?? failBody());
        this.phase = 'done';
        return 0;
      }
      if (f.at === 'size') {
        const text = decoder.decode(this.#in.subarray(0, Math.min(this.#in.length, 1024)));
        const eol = text.indexOf('\r\n');
        if (eol < 0) return 0;
        const size = parseInt(text.slice(0, eol).split(';')[0]!, 16);
        if (!Number.isFinite(size)) return failBody();
        this.#in = this.#in.subarray(eol + 2);
        if (size === 0) {
          f.at = 'trailers';
          continue;
        }
        f.left = size;
        f.at = 'data';
      }
      if (f.at === 'data') {
        const n = this.#take(dst, f.left);
        f.left -= n;
        if (f.left === 0) f.at = 'crlf';
        return n;
      }
      if (this.#in.length < 2) return 0;
      this.#in = this.#in.subarray(2);
      f.at = 'size';
    }
  }

  /** Moves up to `most` received bytes into `dst`: the count. */
  #take(dst: Uint8Array, most: number): number {
    const n = Math.min(dst.length, this.#in.length, most);
    dst.set(this.#in.subarray(0, n));
    this.#in = this.#in.subarray(n);
    return n;
  }
}

/** A header or trailer line as a field (its name in lower case), or undefined when it is not one. */
function fieldOf(line: string): FieldEntry | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  return [line.slice(0, colon).trim().toLowerCase(), encoder.encode(line.slice(colon + 1).trim())];
}

function failBody(): never {
  throw new BodyReadError(Errno.IO, { tag: 'HTTP-response-incomplete' }, 'the response ended before its body did');
}

/** `wasi:http/types.incoming-response`: a response an outgoing request got. */
export class IncomingResponse {
  #consumed = false;

  constructor(readonly exchange: Exchange) {}

  status(): number { return this.exchange.status; }

  headers(): Fields { return Fields.received(this.exchange.headers); }

  consume(): IncomingBody {
    if (this.#consumed) fail(undefined);
    this.#consumed = true;
    const x = this.exchange;
    const source: ByteSource = {
      read: (dst) => x.readBody(dst),
      ready: () => x.bodyReady(),
      release: () => x.close(),
      deadlineNs: () => x.deadlineNs,
    };
    return new IncomingBody(x.ctx, source, { poll: () => x.trailersNow(), release: () => x.close() });
  }
}

/** `wasi:http/types.future-incoming-response`. */
export class FutureIncomingResponse {
  #taken = false;

  constructor(readonly ctx: HostContext, readonly exchange: Exchange) {}

  subscribe(): Pollable {
    return new Pollable(this.ctx, () => {
      this.exchange.advance();
      return this.exchange.settled;
    }, () => this.exchange.deadlineNs);
  }

  get(): unknown {
    this.exchange.advance();
    if (!this.exchange.settled) return undefined;
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    const failure = this.exchange.failure;
    if (failure !== undefined) return { tag: 'ok', val: { tag: 'err', val: failure } };
    return { tag: 'ok', val: { tag: 'ok', val: new IncomingResponse(this.exchange) } };
  }
}

/** `wasi:http/outgoing-handler.handle`: starts the request. */
export function sendRequest(ctx: HostContext, request: OutgoingRequest, options?: RequestOptions): FutureIncomingResponse {
  const scheme = request.scheme() ?? { tag: 'HTTP' };
  if (scheme.tag === 'other') fail<HttpErrorCode>({ tag: 'HTTP-protocol-error' });
  const tls = scheme.tag === 'HTTPS';
  // `HOST[:PORT]`, an IPv6 host in brackets: the port is the scheme's when not given.
  const authority = request.authority() ?? '';
  const at = parseListenAddress(authority) ?? parseListenAddress(`${authority}:${tls ? 443 : 80}`);
  if (at === undefined) fail<HttpErrorCode>({ tag: 'HTTP-request-URI-invalid' });
  let exchange: Exchange;
  try {
    exchange = new Exchange(ctx, request, at.host, at.port, tls, {
      connect: options?.connectTimeout(),
      firstByte: options?.firstByteTimeout(),
      betweenBytes: options?.betweenBytesTimeout(),
    });
  } catch (e) {
    if (e instanceof Failed) fail(e.code);
    throw e;
  }
  exchange.advance();
  return new FutureIncomingResponse(ctx, exchange);
}

