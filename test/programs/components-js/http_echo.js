// An HTTP proxy component (wasi:http/incoming-handler), written against the
// WASI 0.2 types directly: it answers each request with what it received.
//
//   any path        201, x-kiln: yes, x-echo: the request's x-test header,
//                   and a body "method=... path=... authority=... body=... count=N"
//                   (N: requests this instance has handled, 1 for a fresh one)
//   /trap           throws (the component traps)
//   /no-response    returns without setting a response
//   /unfinished     sets a response and writes part of a body it never finishes
//   /slow           waits 2 s (a monotonic-clock pollable) before it answers
//   /trailers       as any path, and the body ends with the trailer
//                   x-trailers-in: the request's trailers ("NAME=VALUE ...")
import { Fields, IncomingBody, OutgoingBody, OutgoingResponse, ResponseOutparam } from 'wasi:http/types@0.2.12';
import { subscribeDuration } from 'wasi:clocks/monotonic-clock@0.2.12';

const enc = new TextEncoder();
const dec = new TextDecoder();
let count = 0;

function readAll(stream) {
  const parts = [];
  for (;;) {
    try {
      parts.push(dec.decode(stream.blockingRead(65536n)));
    } catch (e) {
      if (e.payload?.tag === 'closed') return parts.join('');
      throw e;
    }
  }
}

export const incomingHandler = {
  handle(request, responseOut) {
    count++;
    const path = request.pathWithQuery();
    if (path === '/trap') throw new Error('a failure inside the handler');
    if (path === '/no-response') return;
    if (path === '/slow') subscribeDuration(2_000_000_000n).block();
    const requestHeaders = request.headers();
    const echo = requestHeaders.get('x-test').map((v) => dec.decode(v)).join(',');
    const body = request.consume();
    const bodyStream = body.stream();
    const text = readAll(bodyStream);
    let trailers;
    if (path === '/trailers') {
      bodyStream[Symbol.dispose]();
      const future = IncomingBody.finish(body);
      future.subscribe().block();
      const got = future.get().val.val;
      const seen = got === undefined ? 'none' : got.entries().map(([name, value]) => `${name}=${dec.decode(value)}`).join(' ');
      trailers = Fields.fromList([['x-trailers-in', enc.encode(seen)]]);
    }
    const headers = Fields.fromList([['x-kiln', enc.encode('yes')], ['x-echo', enc.encode(echo)]]);
    const response = new OutgoingResponse(headers);
    response.setStatusCode(201);
    const out = response.body();
    ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
    const stream = out.write();
    const method = request.method();
    const name = method.tag === 'other' ? method.val : method.tag.toUpperCase();
    stream.blockingWriteAndFlush(enc.encode(`method=${name} path=${path} authority=${request.authority()} body=${text} count=${count}\n`));
    stream[Symbol.dispose]();
    if (path !== '/unfinished') OutgoingBody.finish(out, trailers);
  },
};
