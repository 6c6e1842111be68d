#!/usr/bin/env node
// Fetches the WASI preview 1 adapters (wasi_snapshot_preview1.command.wasm
// and .reactor.wasm, about 51 KB each) and puts copies in build/p1-adapter/.
// scripts/build-programs.mjs needs the command adapter to wrap preview 1 test
// programs as wasi:cli/command components (build/components/), which the
// preview 2 tests run.
// It also puts the WIT of WASI 0.2 (the wasi:cli, io, clocks, random,
// filesystem, sockets and http packages) in build/p1-adapter/wit/, which
// the test programs that call preview 2 interfaces directly are embedded
// with before they are wrapped (p1-components.mjs).
// The adapters and the WIT ship only inside the npm package
// @bytecodealliance/jco (in lib/), which is kept out of devDependencies on
// purpose: it depends on hundreds of MB of packages that nothing here
// needs. So the package's tarball alone is fetched with `npm pack` (which
// checks it against the registry's integrity hash), and only the two
// adapters and the WIT are taken from it.
// The version is pinned (JCO_VERSION): an adapter encodes a WASI 0.2.x
// version into every component it wraps, so changing it changes what the
// preview 2 tests see.
// Cached per user, not per checkout: the adapters are kept in
// $KILN_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/kiln-wasm)/p1-adapter-<version>,
// so a second clone or a CI re-run does not download them again.
// build/p1-adapter/ holds copies, not links, stamped with the version in
// build/p1-adapter/VERSION: a copy is newer than every component wrapped
// with an older adapter, so build-programs.mjs (which compares times)
// rewraps them. When build/p1-adapter/ already holds this version, nothing
// is done and nothing is printed.
// Unlike Node 24 for the JSPI tests (fetch-node24.mjs), the adapter is not
// optional: without it the component tests cannot run, so when it cannot be
// fetched (offline, no npm) this says why and exits with status 1, which
// stops `npm test`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @bytecodealliance/jco release whose adapters are used. */
const JCO_VERSION = '1.35.0';
const PKG = `@bytecodealliance/jco@${JCO_VERSION}`;
/** The files taken from the package (under package/lib/ in its tarball). */
const ADAPTERS = ['wasi_snapshot_preview1.command.wasm', 'wasi_snapshot_preview1.reactor.wasm'];
/** The WASI 0.2 WIT packages, one folder each (under package/lib/ in the tarball), the version the adapters import. */
const WIT = 'wit/builtin/0.2.12';

const root = fileURLToPath(new URL('..', import.meta.url));
const dest = join(root, 'build', 'p1-adapter');
const stamp = join(dest, 'VERSION');
const cacheRoot = process.env.KILN_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'kiln-wasm');
const cached = join(cacheRoot, `p1-adapter-${JCO_VERSION}`);

/** Says why the adapter is missing and stops the test setup. */
function fail(why) {
  process.stderr.write(
    `fetch-p1-adapter: could not fetch ${PKG} (${why})\n` +
      `fetch-p1-adapter: the WASI preview 1 adapter is required to build the component test programs; ` +
      `run \`node scripts/fetch-p1-adapter.mjs\` again with network access to the npm registry\n`,
  );
  process.exit(1);
}

/** `dir` holds both adapters and the WIT (in `wit`, relative to it). */
const complete = (dir, wit) => ADAPTERS.every((f) => existsSync(join(dir, f))) && existsSync(join(dir, wit, 'wasi-http', 'package.wit'));
const stamped = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === JCO_VERSION;
if (stamped && complete(dest, 'wit')) process.exit(0);

/**
 * Downloads the package's tarball into a scratch folder under the cache and
 * moves the two adapters into `cached`. Returns why it could not, or null.
 */
function fetchIntoCache() {
  const tmp = join(cacheRoot, `p1-adapter-tmp-${process.pid}`);
  try {
    mkdirSync(tmp, { recursive: true });
    const pack = spawnSync('npm', ['pack', PKG, '--loglevel=error', '--pack-destination', tmp], { cwd: tmp, encoding: 'utf8' });
    if (pack.error) return `npm: ${pack.error.message}`;
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || tgz === undefined) return npmError(pack.stderr) || `npm pack exited with ${pack.status}`;
    // Only the two adapters and the WIT; -m gives them the time of
    // extraction (the tarball's own times are npm's fixed 1985 date).
    const members = [...ADAPTERS, WIT].map((f) => `package/lib/${f}`);
    const untar = spawnSync('tar', ['-xzmf', join(tmp, tgz), '-C', tmp, ...members], { encoding: 'utf8' });
    if (untar.error || untar.status !== 0) return `tar: ${untar.error?.message ?? untar.stderr.trim()}`;
    rmSync(cached, { recursive: true, force: true });
    renameSync(join(tmp, 'package', 'lib'), cached);
    return null;
  } catch (err) {
    return err.message;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The line of npm's error output that says what went wrong (not its stack trace or error code). */
function npmError(stderr) {
  const lines = (stderr || '')
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
    .filter((l) => l && !l.startsWith('at ') && !/^(code|errno|syscall) /.test(l));
  return lines.find((l) => /^(\w*Error\b|404\b)/.test(l)) ?? lines[0] ?? '';
}

const started = Date.now();
let downloaded = false;
if (!complete(cached, WIT)) {
  const why = fetchIntoCache();
  if (why !== null) fail(why);
  downloaded = true;
}

// Copy into a fresh folder and move it into place, so that build/p1-adapter/
// is either the old adapters or the complete new ones, never a mix.
mkdirSync(join(root, 'build'), { recursive: true });
const next = `${dest}.tmp-${process.pid}`;
rmSync(next, { recursive: true, force: true });
mkdirSync(next);
for (const f of ADAPTERS) copyFileSync(join(cached, f), join(next, f));
cpSync(join(cached, WIT), join(next, 'wit'), { recursive: true });
writeFileSync(join(next, 'VERSION'), `${JCO_VERSION}\n`);
rmSync(dest, { recursive: true, force: true });
renameSync(next, dest);
process.stdout.write(
  `fetch-p1-adapter: ${join(dest, ADAPTERS[0])} (and .reactor.wasm, and the WASI 0.2 WIT) from ${PKG}, ` +
    `${downloaded ? `downloaded into ${cached} in ${Date.now() - started} ms` : `cached in ${cached}`}\n`,
);
