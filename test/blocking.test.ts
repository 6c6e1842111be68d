/**
 * Blocking without spinning: a guest that sleeps, or waits for stdin or a
 * connection, costs (almost) no CPU. Each case runs the CLI's main() in a
 * child process (from dist/) and has it report the CPU time the whole
 * process used while the guest ran (process.cpuUsage(), every thread,
 * reader and I/O threads included) and the wall time.
 *
 * Guests: test/programs/c/{sleep2,repl,sock_echo}.c (npm run build:programs).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const program = (name: string) => join(root, 'build/programs', `${name}.wasm`);

/** CPU time a 2 s wait may cost, all threads together (spinning would cost ~2 s). */
const CPU_BUDGET_MS = 300;

before(() => {
  for (const p of ['sleep2', 'repl', 'sock_echo']) {
    assert.ok(existsSync(program(p)), `${program(p)} is missing: run npm run build:programs`);
  }
  assert.ok(existsSync(join(root, 'dist/cli/main.js')), 'dist/ is missing: run npm run build');
});

/**
 * Runs `kiln ARGS` in a child through main() (plain `node -e`: flags such
 * as --input-type would be inherited by worker threads); the child prints its stdout
 * and, on stderr, a first line `measuring` when the measured run begins (Node's
 * own start-up is over) and a last line `cpu-ms=<user+system> wall-ms=<wall>`
 * measured around the run (module compile included, Node's own start-up not).
 */
const RUNNER = `(async () => {
const { main } = await import(${JSON.stringify(new URL('../dist/cli/main.js', import.meta.url).href)});
process.stderr.write('measuring\\n');
const t0 = performance.now();
const c0 = process.cpuUsage();
const code = await main(process.argv.slice(1));
const c = process.cpuUsage(c0);
process.stderr.write(\`cpu-ms=\${Math.round((c.user + c.system) / 1000)} wall-ms=\${Math.round(performance.now() - t0)}\\n\`);
process.exitCode = code;
})();`;

interface Measured { code: number | null; stdout: string; stderr: string; cpuMs: number; wallMs: number }

function measure(args: string[], drive?: (child: ChildProcess) => void): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNNER, ...args], {
      cwd: root, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.stdin!.on('error', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /cpu-ms=(\d+) wall-ms=(\d+)\n$/.exec(err);
      if (m === null) { reject(new Error(`no measurement; stderr: ${err}; stdout: ${out}`)); return; }
      const stderr = err.slice(0, m.index).replace(/^measuring\n/, '');
      resolve({ code, stdout: out, stderr, cpuMs: Number(m[1]), wallMs: Number(m[2]) });
    });
    if (drive) drive(child);
  });
}

function assertIdle(r: Measured, minWallMs: number): void {
  assert.ok(r.wallMs >= minWallMs, `wall time ${r.wallMs} ms, expected >= ${minWallMs} ms`);
  assert.ok(r.cpuMs < CPU_BUDGET_MS, `CPU time ${r.cpuMs} ms during a ${r.wallMs} ms wait (budget ${CPU_BUDGET_MS} ms)`);
}

test('nanosleep(2 s) sleeps without using the CPU', async () => {
  const r = await measure(['run', program('sleep2'), 'nanosleep'], (c) => c.stdin!.end());
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'slept 2s: yes\n');
  assert.equal(r.code, 0);
  assertIdle(r, 2000);
});

test('poll_oneoff with a 2 s clock sleeps without using the CPU', async () => {
  const r = await measure(['run', program('sleep2'), 'poll'], (c) => c.stdin!.end());
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'poll_oneoff: 1 event(s), userdata=7 type=CLOCK error=0\nslept 2s: yes\n');
  assert.equal(r.code, 0);
  assertIdle(r, 2000);
});

test('a read of an empty stdin pipe waits 2 s without using the CPU', async () => {
  const r = await measure(['run', program('repl')], (c) => {
    // 2 s after the prompt, i.e. after the guest started waiting.
    c.stdout!.once('data', () => setTimeout(() => c.stdin!.end('late\n'), 2000));
  });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '> echo: late\n> bye\n');
  assert.equal(r.code, 0);
  assertIdle(r, 2000);
});

test('sock_accept waits 2 s for a connection without using the CPU', async () => {
  const port = await new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  let echoed = '';
  const r = await measure(['run', '--listen', `127.0.0.1:${port}`, program('sock_echo')], (c) => {
    c.stdin!.end();
    // 2 s after the measured run began (Node's start-up, however slow, is over by then).
    let started = false;
    c.stderr!.on('data', (d: string) => {
      if (started || !d.startsWith('measuring\n')) return;
      started = true;
      setTimeout(() => {
        const conn = net.connect({ port, host: '127.0.0.1' });
        conn.on('data', (b) => { echoed += b.toString(); });
        conn.on('error', () => {});
        conn.end('hi\n');
      }, 2000);
    });
  });
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(echoed, 'HI\n');
  assertIdle(r, 2000);
});
