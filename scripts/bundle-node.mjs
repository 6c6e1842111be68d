#!/usr/bin/env node
// Bundles Kiln's Node entry points in place of tsc's output in dist/, so
// that each loads a few files instead of Kiln's modules one by one (which
// is most of the cost of loading it: Node's module loader spends more on
// each file than on its code):
// - the library, `kiln-wasm` (node.js) and `kiln-wasm/testing`
//   (testing/index.js), in one build split into chunks beside node.js:
//   the two share one copy of every module (one WasiError, one Errno);
// - the entries of Kiln's own workers (the process worker of `run()`, the
//   thread worker of threaded processes, the socket I/O thread of the host
//   networking), a file each;
// - the CLI, split at its commands (they load their modules with
//   import()): main.js and a chunk per command and for the code they
//   share, beside it, so that `kiln run` loads only what running needs.
// Each bundle keeps a source map that points at src/. tsc's other files
// stay (their declarations are the package's types). Modules that find
// files next to themselves (`new URL('./x.js', import.meta.url)`: the
// workers they start in turn) keep finding them: in a bundle, each
// module's `import.meta.url` is its own unbundled file's. Run by
// scripts/build.mjs after tsc.
//
//   node scripts/bundle-node.mjs [--out DIR]   (DIR: tsc's outDir, default dist/)
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : join(root, 'dist');

/**
 * The bundles: each entry's source and the file tsc wrote, which the
 * bundle replaces. A split bundle's chunks (`[name]-[hash].js`) land in
 * its first entry's folder.
 */
const BUNDLES = [
  { what: 'library', split: true, entries: [['src/node.ts', 'node.js'], ['src/testing/index.ts', 'testing/index.js']] },
  { what: 'worker', split: false, entries: [['src/exec/node/process-worker.ts', 'exec/node/process-worker.js']] },
  { what: 'worker', split: false, entries: [['src/node-thread-worker.ts', 'node-thread-worker.js']] },
  { what: 'worker', split: false, entries: [['src/host/node/node-net-worker.ts', 'host/node/node-net-worker.js']] },
  { what: 'CLI', split: true, entries: [['src/cli/main.ts', 'cli/main.js']] },
];

/** The compiled file (in `out`) of a module of src/. */
function compiledFile(source) {
  return join(out, relative(join(root, 'src'), source)).replace(/\.ts$/, '.js');
}

/**
 * Gives each bundled module of src/ the `import.meta.url` of its own
 * compiled file, written relative to the output it lands in: `folder`
 * (every output of the bundle but the entries of other folders). Records
 * the modules it rewrote in `rewritten`.
 */
function ownImportMetaUrl(folder, rewritten) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        rewritten.add(relative(root, args.path).split('\\').join('/'));
        const own = relative(folder, compiledFile(args.path)).split('\\').join('/');
        const url = `new URL(${JSON.stringify(own.startsWith('.') ? own : `./${own}`)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

for (const { what, split, entries } of BUNDLES) {
  const folder = dirname(join(out, entries[0][1]));
  const rewritten = new Set();
  const placement = split
    ? { outdir: out, outbase: 'src', entryNames: '[dir]/[name]', chunkNames: `${relative(out, folder) || '.'}/[name]-[hash]`, splitting: true }
    : { outfile: join(out, entries[0][1]) };
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries.map(([source]) => source),
    ...placement,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    packages: 'external',
    plugins: [ownImportMetaUrl(folder, rewritten)],
    banner: { js: `// Kiln ${what}, bundled from src/ by scripts/bundle-node.mjs` },
  });
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  // A rewritten module must sit in an output of `folder`, or its URL would point elsewhere.
  for (const [file, output] of outputs) {
    if (dirname(join(root, file)) === folder) continue;
    const misplaced = Object.keys(output.inputs).filter((input) => rewritten.has(input));
    if (misplaced.length > 0) throw new Error(`bundle-node: ${misplaced.join(', ')} use import.meta.url but landed in ${file}, outside ${folder}`);
  }
  const modules = Object.keys(result.metafile.inputs).length;
  const names = entries.map(([, target]) => relative(process.cwd(), join(out, target))).join(' + ');
  process.stdout.write(`bundle-node: ${names}: ${modules} modules${split ? ` in ${outputs.length} files` : ''}\n`);
}
