#!/usr/bin/env node
// Bundles the entry modules of Kiln's own Node workers (the process
// worker of `run()`, the thread worker of threaded processes) into single
// files in place of tsc's output in dist/: a worker then loads one file
// instead of Kiln's modules one by one, which is most of the cost of
// starting one. Each bundle keeps a source map that points at src/.
// Run by scripts/build.mjs after tsc.
//
//   node scripts/bundle-workers.mjs [--out DIR]   (DIR: tsc's outDir, default dist/)
import * as esbuild from 'esbuild';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : join(root, 'dist');

/** Worker entries: source → the file tsc wrote, which the bundle replaces. */
const ENTRIES = [
  ['src/exec/node/process-worker.ts', 'exec/node/process-worker.js'],
  ['src/node-thread-worker.ts', 'node-thread-worker.js'],
];

for (const [entry, target] of ENTRIES) {
  const outfile = join(out, target);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    packages: 'external',
    banner: { js: `// Kiln worker entry, bundled from ${entry} by scripts/bundle-workers.mjs` },
  });
  const modules = Object.keys(result.metafile.inputs).length;
  process.stdout.write(`bundle-workers: ${relative(process.cwd(), outfile) || outfile}: ${modules} modules\n`);
}
