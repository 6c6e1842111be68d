/**
 * Kiln's own WASI preview 1 conformance tests.
 *
 * The guests are test/programs/c/conf_*.c (raw <wasi/api.h> calls, plus
 * wasi-libc for the C-suite style checks), built into
 * build/programs/conf_*.wasm by scripts/build-programs.mjs. They re-check
 * what the official WASI test suite (WebAssembly/wasi-testsuite) expects,
 * with the same accepted errno sets, and print one line per check:
 * `ok <check>` or `FAIL <check>: got ... expected ...`.
 *
 * Each run is set up the way that suite's runner does it:
 * - a fresh fixture directory like its fs-tests.dir (the Rust one holds only
 *   `.keep`; the C one holds file, lseek.txt, pread.txt, fopendir.dir/,
 *   writeable/), preopened with `--dir <fixture>::/`; runs that need no
 *   preopens at all get no --dir;
 * - stdin a pipe that stays open and is never written, stdout and stderr
 *   pipes;
 * - an empty environment apart from the run's own --env variables;
 * - a time limit (10 s here; the suite allows about 5 s per test).
 * A run passes when the exit status is the expected one (0 unless stated),
 * no FAIL line is printed, and the fixture holds exactly what it held
 * before: every scratch (*.cleanup) entry the guest made must be removable
 * and removed.
 *
 * Run: node --import tsx --test test/conformance.test.ts (builds Kiln's
 * dist/ if it is missing and the conf_* programs if they are stale).
 */
import { before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kilnApiRunner, node24 } from './helpers/runners.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KILN = path.join(root, 'bin', 'kiln.js');
const PROGRAMS_SRC = path.join(root, 'test', 'programs', 'c');
const PROGRAMS_OUT = path.join(root, 'build', 'programs');
const BUILD_SCRIPT = path.join(root, 'scripts', 'build-programs.mjs');
const TIMEOUT_MS = 10_000;
/** The suite's runner waits about this long per test. */
const SUITE_BUDGET_MS = 5_000;

type Fixture = 'rust' | 'c' | 'none';

interface ConfRun {
  /** build/programs/<program>.wasm */
  program: string;
  /** Guest arguments after argv[0]. */
  args?: string[];
  /** Guest environment: exactly these variables. */
  env?: [string, string][];
  /** Which fs-tests.dir to preopen, or none at all. */
  fixture: Fixture;
  /** Guest name of the preopen (default "/"; older suite layouts used "fs-tests.dir"). */
  guest?: string;
  /**
   * The oldest runner's form: run with cwd = the fixture's parent and
   * `--dir fs-tests.dir` (a relative host path that is also the guest name).
   */
  relativeDir?: boolean;
  /** Expected exit status (default 0). */
  exitCode?: number;
  /**
   * The program prints ok/FAIL lines (default): require no FAIL line, at
   * least one ok line and the final "# N passed, 0 failed" summary.
   */
  checkLines?: boolean;
  /** ok lines that must appear: they name the configuration the guest recognized. */
  requireOk?: string[];
  /** Exact stdout (the old suite runner compared the whole of it). */
  stdout?: string;
}

const ARGS = ['first', 'the "second" arg', '3'];

const RUNS: ConfRun[] = [
  { program: 'conf_fd_readdir', fixture: 'rust' },
  { program: 'conf_path_open', fixture: 'rust' },
  { program: 'conf_rights', fixture: 'rust' },
  { program: 'conf_renumber_close', args: ['renumber'], fixture: 'rust' },
  { program: 'conf_renumber_close', args: ['overwrite_preopen'], fixture: 'rust' },
  { program: 'conf_renumber_close', args: ['close_preopen'], fixture: 'rust' },
  { program: 'conf_renumber_close', args: ['stdio'], fixture: 'rust' },
  { program: 'conf_symlinks', fixture: 'rust' },
  { program: 'conf_links', fixture: 'rust' },
  { program: 'conf_rename', fixture: 'rust' },
  { program: 'conf_remove', fixture: 'rust' },
  { program: 'conf_times', fixture: 'rust' },
  { program: 'conf_seek_rw', fixture: 'rust' },
  { program: 'conf_dir_fd_ops', fixture: 'rust' },
  { program: 'conf_interesting_paths', fixture: 'rust' },
  { program: 'conf_poll_stdio', fixture: 'none' },
  {
    program: 'conf_args_env',
    fixture: 'none',
    requireOk: ['args: configuration no-arguments: argc == 1', 'environ: configuration no-variables: count == 0'],
  },
  {
    program: 'conf_args_env',
    args: ARGS,
    fixture: 'none',
    requireOk: ['args: configuration multiple-arguments: all match', 'environ: configuration no-variables: count == 0'],
  },
  {
    program: 'conf_args_env',
    env: [['a', 'text'], ['b', 'escap " ing'], ['c', 'new\nline']],
    fixture: 'none',
    requireOk: [
      'args: configuration no-arguments: argc == 1',
      'environ: configuration environ_get-multiple-variables: exactly the given variables',
    ],
  },
  {
    program: 'conf_args_env',
    env: [['a', 'b'], ['b', 'c'], ['c', 'd']],
    fixture: 'none',
    requireOk: ['environ: configuration environ_sizes_get-multiple-variables: exactly the given variables'],
  },
  { program: 'conf_clock_random', fixture: 'none' },
  { program: 'conf_sock_errors', fixture: 'none' },
  { program: 'conf_proc_io', fixture: 'none' },
  { program: 'conf_proc_io', args: ['hello'], fixture: 'none', checkLines: false, stdout: 'hello' },
  { program: 'conf_proc_io', args: ['exit33'], fixture: 'none', checkLines: false, exitCode: 33, stdout: '' },
  { program: 'conf_proc_io', args: ['exit0'], fixture: 'none', checkLines: false, stdout: '' },
  { program: 'conf_libc_files', fixture: 'c' },
  {
    program: 'conf_libc_files',
    args: ['legacy'],
    fixture: 'c',
    guest: 'fs-tests.dir',
    requireOk: ['root_directory: preopen named "fs-tests.dir" found from fd 3'],
  },
  {
    program: 'conf_libc_files',
    args: ['legacy'],
    fixture: 'c',
    relativeDir: true,
    requireOk: ['root_directory: preopen named "fs-tests.dir" found from fd 3'],
  },
  {
    program: 'conf_libc_files',
    args: ['no-preopen'],
    fixture: 'none',
    requireOk: ['fopen-with-no-access: fopen("fs-tests.dir/file") == NULL with ENOTCAPABLE'],
  },
];

// ---------------------------------------------------------------------------
// Build

function wasmPath(program: string): string {
  return path.join(PROGRAMS_OUT, `${program}.wasm`);
}

function mtime(file: string): number {
  return statSync(file).mtimeMs;
}

/** Compiles with clang-19 directly when the shared build script is absent. */
function compileByHand(program: string): void {
  const src = path.join(PROGRAMS_SRC, `${program}.c`);
  const out = wasmPath(program);
  const header = path.join(PROGRAMS_SRC, 'conf.h');
  if (existsSync(out) && mtime(out) >= mtime(src) && mtime(out) >= mtime(header)) return;
  mkdirSync(PROGRAMS_OUT, { recursive: true });
  const r = spawnSync('clang-19', ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-Wall', src, '-o', out], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `clang-19 failed for ${program}:\n${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
}

before(() => {
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `building dist/ failed:\n${r.stdout}${r.stderr}`);
  }
  const names = [...new Set(RUNS.map((r) => r.program))];
  if (existsSync(BUILD_SCRIPT)) {
    const r = spawnSync(process.execPath, [BUILD_SCRIPT, ...names], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `scripts/build-programs.mjs failed:\n${r.stdout}${r.stderr}`);
  } else {
    for (const name of names) compileByHand(name);
  }
  for (const name of names) assert.ok(existsSync(wasmPath(name)), `${wasmPath(name)} is missing`);
});

// ---------------------------------------------------------------------------
// Fixtures

/** Creates the suite's fs-tests.dir in a fresh temp dir; returns [tempRoot, fixtureDir]. */
function makeFixture(kind: Exclude<Fixture, 'none'>): [string, string] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-conf-'));
  const dir = path.join(tmp, 'fs-tests.dir');
  mkdirSync(dir);
  if (kind === 'rust') {
    writeFileSync(path.join(dir, '.keep'), '');
  } else {
    writeFileSync(path.join(dir, 'file'), 'file\n');
    writeFileSync(path.join(dir, 'lseek.txt'), '01234567');
    writeFileSync(path.join(dir, 'pread.txt'), 'pread-test');
    mkdirSync(path.join(dir, 'fopendir.dir'));
    writeFileSync(path.join(dir, 'fopendir.dir', 'file-0'), '');
    writeFileSync(path.join(dir, 'fopendir.dir', 'file-1'), '');
    mkdirSync(path.join(dir, 'writeable'));
  }
  return [tmp, dir];
}

/** Every entry under dir as "relative/path (type)", sorted; symlinks are not followed. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, r));
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
      out.push(`${r} (${type})`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

// ---------------------------------------------------------------------------
// Running

interface Result {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  argv: string[];
  cwd: string;
}

function kilnArgs(run: ConfRun, fixtureDir: string | null): string[] {
  const argv = ['run'];
  if (fixtureDir !== null) {
    argv.push('--dir', run.relativeDir ? path.basename(fixtureDir) : `${fixtureDir}::${run.guest ?? '/'}`);
  }
  for (const [name, value] of run.env ?? []) argv.push('--env', `${name}=${value}`);
  argv.push(wasmPath(run.program));
  if (run.args && run.args.length > 0) argv.push('--', ...run.args);
  return argv;
}

/**
 * How Kiln runs the program: `kiln run` (inline), `WASI.run()` (a process
 * worker) or `WASI.runHere()` (JSPI, on the Node 24 the test setup fetched),
 * each through scripts/kiln-api-run.mjs with the same command line.
 */
interface Placement { name: string; node: string; command: (argv: string[]) => string[]; skip: string | false }

const PLACEMENTS: readonly Placement[] = [
  { name: 'kiln', node: process.execPath, command: (argv) => [KILN, ...argv], skip: false },
  { name: 'run(), process worker', node: process.execPath, command: (argv) => [kilnApiRunner, 'worker', ...argv.slice(1)], skip: false },
  {
    name: 'runHere(), JSPI', node: node24, command: (argv) => [kilnApiRunner, 'jspi', ...argv.slice(1)],
    skip: existsSync(node24) ? false : `no Node 24 at ${node24} (scripts/fetch-node24.mjs)`,
  },
];

/**
 * Spawns `node bin/kiln.js run ...` (or the same command line in another
 * placement) with an empty environment and stdio pipes; stdin is held
 * open (never written) until the process has exited.
 */
function runKiln(argv: string[], cwd: string, placement: Placement): Promise<Result> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(placement.node, placement.command(argv), { cwd, env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.stdin.on('error', () => {});
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', () => child.stdin.destroy());
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const signum = signal ? (os.constants.signals as Record<string, number>)[signal] ?? 0 : 0;
      resolve({
        status: timedOut ? 124 : code ?? 128 + signum,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
        timedOut,
        argv,
        cwd,
      });
    });
  });
}

function describeRun(r: Result): string {
  return [
    `command (in ${r.cwd}): node bin/kiln.js ${r.argv.map((a) => JSON.stringify(a)).join(' ')}`,
    `exit status: ${r.status}${r.timedOut ? ` (killed after ${TIMEOUT_MS} ms)` : ''}, ${r.ms} ms`,
    '--- stdout ---',
    r.stdout,
    '--- stderr ---',
    r.stderr,
  ].join('\n');
}

function title(run: ConfRun): string {
  const parts = [run.program, ...(run.args ?? []).map((a) => JSON.stringify(a))];
  if (run.env?.length) parts.push(`env ${run.env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (run.fixture === 'none') parts.push('(no preopens)');
  else if (run.relativeDir) parts.push('(--dir fs-tests.dir, relative)');
  else if (run.guest && run.guest !== '/') parts.push(`(preopen "${run.guest}")`);
  return parts.join(' ');
}

/** Where the preview 1 adapter (not the host) answers otherwise when a program runs as a component. */
interface AdapterDifference {
  /** The FAIL lines it prints instead of none. */
  fails?: string[];
  /** Its exit status instead of the run's. */
  exitCode?: number;
}

async function check(t: TestContext, run: ConfRun, placement: Placement, adapter: AdapterDifference = {}): Promise<void> {
  let tmp: string | null = null;
  let fixtureDir: string | null = null;
  if (run.fixture !== 'none') [tmp, fixtureDir] = makeFixture(run.fixture);
  try {
    const before = fixtureDir ? snapshot(fixtureDir) : [];
    const cwd = run.relativeDir && tmp ? tmp : root;
    const result = await runKiln(kilnArgs(run, fixtureDir), cwd, placement);
    const report = describeRun(result);
    t.diagnostic(`${result.ms} ms`);
    if (result.ms > SUITE_BUDGET_MS) t.diagnostic(`slower than the suite's ${SUITE_BUDGET_MS} ms per test`);

    assert.ok(!result.timedOut, `timed out after ${TIMEOUT_MS} ms\n${report}`);
    const lines = result.stdout.split('\n');
    const fails = lines.filter((l) => l.startsWith('FAIL '));
    assert.deepEqual(fails, adapter.fails ?? [], `FAIL lines from ${run.program}\n${report}`);
    assert.equal(result.status, adapter.exitCode ?? run.exitCode ?? 0, `exit status\n${report}`);
    if (run.checkLines !== false && adapter.fails === undefined) {
      assert.ok(
        lines.some((l) => l.startsWith('ok ')),
        `no ok line: the program did not run its checks\n${report}`,
      );
      assert.ok(
        lines.some((l) => /^# \d+ passed, 0 failed$/.test(l)),
        `no "# N passed, 0 failed" summary: the program did not finish\n${report}`,
      );
    }
    for (const want of run.requireOk ?? []) {
      assert.ok(lines.includes(`ok ${want}`), `missing line "ok ${want}"\n${report}`);
    }
    if (run.stdout !== undefined) assert.equal(result.stdout, run.stdout, `stdout\n${report}`);

    if (fixtureDir) {
      const after = snapshot(fixtureDir);
      const added = after.filter((e) => !before.includes(e));
      const removed = before.filter((e) => !after.includes(e));
      assert.deepEqual(
        { added, removed },
        { added: [], removed: [] },
        `the fixture changed: everything the guest creates must be removed\n${report}`,
      );
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The same programs wrapped as components (build/components/, through the
 * preview 1 adapter) under `kiln run`: Kiln's WASI 0.2 host must pass what
 * the suite checks, as a preview 1 host does.
 */
const COMPONENT: Placement = {
  name: 'component, WASI preview 2',
  node: process.execPath,
  command: (argv) => [KILN, ...argv.map((a) => (a.startsWith(PROGRAMS_OUT) ? path.join(root, 'build', 'components', path.basename(a)) : a))],
  skip: false,
};

/**
 * What the preview 1 adapter does otherwise, by run title: WASI 0.2 has no
 * rights (the adapter makes them up and does not mask them), the adapter
 * answers a zero-length fd_write to a bad descriptor with success, and it
 * turns any proc_exit(n > 0) into exit(err), status 1.
 */
const ADAPTER_DIFFERENCES: Readonly<Record<string, AdapterDifference>> = {
  'conf_rights': {
    fails: [
      'FAIL checklist: rights masking: file base is within the dir\'s inheriting rights: got extra bits 0xfffffffff0080000',
      'FAIL checklist: rights masking: file inheriting is within the dir\'s inheriting rights: got extra bits 0xfffffffff0080000',
    ],
    exitCode: 1,
  },
  'conf_proc_io (no preopens)': { fails: ['FAIL fd_write-to-invalid-fd: fd_write(-31337, iovs NULL, 0): got SUCCESS(0) expected {BADF(8)}'], exitCode: 1 },
  'conf_proc_io "exit33" (no preopens)': { exitCode: 1 },
};

describe('WASI preview 1 conformance (wasi-testsuite expectations)', () => {
  for (const run of RUNS) {
    for (const placement of PLACEMENTS) {
      test(`${title(run)} [${placement.name}]`, { skip: placement.skip }, (t) => check(t, run, placement));
    }
    test(`${title(run)} [${COMPONENT.name}]`, (t) => check(t, run, COMPONENT, ADAPTER_DIFFERENCES[title(run)]));
  }
});
