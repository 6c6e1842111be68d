// Runs test/programs/c/browser_fs.c with the prebuilt bundle
// (dist/kiln.browser.js), in a page or in a worker, and reports what the
// guest printed, what it left in the MemoryFileSystem and how long this
// thread's timers were held up. Also: what the browser build refuses.
// Plain JavaScript: the browser loads it as is.
import { CaptureStream, FileType, MemoryFileSystem, OpfsFileSystem, WASI, WasiBuilder, componentsCache, jspiAvailable, unpackComponent } from './kiln.browser.js';

export { closeIdleWorkers, idleWorkers } from './kiln.browser.js';
import { delayedFileSystem } from './delayed-fs.js';

export const ARGS = ['browser_fs', 'one', 'two words', 'héllo wörld'];
export const STDIN = 'some input';

async function fetchBytes(name) {
  return new Uint8Array(await (await fetch(new URL(`./${name}`, import.meta.url))).arrayBuffer());
}

/**
 * Measures the longest stretch in which this thread ran no timer: a guest
 * that holds the thread (computing, or waiting without a way to block)
 * shows as a stretch at least that long.
 */
function timerGaps() {
  let last = performance.now();
  let longest = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const interval = setInterval(tick, 5);
  return () => { tick(); clearInterval(interval); return longest; };
}

/** The files browser_fs reads, in a new MemoryFileSystem. */
function guestFiles() {
  return new MemoryFileSystem({
    'input.txt': 'hello from memory\n',
    dir: { 'b.txt': 'bee', 'a.txt': 'ay', sub: { 'deep.txt': 'deep' } },
  });
}

/**
 * @param {{ sleepMs?: number, inherit?: boolean, caller?: boolean, asyncFs?: boolean }} options
 *   sleepMs: make the guest nanosleep that long.
 *   inherit: leave stdout/stderr to the browser default (the console).
 *   caller: run with JSPI on this thread (WasiBuilder.thread('caller'): WASI.runHere()).
 *   asyncFs: mount the MemoryFileSystem behind Promises (test/helpers/delayed-fs.js).
 */
export async function runGuest({ sleepMs = 0, inherit = false, caller = false, asyncFs = false } = {}) {
  const wasm = await fetchBytes('browser_fs.wasm');
  const fs = guestFiles();
  const delayed = asyncFs ? delayedFileSystem(fs) : undefined;
  const builder = new WasiBuilder()
    .args(ARGS)
    .env('GREETING', 'hello, browser')
    .preopen('/data', delayed ?? fs)
    .stdin(STDIN);
  if (!inherit) builder.stdout('capture').stderr('capture');
  if (sleepMs > 0) builder.env('SLEEP_MS', String(sleepMs));
  if (caller) builder.thread('caller');

  const gaps = timerGaps();
  const t0 = performance.now();
  const result = await builder.run(wasm);
  const elapsedMs = performance.now() - t0;
  const longestTimerGapMs = gaps();

  const node = fs.root.lookup('renamed.txt');
  let renamed = null;
  if (node !== null) {
    const stat = node.stat();
    const handle = fs.root.open('renamed.txt', { read: true, write: false, create: false, exclusive: false, truncate: false });
    const bytes = new Uint8Array(Number(stat.size));
    const n = handle.read(bytes, 0);
    handle.close();
    renamed = {
      regularFile: node.filetype === FileType.REGULAR_FILE,
      size: Number(stat.size),
      text: new TextDecoder().decode(bytes.subarray(0, n)),
    };
  }
  return {
    exitCode: result.exitCode,
    stdout: result.stdoutText,
    stderr: result.stderrText,
    elapsedMs,
    longestTimerGapMs,
    asyncCalls: delayed?.stats.calls ?? 0,
    renamed,
    outTxtExists: fs.root.lookup('out.txt') !== null,
    rootEntries: fs.root.list().map((e) => e.name).sort(),
    where: {
      worker: typeof WorkerGlobalScope !== 'undefined',
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer,
      jspi: jspiAvailable(),
    },
  };
}

/**
 * Runs threads_basic (pthreads: every thread in a Web Worker of Kiln's,
 * the kernel on this thread); what it wrote, or what run() threw.
 */
export async function runThreads() {
  try {
    const r = await new WasiBuilder().args(['threads_basic']).stdout('capture').stderr('capture').run(await fetchBytes('threads_basic.wasm'));
    return { exitCode: r.exitCode, stdout: r.stdoutText, stderr: r.stderrText };
  } catch (e) {
    return { thrown: `${e.name}: ${e.message}` };
  }
}

/**
 * Runs a WASIX program that starts processes (fork, posix_spawn, pipes
 * between them), with a MemoryFileSystem at /sandbox holding `programs`
 * (guest path under /sandbox: the file this page serves); what it wrote.
 */
export async function runProcesses(program, args = [], programs = {}) {
  const bin = {};
  for (const [name, served] of Object.entries(programs)) bin[name] = await fetchBytes(served);
  const r = await new WasiBuilder().args([program, ...args]).preopen('/sandbox', new MemoryFileSystem({ bin }))
    .stdout('capture').stderr('capture').run(await fetchBytes(`${program}.wasm`));
  return { exitCode: r.exitCode, stdout: r.stdoutText, stderr: r.stderrText };
}

/**
 * Runs wasix_net_two: it spawns wasix_http_server (at /sandbox/bin/server)
 * and fetches a page from it over TCP, both processes on Kiln's in-memory
 * loopback network (`network: 'loopback'`) in this page; what it wrote.
 */
export async function runLoopback() {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const wasi = new WASI({
    args: ['wasix_net_two', '/sandbox/bin/server'],
    preopens: { '/sandbox': new MemoryFileSystem({ bin: { server: await fetchBytes('wasix_http_server.wasm') } }) },
    stdout,
    stderr,
    network: 'loopback',
  });
  const exitCode = await wasi.run(await fetchBytes('wasix_net_two.wasm'));
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

/** Writes `tree` (name → text, or a nested object for a directory) into the OPFS directory `dir`. */
async function writeOpfs(dir, tree) {
  for (const [name, value] of Object.entries(tree)) {
    if (typeof value === 'string') {
      const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await writable.write(value);
      await writable.close();
    } else {
      await writeOpfs(await dir.getDirectoryHandle(name, { create: true }), value);
    }
  }
}

/** The OPFS directory `name` as a tree (name → text, or a nested object), read with OPFS's own API. */
async function readOpfs(dir) {
  const out = {};
  const entries = [];
  for await (const entry of dir.entries()) entries.push(entry);
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, handle] of entries) {
    out[name] = handle.kind === 'file' ? await (await handle.getFile()).text() : await readOpfs(handle);
  }
  return out;
}

/**
 * Runs browser_fs on an OpfsFileSystem at /data (OPFS directory `name`,
 * emptied and seeded with the files runGuest's MemoryFileSystem holds),
 * with `run()`, or with JSPI on this thread (`caller`):
 * what it printed, and what OPFS holds afterwards (read with OPFS's API).
 */
export async function runGuestOnOpfs(name, { caller = false } = {}) {
  const top = await navigator.storage.getDirectory();
  await top.removeEntry(name, { recursive: true }).catch(() => {});
  await writeOpfs(await top.getDirectoryHandle(name, { create: true }), {
    'input.txt': 'hello from memory\n',
    dir: { 'b.txt': 'bee', 'a.txt': 'ay', sub: { 'deep.txt': 'deep' } },
  });
  const fs = new OpfsFileSystem({ directory: name });
  try {
    await fs.ready;
    const builder = new WasiBuilder().args(ARGS).env('GREETING', 'hello, browser').preopen('/data', fs).stdin(STDIN)
      .stdout('capture').stderr('capture');
    if (caller) builder.thread('caller');
    const r = await builder.run(await fetchBytes('browser_fs.wasm'));
    return { exitCode: r.exitCode, stdout: r.stdoutText, stderr: r.stderrText, opfs: await readOpfsTree(name) };
  } finally {
    fs.close();
  }
}

/** What the OPFS directory `name` holds (e.g. after the page was loaded again). */
export async function readOpfsTree(name) {
  return readOpfs(await (await navigator.storage.getDirectory()).getDirectoryHandle(name));
}

/** `name: message` of what `f` threw (or 'nothing thrown'). */
async function thrown(f) {
  try {
    await f();
    return 'nothing thrown';
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}

/** What the browser build refuses, as `name: message` of what each attempt threw. */
export async function refusals() {
  return {
    hostDirectory: await thrown(() => new WasiBuilder().preopenDir('./data', '/data').build()),
    timeLimit: await thrown(async () => new WasiBuilder().timeout(1000).run(await fetchBytes('browser_fs.wasm'))),
  };
}

/**
 * Runs browser_fs sleeping `sleepMs` under a time limit of `limitMs`: what
 * run() threw, and how long it took to.
 */
export async function timeLimit(limitMs, sleepMs) {
  const wasm = await fetchBytes('browser_fs.wasm');
  const t0 = performance.now();
  const error = await thrown(() => new WasiBuilder().args(ARGS).env('SLEEP_MS', String(sleepMs)).timeout(limitMs)
    .preopen('/data', guestFiles()).stdout('capture').run(wasm));
  return { error, elapsedMs: performance.now() - t0 };
}

/**
 * Runs the cat component (WASI preview 2) on /data/input.txt of a
 * MemoryFileSystem, from components transpiled and packed by the test
 * (no transpiler in the page): with run(), or with runHere() (JSPI: the
 * glue transpiled to suspend). Reports what it wrote and where it ran.
 */
export async function runComponent({ caller = false } = {}) {
  const bytes = await fetchBytes('cat.component.wasm');
  const packed = [await fetchBytes('cat.component.kiln'), await fetchBytes('cat.component-jspi.kiln')].map(unpackComponent);
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const wasi = new WASI({
    args: ['cat', '/data/input.txt', '/data/dir/sub/deep.txt'],
    env: {},
    preopens: { '/data': guestFiles() },
    stdout,
    stderr,
    componentCache: componentsCache(packed),
  });
  let exitCode;
  try {
    exitCode = caller ? await wasi.runHere(bytes) : await wasi.run(bytes);
  } catch (e) {
    return { thrown: `${e.name}: ${e.message}` };
  }
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}
