/**
 * What the browser tests share: Debian's headless Chromium driven by
 * playwright-core, and a small HTTP server for the files a page loads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Launches headless Chromium without a sandbox, the GPU or background network traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** A file to serve for a request path, with extra response headers. */
export interface Served { path: string; headers?: Record<string, string> }

/**
 * Serves GET requests on 127.0.0.1 (an ephemeral port): `route` maps the
 * request path (without the query) to a file, or undefined for a 404.
 */
export async function startServer(route: (path: string) => Served | undefined): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const served = req.method === 'GET' ? route((req.url ?? '').replace(/[?#].*$/, '')) : undefined;
    if (served === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const headers = {
      'content-type': TYPES[extname(served.path)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...served.headers,
    };
    readFile(served.path).then(
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

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Waits until `check()` holds, polling; fails naming `what` after `ms`. */
export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * What `kiln run` makes of `wasm` with `args`, given a directory at
 * /sandbox whose bin/ holds `bin` (name → file): the reference output for
 * a program the browser tests run too.
 */
export function underKilnRun(wasm: string, args: string[], bin: Record<string, string>, node = process.execPath): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-browser-'));
  try {
    mkdirSync(join(dir, 'bin'));
    for (const [name, file] of Object.entries(bin)) copyFileSync(file, join(dir, 'bin', name));
    const r = spawnSync(node, [join(ROOT, 'bin/kiln.js'), 'run', '--dir', `${dir}::/sandbox`, wasm, ...args], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a page exposes as `window[name]` for the check below: Kiln's idle workers. */
interface IdleWorkersApi { idleWorkers(): number; closeIdleWorkers(): void }

/** Kiln's workers `page` lists (its own entries, `kiln.browser-*.js`), not the page's own. */
function kilnWorkers(page: Page): string[] {
  return page.workers().map((w) => new URL(w.url()).pathname).filter((p) => /\/kiln\.browser-[a-z]+\.js$/.test(p));
}

/**
 * Kiln's workers in `page` that are alive: those listed that answer. A
 * worker nested in one the page terminated dies with it, but its entry may
 * stay listed (its end is not always reported once its parent's session
 * has gone): such an entry cannot answer, and is not counted.
 */
async function liveKilnWorkers(page: Page): Promise<string[]> {
  const listed = page.workers().filter((w) => /\/kiln\.browser-[a-z]+\.js$/.test(new URL(w.url()).pathname));
  const answers = await Promise.all(listed.map((w) => Promise.race([
    w.evaluate(() => true).catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
  ])));
  return listed.filter((_, i) => answers[i]).map((w) => new URL(w.url()).pathname);
}

/**
 * Once a run has settled, every Kiln worker left in `page` is an idle one
 * (kept for the next run), as `window[api].idleWorkers()` counts them, and
 * `window[api].closeIdleWorkers()` ends them all. (A worker of the page's
 * own, such as test/browser/worker.js, is not counted: the page ends it.)
 */
export async function nothingLeftRunning(page: Page, api: string, what: string): Promise<void> {
  const idle = (): Promise<number> => page.evaluate((name) => (window as unknown as Record<string, IdleWorkersApi>)[name]!.idleWorkers(), api);
  const end = Date.now() + 5000;
  let kept = await idle();
  while (kilnWorkers(page).length !== kept) {
    if (Date.now() > end) {
      // What is still listed may include entries of workers that are gone: only live ones count.
      const live = await liveKilnWorkers(page);
      kept = await idle();
      if (live.length === kept) break;
      assert.fail(`${what}: Kiln's live workers in the page are ${live.join(', ')}, ${kept} of them idle (listed: ${kilnWorkers(page).join(', ')})`);
    }
    await new Promise((r) => setTimeout(r, 20));
    kept = await idle();
  }
  await page.evaluate((name) => (window as unknown as Record<string, IdleWorkersApi>)[name]!.closeIdleWorkers(), api);
  const stale = kilnWorkers(page).length - kept;
  const closedBy = Date.now() + 5000;
  while (kilnWorkers(page).length > stale) {
    if (Date.now() > closedBy) {
      // Entries of terminated workers may stay listed, as above: none may answer.
      const live = await liveKilnWorkers(page);
      if (live.length === 0) break;
      assert.fail(`timed out waiting for ${what} (closeIdleWorkers): ${live.join(', ')} still answer`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
