#!/usr/bin/env node
// Kiln benchmark harness: runs each bench program under node:wasi and under
// Kiln in the same process, alternating, and prints median wall times and the
// ratio kiln / node:wasi; then the thread benchmarks (bench/threads.mjs),
// the waPC benchmarks (bench/wapc.mjs), the WASIX benchmarks
// (bench/wasix.mjs), the networking benchmarks (bench/net.mjs) and the
// component benchmarks (bench/components.mjs) and browser start-up
// (bench/browser.mjs).
// See bench/README.md.
//
// Usage: node bench/run.mjs [--only NAME[,NAME...]] [--quick] [--runs N]
//                           [--kiln-module PATH|node:wasi] [--no-peer]
//                           [--tmpdir DIR] [--verbose] [--list]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KILN_MODULE, importKiln } from './kiln-module.mjs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildBench, repoRoot } from './build.mjs';
import { printFailures } from './standalone.mjs';
import { rotate, median, fmtRatio, printTable } from './table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PEER_PACKAGE = '@tybys/wasm-util';

// ---------------------------------------------------------------- options --

function usage(code) {
  console.log(`usage: node bench/run.mjs [options]
  --only NAME[,NAME]   run only these benchmarks (repeatable); "entry" is the
                       entry-point benchmarks (bench/entry.mjs: run() first
                       and warm vs start()), "threads" the thread benchmarks
                       (bench/threads.mjs), "wapc" the waPC host benchmarks
                       (bench/wapc.mjs), "wasix" the WASIX benchmarks against
                       @wasmer/sdk (bench/wasix.mjs), "net" a guest TCP
                       server against the same C built natively (bench/net.mjs),
                       "components" preview 2 components under Kiln vs
                       @bytecodealliance/preview2-shim (bench/components.mjs),
                       "http" a wasi:http/proxy component serving requests
                       under Kiln vs preview2-shim (bench/http.mjs),
                       "browser" start-up in a Chromium page vs @wasmer/sdk
                       (bench/browser.mjs)
  --quick              fewer iterations and a smaller scale (smoke run)
  --runs N             timed runs per runtime (default 5; read_file 3; quick 3)
  --kiln-module PATH   module exporting Kiln's WASI class (default dist/node.js;
                       also $KILN_MODULE). "node:wasi" benchmarks node:wasi
                       against itself, to validate the harness.
  --no-peer            skip the optional ${PEER_PACKAGE} column
  --tmpdir DIR         where to create fixtures (default: os.tmpdir())
  --verbose            print every sample
  --list               list benchmarks and exit`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {
    only: [],
    quick: false,
    runs: null,
    kilnModule: process.env.KILN_MODULE || null,
    peer: true,
    tmpdir: os.tmpdir(),
    verbose: false,
    list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) {
        console.error(`missing value for ${a}`);
        usage(2);
      }
      return argv[++i];
    };
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    switch (flag) {
      case '--only': opts.only.push(...value().split(',').filter(Boolean)); break;
      case '--quick': opts.quick = true; break;
      case '--runs': opts.runs = Number(value()); break;
      case '--kiln-module': opts.kilnModule = value(); break;
      case '--no-peer': opts.peer = false; break;
      case '--tmpdir': opts.tmpdir = value(); break;
      case '--verbose': case '-v': opts.verbose = true; break;
      case '--list': opts.list = true; break;
      case '--help': case '-h': usage(0); break;
      default:
        console.error(`unknown argument: ${a}`);
        usage(2);
    }
  }
  if (opts.runs !== null && !(Number.isInteger(opts.runs) && opts.runs > 0)) {
    console.error('--runs must be a positive integer');
    usage(2);
  }
  return opts;
}

// ------------------------------------------------------------- benchmarks --

const LINE = Buffer.from('0123456789abcde\n'); // what write_* programs write

/** Benchmark table. `scale` is { quick, full }; everything else derives from it. */
function defineBenches(quick) {
  const calls = quick ? 100_000 : 1_000_000;
  const bigBytes = (quick ? 16 : 256) * 1024 * 1024;
  const treeDirs = quick ? 20 : 100;
  const treeFiles = quick ? 50 : 100;
  const treeBytes = treeSizes(treeDirs, treeFiles).reduce((a, b) => a + b, 0);
  return [
    {
      name: 'hello',
      label: 'startup (hello)',
      what: 'compile+instantiate+start, per start',
      kind: 'startup',
      iterations: quick ? 20 : 200,
      warmup: quick ? 3 : 10,
      args: ['hello'],
      expect: { stdout: 'hello\n', stderr: '' },
    },
    {
      name: 'write_stdout',
      label: 'write_stdout',
      what: `${calls.toLocaleString('en-US')} x 16 B fd_write -> /dev/null`,
      args: ['write_stdout', String(calls)],
      stdoutToDevNull: true,
      expect: { stdout: null, stderr: `write_stdout: calls=${calls} bytes=${calls * 16}\n` },
    },
    {
      name: 'write_file',
      label: 'write_file',
      what: `${calls.toLocaleString('en-US')} x 16 B fd_write -> file`,
      args: ['write_file', '/out/write_file.bin', String(calls)],
      preopens: (fx) => ({ '/out': fx.outDir }),
      before: (fx) => fs.rmSync(path.join(fx.outDir, 'write_file.bin'), { force: true }),
      verify: (fx) => verifyWrittenFile(path.join(fx.outDir, 'write_file.bin'), calls),
      expect: { stdout: `write_file: calls=${calls} bytes=${calls * 16}\n`, stderr: '' },
    },
    {
      name: 'clock',
      label: 'clock',
      what: `${calls.toLocaleString('en-US')} x clock_time_get(MONOTONIC)`,
      args: ['clock', String(calls)],
      expect: { stdout: `clock: calls=${calls} monotonic=yes advanced=yes\n`, stderr: '' },
    },
    {
      name: 'read_file',
      label: 'read_file',
      what: `${bigBytes / 1024 / 1024} MiB in 64 KiB fd_read`,
      args: ['read_file', '/data/big.bin'],
      runs: 3,
      preopens: (fx) => ({ '/data': fx.dataDir }),
      fixture: (fx) => makeBigFile(path.join(fx.dataDir, 'big.bin'), bigBytes),
      expect: { stdout: `read_file: bytes=${bigBytes}\n`, stderr: '' },
    },
    {
      name: 'walk_tree',
      label: 'walk_tree',
      what: `${treeDirs} dirs x ${treeFiles} files, readdir+fstatat`,
      args: ['walk_tree', '/data/tree'],
      preopens: (fx) => ({ '/data': fx.dataDir }),
      fixture: (fx) => makeTree(path.join(fx.dataDir, 'tree'), treeDirs, treeFiles),
      expect: {
        stdout: `walk_tree: dirs=${treeDirs} files=${treeDirs * treeFiles} other=0 bytes=${treeBytes}\n`,
        stderr: '',
      },
    },
  ];
}

// --------------------------------------------------------------- fixtures --

function makeBigFile(file, size) {
  if (fs.existsSync(file) && fs.statSync(file).size === size) return;
  const chunk = crypto.randomBytes(1024 * 1024);
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < size; off += chunk.length) {
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function treeSizes(dirs, files) {
  const sizes = [];
  for (let d = 0; d < dirs; d++) for (let f = 0; f < files; f++) sizes.push((d * 7 + f * 13) % 61);
  return sizes;
}

function makeTree(root, dirs, files) {
  if (fs.existsSync(root)) return;
  const sizes = treeSizes(dirs, files);
  const filler = Buffer.alloc(64, 'x');
  fs.mkdirSync(root);
  let k = 0;
  for (let d = 0; d < dirs; d++) {
    const dir = path.join(root, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(dir);
    for (let f = 0; f < files; f++) {
      fs.writeFileSync(path.join(dir, `f${String(f).padStart(3, '0')}`), filler.subarray(0, sizes[k++]));
    }
  }
}

function verifyWrittenFile(file, calls) {
  const st = fs.statSync(file);
  if (st.size !== calls * 16) return `write_file.bin is ${st.size} bytes, expected ${calls * 16}`;
  const data = fs.readFileSync(file);
  for (let off = 0; off < data.length; off += 16) {
    if (data.compare(LINE, 0, 16, off, off + 16) !== 0) return `write_file.bin differs at byte ${off}`;
  }
  return null;
}

// --------------------------------------------------------------- runtimes --

// node:wasi prints an ExperimentalWarning; silence only that one.
const origEmitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning' && String(warning?.message ?? warning).includes('WASI')) return;
  return origEmitWarning.call(process, warning, ...rest);
};

/**
 * node:wasi-compatible runtime: both node:wasi and Kiln go through exactly
 * this code (same options, same import object path, same start).
 */
function nodeCompatRuntime(id, label, WASI) {
  return {
    id,
    label,
    create({ args, env, preopens, stdin, stdout, stderr }) {
      const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true, stdin, stdout, stderr });
      return { importObject: wasi.getImportObject(), start: (instance) => wasi.start(instance) };
    },
  };
}

async function loadKiln(spec) {
  if (spec === 'node:wasi') {
    const { WASI } = await import('node:wasi');
    return nodeCompatRuntime('kiln', 'kiln(=node:wasi)', WASI);
  }
  if (!spec) {
    try {
      warnIfStale(DEFAULT_KILN_MODULE);
    } catch {}
  }
  const notFoundHint = spec ? '' : '\n  build it first with `npm run build`, or pass --kiln-module PATH (or --kiln-module node:wasi to validate the harness)';
  const { exports } = await importKiln(spec, ['WASI'], { notFoundHint });
  return nodeCompatRuntime('kiln', 'kiln', exports.WASI);
}

function warnIfStale(distFile) {
  const srcDir = path.join(repoRoot, 'src');
  if (!fs.existsSync(srcDir)) return;
  let newest = 0;
  for (const f of fs.readdirSync(srcDir, { recursive: true })) {
    const st = fs.statSync(path.join(srcDir, String(f)));
    if (st.isFile() && st.mtimeMs > newest) newest = st.mtimeMs;
  }
  if (newest > fs.statSync(distFile).mtimeMs) {
    console.error('warning: src/ is newer than dist/node.js; run `npm run build` to benchmark the current sources');
  }
}

/**
 * Optional third column: @tybys/wasm-util (a pure-JS WASI on a Node fs-like
 * object). It has no stdio fd options, so stdout/stderr are routed through
 * its line-based print/printErr callbacks into the same host fds. Its
 * numbers are for context only: they never fail the run.
 */
async function loadPeer() {
  let mod;
  try {
    mod = await import(PEER_PACKAGE);
  } catch {
    return null;
  }
  const WASI = mod.WASI ?? mod.default?.WASI;
  if (typeof WASI !== 'function') return null;
  return {
    id: 'peer',
    label: 'wasm-util',
    create({ args, env, preopens, stdout, stderr }) {
      const opts = {
        version: 'preview1',
        args,
        env,
        preopens,
        returnOnExit: true,
        fs,
        print: (s) => fs.writeSync(stdout, s + '\n'),
        printErr: (s) => fs.writeSync(stderr, s + '\n'),
      };
      const wasi = typeof WASI.createSync === 'function' ? WASI.createSync(opts) : new WASI(opts);
      const importObject =
        typeof wasi.getImportObject === 'function' ? wasi.getImportObject() : { wasi_snapshot_preview1: wasi.wasiImport };
      return { importObject, start: (instance) => wasi.start(instance) };
    },
  };
}

// ----------------------------------------------------------------- runner --

let gc = () => {};
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc');
} catch {}

/** One run: everything the runtime does is inside the timed region. */
async function timedRun(rt, moduleOrBytes, io) {
  const t0 = performance.now();
  const module = moduleOrBytes instanceof WebAssembly.Module ? moduleOrBytes : await WebAssembly.compile(moduleOrBytes);
  const { importObject, start } = rt.create(io);
  const instance = await WebAssembly.instantiate(module, importObject);
  const code = start(instance);
  const ms = performance.now() - t0;
  return { ms, code };
}

class Capture {
  constructor(dir) {
    this.outFile = path.join(dir, 'stdout.txt');
    this.errFile = path.join(dir, 'stderr.txt');
  }
  open(stdoutToDevNull) {
    this.stdin = fs.openSync('/dev/null', 'r');
    this.stdout = stdoutToDevNull ? fs.openSync('/dev/null', 'w') : fs.openSync(this.outFile, 'w');
    this.stderr = fs.openSync(this.errFile, 'w');
    this.devnull = stdoutToDevNull;
    return { stdin: this.stdin, stdout: this.stdout, stderr: this.stderr };
  }
  close() {
    for (const fd of [this.stdin, this.stdout, this.stderr]) fs.closeSync(fd);
    return {
      stdout: this.devnull ? null : fs.readFileSync(this.outFile, 'utf8'),
      stderr: fs.readFileSync(this.errFile, 'utf8'),
    };
  }
}

function short(s) {
  if (s === null) return '(not captured)';
  const t = s.length > 300 ? s.slice(0, 300) + '...' : s;
  return JSON.stringify(t);
}

/** Runs one benchmark once under `rt`; returns { ms } or throws with a reason. */
async function runOnce(bench, rt, ctx) {
  bench.before?.(ctx.fx);
  const io = ctx.capture.open(bench.stdoutToDevNull);
  let res;
  let err;
  try {
    gc();
    res = await timedRun(rt, ctx.module, {
      args: bench.args,
      env: {},
      preopens: bench.preopens?.(ctx.fx) ?? {},
      ...io,
    });
  } catch (e) {
    err = e;
  }
  const out = ctx.capture.close();
  if (err) throw new Error(`threw ${err?.stack ?? err}${out.stderr ? `\n    stderr: ${short(out.stderr)}` : ''}`);
  if (res.code !== 0) throw new Error(`exit code ${res.code}; stderr: ${short(out.stderr)}`);
  checkOutput(bench, out, rt.id === 'peer');
  const bad = bench.verify?.(ctx.fx);
  if (bad) throw new Error(bad);
  return res.ms;
}

function normalize(s) {
  return s === null ? null : s.replace(/\s+/g, ' ').trim();
}

function checkOutput(bench, out, lenient) {
  for (const stream of ['stdout', 'stderr']) {
    const want = bench.expect[stream];
    const got = out[stream];
    if (want === null) continue;
    const same = lenient ? normalize(got) === normalize(want) : got === want;
    if (!same) throw new Error(`${stream} differs: got ${short(got)}, expected ${short(want)}`);
  }
}

/** Startup: compile from bytes + new WASI + instantiate + start, N times. */
async function runStartup(bench, runtimes, ctx, state) {
  // One verified run per runtime with captured output.
  for (const rt of runtimes) {
    try {
      await runOnce(bench, rt, { ...ctx, module: ctx.bytes });
    } catch (e) {
      state.fail(rt, e);
    }
  }
  const live = runtimes.filter((rt) => !state.failed(rt));
  const devnullIn = fs.openSync('/dev/null', 'r');
  const devnullOut = fs.openSync('/dev/null', 'w');
  const io = { args: bench.args, env: {}, preopens: {}, stdin: devnullIn, stdout: devnullOut, stderr: devnullOut };
  try {
    const total = bench.warmup + bench.iterations;
    for (let i = 0; i < total; i++) {
      const order = rotate(live, i);
      for (const rt of order) {
        if (state.failed(rt)) continue;
        try {
          const { ms, code } = await timedRun(rt, ctx.bytes, io);
          if (code !== 0) throw new Error(`exit code ${code}`);
          if (i >= bench.warmup) state.sample(rt, ms);
        } catch (e) {
          state.fail(rt, e);
        }
      }
      if (i % 50 === 49) gc();
    }
  } finally {
    fs.closeSync(devnullIn);
    fs.closeSync(devnullOut);
  }
}

async function runTimed(bench, runtimes, ctx, state, runs) {
  // Warm-up: one verified, untimed run per runtime.
  for (const rt of runtimes) {
    try {
      await runOnce(bench, rt, ctx);
    } catch (e) {
      state.fail(rt, e);
    }
  }
  for (let i = 0; i < runs; i++) {
    for (const rt of rotate(runtimes, i)) {
      if (state.failed(rt)) continue;
      try {
        state.sample(rt, await runOnce(bench, rt, ctx));
      } catch (e) {
        state.fail(rt, e);
      }
    }
  }
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 100) return ms.toFixed(2);
  return ms.toFixed(1);
}

// ------------------------------------------------------------------- main --

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const all = defineBenches(opts.quick);
  if (opts.list) {
    for (const b of all) console.log(`${b.name.padEnd(13)} ${b.what}`);
    console.log(`${ENTRY.padEnd(13)} entry points: run() first and warm, start(), node:wasi start()`);
    console.log(`${THREADS.padEnd(13)} wasi-threads: spawn+join, futex ping-pong vs native, fd_write from a thread`);
    console.log(`${WAPC.padEnd(13)} waPC host: echo, host calls, async host, pool; Kiln vs @wapc/host`);
    console.log(`${WASIX.padEnd(13)} WASIX: start, threads, futex, pipe, syscalls, fork; Kiln vs @wasmer/sdk`);
    console.log(`${NET.padEnd(13)} networking: TCP round trips and bulk echo; a guest server vs the same C built natively`);
    console.log(`${COMPONENTS.padEnd(13)} components: hello start and 16 B file writes; Kiln vs preview2-shim, and the modules vs node:wasi`);
    console.log(`${HTTP.padEnd(13)} http: a wasi:http/proxy component answering requests, fresh and reused instances; Kiln vs preview2-shim`);
    console.log(`${BROWSER.padEnd(13)} browser: a WASIX hello and a pthreads program started in one Chromium page; Kiln vs @wasmer/sdk`);
    return 0;
  }
  const unknown = opts.only.filter((n) => n !== THREADS && n !== WAPC && n !== ENTRY && n !== WASIX && n !== NET && n !== COMPONENTS && n !== HTTP && n !== BROWSER && !all.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${[...all.map((b) => b.name), ENTRY, THREADS, WAPC, WASIX, NET, COMPONENTS, HTTP, BROWSER].join(', ')}`);
    return 2;
  }
  const benches = opts.only.length ? all.filter((b) => opts.only.includes(b.name)) : all;
  const withThreads = opts.only.length === 0 || opts.only.includes(THREADS);
  const withWapc = opts.only.length === 0 || opts.only.includes(WAPC);
  const withEntry = opts.only.length === 0 || opts.only.includes(ENTRY);
  const withWasix = opts.only.length === 0 || opts.only.includes(WASIX);
  const withNet = opts.only.length === 0 || opts.only.includes(NET);
  const withComponents = opts.only.length === 0 || opts.only.includes(COMPONENTS);
  const withHttp = opts.only.length === 0 || opts.only.includes(HTTP);
  const withBrowser = opts.only.length === 0 || opts.only.includes(BROWSER);
  if (benches.length === 0) {
    const failures = [];
    if (withEntry) failures.push(...(await runEntry(opts)));
    if (withThreads) failures.push(...(await runThreads(opts)));
    if (withWapc) failures.push(...(await runWapc(opts)));
    if (withWasix) failures.push(...(await runWasix(opts)));
    if (withNet) failures.push(...(await runNet(opts)));
    if (withComponents) failures.push(...(await runComponents(opts)));
    if (withHttp) failures.push(...(await runHttp(opts)));
    if (withBrowser) failures.push(...(await runBrowser(opts)));
    return reportFailures(failures);
  }

  const wasm = buildBench({ names: benches.map((b) => b.name), quiet: true });

  const { WASI: NodeWASI } = await import('node:wasi');
  const node = nodeCompatRuntime('node', 'node:wasi', NodeWASI);
  let kiln;
  try {
    kiln = await loadKiln(opts.kilnModule);
  } catch (e) {
    console.error(`error: ${e.message}`);
    return 1;
  }
  const peer = opts.peer ? await loadPeer() : null;
  const runtimes = [node, kiln, ...(peer ? [peer] : [])];

  const tmp = fs.mkdtempSync(path.join(opts.tmpdir, 'kiln-bench-'));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  const onSignal = (sig) => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const fx = {
    root: tmp,
    dataDir: path.join(tmp, 'data'),
    outDir: path.join(tmp, 'out'),
    captureDir: path.join(tmp, 'capture'),
  };
  for (const d of [fx.dataDir, fx.outDir, fx.captureDir]) fs.mkdirSync(d);

  console.log(
    `kiln bench: node ${process.version}, ${os.cpus()[0]?.model ?? os.arch()} x${os.cpus().length}` +
      `${opts.quick ? ', --quick' : ''}; runtimes: ${runtimes.map((r) => r.label).join(', ')}` +
      (opts.peer && !peer ? ` (${PEER_PACKAGE} not installed: no peer column)` : ''),
  );

  const results = [];
  const failures = [];
  try {
    for (const bench of benches) {
      const t0 = performance.now();
      process.stderr.write(`  ${bench.name}: preparing...`);
      bench.fixture?.(fx);
      const bytes = fs.readFileSync(wasm[bench.name]);
      const module = await WebAssembly.compile(bytes);
      const ctx = { fx, bytes, module, capture: new Capture(fx.captureDir) };

      const samples = new Map(runtimes.map((rt) => [rt.id, []]));
      const errors = new Map();
      const state = {
        sample: (rt, ms) => samples.get(rt.id).push(ms),
        fail: (rt, e) => {
          if (!errors.has(rt.id)) errors.set(rt.id, e.message ?? String(e));
        },
        failed: (rt) => errors.has(rt.id),
      };
      process.stderr.write(' running...');
      if (bench.kind === 'startup') {
        await runStartup(bench, runtimes, ctx, state);
      } else {
        const runs = opts.runs ?? (opts.quick ? 3 : bench.runs ?? 5);
        await runTimed(bench, runtimes, ctx, state, runs);
      }
      process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

      for (const [id, msg] of errors) {
        const rt = runtimes.find((r) => r.id === id);
        const line = `${bench.name} [${rt.label}]: ${msg}`;
        if (id === 'peer') console.error(`note (peer, not fatal): ${line}`);
        else failures.push(line);
      }
      if (opts.verbose) {
        for (const rt of runtimes) {
          console.log(`  ${bench.name} ${rt.label}: ${samples.get(rt.id).map(fmtMs).join(' ')}`);
        }
      }
      results.push({
        bench,
        med: Object.fromEntries(runtimes.map((rt) => [rt.id, errors.has(rt.id) ? NaN : median(samples.get(rt.id))])),
        n: Object.fromEntries(runtimes.map((rt) => [rt.id, samples.get(rt.id).length])),
        errors,
      });
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }

  console.log('');
  const header = ['benchmark', 'node:wasi ms', `${kiln.label} ms`, 'kiln/node'];
  if (peer) header.push(`${peer.label} ms`, `${peer.label}/node`);
  header.push('measures');
  const rows = results.map(({ bench, med, errors }) => {
    const cell = (id) => (errors.has(id) ? 'FAIL' : fmtMs(med[id]));
    const row = [bench.label, cell('node'), cell('kiln'), fmtRatio(med.kiln / med.node)];
    if (peer) row.push(cell('peer'), fmtRatio(med.peer / med.node));
    row.push(bench.what);
    return row;
  });
  printTable(header, rows);

  const ratios = results.map((r) => r.med.kiln / r.med.node).filter(Number.isFinite);
  console.log('');
  if (ratios.length) {
    const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
    const wins = ratios.filter((r) => r <= 1).length;
    const worst = results
      .filter((r) => Number.isFinite(r.med.kiln / r.med.node))
      .reduce((a, b) => (b.med.kiln / b.med.node > a.med.kiln / a.med.node ? b : a));
    console.log(
      `summary: kiln/node:wasi geomean ${geo.toFixed(2)} over ${ratios.length} benchmark(s); ` +
        `kiln as fast or faster on ${wins}/${ratios.length}; ` +
        `worst ${worst.bench.name} ${(worst.med.kiln / worst.med.node).toFixed(2)}; ` +
        `${failures.length ? `${failures.length} FAILURE(S)` : 'all outputs matched'}`,
    );
  } else {
    console.log(`summary: no comparable results; ${failures.length} failure(s)`);
  }
  if (withEntry) failures.push(...(await runEntry(opts)));
  if (withThreads) failures.push(...(await runThreads(opts)));
  if (withWapc) failures.push(...(await runWapc(opts)));
  if (withWasix) failures.push(...(await runWasix(opts)));
  if (withNet) failures.push(...(await runNet(opts)));
  if (withComponents) failures.push(...(await runComponents(opts)));
  if (withHttp) failures.push(...(await runHttp(opts)));
  if (withBrowser) failures.push(...(await runBrowser(opts)));
  return reportFailures(failures);
}

// ------------------------------------------------------------------ entry --

const ENTRY = 'entry';

/** The entry-point benchmarks (bench/entry.mjs: run() first and warm, start(), node:wasi); returns their failures. */
async function runEntry(opts) {
  if (opts.kilnModule === 'node:wasi') return [];
  const { runEntryBench } = await import('./entry.mjs');
  buildBench({ names: ['hello'], quiet: true });
  return runEntryBench({ quick: opts.quick, kilnModule: path.resolve(opts.kilnModule ?? DEFAULT_KILN_MODULE), wasmDir: path.join(repoRoot, 'build', 'bench') });
}

// ---------------------------------------------------------------- threads --

const THREADS = 'threads';

/** The thread benchmarks (bench/threads.mjs); returns their failures. */
async function runThreads(opts) {
  const { runThreadsBench } = await import('./threads.mjs');
  return runThreadsBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// ------------------------------------------------------------------- wapc --

const WAPC = 'wapc';

/** The waPC benchmarks (bench/wapc.mjs); returns their failures. */
async function runWapc(opts) {
  const { runWapcBench } = await import('./wapc.mjs');
  return runWapcBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// ------------------------------------------------------------------ wasix --

const WASIX = 'wasix';

/** The WASIX benchmarks against @wasmer/sdk (bench/wasix.mjs); returns their failures. */
async function runWasix(opts) {
  const { runWasixBench } = await import('./wasix.mjs');
  return runWasixBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// -------------------------------------------------------------------- net --

const NET = 'net';

/** The networking benchmarks (bench/net.mjs); returns their failures. */
async function runNet(opts) {
  const { runNetBench } = await import('./net.mjs');
  return runNetBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// ------------------------------------------------------------- components --

const COMPONENTS = 'components';

/** The component benchmarks against @bytecodealliance/preview2-shim (bench/components.mjs); returns their failures. */
async function runComponents(opts) {
  const { runComponentsBench } = await import('./components.mjs');
  return runComponentsBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// ------------------------------------------------------------------- http --

const HTTP = 'http';

/** A proxy component serving HTTP under Kiln and preview2-shim (bench/http.mjs); returns its failures. */
async function runHttp(opts) {
  const { runHttpBench } = await import('./http.mjs');
  return runHttpBench({ quick: opts.quick, runs: opts.runs, kilnModule: opts.kilnModule, verbose: opts.verbose });
}

// ---------------------------------------------------------------- browser --

const BROWSER = 'browser';

/** Browser start-up against @wasmer/sdk in one Chromium page (bench/browser.mjs); returns its failures. */
async function runBrowser(opts) {
  const { runBrowserBench } = await import('./browser.mjs');
  return runBrowserBench({ quick: opts.quick, runs: opts.runs, verbose: opts.verbose });
}

function reportFailures(failures) {
  printFailures(failures);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err?.stack ?? err);
    process.exit(1);
  },
);
