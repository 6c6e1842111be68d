// The cost of Kiln's entry points on a tiny guest (the bundled hello):
// `await run()` (a process worker, the caller's event loop free) against
// `start()` (the calling thread) and against node:wasi's start(), in one
// run, as ratios. The first run() of a process (a worker started and Kiln
// loaded in it) is measured in fresh child processes; warm runs reuse the
// pooled worker. Part of `node bench/run.mjs` (`--only entry`).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, printTable, fmtRatio } from './table.mjs';

const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** Times `fn` `n` times after `warm` warm-ups; the median in ms. */
async function timeEach(fn, n, warm) {
  for (let i = 0; i < warm; i++) await fn();
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** The first run() of a fresh process, in ms (module already compiled; Kiln already imported). */
function firstRun(kilnModule, wasmPath) {
  const script = `
    const { readFileSync } = await import('node:fs');
    const { WASI, CaptureStream } = await import(${JSON.stringify(pathToFileURL(kilnModule).href)});
    const module = await WebAssembly.compile(readFileSync(${JSON.stringify(wasmPath)}));
    const out = new CaptureStream();
    const t0 = performance.now();
    await new WASI({ stdout: out }).run(module);
    if (out.text() !== 'hello\\n') throw new Error('unexpected output ' + JSON.stringify(out.text()));
    process.stdout.write(String(performance.now() - t0));`;
  // A script file, not -e: flags such as --input-type are not for the workers a run starts.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-entry-'));
  try {
    const file = path.join(dir, 'first-run.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`first run: ${r.stderr}`);
    return Number(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runEntryBench({ quick = false, kilnModule, wasmDir }) {
  const kiln = await import(pathToFileURL(kilnModule).href);
  const { WASI: NodeWASI } = await import('node:wasi');
  const wasmPath = path.join(wasmDir, 'hello.wasm');
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const failures = [];
  const n = quick ? 20 : 200;
  const check = (out) => { if (out !== 'hello\n') failures.push(`entry: unexpected output ${JSON.stringify(out)}`); };

  const devNull = openSync('/dev/null', 'w');
  const startNode = await timeEach(() => {
    const wasi = new NodeWASI({ version: 'preview1', args: ['hello'], returnOnExit: true, stdout: devNull });
    wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
  }, n, 10);
  const startKiln = await timeEach(() => {
    const out = new kiln.CaptureStream();
    const wasi = new kiln.WASI({ args: ['hello'], stdout: out });
    wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
    check(out.text());
  }, n, 10);
  const runWarm = await timeEach(async () => {
    const out = new kiln.CaptureStream();
    await new kiln.WASI({ args: ['hello'], stdout: out }).run(module);
    check(out.text());
  }, n, 10);
  const firsts = Array.from({ length: quick ? 2 : 5 }, () => firstRun(kilnModule, wasmPath));
  const runFirst = median(firsts);
  closeSync(devNull);
  await kiln.closeIdleWorkers?.();

  console.log('\nentry: the cost of one run of hello, median ms (lower is faster)');
  printTable(['entry point', 'time', 'vs kiln start()', 'vs node:wasi start()', 'measures'], [
    ['node:wasi start()', ms(startNode), '', '1.00', 'new WASI + instantiate + start, stdout /dev/null'],
    ['kiln start()', ms(startKiln), '1.00', fmtRatio(startKiln / startNode), 'the same on Kiln, stdout captured'],
    ['kiln run(), warm', ms(runWarm), fmtRatio(runWarm / startKiln), fmtRatio(runWarm / startNode), 'a pooled process worker, stdout captured across'],
    ['kiln run(), first', ms(runFirst), fmtRatio(runFirst / startKiln), fmtRatio(runFirst / startNode), 'a fresh process: a worker started, Kiln loaded in it'],
  ]);
  const target = 2 * startKiln + 1;
  console.log(`entry summary: warm run() ${ms(runWarm)} (target <= 2 x start() + 1 ms = ${ms(target)}: ${runWarm <= target ? 'met' : 'BELOW'}); first run() ${ms(runFirst)} (target < 60 ms: ${runFirst < 60 ? 'met' : 'BELOW'})`);
  return failures;
}
