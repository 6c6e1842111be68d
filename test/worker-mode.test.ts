/**
 * The worker mode: `WASI.run()` and `WasiBuilder.run()` run a
 * single-threaded guest in a Node worker with its kernel beside it, so the
 * caller's event loop keeps running. Configuration crosses as data; what
 * exists only on the caller's thread (a MemoryFileSystem, stream objects,
 * callbacks, clocks, random) is reached through the host bridge.
 *
 * Runs from dist/ (the worker is the compiled node-worker.js): `npm run
 * build` and `node scripts/build-programs.mjs` first. Guests:
 * test/programs/c/{compute_spin,browser_fs,async_fs,async_clock_random}.c
 * and test/programs/wat/{trap,exit42,hello}.wat.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CaptureStream, ClockId, FileType, MemoryFileSystem, MissingImportsError, WASI, WasiBuilder,
  type FileSystem, type FsDirectory, type FsNode, type OutputStream,
} from '../dist/node.js';
import { programPath } from './helpers/programs.js';
import { newResources } from './helpers/resources.js';

const wasm = (name: string): Uint8Array<ArrayBuffer> => readFileSync(programPath(name)) as Uint8Array<ArrayBuffer>;

/** After a run settles: one turn of the event loop, then nothing of the run may be left. */
async function assertNothingLeft(before: string[]): Promise<void> {
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(newResources(before), []);
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the caller\'s event loop keeps running while the guest computes (about 1 s, no syscalls)', async () => {
  // Calibrate in the direct mode, which blocks this thread: no tick gets through.
  const calibration = 50_000_000;
  const capture = new CaptureStream();
  const direct = new WASI({ args: ['compute_spin', String(calibration)], stdout: capture });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm('compute_spin')), direct.getImportObject() as unknown as WebAssembly.Imports);
  const directTicks: number[] = [];
  const directTimer = setInterval(() => { directTicks.push(performance.now()); }, 5);
  const t0 = performance.now();
  assert.equal(direct.start(instance), 0);
  const t1 = performance.now();
  const directMs = t1 - t0;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(directTimer);
  assert.deepEqual(directTicks.filter((t) => t >= t0 && t <= t1), [], 'the direct mode runs on this thread');
  assert.match(capture.text(), /^50000000 iterations: \d+\n$/);

  const iterations = Math.round(calibration * Math.min(20, 1000 / Math.max(directMs, 1)));
  const before = process.getActiveResourcesInfo();
  const tickTimes: number[] = [];
  const timer = setInterval(() => { tickTimes.push(performance.now()); }, 20);
  const started = performance.now();
  const r = await new WasiBuilder().args(['compute_spin', String(iterations)]).stdout('capture').run(wasm('compute_spin'));
  const elapsed = performance.now() - started;
  clearInterval(timer);
  assert.equal(r.exitCode, 0);
  assert.match(r.stdoutText, new RegExp(`^${iterations} iterations: \\d+\\n$`));
  assert.ok(elapsed > 500, `the guest computed for ${elapsed.toFixed(0)} ms`);
  // The interval kept firing all along: about elapsed / 20 ticks, no long gap.
  assert.ok(tickTimes.length >= elapsed / 20 / 3, `${tickTimes.length} ticks in ${elapsed.toFixed(0)} ms`);
  const gaps = tickTimes.slice(1).map((t, i) => t - tickTimes[i]!);
  assert.ok(Math.max(...gaps) < 250, `longest gap between ticks ${Math.max(...gaps).toFixed(0)} ms`);
  await assertNothingLeft(before);
});

const BROWSER_FS_ARGS = ['browser_fs', 'one', 'two words', 'héllo wörld'];
const BROWSER_FS_STDOUT = [
  'argv[0]=browser_fs',
  'argv[1]=one',
  'argv[2]=two words',
  'argv[3]=héllo wörld',
  'GREETING=hello, worker',
  'input.txt (18 bytes): hello from memory',
  'dir: a.txt b.txt sub',
  'write out.txt: 23',
  'close out.txt: ok',
  'out.txt: written in the browser',
  'rename out.txt -> renamed.txt: ok',
  'stat out.txt: ENOENT (44)',
  'stat renamed.txt: size 23, regular yes',
  'stdin (10 bytes): some input',
].map((l) => `${l}\n`).join('');

test('configuration as data: args, env, stdin bytes, a host directory by path, captured output', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'input.txt'), 'hello from memory\n');
  mkdirSync(join(dir, 'dir'));
  mkdirSync(join(dir, 'dir', 'sub'));
  writeFileSync(join(dir, 'dir', 'a.txt'), 'ay');
  writeFileSync(join(dir, 'dir', 'b.txt'), 'bee');
  const before = process.getActiveResourcesInfo();
  const r = await new WasiBuilder()
    .args(BROWSER_FS_ARGS)
    .env('GREETING', 'hello, worker')
    .preopenDir(dir, '/data')
    .stdin('some input')
    .stdout('capture')
    .stderr('capture')
    .run(wasm('browser_fs'));
  assert.equal(r.stdoutText, BROWSER_FS_STDOUT);
  assert.equal(r.stderrText, 'browser_fs: exiting with 3\n');
  assert.equal(r.exitCode, 3);
  assert.equal(readFileSync(join(dir, 'renamed.txt'), 'utf8'), 'written in the browser\n');
  await assertNothingLeft(before);
});

test('objects of the caller\'s thread are bridged: a MemoryFileSystem, a callback, a stream object', async () => {
  const fs = new MemoryFileSystem({
    'input.txt': 'hello from memory\n',
    dir: { 'b.txt': 'bee', 'a.txt': 'ay', sub: { 'deep.txt': 'deep' } },
  });
  const chunks: Uint8Array[] = [];
  const errWrites: string[] = [];
  const errStream: OutputStream = {
    filetype: FileType.UNKNOWN,
    write(data) { errWrites.push(new TextDecoder().decode(data)); return data.byteLength; },
  };
  const before = process.getActiveResourcesInfo();
  const r = await new WasiBuilder()
    .args(BROWSER_FS_ARGS)
    .env('GREETING', 'hello, worker')
    .preopen('/data', fs)
    .stdin(new TextEncoder().encode('some input'))
    .stdout((bytes) => { chunks.push(bytes); })
    .stderr(errStream)
    .run(wasm('browser_fs'));
  assert.equal(r.exitCode, 3);
  assert.equal(Buffer.concat(chunks).toString('utf8'), BROWSER_FS_STDOUT);
  assert.equal(errWrites.join(''), 'browser_fs: exiting with 3\n');
  // The guest changed the caller's MemoryFileSystem itself.
  assert.deepEqual(fs.root.list().map((e) => e.name).sort(), ['dir', 'input.txt', 'renamed.txt']);
  const handle = fs.root.open('renamed.txt', { read: true, write: false, create: false, exclusive: false, truncate: false });
  const bytes = new Uint8Array(64);
  const n = handle.read(bytes, 0);
  handle.close();
  assert.equal(new TextDecoder().decode(bytes.subarray(0, n)), 'written in the browser\n');
  await assertNothingLeft(before);
});

/** A MemoryFileSystem whose open of one name fails with a Node-style `code`. */
function failingOpen(fs: FileSystem, name: string, code: string): FileSystem {
  const wrapDir = (d: FsDirectory): FsDirectory => new Proxy(d, {
    get(target, key) {
      if (key === 'open') {
        return (n: string, o: Parameters<FsDirectory['open']>[1]) => {
          if (n === name) throw Object.assign(new Error(`${code}: refused by the test`), { code });
          return target.open(n, o);
        };
      }
      if (key === 'lookup') {
        return (n: string): FsNode | null => {
          const node = target.lookup(n);
          return node !== null && node.filetype === FileType.DIRECTORY ? wrapDir(node as FsDirectory) : node;
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { root: wrapDir(fs.root) };
}

test('bridged failures keep their errno (WasiError) or Node code', async () => {
  const mem = new MemoryFileSystem({ 'input.txt': 'secret\n', dir: { 'b.txt': 'bee', 'a.txt': 'ay' } });
  const r = await new WasiBuilder()
    .preopen('/data', failingOpen(mem, 'input.txt', 'EACCES'))
    .stdout('capture')
    .run(wasm('async_fs'));
  assert.equal(r.exitCode, 0);
  const lines = r.stdoutText.split('\n');
  assert.equal(lines[0], 'read input.txt: EACCES (2)');
  assert.ok(lines.includes('rmdir dir/new (not empty): ENOTEMPTY (55)'), r.stdoutText);
  assert.ok(lines.includes('open missing.txt: ENOENT (44)'), r.stdoutText);
});

test('clocks and random of the caller\'s thread', async () => {
  const calls: string[] = [];
  const r = await new WasiBuilder()
    .clocks({
      now: (id) => { calls.push(`now ${id}`); return id === ClockId.REALTIME ? 1_700_000_000_123_456_789n : 42n; },
      resolution: (id) => { calls.push(`res ${id}`); return 1000n; },
    })
    .random((dst) => { calls.push(`random ${dst.byteLength}`); dst.fill(0xab); })
    .stdout('capture')
    .run(wasm('async_clock_random'));
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdoutText, [
    'clock_time_get REALTIME: OK (0)',
    'clock_time_get MONOTONIC: OK (0)',
    'clock_res_get REALTIME: OK (0)',
    'realtime 1700000000123456789, monotonic 42, resolution 1000',
    'random_get 8: OK (0)',
    'random ab ab ab ab ab ab ab ab',
    '',
  ].join('\n'));
  assert.deepEqual(calls.filter((c) => !c.startsWith('random') || c === 'random 8'), ['now 0', 'now 1', 'res 0', 'random 8']);
});

test('stdio as host descriptor numbers', async (t) => {
  const dir = tempDir(t);
  const outPath = join(dir, 'out.txt');
  const fd = openSync(outPath, 'w');
  try {
    const wasi = new WASI({ stdout: fd });
    assert.equal(await wasi.run(wasm('hello')), 0);
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(outPath, 'utf8'), 'hello from wat\n');
});

test('a function as stdout receives each write, in the direct and the worker mode', async () => {
  const direct: string[] = [];
  const wasi = new WASI({ stdout: (b) => { direct.push(new TextDecoder().decode(b)); } });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm('hello')), wasi.getImportObject() as unknown as WebAssembly.Imports);
  assert.equal(wasi.start(instance), 0);
  assert.deepEqual(direct, ['hello from wat\n']);
  const worker: string[] = [];
  assert.equal(await new WASI({ stderr: 2, stdout: (b) => { worker.push(new TextDecoder().decode(b)); } }).run(wasm('hello')), 0);
  assert.deepEqual(worker, ['hello from wat\n']);
});

test('a standard stream option that is neither a descriptor nor a stream is refused when the WASI object is made', () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ stdout: 'capture' }, 'stdout must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not the string "capture"'],
    [{ stderr: { write: () => 0 } }, 'stderr must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not an object without filetype'],
    [{ stdout: -1 }, 'stdout must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not the number -1'],
    [{ stdin: 'typed input' }, 'stdin must be a host file descriptor number or an InputStream (an object with read() and filetype), not the string "typed input"'],
    [{ stdin: { filetype: 0 } }, 'stdin must be a host file descriptor number or an InputStream (an object with read() and filetype), not an object without read()'],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new WASI(options as never), (e: unknown) => e instanceof TypeError && e.message === message);
  }
});

test('a trap rejects with the RuntimeError, its message and wasm backtrace; output before it is kept', async () => {
  const before = process.getActiveResourcesInfo();
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const wasi = new WASI({ stdout, stderr });
  await assert.rejects(wasi.run(wasm('trap')), (e: unknown) => {
    assert.ok(e instanceof WebAssembly.RuntimeError, String(e));
    assert.equal(e.message, 'unreachable');
    const frames = (e.stack ?? '').split('\n').filter((l) => l.includes('wasm-function'));
    assert.ok(frames.length >= 3, e.stack);
    return true;
  });
  assert.equal(stdout.text(), 'before trap\n');
  assert.equal(stderr.text(), 'stderr before trap\n');
  await assertNothingLeft(before);

  // The builder hands the captured output over with the error.
  await assert.rejects(new WasiBuilder().stdout('capture').stderr('capture').run(wasm('trap')), (e: unknown) => {
    const captured = (e as { captured?: { stdoutText: string; stderrText: string } }).captured;
    assert.deepEqual({ out: captured?.stdoutText, err: captured?.stderrText }, { out: 'before trap\n', err: 'stderr before trap\n' });
    return true;
  });
});

test('proc_exit resolves to its code; the output written before it is kept', async () => {
  const stdout = new CaptureStream();
  const wasi = new WASI({ stdout });
  assert.equal(await wasi.run(await WebAssembly.compile(wasm('exit42'))), 42);
  assert.equal(stdout.text(), 'partial output, no newline');
  assert.deepEqual(wasi.exitStatus, { kind: 'exit', code: 42 });
});

test('a WASI runs once; missing imports are refused before a worker starts', async () => {
  const wasi = new WASI({ stdout: new CaptureStream() });
  assert.equal(await wasi.run(wasm('hello')), 0);
  await assert.rejects(wasi.run(wasm('hello')), /already started/);
  // A module importing a function Kiln does not provide.
  const bytes = Uint8Array.from([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 11, 1, 3, 101, 110, 118, 3, 110, 111, 112, 0, 0,
  ]);
  const before = process.getActiveResourcesInfo();
  await assert.rejects(new WASI({}).run(bytes), MissingImportsError);
  await assertNothingLeft(before);
});

test('start() stays synchronous and on the calling thread', async () => {
  const stdout = new CaptureStream();
  const wasi = new WASI({ stdout });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm('hello')), wasi.getImportObject() as unknown as WebAssembly.Imports);
  const code = wasi.start(instance);
  assert.equal(code, 0);
  assert.equal(stdout.text(), 'hello from wat\n');
});

test('a reply the bridge cannot carry is an error for that call, not a hang', async () => {
  // A listing with a value that cannot be cloned: that call fails (EIO).
  const mem = new MemoryFileSystem({ 'input.txt': 'x\n', dir: {} });
  const root = mem.root;
  const odd: FileSystem = {
    root: new Proxy(root, {
      get(target, key) {
        if (key === 'list') return () => [{ name: 'bad', filetype: FileType.REGULAR_FILE, ino: 1n, extra: () => 0 }];
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }),
  };
  const r = await new WasiBuilder().preopen('/data', odd).stdout('capture').run(wasm('async_fs'));
  assert.equal(r.exitCode, 0);
  // The listing failed, and the guest went on.
  assert.ok(r.stdoutText.endsWith('opendir: EIO (29)\n'), r.stdoutText);
});

test('figures: worker start and bridge call cost', async (t) => {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await new WASI({ stdout: new CaptureStream() }).run(wasm('hello'));
    runs.push(performance.now() - t0);
  }
  let calls = 0;
  const clocks = { now: () => { calls++; return 1n; }, resolution: () => 1n };
  const t0 = performance.now();
  await new WasiBuilder().clocks(clocks).stdout('capture').run(wasm('async_clock_random'));
  const withBridge = performance.now() - t0;
  t.diagnostic(`run() of hello.wat (worker start to exit): ${runs.map((r) => r.toFixed(1)).join(', ')} ms`);
  t.diagnostic(`async_clock_random with bridged clocks (${calls} clock calls): ${withBridge.toFixed(1)} ms`);
  assert.ok(calls >= 2);
});
