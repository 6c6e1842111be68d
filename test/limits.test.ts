/**
 * Limits an embedder sets (WASIOptions / WasiBuilder): maximum memory,
 * open descriptors, threads, wall-clock time. Guests:
 * test/programs/c/limit_{malloc,fds,spin}.c, and the threads programs
 * (test/programs/wat/thread_*.wat). Runs from dist/ (build first).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  closeIdleWorkers, CaptureStream, MemoryLimitError, TimeoutError, WASI, WasiBuilder,
} from '../dist/node.js';
import { programPath } from './helpers/programs.js';
import { newResources } from './helpers/resources.js';

const wasm = (name: string): Uint8Array<ArrayBuffer> => readFileSync(programPath(name)) as Uint8Array<ArrayBuffer>;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

const MIB = 1024 * 1024;

/** limit_malloc's report under a cap of `pages` 64 KiB pages. */
function assertMallocCapped(stdout: string, pages: number): void {
  const m = /^blocks: (\d+) \((\d+) KiB\)\nmalloc: NULL\nsbrk: ENOMEM \(48\)\nmemory pages: (\d+)\nafter free: malloc ok\n$/.exec(stdout);
  assert.ok(m, stdout);
  const blocks = Number(m[1]);
  assert.equal(Number(m[3]), pages, 'memory grew exactly to the cap');
  // Everything but the program's static data, stack and malloc's bookkeeping went to blocks.
  assert.ok(blocks < pages && blocks >= pages - 8, `${blocks} blocks of 64 KiB under a ${pages}-page cap`);
}

test('maxMemory: malloc returns NULL at the cap (memory.grow fails in the guest), and the guest goes on', async () => {
  const r = await new WasiBuilder().maxMemory(4 * MIB).stdout('capture').stderr('capture').run(wasm('limit_malloc'));
  assert.equal(r.exitCode, 0, r.stderrText);
  assertMallocCapped(r.stdoutText, 64);
  // The host is fine: the next guest runs with another cap.
  const stdout = new CaptureStream();
  assert.equal(await new WASI({ stdout, maxMemory: 2 * MIB + 1000 }).run(wasm('limit_malloc')), 0);
  assertMallocCapped(stdout.text(), 32);
});

test('maxMemory below what the module needs at start: MemoryLimitError before anything runs', async () => {
  await assert.rejects(new WasiBuilder().maxMemory(64 * 1024).run(wasm('limit_malloc')), (e: unknown) => {
    assert.ok(e instanceof MemoryLimitError);
    assert.equal(e.limitPages, 1);
    assert.ok(e.neededPages > 1);
    assert.match(e.message, /needs \d+ pages .* the limit is 1 page$/);
    return true;
  });
});

test('maxMemory needs bytes: a compiled Module, and start(), refuse it clearly', async () => {
  const module = await WebAssembly.compile(wasm('limit_malloc'));
  await assert.rejects(new WASI({ maxMemory: 4 * MIB }).run(module), /maxMemory cannot cap a compiled WebAssembly\.Module: pass the module bytes/);
  const wasi = new WASI({ maxMemory: 4 * MIB });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
  assert.throws(() => wasi.start(instance), /maxMemory cannot cap an instance/);
  await assert.rejects(new WASI({ maxMemory: -1 }).run(wasm('limit_malloc')), RangeError);
});

const FDS_STDOUT = 'opened: 6, last fd 9\nopen: EMFILE (33)\nclose one: ok\nopen again: ok\n';

test('maxDescriptors: EMFILE past the limit, in the worker mode and in start()', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'f.txt'), 'x');
  // 10 descriptors: stdio (3) and the preopen (1) leave 6 for the guest.
  const r = await new WasiBuilder().maxDescriptors(10).args(['limit_fds', '/sb/f.txt']).preopenDir(dir, '/sb')
    .stdout('capture').run(wasm('limit_fds'));
  assert.equal(r.stdoutText, FDS_STDOUT);
  assert.equal(r.exitCode, 0);

  const stdout = new CaptureStream();
  const wasi = new WASI({ args: ['limit_fds', '/sb/f.txt'], preopens: { '/sb': dir }, stdout, maxDescriptors: 10 });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm('limit_fds')), wasi.getImportObject() as unknown as WebAssembly.Imports);
  assert.equal(wasi.start(instance), 0);
  assert.equal(stdout.text(), FDS_STDOUT);
});

test('timeoutMs: a guest spinning with a file open is stopped, its worker ends and the file is closed', async (t) => {
  const dir = tempDir(t);
  // Idle process workers hold descriptors of their own (their event loops'); count without them.
  await closeIdleWorkers();
  const fdsBefore = openFds();
  const resourcesBefore = process.getActiveResourcesInfo();
  const started = performance.now();
  await assert.rejects(
    new WasiBuilder().args(['limit_spin', '/sb/spin.txt']).preopenDir(dir, '/sb').stdout('capture').timeout(300).run(wasm('limit_spin')),
    (e: unknown) => {
      assert.ok(e instanceof TimeoutError, String(e));
      assert.equal(e.name, 'TimeoutError');
      assert.equal(e.timeoutMs, 300);
      assert.match(e.message, /time limit of 300 ms/);
      // What the guest wrote before it was stopped is not lost.
      assert.equal((e as { captured?: { stdoutText: string } }).captured?.stdoutText, 'opened /sb/spin.txt\n');
      return true;
    },
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 300 && elapsed < 5000, `stopped after ${elapsed.toFixed(0)} ms`);
  assert.equal(readFileSync(join(dir, 'spin.txt'), 'utf8'), 'opened\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(openFds(), fdsBefore, 'the host descriptor of spin.txt was closed');
  assert.deepEqual(newResources(resourcesBefore), [], 'the worker is gone');
});

test('timeoutMs does not apply to start() (it cannot stop the calling thread): refused', async () => {
  const wasi = new WASI({ timeoutMs: 100 });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasm('hello')), wasi.getImportObject() as unknown as WebAssembly.Imports);
  assert.throws(() => wasi.start(instance), /timeoutMs cannot stop a guest started with start\(\)/);
});

test('a guest that finishes within its time limit is not affected by it', async () => {
  const stdout = new CaptureStream();
  const before = process.getActiveResourcesInfo();
  assert.equal(await new WASI({ stdout, timeoutMs: 10_000 }).run(wasm('hello')), 0);
  assert.equal(stdout.text(), 'hello from wat\n');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(newResources(before), [], 'no timer left behind');
});

test('maxThreads and timeoutMs reach the threaded mode through run()', async () => {
  const stdout = new CaptureStream();
  assert.equal(await new WASI({ stdout }).run(wasm('thread_hello')), 0);
  assert.equal(stdout.text(), 'hello from thread\njoined tid=1\n');
  // thread-spawn fails with EAGAIN at the limit; thread_hello traps on that.
  await assert.rejects(new WasiBuilder().maxThreads(0).stdout('capture').run(wasm('thread_hello')), /unreachable/);
  // thread_sleep sleeps 300 ms in a thread.
  await assert.rejects(new WasiBuilder().timeout(50).stdout('capture').run(wasm('thread_sleep')), (e: unknown) => {
    assert.ok(e instanceof TimeoutError, String(e));
    assert.equal(e.timeoutMs, 50);
    return true;
  });
});
