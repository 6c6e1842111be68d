/**
 * wasi-threads: the threaded mode (kernel on the caller's thread, each wasm
 * thread in a worker on one shared memory). Programs in
 * test/programs/wat/thread_*.wat and test/programs/threads/*.c.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isThreadedModule } from '../dist/exec/threaded-module.js';
import { CaptureStream, nodeThreadSpawner, ThreadedModuleError, ThreadTrapError, WASI, type ThreadSpawner } from '../dist/node.js';
import { programPath, repoRoot } from './helpers/programs.js';
import { kilnBin, runKiln, withSandbox } from './helpers/runners.js';
import { newResources } from './helpers/resources.js';

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

/** Runs a threaded program in this process (WASI.run() with a counting thread spawner) with captured output. */
async function runHere(name: string, limits: { maxThreads?: number; timeoutMs?: number } = {}, args: string[] = [], env: Record<string, string> = {}) {
  const { bytes } = await load(name);
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const wasi = new WASI({ args: [name, ...args], env, stdout, stderr, ...limits, runtime: { threadSpawn: countingSpawner } });
  const code = await wasi.run(bytes);
  return { code, stdout: new TextDecoder().decode(stdout.bytes()), stderr: new TextDecoder().decode(stderr.bytes()) };
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

const THREAD_ARGS_OUTPUT = [
  'argc 2',
  'args_sizes_get count out of bounds: 21',
  'args_get argv out of bounds: 21',
  'args_get buf straddles the end: 21',
  'environ_sizes_get size out of bounds: 21',
  'environ_get buf out of bounds: 21',
  'argv[1] one',
].join('\n') + '\n';

test('the thread answers args_* and environ_* itself: the strings, and EFAULT for each pointer out of the memory', async () => {
  const r = await runHere('thread_args', {}, ['one'], { A: 'B' });
  assert.deepEqual(r, { code: 0, stdout: THREAD_ARGS_OUTPUT, stderr: '' });
});

test('traced, the same calls go through the kernel and answer the same', async () => {
  const r = await runKiln({ program: 'thread_args', args: ['one'], env: { A: 'B' }, flags: ['--trace'] });
  assert.equal(r.stdout, THREAD_ARGS_OUTPUT);
  assert.match(r.stderr, /^\[kiln trace\] args_get\(argv=0xfffffff0, argv_buf=0x200\) = FAULT$/m);
  assert.equal(r.status, 0);
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
  await assert.rejects(new WASI({}).run(bytes), ThreadedModuleError);
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

test('kiln run: a mutex and condition variable over a bounded queue, two producers and two consumers', async () => {
  const r = await runKiln({ program: 'threads_mutex', args: ['5000'] });
  assert.equal(r.stdout, 'produced 10000\nconsumed 10000\nsum 25005000\nitems ok\n');
  assert.equal(r.status, 0, r.stderr);
});

test('proc_exit from a secondary thread ends every thread with its code', async () => {
  const r = await runKiln({ program: 'threads_exit' });
  assert.equal(r.stdout, 'main: waiting\nthread: exiting with 7\n');
  assert.equal(r.status, 7);
});

test('exit from the main thread ends a thread spinning forever', async () => {
  const r = await runKiln({ program: 'threads_exit', args: ['main'] });
  assert.equal(r.stdout, 'thread: spinning\nmain: exiting with 3\n');
  assert.equal(r.status, 3);
});

test('a trap in a secondary thread ends the process: status 134 with the wasm backtrace', async () => {
  const r = await runKiln({ program: 'threads_trap' });
  assert.equal(r.stdout, 'main: waiting\nthread: trapping\n');
  assert.equal(r.status, 134);
  assert.match(r.stderr, /^Error: the guest trapped: unreachable\nwasm backtrace:\n {2}0: threads_trap\.crash/);
});

test('a trap in the main thread while another thread waits', async () => {
  const r = await runKiln({ program: 'threads_trap', args: ['main'] });
  assert.equal(r.stdout, 'thread: waiting\nmain: trapping\n');
  assert.equal(r.status, 134);
  assert.match(r.stderr, /^Error: the guest trapped: unreachable/);
});

test('--timeout stops three threads spinning in tight loops: status 124', async () => {
  const started = performance.now();
  // 2 s: time enough, on a loaded machine, for the workers to start and the guest to report before the stop.
  const r = await runKiln({ program: 'threads_spin', args: ['2'], flags: ['--timeout', '2s'] });
  assert.equal(r.stdout, 'threads_spin: 2 threads spinning\n');
  assert.equal(r.stderr, 'kiln: the guest did not finish within its time limit of 2000 ms and was stopped\n');
  assert.equal(r.status, 124);
  assert.ok(performance.now() - started < 10_000);
});

test('--max-threads: thread-spawn fails with -EAGAIN beyond the limit, and works again after a join', async () => {
  const r = await runKiln({ program: 'threads_many', flags: ['--max-threads', '2'] });
  assert.equal(r.stdout, 'spawned 2\nthread-spawn returned -6\njoined 2\nrespawn ok\n');
  assert.equal(r.status, 0, r.stderr);
});

test('writes from a secondary thread to stdout redirected to a file: every byte lands, in order', async () => {
  await withSandbox(async (sb) => {
    const out = path.join(sb.root, 'out.txt');
    const fd = openSync(out, 'w');
    const r = spawnSync(process.execPath, [kilnBin, 'run', programPath('threads_write'), '20000', 'thread'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, 'threads_write: where=thread fd=1 calls=20000 bytes=320000\n');
    assert.equal(readFileSync(out, 'utf8'), '0123456789abcde\n'.repeat(20000));
  });
});

test('an embedding process exits by itself after a threaded run, even with a thread left spinning', async () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { WasiBuilder } from ${JSON.stringify(path.join(repoRoot, 'dist', 'node.js'))};
    const bytes = readFileSync(${JSON.stringify(programPath('threads_exit'))});
    const r = await new WasiBuilder().args(['threads_exit', 'main']).stdout('capture').run(bytes);
    process.stdout.write(JSON.stringify([r.exitCode, r.stdoutText]));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), [3, 'thread: spinning\nmain: exiting with 3\n']);
});
