#!/usr/bin/env node
// Builds dist/kiln.browser.js, the prebuilt browser bundle the package
// ships: Kiln's browser entry (src/browser.ts) and its dependencies in one
// ES module (target es2022), so that a page can use Kiln without a bundler:
//
//   <script type="module">import { WasiBuilder } from './kiln.browser.js';</script>
//
//   node scripts/bundle-browser.mjs [--minify] [--outfile PATH]
//
// `npm run build` runs it after tsc (scripts/build.mjs).
//
// Not minified, and without a source map: the code reads as the compiled
// TypeScript, with a `// src/...` comment before each module naming the
// source file the package ships, while a map would also name the
// dependencies' files under node_modules/, which the package does not ship.
// A bundler that takes Kiln from `kiln-wasm/browser` minifies it with the
// application. `--minify` is there for measuring.
//
// The bundle must be Node-free. The script fails, naming the importer, when
// esbuild's metafile shows any input under src/host/node/ or src/cli/ (or
// src/node.ts), or any import of a Node built-in (`node:*` or a bare
// built-in name such as `fs`): those are marked external so the build gets
// far enough to report them all, instead of stopping at esbuild's first
// "could not resolve" error, and nothing is written. On success it writes
// the bundle (whole or not at all: a temporary file renamed into place),
// with a header naming Kiln's version and license and, at the end, the
// license notices of the third-party packages bundled in, and prints its
// size.
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
let minify = false;
let outfile = join(root, 'dist/kiln.browser.js');
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
  path.startsWith('src/host/node/') || path.startsWith('src/front/node/') || path.startsWith('src/exec/node/') || path.startsWith('src/cli/') || path === 'src/node.ts';

/**
 * The bundle's one module `entry` with what it imports as the given file;
 * its worker URLs (src/host/browser/worker-urls.ts) point at the worker
 * bundles beside it.
 */
const workerUrls = {
  name: 'kiln-worker-urls',
  setup(build) {
    build.onLoad({ filter: /src[\\/]host[\\/]browser[\\/]worker-urls\.ts$/ }, () => ({
      contents: "export const THREAD_WORKER_URL = new URL('./kiln.browser-thread.js', import.meta.url);\n" +
        "export const PROCESS_WORKER_URL = new URL('./kiln.browser-process.js', import.meta.url);\n" +
        "export const OPFS_WORKER_URL = new URL('./kiln.browser-opfs.js', import.meta.url);\n",
      loader: 'ts',
    }));
  },
};

async function bundle(entry, outfile) {
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      plugins: [workerUrls],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify,
      sourcemap: false, // see the top of this file
      metafile: true,
      write: false, // written below, only once the bundle is known to be Node-free
      logLevel: 'silent',
      // Reported below with the importer's name, rather than as a resolve error.
      external: ['node:*', ...builtinModules],
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

  /** A block comment that cannot be closed early by the text it holds. */
  const comment = (lines) => `/*\n${lines.map((l) => ` *${l === '' ? '' : ` ${l.replaceAll('*/', '* /')}`}`).join('\n')}\n */\n`;

  /** The packages under node_modules/ that went into the bundle, with their license notices. */
  function thirdPartyNotices() {
    const dirs = new Set();
    for (const input of Object.keys(result.metafile.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) dirs.add(m[1]);
    }
    const notices = [];
    for (const dir of [...dirs].sort()) {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].map((f) => join(root, dir, f)).find((f) => existsSync(f));
      if (file === undefined) {
        process.stderr.write(`bundle-browser: ${pkg.name} is in the bundle, but its license file is not in ${dir}/\n`);
        process.exit(1);
      }
      notices.push('', `${pkg.name} ${pkg.version} (${pkg.license}):`, '', ...readFileSync(file, 'utf8').trimEnd().split('\n'));
    }
    return notices;
  }

  const kiln = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const notices = thirdPartyNotices();
  const header = comment([
    `Kiln (${kiln.name} ${kiln.version}) for browsers: ${entry} and its dependencies in one ES module.`,
    `${kiln.license} license. Built by scripts/bundle-browser.mjs; the sources are in the package's src/.`,
    ...(notices.length > 0 ? ['Third-party code included: see the notices at the end of this file.'] : []),
  ]);
  const footer = notices.length > 0 ? comment(['Third-party code in this bundle:', ...notices]) : '';
  const [output] = result.outputFiles;
  const contents = Buffer.concat([Buffer.from(header), output.contents, Buffer.from(footer)]);

  mkdirSync(dirname(output.path), { recursive: true });
  const temporary = `${output.path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, output.path);
  const bytes = contents.byteLength;
  const gzipped = gzipSync(contents).byteLength;
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(
    `bundle-browser: ${relative(process.cwd(), outfile) || outfile}: ${bytes} bytes (${kib(bytes)}; ${kib(gzipped)} gzipped)` +
      `${minify ? ', minified' : ''}, ${Object.keys(result.metafile.inputs).length} modules\n`,
  );
}

await bundle('src/browser.ts', outfile);
// The Web Worker each wasm thread runs in (host/browser/web-worker-spawner.ts loads it from beside the bundle).
await bundle('src/browser-thread-worker.ts', join(dirname(outfile), 'kiln.browser-thread.js'));
// The Web Worker a single-threaded process runs in with its kernel (exec/browser/process-launch.ts).
await bundle('src/browser-process-worker.ts', join(dirname(outfile), 'kiln.browser-process.js'));
// The Web Worker an OpfsFileSystem keeps its files open in (host/browser/opfs-fs.ts).
await bundle('src/browser-opfs-worker.ts', join(dirname(outfile), 'kiln.browser-opfs.js'));
