/**
 * WASI 0.2 HTTP: `wasi:http/incoming-handler` served by `kiln serve` and
 * by the API (`WASI.httpHandler`, `serveHttp`), and
 * `wasi:http/outgoing-handler` requests over the run's network, with
 * JavaScript components made by componentize-js in the test setup
 * (test/programs/components-js/: http_echo, a proxy that answers with what
 * it received; http_get, a command that makes one request). Exact status,
 * headers and bodies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './helpers/programs.js';
import { componentRunners, kilnBin, lines, node24, runKilnWorker, type RunResult } from './helpers/runners.js';
import { selfSignedCertificate } from './helpers/tls-certificate.js';
import { WASI, serveHttp, portOf, componentDiskCache } from '../src/node.js';
import { transpileComponent } from '../src/exec/component/transpile.js';
import { NotAnHttpHandlerError } from '../src/exec/component/component-instance.js';

const jsComponent = (name: string): string => {
  const file = path.join(repoRoot, 'build', 'components-js', `${name}.wasm`);
  assert.ok(existsSync(file), `${file} is missing: run npm run build:programs`);
  return file;
};

const encoder = new TextEncoder();

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with node:http; rejects when the response is cut off. */
function request(port: number, method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
      res.on('end', () => {
        if (!res.complete) reject(new Error('the response was cut off'));
        else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `kiln serve` on a free port (run by `node`); resolves once it says where it listens. */
async function kilnServe(flags: string[], node = process.execPath): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(node, [kilnBin, 'serve', '--addr', '127.0.0.1:0', ...flags, jsComponent('http_echo')], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      const m = /^kiln serve: serving HTTP on http:\/\/127\.0\.0\.1:(\d+)\/ \(Ctrl-C stops it\)\n/.exec(stderr);
      if (m !== null) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`kiln serve exited with ${code}: ${stderr}`)));
  });
  const stop = async (): Promise<void> => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'kiln serve ends with status 0 when stopped');
  };
  return { port, child, stop };
}

const echoBody = (method: string, p: string, port: number, body: string, count: number): string =>
  `method=${method} path=${p} authority=127.0.0.1:${port} body=${body} count=${count}\n`;

describe('kiln serve: a wasi:http/proxy component answers HTTP requests', () => {
  test('a fresh instance per request: method, path, authority, headers and body reach it; its status, headers and body come back', async () => {
    const server = await kilnServe([]);
    try {
      const first = await request(server.port, 'POST', '/echo?x=1', 'hello', { 'x-test': 'abc' });
      assert.equal(first.status, 201);
      assert.equal(first.headers['x-kiln'], 'yes');
      assert.equal(first.headers['x-echo'], 'abc');
      assert.equal(first.body, echoBody('POST', '/echo?x=1', server.port, 'hello', 1));
      const second = await request(server.port, 'GET', '/again');
      assert.equal(second.body, echoBody('GET', '/again', server.port, '', 1), 'a new instance counts from 1');
      const custom = await request(server.port, 'PURGE', '/x');
      assert.equal(custom.body, echoBody('PURGE', '/x', server.port, '', 1), 'a method outside the enum arrives as other(name)');
    } finally {
      await server.stop();
    }
  });

  test('--reuse-instance keeps one instance; a trap gives a 500 and the next request a new instance', async () => {
    const server = await kilnServe(['--reuse-instance']);
    try {
      assert.equal((await request(server.port, 'GET', '/a')).body, echoBody('GET', '/a', server.port, '', 1));
      assert.equal((await request(server.port, 'GET', '/b')).body, echoBody('GET', '/b', server.port, '', 2));
      const trapped = await request(server.port, 'GET', '/trap');
      assert.equal(trapped.status, 500);
      assert.match(trapped.body, /^the component failed while handling the request: /);
      assert.equal((await request(server.port, 'GET', '/c')).body, echoBody('GET', '/c', server.port, '', 1));
    } finally {
      await server.stop();
    }
  });

  test('no response set is a 500 that says so; a body never finished is cut off', async () => {
    const server = await kilnServe([]);
    try {
      assert.deepEqual(
        await request(server.port, 'GET', '/no-response').then((r) => [r.status, r.body]),
        [500, 'the component set no response\n'],
      );
      await assert.rejects(request(server.port, 'GET', '/unfinished'));
      assert.equal((await request(server.port, 'GET', '/after')).status, 201, 'the server goes on');
    } finally {
      await server.stop();
    }
  });

  /** The order in which /slow (asked first, waiting 2 s inside the component) and /fast (asked 100 ms later) are answered. */
  async function answerOrder(node: string, flags: string[] = []): Promise<string[]> {
    const server = await kilnServe(flags, node);
    try {
      const order: string[] = [];
      const slow = request(server.port, 'GET', '/slow').then((r) => { order.push(`slow ${r.status}`); });
      await new Promise((r) => setTimeout(r, 100));
      const fast = request(server.port, 'GET', '/fast').then((r) => { order.push(`fast ${r.status}`); });
      await Promise.all([slow, fast]);
      return order;
    } finally {
      await server.stop();
    }
  }

  test('with JSPI (Node 24) a request whose component waits is suspended and another is answered meanwhile', { skip: existsSync(node24) ? false : `needs Node 24 (${node24})` }, async () => {
    assert.deepEqual(await answerOrder(node24), ['fast 201', 'slow 201']);
    assert.deepEqual(await answerOrder(node24, ['--reuse-instance']), ['slow 201', 'fast 201'], 'a reused instance takes one request at a time');
  });

  test('without JSPI (Node 20) each fresh instance handles its request in a process worker, side by side; a reused instance takes them one at a time', async () => {
    assert.deepEqual(await answerOrder(process.execPath), ['fast 201', 'slow 201']);
    assert.deepEqual(await answerOrder(process.execPath, ['--reuse-instance']), ['slow 201', 'fast 201']);
  });

  test('--timeout stops a fresh instance that runs past it (in its process worker): a 500 that says so, and the next request is served; with --reuse-instance it is refused', async () => {
    const server = await kilnServe(['--timeout', '500ms']);
    try {
      const slow = await request(server.port, 'GET', '/slow');
      assert.deepEqual([slow.status, slow.body], [500, 'the component failed while handling the request: the guest did not finish within its time limit of 500 ms and was stopped\n']);
      const next = await request(server.port, 'GET', '/next');
      assert.deepEqual([next.status, next.body], [201, echoBody('GET', '/next', server.port, '', 1)]);
    } finally {
      await server.stop();
    }
    const refused = await runKilnCommandSimple(['serve', '--timeout', '1s', '--reuse-instance', jsComponent('http_echo')]);
    assert.deepEqual([refused.status, refused.stderr], [2, 'kiln: serve: --timeout stops a fresh instance (in a process worker); a reused instance cannot be stopped\n']);
  });

  test('trailers: those of a chunked request reach the component, those it finishes its body with follow the response', async () => {
    const server = await kilnServe([]);
    try {
      const answer = await new Promise<{ status: number; body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/trailers', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), trailers: res.trailers }));
        });
        req.on('error', reject);
        req.write('part one, ');
        req.addTrailers({ 'x-sum': '42', 'x-note': 'late' });
        req.end('part two');
      });
      assert.deepEqual(answer, {
        status: 201,
        body: echoBody('POST', '/trailers', server.port, 'part one, part two', 1),
        trailers: { 'x-trailers-in': 'x-sum=42 x-note=late' },
      });
      const none = await request(server.port, 'POST', '/trailers', 'whole');
      assert.equal(none.body, echoBody('POST', '/trailers', server.port, 'whole', 1));
    } finally {
      await server.stop();
    }
  });

  test('a component that is no HTTP handler is refused, status 1', async () => {
    const r = await runKilnCommandSimple(['serve', '--addr', '127.0.0.1:0', jsComponent('http_get')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kiln: cannot serve .*http_get\.wasm: the component exports no wasi:http\/incoming-handler \(it exports run, wasi:cli\/run@0\.2\.12\): only HTTP handlers can serve\n$/);
  });
});

/** Runs `kiln ARGS` to its end. */
function runKilnCommandSimple(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kilnBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ status: code ?? 128, stdout, stderr }));
  });
}

describe('the HTTP handler through the API', () => {
  test('WASI.httpHandler handles a request on this thread, and serveHttp serves it', async () => {
    const component = await transpileComponent(readFileSync(jsComponent('http_echo')), componentDiskCache());
    const handler = new WASI({}).httpHandler(component, { reuseInstance: true });
    try {
      const r = handler.handle({
        method: 'PUT', pathWithQuery: '/direct', scheme: 'http', authority: 'example.test',
        headers: [['X-Test', encoder.encode('direct')]], body: encoder.encode('payload'),
      });
      assert.equal(r.status, 201);
      assert.equal(r.complete, true);
      assert.deepEqual(r.headers.map(([k, v]) => [k, new TextDecoder().decode(v)]), [['x-kiln', 'yes'], ['x-echo', 'direct']]);
      assert.equal(new TextDecoder().decode(r.body), 'method=PUT path=/direct authority=example.test body=payload count=1\n');
      const server = await serveHttp(handler, { port: 0 });
      try {
        const port = portOf(server);
        assert.equal((await request(port, 'GET', '/served')).body, echoBody('GET', '/served', port, '', 2));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      handler.close();
    }
  });

  test('prepare() makes the next fresh instance ahead: each request still gets one no request used', async () => {
    const component = await transpileComponent(readFileSync(jsComponent('http_echo')), componentDiskCache());
    const handler = new WASI({}).httpHandler(component);
    const ask = (p: string): string => new TextDecoder().decode(handler.handle({
      method: 'GET', pathWithQuery: p, scheme: 'http', authority: 'a', headers: [], body: new Uint8Array(0),
    }).body);
    try {
      handler.prepare();
      handler.prepare();
      assert.equal(ask('/1'), 'method=GET path=/1 authority=a body= count=1\n');
      handler.prepare();
      assert.equal(ask('/2'), 'method=GET path=/2 authority=a body= count=1\n');
      assert.equal(ask('/3'), 'method=GET path=/3 authority=a body= count=1\n', 'without prepare() it makes one itself');
      handler.prepare();
    } finally {
      handler.close();
    }
    assert.throws(() => ask('/4'), /the handler is closed/);
  });

  test('a component without wasi:http/incoming-handler: NotAnHttpHandlerError', async () => {
    const component = await transpileComponent(readFileSync(jsComponent('http_get')), componentDiskCache());
    assert.throws(() => new WASI({}).httpHandler(component), NotAnHttpHandlerError);
  });
});

/** A server of the test's: each request answered with what it was; /chunked in two chunks (no content-length). */
function originServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain');
      const text = `${req.method} ${req.url} from=${req.headers['x-from']} body=${Buffer.concat(chunks).toString('utf8')}`;
      if (req.url === '/chunked') {
        res.write('first part, ');
        setTimeout(() => res.end('second part'), 20);
      } else if (req.url === '/silent') {
        // Never answers (until the server closes).
      } else if (req.url === '/stall') {
        res.write('first part, ');
      } else if (req.url === '/trailers') {
        const seen = Object.entries(req.trailers).map(([name, value]) => `${name}=${value}`).join(' ');
        res.write(`trailers in: ${seen || 'none'}`);
        res.addTrailers({ 'x-checksum': 'done', 'x-count': '2' });
        res.end();
      } else {
        res.end(text);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
    }));
  });
}

/** An https server of the test's with that certificate, answering what each request was. */
function secureOrigin(tls: { cert: string; key: string }): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${req.method} ${req.url} over TLS`);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
    }));
  });
}

const PLACEMENTS = componentRunners('60s');

for (const [placement, runner] of PLACEMENTS) {
  describe(`wasi:http/outgoing-handler (${placement})`, () => {
    let origin: { port: number; close: () => Promise<void> };
    before(async () => { origin = await originServer(); });
    after(async () => { await origin.close(); });

    const get = (flags: string[], ...args: string[]): Promise<RunResult> =>
      runner({ program: jsComponent('http_get'), flags, args, timeoutMs: 60_000 });

    test('GET and POST to a server of the host: status, a header and the body', async () => {
      const at = `http://127.0.0.1:${origin.port}`;
      assert.deepEqual(await get(['--net', 'host'], 'get', `${at}/hello?q=1`), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: GET /hello?q=1 from=component body='), stderr: '',
      });
      assert.deepEqual(await get(['--net', 'host'], 'post', `${at}/submit`, 'the body'), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: POST /submit from=component body=the body'), stderr: '',
      });
    });

    test('a chunked response is read whole, as its chunks arrive', async () => {
      assert.deepEqual(await get(['--net', 'host'], 'get', `http://127.0.0.1:${origin.port}/chunked`), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: first part, second part'), stderr: '',
      });
    });

    test('https over the host\'s TLS: a certificate the host trusts (NODE_EXTRA_CA_CERTS) is accepted, one it does not is TLS-certificate-error', async () => {
      const tls = selfSignedCertificate();
      const secure = await secureOrigin(tls);
      const url = `https://localhost:${secure.port}/secure?x=1`;
      try {
        process.env['NODE_EXTRA_CA_CERTS'] = tls.cert;
        try {
          assert.deepEqual(await get(['--net', 'host'], 'get', url), {
            status: 0, stdout: lines('status 200, content-type text/plain', 'body: GET /secure?x=1 over TLS'), stderr: '',
          });
          const byAddress = await get(['--net', 'host'], 'get', `https://127.0.0.1:${secure.port}/ip`);
          assert.equal(byAddress.stdout, lines('status 200, content-type text/plain', 'body: GET /ip over TLS'), 'the certificate names the address too');
        } finally {
          delete process.env['NODE_EXTRA_CA_CERTS'];
        }
        assert.equal((await get(['--net', 'host'], 'get', url)).stdout, 'request failed: {"tag":"TLS-certificate-error"}\n');
        const loopback = await get(['--net', 'loopback'], 'get', url);
        assert.match(loopback.stdout, /^request failed: \{"tag":"internal-error","val":"https needs a network that carries TLS/);
      } finally {
        await secure.close();
        rmSync(tls.dir, { recursive: true, force: true });
      }
    });

    test('request-options: past the connect limit connection-timeout, past the first-byte limit connection-read-timeout, past the between-bytes limit the body\'s stream fails (http-error-code connection-read-timeout)', async () => {
      const timed = (timeouts: string, where: string): Promise<RunResult> => runner({
        program: jsComponent('http_get'), flags: ['--net', 'host'], env: { TIMEOUTS: timeouts },
        args: ['get', `http://127.0.0.1:${origin.port}${where}`], timeoutMs: 60_000,
      });
      // A connection is never made at once: a limit of 0 has passed before it is.
      assert.deepEqual(await timed('0,,', '/hello'), { status: 0, stdout: 'request failed: {"tag":"connection-timeout"}\n', stderr: '' });
      assert.deepEqual(await timed(',300,', '/silent'), { status: 0, stdout: 'request failed: {"tag":"connection-read-timeout"}\n', stderr: '' });
      assert.deepEqual(await timed(',,300', '/stall'), {
        status: 0,
        stdout: lines('status 200, content-type text/plain', 'body: first part,  (body failed after 12 bytes: {"tag":"connection-read-timeout"})'),
        stderr: '',
      });
      // Limits the exchange keeps within change nothing.
      assert.deepEqual(await timed('5000,5000,5000', '/chunked'), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: first part, second part'), stderr: '',
      });
    });

    test('trailers: the request\'s go after its body (chunked), the response\'s come after its body', async () => {
      const url = `http://127.0.0.1:${origin.port}/trailers`;
      const run = (env: Record<string, string>): Promise<RunResult> => runner({ program: jsComponent('http_get'), flags: ['--net', 'host'], env, args: ['post', url, 'the body'], timeoutMs: 60_000 });
      assert.deepEqual(await run({ TRAILERS: 'x-sum:42' }), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: trailers in: x-sum=42', 'trailers: x-checksum=done x-count=2'), stderr: '',
      });
      assert.deepEqual(await run({}), {
        status: 0, stdout: lines('status 200, content-type text/plain', 'body: trailers in: none', 'trailers: x-checksum=done x-count=2'), stderr: '',
      });
    });

    test('failures are error codes: refused, denied by the policy, no network', async () => {
      const closed = await originServer();
      await closed.close();
      assert.equal((await get(['--net', 'host'], 'get', `http://127.0.0.1:${closed.port}/`)).stdout, 'request failed: {"tag":"connection-refused"}\n');
      const denied = await get(['--net', 'host', '--allow-connect', '10.0.0.1:80'], 'get', `http://127.0.0.1:${origin.port}/`);
      assert.equal(denied.stdout, 'request failed: {"tag":"destination-IP-prohibited"}\n');
      const none = await get([], 'get', `http://127.0.0.1:${origin.port}/`);
      assert.match(none.stdout, /^handle failed: \{"tag":"internal-error","val":"no network for the request: .*sockets need a network/);
    });
  });
}

describe('wasi:http both ways', () => {
  test('a component requests what another, served by kiln serve, answers', async () => {
    const server = await kilnServe([]);
    try {
      const r = await runKilnWorker({ program: jsComponent('http_get'), flags: ['--net', 'host'], args: ['post', `http://127.0.0.1:${server.port}/from-a-component`, 'ping'] });
      assert.deepEqual(r, {
        status: 0,
        stdout: lines('status 201, content-type ', `body: ${echoBody('POST', '/from-a-component', server.port, 'ping', 1)}`),
        stderr: '',
      });
    } finally {
      await server.stop();
    }
  });
});
