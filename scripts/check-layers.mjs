#!/usr/bin/env node
// Checks that Kiln's imports point one way (docs/architecture.md, "Layers"):
// every import of a module under src/ goes to a layer at or below its own,
// no modules import each other in a circle (type-only imports count too),
// and only Node-only places import `node:*`. Prints each violation and
// exits 1; prints a one-line summary and exits 0 when there is none.
//
//   node scripts/check-layers.mjs [--src DIR]   (DIR: another tree laid out as src/)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--src');
const src = at > 0 && process.argv[at + 1] !== undefined ? resolve(process.argv[at + 1]) : join(root, 'src');

/** Layers from the bottom up; a module may import its own layer and those below. */
const LAYERS = [
  ['abi', (f) => f.startsWith('abi/')],
  ['host', (f) => f.startsWith('host/')],
  ['kernel', (f) => f.startsWith('kernel/')],
  ['syscalls', (f) => f.startsWith('syscalls/')],
  ['execution', (f) => f.startsWith('exec/')],
  ['front doors', (f) => f.startsWith('front/') || f === 'node-thread-worker.ts' || f === 'browser-thread-worker.ts' || f === 'browser-process-worker.ts' || f === 'browser-opfs-worker.ts'],
  ['beside the front doors', (f) => f.startsWith('wapc/') || f.startsWith('napi/')],
  ['entry points', (f) => f.startsWith('cli/') || f === 'core.ts' || f === 'node.ts' || f === 'browser.ts'],
  ['test support', (f) => f.startsWith('testing/')],
];

/** Where `node:*` may be imported: the Node-only places. */
const NODE_ONLY = [/^testing\//, /^host\/node\//, /^exec\/node\//, /^front\/node\//, /^cli\//, /^napi\//, /^wapc\/remote\//, /^node\.ts$/, /^node-thread-worker\.ts$/];

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function layerOf(file) {
  const i = LAYERS.findIndex(([, test]) => test(file));
  if (i < 0) throw new Error(`src/${file} is in no layer: add its folder to scripts/check-layers.mjs`);
  return i;
}

/** The module specifiers of static imports, re-exports and literal dynamic imports (comments and strings of code aside). */
function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  const re = /^\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of code.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const problems = [];
const graph = new Map();
const all = files(src).map((f) => relative(src, f).split('\\').join('/'));
for (const file of all) {
  const layer = layerOf(file);
  const edges = [];
  for (const spec of specifiers(readFileSync(join(src, file), 'utf8'))) {
    if (spec.startsWith('node:')) {
      if (!NODE_ONLY.some((re) => re.test(file))) problems.push(`src/${file} imports ${spec}, but only Node-only places may`);
      continue;
    }
    if (!spec.startsWith('.')) continue; // a package
    const target = relative(src, resolve(dirname(join(src, file)), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
    if (!all.includes(target)) continue;
    edges.push(target);
    const to = layerOf(target);
    if (to > layer) problems.push(`src/${file} (${LAYERS[layer][0]}) imports src/${target} (${LAYERS[to][0]}), a layer above it`);
  }
  graph.set(file, edges);
}

// Circles: strongly connected components of more than one module (Tarjan).
let index = 0;
const stack = [];
const state = new Map();
function visit(v) {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of graph.get(v)) {
    const t = state.get(w);
    if (t === undefined) { visit(w); s.low = Math.min(s.low, state.get(w).low); } else if (t.onStack) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do { w = stack.pop(); state.get(w).onStack = false; component.push(w); } while (w !== v);
    if (component.length > 1) problems.push(`import circle: ${component.sort().map((f) => `src/${f}`).join(' ⇄ ')}`);
  }
}
for (const v of graph.keys()) if (!state.has(v)) visit(v);

if (problems.length > 0) {
  process.stderr.write(`check-layers: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
process.stdout.write(`check-layers: ${all.length} modules, ${[...graph.values()].reduce((n, e) => n + e.length, 0)} imports, all pointing down, no circles\n`);
