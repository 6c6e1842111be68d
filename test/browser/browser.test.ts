/**
 * Kiln's core in a real browser: bundles src/browser.ts
 * (scripts/bundle-browser.mjs), serves it with a test page and
 * build/programs/browser_fs.wasm (test/programs/c/browser_fs.c) over a local
 * HTTP server, and runs the guest in headless Chromium, on a page's main
 * thread and in a dedicated module worker, with a MemoryFileSystem mounted at
 * /data, captured stdout/stderr and stdin from a string.
 *
 * Two pages: /coi/ is served with COOP/COEP (cross-origin isolated, so
 * SharedArrayBuffer exists and a worker can block in Atomics.wait: the guest
 * nanosleeps there); /plain/ is not (no SharedArrayBuffer at all), which Kiln
 * must survive as long as the guest does not sleep.
 *
 *   node --import tsx --test test/browser/browser.test.ts
 *
 * Skips only when /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = join(ROOT, 'build/browser/kiln.js');
const WASM = join(ROOT, 'build/programs/browser_fs.wasm');
const SLEEP_MS = 50;

/** What test/browser/guest.js reports. */
interface GuestReport {
  exitCode: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  renamed: { regularFile: boolean; size: number; text: string } | null;
  outTxtExists: boolean;
  rootEntries: string[];
  where: { worker: boolean; crossOriginIsolated: boolean; sharedArrayBuffer: string };
}
interface RunOptions { sleepMs?: number; inherit?: boolean }
interface PageApi {
  runMain(options: RunOptions): Promise<GuestReport>;
  runWorker(options: RunOptions): Promise<GuestReport>;
}
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
const EXPECTED_SLEEP = `slept ${SLEEP_MS}ms: waited >= ${SLEEP_MS}ms: yes\n`;
const EXPECTED_STDERR = 'browser_fs: exiting with 3\n';

// ---------------------------------------------------------------------------
// The server: /coi/* with cross-origin isolation headers, /plain/* without.

const FILES: Record<string, { path: string; type: string }> = {
  'page.html': { path: join(ROOT, 'test/browser/page.html'), type: 'text/html; charset=utf-8' },
  'page.js': { path: join(ROOT, 'test/browser/page.js'), type: 'text/javascript; charset=utf-8' },
  'guest.js': { path: join(ROOT, 'test/browser/guest.js'), type: 'text/javascript; charset=utf-8' },
  'worker.js': { path: join(ROOT, 'test/browser/worker.js'), type: 'text/javascript; charset=utf-8' },
  'kiln.js': { path: BUNDLE, type: 'text/javascript; charset=utf-8' },
  'browser_fs.wasm': { path: WASM, type: 'application/wasm' },
};

async function startServer(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const m = /^\/(coi|plain)\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? '');
    const file = m ? FILES[m[2]!] : undefined;
    if (!m || !file || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const headers: Record<string, string> = { 'content-type': file.type, 'cache-control': 'no-store' };
    if (m[1] === 'coi') {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
      headers['cross-origin-resource-policy'] = 'same-origin';
    }
    readFile(file.path).then(
      (body) => res.writeHead(200, headers).end(body),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
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

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------

test('Kiln in headless Chromium: bundle, page main thread, worker', { timeout: 180_000 }, async (t: TestContext) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (install Debian's chromium package to run the browser test)`);
    return;
  }
  assert.ok(existsSync(WASM), `${WASM} is missing: build the test programs first (npm run build:programs)`);

  const bundled = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/bundle-browser.mjs')], { cwd: ROOT });
  t.diagnostic(bundled.stdout.trim());

  const { server, base } = await startServer();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    t.diagnostic(`chromium ${browser.version()}`);

    await t.test('the bundle has no Node imports and exports the browser API', async () => {
      const text = await readFile(BUNDLE, 'utf8');
      assert.doesNotMatch(text, /\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\brequire\s*\(/);
      const kiln = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>;
      for (const name of ['WASI', 'WasiBuilder', 'MemoryFileSystem', 'ConsoleStream', 'browserHost', 'CaptureStream']) {
        assert.ok(kiln[name] !== undefined, `the bundle exports ${name}`);
      }
    });

    const coi = await openPage(browser, `${base}/coi/page.html`);

    await t.test('cross-origin isolated page, main thread: files, args, env, stdin, exit code', async () => {
      const r = await run(coi, 'main');
      assert.deepEqual(r.where, { worker: false, crossOriginIsolated: true, sharedArrayBuffer: 'function' });
      assertGuestRan(r, EXPECTED_STDOUT);
    });

    await t.test(`cross-origin isolated page, module worker: the same, plus a ${SLEEP_MS} ms nanosleep`, async () => {
      const r = await run(coi, 'worker', { sleepMs: SLEEP_MS });
      assert.deepEqual(r.where, { worker: true, crossOriginIsolated: true, sharedArrayBuffer: 'function' });
      assertGuestRan(r, EXPECTED_STDOUT + EXPECTED_SLEEP);
      assert.ok(r.elapsedMs >= SLEEP_MS, `the run took ${r.elapsedMs} ms`);
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

    assert.deepEqual(coi.errors, [], 'uncaught errors on the cross-origin isolated page');
    await coi.page.context().close();

    const plain = await openPage(browser, `${base}/plain/page.html`);

    await t.test('page without COOP/COEP (no SharedArrayBuffer), main thread', async () => {
      const r = await run(plain, 'main');
      assert.deepEqual(r.where, { worker: false, crossOriginIsolated: false, sharedArrayBuffer: 'undefined' });
      assertGuestRan(r, EXPECTED_STDOUT);
    });

    await t.test('page without COOP/COEP (no SharedArrayBuffer), module worker', async () => {
      const r = await run(plain, 'worker');
      assert.deepEqual(r.where, { worker: true, crossOriginIsolated: false, sharedArrayBuffer: 'undefined' });
      assertGuestRan(r, EXPECTED_STDOUT);
    });

    assert.deepEqual(plain.errors, [], 'uncaught errors on the page without COOP/COEP');
    await plain.page.context().close();
  } finally {
    await browser?.close();
    await closeServer(server);
  }
});
