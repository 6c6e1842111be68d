/**
 * The guest-program build (scripts/build-programs.mjs) on a machine that
 * lacks part of the toolchain: a program that fails to build does not stop
 * the others, the failure names the Debian package that is missing, the
 * failed programs are listed for the test runner, and nothing the compiler
 * left behind stays in the output directory.
 *
 * A stand-in rustc plays the failure seen on machines installed with
 * --no-install-recommends: it leaves object files next to its output and
 * reports that the linker rust-lld is missing.
 *
 * Also the preview 2 components it wraps from preview 1 C programs
 * (build/components/, with the adapter scripts/fetch-p1-adapter.mjs puts in
 * build/p1-adapter/): all there, components, wasi:cli/command ones, and
 * rewrapped only when their program changes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';
import { repoRoot } from './helpers/programs.js';

const script = path.join(repoRoot, 'scripts', 'build-programs.mjs');

/** A rustc that leaves `<out>.x.rcgu.o` behind and fails to link, as Debian's does without lld-14. */
const FAKE_RUSTC = `#!/usr/bin/env node
const args = process.argv.slice(2);
const out = args[args.indexOf('-o') + 1];
require('node:fs').writeFileSync(out.replace(/\\.wasm$/, '') + '.rustfs.0.rcgu.o', 'object');
process.stderr.write("error: linker \`rust-lld\` not found\\n  |\\n  = note: No such file or directory (os error 2)\\n");
process.exit(1);
`;

test('a guest that fails to build does not stop the others, names the missing package and leaves nothing behind', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-build-'));
  try {
    const rustc = path.join(dir, 'rustc.cjs');
    writeFileSync(rustc, FAKE_RUSTC);
    chmodSync(rustc, 0o755);
    const out = path.join(dir, 'out');
    const r = spawnSync(process.execPath, [script, '--force', '--no-components', '--out', out, 'rustfs', 'argsenv'], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, KILN_RUSTC: rustc },
    });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /^built argsenv\.wasm from test\/programs\/c\/argsenv\.c /m);
    assert.match(r.stderr, /^FAILED test\/programs\/rust\/rustfs\.rs:\nerror: linker `rust-lld` not found\n/m);
    assert.match(r.stderr, /^ {2}missing: lld-14 \(rustc's rust-lld links to lld-14's linker, which libstd-rust-dev-wasm32 only recommends\): apt-get install lld-14$/m);
    assert.match(r.stderr, /^build-programs: 1 program\(s\) failed to build: rustfs$/m);
    assert.equal(readFileSync(path.join(out, '.failed'), 'utf8'), 'rustfs\n');
    assert.deepEqual(readdirSync(out).sort(), ['.failed', '.hashes.json', 'argsenv.wasm']);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(out, '.hashes.json'), 'utf8'))), ['argsenv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing compiler fails only its own programs', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'kiln-build-'));
  try {
    const r = spawnSync(process.execPath, [script, '--no-components', '--out', out, 'rustfs', 'argsenv'], {
      cwd: repoRoot, encoding: 'utf8', env: { ...process.env, KILN_RUSTC: path.join(out, 'no-such-rustc') },
    });
    assert.equal(r.status, 3, r.stderr);
    assert.ok(existsSync(path.join(out, 'argsenv.wasm')));
    assert.match(r.stderr, new RegExp(`^FAILED test/programs/rust/rustfs\\.rs:\\ncompiler not found: ${path.join(out, 'no-such-rustc')}$`, 'm'));
    assert.equal(readFileSync(path.join(out, '.failed'), 'utf8'), 'rustfs\n');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/**
 * The C programs that are also built as components: every conf_* one and
 * these (written out here, not taken from the script, so that a program
 * dropped from its list is noticed).
 */
const COMPONENTS = [
  ...readdirSync(path.join(repoRoot, 'test', 'programs', 'c'))
    .filter((f) => f.startsWith('conf_') && f.endsWith('.c'))
    .map((f) => f.slice(0, -2)),
  'argsenv', 'stdio', 'cat', 'clocks', 'random', 'files', 'dirs', 'poll', 'sleep2', 'proc', 'wallclock',
].sort();

/** A component's first bytes: the wasm magic, version 0x0d, layer 1 (a core module has 01 00 00 00). */
const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

test('every listed program is also built as a component in build/components', () => {
  const dir = path.join(repoRoot, 'build', 'components');
  assert.ok(COMPONENTS.some((n) => n.startsWith('conf_')), 'no test/programs/c/conf_*.c');
  for (const name of COMPONENTS) {
    const file = path.join(dir, `${name}.wasm`);
    assert.ok(existsSync(file), `${file} is missing: run \`node scripts/build-programs.mjs\``);
    assert.deepEqual([...readFileSync(file).subarray(0, 8)], PREAMBLE, `${name}.wasm is not a component`);
  }
});

test('a wrapped program is a wasi:cli/command: its world imports wasi:cli/environment and exports wasi:cli/run', async () => {
  const wit = await componentWit(readFileSync(path.join(repoRoot, 'build', 'components', 'argsenv.wasm')));
  assert.match(wit, /^ {2}import wasi:cli\/environment@0\.2\.\d+;$/m, wit);
  assert.match(wit, /^ {2}export wasi:cli\/run@0\.2\.\d+;$/m, wit);
});

test('with --out DIR a component goes into DIR/components, and is rewrapped only when its program is newer', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'kiln-build-'));
  try {
    const build = () => {
      const r = spawnSync(process.execPath, [script, '--out', out, 'argsenv'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const component = path.join(out, 'components', 'argsenv.wasm');
    assert.match(build(), /^build-programs: wrapped 1 component\(s\), 0 up to date$/m);
    assert.deepEqual(readdirSync(path.join(out, 'components')), ['argsenv.wasm']);
    assert.deepEqual([...readFileSync(component).subarray(0, 8)], PREAMBLE);
    assert.match(build(), /^build-programs: 1 component\(s\) up to date$/m);
    // A newer core module (as after a rebuild) is wrapped again.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(out, 'argsenv.wasm'), later, later);
    assert.match(build(), /^built .*components\/argsenv\.wasm from .*argsenv\.wasm \(\d+ ms\)$/m);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
