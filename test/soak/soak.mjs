#!/usr/bin/env node
// The soak: many guests at once through every entry point, mixed with
// faults, and then a check that the host holds exactly what it held
// before. Run with --expose-gc (which also proves that Kiln's workers do
// not inherit per-process flags):
//
//   node --expose-gc test/soak/soak.mjs [--short | --long]
//
// --short (the test suite, seconds) and --long (`npm run soak`, minutes)
// differ only in rounds. Each round runs, concurrently: start() (hello,
// proc_exit, a trap); run() in process workers (hello, a guest spinning
// past its time limit with a file open, one exhausting its memory cap, one
// exhausting its descriptor cap, an embedder whose output callback
// throws); threaded processes (four threads, proc_exit from a thread, a
// trap in a thread, threads spinning past the time limit); runHere()
// where the engine has JSPI; `kiln run` (hello, a trap, a time limit); a
// waPC host (echo, a trap, a host callback that throws) and a waPC pool;
// a wasi:http proxy component serving requests on fresh instances in
// process workers (a directory preopened, so each instance holds a host
// descriptor, and the instance each worker makes ahead does too), one of
// them trapping; WASIX processes (hello, pthreads, fork, a two-process
// pipeline spawned from the sandbox's own files, and a tree of a forked
// child, a spawned grandchild and a thread stopped by its time limit).
// Every normal output is checked exactly; every fault must be reported as
// the fault it was. Then: open descriptors (listed from /proc/self/fd,
// with their targets), OS threads (/proc/self/task), active handles,
// listening sockets, the temp folder's entries (give the soak a TMPDIR of
// its own) and the heap after GC are compared
// with the start. Prints one line of JSON with the figures; exits 1 with
// the differences when something was left behind or a run went wrong.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kiln = await import(path.join(root, 'dist/node.js'));
const { WASI, WasiBuilder, CaptureStream, MemoryFileSystem, WapcHost, WapcHostPool, WebAssemblyEngine, closeIdleWorkers, jspiAvailable, transpileComponent, componentDiskCache } = kiln;

const rounds = process.argv.includes('--long') ? 40 : 2;
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('soak: run with node --expose-gc\n');
  process.exit(2);
}

const program = (name) => readFileSync(path.join(root, 'build/programs', `${name}.wasm`));
const PROGRAMS = Object.fromEntries(['hello', 'exit42', 'trap', 'limit_spin', 'limit_malloc', 'limit_fds', 'cat', 'threads_basic',
  'threads_exit', 'threads_trap', 'threads_spin', 'wapc_as_echo', 'wasix_hello', 'wasix_pthreads', 'wasix_fork', 'wasix_pipeline',
  'wasix_fork_tree'].map((n) => [n, program(n)]));
const compiled = Object.fromEntries(await Promise.all(['hello', 'exit42', 'trap'].map(async (n) => [n, await WebAssembly.compile(PROGRAMS[n])])));
const enc = new TextEncoder();
const dec = new TextDecoder();

/** What the host holds: descriptors (with targets), threads, handles, sockets, temp files, heap. */
function holdings() {
  globalThis.gc();
  const fds = readdirSync('/proc/self/fd').map((fd) => {
    try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return null; }
  }).filter((t) => t !== null && !t.startsWith('/proc/')).sort();
  return {
    fds,
    sockets: fds.filter((t) => t.startsWith('socket:')).length,
    threads: readdirSync('/proc/self/task').length,
    handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').sort(),
    tmp: readdirSync(os.tmpdir()).sort(),
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

const counts = {};
function count(entry) { counts[entry] = (counts[entry] ?? 0) + 1; }

/** Expects `promise` to reject with an error named `name` whose message matches `message`. */
async function faults(promise, name, message) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

// ---- the entry points, one round each -----------------------------------

function startRound() {
  for (const [name, code, out] of [['hello', 0, 'hello from wat\n'], ['exit42', 42, 'partial output, no newline']]) {
    const stdout = new CaptureStream();
    const wasi = new WASI({ stdout });
    assert.equal(wasi.start(new WebAssembly.Instance(compiled[name], wasi.getImportObject())), code);
    assert.equal(stdout.text(), out);
    count('start()');
  }
  const stdout = new CaptureStream();
  const wasi = new WASI({ stdout, stderr: new CaptureStream() });
  assert.throws(() => wasi.start(new WebAssembly.Instance(compiled.trap, wasi.getImportObject())), WebAssembly.RuntimeError);
  assert.equal(stdout.text(), 'before trap\n');
  count('start()');
}

async function runRound(dir) {
  const jobs = [];
  for (let i = 0; i < 8; i++) {
    jobs.push((async () => {
      const r = await new WasiBuilder().stdout('capture').run(PROGRAMS.hello);
      assert.deepEqual([r.exitCode, r.stdoutText], [0, 'hello from wat\n']);
    })());
  }
  const sandbox = mkdtempSync(path.join(dir, 'run-'));
  jobs.push(faults(new WasiBuilder().args(['limit_spin', '/sb/spin.txt']).preopenDir(sandbox, '/sb').stdout('capture').timeout(300)
    .run(PROGRAMS.limit_spin), 'TimeoutError', /time limit of 300 ms/));
  jobs.push((async () => {
    const r = await new WasiBuilder().maxMemory(4 * 2 ** 20).stdout('capture').run(PROGRAMS.limit_malloc);
    assert.equal(r.exitCode, 0);
    assert.match(r.stdoutText, /^blocks: \d+ \(\d+ KiB\)\nmalloc: NULL\nsbrk: ENOMEM \(48\)\nmemory pages: 64\nafter free: malloc ok\n$/);
  })());
  jobs.push((async () => {
    const r = await new WasiBuilder().args(['limit_fds', '/sb/f.txt']).preopen('/sb', new MemoryFileSystem({ 'f.txt': 'x' }))
      .maxDescriptors(10).stdout('capture').run(PROGRAMS.limit_fds);
    assert.deepEqual([r.exitCode, r.stdoutText], [0, 'opened: 6, last fd 9\nopen: EMFILE (33)\nclose one: ok\nopen again: ok\n']);
  })());
  jobs.push((async () => {
    // The embedder's output callback throws: the guest's write fails with EIO, and the guest says so.
    const r = await new WasiBuilder().args(['cat', '/d/in.txt']).preopen('/d', new MemoryFileSystem({ 'in.txt': 'data\n' }))
      .stdout(() => { throw new Error('the embedder refuses output'); }).stderr('capture').run(PROGRAMS.cat);
    assert.deepEqual([r.exitCode, r.stderrText], [1, 'cat: /d/in.txt: I/O error\n']);
  })());
  await Promise.all(jobs);
  counts['run()'] = (counts['run()'] ?? 0) + jobs.length;
}

async function threadedRound() {
  const jobs = [
    (async () => {
      const r = await new WasiBuilder().stdout('capture').stderr('capture').run(PROGRAMS.threads_basic);
      assert.equal(r.exitCode, 0, r.stderrText);
      assert.match(r.stdoutText, /^total 2002000000$/m);
    })(),
    (async () => {
      const r = await new WasiBuilder().args(['threads_exit']).stdout('capture').run(PROGRAMS.threads_exit);
      assert.deepEqual([r.exitCode, r.stdoutText], [7, 'main: waiting\nthread: exiting with 7\n']);
    })(),
    faults(new WasiBuilder().args(['threads_trap']).stdout('capture').run(PROGRAMS.threads_trap), 'RuntimeError', /unreachable/),
    faults(new WasiBuilder().args(['threads_spin', '2']).stdout('capture').timeout(2000).run(PROGRAMS.threads_spin), 'TimeoutError', /2000 ms/),
  ];
  await Promise.all(jobs);
  counts.threaded = (counts.threaded ?? 0) + jobs.length;
}

async function jspiRound() {
  if (!jspiAvailable()) return;
  const stdout = new CaptureStream();
  assert.equal(await new WASI({ stdout }).runHere(PROGRAMS.hello), 0);
  assert.equal(stdout.text(), 'hello from wat\n');
  await faults(new WASI({ stdout: new CaptureStream(), stderr: new CaptureStream() }).runHere(PROGRAMS.trap), 'RuntimeError', /unreachable/);
  counts['runHere()'] = (counts['runHere()'] ?? 0) + 2;
}

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/kiln.js'), 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

async function cliRound() {
  const p = (name) => path.join(root, 'build/programs', `${name}.wasm`);
  const [hello, trap, spin] = await Promise.all([cli([p('hello')]), cli([p('trap')]), cli(['--timeout', '300ms', p('threads_spin'), '1'])]);
  assert.deepEqual(hello, { status: 0, out: 'hello from wat\n', err: '' });
  assert.equal(trap.status, 134);
  assert.match(trap.err, /^stderr before trap\nError: the guest trapped: unreachable\n/);
  assert.deepEqual([spin.status, spin.err], [124, 'kiln: the guest did not finish within its time limit of 300 ms and was stopped\n']);
  counts['kiln run'] = (counts['kiln run'] ?? 0) + 3;
}

async function wapcRound() {
  const host = new WapcHost(new WebAssemblyEngine(PROGRAMS.wapc_as_echo), (_id, _binding, _ns, operation) => {
    if (operation === 'reverse') throw new Error('the host callback refuses');
    return enc.encode('unused');
  });
  for (let i = 0; i < 20; i++) assert.equal(dec.decode(host.call('echo', enc.encode(`call ${i}`))), `call ${i}`);
  assert.throws(() => host.call('trap', new Uint8Array(0)), /wasm trap: unreachable/);
  assert.throws(() => host.call('reverse_via_host', enc.encode('abc')), /host error: the host callback refuses/);
  assert.equal(dec.decode(host.call('echo', enc.encode('still serving'))), 'still serving');
  const pool = await WapcHostPool.create(PROGRAMS.wapc_as_echo, { minWorkers: 1, maxWorkers: 2 });
  try {
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.call('echo', enc.encode(`pooled ${i}`))));
    assert.deepEqual(replies.map((r) => dec.decode(r)), Array.from({ length: 16 }, (_, i) => `pooled ${i}`));
  } finally {
    await pool.close();
  }
  counts.waPC = (counts.waPC ?? 0) + 24 + 16;
}

/** A WASIX program's expected stdout and exit status (test/programs/wasix/NAME.expected: "# exit N", then the output). */
function wasixExpected(name) {
  const text = readFileSync(path.join(root, 'test/programs/wasix', `${name}.expected`), 'utf8');
  const newline = text.indexOf('\n');
  return [Number(/^# exit (\d+)$/.exec(text.slice(0, newline))[1]), text.slice(newline + 1)];
}

/** WASIX process trees side by side: threads, fork, spawn and pipes between processes, and a tree its time limit stops. */
async function wasixRound(dir) {
  const sandbox = mkdtempSync(path.join(dir, 'wasix-'));
  mkdirSync(path.join(sandbox, 'bin'));
  for (const name of ['child', 'wc']) copyFileSync(path.join(root, 'build/programs', `wasix_${name}.wasm`), path.join(sandbox, 'bin', name));
  const exactly = async (name, builder) => {
    const r = await builder.stdout('capture').stderr('capture').run(PROGRAMS[name]);
    assert.deepEqual([r.exitCode, r.stdoutText], wasixExpected(name), r.stderrText);
  };
  const jobs = [
    exactly('wasix_hello', new WasiBuilder().args(['wasix_hello', 'one', 'two words']).env('KILN_TEST', 'kiln')),
    exactly('wasix_pthreads', new WasiBuilder().args(['wasix_pthreads'])),
    exactly('wasix_fork', new WasiBuilder().args(['wasix_fork'])),
    exactly('wasix_pipeline', new WasiBuilder().args(['wasix_pipeline', '/sandbox/bin/child', '/sandbox/bin/wc']).preopenDir(sandbox, '/sandbox')),
    faults(new WasiBuilder().args(['tree']).stdout('capture').timeout(800).run(PROGRAMS.wasix_fork_tree), 'TimeoutError', /800 ms/),
  ];
  await Promise.all(jobs);
  counts.WASIX = (counts.WASIX ?? 0) + jobs.length;
}

const proxy = await transpileComponent(readFileSync(path.join(root, 'build/components-js/http_echo.wasm')), componentDiskCache());

/** A proxy component's fresh instances answer requests side by side in process workers; a trap is a 500 and the next request is served. */
async function httpRound(dir) {
  // The component writes why it trapped to its stderr: kept here.
  const handler = new WASI({ preopens: { '/data': dir }, stderr: new CaptureStream() }).httpHandler(proxy);
  try {
    const request = (path) => ({ method: 'GET', pathWithQuery: path, scheme: 'http', authority: 'soak', headers: [], body: new Uint8Array(0) });
    const answers = await Promise.all(['/a', '/b', '/trap', '/c'].map((p) => handler.handleAsync(request(p))));
    assert.deepEqual(answers.map((r) => r.status), [201, 201, 500, 201]);
    assert.equal(dec.decode(answers[0].body), 'method=GET path=/a authority=soak body= count=1\n');
    // Idle a moment: each worker makes its next instance ahead.
    await new Promise((resolve) => setTimeout(resolve, 40));
  } finally {
    handler.close();
  }
  counts.http = (counts.http ?? 0) + 4;
}

// ---- the soak ------------------------------------------------------------

const dir = mkdtempSync(path.join(os.tmpdir(), 'soak-'));
// Warm up once (loads Kiln's lazily loaded modules, the first process worker; Node keeps one
// /dev/null open for good after its first spawn with an ignored stdin), then take the baseline.
await runRound(dir);
await cliRound();
await httpRound(dir);
await wasixRound(dir);
await closeIdleWorkers();
const before = holdings();
const started = performance.now();
let peakRssMb = 0;
const sampler = setInterval(() => { peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20); }, 50);
try {
  for (let round = 0; round < rounds; round++) {
    startRound();
    await Promise.all([runRound(dir), threadedRound(), jspiRound(), cliRound(), wapcRound(), httpRound(dir), wasixRound(dir)]);
  }
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;
await closeIdleWorkers();
await new Promise((resolve) => setTimeout(resolve, 50));
const after = holdings();
/** What `after` has more of than `before` (a multiset difference), with the counts. */
function more(beforeList, afterList) {
  const count = (list) => list.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map());
  const b = count(beforeList);
  return [...count(afterList)].filter(([x, n]) => n > (b.get(x) ?? 0)).map(([x, n]) => `${x} (${b.get(x) ?? 0} → ${n})`);
}
const left = {
  fds: more(before.fds.map((f) => f.replace(/\d+/g, 'N')), after.fds.map((f) => f.replace(/\d+/g, 'N'))),
  threads: after.threads - before.threads,
  handles: more(before.handles, after.handles),
  sockets: after.sockets - before.sockets,
  tmp: after.tmp.filter((t) => !before.tmp.includes(t)),
  heapMb: Math.round(after.heapMb - before.heapMb),
};
const runs = Object.values(counts).reduce((a, b) => a + b, 0);
const summary = {
  node: process.version, rounds, runs, seconds: Number(seconds.toFixed(1)), runsPerSecond: Math.round(runs / seconds), counts,
  before: { fds: before.fds.length, threads: before.threads, handles: before.handles.length, sockets: before.sockets },
  after: { fds: after.fds.length, threads: after.threads, handles: after.handles.length, sockets: after.sockets },
  peakRssMb: Math.round(peakRssMb), heapGrowthMb: left.heapMb,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
const problems = [];
if (left.fds.length > 0) problems.push(`descriptors left open: ${left.fds.join(', ')}`);
if (left.threads !== 0) problems.push(`${left.threads} more OS threads than before`);
if (left.handles.length > 0) problems.push(`active handles left: ${left.handles.join(', ')}`);
if (left.sockets !== 0) problems.push(`${left.sockets} more sockets than before`);
if (left.tmp.length > 0) problems.push(`temp files left: ${left.tmp.join(', ')}`);
if (left.heapMb > 32) problems.push(`the heap grew by ${left.heapMb} MB after GC`);
if (problems.length > 0) {
  process.stderr.write(`soak: the host holds more than before:\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
