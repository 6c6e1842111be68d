/**
 * Real standard input under `kiln run`: a pipe (or socket) and a terminal
 * on stdin are read by a reader thread (src/host/node/node-stdin.ts), so a
 * line REPL answers each line as it arrives, poll_oneoff on stdin says ready
 * only when a read will not block, end of input is delivered, and the CLI
 * exits as soon as the guest does even while stdin stays open.
 *
 * Guests: test/programs/c/{repl,poll_stdin,stdio}.c (npm run
 * build:programs); the CLI runs from dist/ (npm run build).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const program = (name: string) => join(root, 'build/programs', `${name}.wasm`);
const KILN = join(root, 'bin/kiln.js');
/** How long the CLI may take to exit once the guest is done. */
const EXIT_WITHIN_MS = 3000;

before(() => {
  for (const p of ['repl', 'poll_stdin', 'stdio']) {
    assert.ok(existsSync(program(p)), `${program(p)} is missing: run npm run build:programs`);
  }
  assert.ok(existsSync(join(root, 'dist/host/node/node-stdin-worker.js')), 'dist/ is missing: run npm run build');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit status and when it happened. */
  exited: Promise<{ code: number | null; at: number }>;
  /** Resolves once stdout contains `text` (after what earlier waits consumed). */
  output(text: string): Promise<void>;
  write(text: string | Buffer): void;
  end(): void;
}

/** Spawns `command args` with piped stdio; killed after 30 s. */
function start(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let from = 0;
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const at = out.indexOf(w.text, from);
      if (at >= 0) {
        from = at + w.text.length;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; check(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  child.stdin!.on('error', () => {}); // the guest may exit without reading
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
    output: (text) => new Promise((resolve, reject) => {
      waiters.push({ text, resolve });
      check();
      void exited.then(() => setTimeout(() => {
        if (waiters.some((w) => w.text === text)) reject(new Error(`exited before printing ${JSON.stringify(text)}; stdout: ${JSON.stringify(out)}; stderr: ${err}`));
      }, 100));
    }),
    write: (text) => { child.stdin!.write(text); },
    end: () => { child.stdin!.end(); },
  };
}

function kiln(args: string[]): Run {
  return start(process.execPath, [KILN, 'run', ...args]);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stdin a pipe', () => {
  for (const mode of ['fgets', 'read']) {
    test(`repl (${mode}) answers each line as it arrives, then bye at end of input`, async () => {
      const run = kiln([program('repl'), mode]);
      await run.output('> ');
      await pause(200);
      run.write('hello\n');
      // The answer comes before the next line is written: line at a time.
      await run.output('echo: hello\n> ');
      await pause(300);
      run.write('world, two words\n');
      await run.output('echo: world, two words\n> ');
      await pause(200);
      run.end();
      const { code } = await run.exited;
      assert.equal(run.stderr(), '');
      assert.equal(run.stdout(), '> echo: hello\n> echo: world, two words\n> bye\n');
      assert.equal(code, 0);
    });
  }

  test('end of input at once: bye', async () => {
    const run = kiln([program('repl')]);
    run.end();
    const { code } = await run.exited;
    assert.equal(run.stdout(), '> bye\n');
    assert.equal(run.stderr(), '');
    assert.equal(code, 0);
  });

  test('a last line without a newline is delivered before the end', async () => {
    const run = kiln([program('repl'), 'read']);
    await run.output('> ');
    run.write('abc');
    await run.output('echo: abc\n> ');
    run.end();
    const { code } = await run.exited;
    assert.equal(run.stdout(), '> echo: abc\n> bye\n');
    assert.equal(code, 0);
  });

  test('several lines in one write arrive together (one read)', async () => {
    const run = kiln([program('repl'), 'read']);
    await run.output('> ');
    run.write('one\ntwo\n');
    await run.output('echo: one\ntwo\n> ');
    run.end();
    const { code } = await run.exited;
    assert.equal(run.stdout(), '> echo: one\ntwo\n> bye\n');
    assert.equal(code, 0);
  });

  test('a megabyte through the ring (backpressure) in 7-byte reads, byte for byte', async () => {
    const parts: string[] = [];
    for (let i = 0, size = 0; size < 1 << 20; i++) {
      parts.push(`line ${i} ${'0123456789'.repeat(i % 13)}\n`);
      size += parts[i]!.length;
    }
    const input = parts.join('');
    const run = start(process.execPath, [KILN, 'run', program('stdio'), 'echo']);
    for (let i = 0; i < input.length; i += 100_000) run.write(input.slice(i, i + 100_000));
    run.end();
    const { code } = await run.exited;
    let hash = 2166136261; // FNV-1a, as the guest computes it
    for (const b of Buffer.from(input)) hash = Math.imul(hash ^ b, 16777619) >>> 0;
    assert.equal(run.stderr(), `stdin bytes=${input.length} fnv1a=${hash.toString(16).padStart(8, '0')} again=0\n`);
    assert.equal(code, 0);
    assert.equal(run.stdout().length, input.length);
    assert.ok(run.stdout() === input, 'output differs from input');
  });

  test('the CLI exits at once when the guest exits without reading an open stdin', async () => {
    const run = kiln([program('repl'), 'none']);
    const t0 = Date.now();
    const { code, at } = await run.exited;
    assert.equal(run.stdout(), 'not reading\n');
    assert.equal(code, 0);
    assert.ok(at - t0 < EXIT_WITHIN_MS, `kiln took ${at - t0} ms`);
    run.end();
  });

  test('the CLI exits at once when the guest exits after reading, stdin still open', async () => {
    const run = kiln([program('repl'), 'once']);
    await run.output('> ');
    run.write('only\n');
    await run.output('echo: only\n');
    const t0 = Date.now();
    const { code, at } = await run.exited;
    assert.equal(run.stdout(), '> echo: only\n');
    assert.equal(run.stderr(), '');
    assert.equal(code, 0);
    assert.ok(at - t0 < EXIT_WITHIN_MS, `kiln exited ${at - t0} ms after the guest answered`);
    run.end();
  });
});

test('poll_oneoff on stdin: readiness, nbytes, hangup; NONBLOCK read is EAGAIN', async () => {
  const run = kiln([program('poll_stdin')]);
  await run.output('waiting for data\n');
  await pause(300);
  run.write('hello\n');
  await run.output('waiting for end\n');
  await pause(300);
  run.end();
  const { code } = await run.exited;
  assert.equal(run.stderr(), '');
  assert.equal(run.stdout(), `nonblocking read, nothing written: EAGAIN (6)
stdin + 300ms clock, nothing written: 1 event(s)
  userdata=2 type=CLOCK error=OK
waited >= 300ms: yes
waiting for data
stdin + 10s clock, data written: 1 event(s)
  userdata=1 type=FD_READ error=OK nbytes=6 flags=0
returned within 5s: yes
stdin + 10s clock + stdout, data buffered: 2 event(s)
  userdata=1 type=FD_READ error=OK nbytes=6 flags=0
  userdata=3 type=FD_WRITE error=OK flags=0
nonblocking read, data buffered: 6 bytes: hello
nonblocking read, drained: EAGAIN (6)
stdin + 300ms clock, drained: 1 event(s)
  userdata=2 type=CLOCK error=OK
waiting for end
stdin + 10s clock, stdin closed: 1 event(s)
  userdata=1 type=FD_READ error=OK nbytes=0 flags=HANGUP
returned within 5s: yes
stdin + 10s clock + stdout, at end: 2 event(s)
  userdata=1 type=FD_READ error=OK nbytes=0 flags=HANGUP
  userdata=3 type=FD_WRITE error=OK flags=0
read at end: 0 bytes
`);
  assert.equal(code, 0);
});

/** `script` from util-linux runs a command on a new pseudo-terminal. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('stdin a terminal (pty via script(1))', { skip: hasScript ? false : 'script(1) from util-linux is not installed' }, () => {
  /** Runs kiln on a pty: what is written goes to the terminal's input, stdout is the terminal's output. */
  const onPty = (args: string[]) =>
    start('script', ['-qfec', [process.execPath, KILN, 'run', ...args].map((a) => `'${a}'`).join(' '), '/dev/null']);

  test('repl answers each line; Ctrl-D ends input', async () => {
    const run = onPty([program('repl')]);
    await run.output('> ');
    await pause(200);
    run.write('hello\n');
    await run.output('echo: hello\r\n> ');
    await pause(300);
    run.write('world\n');
    await run.output('echo: world\r\n> ');
    await pause(200);
    run.write('\x04'); // VEOF at the start of a line: read returns 0
    const { code } = await run.exited;
    run.end();
    // The terminal echoes the typed lines and turns \n into \r\n.
    assert.equal(run.stdout(), '> hello\r\necho: hello\r\n> world\r\necho: world\r\n> bye\r\n');
    assert.equal(code, 0);
  });

  test('the CLI exits at once when the guest exits, the terminal still open', async () => {
    const run = onPty([program('repl'), 'once']);
    await run.output('> ');
    run.write('only\n');
    await run.output('echo: only\r\n');
    const t0 = Date.now();
    const { code, at } = await run.exited;
    run.end();
    assert.equal(run.stdout(), '> only\r\necho: only\r\n');
    assert.equal(code, 0);
    assert.ok(at - t0 < EXIT_WITHIN_MS, `kiln exited ${at - t0} ms after the guest answered`);
  });
});
