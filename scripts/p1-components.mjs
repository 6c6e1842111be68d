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
//
// A program that also calls preview 2 interfaces directly (through
// canonical-ABI imports such as `wasi:sockets/tcp@0.2.12`, as p2_*.c do)
// has its WIT world beside its source (p2_sockets.wit for p2_sockets.c).
// Its module is first embedded with that world (wasm-tools `component
// embed`, componentEmbed), resolved against the WASI 0.2 WIT packages that
// fetch-p1-adapter.mjs puts in build/p1-adapter/wit/, so that `component
// new` knows the types of those imports.
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
  return lang === 'c' && (name.startsWith('conf_') || name.startsWith('p2_') || LISTED.has(name));
}

/** The WASI 0.2 WIT packages (one folder each, a package.wit in it), relative to the repository root. */
export const WASI_WIT = path.join('build', 'p1-adapter', 'wit');

/** The world file beside a program's source (`x.c` → `x.wit`), or undefined when it has none. */
export function worldFileOf(src) {
  const wit = src.replace(/\.[^.]+$/, '.wit');
  return fs.existsSync(wit) ? wit : undefined;
}

/**
 * The WIT of `worldFile` and of every WASI 0.2 package, as one source: each
 * package file becomes a nested `package ... { }` block (the in-process
 * wasm-tools reads no folders). Returns the source and its world's name.
 */
function witSourceOf(root, worldFile) {
  const world = fs.readFileSync(worldFile, 'utf8');
  const name = /^\s*world\s+([\w-]+)/m.exec(world)?.[1];
  if (name === undefined) throw new Error(`${worldFile}: no world in it`);
  let source = world;
  const deps = path.join(root, WASI_WIT);
  for (const pkg of fs.readdirSync(deps).sort()) {
    const text = fs.readFileSync(path.join(deps, pkg, 'package.wit'), 'utf8');
    source += `\n${text.replace(/^package ([^;]+);/m, 'package $1 {')}\n}\n`;
  }
  return { source, name };
}

/** The first bytes of every component: the wasm magic, then version 0x0d and layer 1. */
export const COMPONENT_PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);

const mtime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Wraps each `{ name, module, world }` (module: the core .wasm; world: its
 * WIT world file, when it has one) into `<dir>/<name>.wasm`,
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
  const todo = programs.filter(({ name, module, world }) => {
    const have = mtime(path.join(dir, `${name}.wasm`));
    const inputs = Math.max(mtime(module), adapterTime, world === undefined ? 0 : mtime(world));
    return force || have === undefined || have < inputs;
  });
  const result = { built: 0, upToDate: programs.length - todo.length, failures: [] };
  if (todo.length === 0) return result;

  let componentNew, componentEmbed;
  try {
    ({ componentNew, componentEmbed } = await import('@bytecodealliance/jco-transpile/wasm-tools'));
  } catch (err) {
    const output = `cannot load @bytecodealliance/jco-transpile/wasm-tools (a devDependency: npm ci): ${err.message}\n`;
    result.failures = todo.map(({ name }) => ({ name, output }));
    return result;
  }
  const adapter = fs.readFileSync(adapterFile);
  for (const { name, module, world } of todo) {
    const started = Date.now();
    const out = path.join(dir, `${name}.wasm`);
    // Written next to its place and renamed: a reader never sees half a component.
    const tmp = path.join(dir, `.wrap-${name}-${process.pid}.wasm`);
    try {
      let core = fs.readFileSync(module);
      if (world !== undefined) {
        const wit = witSourceOf(root, world);
        core = await componentEmbed({ binary: core, witSource: wit.source, world: wit.name });
      }
      const bytes = await componentNew(core, [['wasi_snapshot_preview1', adapter]]);
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
