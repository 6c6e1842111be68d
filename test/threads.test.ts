/**
 * wasi-threads: the threaded mode (kernel on the caller's thread, each wasm
 * thread in a worker on one shared memory). Programs in
 * test/programs/wat/thread_*.wat and test/programs/threads/*.c.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CaptureStream } from '../dist/host/stdio.js';
import { isThreadedModule, runThreaded, ThreadedModuleError, ThreadTrapError } from '../dist/front/threads/index.js';
import { nodeHost } from '../dist/node.js';
import { nodeThreadSpawner } from '../dist/host/node/node-thread-spawner.js';
import type { ThreadSpawner } from '../dist/host/threads.js';
import { programPath } from './helpers/programs.js';
import { runKiln } from './helpers/runners.js';

async function load(name: string): Promise<{ bytes: Uint8Array; module: WebAssembly.Module }> {
  const bytes = readFileSync(programPath(name));
  return { bytes, module: await WebAssembly.compile(bytes) };
}

/** Workers made by runHere's spawner and not yet terminated. */
let liveWorkers = 0;
const countingSpawner: ThreadSpawner = {
  spawn(onEvent) {
    const w = nodeThreadSpawner.spawn(onEvent);
    liveWorkers++;
    return {
      run: (start) => w.run(start),
      terminate: async () => { await w.terminate(); liveWorkers--; },
    };
  },
};

/** Runs a threaded program in this process with captured output. */
async function runHere(name: string, limits: { maxThreads?: number; timeoutMs?: number } = {}, args: string[] = []) {
  const { bytes, module } = await load(name);
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const host = { ...nodeHost, threads: countingSpawner };
  const code = await runThreaded(module, bytes, { args: [name, ...args], stdout, stderr }, host, limits);
  return { code, stdout: new TextDecoder().decode(stdout.bytes()), stderr: new TextDecoder().decode(stderr.bytes()) };
}

/** Active resources now that were not active in `before` (counted, by type). */
function newResources(before: string[]): string[] {
  const left = [...before];
  return process.getActiveResourcesInfo().filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

test('a threaded module is recognised by its imports', async () => {
  assert.equal(isThreadedModule((await load('thread_hello')).module), true);
  assert.equal(isThreadedModule((await load('hello')).module), false);
});

test('kiln run: a spawned thread prints and wakes main through a futex', async () => {
  const r = await runKiln({ program: 'thread_hello' });
  assert.equal(r.stdout, 'hello from thread\njoined tid=1\n');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('in process: output goes through the kernel to a capture stream, and nothing is left running', async () => {
  const before = process.getActiveResourcesInfo().sort();
  const r = await runHere('thread_hello');
  assert.deepEqual(r, { code: 0, stdout: 'hello from thread\njoined tid=1\n', stderr: '' });
  // Every worker was terminated, and no timer or handle is left behind.
  assert.equal(liveWorkers, 0);
  assert.deepEqual(newResources(before), []);
});

test('a thread blocked in poll_oneoff does not stall the other threads', async () => {
  const started = performance.now();
  const r = await runHere('thread_sleep');
  const elapsed = performance.now() - started;
  assert.deepEqual(r, { code: 0, stdout: 'main runs\nthread woke\njoined\n', stderr: '' });
  assert.ok(elapsed >= 300, `the thread slept ${elapsed} ms`);
});

test('thread-spawn beyond the thread limit returns -EAGAIN (the program traps on it)', async () => {
  await assert.rejects(runHere('thread_hello', { maxThreads: 0 }), (e: unknown) => {
    assert.ok(e instanceof ThreadTrapError);
    assert.equal(e.trap, true);
    assert.match(e.message, /unreachable/);
    return true;
  });
});

test('a threaded module without wasi_thread_start is refused before it runs', async () => {
  const wat = readFileSync(programPath('thread_hello'));
  // The same module with its wasi_thread_start export renamed.
  const bytes = new Uint8Array(wat);
  const at = Buffer.from(bytes).indexOf('wasi_thread_start');
  bytes[at] = 'W'.charCodeAt(0);
  const module = await WebAssembly.compile(bytes);
  await assert.rejects(runThreaded(module, bytes, {}, nodeHost), ThreadedModuleError);
});

test('kiln run: four C threads with atomics, their own stacks and TLS', async () => {
  const r = await runKiln({ program: 'threads_basic' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    'thread 0: added 500500000',
    'thread 1: added 500500000',
    'thread 2: added 500500000',
    'thread 3: added 500500000',
    'total 2002000000',
    'tids ok',
    'stacks ok',
    'tls ok',
    '',
  ].join('\n'));
});
