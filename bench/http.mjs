// HTTP serving benchmark: the wasi:http/proxy test component http_echo
// (test/programs/components-js/http_echo.js, built with componentize-js by
// scripts/js-components.mjs) answering requests under Kiln (WASI.httpHandler
// + serveHttp, as `kiln serve`: a fresh instance per request, and one reused)
// and under jco's reference host, @bytecodealliance/preview2-shim (its
// HTTPServer over the glue jco-transpile writes), in one run, with ratios.
// The client is node:http in the same process, one request at a time over a
// kept-alive connection; each answer is checked.
// Part of `node bench/run.mjs` (`--only http`), or on its own:
// node bench/http.mjs [--quick] [--runs N] [--kiln-module PATH] [--verbose].
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importKiln } from './kiln-module.mjs';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { fmtRatio, median, printTable, rotate } from './table.mjs';
import { buildJsComponents, JS_COMPONENTS_OUT } from '../scripts/js-components.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const GLUE_DIR = path.join(repoRoot, 'build', 'bench-http');

/** The http_echo component, built when missing. */
async function component() {
  const file = path.join(repoRoot, JS_COMPONENTS_OUT, 'http_echo.wasm');
  const r = await buildJsComponents({ root: repoRoot, names: ['http_echo'], force: false, log: () => {} });
  if (r.failures.length > 0 || !fs.existsSync(file)) throw new Error(`http_echo.wasm could not be built: ${r.failures.map((f) => f.output.trim()).join('; ')}`);
  return fs.readFileSync(file);
}

/** One request on `agent`'s kept-alive connection: resolves with the body after checking the status. */
function get(agent, port, n) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: `/r${n}`, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 201 || !body.startsWith(`method=GET path=/r${n} `)) reject(new Error(`unexpected answer ${res.statusCode}: ${body.slice(0, 200)}`));
        else resolve(body);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Microseconds per request over `count` sequential requests: back to back,
 * or `gapMs` apart (then the median of each request's own time); with
 * `parallel` > 1, that many clients at once, each on its own connection
 * (the wall time over all requests).
 */
async function timeRequests(port, count, gapMs = 0, parallel = 1) {
  if (parallel > 1) {
    const t = performance.now();
    await Promise.all(Array.from({ length: parallel }, () => timeRequests(port, count / parallel)));
    return ((performance.now() - t) * 1000) / count;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await get(agent, port, 0);
    if (gapMs > 0) {
      const each = [];
      for (let i = 1; i <= count; i++) {
        await new Promise((r) => setTimeout(r, gapMs));
        const t = performance.now();
        await get(agent, port, i);
        each.push((performance.now() - t) * 1000);
      }
      return median(each);
    }
    const t = performance.now();
    for (let i = 1; i <= count; i++) await get(agent, port, i);
    return ((performance.now() - t) * 1000) / count;
  } finally {
    agent.destroy();
  }
}

/** preview2-shim serving the component: its HTTPServer over jco-transpile's ESM glue. Returns { port, close } or throws. */
async function shimServer(bytes) {
  const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
  const { HTTPServer } = await import('@bytecodealliance/preview2-shim/http');
  const out = await transpileBytes(bytes, { name: 'http_echo' });
  for (const [f, b] of Object.entries(out.files)) {
    const file = path.join(GLUE_DIR, f);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, b);
  }
  const mod = await import(pathToFileURL(path.join(GLUE_DIR, 'http_echo.js')).href);
  const handler = mod.incomingHandler ?? mod['wasi:http/incoming-handler@0.2.12'];
  const server = new HTTPServer(handler);
  const port = 18000 + Math.floor(Math.random() * 20000);
  server.listen(port, '127.0.0.1');
  // It listens from its I/O worker: wait until a request gets through.
  for (let i = 0; ; i++) {
    try {
      await get(new http.Agent(), port, 0);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, close: () => server.stop() };
}

export async function runHttpBench({ quick = false, runs = null, kilnModule = null, verbose = false } = {}) {
  const failures = [];
  const notes = [];
  const count = quick ? 50 : 200;
  const nRuns = runs ?? (quick ? 3 : 5);
  const { exports } = await importKiln(kilnModule, ['WASI', 'serveHttp', 'transpileComponent', 'portOf']);
  const { WASI, serveHttp, transpileComponent, portOf } = exports;
  const bytes = await component();
  const transpiled = await transpileComponent(bytes);
  const servers = [];
  const variants = [];
  // kiln-fresh-here: the embedder's own interfaces (none, here) keep every instance on the server's thread.
  for (const [id, reuseInstance, options] of [['kiln-fresh', false, {}], ['kiln-fresh-here', false, { interfaces: () => ({}) }], ['kiln-reused', true, {}]]) {
    const handler = new WASI(options).httpHandler(transpiled, { reuseInstance });
    const server = await serveHttp(handler, { port: 0 });
    servers.push(() => { server.close(); server.closeAllConnections(); handler.close(); });
    variants.push({ id, port: portOf(server) });
  }
  try {
    const shim = await shimServer(bytes);
    servers.push(shim.close);
    variants.push({ id: 'shim', port: shim.port });
  } catch (e) {
    notes.push(`preview2-shim could not serve the component: ${e.message.split('\n')[0]}`);
  }
  // The same servers again, the requests 100 ms apart: room for a fresh instance to be made ahead; and four clients at once.
  const spacedCount = quick ? 5 : 20;
  for (const v of [...variants]) {
    variants.push({ id: `${v.id}-spaced`, port: v.port, gapMs: 100 });
    if (v.id !== 'kiln-reused') variants.push({ id: `${v.id}-4x`, port: v.port, parallel: 4 });
  }
  const samples = new Map(variants.map((v) => [v.id, []]));
  const errors = new Map();
  try {
    process.stderr.write('  http: running...');
    const t0 = performance.now();
    for (let i = 0; i < nRuns; i++) {
      for (const v of rotate(variants, i)) {
        if (errors.has(v.id)) continue;
        try {
          samples.get(v.id).push(await timeRequests(v.port, v.gapMs ? spacedCount : count, v.gapMs, v.parallel));
        } catch (e) {
          errors.set(v.id, e.message);
        }
      }
    }
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } finally {
    for (const close of servers) close();
  }
  if (verbose) for (const [id, xs] of samples) console.log(`  http ${id}: ${xs.map((x) => x.toFixed(0)).join(' ')} µs`);
  for (const [id, msg] of errors) (id.startsWith('shim') ? notes : failures).push(`http [${id}]: ${msg}`);
  const m = (id) => (errors.has(id) || !samples.has(id) ? NaN : median(samples.get(id)));
  const fmt = (id) => (errors.has(id) ? 'FAIL' : !samples.has(id) ? 'n/a' : `${(m(id) / 1000).toFixed(2)} ms`);
  console.log(`http: the http_echo proxy component (componentize-js) answering ${count} sequential GETs on one kept-alive connection; median of ${nRuns} runs, per request`);
  printTable(['benchmark', 'kiln', 'preview2-shim', 'shim/kiln', 'measures'], [
    ['request, fresh instance', fmt('kiln-fresh'), fmt('shim'), fmtRatio(m('shim') / m('kiln-fresh')), 'kiln serve\'s default: a new process and instance per request, in a process worker'],
    ['fresh, on the server thread', fmt('kiln-fresh-here'), fmt('shim'), fmtRatio(m('shim') / m('kiln-fresh-here')), 'the same, every instance on the server\'s thread (as with interfaces of the caller\'s)'],
    ['fresh instance, 4 clients', fmt('kiln-fresh-4x'), fmt('shim-4x'), fmtRatio(m('shim-4x') / m('kiln-fresh-4x')), `${count} requests from 4 clients at once, wall time per request: workers side by side`],
    ['fresh on the thread, 4 clients', fmt('kiln-fresh-here-4x'), fmt('shim-4x'), fmtRatio(m('shim-4x') / m('kiln-fresh-here-4x')), 'the same, every instance on the server\'s thread'],
    ['request, reused instance', fmt('kiln-reused'), fmt('shim'), fmtRatio(m('shim') / m('kiln-reused')), 'kiln serve --reuse-instance; the shim always reuses its one instance'],
    ['fresh instance, 100 ms apart', fmt('kiln-fresh-spaced'), fmt('shim-spaced'), fmtRatio(m('shim-spaced') / m('kiln-fresh-spaced')), `${spacedCount} requests, each timed: the worker made the instance ahead while idle`],
    ['fresh on the thread, 100 ms apart', fmt('kiln-fresh-here-spaced'), fmt('shim-spaced'), fmtRatio(m('shim-spaced') / m('kiln-fresh-here-spaced')), `${spacedCount} requests, each timed: made ahead on the server's thread`],
    ['reused instance, 100 ms apart', fmt('kiln-reused-spaced'), fmt('shim-spaced'), fmtRatio(m('shim-spaced') / m('kiln-reused-spaced')), `${spacedCount} requests, each timed`],
  ]);
  if (notes.length) {
    console.log('notes:');
    for (const n of notes) console.log(`  ${n}`);
  }
  return failures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitWhenDone(runHttpBench(parseBenchArgs(process.argv.slice(2), 'http.mjs')));
}
