// Builds the JavaScript test components (test/programs/components-js/<name>.js,
// each with its WIT world in <name>.wit) into build/components-js/<name>.wasm,
// with componentize-js (a devDependency: StarlingMonkey, SpiderMonkey built for
// WebAssembly, pre-initialised with the source). They are what the preview 2
// tests of wasi:http run: an HTTP proxy (`kiln serve`) and commands that make
// HTTP requests.
//
// A world names WASI 0.2.12 interfaces; their WIT packages are the ones
// fetch-p1-adapter.mjs puts in build/p1-adapter/wit/, copied as the world's
// deps/ into a scratch folder that componentize-js reads.
//
// Each takes about ten seconds, so a component is rebuilt only when it is
// missing or older than its source, its world, or the WIT (or `force`).
// Never throws for one component: returns `{ built, upToDate, failures }`.
import fs from 'node:fs';
import path from 'node:path';
import { WASI_WIT } from './p1-components.mjs';

/** Where the sources are, relative to the repository root. */
export const JS_COMPONENTS_SRC = path.join('test', 'programs', 'components-js');
/** Where the components go. */
export const JS_COMPONENTS_OUT = path.join('build', 'components-js');

const mtime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/** The names of the JavaScript components (a `.js` with a `.wit` beside it). */
export function jsComponentNames(root) {
  const dir = path.join(root, JS_COMPONENTS_SRC);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.js') && fs.existsSync(path.join(dir, f.replace(/\.js$/, '.wit'))))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function buildJsComponents({ root, names, force, log }) {
  const result = { built: 0, upToDate: 0, failures: [] };
  const src = path.join(root, JS_COMPONENTS_SRC);
  const out = path.join(root, JS_COMPONENTS_OUT);
  const deps = path.join(root, WASI_WIT);
  const witTime = mtime(path.join(deps, 'wasi-http', 'package.wit'));
  if (witTime === undefined) {
    result.failures = names.map((name) => ({ name, output: `no WASI 0.2 WIT in ${WASI_WIT}: run node scripts/fetch-p1-adapter.mjs\n` }));
    return result;
  }
  const todo = names.filter((name) => {
    const have = mtime(path.join(out, `${name}.wasm`));
    const inputs = Math.max(mtime(path.join(src, `${name}.js`)), mtime(path.join(src, `${name}.wit`)), witTime);
    return force || have === undefined || have < inputs;
  });
  result.upToDate = names.length - todo.length;
  if (todo.length === 0) return result;
  let componentize;
  try {
    ({ componentize } = await import('@bytecodealliance/componentize-js'));
    // Its WIT reader runs under preview2-shim, whose filesystem has no
    // preopens unless given: it reads the world's folder by its host path.
    const { _setPreopens } = await import('@bytecodealliance/preview2-shim/filesystem');
    _setPreopens({ '/': '/' });
  } catch (err) {
    result.failures = todo.map((name) => ({ name, output: `cannot load @bytecodealliance/componentize-js (a devDependency: npm ci): ${err.message}\n` }));
    return result;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const name of todo) {
    const started = Date.now();
    const witDir = path.join(out, `.wit-${name}-${process.pid}`);
    const tmp = path.join(out, `.build-${name}-${process.pid}.wasm`);
    try {
      fs.rmSync(witDir, { recursive: true, force: true });
      fs.mkdirSync(witDir, { recursive: true });
      const world = fs.readFileSync(path.join(src, `${name}.wit`), 'utf8');
      fs.writeFileSync(path.join(witDir, 'world.wit'), world);
      fs.cpSync(deps, path.join(witDir, 'deps'), { recursive: true });
      const worldName = /^\s*world\s+([\w-]+)/m.exec(world)?.[1];
      if (worldName === undefined) throw new Error(`${name}.wit: no world in it`);
      const { component } = await componentize({ sourcePath: path.join(src, `${name}.js`), witPath: witDir, worldName });
      fs.writeFileSync(tmp, component);
      fs.renameSync(tmp, path.join(out, `${name}.wasm`));
      result.built++;
      log(`built ${path.join(JS_COMPONENTS_OUT, `${name}.wasm`)} from ${path.join(JS_COMPONENTS_SRC, `${name}.js`)} (${Date.now() - started} ms)\n`);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      result.failures.push({ name, output: `${err?.message ?? err}\n` });
    } finally {
      fs.rmSync(witDir, { recursive: true, force: true });
    }
  }
  return result;
}
