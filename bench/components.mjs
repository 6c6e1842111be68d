// Component benchmarks: the preview 1 bench programs hello.c and
// write_file.c wrapped as WASI preview 2 `wasi:cli` command components (the
// preview 1 command adapter, as scripts/p1-components.mjs wraps the test
// programs) and run by Kiln (`new WASI(...).run(bytes)`) and by jco's
// reference host, @bytecodealliance/preview2-shim, on the same glue from
// @bytecodealliance/jco-transpile; the same programs as preview 1 modules
// under Kiln and node:wasi for reference. In one run, with ratios.
// Part of `node bench/run.mjs` (`--only components`), or on its own:
// node bench/components.mjs [--quick] [--runs N] [--kiln-module PATH] [--verbose].
// See bench/README.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importKiln } from './kiln-module.mjs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildBench } from './build.mjs';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { fmtRatio, median, printTable, rotate } from './table.mjs';
import { ADAPTER, wrapComponents } from '../scripts/p1-components.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const COMPONENT_DIR = path.join(repoRoot, 'build', 'bench-components');
const SHIM = '@bytecodealliance/preview2-shim';
const TRANSPILER = '@bytecodealliance/jco-transpile';
const HELLO_OUT = 'hello\n';
const LINE = Buffer.from('0123456789abcde\n'); // what write_file writes

let gc = () => {};
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc');
} catch {}

// node:wasi prints an ExperimentalWarning; silence only that one.
const origEmitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const msg = typeof warning === 'string' ? warning : warning?.message;
  if (type === 'ExperimentalWarning' && /WASI/.test(msg ?? '')) return;
  return origEmitWarning.call(this, warning, ...rest);
};

// ----------------------------------------------------------------- build --

/**
 * The core modules (bench/build.mjs) and their components, wrapped with the
 * preview 1 command adapter (fetched by scripts/fetch-p1-adapter.mjs when it
 * is missing). Returns { hello: { module, component }, write_file: ... } as
 * paths; throws with a message saying what is missing.
 */
async function build() {
  const names = ['hello', 'write_file'];
  const wasm = buildBench({ names, quiet: true });
  for (const name of names) {
    if (!wasm[name] || !fs.existsSync(wasm[name])) throw new Error(`build/bench/${name}.wasm is missing and could not be built (see bench/build.mjs)`);
  }
  if (!fs.existsSync(path.join(repoRoot, ADAPTER))) {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'fetch-p1-adapter.mjs')], { encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(path.join(repoRoot, ADAPTER))) {
      throw new Error(`no preview 1 adapter at ${ADAPTER}, and node scripts/fetch-p1-adapter.mjs failed: ${(r.stderr || r.error?.message || '').trim()}`);
    }
  }
  const res = await wrapComponents({
    root: repoRoot,
    programs: names.map((name) => ({ name, module: wasm[name] })),
    dir: COMPONENT_DIR,
    force: false,
    log: () => {},
  });
  if (res.missing) throw new Error(res.missing.trim());
  if (res.failures.length) throw new Error(`wrapping as a component failed: ${res.failures.map((f) => `${f.name}: ${f.output.trim()}`).join('; ')}`);
  return Object.fromEntries(names.map((name) => [name, { module: wasm[name], component: path.join(COMPONENT_DIR, `${name}.wasm`) }]));
}

// -------------------------------------------------------------- runtimes --

/** Kiln's WASI class from dist/node.js (or --kiln-module). */
async function loadKiln(spec) {
  const { exports } = await importKiln(spec, ['WASI', 'transpileComponent']);
  return { WASI: exports.WASI, transpileComponent: exports.transpileComponent };
}

const camel = (s) => s.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/**
 * preview2-shim and the component's glue for it, transpiled once by
 * jco-transpile's `transpileBytes` in two forms, both written under `dir`
 * (inside the repository, so that the glue's bare imports of the shim
 * resolve to node_modules):
 * - `instantiation: 'async'`: `instantiate(getCoreModule, imports)`, loaded
 *   once, its core modules compiled once, the import object built from the
 *   shim's namespaces ('wasi:cli/stdout' -> shim.cli.stdout). A start is
 *   `await instantiate(...)` + `run.run()`.
 * - the default ESM output, which imports the shim and instantiates at
 *   import time: a start is a fresh `import()` of it (a query string makes a
 *   new module) + `run.run()`.
 * Returns { shim, version, load(name, bytes) } or { error }.
 */
async function loadShim(dir) {
  let shim;
  let transpileBytes;
  try {
    shim = await import(SHIM);
    ({ transpileBytes } = await import(TRANSPILER));
  } catch (e) {
    return { error: `${SHIM} or ${TRANSPILER} not loaded (npm ci installs them): ${e.message.split('\n')[0]}` };
  }
  let version = '?';
  try {
    const url = import.meta.resolve(SHIM);
    let d = path.dirname(fileURLToPath(url));
    while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
    version = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).version;
  } catch {}
  const write = (sub, files) => {
    for (const [f, b] of Object.entries(files)) {
      const out = path.join(dir, sub, f);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, b);
    }
  };
  async function load(name, bytes) {
    const inst = await transpileBytes(bytes, { name, instantiation: 'async' });
    write(`${name}-instantiate`, inst.files);
    const { instantiate } = await import(pathToFileURL(path.join(dir, `${name}-instantiate`, `${name}.js`)).href);
    const cores = new Map();
    for (const [f, b] of Object.entries(inst.files)) if (f.endsWith('.wasm')) cores.set(f, await WebAssembly.compile(b));
    const imports = {};
    for (const spec of inst.imports) {
      const m = /^wasi:([\w-]+)\/([\w-]+)/.exec(spec);
      const iface = m && shim[camel(m[1])]?.[camel(m[2])];
      if (!iface) throw new Error(`${SHIM} has no ${spec}`);
      imports[spec] = iface;
    }
    const esm = await transpileBytes(bytes, { name });
    write(`${name}-esm`, esm.files);
    const esmUrl = pathToFileURL(path.join(dir, `${name}-esm`, `${name}.js`)).href;
    let fresh = 0;
    return {
      /** A start through the instantiation-mode glue. */
      async instantiated() {
        const root = await instantiate((p) => cores.get(p), imports);
        root.run.run();
      },
      /** A start through a fresh copy of the ESM output. */
      async esm() {
        const root = await import(`${esmUrl}?fresh=${fresh++}`);
        root.run.run();
      },
    };
  }
  return { shim, version, load };
}

/**
 * The shim's process-global configuration for one run: arguments,
 * environment, preopens, and stdout/stderr as write streams of host files
 * (opened through the shim's own filesystem: its only way to take a file as
 * stdout). `out`/`err` are host paths; they are truncated.
 */
function configureShim(shim, { args, preopens, out, err }) {
  shim.cli._setArgs(args);
  shim.cli._setEnv({});
  shim.filesystem._setPreopens(preopens);
  const stream = (file) => {
    const dir = shim.filesystem._createPreopenDescriptor(path.dirname(file));
    const trunc = !file.startsWith('/dev/');
    return dir.openAt({}, path.basename(file), { create: trunc, truncate: trunc }, { write: true }).writeViaStream(0n);
  };
  shim.cli._setStdout(stream(out));
  shim.cli._setStderr(stream(err));
}

/** A preview 1 run as bench/run.mjs times it: compile + new WASI + instantiate + start. Returns the exit code. */
async function startModule(WASI, bytes, { args, preopens, stdin, stdout, stderr }) {
  const module = await WebAssembly.compile(bytes);
  const opts = { version: 'preview1', args, env: {}, preopens, returnOnExit: true, stdin, stdout, stderr };
  const wasi = new WASI(opts);
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  return wasi.start(instance);
}

// ------------------------------------------------------------------ main --

function short(s) {
  const t = s.length > 200 ? s.slice(0, 200) + '...' : s;
  return JSON.stringify(t);
}

function verifyWrittenFile(file, calls) {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return 'write_file.bin was not written';
  if (st.size !== calls * 16) return `write_file.bin is ${st.size} bytes, expected ${calls * 16}`;
  const data = fs.readFileSync(file);
  for (let off = 0; off < data.length; off += 16) {
    if (data.compare(LINE, 0, 16, off, off + 16) !== 0) return `write_file.bin differs at byte ${off}`;
  }
  return null;
}

function fmtTime(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function fmtPerWrite(us) {
  if (!Number.isFinite(us)) return '-';
  if (us < 1) return `${(us * 1000).toFixed(0)} ns/write`;
  return `${us.toFixed(us < 10 ? 2 : 1)} µs/write`;
}

export async function runComponentsBench({ quick = false, runs = null, kilnModule = null, verbose = false } = {}) {
  const failures = [];
  const notes = [];
  console.log('');
  if (kilnModule === 'node:wasi') {
    console.log('components: skipped (node:wasi runs no components)');
    return failures;
  }
  let built;
  let WASI;
  let transpileComponent;
  try {
    ({ WASI, transpileComponent } = await loadKiln(kilnModule));
    built = await build();
  } catch (e) {
    failures.push(`components: ${e.message}`);
    console.log('components: not run (see failures)');
    return failures;
  }
  const { WASI: NodeWASI } = await import('node:wasi');
  const nRuns = runs ?? (quick ? 3 : 5);
  const starts = quick ? 20 : 200;
  const warmStarts = quick ? 3 : 10;
  const moduleCalls = quick ? 100_000 : 1_000_000; // as bench/run.mjs's write_file
  const componentCalls = quick ? 2_000 : 20_000;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-bench-components-'));
  fs.mkdirSync(COMPONENT_DIR, { recursive: true });
  const glueDir = fs.mkdtempSync(path.join(COMPONENT_DIR, 'glue-'));
  const cleanup = () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(glueDir, { recursive: true, force: true });
  };
  const onSignal = (sig) => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outDir = path.join(tmp, 'out');
  const capDir = path.join(tmp, 'capture');
  fs.mkdirSync(outDir);
  fs.mkdirSync(capDir);

  const bytes = {};
  for (const [name, p] of Object.entries(built)) bytes[name] = { module: fs.readFileSync(p.module), component: fs.readFileSync(p.component) };

  const shimLib = await loadShim(glueDir);
  const shimLabel = shimLib.error ? 'preview2-shim' : `preview2-shim ${shimLib.version}`;
  if (shimLib.error) notes.push(shimLib.error);
  const shimGlue = {};
  if (!shimLib.error) {
    for (const name of ['hello', 'write_file']) {
      try {
        shimGlue[name] = await shimLib.load(name, bytes[name].component);
      } catch (e) {
        notes.push(`components ${name} [${shimLabel}]: transpiling or loading the glue failed: ${e?.message ?? e}`);
      }
    }
  }

  const devnullIn = fs.openSync('/dev/null', 'r');
  const devnullOut = fs.openSync('/dev/null', 'w');
  const errors = new Map(); // variant id -> first error
  const fail = (id, e) => {
    if (!errors.has(id)) errors.set(id, e?.message ?? String(e));
  };

  try {
    // ------------------------------------------------------------ start --
    // Each variant: one verified run with captured output, then `starts`
    // timed starts after `warmStarts` warm-ups, alternating per start.
    const outFile = path.join(capDir, 'stdout.txt');
    const errFile = path.join(capDir, 'stderr.txt');
    const withCapture = async (fn) => {
      const so = fs.openSync(outFile, 'w');
      const se = fs.openSync(errFile, 'w');
      try {
        return await fn(so, se);
      } finally {
        fs.closeSync(so);
        fs.closeSync(se);
      }
    };
    const checkCaptured = (expectOut) => {
      const out = fs.readFileSync(outFile, 'utf8');
      const err = fs.readFileSync(errFile, 'utf8');
      if (out !== expectOut) throw new Error(`stdout differs: got ${short(out)}, expected ${short(expectOut)}`);
      if (err !== '') throw new Error(`stderr: ${short(err)}`);
    };
    const helloArgs = ['hello'];
    const transpiledHello = await transpileComponent(bytes.hello.component);
    const startVariants = [
      {
        id: 'start/kiln-component',
        async run(stdout, stderr) {
          const code = await new WASI({ args: helloArgs, env: {}, stdin: devnullIn, stdout, stderr }).run(bytes.hello.component);
          if (code !== 0) throw new Error(`exit code ${code}`);
        },
      },
      {
        // As start() runs a module: on this thread, from the transpiled component (transpileComponent), no hash, no hand-over.
        id: 'start/kiln-component-here',
        async run(stdout, stderr) {
          const code = new WASI({ args: helloArgs, env: {}, stdin: devnullIn, stdout, stderr }).startComponent(transpiledHello);
          if (code !== 0) throw new Error(`exit code ${code}`);
        },
      },
      ...(shimGlue.hello
        ? ['instantiated', 'esm'].map((how) => ({
            id: `start/shim-${how}`,
            shim: true,
            async run() {
              await shimGlue.hello[how]();
            },
          }))
        : []),
      {
        id: 'start/kiln-module',
        async run(stdout, stderr) {
          const code = await startModule(WASI, bytes.hello.module, { args: helloArgs, preopens: {}, stdin: devnullIn, stdout, stderr });
          if (code !== 0) throw new Error(`exit code ${code}`);
        },
      },
      {
        id: 'start/node-module',
        async run(stdout, stderr) {
          const code = await startModule(NodeWASI, bytes.hello.module, { args: helloArgs, preopens: {}, stdin: devnullIn, stdout, stderr });
          if (code !== 0) throw new Error(`exit code ${code}`);
        },
      },
    ];
    const startSamples = new Map(startVariants.map((v) => [v.id, []]));
    process.stderr.write('  components start: running...');
    let t0 = performance.now();
    for (const v of startVariants) {
      try {
        await withCapture(async (so, se) => {
          if (v.shim) configureShim(shimLib.shim, { args: helloArgs, preopens: {}, out: outFile, err: errFile });
          await v.run(so, se);
        });
        checkCaptured(HELLO_OUT);
      } catch (e) {
        fail(v.id, e);
      }
    }
    if (shimGlue.hello) configureShim(shimLib.shim, { args: helloArgs, preopens: {}, out: '/dev/null', err: '/dev/null' });
    const live = startVariants.filter((v) => !errors.has(v.id));
    for (let i = 0; i < warmStarts + starts; i++) {
      for (const v of rotate(live, i)) {
        if (errors.has(v.id)) continue;
        try {
          const t = performance.now();
          await v.run(devnullOut, devnullOut);
          const ms = performance.now() - t;
          if (i >= warmStarts) startSamples.get(v.id).push(ms);
        } catch (e) {
          fail(v.id, e);
        }
      }
      if (i % 50 === 49) gc();
    }
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    // ------------------------------------------------------------ write --
    // Each variant: one verified untimed run, then nRuns timed runs,
    // alternating, the order rotated every round; the file is deleted
    // before and checked after every run, stdout and stderr too.
    const target = path.join(outDir, 'write_file.bin');
    const transpiledWrite = await transpileComponent(bytes.write_file.component);
    const argsFor = (calls) => ['write_file', '/out/write_file.bin', String(calls)];
    const expectFor = (calls) => `write_file: calls=${calls} bytes=${calls * 16}\n`;
    const preopens = { '/out': outDir };
    const writeVariants = [
      {
        id: 'write/kiln-component',
        calls: componentCalls,
        run: (calls, so, se) => new WASI({ args: argsFor(calls), env: {}, preopens, stdin: devnullIn, stdout: so, stderr: se }).run(bytes.write_file.component),
      },
      {
        // The module rows' count and their placement (the calling thread, as start() runs the module): the component's per-write cost against its module's.
        id: 'write/kiln-component-long',
        calls: moduleCalls,
        run: async (calls, so, se) => new WASI({ args: argsFor(calls), env: {}, preopens, stdin: devnullIn, stdout: so, stderr: se }).startComponent(transpiledWrite),
      },
      ...(shimGlue.write_file
        ? [{
            id: 'write/shim-instantiated',
            calls: componentCalls,
            shim: true,
            async run() {
              await shimGlue.write_file.instantiated();
              return 0;
            },
          }]
        : []),
      {
        id: 'write/kiln-module',
        calls: moduleCalls,
        run: (calls, so, se) => startModule(WASI, bytes.write_file.module, { args: argsFor(calls), preopens, stdin: devnullIn, stdout: so, stderr: se }),
      },
      {
        id: 'write/node-module',
        calls: moduleCalls,
        run: (calls, so, se) => startModule(NodeWASI, bytes.write_file.module, { args: argsFor(calls), preopens, stdin: devnullIn, stdout: so, stderr: se }),
      },
    ];
    const writeSamples = new Map(writeVariants.map((v) => [v.id, []]));
    const once = async (v) => {
      fs.rmSync(target, { force: true });
      let ms;
      await withCapture(async (so, se) => {
        if (v.shim) configureShim(shimLib.shim, { args: argsFor(v.calls), preopens, out: outFile, err: errFile });
        gc();
        const t = performance.now();
        const code = await v.run(v.calls, so, se);
        ms = performance.now() - t;
        if (code !== 0) throw new Error(`exit code ${code}`);
      });
      checkCaptured(expectFor(v.calls));
      const bad = verifyWrittenFile(target, v.calls);
      if (bad) throw new Error(bad);
      return (ms * 1000) / v.calls; // µs per write
    };
    process.stderr.write('  components write_file: running...');
    t0 = performance.now();
    for (const v of writeVariants) {
      try {
        await once(v);
      } catch (e) {
        fail(v.id, e);
      }
    }
    for (let i = 0; i < nRuns; i++) {
      for (const v of rotate(writeVariants, i)) {
        if (errors.has(v.id)) continue;
        try {
          writeSamples.get(v.id).push(await once(v));
        } catch (e) {
          fail(v.id, e);
        }
      }
    }
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    if (verbose) {
      for (const [id, xs] of startSamples) console.log(`  start ${id}: ${xs.map((x) => x.toFixed(3)).join(' ')}`);
      for (const [id, xs] of writeSamples) console.log(`  write ${id}: ${xs.map((x) => x.toFixed(3)).join(' ')}`);
    }

    // ------------------------------------------------------------ table --
    for (const [id, msg] of errors) {
      const line = `components [${id}]: ${msg}`;
      if (id.includes('/shim-')) notes.push(line);
      else failures.push(line);
    }
    const med = (samples, id) => (errors.has(id) ? NaN : median(samples.get(id) ?? []));
    const s = (id) => med(startSamples, `start/${id}`);
    const w = (id) => med(writeSamples, `write/${id}`);
    const shimCell = (id, text) => (shimLib.error ? 'not loaded' : errors.has(id) ? 'FAIL' : !startSamples.has(id) && !writeSamples.has(id) ? 'n/a' : text);
    const cell = (id, text) => (errors.has(id) ? 'FAIL' : text);
    console.log(
      `components: hello.c and write_file.c as wasi:cli components (preview 1 adapter) under Kiln and ${shimLabel}, and as preview 1 modules under Kiln and node:wasi; ` +
        `start: median of ${starts} starts; write: median of ${nRuns} runs`,
    );
    printTable(['benchmark', 'kiln', 'reference', 'kiln/ref', 'measures'], [
      [
        'start (component)',
        cell('start/kiln-component', fmtTime(s('kiln-component'))),
        shimCell('start/shim-instantiated', `${fmtTime(s('shim-instantiated'))} shim`),
        fmtRatio(s('kiln-component') / s('shim-instantiated')),
        'hello: kiln WASI.run(bytes), glue cached vs shim instantiate() + run.run(), cores compiled before',
      ],
      [
        'start (component, here)',
        cell('start/kiln-component-here', fmtTime(s('kiln-component-here'))),
        shimCell('start/shim-instantiated', `${fmtTime(s('shim-instantiated'))} shim`),
        fmtRatio(s('kiln-component-here') / s('shim-instantiated')),
        'hello on the calling thread, as start() runs a module: kiln startComponent(transpiled) vs the same shim figure',
      ],
      [
        'start (component, ESM)',
        cell('start/kiln-component', fmtTime(s('kiln-component'))),
        shimCell('start/shim-esm', `${fmtTime(s('shim-esm'))} shim`),
        fmtRatio(s('kiln-component') / s('shim-esm')),
        'the same kiln figure vs a fresh import() of the shim\'s default ESM output + run.run()',
      ],
      [
        'start (module)',
        cell('start/kiln-module', fmtTime(s('kiln-module'))),
        cell('start/node-module', `${fmtTime(s('node-module'))} node:wasi`),
        fmtRatio(s('kiln-module') / s('node-module')),
        'hello as a preview 1 module: compile + new WASI + instantiate + start',
      ],
      [
        'write 16 B (component)',
        cell('write/kiln-component', fmtPerWrite(w('kiln-component'))),
        shimCell('write/shim-instantiated', `${fmtPerWrite(w('shim-instantiated'))} shim`),
        fmtRatio(w('kiln-component') / w('shim-instantiated')),
        `write_file /out/write_file.bin ${componentCalls.toLocaleString('en-US')}, whole run / calls, /out a preopened temp dir`,
      ],
      [
        'write 16 B (component, long)',
        cell('write/kiln-component-long', fmtPerWrite(w('kiln-component-long'))),
        cell('write/kiln-module', `${fmtPerWrite(w('kiln-module'))} kiln p1`),
        fmtRatio(w('kiln-component-long') / w('kiln-module')),
        `the component with the module row's ${moduleCalls.toLocaleString('en-US')} writes on the calling thread (startComponent), against Kiln's preview 1 module (next row)`,
      ],
      [
        'write 16 B (module)',
        cell('write/kiln-module', fmtPerWrite(w('kiln-module'))),
        cell('write/node-module', `${fmtPerWrite(w('node-module'))} node:wasi`),
        fmtRatio(w('kiln-module') / w('node-module')),
        `write_file /out/write_file.bin ${moduleCalls.toLocaleString('en-US')} (as bench/run.mjs), whole run / calls`,
      ],
    ]);
    console.log('');
    console.log(
      `kiln component vs kiln module: start ${fmtRatio(s('kiln-component-here') / s('kiln-module'))}x (both on the calling thread), ` +
        `write ${fmtRatio(w('kiln-component-long') / w('kiln-module'))}x (same count)`,
    );
    if (notes.length) {
      console.log('notes:');
      for (const n of notes) console.log(`  ${n}`);
    }
  } finally {
    fs.closeSync(devnullIn);
    fs.closeSync(devnullOut);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
  return failures;
}

// ----------------------------------------------------------- standalone --

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitWhenDone(runComponentsBench(parseBenchArgs(process.argv.slice(2), 'components.mjs')));
}
