/**
 * The soak in its short form (test/soak/soak.mjs --short): every entry
 * point with many guests at once, mixed with traps, time limits, proc_exit
 * from threads, exhausted memory and descriptor caps, an embedder that
 * throws and WASIX process trees (fork, spawn, pipes, one stopped by its
 * time limit), and then the host holds exactly what it held before. It runs in
 * a child with --expose-gc (a per-process flag Kiln's workers must not
 * inherit), on Node 20 and, where the test setup fetched it, on Node 24
 * (which adds runHere(), JSPI). `npm run soak` runs the long form.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/programs.js';
import { node24 } from './helpers/runners.js';

const soak = path.join(repoRoot, 'test', 'soak', 'soak.mjs');

/** Runs the soak with a temp folder of its own (so that other tests' temp files do not count). */
function runSoak(node: string): Record<string, unknown> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-soak-'));
  try {
    const r = spawnSync(node, ['--expose-gc', soak, '--short'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, env: { ...process.env, TMPDIR: tmp } });
    assert.equal(r.stderr, '', 'the soak reported what was left behind');
    assert.equal(r.status, 0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('Node 20: many guests through every entry point leave the host as it was', (t) => {
  const s = runSoak(process.execPath);
  t.diagnostic(JSON.stringify(s));
  assert.deepEqual(Object.keys(s['counts'] as object).sort(), ['WASIX', 'http', 'kiln run', 'run()', 'start()', 'threaded', 'waPC']);
});

test('Node 24: the same, with runHere() (JSPI)', { skip: existsSync(node24) ? false : `no Node 24 at ${node24}` }, (t) => {
  const s = runSoak(node24);
  t.diagnostic(JSON.stringify(s));
  assert.deepEqual(Object.keys(s['counts'] as object).sort(), ['WASIX', 'http', 'kiln run', 'run()', 'runHere()', 'start()', 'threaded', 'waPC']);
});
