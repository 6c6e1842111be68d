/**
 * Guests' own sockets and the network policy: WASIX programs
 * (test/programs/wasix/wasix_net_policy.c, wasix_sock_limit.c, wasix_http_server.c,
 * wasix_http_get.c; wasix_sockets.c is among the cases of wasix.test.ts)
 * run in every way a WASIX guest runs, on Kiln's in-memory loopback
 * network and on the host's, with and without allow rules, and with no
 * network at all; the host's side is played by Node's fetch and http.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import path from 'node:path';
import { promisify } from 'node:util';
import { programPath } from './helpers/programs.js';
import { runCase, WASIX_RUNNERS } from './helpers/runners.js';
import { CaptureStream, loopbackNetworking, ReadinessSignal, WASI, type SocketAddress, type VirtualNetworking, type VirtualSocket } from '../src/node.js';
import { Errno } from '../src/abi/errno.js';
import { errnoOf } from '../src/abi/host-errors.js';

const execFileP = promisify(execFile);
/** curl, where the machine has it (CI installs it). */
const curl = spawnSync('curl', ['--version']).status === 0;

const OPEN = [
  'listen 127.0.0.1:7000: OK',
  'listen 127.0.0.1:7001: OK',
  'bind 0.0.0.0:7002: OK',
  'connect 127.0.0.1:7000: OK',
  'connect 127.0.0.1:7001: OK',
  'sendto 127.0.0.1:7001: OK',
  'join 239.1.2.3: OK',
  'lookup localhost: found',
  'lookup example.com: not found',
].map((l) => `${l}\n`).join('');

const RULES = ['--allow-connect', '127.0.0.1:7000', '--allow-bind', '127.0.0.1:7000-7001'];

const NARROWED = [
  'listen 127.0.0.1:7000: OK',
  'listen 127.0.0.1:7001: OK',
  'bind 0.0.0.0:7002: EACCES',
  'connect 127.0.0.1:7000: OK',
  'connect 127.0.0.1:7001: ECONNREFUSED',
  'sendto 127.0.0.1:7001: ECONNREFUSED',
  'join 239.1.2.3: EACCES',
  'lookup localhost: found',
  'lookup example.com: not found',
].map((l) => `${l}\n`).join('');

for (const [placement, runner, available] of WASIX_RUNNERS) {
  const skip = available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)';
  describe(`guest networking: ${placement}`, () => {
    test('--net loopback: listeners, a bind, connects, a datagram and lookups all go through', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--net', 'loopback'] });
      assert.equal(r.stdout, OPEN, r.stderr);
      assert.equal(r.status, 0);
    });

    test('allow rules: a denied connect and datagram are refused although something listens, a denied bind or multicast join is EACCES', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--net', 'loopback', ...RULES] });
      assert.equal(r.stdout, NARROWED, r.stderr);
      assert.equal(r.status, 0);
    });

    test('--net loopback: two processes of one run talk (a parent fetches from the HTTP server it spawned)', { skip }, async () => {
      const r = await runCase(runner, {
        program: 'wasix_net_two', args: ['/sandbox/bin/server'], flags: ['--net', 'loopback'],
        setup: (sb) => { mkdirSync(path.join(sb.dir, 'bin')); copyFileSync(programPath('wasix_http_server'), path.join(sb.dir, 'bin', 'server')); },
      });
      assert.equal(r.stdout, 'parent got: hello /from-parent\nchild said: listening 7070\nserved 1\nchild exited 0\n', r.stderr);
      assert.equal(r.status, 0);
    });

    test('--max-sockets: socket, accept and socketpair fail with EMFILE past the limit, and an accept refused so leaves its connection queued', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_sock_limit', flags: ['--net', 'loopback', '--max-sockets', '4'] });
      assert.equal(r.stdout, [
        'opened 4 sockets, then EMFILE',
        'dup of a socket: OK',
        'accept past the limit: EMFILE',
        'socketpair with room for one: EMFILE',
        'accept with room for one: OK',
        'the queued connection works: yes',
        'socketpair with room for two: OK',
      ].map((l) => `${l}\n`).join(''), r.stderr);
      assert.equal(r.status, 0);
    });

    test('--net none (the default): the first socket() fails with ENOTSUP', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy' });
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /wasix_net_policy\.c:\d+: socket \(errno: ENOTSUP\)\n$/);
      assert.equal(r.status, 1);
    });
  });
}

describe('guest networking: --trace', () => {
  test('each denial (bind, connect, send_to, a multicast join, a lookup of a name no rule names) shows on its call\'s line', async () => {
    const [, runner] = WASIX_RUNNERS[0]!;
    const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--trace', '--net', 'loopback', ...RULES] });
    assert.equal(r.stdout, NARROWED, r.stderr);
    const denied = r.stderr.split('\n').filter((l) => l.endsWith('(denied by the network policy)')).map((l) => l.replace(/\(.*/, ''));
    assert.deepEqual(denied, ['[kiln trace] sock_bind', '[kiln trace] sock_connect', '[kiln trace] sock_send_to', '[kiln trace] sock_join_multicast_v4', '[kiln trace] resolve']);
  });
});

/** A Node HTTP server on 127.0.0.1 answering "you asked for PATH", counting connections. */
async function nodeServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = http.createServer((req, res) => res.end(`you asked for ${req.url}`));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const [placement, runner, available] of WASIX_RUNNERS) {
  const skip = available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)';
  describe(`guest networking over --net host: ${placement}`, () => {
    test('a pre-threaded HTTP server (8 threads accepting on one socket) answers 200 concurrent fetch() requests, each exactly, then exits', { skip }, async () => {
      let listening: (port: number) => void = () => {};
      const port = new Promise<number>((resolve) => { listening = resolve; });
      const run = runCase(runner, {
        program: 'wasix_http_server', args: ['200', '0', '8'], flags: ['--net', 'host'], timeoutMs: 60_000,
        onStdout: (out) => { const m = /^listening (\d+)$/m.exec(out); if (m !== null) listening(Number(m[1])); },
      });
      const p = await Promise.race([port, run.then((r) => { throw new Error(`the server ended before listening: ${r.stderr}`); })]);
      const bodies = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${p}/r${i}`);
        return `${res.status} ${await res.text()}`;
      }));
      bodies.forEach((b, i) => assert.equal(b, `200 hello /r${i}`));
      const r = await run;
      assert.equal(r.stdout, `listening ${p}\nserved 200\n`, r.stderr);
      assert.equal(r.status, 0);
    });

    test('curl (where installed) gets exact answers from the guest HTTP server, three requests on three connections', { skip: skip || (curl ? false : 'curl is not installed') }, async () => {
      let listening: (port: number) => void = () => {};
      const port = new Promise<number>((resolve) => { listening = resolve; });
      const run = runCase(runner, {
        program: 'wasix_http_server', args: ['3', '0', '2'], flags: ['--net', 'host'],
        onStdout: (out) => { const m = /^listening (\d+)$/m.exec(out); if (m !== null) listening(Number(m[1])); },
      });
      const p = await Promise.race([port, run.then((r) => { throw new Error(`the server ended before listening: ${r.stderr}`); })]);
      const got = await execFileP('curl', ['-sS', '--max-time', '20', '-w', ' %{http_code}\n',
        `http://127.0.0.1:${p}/one`, `http://127.0.0.1:${p}/two`, '--next', '-sS', '-w', ' %{http_code}\n', `http://127.0.0.1:${p}/three`]);
      assert.equal(got.stdout, 'hello /one 200\nhello /two 200\nhello /three 200\n');
      const r = await run;
      assert.equal(r.stdout, `listening ${p}\nserved 3\n`, r.stderr);
      assert.equal(r.status, 0);
    });

    test('an HTTP client looks up localhost and fetches from a Node server; an allow rule lets it through, another refuses it before any packet', { skip }, async () => {
      const server = await nodeServer();
      try {
        const get = (flags: string[], host: string, path: string) =>
          runCase(runner, { program: 'wasix_http_get', args: [host, String(server.port), path], flags });
        let r = await get(['--net', 'host'], 'localhost', '/hello');
        assert.equal(r.stdout, 'HTTP/1.1 200 OK\nyou asked for /hello\n', r.stderr);
        assert.equal(r.status, 0);
        r = await get(['--allow-connect', `localhost:${server.port}`], 'localhost', '/allowed');
        assert.equal(r.stdout, 'HTTP/1.1 200 OK\nyou asked for /allowed\n', r.stderr);
        assert.equal(server.connections(), 2);
        r = await get(['--allow-connect', `127.0.0.1:${server.port + 1}`], '127.0.0.1', '/denied');
        assert.equal(r.stdout, 'connect: ECONNREFUSED\n', r.stderr);
        assert.equal(r.status, 2);
        r = await get(['--allow-connect', `127.0.0.1:${server.port}`], 'localhost.example', '/unnamed');
        assert.equal(r.stdout, 'lookup localhost.example: failed\n', r.stderr);
        assert.equal(server.connections(), 2, 'no denied attempt reached the server');
      } finally {
        await server.close();
      }
    });
  });
}

/** Retries `op` while it answers EAGAIN, until `signal` changes or 5 ms pass between tries (at most 10 s). */
async function until<T>(op: () => T, signal: ReadinessSignal): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const seen = signal.generation;
    try {
      return op();
    } catch (e) {
      if (errnoOf(e) !== Errno.AGAIN || Date.now() > end) throw e;
    }
    for (let i = 0; i < 5 && signal.generation === seen; i++) await new Promise((r) => setTimeout(r, 1));
  }
}

describe("guest networking on an embedder's network", () => {
  test('--net loopback reaches no host socket: two processes talk while the runtime\'s own network is never called', async () => {
    const calls: string[] = [];
    const refuse = (what: string) => (): never => { calls.push(what); throw new Error(`the host network was called: ${what}`); };
    const hostNetwork: VirtualNetworking = { name: 'host', socket: refuse('socket'), lookup: refuse('lookup'), listenTcp: refuse('listenTcp') };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-net-two-'));
    try {
      mkdirSync(path.join(dir, 'bin'));
      copyFileSync(programPath('wasix_http_server'), path.join(dir, 'bin', 'server'));
      const out = new CaptureStream();
      const wasi = new WASI({
        args: ['two', '/sandbox/bin/server'], stdout: out, stderr: out, preopens: { '/sandbox': dir },
        network: 'loopback', runtime: { networking: hostNetwork },
      });
      const code = await wasi.run(readFileSync(programPath('wasix_net_two')));
      assert.equal(out.text(), 'parent got: hello /from-parent\nchild said: listening 7070\nserved 1\nchild exited 0\n');
      assert.equal(code, 0);
      assert.deepEqual(calls, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a guest HTTP server on loopbackNetworking() answers a socket the embedder opens on the same network; every socket went through the runtime member', async () => {
    const net = loopbackNetworking();
    const opened: string[] = [];
    const networking: VirtualNetworking = {
      name: 'embedded',
      socket: (family, kind, readiness) => { opened.push(`${family} ${kind}`); return net.socket(family, kind, readiness); },
      lookup: (host, readiness) => net.lookup(host, readiness),
      listenTcp: (addresses, readiness, options) => net.listenTcp(addresses, readiness, options),
    };
    const out = new CaptureStream();
    const wasi = new WASI({ args: ['server', '1', '8080', '2'], stdout: out, runtime: { networking } });
    const run = wasi.run(readFileSync(programPath('wasix_http_server')));
    const signal = new ReadinessSignal();
    const server: SocketAddress = { family: 'ipv4', ip: '127.0.0.1', port: 8080 };
    let client: VirtualSocket | undefined;
    for (let tries = 0; client === undefined && tries < 500; tries++) {
      const s = net.socket('ipv4', 'stream', signal);
      s.connect(server);
      if (s.state().error === 0) client = s;
      else { s.close(); await new Promise((r) => setTimeout(r, 10)); }
    }
    assert.ok(client !== undefined, 'the guest never listened');
    const c = client;
    await until(() => { if (!c.state().connected) throw Object.assign(new Error('connecting'), { errno: Errno.AGAIN }); }, signal);
    const request = new TextEncoder().encode('GET /embedded HTTP/1.0\r\n\r\n');
    let sent = 0;
    while (sent < request.length) sent += await until(() => c.send([request.subarray(sent)]), signal);
    const chunks: Uint8Array[] = [];
    for (;;) {
      const buf = new Uint8Array(4096);
      const n = await until(() => c.receive([buf], false), signal);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
    }
    c.close();
    const response = Buffer.concat(chunks).toString();
    assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(response.endsWith('\r\n\r\nhello /embedded'), response);
    assert.equal(await run, 0);
    assert.equal(out.text(), 'listening 8080\nserved 1\n');
    // The listener, and the probe wasix-libc opens before it first converts an address (is_wasi_port_ok).
    assert.deepEqual(opened, ['ipv4 stream', 'ipv4 stream']);
  });
});
