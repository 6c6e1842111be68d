#!/usr/bin/env node
// Thread benchmarks: Kiln's threaded mode (wasi-threads, one Node worker per
// wasm thread) against native POSIX threads and node:wasi. Run by
// bench/run.mjs (`npm run bench`, `--only threads`) or on its own.
// See bench/README.md, "Thread benchmarks".
//
// Usage: node bench/threads.mjs [--quick] [--runs N] [--kiln-module PATH] [--verbose]
//
// The guest programs are test/programs/threads/threads_{spawn_join,pingpong,
// write}.c, built by scripts/build-programs.mjs (cached); the native
// reference is bench/programs/native/pingpong.c, built by bench/build.mjs
// with gcc. Every program times its measured loop itself (KTHREAD_TIMING=1:
// "NAME: ns=T" on stderr), so process and worker start-up are not counted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { importKiln } from './kiln-module.mjs';
import { buildNative, repoRoot } from './build.mjs';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { rotate, median, fmtRatio, printTable } from './table.mjs';

const PROGRAMS = ['threads_spawn_join', 'threads_pingpong', 'threads_write'];
const LINE_BYTES = 16; // threads_write writes "0123456789abcde\n"
// build-programs links the threads programs with --max-memory=16 MiB; the
// node:wasi reference run provides a shared memory of exactly that size.
const MEMORY_PAGES = 256;

/** Sizes per mode. */
function scale(quick) {
  return {
    spawnJoin: 100,
    pingpong: quick ? 10_000 : 50_000,
    writes: quick ? 20_000 : 100_000,
  };
}

// ---------------------------------------------------------------- helpers --

/** A duration in ns with 3 significant digits: "843 ns", "12.7 us", "1.66 ms". */
function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '-';
  const [value, unit] = ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'us'] : [ns, 'ns'];
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(unit === 'ns' ? 0 : digits)} ${unit}`;
}

function fmtRate(perSecond) {
  if (!Number.isFinite(perSecond)) return '-';
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

function short(s) {
  const t = s.length > 300 ? `${s.slice(0, 300)}...` : s;
  return JSON.stringify(t);
}

/** The "NAME: ns=T" line a program prints with KTHREAD_TIMING=1. */
function parseNs(name, stderr) {
  const m = new RegExp(`^${name}: ns=(\\d+)$`, 'm').exec(stderr);
  if (!m) throw new Error(`no "${name}: ns=" line on stderr: ${short(stderr)}`);
  return Number(m[1]);
}

function buildGuestPrograms() {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-programs.mjs'), ...PROGRAMS], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`scripts/build-programs.mjs failed:\n${(r.stderr || r.stdout || '').trim()}`);
  }
  const out = {};
  for (const name of PROGRAMS) out[name] = fs.readFileSync(path.join(repoRoot, 'build', 'programs', `${name}.wasm`));
  return out;
}

// --------------------------------------------------------------- runtimes --

/** Kiln through its embedding API: WasiBuilder.run picks the threaded mode. */
async function loadKilnBuilder(spec) {
  return (await importKiln(spec, ['WasiBuilder'])).exports.WasiBuilder;
}

/**
 * One run of a threads program under Kiln. stdout is captured (and checked
 * when `expectStdout` is given) or goes to `stdoutFd`. Returns { ns, ms }.
 */
async function runKiln(WasiBuilder, bytes, name, args, { expectStdout = null, expectStderr = null, stdoutFd = null, timeoutMs }) {
  const b = new WasiBuilder()
    .args([name, ...args])
    .env('KTHREAD_TIMING', '1')
    .stdin(new Uint8Array(0))
    .stdout(stdoutFd ?? 'capture')
    .stderr('capture');
  if (typeof b.timeout === 'function') b.timeout(timeoutMs);
  const t0 = performance.now();
  const r = await b.run(bytes);
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`exit code ${r.exitCode}; stderr: ${short(r.stderrText)}`);
  if (expectStdout !== null && r.stdoutText !== expectStdout) {
    throw new Error(`stdout differs: got ${short(r.stdoutText)}, expected ${short(expectStdout)}`);
  }
  if (expectStderr !== null && !r.stderrText.startsWith(expectStderr)) {
    throw new Error(`stderr differs: got ${short(r.stderrText)}, expected it to start with ${short(expectStderr)}`);
  }
  return { ns: parseNs(name, r.stderrText), ms };
}

/** threads_write in `main` mode under node:wasi (no thread is spawned). */
async function runNodeWasiWrite(module, calls, devnull) {
  const { WASI } = await import('node:wasi');
  const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES, shared: true });
  let stderr = '';
  const errFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-threads-')), 'stderr');
  const errFd = fs.openSync(errFile, 'w+');
  const t0 = performance.now();
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['threads_write', String(calls), 'main'],
      env: { KTHREAD_TIMING: '1' },
      returnOnExit: true,
      stdout: devnull,
      stderr: errFd,
    });
    const instance = new WebAssembly.Instance(module, {
      env: { memory },
      wasi: { 'thread-spawn': () => -6 },
      wasi_snapshot_preview1: wasi.wasiImport,
    });
    const code = wasi.start(instance);
    stderr = fs.readFileSync(errFile, 'utf8');
    if (code !== 0) throw new Error(`exit code ${code}; stderr: ${short(stderr)}`);
  } finally {
    fs.closeSync(errFd);
    fs.rmSync(path.dirname(errFile), { recursive: true, force: true });
  }
  const ms = performance.now() - t0;
  const want = `threads_write: where=main fd=1 calls=${calls} bytes=${calls * LINE_BYTES}\n`;
  if (!stderr.startsWith(want)) throw new Error(`stderr differs: got ${short(stderr)}, expected ${short(want)}`);
  return { ns: parseNs('threads_write', stderr), ms };
}

function runNative(exe, rounds, timeoutMs) {
  const t0 = performance.now();
  const r = spawnSync(exe, [String(rounds)], { encoding: 'utf8', timeout: timeoutMs });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${path.basename(exe)}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${path.basename(exe)} exited with ${r.status ?? r.signal}; stderr: ${short(r.stderr)}`);
  const want = `pingpong: rounds=${rounds}\n`;
  if (r.stdout !== want) throw new Error(`stdout differs: got ${short(r.stdout)}, expected ${short(want)}`);
  return { ns: parseNs('pingpong', r.stderr), ms };
}

// ----------------------------------------------------------------- runner --

/**
 * Runs each variant (warm-up + `runs` timed runs, alternating order each
 * round) with a progress line on stderr. A variant is
 * { id, label, run: async () => ({ ns, ms }) }. Returns
 * Map id -> { ns: median, error }.
 */
async function measure(variants, runs, verbose, benchName) {
  const t0 = performance.now();
  process.stderr.write(`  threads ${benchName}: running...`);
  const state = new Map(variants.map((v) => [v.id, { samples: [], error: null }]));
  for (const v of variants) {
    try {
      await v.run();
    } catch (e) {
      state.get(v.id).error = e.message ?? String(e);
    }
  }
  for (let i = 0; i < runs; i++) {
    for (const v of rotate(variants, i)) {
      const s = state.get(v.id);
      if (s.error) continue;
      try {
        s.samples.push(await v.run());
      } catch (e) {
        s.error = e.message ?? String(e);
      }
    }
  }
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const out = new Map();
  for (const v of variants) {
    const s = state.get(v.id);
    if (verbose) {
      const list = s.samples.map((x) => `${fmtNs(x.ns)} (run ${x.ms.toFixed(0)} ms)`).join(', ');
      console.log(`  ${benchName} ${v.label}: ${s.error ? `FAIL ${s.error}` : list}`);
    }
    out.set(v.id, { ns: s.error ? NaN : median(s.samples.map((x) => x.ns)), error: s.error, label: v.label });
  }
  return out;
}

/**
 * Runs the thread benchmarks and prints their table. Returns the list of
 * failures (strings); empty when every run succeeded and matched its
 * expected output.
 */
export async function runThreadsBench({ quick = false, runs = null, kilnModule = null, verbose = false } = {}) {
  const nRuns = runs ?? (quick ? 3 : 5);
  const n = scale(quick);
  const timeoutMs = quick ? 60_000 : 120_000;
  const failures = [];
  console.log('');
  if (kilnModule === 'node:wasi') {
    console.log('threads: skipped (node:wasi has no threaded mode; --kiln-module node:wasi only checks the harness)');
    return failures;
  }

  let WasiBuilder;
  let wasm;
  try {
    WasiBuilder = await loadKilnBuilder(kilnModule);
    wasm = buildGuestPrograms();
  } catch (e) {
    failures.push(`threads: ${e.message}`);
    console.log('threads: not run (see failures)');
    return failures;
  }
  let native = null;
  let nativeError = null;
  try {
    native = buildNative({ names: ['pingpong'], quiet: true }).pingpong ?? null;
    if (!native) nativeError = 'bench/programs/native/pingpong.c not found';
  } catch (e) {
    nativeError = e.message;
  }

  console.log(
    `threads: Kiln threaded mode, times measured inside the guest (KTHREAD_TIMING), median of ${nRuns} run(s)` +
      `${quick ? ', --quick' : ''}`,
  );
  const t0 = performance.now();
  const devnull = fs.openSync('/dev/null', 'w');
  const rows = [];
  const fail = (bench, label, msg) => failures.push(`threads ${bench} [${label}]: ${msg}`);

  try {
    // 1. Spawn + join, one thread after another.
    const sj = await measure(
      [
        {
          id: 'kiln',
          label: 'kiln',
          run: () =>
            runKiln(WasiBuilder, wasm.threads_spawn_join, 'threads_spawn_join', [String(n.spawnJoin)], {
              expectStdout: `threads_spawn_join: threads=${n.spawnJoin} batch=1 ran=${n.spawnJoin}\n`,
              timeoutMs,
            }),
        },
      ],
      nRuns,
      verbose,
      'spawn_join',
    );
    {
      const k = sj.get('kiln');
      if (k.error) fail('spawn_join', 'kiln', k.error);
      const per = k.ns / n.spawnJoin;
      rows.push([
        'spawn_join',
        k.error ? 'FAIL' : `${fmtNs(per)}/thread`,
        '-',
        '-',
        `${n.spawnJoin} x (thread-spawn + run + join), one at a time${k.error ? '' : ` (${fmtRate(1e9 / per)})`}`,
      ]);
    }

    // 2. Futex ping-pong: Kiln vs native pthreads.
    const pingVariants = [
      {
        id: 'kiln',
        label: 'kiln',
        run: () =>
          runKiln(WasiBuilder, wasm.threads_pingpong, 'threads_pingpong', [String(n.pingpong)], {
            expectStdout: `threads_pingpong: rounds=${n.pingpong}\n`,
            timeoutMs,
          }),
      },
    ];
    if (native) pingVariants.push({ id: 'native', label: 'native', run: async () => runNative(native, n.pingpong, timeoutMs) });
    const pp = await measure(pingVariants, nRuns, verbose, 'pingpong');
    {
      const k = pp.get('kiln');
      const nat = native ? pp.get('native') : { ns: NaN, error: nativeError };
      if (k.error) fail('pingpong', 'kiln', k.error);
      if (nat.error) fail('pingpong', 'native', nat.error);
      const kRt = k.ns / n.pingpong;
      const nRt = nat.ns / n.pingpong;
      rows.push([
        'pingpong',
        k.error ? 'FAIL' : `${fmtNs(kRt)}/rt`,
        nat.error ? 'native FAIL' : `native ${fmtNs(nRt)}/rt`,
        fmtRatio(kRt / nRt),
        `${n.pingpong.toLocaleString('en-US')} futex round trips between 2 threads` +
          (k.error || nat.error ? '' : `: kiln ${fmtRate(1e9 / kRt)}, native ${fmtRate(1e9 / nRt)}`),
      ]);
    }

    // 3. fd_write to /dev/null from a secondary thread vs the main thread,
    //    and node:wasi (main thread) as the reference.
    const writeModule = new WebAssembly.Module(wasm.threads_write);
    const expectWrite = (where) => `threads_write: where=${where} fd=1 calls=${n.writes} bytes=${n.writes * LINE_BYTES}\n`;
    const fw = await measure(
      [
        {
          id: 'thread',
          label: 'kiln thread',
          run: () =>
            runKiln(WasiBuilder, wasm.threads_write, 'threads_write', [String(n.writes), 'thread'], {
              expectStderr: expectWrite('thread'),
              stdoutFd: devnull,
              timeoutMs,
            }),
        },
        {
          id: 'main',
          label: 'kiln main',
          run: () =>
            runKiln(WasiBuilder, wasm.threads_write, 'threads_write', [String(n.writes), 'main'], {
              expectStderr: expectWrite('main'),
              stdoutFd: devnull,
              timeoutMs,
            }),
        },
        { id: 'node', label: 'node:wasi', run: () => runNodeWasiWrite(writeModule, n.writes, devnull) },
      ],
      nRuns,
      verbose,
      'fd_write',
    );
    {
      const th = fw.get('thread');
      const mn = fw.get('main');
      const nd = fw.get('node');
      if (th.error) fail('fd_write', 'kiln thread', th.error);
      if (mn.error) fail('fd_write', 'kiln main', mn.error);
      if (nd.error) fail('fd_write', 'node:wasi', nd.error);
      const per = (x) => x.ns / n.writes;
      const cell = (x) => (x.error ? 'FAIL' : `${fmtNs(per(x))}/call`);
      const what = `${n.writes.toLocaleString('en-US')} x 16 B fd_write -> /dev/null`;
      rows.push(['fd_write thread', cell(th), `kiln main ${cell(mn)}`, fmtRatio(per(th) / per(mn)), `${what}, secondary thread vs main thread`]);
      rows.push(['fd_write main', cell(mn), `node:wasi ${cell(nd)}`, fmtRatio(per(mn) / per(nd)), `${what}, main thread vs node:wasi`]);
      rows.push(['fd_write thread', cell(th), `node:wasi ${cell(nd)}`, fmtRatio(per(th) / per(nd)), `${what}, secondary thread vs node:wasi`]);
    }
  } finally {
    fs.closeSync(devnull);
  }

  console.log('');
  printTable(['benchmark', 'kiln', 'reference', 'kiln/ref', 'measures'], rows);
  console.log('');
  console.log(
    `threads summary: ${rows.length} comparison(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `kiln/ref is time per operation (<= 1.00: Kiln as fast or faster); ` +
      `${failures.length ? `${failures.length} FAILURE(S)` : 'all outputs matched'}`,
  );
  return failures;
}

// ----------------------------------------------------------- standalone --

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // node:wasi prints an ExperimentalWarning; silence only that one.
  const origEmitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' && String(warning?.message ?? warning).includes('WASI')) return;
    return origEmitWarning.call(process, warning, ...rest);
  };
  exitWhenDone(runThreadsBench(parseBenchArgs(process.argv.slice(2), 'threads.mjs')));
}
