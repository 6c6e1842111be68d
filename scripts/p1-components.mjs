// Wraps preview 1 test programs (core modules from test/programs/c/) as WASI
// preview 2 `wasi:cli/command` components, for the preview 2 tests: the same
// programs, with the same expected output, run through the component path.
// Used by scripts/build-programs.mjs once the core modules are built.
//
// A component is what `jco new <core.wasm> --wasi-command` makes: the core
// module plus the preview 1 command adapter (wasi_snapshot_preview1.command.wasm,
// which scripts/fetch-p1-adapter.mjs puts in build/p1-adapter/), which turns
// the module's wasi_snapshot_preview1 imports into wasi:cli, wasi:io,
// wasi:clocks, wasi:random and wasi:filesystem 0.2 imports and exports
// wasi:cli/run. componentNew (wasm-tools `component new`, from the
// devDependency @bytecodealliance/jco-transpile) does it in process, in tens
// of milliseconds per program once warm.
import fs from 'node:fs';
import path from 'node:path';

/** The command adapter, relative to the repository root. */
export const ADAPTER = path.join('build', 'p1-adapter', 'wasi_snapshot_preview1.command.wasm');

/**
 * The C programs that also become components, besides every conf_* program:
 * the ones whose interfaces preview 2 covers (arguments and environment,
 * stdio, clocks, random, files and directories, poll, exit status).
 * A name without a test/programs/c/<name>.c is simply not wrapped.
 */
const LISTED = new Set(['argsenv', 'stdio', 'cat', 'clocks', 'random', 'files', 'dirs', 'poll', 'sleep2', 'proc', 'wallclock']);

/** Whether the C program `name` is also wrapped as a component. */
export function isComponentProgram(lang, name) {
  return lang === 'c' && (name.startsWith('conf_') || LISTED.has(name));
}

/** The first bytes of every component: the wasm magic, then version 0x0d and layer 1. */
export const COMPONENT_PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);

const mtime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Wraps each `{ name, module }` (module: the core .wasm) into `<dir>/<name>.wasm`,
 * one at a time (componentNew runs on this thread, so more at once would not
 * be faster). A component is rewrapped only when it is missing or older than
 * its core module or the adapter (or `force`). Never throws for one program:
 * returns `{ built, upToDate, failures }`, failures as `{ name, output }`,
 * and reports each wrap through `log`.
 */
export async function wrapComponents({ root, programs, dir, force, log }) {
  if (programs.length === 0) return { built: 0, upToDate: 0, failures: [] };
  const adapterFile = path.join(root, ADAPTER);
  const adapterTime = mtime(adapterFile);
  if (adapterTime === undefined) {
    // One message for all of them: there is nothing to wrap with.
    return {
      built: 0,
      upToDate: 0,
      failures: programs.map(({ name }) => ({ name, output: '' })),
      missing:
        `no WASI preview 1 adapter at ${ADAPTER}: run node scripts/fetch-p1-adapter.mjs ` +
        '(npm test runs it before building the programs)\n',
    };
  }
  fs.mkdirSync(dir, { recursive: true });
  const todo = programs.filter(({ name, module }) => {
    const have = mtime(path.join(dir, `${name}.wasm`));
    return force || have === undefined || have < Math.max(mtime(module), adapterTime);
  });
  const result = { built: 0, upToDate: programs.length - todo.length, failures: [] };
  if (todo.length === 0) return result;

  let componentNew;
  try {
    ({ componentNew } = await import('@bytecodealliance/jco-transpile/wasm-tools'));
  } catch (err) {
    const output = `cannot load @bytecodealliance/jco-transpile/wasm-tools (a devDependency: npm ci): ${err.message}\n`;
    result.failures = todo.map(({ name }) => ({ name, output }));
    return result;
  }
  const adapter = fs.readFileSync(adapterFile);
  for (const { name, module } of todo) {
    const started = Date.now();
    const out = path.join(dir, `${name}.wasm`);
    // Written next to its place and renamed: a reader never sees half a component.
    const tmp = path.join(dir, `.wrap-${name}-${process.pid}.wasm`);
    try {
      const bytes = await componentNew(fs.readFileSync(module), [['wasi_snapshot_preview1', adapter]]);
      if (!COMPONENT_PREAMBLE.every((b, i) => bytes[i] === b)) throw new Error('the output is not a component');
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, out);
      result.built++;
      log(`built ${path.relative(root, out)} from ${path.relative(root, module)} (${Date.now() - started} ms)\n`);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      // componentNew rejects with wasm-tools' message (an import the adapter
      // does not provide, a malformed module) as a string or an Error.
      result.failures.push({ name, output: `${err?.message ?? err}\n` });
    }
  }
  return result;
}

/**
 * Removes `<dir>/<name>.wasm` for names not in `keep` (programs no longer
 * wrapped, or gone), so that no test runs a stale one, and what a run that
 * was killed mid-write left behind.
 */
export function pruneComponents(dir, keep) {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) {
    const stale = f.startsWith('.wrap-') || (f.endsWith('.wasm') && !keep.has(f.slice(0, -'.wasm'.length)));
    if (stale) fs.rmSync(path.join(dir, f), { force: true });
  }
}
