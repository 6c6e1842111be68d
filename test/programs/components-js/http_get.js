// A command component that makes one HTTP request through
// wasi:http/outgoing-handler, written against the WASI 0.2 types directly
// (no fetch: every call is synchronous), and prints the response.
//
//   http_get METHOD URL [BODY]     (METHOD: get, post, ...; URL: http:// or https://)
//
// prints "status N, content-type T" and "body: ...", or why it failed
// ("handle failed: ...", "request failed: ...").
import { handle } from 'wasi:http/outgoing-handler@0.2.12';
import { Fields, OutgoingRequest, OutgoingBody } from 'wasi:http/types@0.2.12';
import { getArguments } from 'wasi:cli/environment@0.2.12';

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
      throw e;
    }
    text += dec.decode(chunk);
  }
  return text;
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
      future = handle(req, undefined);
    } catch (e) {
      console.log(`handle failed: ${JSON.stringify(e.payload ?? String(e))}`);
      return;
    }
    if (body !== undefined) {
      const w = outBody.write();
      w.blockingWriteAndFlush(enc.encode(body));
      w[Symbol.dispose]();
    }
    OutgoingBody.finish(outBody, undefined);
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
    const text = readAll(inBody.stream());
    console.log(`body: ${text}`);
  },
};
