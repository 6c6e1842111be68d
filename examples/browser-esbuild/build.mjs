// Builds the example into dist/: app.js bundled with Kiln by esbuild
// ('kiln-wasm/browser' resolves through the package's exports), then
// index.html, cat.wasm and Kiln's two worker entries copied beside it.
// Serve dist/ over HTTP.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

await esbuild.build({
  absWorkingDir: here,
  entryPoints: ['app.js'],
  outdir: 'dist',
  bundle: true,
  format: 'esm', // keeps import.meta.url, which app.js uses to find cat.wasm
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
});
mkdirSync(`${here}dist`, { recursive: true });
for (const file of ['index.html', 'cat.wasm']) copyFileSync(`${here}${file}`, `${here}dist/${file}`);
for (const [entry, file] of [['kiln-wasm/browser-process-worker', 'kiln.browser-process.js'], ['kiln-wasm/browser-thread-worker', 'kiln.browser-thread.js']]) {
  copyFileSync(fileURLToPath(import.meta.resolve(entry)), `${here}dist/${file}`);
}
