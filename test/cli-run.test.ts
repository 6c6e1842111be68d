/**
 * `kiln run` end to end, where it follows `wasmtime run`: node bin/kiln.js
 * as a child process (stdout and stderr are pipes), exact output, exact
 * messages and exit status. WebAssembly text input, `--invoke`, stand-ins
 * for unknown imports, wasmtime's -S/-W option groups and `--mapdir`, the
 * messages for modules and options Kiln cannot run, the help, and the
 * order of `--trace` lines among the guest's stderr. bin/kiln.js loads
 * dist/: `npm test` builds it; when running this file alone, run
 * `npm run build` and `node scripts/build-programs.mjs` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { programPath, repoRoot } from './helpers/programs.js';
import { runKilnCommand, type CommandOptions } from './helpers/runners.js';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/kiln.js ARGS...` with stdin empty, in the test's folder unless told; stdout as text. */
async function kiln(args: string[], opts: CommandOptions = {}): Promise<Result> {
  const r = await runKilnCommand(args, { cwd: tmp, ...opts });
  return { ...r, stdout: r.stdout.toString('utf8') };
}

/** Expects exactly this status, stdout and stderr. */
function expect(result: Result, status: number, stdout: string, stderr: string): void {
  assert.deepEqual(result, { status, stdout, stderr });
}

/** Writes `text` to `name` in the test's directory; returns `name` (runs use that directory as cwd). */
function file(name: string, text: string | Uint8Array): string {
  writeFileSync(path.join(tmp, name), text);
  return name;
}

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-run-'));
  mkdirSync(path.join(tmp, 'data'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const lib = () => programPath('invoke_lib');

/** One fd_write of `text` to stdout, as a WAT module body with memory and _start. */
function helloWat(text: string): string {
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) ${JSON.stringify(text)})
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const ${Buffer.byteLength(text)}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
`;
}

describe('WebAssembly text', { concurrency: 4 }, () => {
  test('kiln run x.wat runs the text, with the guest arguments; kiln x.wat too', async () => {
    const wat = file('hello.wat', helloWat('hello from text\n'));
    expect(await kiln(['run', wat, 'a', 'b']), 0, 'hello from text\n', '');
    expect(await kiln([wat]), 0, 'hello from text\n', '');
  });

  test('text in a file named .wasm is recognised by its content', async () => {
    const wat = file('text.wasm', `;; a comment first\n(; and a block comment ;)\n${helloWat('still text\n')}`);
    expect(await kiln(['run', wat]), 0, 'still text\n', '');
  });

  test('threads (atomics), bulk memory, SIMD and tail calls parse', async () => {
    const wat = file('features.wat', `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $tail (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 2)))
  (func $get (result i32) (return_call $tail))
  (func (export "_start")
    (memory.fill (i32.const 0) (i32.const 5) (i32.const 4))
    (drop (call $get))
    (call $exit (i32.add
      (i32.atomic.load8_u (i32.const 0))
      (i32.and (i32x4.extract_lane 0 (v128.load (i32.const 0))) (i32.const 0xff))))))
`);
    // memory.fill: 05 05 05 05; the atomic add of 2 makes byte 0 a 7, which both loads see.
    expect(await kiln(['run', wat]), 14, '', '');
  });

  test('a parse error: status 2, the file, line and column', async () => {
    const wat = file('typo.wat', '(module\n  (func (export "_start")\n    i32.cnst 1\n    drop))\n');
    expect(await kiln(['run', wat]), 2, '',
      'kiln: typo.wat is not valid WebAssembly text:\n' +
      'typo.wat:3:5: error: unexpected token i32.cnst, expected ).\n' +
      '    i32.cnst 1\n' +
      '    ^^^^^^^^\n');
  });

  test('a validation error: status 2, with its line', async () => {
    const wat = file('types.wat', '(module\n  (func (export "_start")\n    i64.const 1\n    i32.eqz\n    drop))\n');
    expect(await kiln(['run', wat]), 2, '',
      'kiln: types.wat is not valid WebAssembly text:\n' +
      'types.wat:4:5: error: type mismatch in i32.eqz, expected [i32] but got [i64]\n' +
      '    i32.eqz\n' +
      '    ^^^^^^^\n');
  });

  test('neither binary nor text: status 2', async () => {
    const name = file('notes.wasm', 'just some notes\n');
    expect(await kiln(['run', name]), 2, '', 'kiln: notes.wasm is not a WebAssembly module (no \\0asm header) nor WebAssembly text\n');
  });
});

describe('--invoke', { concurrency: 4 }, () => {
  test('a reactor: _initialize runs first, then the function; its result on its own line', async () => {
    expect(await kiln(['run', '--invoke', 'add', lib(), '2', '3']), 0, 'initialized\n105\n', '');
  });

  test('every number type in and out; several results, one per line', async () => {
    expect(await kiln(['run', '--invoke', 'swap', lib(), '--', '-7', '0xffffffffff']), 0, 'initialized\n1099511627775\n-7\n0.1\n-0\n', '');
    expect(await kiln(['run', '--invoke', 'mul64', lib(), '-3', '0x7fffffffffffffff']), 0, 'initialized\n-9223372036854775805\n', '');
    expect(await kiln(['run', '--invoke', 'half32', lib(), '1e-7']), 0, 'initialized\n0.00000005\n', '');
    expect(await kiln(['run', '--invoke', 'div64', lib(), '1', '3']), 0, 'initialized\n0.3333333333333333\n', '');
    expect(await kiln(['run', '--invoke', 'div64', lib(), '1e300', '1']), 0, `initialized\n1${'0'.repeat(300)}\n`, '');
    expect(await kiln(['run', '--invoke', 'div64', lib(), '-1', '0']), 0, 'initialized\n-inf\n', '');
    expect(await kiln(['run', '--invoke', 'div64', lib(), 'inf', 'NaN']), 0, 'initialized\nNaN\n', '');
  });

  test('i32 arguments: decimal, signed or unsigned, or hex', async () => {
    expect(await kiln(['run', '--invoke', 'add', lib(), '4294967295', '0x10']), 0, 'initialized\n115\n', '');
  });

  test('a function without results prints nothing of its own; extra arguments stay the guest\'s', async () => {
    expect(await kiln(['run', '--invoke', 'greet', lib(), 'extra', 'args']), 0, 'initialized\nhello from greet\n', '');
  });

  test('a command with --invoke: the function only, _start does not run', async () => {
    const command = programPath('command_export');
    expect(await kiln(['run', '--invoke', 'answer', command]), 0, '42\n', '');
    expect(await kiln(['run', command]), 0, 'started\n', '');
  });

  test('a library without memory or WASI, as text', async () => {
    const wat = file('math.wat', '(module (func (export "sub") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1))))');
    expect(await kiln(['run', '--invoke', 'sub', wat, '5', '8']), 0, '-3\n', '');
  });

  test('proc_exit inside the function: its status, no results', async () => {
    expect(await kiln(['run', '--invoke', 'leave', lib(), '9']), 9, 'initialized\ninitialized\n', '');
  });

  test('a trap inside the function: status 134 and the trap', async () => {
    const r = await kiln(['run', '--invoke', 'crash', lib()]);
    assert.equal(r.status, 134);
    assert.equal(r.stdout, 'initialized\n');
    assert.match(r.stderr, /^Error: the guest trapped: unreachable\nwasm backtrace:\n {2}0: /);
  });

  test('no such export, not a function, missing or bad arguments: status 2 before anything runs', async () => {
    expect(await kiln(['run', '--invoke', 'nope', lib()]), 2, '',
      "kiln: --invoke nope: the module exports no function named 'nope' (exported functions: _initialize, add, mul64, half32, div64, swap, greet, leave, crash)\n");
    expect(await kiln(['run', '--invoke', 'version', lib()]), 2, '', "kiln: --invoke version: the export 'version' is a global, not a function\n");
    expect(await kiln(['run', '--invoke', 'add', lib(), '1']), 2, '', 'kiln: --invoke add: not enough arguments: add takes 2 (i32, i32), got 1\n');
    expect(await kiln(['run', '--invoke', 'add', lib(), '1', 'two']), 2, '', "kiln: --invoke add: argument 2 ('two') is not a valid i32\n");
    expect(await kiln(['run', '--invoke', 'add', lib(), '1', '4294967296']), 2, '', "kiln: --invoke add: argument 2 ('4294967296') is not a valid i32\n");
    expect(await kiln(['run', '--invoke', 'half32', lib(), '1.5.2']), 2, '', "kiln: --invoke half32: argument 1 ('1.5.2') is not a valid f32\n");
  });

  test('--invoke cannot be combined with --timeout yet', async () => {
    expect(await kiln(['run', '--timeout', '5s', '--invoke', 'add', lib(), '1', '2']), 2, '',
      'kiln: --invoke cannot be combined with --timeout yet (the worker that can be stopped runs _start only)\n');
  });
});

describe('unknown imports', { concurrency: 4 }, () => {
  // foo() -> i32, bar(i32) -> (i64, f32); exits with 40 + foo().
  const unknown = () => file('unknown.wat', `(module
  (import "env" "foo" (func $foo (result i32)))
  (import "env" "bar" (func $bar (param i32) (result i64 f32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $bar (i32.const 1))) (drop)
    (call $exit (i32.add (i32.const 40) (call $foo)))))
`);

  test('without a policy: status 1, each missing import, and how to stand in for them', async () => {
    expect(await kiln(['run', unknown()]), 1, '',
      'kiln: cannot run unknown.wat: the module needs imports Kiln does not provide:\n' +
      '  env.foo (function)\n' +
      '  env.bar (function)\n' +
      '(--trap-unknown-imports or --default-values-unknown-imports stand in for missing functions)\n');
  });

  test('--trap-unknown-imports: the first call traps, naming the import', async () => {
    for (const flags of [['--trap-unknown-imports'], ['-W', 'unknown-imports-trap']]) {
      const r = await kiln(['run', ...flags, unknown()]);
      assert.equal(r.status, 134, flags.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Error: the guest trapped: unknown import env\.bar was called\nwasm backtrace:\n {2}0: /);
    }
  });

  test('--default-values-unknown-imports: zeros of each result type', async () => {
    expect(await kiln(['run', '--default-values-unknown-imports', unknown()]), 40, '', '');
    expect(await kiln(['run', '-W', 'unknown-imports-default=y', unknown()]), 40, '', '');
  });

  test('only functions are stood in for: a missing global still fails', async () => {
    const wat = file('global.wat', '(module (import "env" "f" (func)) (import "env" "g" (global i32)) (func (export "_start")))');
    expect(await kiln(['run', '--trap-unknown-imports', wat]), 1, '',
      'kiln: cannot run global.wat: the module needs imports Kiln does not provide:\n  env.g (global)\n');
  });

  test('a result type without a default value: status 1', async () => {
    const wat = file('v128.wat', '(module (import "env" "v" (func (result v128))) (func (export "_start")))');
    expect(await kiln(['run', '--default-values-unknown-imports', wat]), 1, '',
      'kiln: cannot run v128.wat: cannot stand in for the import env.v: its result type v128 has no default value a host function can return\n');
  });
});

describe('-S, -W and --mapdir', { concurrency: 4 }, () => {
  test('-S inherit-env: the whole host environment, --env over it', async () => {
    const env = { KILN_A: 'one', KILN_B: 'two' };
    const envLines = (r: Result) => r.stdout.split('\n').filter((l) => l.startsWith('env: [') || /^environ count=\d+$/.test(l)).join('\n');
    const inherited = await kiln(['run', '-S', 'inherit-env', '--env', 'KILN_B=over', programPath('argsenv')], { env });
    assert.equal(inherited.status, 0, inherited.stderr);
    assert.equal(envLines(inherited), 'environ count=2\nenv: [KILN_A=one]\nenv: [KILN_B=over]');
    const plain = await kiln(['run', programPath('argsenv')], { env });
    assert.equal(envLines(plain), 'environ count=0');
  });

  test('--mapdir GUEST::HOST beside --dir HOST::GUEST, in order', async () => {
    expect(await kiln(['run', '--dir', 'data::/d', '--mapdir', '/m::data', '--dir', '.', programPath('preopen_names')]), 0, '/d\n/m\n.\n', '');
  });

  test('-S tcplisten: a listening socket after the directories', async () => {
    // Exits with the file type of fd 4 (6: SOCKET_STREAM), or 100 + errno.
    const wat = file('fd4.wat', `(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $e i32)
    (local.set $e (call $stat (i32.const 4) (i32.const 16)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (call $exit (i32.load8_u (i32.const 16)))))
`);
    expect(await kiln(['run', '--dir', 'data', '-S', 'tcplisten=127.0.0.1:0', wat]), 6, '', '');
    expect(await kiln(['run', '--dir', 'data', '-S', 'inherit-network', wat]), 108, '', '');
  });

  test('-W max-memory-size: the cap in bytes; a module needing more at start is refused (1 page, 2 pages)', async () => {
    const wat = file('two-pages.wat', '(module (memory (export "memory") 2) (func (export "_start")))');
    const message = 'kiln: cannot run two-pages.wat: the module needs 2 pages (128 KiB) of memory at start; the limit is 1 page\n';
    expect(await kiln(['run', '-W', 'max-memory-size=65536', wat]), 1, '', message);
    expect(await kiln(['run', '--max-memory', '64K', wat]), 1, '', message);
    expect(await kiln(['run', '-W', 'max-memory-size=131072', wat]), 0, '', '');
  });

  test('-W timeout: stops a guest that never returns', async () => {
    const wat = file('spin.wat', '(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))');
    expect(await kiln(['run', '-W', 'timeout=300ms', wat]), 124, '', 'kiln: the guest did not finish within its time limit of 300 ms and was stopped\n');
  });

  test('a key Kiln does not have: status 2, the keys it has', async () => {
    expect(await kiln(['run', '-S', 'inherit-env,http', lib()]), 2, '',
      "kiln: Kiln has no -S option 'http'; its -S options are inherit-env, inherit-network, tcplisten=HOST:PORT, threads, preview0, cli (try `kiln run --help`)\n");
    expect(await kiln(['run', '-W', 'threads=n', lib()]), 2, '', 'kiln: -W threads: Kiln cannot turn off the threads proposal, which it always has\n');
  });
});

describe('modules Kiln cannot run, options it cannot serve', { concurrency: 4 }, () => {
  test('no _start: use --invoke, or it is a library/reactor', async () => {
    expect(await kiln(['run', lib()]), 1, '',
      `kiln: cannot run ${lib()}: no _start: use --invoke NAME to call one of its functions (exported functions: _initialize, add, mul64, half32, div64, swap, greet, leave, crash), or this is a library/reactor, meant to be loaded by a host\n`);
  });

  test('WASI imports without an exported memory', async () => {
    const wat = file('no-memory.wat', '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory 1) (func (export "_start")))');
    expect(await kiln(['run', wat]), 1, '',
      'kiln: cannot run no-memory.wat: it exports no memory named "memory", which WASI needs to reach the guest\'s data (link with --export-memory)\n');
  });

  test('no memory and no WASI: _start runs all the same', async () => {
    expect(await kiln(['run', file('bare.wat', '(module (func (export "_start")))')]), 0, '', '');
  });

  test('a component that is no command (it exports no wasi:cli/run): said so, status 1', async () => {
    const component = file('component.wasm', new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
    expect(await kiln(['run', component]), 1, '',
      'kiln: cannot run component.wasm: the component exports no wasi:cli/run (it exports nothing): only commands can run\n');
  });

  test('a module of the 2022 wasix_snapshot_preview1 namespace: said so, status 1', async () => {
    const wat = file('wasix2022.wat', `(module
  (import "wasix_snapshot_preview1" "fd_pipe" (func (param i32 i32) (result i32)))
  (import "wasix_snapshot_preview1" "getcwd" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
`);
    expect(await kiln(['run', wat]), 1, '',
      'kiln: cannot run wasix2022.wat: it imports 2 functions from wasix_snapshot_preview1, which Kiln does not serve; it runs wasix_32v1 and wasix_64v1 (WASIX) and WASI preview 1 modules\n');
  });

  test('a single-threaded wasix_32v1 module runs on the calling thread: getcwd, proc_id, fd_pipe', async () => {
    // Writes getcwd's path, then "pid=1" when proc_id answers 1, then a line sent through a pipe.
    const wat = file('wasix.wat', `(module
  (import "wasix_32v1" "getcwd" (func $getcwd (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_id" (func $proc_id (param i32) (result i32)))
  (import "wasix_32v1" "fd_pipe" (func $fd_pipe (param i32 i32) (result i32)))
  (import "wasix_32v1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "through the pipe\\n")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (i32.store (i32.const 20) (i32.const 64))
    (drop (call $getcwd (i32.const 100) (i32.const 20)))
    (i32.store8 (i32.add (i32.const 100) (i32.load (i32.const 20))) (i32.const 10))
    (call $print (i32.const 100) (i32.add (i32.load (i32.const 20)) (i32.const 1)))
    (drop (call $proc_id (i32.const 24)))
    (if (i32.eq (i32.load (i32.const 24)) (i32.const 1))
      (then (i32.store (i32.const 200) (i32.const 0x3d646970)) (i32.store8 (i32.const 204) (i32.const 0x31))
            (i32.store8 (i32.const 205) (i32.const 10)) (call $print (i32.const 200) (i32.const 6))))
    (drop (call $fd_pipe (i32.const 40) (i32.const 44)))
    (i32.store (i32.const 48) (i32.const 300))
    (i32.store (i32.const 52) (i32.const 17))
    (drop (call $fd_write (i32.load (i32.const 44)) (i32.const 48) (i32.const 1) (i32.const 56)))
    (i32.store (i32.const 48) (i32.const 400))
    (i32.store (i32.const 52) (i32.const 64))
    (drop (call $fd_read (i32.load (i32.const 40)) (i32.const 48) (i32.const 1) (i32.const 56)))
    (call $print (i32.const 400) (i32.load (i32.const 56)))))
`);
    expect(await kiln(['run', wat]), 0, '/\npid=1\nthrough the pipe\n', '');
  });

  test('--command needs an absolute guest path and a readable file', async () => {
    expect(await kiln(['run', '--command', 'sh=dash.wasm', programPath('hello')]), 2, '',
      "kiln: --command needs GUEST_PATH=HOST_FILE with an absolute guest path (e.g. /bin/sh=dash.wasm), got 'sh=dash.wasm'\n");
    expect(await kiln(['run', '--command', '/bin/sh=/no/such/file.wasm', programPath('hello')]), 2, '', 'kiln: --command: cannot read /no/such/file.wasm: ENOENT\n');
  });

  test('--env NAME unset on the host', async () => {
    const env = { ...process.env };
    delete env['KILN_SURELY_UNSET'];
    expect(await kiln(['run', '--env', 'KILN_SURELY_UNSET', lib()], { env }), 2, '',
      'kiln: --env KILN_SURELY_UNSET: KILN_SURELY_UNSET is unset in the host environment (give --env KILN_SURELY_UNSET=VALUE to set it)\n');
  });

  test('--dir that does not exist or is not a directory', async () => {
    file('plain.txt', 'x');
    expect(await kiln(['run', '--dir', 'nope', lib()]), 2, '', 'kiln: --dir nope: no such directory\n');
    expect(await kiln(['run', '--dir', 'plain.txt::/p', lib()]), 2, '', 'kiln: --dir plain.txt: not a directory\n');
    expect(await kiln(['run', '--dir', 'plain.txt/sub', lib()]), 2, '', 'kiln: --dir plain.txt/sub: not a directory (a part of the path is a file)\n');
  });

  test('--max-fds below what stdio and the preopens take: refused, saying how many', async () => {
    expect(await kiln(['run', '--max-fds', '3', '--dir', 'data', programPath('preopen_names')]), 2, '',
      'kiln: --max-fds 3 is too low: stdio (3) and 1 preopened directory take 4 descriptors before the guest starts; give at least --max-fds 4 (and more for the files the guest opens, or it gets EMFILE)\n');
    expect(await kiln(['run', '--max-fds', '4', '--dir', 'data', programPath('preopen_names')]), 0, 'data\n', '');
  });

  test('an unknown option: status 2, and where to look', async () => {
    expect(await kiln(['run', '--bogus', lib()]), 2, '', "kiln: unknown option '--bogus' (try `kiln run --help`)\n");
  });
});

describe('help', { concurrency: 4 }, () => {
  test('kiln run --help and kiln help run: the options of run only', async () => {
    const r = await kiln(['run', '--help']);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: kiln run \[OPTIONS\] MODULE \[--\] \[ARGS\.\.\.\]\n/);
    for (const option of ['--invoke NAME', '--mapdir GUEST::HOST', '--trap-unknown-imports', '-S KEY', '-W KEY', 'inherit-env', 'max-memory-size=BYTES']) {
      assert.ok(r.stdout.includes(option), option);
    }
    assert.doesNotMatch(r.stdout, /--host-callback|kiln wapc/);
    assert.deepEqual(await kiln(['help', 'run']), r);
    assert.deepEqual(await kiln(['run', '-h', '--nope']), r);
  });

  test('kiln --help and kiln help: the overview', async () => {
    const r = await kiln(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^kiln \d+\.\d+\.\d+ — a WebAssembly system runtime\n\nUsage:\n {2}kiln run \[OPTIONS\] MODULE/);
    assert.match(r.stdout, /\n {2}kiln wapc \[OPTIONS\] MODULE\.wasm OPERATION/);
    assert.match(r.stdout, /\n {2}kiln transpile \[--jspi\] \[-o FILE\] COMPONENT\.wasm\n/);
    assert.deepEqual([(await kiln(['help', 'transpile'])).stdout.split('\n')[0], (await kiln(['transpile', '--help'])).status], ['Usage: kiln transpile [OPTIONS] COMPONENT.wasm', 0]);
    assert.doesNotMatch(r.stdout, /--max-fds|--host-callback/);
    assert.deepEqual(await kiln(['help']), r);
    expect(await kiln(['help', 'nope']), 2, '', "kiln: no command 'nope': the commands are run, serve, transpile, wapc and demo (try `kiln --help`)\n");
  });

  test('kiln demo: its help, and a usage error for a wrong option or port (the server itself: test/browser/demo.test.ts)', async () => {
    const r = await kiln(['help', 'demo']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: kiln demo \[--host HOST\] \[--port PORT\]\n/);
    assert.deepEqual(await kiln(['demo', '--help']), r);
    expect(await kiln(['demo', '--nope']), 2, '', "kiln: demo: Unknown option '--nope' (try `kiln demo --help`)\n");
    expect(await kiln(['demo', '--port', 'http']), 2, '', "kiln: demo: --port takes a port number, not 'http'\n");
  });

  test('--help after the module is the guest\'s', async () => {
    const r = await kiln(['run', programPath('argsenv'), '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^argc=2\nargv\[0\]=\[.*argsenv\.wasm\]\nargv\[1\]=\[--help\]\n/);
  });
});

describe('--trace with stderr a pipe', { concurrency: 2 }, () => {
  // The guest's stderr comes out where it wrote it: before the trace line of the
  // fd_write that wrote it ("thr" and "ee\n" are two writes in a row).
  const transcript = [
    'one',
    '[kiln trace] fd_write(fd=2, iovs=0x0, iovs_len=1, nwritten_out=0x8) = SUCCESS',
    '[kiln trace] random_get(buf=0x64, buf_len=4) = SUCCESS',
    'two',
    '[kiln trace] fd_write(fd=2, iovs=0x0, iovs_len=1, nwritten_out=0x8) = SUCCESS',
    '[kiln trace] clock_time_get(id=MONOTONIC, precision=1, time_out=0xc8) = SUCCESS',
    'thr[kiln trace] fd_write(fd=2, iovs=0x0, iovs_len=1, nwritten_out=0x8) = SUCCESS',
    'ee',
    '[kiln trace] fd_write(fd=2, iovs=0x0, iovs_len=1, nwritten_out=0x8) = SUCCESS',
    '[kiln trace] proc_exit(rval=3) -> ProcessExit',
    '',
  ].join('\n');

  test('direct mode: guest stderr and trace lines in order', async () => {
    expect(await kiln(['run', '--trace', programPath('trace_stderr')], { cwd: repoRoot }), 3, '', transcript);
  });

  test('worker mode (--timeout): the same order', async () => {
    expect(await kiln(['run', '--trace', '--timeout', '20s', programPath('trace_stderr')], { cwd: repoRoot }), 3, '', transcript);
  });
});
