// Browser start-up: a WASIX hello and a threaded program started in one
// cross-origin isolated page of headless Chromium by Kiln's prebuilt bundle
// (dist/kiln.browser.js) and by @wasmer/sdk's browser build (a
// devDependency), side by side, as ratios. Every start runs from the
// module's bytes in memory to its exit, output captured; the first start of
// each (cold: the first worker, the first compile) is shown apart from the
// median of the next ones. @wasmer/sdk's one-time set-up (loading it and
// `new Wasmer()`) is timed on its own, in no row.
// Part of `node bench/run.mjs` (`--only browser`), or on its own:
// node bench/browser.mjs [--quick] [--runs N] [--verbose]. See bench/README.md.
import { createServer } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { fmtRatio, median, printTable } from './table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const CHROMIUM = process.env.KILN_CHROMIUM || '/usr/bin/chromium';

/** Request path prefix → directory served under it. */
const MOUNTS = [
  ['/kiln/', path.join(repoRoot, 'dist')],
  ['/wasmer/', path.join(repoRoot, 'node_modules', '@wasmer', 'sdk')],
  ['/programs/', path.join(repoRoot, 'build', 'programs')],
  ['/', path.join(here, 'browser')],
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/** A static server with the headers that make its pages cross-origin isolated. */
function serve() {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').replace(/[?#].*$/, '');
    const mount = MOUNTS.find(([prefix]) => url.startsWith(prefix));
    const file = mount && path.join(mount[1], decodeURIComponent(url.slice(mount[0].length)));
    if (!file || !file.startsWith(mount[1]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const fmtMs = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`) : '-');

const ROWS = [
  { program: 'wasix_hello.wasm', args: ['wasix_hello', 'one', 'two words'], what: 'a WASIX hello (every thread in a worker)' },
  { program: 'threads_basic.wasm', args: ['threads_basic'], what: 'wasi-threads: 4 pthreads, mutex, TLS' },
  // Last: after it, @wasmer/sdk's thread pool fails the threaded rows in the same page ("Scheduler is dead").
  { program: 'hello.wasm', args: ['hello'], what: 'a preview 1 hello (run(): the guest in a process worker)' },
];

export async function runBrowserBench({ quick = false, runs = null, verbose = false } = {}) {
  const failures = [];
  const notes = [];
  const starts = runs ?? (quick ? 5 : 20);
  for (const f of [path.join(repoRoot, 'dist', 'kiln.browser.js'), ...ROWS.map((r) => path.join(repoRoot, 'build', 'programs', r.program))]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(repoRoot, f)} is missing: run npm run build and node scripts/build-programs.mjs`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian package chromium; or set KILN_CHROMIUM)`);
  const { chromium } = await import('playwright-core');
  const server = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/page.html`);
    await page.waitForFunction(() => window.bench !== undefined || window.benchError !== undefined);
    const loadError = await page.evaluate(() => window.benchError);
    if (loadError) throw new Error(`the bench page failed to load: ${loadError}`);
    let wasmerInitMs = NaN;
    try {
      wasmerInitMs = await page.evaluate(() => window.bench.wasmerInit());
    } catch (e) {
      notes.push(`@wasmer/sdk could not be set up in the page: ${e.message.split('\n')[0]}`);
    }
    const table = [];
    for (const row of ROWS) {
      const k = await page.evaluate(([p, a, n]) => window.bench.kiln(p, a, n), [row.program, row.args, starts]);
      if (k.out.exitCode !== 0) failures.push(`kiln ${row.program}: exit ${k.out.exitCode}: ${k.out.stderr}`);
      let w = null;
      if (Number.isFinite(wasmerInitMs)) {
        try {
          w = await page.evaluate(([p, a, n]) => window.bench.wasmerStarts(p, a, n), [row.program, row.args, starts]);
          if (w.out.stdout !== k.out.stdout) notes.push(`${row.program}: @wasmer/sdk printed ${JSON.stringify(w.out.stdout.slice(0, 80))}, Kiln ${JSON.stringify(k.out.stdout.slice(0, 80))}`);
        } catch (e) {
          notes.push(`${row.program} [@wasmer/sdk]: ${e.message.split('\n')[0]}`);
        }
      }
      if (verbose) console.log(row.program, { kiln: k, wasmer: w });
      const km = median(k.rest);
      const wm = w ? median(w.rest) : NaN;
      table.push([`${row.program.replace('.wasm', '')} (first)`, fmtMs(k.first), fmtMs(w?.first ?? NaN), fmtRatio((w?.first ?? NaN) / k.first), `${row.what}: the page's first start`]);
      table.push([`${row.program.replace('.wasm', '')} (median)`, fmtMs(km), fmtMs(wm), fmtRatio(wm / km), `the next ${starts} starts`]);
    }
    console.log(`browser: Kiln vs @wasmer/sdk in one cross-origin isolated Chromium page; @wasmer/sdk's one-time load + new Wasmer(): ${fmtMs(wasmerInitMs)} (in no row)`);
    printTable(['benchmark', 'kiln', '@wasmer/sdk', 'kiln speedup', 'measures'], table);
    if (notes.length) {
      console.log('\nnotes:');
      for (const n of notes) console.log(`  ${n}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return failures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opts = parseBenchArgs(process.argv.slice(2), 'browser.mjs');
  exitWhenDone(runBrowserBench(opts));
}
