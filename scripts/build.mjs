#!/usr/bin/env node
// The package build (`npm run build`, `prepare`): empties dist/ (so no
// module of an earlier layout stays behind), compiles src/ into dist/ with
// tsc (the Node and browser entry points, declarations, source maps),
// bundles the Node entry points in place (scripts/bundle-node.mjs: the
// library, Kiln's workers and the CLI each load a few files), and bundles
// the browser entry into dist/kiln.browser.js (scripts/bundle-browser.mjs).
// Stops at the first step that fails.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const args of [
  [tsc, '-p', 'tsconfig.json'],
  [join(root, 'scripts/bundle-node.mjs')],
  [join(root, 'scripts/bundle-browser.mjs')],
]) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
