#!/usr/bin/env node
// Bundles the entry modules of Kiln's own Node workers (the process
// worker of `run()`, the thread worker of threaded processes, the socket
// I/O thread of the host networking) and of the CLI into single files in
// place of tsc's output in dist/: a worker (and
// `kiln`) then loads one file instead of Kiln's modules one by one, which
// is most of the cost of starting one. The CLI's commands load their
// modules with import(): its bundle is split, main.js and a chunk per
// command (and the code they share) next to it, so that `kiln run` loads
// only what running needs. Each bundle keeps a source map that points at src/.
// Modules that find files next to themselves (`new URL('./x.js',
// import.meta.url)`: the workers they start in turn) keep finding them: in
// the bundle, each module's `import.meta.url` is its own unbundled file's.
// Run by scripts/build.mjs after tsc.
//
//   node scripts/bundle-workers.mjs [--out DIR]   (DIR: tsc's outDir, default dist/)
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : join(root, 'dist');

/**
 * Entries: source → the file tsc wrote, which the bundle replaces, and
 * whether the bundle is split at its dynamic imports (chunks named
 * `[name]-[hash].js` beside it). The workers, and the CLI.
 */
const ENTRIES = [
  ['src/exec/node/process-worker.ts', 'exec/node/process-worker.js', false],
  ['src/node-thread-worker.ts', 'node-thread-worker.js', false],
  ['src/host/node/node-net-worker.ts', 'host/node/node-net-worker.js', false],
  ['src/cli/main.ts', 'cli/main.js', true],
];

/** Gives each bundled module of src/ the `import.meta.url` of its own compiled file in `out`. */
function ownImportMetaUrl(outfile) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const compiled = join(out, relative(join(root, 'src'), args.path)).replace(/\.ts$/, '.js');
        const own = relative(dirname(outfile), compiled).split('\\').join('/');
        const url = `new URL(${JSON.stringify(own.startsWith('.') ? own : `./${own}`)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

for (const [entry, target, split] of ENTRIES) {
  const outfile = join(out, target);
  // Split: every output lands in the entry's folder, so the import.meta.url each module is given holds in any chunk.
  const placement = split
    ? { outdir: dirname(outfile), entryNames: basename(outfile, '.js'), chunkNames: '[name]-[hash]', splitting: true }
    : { outfile };
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
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
    plugins: [ownImportMetaUrl(outfile)],
    banner: { js: `// Kiln worker entry, bundled from ${entry} by scripts/bundle-workers.mjs` },
  });
  const modules = Object.keys(result.metafile.inputs).length;
  const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
  process.stdout.write(`bundle-workers: ${relative(process.cwd(), outfile) || outfile}: ${modules} modules${split ? ` in ${files} files` : ''}\n`);
}
