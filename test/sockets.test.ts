/**
 * Sockets handed to the guest: `kiln run --listen` (and `--tcplisten`) with
 * real loopback TCP clients, and the `listenTcp` embedding API. Guests are
 * test/programs/c/sock_*.c, built into build/programs/ by
 * scripts/build-programs.mjs; the CLI runs from dist/ (build first).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './helpers/free-port.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const program = (name: string) => join(root, 'build/programs', `${name}.wasm`);
const KILN = join(root, 'bin/kiln.js');
/** How long the CLI may take to exit once the guest is done with its client. */
const EXIT_WITHIN_MS = 3000;

before(() => {
  for (const p of ['sock_echo', 'sock_poll']) {
    assert.ok(existsSync(program(p)), `${program(p)} is missing: run npm run build:programs`);
  }
  assert.ok(existsSync(join(root, 'dist/cli/main.js')), 'dist/ is missing: run npm run build');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit status and when it happened. */
  exited: Promise<{ code: number | null; at: number }>;
  /** Resolves with the next stdout line starting with `prefix` (once seen). */
  line(prefix: string): Promise<string>;
}

function kiln(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [KILN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  const waiters: { prefix: string; from: number; resolve: (l: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const lines = out.split('\n').slice(0, -1);
      const hit = lines.slice(w.from).find((l) => l.startsWith(w.prefix));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; check(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => {
    child.on('exit', (code) => resolve({ code, at: Date.now() }));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void exited.then(() => clearTimeout(timer));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: (prefix) => new Promise((resolve) => {
      waiters.push({ prefix, from: 0, resolve });
      check();
    }),
  };
}

/** Connects, retrying while the port is not listening yet. */
async function connect(port: number, host = '127.0.0.1', deadlineMs = 10_000): Promise<net.Socket> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ port, host });
        s.once('connect', () => { s.off('error', reject); resolve(s); });
        s.once('error', reject);
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Everything the socket receives until it closes, and when it closed. */
function collect(s: net.Socket): Promise<{ data: Buffer; closedAt: number }> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.once('close', () => resolve({ data: Buffer.concat(chunks), closedAt: Date.now() }));
  });
}

/** Runs sock_echo against one client that sends `input` (in pieces) then ends; `env` is added to kiln's environment. */
async function echo(args: string[], port: number, input: Buffer, pieces = 1, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const run = kiln(args, env);
  const client = await connect(port);
  const received = collect(client);
  const step = Math.ceil(input.length / pieces);
  for (let i = 0; i < input.length; i += step) {
    client.write(input.subarray(i, i + step));
    if (pieces > 1) await new Promise((r) => setTimeout(r, 10));
  }
  client.end();
  const { data, closedAt } = await received.catch(async (e: Error) => {
    // Say what kiln did: a reset connection alone does not tell.
    const ended = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    throw new Error(`${e.message}; kiln: ${JSON.stringify(ended)}, stderr ${JSON.stringify(run.stderr())}, stdout ${JSON.stringify(run.stdout())}`);
  });
  const { code, at } = await run.exited;
  assert.equal(run.stderr(), '');
  assert.equal(code, 0);
  assert.equal(data.toString('latin1'), input.toString('latin1').toUpperCase());
  assert.ok(at - closedAt < EXIT_WITHIN_MS, `kiln exited ${at - closedAt} ms after the client closed`);
}

describe('kiln run --listen', () => {
  test('sock_echo echoes lines uppercased and exits when the client closes', async () => {
    const port = await freePort();
    await echo(['run', '--listen', `127.0.0.1:${port}`, program('sock_echo')], port,
      Buffer.from('hello\nworld, Kiln 123!\nno newline at the end'), 3);
  });

  test('a WASIX build of sock_echo (threads, accept through sock_accept_v2) on the same socket', async () => {
    const port = await freePort();
    await echo(['run', '--listen', `127.0.0.1:${port}`, program('wasix_listen_echo')], port,
      Buffer.from('hello from wasix\nsecond line'), 2);
  });

  test('with --timeout: the guest and its sockets in a process worker, which opens them itself', async () => {
    const port = await freePort();
    await echo(['run', '--timeout', '30s', '--listen', `127.0.0.1:${port}`, program('sock_echo')], port,
      Buffer.from('under a time limit\n'));
  });

  // The socket I/O thread stalls before each command and doorbell (a test hook), as on a loaded
  // machine: the echo of a last line without a newline, which sock_echo sends only once it has read
  // the client's EOF, then reaches the system long after the guest exited, and kiln must wait for it
  // wherever the guest ran (a process worker used to report the guest's end first, and kiln exited).
  const placements = [
    ['on kiln\'s thread', [], 'sock_echo'],
    ['in a process worker (--timeout)', ['--timeout', '30s'], 'sock_echo'],
    ['with threads (WASIX)', [], 'wasix_listen_echo'],
  ] as const;
  for (const [where, options, guest] of placements) {
    test(`a lagging I/O thread loses none of the guest's last bytes, ${where}`, async () => {
      const port = await freePort();
      await echo(['run', ...options, '--listen', `127.0.0.1:${port}`, program(guest)], port,
        Buffer.from('first line\nthe last one, sent after EOF'), 1, { KILN_TEST_NET_STALL_MS: '200' });
    });
  }

  test('--tcplisten places the socket after the preopened directories', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'kiln-sock-'));
    try {
      // One --dir takes fd 3, so the listener is fd 4 (passed to the guest as argv[1]).
      await echo(['run', '--dir', `${dir}::/d`, `--tcplisten=127.0.0.1:${port}`, program('sock_echo'), '4'], port,
        Buffer.from('abc\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a megabyte through the rings (backpressure both ways)', async () => {
    const port = await freePort();
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 1 << 20; i++) {
      lines.push(`line ${i} ${'abcdefghij'.repeat(i % 20)}\n`);
      size += lines[i]!.length;
    }
    await echo(['run', '--listen', `127.0.0.1:${port}`, program('sock_echo')], port, Buffer.from(lines.join('')));
  });

  test('sock_poll: NONBLOCK accept, poll_oneoff, peek, waitall, shutdown, reset', async () => {
    const port = await freePort();
    const run = kiln(['run', '--listen', `127.0.0.1:${port}`, program('sock_poll')]);
    await run.line('-> connect');
    const c1 = await connect(port);
    const got1 = collect(c1);
    const pong = new Promise<void>((resolve) => {
      let seen = '';
      c1.on('data', (d: Buffer) => { seen += d.toString(); if (seen.startsWith('pong')) resolve(); });
    });
    await run.line('-> send ping');
    c1.write('ping');
    await run.line('-> expect pong');
    await pong;
    c1.end('tail');
    assert.equal((await got1).data.toString(), 'pongbye');
    await run.line('-> connect again');
    const c2 = await connect(port);
    c2.on('error', () => {});
    await run.line('-> reset');
    c2.resetAndDestroy();
    const { code } = await run.exited;
    assert.equal(run.stderr(), '');
    assert.equal(run.stdout(), `fdstat listener: OK (0)
listener filetype SOCKET_STREAM: 1
accept4 SOCK_NONBLOCK: EAGAIN (6)
accept on O_NONBLOCK listener: EAGAIN (6)
poll listener, nothing pending: 1 event(s)
  2 CLOCK OK
recv on listener: ENOTCONN (53)
sock_accept on stdout: ENOTSOCK (57)
sock_accept bad flags: EINVAL (28)
-> connect
poll listener, blocking: 1 event(s)
  1 FD_READ OK hangup=0
accepted fd: 4
fdstat conn: OK (0)
conn filetype SOCKET_STREAM: 1
sock_accept on a connection: EINVAL (28)
poll conn, nothing received: 1 event(s)
  2 FD_WRITE OK hangup=0
recv on O_NONBLOCK conn: EAGAIN (6)
-> send ping
poll conn, blocking: 1 event(s)
  1 FD_READ OK hangup=0 nbytes=4
recv MSG_PEEK: 4
peeked: ping
recv MSG_WAITALL 4: 4
received: ping
write pong: 4
-> expect pong, send tail, then end
recv MSG_WAITALL 8 (peer ends after 4): 4
received: tail
read at EOF: 0
poll conn after peer FIN: 1 event(s)
  1 FD_READ OK hangup=1 nbytes=0
send after peer FIN: 3
shutdown SHUT_WR: ok
send after SHUT_WR: EPIPE (64)
shutdown SHUT_RD: ok
recv after SHUT_RD: 0
close conn: ok
-> connect again
-> reset
poll reset conn: 1 event(s)
  1 FD_READ OK hangup=1
recv on reset conn: ECONNRESET (15)
send on reset conn: ECONNRESET (15)
close reset conn: ok
close listener: ok
accept on closed listener: EBADF (8)
`);
    assert.equal(code, 0);
  });

  test('IPv6 loopback: [::1]:PORT', async (t) => {
    let port: number;
    try {
      port = await freePort('::1');
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    const run = kiln(['run', '--listen', `[::1]:${port}`, program('sock_echo')]);
    const client = await connect(port, '::1');
    const received = collect(client);
    client.end('v6\n');
    assert.equal((await received).data.toString(), 'V6\n');
    assert.equal((await run.exited).code, 0);
  });

  test('an address in use is a clear error, exit status 1', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const run = kiln(['run', '--listen', `127.0.0.1:${port}`, program('sock_echo')]);
      const { code } = await run.exited;
      assert.equal(run.stderr(), `kiln: cannot listen on 127.0.0.1:${port}: address in use\n`);
      assert.equal(run.stdout(), '');
      assert.equal(code, 1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('a malformed address is a usage error, exit status 2', async () => {
    for (const bad of ['8080', '127.0.0.1', '127.0.0.1:http', '::1:80', '[::1]80', '127.0.0.1:70000']) {
      const run = kiln(['run', '--listen', bad, program('sock_echo')]);
      const { code } = await run.exited;
      assert.equal(run.stderr(), `kiln: --listen needs HOST:PORT or [IPv6]:PORT, got '${bad}'\n`);
      assert.equal(code, 2);
    }
  });

  test('a guest that never accepts still exits promptly', async () => {
    const port = await freePort();
    // sock_echo told to accept on fd 99 fails at once and exits 1; the I/O
    // thread must not keep kiln alive.
    const started = Date.now();
    const run = kiln(['run', '--listen', `127.0.0.1:${port}`, program('sock_echo'), '99']);
    const { code, at } = await run.exited;
    assert.equal(code, 1);
    assert.match(run.stderr(), /^accept: Bad file descriptor/);
    assert.ok(at - started < EXIT_WITHIN_MS);
  });
});

describe('listenTcp (embedding API)', () => {
  test('serves a guest run in-process, port 0 resolved', async () => {
    // From dist/: the I/O worker is the compiled node-net-worker.js.
    const { listenTcp, WASI } = await import('../dist/node.js');
    const sockets = await listenTcp('127.0.0.1:0');
    const port = sockets.addresses[0]!.port;
    assert.ok(port > 0);
    // The guest blocks this thread, so the client runs in another process.
    const client = spawn(process.execPath, ['-e', `
      const s = require('node:net').connect(${port}, '127.0.0.1', () => s.end('embedded\\n'));
      s.pipe(process.stdout);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    client.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const clientDone = new Promise((r) => client.on('close', r));
    try {
      const wasi = new WASI({ args: ['sock_echo'], extraResources: sockets.resources, readiness: sockets.readiness });
      assert.equal(await wasi.run(readFileSync(program('sock_echo'))), 0);
    } finally {
      await sockets.close();
    }
    await clientDone;
    assert.equal(out, 'EMBEDDED\n');
  });
});
