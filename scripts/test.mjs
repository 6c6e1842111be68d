#!/usr/bin/env node
// The whole test suite: builds Kiln, fetches the WASI preview 1 adapter
// (cached; required: the run stops when it cannot be fetched), builds the
// guest programs from source and wraps some as preview 2 components
// (cached), fetches Node 24 for the JSPI tests (cached), then runs every
// test/**/*.test.ts with Node's test runner. Guest programs that fail to
// build do not stop the run: the tests run (those that need a missing
// program fail), and the run fails at the end, naming the programs.
// Usage: node scripts/test.mjs [FILTER...] (test files whose path contains a FILTER)
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a command; exits with its status when it fails, unless that status is in `tolerated`. */
function run(cmd, args, tolerated = []) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && !tolerated.includes(r.status)) process.exit(r.status ?? 1);
  return r.status;
}

/** Status of build-programs.mjs when some programs failed and the rest were built. */
const SOME_PROGRAMS_FAILED = 3;

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const filter = process.argv.slice(2);
run(process.execPath, ['scripts/build.mjs']);
run(process.execPath, ['scripts/fetch-p1-adapter.mjs']);
const programs = run(process.execPath, ['scripts/build-programs.mjs'], [SOME_PROGRAMS_FAILED]);
run(process.execPath, ['scripts/fetch-node24.mjs']);
const files = testFiles(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
const tests = run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], [1]);
if (programs === SOME_PROGRAMS_FAILED) {
  const failed = readFileSync(join(root, 'build/programs/.failed'), 'utf8').trim().split('\n');
  process.stderr.write(`\ntest: ${failed.length} guest program(s) failed to build (see the start of the run): ${failed.join(', ')}\n`);
  process.exit(1);
}
process.exit(tests);
