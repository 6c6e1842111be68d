// A command component that makes one HTTP request through
// wasi:http/outgoing-handler, written against the WASI 0.2 types directly
// (no fetch: every call is synchronous), and prints the response.
//
//   http_get METHOD URL [BODY]     (METHOD: get, post, ...; URL: http:// or https://)
//
// prints "status N, content-type T" and "body: ...", or why it failed
// ("handle failed: ...", "request failed: ...", "body failed after ...: CODE").
// With TIMEOUTS=CONNECT,FIRST-BYTE,BETWEEN-BYTES in the environment
// (milliseconds, each may be empty), the request has those request-options;
// with TRAILERS=NAME:VALUE its body ends with that trailer. A response with
// trailers prints them ("trailers: NAME=VALUE ...").
import { IncomingBody } from 'wasi:http/types@0.2.12';
import { handle } from 'wasi:http/outgoing-handler@0.2.12';
import { Fields, OutgoingRequest, OutgoingBody, RequestOptions, httpErrorCode } from 'wasi:http/types@0.2.12';
import { getArguments, getEnvironment } from 'wasi:cli/environment@0.2.12';

const enc = new TextEncoder();
const dec = new TextDecoder();

function readAll(stream) {
  let text = '';
  for (;;) {
    let chunk;
    try {
      chunk = stream.blockingRead(65536n);
    } catch (e) {
      if (e.payload?.tag === 'closed') break;
      if (e.payload?.tag === 'last-operation-failed') {
        const code = httpErrorCode(e.payload.val);
        return `${text} (body failed after ${text.length} bytes: ${JSON.stringify(code ?? null)})`;
      }
      throw e;
    }
    text += dec.decode(chunk);
  }
  return text;
}

const variable = (wanted) => getEnvironment().find(([name]) => name === wanted)?.[1];

/** The trailers TRAILERS asks for, or undefined. */
function trailers() {
  const spec = variable('TRAILERS');
  if (spec === undefined) return undefined;
  const colon = spec.indexOf(':');
  return Fields.fromList([[spec.slice(0, colon), enc.encode(spec.slice(colon + 1))]]);
}

/** The request-options TIMEOUTS asks for, or undefined. */
function options() {
  const spec = variable('TIMEOUTS');
  if (spec === undefined) return undefined;
  const [connect, firstByte, betweenBytes] = spec.split(',').map((ms) => (ms === '' ? undefined : BigInt(ms) * 1_000_000n));
  const o = new RequestOptions();
  o.setConnectTimeout(connect);
  o.setFirstByteTimeout(firstByte);
  o.setBetweenBytesTimeout(betweenBytes);
  return o;
}

export const run = {
  run() {
    const [, method, url, body] = getArguments();
    const target = new URL(url);
    const headers = Fields.fromList([['x-from', enc.encode('component')]]);
    const req = new OutgoingRequest(headers);
    req.setMethod({ tag: method });
    req.setScheme({ tag: target.protocol === 'https:' ? 'HTTPS' : 'HTTP' });
    req.setAuthority(target.host);
    req.setPathWithQuery(target.pathname + target.search);
    const outBody = req.body();
    let future;
    try {
      future = handle(req, options());
    } catch (e) {
      console.log(`handle failed: ${JSON.stringify(e.payload ?? String(e))}`);
      return;
    }
    if (body !== undefined) {
      const w = outBody.write();
      w.blockingWriteAndFlush(enc.encode(body));
      w[Symbol.dispose]();
    }
    OutgoingBody.finish(outBody, trailers());
    future.subscribe().block();
    const result = future.get();
    if (result.tag !== 'ok' || result.val.tag !== 'ok') {
      console.log(`request failed: ${JSON.stringify(result.val?.val ?? result)}`);
      return;
    }
    const response = result.val.val;
    const type = response.headers().get('content-type').map((v) => dec.decode(v));
    console.log(`status ${response.status()}, content-type ${type.join(',')}`);
    const inBody = response.consume();
    const stream = inBody.stream();
    const text = readAll(stream);
    console.log(`body: ${text}`);
    if (text.includes('(body failed')) return;
    stream[Symbol.dispose]();
    const trailersLater = IncomingBody.finish(inBody);
    trailersLater.subscribe().block();
    const got = trailersLater.get();
    if (got.tag !== 'ok' || got.val.tag !== 'ok') {
      console.log(`trailers failed: ${JSON.stringify(got)}`);
    } else if (got.val.val !== undefined) {
      console.log(`trailers: ${got.val.val.entries().map(([name, value]) => `${name}=${dec.decode(value)}`).join(' ')}`);
    }
  },
};
