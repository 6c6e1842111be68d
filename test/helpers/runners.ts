/**
 * Runs a guest program as a child process, under Kiln's CLI (bin/kiln.js run)
 * or under the node:wasi reference runner (scripts/node-wasi-run.mjs); both
 * take the same flags. Also: fresh sandbox directories for tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os, { constants } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { programPath, repoRoot } from './programs.js';

export interface RunOptions {
  /** A module path, or a program name resolved with programPath(). */
  program: string;
  /** Guest arguments after argv[0] (passed after `--`). */
  args?: string[];
  /** Guest environment: exactly these variables, in this order. */
  env?: Record<string, string> | [string, string][];
  /** Preopened directories, [host, guest]. */
  dirs?: [string, string][];
  /** Bytes on the guest's stdin; without it stdin is empty (EOF at once). */
  stdin?: string | Uint8Array;
  /** Working directory of the child process. */
  cwd?: string;
  /** Kill the child after this long (default 30 s); status is then 124. */
  timeoutMs?: number;
  /** Extra CLI flags before the module path (e.g. ['--trace']). */
  flags?: string[];
  /** Called with everything the guest wrote to stdout so far, at each write (e.g. to learn a port it listens on). */
  onStdout?: (soFar: string) => void;
}

export interface RunResult {
  /** Exit code, or 128 + signal number when killed by a signal. */
  status: number;
  stdout: string;
  stderr: string;
}

export const kilnBin = path.join(repoRoot, 'bin', 'kiln.js');
export const nodeWasiRunner = path.join(repoRoot, 'scripts', 'node-wasi-run.mjs');

function resolveProgram(program: string): string {
  return program.includes('/') || program.endsWith('.wasm') ? program : programPath(program);
}

/** The command line after the script path: [flags...] module [-- args...]. */
export function cliArgs(opts: RunOptions): string[] {
  const out: string[] = [];
  for (const [host, guest] of opts.dirs ?? []) out.push('--dir', `${host}::${guest}`);
  const env = Array.isArray(opts.env) ? opts.env : Object.entries(opts.env ?? {});
  for (const [name, value] of env) out.push('--env', `${name}=${value}`);
  out.push(...(opts.flags ?? []));
  out.push(resolveProgram(opts.program));
  if (opts.args && opts.args.length > 0) out.push('--', ...opts.args);
  return out;
}

function spawnNode(script: string[], opts: RunOptions, node = process.execPath): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...script, ...cliArgs(opts)], {
      cwd: opts.cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out.push(d);
      opts.onStdout?.(Buffer.concat(out).toString('utf8'));
    });
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[runner: killed after ${opts.timeoutMs ?? 30_000} ms]\n`;
      const status = timedOut
        ? 124
        : code ?? 128 + (signal ? (constants.signals as Record<string, number>)[signal] ?? 0 : 0);
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    // The guest may exit without reading its stdin: ignore EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin === undefined ? undefined : Buffer.from(opts.stdin));
  });
}

/** What `runKilnCommand` gives back: stdout as bytes (a waPC reply may not be text). */
export interface CommandResult {
  /** The exit code; null when killed (after `timeoutMs`). */
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface CommandOptions {
  /** Bytes on stdin (default: none, end of input at once). */
  stdin?: string | Uint8Array;
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The Node binary (default: this one). */
  node?: string;
  /** Kill the child after this long (default 20 s). */
  timeoutMs?: number;
}

/** Runs `node bin/kiln.js ARGS...` as a child process with piped stdio. */
export function runKilnCommand(args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.node ?? process.execPath, [kilnBin, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin === undefined ? undefined : Buffer.from(opts.stdin));
  });
}

/** Runs `node bin/kiln.js run [flags] module [-- args]`. */
export function runKiln(opts: RunOptions): Promise<RunResult> {
  return spawnNode([kilnBin, 'run'], opts);
}

/** Runs the same command line under node:wasi (scripts/node-wasi-run.mjs). */
export function runNodeWasi(opts: RunOptions): Promise<RunResult> {
  return spawnNode([nodeWasiRunner], opts);
}

export const kilnApiRunner = path.join(repoRoot, 'scripts', 'kiln-api-run.mjs');
/** The Node 24 binary the test setup fetches (scripts/fetch-node24.mjs), for the JSPI placement. */
export const node24 = path.join(repoRoot, 'build', 'node24', 'bin', 'node');

/** Runs the same command line through `WASI.run()`: the guest in a process worker (scripts/kiln-api-run.mjs). */
export function runKilnWorker(opts: RunOptions): Promise<RunResult> {
  return spawnNode([kilnApiRunner, 'worker'], opts);
}

/** Runs the same command line through `WASI.runHere()` on Node 24: the guest on the caller's thread with JSPI. */
export function runKilnJspi(opts: RunOptions): Promise<RunResult> {
  return spawnNode([kilnApiRunner, 'jspi'], opts, node24);
}

/**
 * The ways a component runs, each with the same command line, by name:
 * `kiln run` (on the CLI's thread), `kiln run --timeout LIMIT` (a process
 * worker the CLI can stop), `WASI.run()` (a process worker) and, where the
 * test setup fetched Node 24, `WASI.runHere()` with JSPI.
 */
export function componentRunners(limit: string): readonly [string, Runner][] {
  const timed: Runner = (opts) => runKiln({ ...opts, flags: ['--timeout', limit, ...(opts.flags ?? [])] });
  return [
    ['kiln run', runKiln],
    ['kiln run --timeout', timed],
    ['WASI.run()', runKilnWorker],
    ...(existsSync(node24) ? [['WASI.runHere() (JSPI, Node 24)', runKilnJspi] as [string, Runner]] : []),
  ];
}

/**
 * The ways a WASIX guest (a threaded module) runs, each with the same
 * command line: its name, the runner, and whether it is available here.
 */
export const WASIX_RUNNERS: readonly [string, Runner, boolean][] = [
  ['kiln run', runKiln, true],
  ['WASI.run()', runKilnWorker, true],
  ['WASI.runHere() (Node 24)', runKilnJspi, existsSync(node24)],
];

export interface Sandbox {
  /** A fresh temp dir that holds the preopen and whatever sits next to it. */
  root: string;
  /** <root>/sandbox: the host directory preopened as the guest's /sandbox. */
  dir: string;
  /** [[dir, '/sandbox']], ready for RunOptions.dirs. */
  dirs: [string, string][];
}

/**
 * Makes a fresh, empty sandbox under the OS temp dir, runs `fn`, and removes
 * the whole tree afterwards (also when `fn` throws).
 */
export async function withSandbox<T>(fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kiln-guest-'));
  const dir = path.join(root, 'sandbox');
  mkdirSync(dir);
  try {
    return await fn({ root, dir, dirs: [[dir, '/sandbox']] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Drops the lines matching any of `patterns` from a transcript, so that two
 * runtimes can be compared on everything except lines known to differ.
 */
export function withoutLines(text: string, patterns: RegExp[]): string {
  if (patterns.length === 0) return text;
  return text
    .split('\n')
    .filter((line) => !patterns.some((p) => p.test(line)))
    .join('\n');
}

/** Joins lines into a transcript, each line ending in "\n". */
export function lines(...text: string[]): string {
  return text.map((l) => `${l}\n`).join('');
}

export type Runner = (opts: RunOptions) => Promise<RunResult>;

/** One guest run: a fresh sandbox preopened at /sandbox, prepared by setup. */
export interface CaseSpec extends Omit<RunOptions, 'dirs'> {
  /** Preopen a fresh sandbox at /sandbox (default true). */
  sandbox?: boolean;
  /** More fresh, empty preopens after /sandbox, by guest path (e.g. '/other'). */
  morePreopens?: string[];
  /** Prepares the host side before the run. */
  setup?: (sb: Sandbox) => void | Promise<void>;
  /** Host-side assertions after the run, before the sandbox is removed. */
  check?: (sb: Sandbox, result: RunResult) => void | Promise<void>;
}

/** Runs a case under `runner` in a fresh sandbox, removed afterwards. */
export function runCase(runner: Runner, spec: CaseSpec): Promise<RunResult> {
  return withSandbox(async (sb) => {
    const dirs: [string, string][] = spec.sandbox === false ? [] : [...sb.dirs];
    for (const [i, guest] of (spec.morePreopens ?? []).entries()) {
      const host = path.join(sb.root, `preopen${i + 1}`);
      mkdirSync(host);
      dirs.push([host, guest]);
    }
    await spec.setup?.(sb);
    const result = await runner({ ...spec, dirs });
    await spec.check?.(sb, result);
    return result;
  });
}

/** How the node:wasi run of a case is compared with the expected result. */
export type NodeComparison =
  /**
   * Lines (of stdout) to leave out of the comparison: where node:wasi
   * differs. `hostCheck: false` skips the case's check() under node:wasi;
   * `rewrite` replaces text in node:wasi's stdout first (a systematic
   * difference, such as another errno for the same condition).
   */
  | { ignoreLines: RegExp[]; hostCheck?: boolean; rewrite?: [RegExp, string][] }
  /** Do not run under node:wasi at all (it hangs or kills itself); the reason. */
  | { skip: string };

/**
 * The ways Kiln runs a single-threaded guest, each a runner with the same
 * command line: `kiln run` (inline, on the CLI's thread), `WASI.run()` (a
 * process worker) and `WASI.runHere()` (JSPI, on Node 24 when the test setup
 * fetched it). Every guest case runs under each.
 */
const KILN_PLACEMENTS: readonly { name: string; runner: Runner; skip: string | false }[] = [
  { name: 'kiln', runner: runKiln, skip: false },
  { name: 'kiln run(), process worker', runner: runKilnWorker, skip: false },
  { name: 'kiln runHere(), JSPI', runner: runKilnJspi, skip: existsSync(node24) ? false : `no Node 24 at ${node24} (scripts/fetch-node24.mjs)` },
];

/**
 * Registers the tests for one case: Kiln, in each of its placements, must
 * produce exactly `expected`; node:wasi must produce the same (status,
 * stdout, stderr), except for the stdout lines listed in
 * `node.ignoreLines`, which are known node:wasi deviations from the WASI
 * spec/wasmtime (each documented at the call site and in
 * test/guest/NODE_WASI_DIFFERENCES.md).
 */
export function guestTest(
  title: string,
  spec: CaseSpec,
  expected: RunResult,
  node: NodeComparison = { ignoreLines: [] },
): void {
  for (const placement of KILN_PLACEMENTS) {
    test(`${title} [${placement.name}]`, { skip: placement.skip }, async () => {
      const result = await runCase(placement.runner, spec);
      assert.deepEqual(result, expected);
    });
  }
  if ('skip' in node) {
    test(`${title} [node:wasi]`, { skip: node.skip }, () => {});
    return;
  }
  test(`${title} [node:wasi agrees]`, async () => {
    const result = await runCase(runNodeWasi, node.hostCheck === false ? { ...spec, check: undefined } : spec);
    let stdout = result.stdout;
    for (const [pattern, replacement] of node.rewrite ?? []) stdout = stdout.replace(pattern, replacement);
    const drop = (r: RunResult) => ({ ...r, stdout: withoutLines(r.stdout, node.ignoreLines) });
    assert.deepEqual(drop({ ...result, stdout }), drop(expected));
  });
}
