#!/usr/bin/env node
// Fetches a Node 24 binary (npm package node-linux-<arch>@24, about 190 MB
// unpacked) for the tests of the JSPI path (WebAssembly.Suspending /
// promising; Node 20 lacks them) and makes build/node24/ point at it.
// Kept out of devDependencies on purpose: that package links a `node` bin
// into node_modules/.bin, which would make every npm script (and
// `npx kiln`) run on Node 24 instead of the user's Node.
// Cached per user, not per checkout: the binary is kept in
// $KILN_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/kiln-wasm)/node24,
// so a second clone or a CI re-run does not download it again; delete that
// folder to reclaim the space. Linux x64 and arm64 only; elsewhere, or
// offline, it says so and the JSPI tests skip themselves, saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const link = join(root, 'build', 'node24');
const cacheRoot = process.env.KILN_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'kiln-wasm');
const cached = join(cacheRoot, 'node24');
const binary = (dir) => join(dir, 'bin', 'node');

if (existsSync(binary(link))) process.exit(0);
const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
if (process.platform !== 'linux' || arch === undefined) {
  process.stdout.write(`fetch-node24: no Node 24 package for ${process.platform}-${process.arch}; the JSPI tests will skip\n`);
  process.exit(0);
}
if (!existsSync(binary(cached))) {
  const pkg = `node-linux-${arch}@24`;
  process.stdout.write(`fetch-node24: downloading ${pkg} (about 190 MB unpacked) into ${cached}, once per user, for the JSPI tests\n`);
  const tmp = join(cacheRoot, `node24-tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const pack = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], { cwd: tmp, encoding: 'utf8' });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || tgz === undefined) {
      process.stdout.write(`fetch-node24: could not fetch ${pkg} (${(pack.stderr || '').trim()}); the JSPI tests will skip\n`);
      process.exit(0);
    }
    const untar = spawnSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp], { stdio: 'inherit' });
    if (untar.status !== 0) process.exit(1);
    rmSync(cached, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), cached);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
mkdirSync(join(root, 'build'), { recursive: true });
if (lstatSync(link, { throwIfNoEntry: false }) !== undefined) rmSync(link, { recursive: true, force: true });
symlinkSync(cached, link, 'dir');
process.stdout.write(`fetch-node24: ${binary(link)} -> ${binary(cached)}\n`);
