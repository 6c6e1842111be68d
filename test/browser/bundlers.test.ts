/**
 * The bundler example, built and run as a user would: copies
 * examples/browser-esbuild/ into a fresh project folder whose
 * node_modules/ links `kiln-wasm` to this repository (so
 * 'kiln-wasm/browser' resolves through the package's own `exports` to
 * dist/browser.js) and `esbuild` to the repository's copy, runs the
 * example's build (`node build.mjs`), serves its dist/ over a local HTTP
 * server, without any special headers and with cross-origin isolation,
 * and opens the page in headless Chromium: the page must show exactly what
 * the guest printed and its exit code, and on the isolated page the guest
 * must have run in the process worker the build copied beside the app. Also checks that the example's cat.wasm is its cat.wat assembled,
 * and that docs/browser.md shows its app.js and build.mjs verbatim.
 *
 *   node --import tsx --test test/browser/bundlers.test.ts
 *
 * Needs dist/ built (the test command builds it). Skips only when
 * /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import wabt from 'wabt';
import { CHROMIUM, closeServer, launchChromium, startServer } from './chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = join(ROOT, 'examples/browser-esbuild');
const EXPECTED_OUTPUT = 'Hello from a MemoryFileSystem!\nexit code 0\n';

test('the esbuild example: bundled from kiln-wasm/browser, run in headless Chromium', { timeout: 120_000 }, async (t: TestContext) => {
  await t.test("the example's cat.wasm is cat.wat assembled", async () => {
    const assembler = await wabt();
    const module = assembler.parseWat('cat.wat', readFileSync(join(EXAMPLE, 'cat.wat'), 'utf8'));
    try {
      assert.deepEqual(new Uint8Array(module.toBinary({}).buffer), new Uint8Array(readFileSync(join(EXAMPLE, 'cat.wasm'))),
        'cat.wasm is stale: run wat2wasm cat.wat -o cat.wasm in examples/browser-esbuild');
    } finally {
      module.destroy();
    }
  });

  await t.test("docs/browser.md shows the example's app.js and build.mjs as they are", () => {
    const guide = readFileSync(join(ROOT, 'docs/browser.md'), 'utf8');
    for (const file of ['app.js', 'build.mjs']) {
      assert.ok(guide.includes(`\`\`\`js\n${readFileSync(join(EXAMPLE, file), 'utf8')}\`\`\``), `docs/browser.md shows ${file} verbatim`);
    }
  });

  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (install Debian's chromium package to run the browser tests)`);
    return;
  }
  assert.ok(existsSync(join(ROOT, 'dist/browser.js')), 'dist/ is missing: run npm run build');

  const project = mkdtempSync(join(tmpdir(), 'kiln-esbuild-example-'));
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof startServer>>['server'] | undefined;
  try {
    await t.test('node build.mjs bundles the app with Kiln', async () => {
      cpSync(EXAMPLE, project, { recursive: true, filter: (src) => !/[/\\](dist|node_modules)$/.test(src) });
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(ROOT, join(project, 'node_modules/kiln-wasm'), 'dir');
      symlinkSync(join(ROOT, 'node_modules/esbuild'), join(project, 'node_modules/esbuild'), 'dir');
      const built = await promisify(execFile)(process.execPath, ['build.mjs'], { cwd: project });
      assert.equal(built.stderr, '');
      assert.deepEqual(readdirSync(join(project, 'dist')).sort(),
        ['app.js', 'app.js.map', 'cat.wasm', 'index.html', 'kiln.browser-process.js', 'kiln.browser-thread.js']);
      const bundle = readFileSync(join(project, 'dist/app.js'), 'utf8');
      assert.doesNotMatch(bundle, /["']node:|\brequire\s*\(|from\s*["']kiln-wasm/, 'the app bundle imports nothing');
      // esbuild follows dist/browser.js's own source map back to src/browser.ts: Kiln came from this repository.
      const { sources } = JSON.parse(readFileSync(join(project, 'dist/app.js.map'), 'utf8')) as { sources: string[] };
      const entry = relative(join(realpathSync(project), 'dist'), join(ROOT, 'src/browser.ts'));
      assert.ok(sources.includes(entry), `${entry} is among the bundle's sources (${sources.slice(0, 3).join(', ')}, ...)`);
    });

    const isolation = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    };
    const dist = join(project, 'dist');
    const started = await startServer((path) => {
      const m = /^\/(coi|plain)\/([\w.-]*)$/.exec(path);
      const name = m === null ? '' : m[2] === '' ? 'index.html' : m[2]!;
      if (m === null || !existsSync(join(dist, name))) return undefined;
      return m[1] === 'coi' ? { path: join(dist, name), headers: isolation } : { path: join(dist, name) };
    });
    server = started.server;
    browser = await launchChromium();

    for (const [where, isolated] of [['plain', false], ['coi', true]] as const) {
      await t.test(isolated
        ? 'cross-origin isolated: the guest runs in the process worker the build copied, with the same output'
        : 'the page shows what the guest printed and its exit code (no COOP/COEP needed)', async () => {
        const page = await (await browser!.newContext()).newPage();
        const errors: string[] = [];
        const workers: string[] = [];
        page.on('pageerror', (e) => { errors.push(String(e.stack ?? e)); });
        page.on('worker', (w) => { workers.push(new URL(w.url()).pathname); });
        const response = await page.goto(`${started.base}/${where}/`);
        assert.equal(response?.status(), 200);
        await page.waitForSelector('#output[data-state]');
        const shown = await page.evaluate(() => {
          const output = document.getElementById('output')!;
          return { state: output.dataset['state'], text: output.textContent, isolated: crossOriginIsolated };
        });
        assert.deepEqual(shown, { state: 'done', text: EXPECTED_OUTPUT, isolated });
        assert.deepEqual(workers, isolated ? [`/${where}/kiln.browser-process.js`] : []);
        assert.deepEqual(errors, []);
        await page.context().close();
      });
    }
  } finally {
    await browser?.close();
    if (server !== undefined) await closeServer(server);
    rmSync(project, { recursive: true, force: true });
  }
});
