#!/usr/bin/env node
// The whole test suite: builds Kiln, builds the guest programs from source
// (cached), fetches Node 24 for the JSPI tests (cached), then runs every
// test/**/*.test.ts with Node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

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
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
run(process.execPath, ['scripts/build-programs.mjs']);
run(process.execPath, ['scripts/fetch-node24.mjs']);
const files = testFiles(join(root, 'test')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
