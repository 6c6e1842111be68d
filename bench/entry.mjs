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

/**
 * Runs `source` as a module script in a new node process with `args`;
 * { stdout, ms }: ms from spawn to exit. A script file, not -e: flags such
 * as --input-type are not for the workers a run starts.
 */
function nodeScript(source, args = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-entry-'));
  try {
    const file = path.join(dir, 'script.mjs');
    writeFileSync(file, source);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`node ${path.basename(file)}: exit ${r.status}: ${r.stderr}`);
    return { stdout: r.stdout, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first run() of a fresh process, in ms (module already compiled; Kiln already imported). */
function firstRun(kilnModule, wasmPath) {
  return Number(nodeScript(`
    const { readFileSync } = await import('node:fs');
    const { WASI, CaptureStream } = await import(${JSON.stringify(pathToFileURL(kilnModule).href)});
    const module = await WebAssembly.compile(readFileSync(${JSON.stringify(wasmPath)}));
    const out = new CaptureStream();
    const t0 = performance.now();
    await new WASI({ stdout: out }).run(module);
    if (out.text() !== 'hello\\n') throw new Error('unexpected output ' + JSON.stringify(out.text()));
    process.stdout.write(String(performance.now() - t0));`).stdout);
}

/** How long a fresh process takes to import `specifier`, in ms (timed inside it). */
function importTime(specifier) {
  return Number(nodeScript(`
    const t0 = performance.now();
    await import(${JSON.stringify(specifier)});
    process.stdout.write(String(performance.now() - t0));`).stdout);
}

/** A whole process that runs hello.wasm, spawn to exit: `kiln run` (the CLI next to `kilnModule`), or a node:wasi script. */
function helloProcess(who, kilnModule, wasmPath) {
  const source = who === 'kiln'
    ? `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(path.dirname(kilnModule), 'cli', 'main.js')).href)});
       process.exitCode = await main(['run', ...process.argv.slice(2)]);`
    : `import { readFileSync } from 'node:fs';
       import { WASI } from 'node:wasi';
       const [file, ...args] = process.argv.slice(2);
       const wasi = new WASI({ version: 'preview1', args: [file, ...args], returnOnExit: true });
       const module = await WebAssembly.compile(readFileSync(file));
       process.exitCode = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));`;
  const { stdout, ms } = nodeScript(source, [wasmPath]);
  if (stdout !== 'hello\n') throw new Error(`${who} process: unexpected output ${JSON.stringify(stdout)}`);
  return ms;
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
  // Loading and whole processes, alternating Kiln and node:wasi.
  const loads = { kiln: [], node: [], kilnProcess: [], nodeProcess: [] };
  for (let i = 0; i < (quick ? 3 : 9); i++) {
    loads.kiln.push(importTime(pathToFileURL(kilnModule).href));
    loads.node.push(importTime('node:wasi'));
    loads.kilnProcess.push(helloProcess('kiln', kilnModule, wasmPath));
    loads.nodeProcess.push(helloProcess('node', kilnModule, wasmPath));
  }
  const [importKiln, importNode, processKiln, processNode] = [loads.kiln, loads.node, loads.kilnProcess, loads.nodeProcess].map(median);
  closeSync(devNull);
  await kiln.closeIdleWorkers?.();

  console.log('\nentry: the cost of one run of hello, median ms (lower is faster)');
  printTable(['entry point', 'time', 'vs kiln start()', 'vs node:wasi start()', 'measures'], [
    ['node:wasi start()', ms(startNode), '', '1.00', 'new WASI + instantiate + start, stdout /dev/null'],
    ['kiln start()', ms(startKiln), '1.00', fmtRatio(startKiln / startNode), 'the same on Kiln, stdout captured'],
    ['kiln run(), warm', ms(runWarm), fmtRatio(runWarm / startKiln), fmtRatio(runWarm / startNode), 'a pooled process worker, stdout captured across'],
    ['kiln run(), first', ms(runFirst), fmtRatio(runFirst / startKiln), fmtRatio(runFirst / startNode), 'a fresh process: a worker started, Kiln loaded in it'],
  ]);
  console.log('\nentry: loading Kiln and a whole process, median ms (lower is faster)');
  printTable(['what', 'kiln', 'node:wasi', 'kiln/node', 'measures'], [
    ['import', ms(importKiln), ms(importNode), fmtRatio(importKiln / importNode), "a fresh process's import() of the library (kiln-wasm / node:wasi)"],
    ['process: hello', ms(processKiln), ms(processNode), fmtRatio(processKiln / processNode), '`kiln run hello.wasm` vs a node:wasi script, spawn to exit (Node\'s own start in both)'],
  ]);
  const target = 2 * startKiln + 1;
  console.log(`entry summary: warm run() ${ms(runWarm)} (target <= 2 x start() + 1 ms = ${ms(target)}: ${runWarm <= target ? 'met' : 'BELOW'}); first run() ${ms(runFirst)} (target < 60 ms: ${runFirst < 60 ? 'met' : 'BELOW'})`);
  return failures;
}
