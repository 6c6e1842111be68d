// WASIX (wasix_32v1) benchmarks: Kiln against @wasmer/sdk in one run, side
// by side, as ratios. Part of `node bench/run.mjs` (`--only wasix`), or on
// its own: node bench/wasix.mjs [--quick] [--runs N] [--kiln-module PATH]
// [--verbose]. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importKiln } from './kiln-module.mjs';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { fmtRatio, median, printTable, rotate } from './table.mjs';
import { findWasixSysroot, wasixCompileCommand, WASIX_SYSROOT_CANDIDATES } from '../scripts/wasix-toolchain.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const SOURCES = path.join(here, 'programs', 'wasix');
const OUT_DIR = path.join(repoRoot, 'build', 'bench-programs');
const HASH_FILE = path.join(OUT_DIR, '.hashes.json');

// ------------------------------------------------------------------ build --

/** The wasix-libc sysroot (scripts/wasix-toolchain.mjs: the first candidate that holds lib/wasm32-wasi/libc.a). */
function wasixSysroot() {
  return { found: findWasixSysroot() ?? null, candidates: WASIX_SYSROOT_CANDIDATES };
}

/** The wasi-libc sysroot of the preview 1 bench programs (bench/build.mjs). */
function preview1Sysroot() {
  if (process.env.WASI_SYSROOT) return process.env.WASI_SYSROOT;
  for (const p of ['/usr', '/opt/wasi-sdk/share/wasi-sysroot']) {
    if (fs.existsSync(path.join(p, 'include', 'wasm32-wasi')) || fs.existsSync(path.join(p, 'include', 'wasi'))) return p;
  }
  return '/usr';
}

/** The compile commands: test/programs/wasix's (scripts/build-programs.mjs) and bench/programs' preview 1 one (bench/build.mjs). */
function commands(sysroot) {
  const wasix = wasixCompileCommand(sysroot);
  const preview1 = [process.env.CLANG || 'clang-19', '--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', `--sysroot=${preview1Sysroot()}`, '{src}', '-o', '{out}'];
  const asyncify = [process.env.KILN_WASM_OPT || 'wasm-opt', '-O2', '--asyncify', '{out}', '-o', '{out}'];
  return { wasix, preview1, asyncify };
}

/** What bench/programs/wasix/ builds: [{ name, out, src, cmd, post }]. */
function targets(sysroot) {
  const cmd = commands(sysroot ?? '<no wasix-libc sysroot>');
  const list = [];
  for (const file of fs.readdirSync(SOURCES).filter((f) => f.endsWith('.c')).sort()) {
    const name = file.slice(0, -2);
    const src = path.join(SOURCES, file);
    // Programs that fork go through asyncify, as test/programs/wasix's do.
    list.push({ name, src, out: path.join(OUT_DIR, `${name}.wasm`), cmd: cmd.wasix, post: /fork/.test(name) ? cmd.asyncify : null, wasix: true });
    // The syscall loop is plain POSIX: also a preview 1 build of the same source.
    if (name === 'wasix_bench_syscall') {
      list.push({ name: `${name}.p1`, src, out: path.join(OUT_DIR, `${name}.p1.wasm`), cmd: cmd.preview1, post: null, wasix: false });
    }
  }
  return list;
}

function hashOf(t, sysroot) {
  const h = createHash('sha256');
  h.update(JSON.stringify([t.cmd, t.post]));
  const inputs = [t.src, ...fs.readdirSync(SOURCES).filter((f) => f.endsWith('.h')).sort().map((f) => path.join(SOURCES, f))];
  if (t.wasix && sysroot) {
    const lib = path.join(sysroot, 'lib', 'wasm32-wasi');
    inputs.push(path.join(sysroot, 'README.md'), ...fs.readdirSync(lib).sort().map((f) => path.join(lib, f)));
  }
  for (const f of inputs) {
    if (!fs.existsSync(f) || !fs.statSync(f).isFile()) continue;
    h.update(`\0${path.basename(f)}\0`);
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

/**
 * Builds bench/programs/wasix/*.c into build/bench-programs/ (cached by the
 * hash of source, header, command and sysroot). Returns
 * { files: { name: path }, errors: { name: message } }: a program that
 * cannot be built is an error for its rows only.
 */
export function buildWasixBench({ force = false } = {}) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const { found: sysroot, candidates } = wasixSysroot();
  let stored = {};
  try {
    stored = JSON.parse(fs.readFileSync(HASH_FILE, 'utf8'));
  } catch {}
  const files = {};
  const errors = {};
  for (const t of targets(sysroot)) {
    const hash = hashOf(t, sysroot);
    if (!force && stored[t.name] === hash && fs.existsSync(t.out)) {
      files[t.name] = t.out;
      continue;
    }
    if (t.wasix && !sysroot) {
      errors[t.name] = `no wasix-libc sysroot (lib/wasm32-wasi/libc.a) in ${candidates.join(', ')}; set KILN_WASIX_SYSROOT`;
      continue;
    }
    const work = fs.mkdtempSync(path.join(OUT_DIR, `.build-${t.name}-`));
    const tmp = path.join(work, path.basename(t.out));
    const fill = (a) => (a === '{src}' ? t.src : a === '{out}' ? tmp : a);
    try {
      let output = '';
      for (const step of [t.cmd, t.post].filter(Boolean)) {
        const r = spawnSync(step[0], step.slice(1).map(fill), { cwd: repoRoot, encoding: 'utf8' });
        output += `${r.stdout ?? ''}${r.stderr ?? ''}`;
        if (r.error || r.status !== 0) throw new Error(`${path.basename(step[0])} failed: ${(r.error?.message ?? output).trim()}`);
      }
      fs.renameSync(tmp, t.out);
      stored[t.name] = hash;
      files[t.name] = t.out;
      process.stderr.write(`  wasix: built ${path.relative(repoRoot, t.out)}\n`);
    } catch (e) {
      delete stored[t.name];
      errors[t.name] = `cannot build ${path.relative(repoRoot, t.src)}${t.wasix ? '' : ' for preview 1'}: ${e.message}`;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  fs.writeFileSync(HASH_FILE, `${JSON.stringify(stored, null, 2)}\n`);
  return { files, errors };
}

// ---------------------------------------------------------------- helpers --

const LINE_BYTES = 16;
const HELLO_ARGS = ['one', 'two words'];
const HELLO_ENV = { KILN_TEST: 'kiln' };
const HELLO_OUT =
  'hello\nargv[1]=one\nargv[2]=two words\nKILN_TEST=kiln\ngetpid>0 yes\ngetppid>=0 yes\ngetpid!=getppid yes\n';

/** The WASIX scale of each benchmark: { quick, full }. */
function scale(quick) {
  return {
    starts: quick ? 5 : 20,
    startWarmup: quick ? 2 : 3,
    processes: quick ? 2 : 5,
    threads: quick ? 5 : 20,
    pingpong: quick ? 200 : 1000,
    pipeMiB: quick ? 4 : 16,
    syscalls: quick ? 5_000 : 20_000,
    forks: quick ? 3 : 10,
  };
}

function short(s) {
  if (s === null || s === undefined) return '(not captured)';
  const t = s.length > 300 ? s.slice(0, 300) + '...' : s;
  return JSON.stringify(t);
}

function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(ns >= 1e5 ? 0 : 1)} µs`;
  return `${ns.toFixed(0)} ns`;
}

const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 2 : 1)} ms` : '-');
const fmtMiBs = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 100 ? 1 : 0)} MiB/s` : '-');

/** The `NAME: key=value ...` line a program prints on stderr, as numbers. */
function parseTimes(name, stderr) {
  const m = new RegExp(`^${name}: ((?:\\w+=\\d+ ?)+)$`, 'm').exec(stderr);
  if (!m) throw new Error(`no timing line "${name}: ns=..." on stderr: ${short(stderr)}`);
  return Object.fromEntries(m[1].trim().split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
}

/** Checks a run's exit code and stdout (unless `expectStdout` is null). */
function checkRun(r, expectStdout) {
  if (r.code !== 0) throw new Error(`exit code ${r.code}; stderr: ${short(r.stderr)}`);
  if (expectStdout !== null && r.stdout !== expectStdout) {
    throw new Error(`stdout differs: got ${short(r.stdout)}, expected ${short(expectStdout)}`);
  }
}

/** Checks a run as checkRun does; returns its timing line. */
function checked(name, r, expectStdout) {
  checkRun(r, expectStdout);
  return parseTimes(name, r.stderr);
}

/** Checks a run of wasix_hello (exit 0, its exact stdout, nothing on stderr); returns its time in ms. */
function checkHello(r) {
  checkRun(r, HELLO_OUT);
  if (r.stderr !== '') throw new Error(`stderr: ${short(r.stderr)}`);
  return r.ms;
}

// --------------------------------------------------------------- runtimes --

/** Kiln: dist/node.js (or --kiln-module), and its CLI next to it for `kiln run`. */
async function loadKiln(spec) {
  const { file, exports: mod } = await importKiln(spec, ['WASI', 'CaptureStream', 'BufferInputStream']);
  const bin = path.resolve(path.dirname(file), '..', 'bin', 'kiln.js');
  return { mod, bin: fs.existsSync(bin) ? bin : null };
}

/**
 * One run of a WASIX program through Kiln's API: new WASI({...}).run(bytes)
 * (the threaded placement: every thread in a worker, the kernel on this
 * thread). stdout is captured, or goes to the host descriptor `stdoutFd`;
 * stderr is captured. Returns { code, stdout, stderr, ms }.
 */
async function kilnRun(kiln, bytes, args, { env = {}, preopens = {}, stdoutFd = null, timeoutMs }) {
  const { WASI, CaptureStream, BufferInputStream } = kiln.mod;
  const t0 = performance.now();
  const out = new CaptureStream();
  const err = new CaptureStream();
  const wasi = new WASI({ args, env, preopens, stdin: new BufferInputStream(''), stdout: stdoutFd ?? out, stderr: err, timeoutMs });
  const code = await wasi.run(bytes);
  const ms = performance.now() - t0;
  return { code, stdout: stdoutFd === null ? out.text() : null, stderr: err.text(), ms };
}

/** One run of a preview 1 module on this thread through Kiln's start(), as the main table runs them. */
function kilnStartPreview1(kiln, module, args, stdoutFd) {
  const { WASI, CaptureStream, BufferInputStream } = kiln.mod;
  const err = new CaptureStream();
  const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true, stdin: new BufferInputStream(''), stdout: stdoutFd, stderr: err });
  const code = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
  return { code, stdout: null, stderr: err.text() };
}

/** @wasmer/sdk's Node entry point ({ Wasmer, url, version }), or { error } when it cannot be loaded. */
async function loadWasmer() {
  try {
    const url = pathToFileURL(createRequire(import.meta.url).resolve('@wasmer/sdk/node')).href;
    const mod = await import(url);
    if (typeof mod.Wasmer !== 'function') return { error: '@wasmer/sdk/node does not export Wasmer' };
    let version = '?';
    try {
      version = JSON.parse(fs.readFileSync(new URL('../package.json', url), 'utf8')).version;
    } catch {}
    return { Wasmer: mod.Wasmer, url, version };
  } catch (e) {
    return { error: `@wasmer/sdk not loaded (npm ci installs it): ${e.message.split('\n')[0]}` };
  }
}

/**
 * One run of a package's command in a @wasmer/sdk sandbox (a new one with
 * `files` unless `sandbox` is given, closed afterwards). stdout is captured
 * or discarded. Returns { code, stdout, stderr, ms }.
 */
async function wasmerRun(w, pkg, args, { env = {}, files, sandbox = null, discardStdout = false, timeoutMs }) {
  const t0 = performance.now();
  const sb = sandbox ?? (await w.client.sandboxes.create({ packages: [pkg], files }));
  try {
    const p = await sb.command(pkg, args, { env }).spawn({ stdin: 'closed', stdout: discardStdout ? 'discard' : 'capture', stderr: 'capture', timeoutMs });
    const r = await p.wait();
    const ms = performance.now() - t0;
    if (r.reason !== 'exited') throw new Error(`the process ended by ${r.reason}; stderr: ${short(r.stderr.text())}`);
    return { code: r.exitCode, stdout: discardStdout ? null : r.stdout.text(), stderr: r.stderr.text(), ms };
  } finally {
    if (!sandbox) await sb.close();
  }
}

// ----------------------------------------------------- whole processes --

/** The script a whole @wasmer/sdk process runs: what `kiln run` does, with the SDK. */
function wasmerProcessScript(url) {
  return `import { readFileSync } from 'node:fs';
import { Wasmer } from ${JSON.stringify(url)};
const [file, ...args] = process.argv.slice(2);
const wasmer = new Wasmer({ cache: false });
const pkg = await wasmer.packages.load(readFileSync(file));
const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
const out = await sandbox.command(pkg, args, { env: ${JSON.stringify(HELLO_ENV)} }).run({ check: false });
process.stdout.write(out.stdout.bytes);
process.stderr.write(out.stderr.bytes);
await sandbox.close();
await wasmer.close();
process.exit(out.exitCode);
`;
}

/** Runs `node ARGS` to completion; { code, stdout, stderr, ms } (ms: spawn to exit, node's own start-up included). */
function nodeProcess(args, timeoutMs) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(r.error.message);
  return { code: r.status ?? r.signal, stdout: r.stdout, stderr: r.stderr, ms };
}

// ----------------------------------------------------------------- runner --

/**
 * A guest loop shorter than this is run again at a larger size: the
 * programs time themselves with CLOCK_MONOTONIC, which ticks in whole
 * milliseconds under @wasmer/sdk, so a loop of 100 ms or more keeps that
 * error within 1 %. The same rule applies to every variant.
 */
const MIN_LOOP_NS = 100e6;
const MAX_SCALE = 64;

/**
 * Runs each variant (`warmup` untimed runs, then `runs` timed runs,
 * alternating the order each round) with a progress line on stderr. A
 * variant is { id, run: async (k) => ({ figure, loopNs }) }: k multiplies
 * the benchmark's size; it is 1 for the warm-up, then as large as the
 * warm-up's loop (loopNs) says is needed to reach MIN_LOOP_NS. Returns
 * Map id -> { samples: figures, error, k }.
 */
/**
 * Waits until this process is quiet: a 10 ms window in which its threads
 * (workers included) used under 1 ms of CPU, for at most 300 ms. Each
 * run starts so, whichever ran before it: after a run, @wasmer/sdk's
 * threads go on working for tens of milliseconds (about 15 ms of CPU seen
 * in the 100 ms after a start), which, run into, tripled Kiln's next start
 * on a 2-vCPU VM.
 */
async function settle() {
  const until = performance.now() + 300;
  while (performance.now() < until) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const used = process.cpuUsage(before);
    if (used.user + used.system < 1000) return;
  }
}

async function measure(variants, runs, verbose, benchName, { warmup = 1, fmt = (x) => x.toPrecision(4) } = {}) {
  const t0 = performance.now();
  process.stderr.write(`  wasix ${benchName}: running...`);
  const state = new Map(variants.map((v) => [v.id, { samples: [], error: null, k: 1 }]));
  const once = async (v, timed) => {
    const s = state.get(v.id);
    if (s.error) return;
    try {
      await settle();
      const { figure, loopNs } = await v.run(s.k);
      if (timed) s.samples.push(figure);
      else if (loopNs < MIN_LOOP_NS) s.k = Math.min(MAX_SCALE, Math.ceil(MIN_LOOP_NS / Math.max(loopNs, 1e6)));
    } catch (e) {
      s.error = (e?.message ?? String(e)).trim();
    }
  };
  for (let i = 0; i < warmup; i++) for (const v of rotate(variants, i)) await once(v, false);
  for (let i = 0; i < runs; i++) for (const v of rotate(variants, i)) await once(v, true);
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const v of variants) {
    const s = state.get(v.id);
    if (verbose) console.log(`  ${benchName} ${v.id}${s.k > 1 ? ` (size x${s.k})` : ''}: ${s.error ? `FAIL ${s.error}` : s.samples.map(fmt).join(', ')}`);
  }
  return state;
}

/** The median of a variant's figures (or of one field of them); NaN when it failed. */
function med(result, key = null) {
  if (!result || result.error || result.samples.length === 0) return NaN;
  return median(result.samples.map((x) => (key === null ? x : x[key])));
}

/**
 * Runs the WASIX benchmarks and prints their tables. Returns the list of
 * failures (strings): Kiln runs that failed or printed something else.
 * @wasmer/sdk's failures, and Kiln's fork while it is not supported, are
 * notes that never change the exit status.
 */
export async function runWasixBench({ quick = false, runs = null, kilnModule = null, verbose = false } = {}) {
  const nRuns = runs ?? (quick ? 3 : 5);
  const n = scale(quick);
  const timeoutMs = 60_000;
  const failures = [];
  const notes = [];
  console.log('');
  if (kilnModule === 'node:wasi') {
    console.log('wasix: skipped (node:wasi has no WASIX; --kiln-module node:wasi only checks the harness)');
    return failures;
  }

  let kiln;
  try {
    kiln = await loadKiln(kilnModule);
  } catch (e) {
    failures.push(`wasix: ${e.message}`);
    console.log('wasix: not run (see failures)');
    return failures;
  }
  const built = buildWasixBench();
  // wasix_hello is the test program (test/programs/wasix), built by its own script (cached).
  const helloPath = path.join(repoRoot, 'build', 'programs', 'wasix_hello.wasm');
  {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-programs.mjs'), 'wasix_hello'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status === 0 || fs.existsSync(helloPath)) built.files.wasix_hello = helloPath;
    else built.errors.wasix_hello = `scripts/build-programs.mjs wasix_hello failed: ${(r.stderr || r.stdout).trim()}`;
  }
  const bytes = {};
  for (const [name, file] of Object.entries(built.files)) bytes[name] = fs.readFileSync(file);
  /** A program's bytes; a program that could not be built fails its variants. */
  const need = (name) => {
    if (!bytes[name]) throw new Error(built.errors[name] ?? `${name} was not built`);
    return bytes[name];
  };

  const wasmerLib = await loadWasmer();
  let w = null;
  let wasmerInitMs = NaN;
  if (wasmerLib.error) {
    notes.push(wasmerLib.error);
  } else {
    try {
      const t0 = performance.now();
      const client = new wasmerLib.Wasmer({ cache: false });
      await client.ready();
      wasmerInitMs = performance.now() - t0;
      w = { client, packages: new Map() };
    } catch (e) {
      notes.push(`@wasmer/sdk: new Wasmer() failed: ${e.message}`);
    }
  }
  /** The @wasmer/sdk package of a program, loaded (compiled) once, outside every timing. */
  const wasmerPackage = async (name) => {
    if (!w.packages.has(name)) w.packages.set(name, await w.client.packages.load(need(name)));
    return w.packages.get(name);
  };

  const WASMER = `@wasmer/sdk${wasmerLib.version ? ` ${wasmerLib.version}` : ''}`;
  console.log(
    `wasix: Kiln vs ${WASMER} on WASIX programs built with wasix-libc, median of ${nRuns} run(s)${quick ? ', --quick' : ''}` +
      (w ? `; @wasmer/sdk's one-time new Wasmer() + ready(): ${fmtMs(wasmerInitMs)} (in no row)` : ''),
  );
  const t0 = performance.now();
  const devnull = fs.openSync('/dev/null', 'w');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-wasix-'));
  const rows = [];
  const p1Rows = [];
  const targets = {};

  /** Kiln's and (when the SDK loaded) @wasmer/sdk's variants of a row. */
  const pair = (kilnVariant, wasmerVariant) => [{ id: 'kiln', run: kilnVariant }, ...(w ? [{ id: 'wasmer', run: wasmerVariant }] : [])];
  /**
   * Records a row's outcome: Kiln's failure is a failure (a note with
   * `kilnNote`), @wasmer/sdk's a note; a size raised for the clock is noted.
   */
  const outcome = (bench, res, { kilnNote = false, sizes = null } = {}) => {
    const k = res.get('kiln');
    const x = w ? res.get('wasmer') : null;
    if (k.error) (kilnNote ? notes : failures).push(`wasix ${bench} [kiln]: ${k.error}`);
    if (x?.error) notes.push(`wasix ${bench} [@wasmer/sdk]: ${x.error}`);
    for (const [id, r] of res) {
      const who = { kiln: 'kiln', wasmer: '@wasmer/sdk', 'kiln-p1': 'kiln preview 1' }[id] ?? id;
      if (r.k > 1 && !r.error && sizes) notes.push(`wasix ${bench} [${who}]: ran at ${sizes(r.k)} (its loop took under ${MIN_LOOP_NS / 1e6} ms at the base size)`);
    }
    return { k, x };
  };
  const kilnCell = (k, text) => (k.error ? 'FAIL' : text);
  const wasmerCell = (x, text) => (!w ? 'not loaded' : x.error ? 'FAIL' : text);
  /**
   * The two variants of a program that times its own loop of `size(k)`
   * operations: `args(m, who)` its arguments, `want(m)` its stdout,
   * `figure(t, m)` the row's figure from its timing line; `seen(r, who)`
   * looks at each run.
   */
  const guestTimed = (name, { size, args = (m) => [String(m)], want, figure = (t, m) => t.ns / m, kilnOpts = {}, wasmerOpts = {}, seen = () => {} }) => {
    const result = (r, m, who) => {
      const t = checked(name, r, want(m));
      seen(r, who);
      return { figure: figure(t, m), loopNs: t.ns };
    };
    return pair(
      async (k) => result(await kilnRun(kiln, need(name), [name, ...args(size(k), 'kiln')], { ...kilnOpts, timeoutMs }), size(k), 'kiln'),
      async (k) => result(await wasmerRun(w, await wasmerPackage(name), args(size(k), 'wasmer'), { ...wasmerOpts, timeoutMs }), size(k), '@wasmer/sdk'),
    );
  };

  try {
    // 1a. Start-up through the API, from the bytes in memory.
    {
      const hello = ['wasix_hello', ...HELLO_ARGS];
      let sandbox = null;
      const hostTimed = (fn) => async () => ({ figure: checkHello(await fn()), loopNs: Infinity });
      const res = await measure(
        [
          { id: 'kiln', run: hostTimed(() => kilnRun(kiln, need('wasix_hello'), hello, { env: HELLO_ENV, timeoutMs })) },
          ...(w
            ? [
                {
                  id: 'wasmer',
                  run: hostTimed(async () => {
                    const pkg = await wasmerPackage('wasix_hello');
                    sandbox ??= await w.client.sandboxes.create({ packages: [pkg] });
                    return wasmerRun(w, pkg, HELLO_ARGS, { env: HELLO_ENV, sandbox, timeoutMs });
                  }),
                },
                { id: 'wasmer-fresh', run: hostTimed(async () => wasmerRun(w, await wasmerPackage('wasix_hello'), HELLO_ARGS, { env: HELLO_ENV, timeoutMs })) },
              ]
            : []),
        ],
        n.starts,
        verbose,
        'start',
        { warmup: n.startWarmup },
      );
      await sandbox?.close();
      const { k, x } = outcome('start (API)', res);
      const fresh = res.get('wasmer-fresh');
      if (fresh?.error) notes.push(`wasix start (API, new sandbox) [@wasmer/sdk]: ${fresh.error}`);
      const kMs = med(k);
      targets.start = med(x) / kMs;
      rows.push([
        'start (API)',
        kilnCell(k, fmtMs(kMs)),
        wasmerCell(x, fmtMs(med(x))),
        fmtRatio(targets.start),
        `wasix_hello to exit, bytes in memory, per start (${n.starts} starts); wasmer: one sandbox`,
      ]);
      rows.push([
        'start (API, new sandbox)',
        kilnCell(k, fmtMs(kMs)),
        wasmerCell(fresh ?? {}, fmtMs(med(fresh))),
        fmtRatio(med(fresh) / kMs),
        'the same; wasmer: a sandbox created and closed per start',
      ]);
    }

    // 1b. Start-up as a whole process: `kiln run` vs a node process running the SDK.
    {
      const script = path.join(tmp, 'wasmer-run.mjs');
      if (w) fs.writeFileSync(script, wasmerProcessScript(wasmerLib.url));
      const hostTimed = (args) => async () => {
        need('wasix_hello');
        return { figure: checkHello(nodeProcess(args(), timeoutMs)), loopNs: Infinity };
      };
      const res = await measure(
        pair(
          hostTimed(() => {
            if (!kiln.bin) throw new Error('no bin/kiln.js next to the Kiln module');
            return [kiln.bin, 'run', '--env', `KILN_TEST=${HELLO_ENV.KILN_TEST}`, helloPath, '--', ...HELLO_ARGS];
          }),
          hostTimed(() => [script, helloPath, ...HELLO_ARGS]),
        ),
        n.processes,
        verbose,
        'process',
      );
      const { k, x } = outcome('start (process)', res);
      rows.push([
        'start (process)',
        kilnCell(k, fmtMs(med(k))),
        wasmerCell(x, fmtMs(med(x))),
        fmtRatio(med(x) / med(k)),
        `wasix_hello in a new node process, spawn to exit (${n.processes} runs): \`kiln run\` vs node + the SDK`,
      ]);
    }

    // 2. Thread spawn + join.
    {
      const name = 'wasix_bench_threads';
      const size = (k) => n.threads * k;
      const res = await measure(
        guestTimed(name, { size, want: (m) => `${name}: threads=${m} ran=${m}\n` }),
        nRuns,
        verbose,
        'threads',
        { fmt: fmtNs },
      );
      const { k, x } = outcome('thread spawn+join', res, { sizes: (f) => `${size(f)} threads` });
      rows.push([
        'thread spawn+join',
        kilnCell(k, `${fmtNs(med(k))}/thread`),
        wasmerCell(x, `${fmtNs(med(x))}/thread`),
        fmtRatio(med(x) / med(k)),
        `${n.threads} x pthread_create + pthread_join, one at a time`,
      ]);
    }

    // 3. Futex ping-pong through a mutex and a condition variable.
    {
      const name = 'wasix_bench_pingpong';
      const size = (k) => n.pingpong * k;
      const res = await measure(
        guestTimed(name, { size, want: (m) => `${name}: rounds=${m}\n` }),
        nRuns,
        verbose,
        'pingpong',
        { fmt: fmtNs },
      );
      const { k, x } = outcome('futex ping-pong', res, { sizes: (f) => `${size(f).toLocaleString('en-US')} round trips` });
      rows.push([
        'futex ping-pong',
        kilnCell(k, `${fmtNs(med(k))}/rt`),
        wasmerCell(x, `${fmtNs(med(x))}/rt`),
        fmtRatio(med(x) / med(k)),
        `${n.pingpong.toLocaleString('en-US')} round trips between 2 threads, pthread mutex + condvar`,
      ]);
    }

    // 4. Pipe throughput between two processes (posix_spawn).
    {
      const name = 'wasix_bench_pipe';
      const size = (k) => n.pipeMiB * k;
      const sandboxDir = path.join(tmp, 'sandbox');
      fs.mkdirSync(path.join(sandboxDir, 'bin'), { recursive: true });
      if (bytes[name]) fs.writeFileSync(path.join(sandboxDir, 'bin', 'pipe'), bytes[name]);
      const eagain = new Map();
      const variants = guestTimed(name, {
        // The child says on stderr when its blocking pipe answered a write with EAGAIN.
        seen: (r, who) => {
          if (/answered EAGAIN/.test(r.stderr)) eagain.set(who, (eagain.get(who) ?? 0) + 1);
        },
        size,
        args: (m, who) => [String(m), who === 'kiln' ? '/sandbox/bin/pipe' : '/workspace/bin/pipe'],
        want: (m) => `${name}: bytes=${m * 1024 * 1024} child=0\n`,
        figure: (t) => t.timed / 1024 / 1024 / (t.ns / 1e9),
        kilnOpts: { preopens: { '/sandbox': sandboxDir } },
        wasmerOpts: { files: bytes[name] ? { '/workspace/bin/pipe': bytes[name] } : {} },
      });
      const res = await measure(variants, nRuns, verbose, 'pipe', { fmt: fmtMiBs });
      const { k, x } = outcome('pipe throughput', res, { sizes: (f) => `${size(f)} MiB` });
      for (const [who, count] of eagain) {
        notes.push(`wasix pipe throughput [${who}]: in ${count} run(s) the child's blocking pipe answered a write with EAGAIN (the child polled and wrote again)`);
      }
      rows.push([
        'pipe throughput',
        kilnCell(k, fmtMiBs(med(k))),
        wasmerCell(x, fmtMiBs(med(x))),
        fmtRatio(med(k) / med(x)),
        `${n.pipeMiB} MiB, posix_spawn'ed child's stdout -> parent, 64 KiB writes and reads`,
      ]);
    }

    // 5. System call cost, and the same loop built for preview 1 under Kiln's start().
    {
      const name = 'wasix_bench_syscall';
      const size = (k) => n.syscalls * k;
      const want = (m) => `${name}: calls=${m} monotonic=yes bytes=${m * LINE_BYTES}\n`;
      /** The summary is on stderr (stdout is what is measured): checked, then the two loops' times. */
      const times = (r, m) => {
        if (!r.stderr.startsWith(want(m))) throw new Error(`stderr differs: got ${short(r.stderr)}, expected it to start with ${short(want(m))}`);
        const t = checked(name, r, null);
        return { figure: { clock: t.clock_ns / m, write: t.write_ns / m }, loopNs: Math.min(t.clock_ns, t.write_ns) };
      };
      let p1Module = null;
      const res = await measure(
        [
          ...pair(
            async (k) => times(await kilnRun(kiln, need(name), [name, String(size(k))], { stdoutFd: devnull, timeoutMs }), size(k)),
            async (k) => times(await wasmerRun(w, await wasmerPackage(name), [String(size(k))], { discardStdout: true, timeoutMs }), size(k)),
          ),
          {
            id: 'kiln-p1',
            run: async (k) => {
              p1Module ??= await WebAssembly.compile(need(`${name}.p1`));
              return times(kilnStartPreview1(kiln, p1Module, [name, String(size(k))], devnull), size(k));
            },
          },
        ],
        nRuns,
        verbose,
        'syscalls',
        { fmt: (s) => `clock ${fmtNs(s.clock)} write ${fmtNs(s.write)}` },
      );
      const { k, x } = outcome('syscalls', res, { sizes: (f) => `${size(f).toLocaleString('en-US')} calls per loop` });
      const p1 = res.get('kiln-p1');
      if (p1.error) failures.push(`wasix syscalls [kiln preview 1]: ${p1.error}`);
      for (const [key, label, what, p1what] of [
        ['clock', 'clock_gettime', 'clock_gettime(CLOCK_MONOTONIC)', 'clock_time_get'],
        ['write', 'write', 'write(1, 16 B) to a sink', 'fd_write, stdout /dev/null'],
      ]) {
        const kv = med(k, key);
        rows.push([
          label,
          kilnCell(k, `${fmtNs(kv)}/call`),
          wasmerCell(x, `${fmtNs(med(x, key))}/call`),
          fmtRatio(med(x, key) / kv),
          `${n.syscalls.toLocaleString('en-US')} x ${what} in a loop`,
        ]);
        const r = kv / med(p1, key);
        targets[key] = r;
        p1Rows.push([
          label,
          kilnCell(k, `${fmtNs(kv)}/call`),
          p1.error ? 'FAIL' : `${fmtNs(med(p1, key))}/call`,
          fmtRatio(r),
          Number.isFinite(r) ? (r <= 1.5 ? 'met' : 'BELOW') : '-',
          p1what,
        ]);
      }
    }

    // 6. fork + wait round trip.
    {
      const name = 'wasix_bench_fork';
      const size = (k) => n.forks * k;
      const res = await measure(
        guestTimed(name, { size, want: (m) => `${name}: forks=${m} ok=${m}\n` }),
        nRuns,
        verbose,
        'fork',
        { fmt: fmtNs },
      );
      // Kiln's fork failing is "not supported yet", never a failure of the run.
      const { k, x } = outcome('fork + wait', res, { kilnNote: true, sizes: (f) => `${size(f)} forks` });
      rows.push([
        'fork + wait',
        k.error ? 'not supported yet' : `${fmtNs(med(k))}/fork`,
        wasmerCell(x, `${fmtNs(med(x))}/fork`),
        fmtRatio(med(x) / med(k)),
        `${n.forks} x fork, the child _exit(0)s, waitpid (asyncify build)`,
      ]);
    }
  } finally {
    fs.closeSync(devnull);
    fs.rmSync(tmp, { recursive: true, force: true });
    await w?.client.close().catch(() => {});
    await kiln.mod.closeIdleWorkers?.();
  }

  console.log('');
  printTable(['benchmark', 'kiln', WASMER, 'kiln speedup', 'measures'], rows);
  console.log('');
  console.log('included: start (API): Kiln new WASI({...}) + run(bytes), compiling the bytes included (a threaded module is taken as bytes;');
  console.log('  V8 reuses the code of identical bytes); @wasmer/sdk packages.load(bytes) once, outside the timing, then per start');
  console.log('  command(pkg).spawn() + wait(), output captured. start (process): node\'s own start-up, loading the runtime, reading and');
  console.log('  compiling the file, the run and the exit. The other rows are timed inside the guest with CLOCK_MONOTONIC (per operation;');
  console.log('  process and thread start-up left out); @wasmer/sdk\'s clock ticks in whole ms, so a loop under 100 ms runs again larger.');
  console.log('');
  console.log('Kiln WASIX vs Kiln preview 1: the same C source (wasix_bench_syscall.c) built with wasi-libc, run by start() on this thread');
  printTable(['syscall', 'kiln WASIX', 'kiln preview 1', 'wasix/p1', 'target <= 1.50', 'preview 1 call'], p1Rows);
  if (notes.length) {
    console.log('');
    console.log('notes:');
    for (const line of notes) console.log(`  ${line}`);
  }
  console.log('');
  const verdict = (r, ok) => (Number.isFinite(r) ? `${r.toFixed(2)}: ${ok(r) ? 'met' : 'BELOW'}` : 'not measured');
  console.log(
    `wasix summary: ${rows.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `kiln speedup = ${WASMER}'s time / Kiln's (throughput: Kiln's / ${WASMER}'s): > 1.00 means Kiln is faster; ` +
      `targets: start (API) >= 20 (${verdict(targets.start, (r) => r >= 20)}), ` +
      `WASIX syscalls <= 1.5 x preview 1 (clock ${verdict(targets.clock, (r) => r <= 1.5)}, write ${verdict(targets.write, (r) => r <= 1.5)}); ` +
      `${failures.length ? `${failures.length} FAILURE(S)` : 'all Kiln outputs matched'}`,
  );
  return failures;
}

// ----------------------------------------------------------- standalone --

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitWhenDone(runWasixBench(parseBenchArgs(process.argv.slice(2), 'wasix.mjs')));
}
