/**
 * Serving a component over HTTP on Node (layer: front doors): a node:http
 * server whose every request, once its body has arrived, goes to a
 * `ComponentHttpHandler` (exec/component/http-handler.ts) and whose
 * response is what the component set, through `handleAsync`: in process
 * workers side by side, or on this thread (a component transpiled for
 * JSPI: several, each suspended while it waits; a reused instance: in
 * turn). When no request has come for 10 ms after a response, the handler
 * makes the next request's instance ahead (`prepare`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComponentHttpHandler, ServedResponse } from '../../exec/component/http-handler.js';
import type { FieldEntry } from '../../syscalls/p2/http-fields.js';
import type { ReceivedRequest } from '../../syscalls/p2/http-types.js';

const encoder = new TextEncoder();
/** How long the server must have had no request before it makes the next instance ahead. */
const IDLE_MS = 10;
const latin1 = new TextDecoder('latin1');

/** Where a server listens. */
export interface ServeAddress {
  /** The address to listen on (default `127.0.0.1`). */
  host?: string;
  /** The port (default 8080; 0: any free port, which `server.address()` then gives). */
  port?: number;
}

/** The request as the component receives it: its header fields in order, as sent. */
function receivedRequest(req: IncomingMessage, body: Uint8Array): ReceivedRequest {
  const trailers = fieldsOf(req.rawTrailers);
  return {
    method: req.method ?? 'GET',
    pathWithQuery: req.url ?? '/',
    scheme: 'http',
    authority: req.headers.host ?? '',
    headers: fieldsOf(req.rawHeaders),
    body,
    ...(trailers.length > 0 ? { trailers } : {}),
  };
}

/** Node's raw name, value, name, value, ... list as fields, in order. */
function fieldsOf(raw: readonly string[]): FieldEntry[] {
  const fields: FieldEntry[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) fields.push([raw[i]!, encoder.encode(raw[i + 1]!)]);
  return fields;
}

function send(res: ServerResponse, r: ServedResponse): void {
  const byName = new Map<string, string[]>();
  for (const [name, value] of r.headers) {
    const values = byName.get(name) ?? [];
    values.push(latin1.decode(value));
    byName.set(name, values);
  }
  res.statusCode = r.status;
  for (const [name, values] of byName) res.setHeader(name, values);
  if (!r.complete) {
    // A body the component did not finish is not a whole response: the client sees it cut off.
    res.setHeader('content-length', String(r.body.length + 1));
    res.write(r.body);
    res.destroy();
    return;
  }
  if (r.trailers !== undefined) {
    // Trailers follow a chunked body.
    res.setHeader('transfer-encoding', 'chunked');
    res.write(r.body);
    res.addTrailers(r.trailers.map(([name, value]): [string, string] => [name, latin1.decode(value)]));
    res.end();
    return;
  }
  res.end(r.body);
}

/**
 * Serves `handler` on `address`; resolves with the listening server (close
 * it to stop; the handler is the caller's to close).
 */
export function serveHttp(handler: ComponentHttpHandler, address: ServeAddress = {}): Promise<Server> {
  let idle: ReturnType<typeof setTimeout> | undefined;
  const server = createServer((req, res) => {
    clearTimeout(idle);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(req, res, Buffer.concat(chunks)));
  });
  /** Calls the handler (suspending ones: other requests go on meanwhile) and sends what it answers. */
  const answer = async (req: IncomingMessage, res: ServerResponse, body: Uint8Array): Promise<void> => {
    let response: ServedResponse;
    try {
      response = await handler.handleAsync(receivedRequest(req, body));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      response = { status: 500, headers: [], body: encoder.encode(`${why}\n`), complete: true, failure: why };
    }
    send(res, response);
    // Once no request came for a moment (and the response is on its way), the next fresh instance is made.
    clearTimeout(idle);
    idle = setTimeout(() => handler.prepare(), IDLE_MS);
    idle.unref();
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port ?? 8080, address.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The port a server listens on. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
