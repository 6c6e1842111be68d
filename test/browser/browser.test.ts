/**
 * Kiln's prebuilt browser bundle in a real browser: serves
 * dist/kiln.browser.js (scripts/bundle-browser.mjs, run by the package
 * build) with a test page and build/programs/browser_fs.wasm
 * (test/programs/c/browser_fs.c) over a local HTTP server, and runs the
 * guest in headless Chromium, on a page's main thread and in a dedicated
 * module worker, with a MemoryFileSystem mounted at /data, captured
 * stdout/stderr and stdin from a string.
 *
 * Two pages: /coi/ is served with COOP/COEP (cross-origin isolated, so
 * SharedArrayBuffer exists and a worker can block in Atomics.wait: the guest
 * nanosleeps there); /plain/ is not (no SharedArrayBuffer at all). Where a
 * thread cannot block (a page's main thread; any thread without
 * SharedArrayBuffer) a sleep still ends on time, holding the thread: the
 * page's timers do not run meanwhile. With JSPI (`runHere()`), a guest on
 * the main thread of the page without COOP/COEP sleeps and reads an
 * asynchronous filesystem while the page's timers keep running. And what
 * the browser build refuses: host directories, time limits. Threads and
 * WASIX processes (fork, a posix_spawn pipeline) run in Web Workers on the
 * isolated page, with `kiln run`'s output; threads are refused on the
 * other page, naming the headers. And the
 * plain `<script type="module">` page docs/browser.md shows (it must show
 * test/browser/script-tag.html verbatim).
 *
 *   node --import tsx --test test/browser/browser.test.ts
 *
 * The bundle is built here when it is missing or older than a source file
 * (a build that ran tsc alone). Skips only when /usr/bin/chromium is
 * missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { packComponent, transpileComponent } from '../../src/node.js';
import { node24 } from '../helpers/runners.js';
import { CHROMIUM, closeServer, eventually, launchChromium, nothingLeftRunning, startServer, underKilnRun, type Served } from './chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = join(ROOT, 'dist/kiln.browser.js');
const WASM = join(ROOT, 'build/programs/browser_fs.wasm');
const THREADS_WASM = join(ROOT, 'build/programs/threads_basic.wasm');
/** WASIX programs that start processes, and the ones they start. */
const PROCESS_PROGRAMS = ['wasix_fork', 'wasix_pipeline', 'wasix_child', 'wasix_wc', 'wasix_net_two', 'wasix_http_server', 'wasix_context'];
/** What threads_basic (test/programs/threads/threads_basic.c) writes: the same as under `kiln run`. */
const THREADS_STDOUT = [0, 1, 2, 3].map((i) => `thread ${i}: added 500500000\n`).join('') + 'total 2002000000\ntids ok\nstacks ok\ntls ok\n';
/** docs/browser.md's first example, verbatim: a page that imports the bundle in a plain module script. */
const SCRIPT_TAG_PAGE = join(ROOT, 'test/browser/script-tag.html');
/** The cat component (WASI preview 2), and where the test packs it transpiled both ways: the page has no transpiler. */
const CAT_COMPONENT = join(ROOT, 'build/components/cat.wasm');
const PACKED_DIR = join(ROOT, 'build/browser-components');
/** What the cat component writes for /data/input.txt and /data/dir/sub/deep.txt of the page's MemoryFileSystem. */
const CAT_STDOUT = 'hello from memory\ndeep';
const SLEEP_MS = 50;
/** A sleep long enough to tell a held thread (timers stopped that long) from a free one. */
const LONG_SLEEP_MS = 300;

/** What test/browser/guest.js reports. */
interface GuestReport {
  exitCode: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  longestTimerGapMs: number;
  asyncCalls: number;
  renamed: { regularFile: boolean; size: number; text: string } | null;
  outTxtExists: boolean;
  rootEntries: string[];
  where: { worker: boolean; crossOriginIsolated: boolean; sharedArrayBuffer: string; jspi: boolean };
}
interface RunOptions { sleepMs?: number; inherit?: boolean; caller?: boolean; asyncFs?: boolean }
interface Refusals { hostDirectory: string; timeLimit: string }
type ThreadsReport = { exitCode: number; stdout: string; stderr: string } | { thrown: string };
type ComponentReport = ThreadsReport;
interface PageApi {
  runMain(options: RunOptions): Promise<GuestReport>;
  runWorker(options: RunOptions): Promise<GuestReport>;
  runThreads(): Promise<ThreadsReport>;
  runThreadsInWorker(): Promise<ThreadsReport>;
  runComponent(options: { caller?: boolean }): Promise<ComponentReport>;
  runProcesses(program: string, args: string[], programs: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  refusals(): Promise<Refusals>;
  timeLimit(limitMs: number, sleepMs: number): Promise<{ error: string; elapsedMs: number }>;
  runLoopback(): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  runGuestOnOpfs(name: string, options?: { caller?: boolean }): Promise<{ exitCode: number; stdout: string; stderr: string; opfs: OpfsTree }>;
  readOpfsTree(name: string): Promise<OpfsTree>;
  idleWorkers(): number;
  closeIdleWorkers(): void;
}
interface OpfsTree { [name: string]: string | OpfsTree }
type TestWindow = { kilnTest?: PageApi; kilnTestError?: string };

const EXPECTED_STDOUT = [
  'argv[0]=browser_fs',
  'argv[1]=one',
  'argv[2]=two words',
  'argv[3]=héllo wörld',
  'GREETING=hello, browser',
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
const slept = (ms: number): string => `slept ${ms}ms: waited >= ${ms}ms: yes\n`;
const EXPECTED_STDERR = 'browser_fs: exiting with 3\n';

// ---------------------------------------------------------------------------
// The bundle and the server: /coi/* with cross-origin isolation headers, /plain/* without.

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/kiln.browser.js unless the package build made it after the last change to its sources. */
async function ensureBundle(t: TestContext): Promise<void> {
  const newest = Math.max(newestSource(join(ROOT, 'src')), statSync(join(ROOT, 'scripts/bundle-browser.mjs')).mtimeMs);
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest) {
    t.diagnostic('dist/kiln.browser.js as the build made it');
    return;
  }
  const bundled = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/bundle-browser.mjs')], { cwd: ROOT });
  t.diagnostic(`built here (missing or older than its sources): ${bundled.stdout.trim()}`);
}

const FILES: Record<string, string> = {
  'page.html': join(ROOT, 'test/browser/page.html'),
  'page.js': join(ROOT, 'test/browser/page.js'),
  'guest.js': join(ROOT, 'test/browser/guest.js'),
  'delayed-fs.js': join(ROOT, 'test/helpers/delayed-fs.js'),
  'worker.js': join(ROOT, 'test/browser/worker.js'),
  'script-tag.html': SCRIPT_TAG_PAGE,
  'kiln.browser.js': BUNDLE,
  'kiln.browser-thread.js': join(ROOT, 'dist/kiln.browser-thread.js'),
  'kiln.browser-process.js': join(ROOT, 'dist/kiln.browser-process.js'),
  'kiln.browser-opfs.js': join(ROOT, 'dist/kiln.browser-opfs.js'),
  'cat.wasm': join(ROOT, 'examples/browser-esbuild/cat.wasm'),
  'browser_fs.wasm': WASM,
  'threads_basic.wasm': THREADS_WASM,
  'cat.component.wasm': CAT_COMPONENT,
  'cat.component.kiln': join(PACKED_DIR, 'cat.component.kiln'),
  'cat.component-jspi.kiln': join(PACKED_DIR, 'cat.component-jspi.kiln'),
  ...Object.fromEntries(PROCESS_PROGRAMS.map((name) => [`${name}.wasm`, join(ROOT, `build/programs/${name}.wasm`)])),
};

/** What `kiln run` makes of `program` (with `bin` installed in a fresh /sandbox/bin): the browser must match it. */
function route(path: string): Served | undefined {
  const m = /^\/(coi|plain)\/([^/]+)$/.exec(path);
  const file = m ? FILES[m[2]!] : undefined;
  if (!m || file === undefined) return undefined;
  const headers: Record<string, string> = m[1] === 'coi'
    ? {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    }
    : {};
  return { path: file, headers };
}

// ---------------------------------------------------------------------------
// Pages.

interface OpenedPage {
  page: Page;
  console: { type: string; text: string }[];
  errors: string[];
}

async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const opened: OpenedPage = { page, console: [], errors: [] };
  page.on('console', (msg) => { opened.console.push({ type: msg.type(), text: msg.text() }); });
  page.on('pageerror', (e) => { opened.errors.push(String(e.stack ?? e)); });
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, `GET ${url}`);
  await page.waitForFunction(() => {
    const w = window as unknown as TestWindow;
    return w.kilnTest !== undefined || w.kilnTestError !== undefined;
  });
  const loadError = await page.evaluate(() => (window as unknown as TestWindow).kilnTestError);
  assert.equal(loadError, undefined, `the page could not load the bundle: ${loadError}`);
  return opened;
}

function run(opened: OpenedPage, where: 'main' | 'worker', options: RunOptions = {}): Promise<GuestReport> {
  return opened.page.evaluate(
    ([w, o]) => {
      const api = (window as unknown as TestWindow).kilnTest!;
      return w === 'main' ? api.runMain(o) : api.runWorker(o);
    },
    [where, options] as const,
  );
}

/** The checks every run shares: exit code, exact output, and the MemoryFileSystem afterwards. */
function assertGuestRan(r: GuestReport, expectedStdout: string): void {
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, expectedStdout);
  assert.equal(r.stderr, EXPECTED_STDERR);
  assert.deepEqual(r.renamed, { regularFile: true, size: 23, text: 'written in the browser\n' });
  assert.equal(r.outTxtExists, false);
  assert.deepEqual(r.rootEntries, ['dir', 'input.txt', 'renamed.txt']);
}

// ---------------------------------------------------------------------------

test('Kiln in headless Chromium: the prebuilt bundle, page main thread, worker', { timeout: 180_000 }, async (t: TestContext) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (install Debian's chromium package to run the browser test)`);
    return;
  }
  for (const wasm of [WASM, THREADS_WASM]) {
    assert.ok(existsSync(wasm), `${wasm} is missing: build the test programs first (npm run build:programs)`);
  }
  await ensureBundle(t);

  // The cat component transpiled both ways and packed, as an embedder would before shipping it to a page.
  assert.ok(existsSync(CAT_COMPONENT), `${CAT_COMPONENT} is missing: build the test programs first (npm run build:programs)`);
  mkdirSync(PACKED_DIR, { recursive: true });
  const catBytes = await readFile(CAT_COMPONENT);
  writeFileSync(join(PACKED_DIR, 'cat.component.kiln'), packComponent(await transpileComponent(catBytes)));
  writeFileSync(join(PACKED_DIR, 'cat.component-jspi.kiln'), packComponent(await transpileComponent(catBytes, undefined, true)));

  const { server, base } = await startServer(route);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    t.diagnostic(`chromium ${browser.version()}`);

    await t.test('the bundle: one ES module without Node imports or a source map, with its licenses, exporting the browser API', async () => {
      const text = await readFile(BUNDLE, 'utf8');
      assert.doesNotMatch(text, /\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\brequire\s*\(/);
      assert.doesNotMatch(text, /sourceMappingURL/);
      assert.match(text.slice(0, 300), /^\/\*\n \* Kiln \(kiln-wasm [^)]+\) for browsers[^]* \* Apache-2\.0 license\./);
      assert.match(text, /\* @msgpack\/msgpack [\d.]+ \(ISC\):\n \*\n \* Copyright 2019 The MessagePack Community\./);
      const kiln = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>;
      for (const name of ['WASI', 'WasiBuilder', 'MemoryFileSystem', 'ConsoleStream', 'browserPlatform', 'browserRuntime', 'CaptureStream', 'jspiAvailable']) {
        assert.ok(kiln[name] !== undefined, `the bundle exports ${name}`);
      }
    });

    const coi = await openPage(browser, `${base}/coi/page.html`);

    await t.test('cross-origin isolated page: run() from the main thread runs the guest and its kernel in a process worker: files, args, env, stdin, exit code', async () => {
      const r = await run(coi, 'main');
      assert.deepEqual(
        [r.where.worker, r.where.crossOriginIsolated, r.where.sharedArrayBuffer],
        [false, true, 'function'],
      );
      assertGuestRan(r, EXPECTED_STDOUT);
      await nothingLeftRunning(coi.page, 'kilnTest', 'the process worker to end');
    });

    await t.test('cross-origin isolated page: run() of a component (packed ahead, no transpiler on the page) runs it in a process worker', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runComponent({}));
      assert.deepEqual(r, { exitCode: 0, stdout: CAT_STDOUT, stderr: '' });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the process worker to end');
    });

    await t.test('cross-origin isolated page: the next run() reuses the process worker the last one left idle', async () => {
      let started = 0;
      const counted = (): void => { started++; };
      coi.page.on('worker', counted);
      assertGuestRan(await run(coi, 'main'), EXPECTED_STDOUT);
      assertGuestRan(await run(coi, 'main'), EXPECTED_STDOUT);
      coi.page.off('worker', counted);
      assert.equal(started, 1, 'workers started for two runs');
      await nothingLeftRunning(coi.page, 'kilnTest', 'the process worker to be idle');
    });

    await t.test(`cross-origin isolated page, module worker: the same, plus a ${SLEEP_MS} ms nanosleep`, async () => {
      const r = await run(coi, 'worker', { sleepMs: SLEEP_MS });
      assert.deepEqual(
        [r.where.worker, r.where.crossOriginIsolated, r.where.sharedArrayBuffer],
        [true, true, 'function'],
      );
      assertGuestRan(r, EXPECTED_STDOUT + slept(SLEEP_MS));
      assert.ok(r.elapsedMs >= SLEEP_MS, `the run took ${r.elapsedMs} ms`);
    });

    await t.test(`cross-origin isolated page, run() from the main thread: a ${LONG_SLEEP_MS} ms nanosleep sleeps in the process worker, the page's timers running`, async (st) => {
      const r = await run(coi, 'main', { sleepMs: LONG_SLEEP_MS });
      assertGuestRan(r, EXPECTED_STDOUT + slept(LONG_SLEEP_MS));
      st.diagnostic(`the page's timers stopped for at most ${r.longestTimerGapMs.toFixed(1)} ms`);
      assert.ok(r.longestTimerGapMs < (LONG_SLEEP_MS * 2) / 3, `the page's timers stopped for ${r.longestTimerGapMs} ms`);
    });

    await t.test('cross-origin isolated page, run() without JSPI: an asynchronous filesystem on the page serves the guest in its process worker', async (st) => {
      const r = await run(coi, 'main', { asyncFs: true });
      assertGuestRan(r, EXPECTED_STDOUT);
      assert.ok(r.asyncCalls > 10, `${r.asyncCalls} asynchronous backend calls`);
      st.diagnostic(`${r.asyncCalls} backend calls, each answered on a later timer of the page`);
    });

    await t.test('cross-origin isolated page: a time limit stops the guest and its worker', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.timeLimit(300, 10_000));
      assert.equal(r.error, 'TimeoutError: the guest did not finish within its time limit of 300 ms and was stopped');
      assert.ok(r.elapsedMs >= 300 && r.elapsedMs < 5_000, `stopped after ${r.elapsedMs} ms`);
      await nothingLeftRunning(coi.page, 'kilnTest', 'the stopped worker to go');
    });

    await t.test('default stdout/stderr go to the console, line by line', async () => {
      const before = coi.console.length;
      const r = await run(coi, 'main', { inherit: true });
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
      const want = [
        ...EXPECTED_STDOUT.trimEnd().split('\n').map((text) => ({ type: 'log', text })),
        { type: 'error', text: EXPECTED_STDERR.trimEnd() },
      ];
      await eventually(() => coi.console.length - before >= want.length, 'the console messages');
      assert.deepEqual(coi.console.slice(before), want);
    });

    await t.test('threads: a pthreads program runs with its kernel in a process worker and every thread in a Web Worker started from there', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runThreads());
      assert.deepEqual(r, { exitCode: 0, stdout: THREADS_STDOUT, stderr: 'threads_basic: tids 1 2 3 4\n' });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the thread workers to end');
    });

    await t.test('threads: run() called in a worker of the page\'s works the same, its workers nested in that worker', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runThreadsInWorker());
      assert.deepEqual(r, { exitCode: 0, stdout: THREADS_STDOUT, stderr: 'threads_basic: tids 1 2 3 4\n' });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the worker and its thread workers to end');
    });

    for (const [program, args, bin] of [
      ['wasix_fork', [], {}],
      ['wasix_pipeline', ['/sandbox/bin/child', '/sandbox/bin/wc'], { child: 'wasix_child.wasm', wc: 'wasix_wc.wasm' }],
    ] as [string, string[], Record<string, string>][]) {
      await t.test(`WASIX processes: ${program} gives the output it gives under kiln run`, async () => {
        const expected = underKilnRun(FILES[`${program}.wasm`]!, args, Object.fromEntries(Object.entries(bin).map(([name, served]) => [name, FILES[served]!])));
        assert.equal(expected.status, 0, expected.stderr);
        const r = await coi.page.evaluate(([p, a, b]) => (window as unknown as TestWindow).kilnTest!.runProcesses(p, a, b), [program, args, bin] as const);
        assert.deepEqual(r, { exitCode: 0, stdout: expected.stdout, stderr: expected.stderr });
        await nothingLeftRunning(coi.page, 'kilnTest', 'the processes\' workers to end');
      });
    }

    await t.test('WASIX contexts in the page (Chromium has JSPI): wasix_context gives the output it gives under kiln run on Node 24', { skip: existsSync(node24) ? false : `no Node 24 at ${node24}` }, async () => {
      const expected = underKilnRun(FILES['wasix_context.wasm']!, [], {}, node24);
      assert.equal(expected.status, 0, expected.stderr);
      assert.match(expected.stdout, /^created two contexts: distinct, not main\n/, 'Node 24 switched contexts (not ENOTSUP)');
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runProcesses('wasix_context', [], {}));
      assert.deepEqual(r, { exitCode: 0, stdout: expected.stdout, stderr: expected.stderr });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the process\'s workers to end');
    });

    await t.test('loopback networking in the page: a WASIX process fetches over TCP from the HTTP server it spawned', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runLoopback());
      assert.deepEqual(r, { exitCode: 0, stdout: 'parent got: hello /from-parent\nchild said: listening 7070\nserved 1\nchild exited 0\n', stderr: '' });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the two processes\' workers to end');
    });

    await t.test('OpfsFileSystem: the guest reads, writes, lists and renames files in the origin private file system, which keeps them across page loads', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runGuestOnOpfs('kiln-test'));
      const opfs: OpfsTree = {
        dir: { 'a.txt': 'ay', 'b.txt': 'bee', sub: { 'deep.txt': 'deep' } },
        'input.txt': 'hello from memory\n',
        'renamed.txt': 'written in the browser\n',
      };
      assert.deepEqual(r, { exitCode: 3, stdout: EXPECTED_STDOUT, stderr: EXPECTED_STDERR, opfs });
      await nothingLeftRunning(coi.page, 'kilnTest', 'the process worker to be idle, the OPFS worker closed');
      await coi.page.reload();
      await coi.page.waitForFunction(() => (window as unknown as TestWindow).kilnTest !== undefined);
      assert.deepEqual(await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.readOpfsTree('kiln-test')), opfs);
    });

    await t.test('refused in a browser: host directories', async () => {
      const r = await coi.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.refusals());
      assert.deepEqual(r, {
        hostDirectory: 'TypeError: host directories are not available in a browser (./data); mount a FileSystem instead',
        timeLimit: 'nothing thrown',
      });
    });

    assert.deepEqual(coi.errors, [], 'uncaught errors on the cross-origin isolated page');
    await coi.page.context().close();

    const plain = await openPage(browser, `${base}/plain/page.html`);

    await t.test('page without COOP/COEP: a threaded program is refused, naming the headers the page needs', async () => {
      const r = await plain.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runThreads());
      assert.deepEqual(r, {
        thrown: 'Error: threads need SharedArrayBuffer: in a browser, a cross-origin isolated page, served with the headers ' +
          '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp"',
      });
    });

    await t.test('page without COOP/COEP: time limits are refused (no worker can be stopped for one)', async () => {
      const r = await plain.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.refusals());
      assert.equal(r.timeLimit, 'TypeError: timeoutMs needs a process worker, which this platform does not have (Node, or a cross-origin isolated page)');
    });

    await t.test('page without COOP/COEP (no SharedArrayBuffer), main thread', async () => {
      const r = await run(plain, 'main');
      assert.deepEqual(
        [r.where.worker, r.where.crossOriginIsolated, r.where.sharedArrayBuffer],
        [false, false, 'undefined'],
      );
      assertGuestRan(r, EXPECTED_STDOUT);
    });

    await t.test('page without COOP/COEP (no SharedArrayBuffer), module worker', async () => {
      const r = await run(plain, 'worker');
      assert.deepEqual(
        [r.where.worker, r.where.crossOriginIsolated, r.where.sharedArrayBuffer],
        [true, false, 'undefined'],
      );
      assertGuestRan(r, EXPECTED_STDOUT);
    });

    await t.test(`page without COOP/COEP, main thread: a ${LONG_SLEEP_MS} ms nanosleep ends on time, holding the thread`, async (st) => {
      const r = await run(plain, 'main', { sleepMs: LONG_SLEEP_MS });
      assertGuestRan(r, EXPECTED_STDOUT + slept(LONG_SLEEP_MS));
      st.diagnostic(`the page's timers stopped for ${r.longestTimerGapMs.toFixed(1)} ms`);
      assert.ok(r.longestTimerGapMs >= LONG_SLEEP_MS * 0.9, `the page's timers stopped for at most ${r.longestTimerGapMs} ms`);
    });

    await t.test(`page without COOP/COEP, module worker: a ${SLEEP_MS} ms nanosleep ends on time`, async () => {
      const r = await run(plain, 'worker', { sleepMs: SLEEP_MS });
      assertGuestRan(r, EXPECTED_STDOUT + slept(SLEEP_MS));
      assert.ok(r.elapsedMs >= SLEEP_MS, `the run took ${r.elapsedMs} ms`);
    });

    await t.test('page without COOP/COEP, main thread with JSPI (runHere): the guest on an OpfsFileSystem', async (st) => {
      const jspi = await plain.page.evaluate(() => typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function');
      if (!jspi) {
        st.skip(`chromium ${browser!.version()} has no JSPI`);
        return;
      }
      const r = await plain.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runGuestOnOpfs('kiln-test-jspi', { caller: true }));
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [3, EXPECTED_STDOUT, EXPECTED_STDERR]);
      assert.equal(r.opfs['renamed.txt'], 'written in the browser\n');
    });

    await t.test(`page without COOP/COEP, main thread with JSPI (runHere): an asynchronous filesystem and a ${LONG_SLEEP_MS} ms nanosleep, the page's timers running`, async (st) => {
      const jspi = await plain.page.evaluate(() => typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function');
      if (!jspi) {
        st.skip(`chromium ${browser!.version()} has no JSPI`);
        return;
      }
      const r = await run(plain, 'main', { caller: true, asyncFs: true, sleepMs: LONG_SLEEP_MS });
      assert.deepEqual(
        [r.where.worker, r.where.crossOriginIsolated, r.where.sharedArrayBuffer, r.where.jspi],
        [false, false, 'undefined', true],
      );
      assertGuestRan(r, EXPECTED_STDOUT + slept(LONG_SLEEP_MS));
      assert.ok(r.asyncCalls > 10, `${r.asyncCalls} asynchronous backend calls`);
      st.diagnostic(`${r.asyncCalls} backend calls; the page's timers stopped for at most ${r.longestTimerGapMs.toFixed(1)} ms`);
      assert.ok(r.longestTimerGapMs < (LONG_SLEEP_MS * 2) / 3, `the page's timers stopped for ${r.longestTimerGapMs} ms`);
    });

    await t.test('page without COOP/COEP, main thread: run() of a component runs it on the page\'s thread', async () => {
      const r = await plain.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runComponent({}));
      assert.deepEqual(r, { exitCode: 0, stdout: CAT_STDOUT, stderr: '' });
    });

    await t.test('page without COOP/COEP, main thread with JSPI: runHere() of a component, from its packed JSPI glue', async (st) => {
      const jspi = await plain.page.evaluate(() => typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function');
      if (!jspi) {
        st.skip(`chromium ${browser!.version()} has no JSPI`);
        return;
      }
      const r = await plain.page.evaluate(() => (window as unknown as TestWindow).kilnTest!.runComponent({ caller: true }));
      assert.deepEqual(r, { exitCode: 0, stdout: CAT_STDOUT, stderr: '' });
    });

    assert.deepEqual(plain.errors, [], 'uncaught errors on the page without COOP/COEP');
    await plain.page.context().close();

    await t.test("docs/browser.md's plain <script type=\"module\"> page, verbatim, without COOP/COEP", async () => {
      const html = await readFile(SCRIPT_TAG_PAGE, 'utf8');
      const guide = await readFile(join(ROOT, 'docs/browser.md'), 'utf8');
      assert.ok(guide.includes(`\`\`\`html\n${html}\`\`\``), 'docs/browser.md shows test/browser/script-tag.html as it is');
      const page = await (await browser!.newContext()).newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => { errors.push(String(e.stack ?? e)); });
      assert.equal((await page.goto(`${base}/plain/script-tag.html`))?.status(), 200);
      await page.waitForFunction(() => document.getElementById('output')!.textContent!.includes('exit code'));
      assert.equal(await page.evaluate(() => document.getElementById('output')!.textContent), 'Hello from Kiln in a page!\nexit code 0\n');
      assert.deepEqual(errors, []);
      await page.context().close();
    });
  } finally {
    await browser?.close();
    await closeServer(server);
  }
});
