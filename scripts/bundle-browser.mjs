#!/usr/bin/env node
// Bundles Kiln's browser entry (src/browser.ts) with esbuild into
// build/browser/kiln.js: one ESM file for browsers (target es2022).
//
//   node scripts/bundle-browser.mjs [--minify] [--outfile PATH]
//
// The bundle must be Node-free. The script fails, naming the importer, when
// esbuild's metafile shows any input under src/host/node/ or src/cli/ (or
// src/node.ts), or any import of a Node built-in (`node:*` or a bare
// built-in name such as `fs`): those are marked external so the build gets
// far enough to report them all, instead of stopping at esbuild's first
// "could not resolve" error, and nothing is written. On success it writes
// the bundle and prints its size.
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
let minify = false;
let outfile = join(root, 'build/browser/kiln.js');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--minify') minify = true;
  else if (args[i] === '--outfile' && i + 1 < args.length) outfile = args[++i];
  else {
    process.stderr.write(`bundle-browser: unknown argument ${args[i]}\nusage: node scripts/bundle-browser.mjs [--minify] [--outfile PATH]\n`);
    process.exit(2);
  }
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isNodeBuiltin = (path) => path.startsWith('node:') || nodeBuiltins.has(path) || nodeBuiltins.has(path.split('/')[0]);
const forbiddenInput = (path) =>
  path.startsWith('src/host/node/') || path.startsWith('src/cli/') || path === 'src/node.ts';

let result;
try {
  result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/browser.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    metafile: true,
    write: false, // written below, only once the bundle is known to be Node-free
    logLevel: 'silent',
    // Reported below with the importer's name, rather than as a resolve error.
    external: ['node:*', ...builtinModules],
    banner: { js: '// Kiln for browsers (bundled from src/browser.ts by scripts/bundle-browser.mjs)' },
  });
} catch (e) {
  const messages = e.errors
    ? await esbuild.formatMessages(e.errors, { kind: 'error', color: false })
    : [String(e)];
  process.stderr.write(`bundle-browser: esbuild failed:\n${messages.join('')}`);
  process.exit(1);
}

const problems = [];
for (const [input, info] of Object.entries(result.metafile.inputs)) {
  if (forbiddenInput(input)) problems.push(`${input} is in the bundle (Node-only code)`);
  for (const imp of info.imports) {
    if (imp.external && isNodeBuiltin(imp.path)) problems.push(`${input} imports the Node built-in '${imp.path}'`);
  }
}
for (const [output, info] of Object.entries(result.metafile.outputs)) {
  for (const imp of info.imports) {
    if (isNodeBuiltin(imp.path)) problems.push(`${output} keeps an import of '${imp.path}'`);
  }
}
if (problems.length > 0) {
  process.stderr.write(
    'bundle-browser: the browser bundle must not depend on Node, but:\n' +
      [...new Set(problems)].map((p) => `  - ${p}\n`).join('') +
      'Keep Node-only code in src/host/node/, src/cli/ and src/node.ts, out of the core.\n',
  );
  process.exit(1);
}

const [output] = result.outputFiles;
mkdirSync(dirname(output.path), { recursive: true });
writeFileSync(output.path, output.contents);
const bytes = output.contents.byteLength;
const gzipped = gzipSync(output.contents).byteLength;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
process.stdout.write(
  `bundle-browser: ${relative(process.cwd(), outfile) || outfile}: ${bytes} bytes (${kib(bytes)}; ${kib(gzipped)} gzipped)` +
    `${minify ? ', minified' : ''}, ${Object.keys(result.metafile.inputs).length} modules\n`,
);
