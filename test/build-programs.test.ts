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
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
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
    const r = spawnSync(process.execPath, [script, '--force', '--out', out, 'rustfs', 'argsenv'], {
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
    const r = spawnSync(process.execPath, [script, '--out', out, 'rustfs', 'argsenv'], {
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
