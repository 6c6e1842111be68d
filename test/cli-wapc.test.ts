/**
 * `kiln wapc` end to end: node bin/kiln.js wapc ... as a child process,
 * against the waPC guests of test/programs/wapc (exact stdout bytes, stderr
 * text and exit status). bin/kiln.js loads dist/: `npm test` builds it;
 * when running this file alone, run `npm run build` and
 * `node scripts/build-programs.mjs` first.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { programPath, repoRoot } from './helpers/programs.js';
import { runKilnCommand, type CommandOptions, type CommandResult } from './helpers/runners.js';

type Result = CommandResult;

/** Runs `node bin/kiln.js wapc ARGS...` from the repository root; killed after 20 s (status null). */
function kilnWapc(args: string[], opts: CommandOptions = {}): Promise<Result> {
  return runKilnCommand(['wapc', ...args], opts);
}

/** Expects exactly this status, stdout (as UTF-8 text) and stderr. */
function expect(result: Result, status: number, stdout: string, stderr: string): void {
  assert.deepEqual(
    { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr },
    { status, stdout, stderr },
  );
}

const USAGE_TAIL = "Usage: kiln wapc [OPTIONS] MODULE.wasm OPERATION [PAYLOAD | @FILE | -]\nTry 'kiln wapc --help' for more information.\n";

const echo = programPath('wapc_as_echo');
const msgpack = programPath('wapc_as_msgpack');
const edge = programPath('wapc_wat_edge');
const rustWasi = programPath('wapc_rust_wasi');
const tinygo = programPath('wapc_wat_tinygo');
const node24 = path.join(repoRoot, 'build', 'node24', 'bin', 'node');

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-cli-wapc-'));
  writeFileSync(path.join(tmp, 'payload.bin'), Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x0a, 0x41]));
  writeFileSync(path.join(tmp, 'ada.json'), '{"name":"Ada","age":36}\n');
  // Answers synchronously, with a string: the reversed payload and what it was called with.
  writeFileSync(path.join(tmp, 'sync-callback.mjs'), [
    'export default function (id, binding, namespace, operation, payload) {',
    '  const text = [...new TextDecoder().decode(payload)].reverse().join("");',
    '  return `${text} (${id} ${binding} ${namespace} ${operation})`;',
    '}',
  ].join('\n'));
  // Answers after a timer (a Promise), as the named export; "fail" rejects.
  writeFileSync(path.join(tmp, 'async-callback.mjs'), [
    'export async function hostCallback(id, binding, namespace, operation, payload) {',
    '  await new Promise((resolve) => setTimeout(resolve, 10));',
    '  const text = new TextDecoder().decode(payload);',
    '  if (text === "fail") throw new Error("nope: ünïcode ✓");',
    '  return new TextEncoder().encode([...text].reverse().join(""));',
    '}',
  ].join('\n'));
  writeFileSync(path.join(tmp, 'no-callback.mjs'), 'export const answer = 42;\n');
  writeFileSync(path.join(tmp, 'not-wasm.wasm'), 'just some text, no header\n');
  writeFileSync(path.join(tmp, 'bad.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff]));
  mkdirSync(path.join(tmp, 'data'));
  writeFileSync(path.join(tmp, 'data', 'note.txt'), 'from the host ✓\n');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('payload and reply', { concurrency: 4 }, () => {
  test('a literal payload: the reply bytes exactly, nothing added', async () => {
    expect(await kilnWapc([echo, 'echo', 'hello, waPC']), 0, 'hello, waPC', '');
  });

  test('no payload: an empty one, an empty reply', async () => {
    const r = await kilnWapc([echo, 'echo']);
    expect(r, 0, '', '');
    assert.equal(r.stdout.length, 0);
  });

  test('@FILE: the file\'s bytes, binary included', async () => {
    const r = await kilnWapc([echo, 'echo', `@${path.join(tmp, 'payload.bin')}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([...r.stdout], [0x00, 0x01, 0xfe, 0xff, 0x0a, 0x41]);
    assert.equal(r.stderr, '');
  });

  test('-: standard input to its end', async () => {
    const input = Buffer.concat([Buffer.from('from stdin ✓\n'), Buffer.alloc(70_000, 0x5a)]);
    const r = await kilnWapc([echo, 'echo', '-'], { stdin: input });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.equals(input), 'the reply is the whole of stdin');
  });

  test('a UTF-8 operation name (héllo)', async () => {
    expect(await kilnWapc([echo, 'héllo', 'wörld']), 0, 'héllo wörld', '');
  });

  test('a payload that starts with - goes after --', async () => {
    expect(await kilnWapc([echo, 'echo', '--', '--json']), 0, '--json', '');
  });
  test('a guest that calls the host from its wasm start section (AssemblyScript) starts', async () => {
    // Without --host-callback its init-time host call gets the host error, which it keeps.
    expect(await kilnWapc([programPath('wapc_as_init'), 'init_result']), 0, 'error: Missing host callback function!', 'Guest module 1: init log\n');
  });
});

describe('--json', { concurrency: 4 }, () => {
  test('greet: JSON in, MessagePack to the guest, JSON and a newline out', async () => {
    expect(await kilnWapc([msgpack, 'greet', '{"name":"Ada","age":36}', '--json']), 0, '{"message":"Hello, Ada!","next_age":37}\n', '');
  });

  test('from a file and from stdin', async () => {
    const expected = '{"message":"Hello, Ada!","next_age":37}\n';
    expect(await kilnWapc(['--json', msgpack, 'greet', `@${path.join(tmp, 'ada.json')}`]), 0, expected, '');
    expect(await kilnWapc([msgpack, 'greet', '-', '--json'], { stdin: '{"age":36,"name":"Ada"}' }), 0, expected, '');
  });

  test('a round trip through echo', async () => {
    const json = '{"a":[1,-2,2.5,null,true,"ü"],"b":{"c":4294967296}}';
    expect(await kilnWapc([echo, 'echo', json, '--json']), 0, `${json}\n`, '');
  });

  test('the guest\'s decode error is a guest call failure', async () => {
    const r = await kilnWapc([msgpack, 'greet', '{"name":"Ada"}', '--json']);
    expect(r, 1, '', 'kiln wapc: guest call failed: missing field: age\n');
  });

  test('a payload that is not JSON: a usage error, status 2', async () => {
    const r = await kilnWapc([msgpack, 'greet', '{"name":', '--json']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /^kiln wapc: --json: the payload is not valid JSON: .+\n$/);
  });

  test('a reply that is not MessagePack (empty): status 1', async () => {
    // JSON 4 is the byte 0x04: wapc_wat_edge's case 4 answers an empty response.
    expect(await kilnWapc([edge, 'x', '4', '--json']), 1, '', 'kiln wapc: --json: the reply is empty, not MessagePack\n');
  });
});

describe('failures', { concurrency: 4 }, () => {
  test('a guest error: status 1 and the guest\'s message', async () => {
    expect(await kilnWapc([echo, 'fail']), 1, '', 'kiln wapc: guest call failed: guest failure: ünïcode ✓\n');
  });

  test('an operation the guest does not have', async () => {
    expect(await kilnWapc([echo, 'nope', 'x']), 1, '', 'kiln wapc: guest call failed: Could not find function "nope"\n');
  });

  test('a trap after the guest set its error: both', async () => {
    // case 5: __guest_error("about to trap"), then unreachable
    expect(await kilnWapc([edge, 'x', '\x05']), 1, '', 'kiln wapc: guest call failed: wasm trap: unreachable; guest error: about to trap\n');
  });

  test('a module without __guest_call: the start failure, status 1', async () => {
    expect(await kilnWapc([programPath('wapc_wat_nocall'), 'x']), 1, '', "kiln wapc: the module does not export '__guest_call'\n");
  });

  test('a start function that exits non-zero', async () => {
    expect(await kilnWapc([programPath('wapc_wat_start_exit1'), 'x']), 1, '', 'kiln wapc: _start exited with status 3\n');
  });

  test('a module that does not compile: status 1', async () => {
    const r = await kilnWapc([path.join(tmp, 'bad.wasm'), 'x']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^kiln wapc: the module does not compile: .+\n$/);
  });

  test('--timeout stops an endless call: status 124', async () => {
    const started = Date.now();
    // case 10: an infinite loop
    expect(await kilnWapc([edge, 'x', '\n', '--timeout', '200ms']), 124, '',
      'kiln wapc: guest call failed: wasm trap: guest call interrupted: time limit of 200 ms exceeded\n');
    assert.ok(Date.now() - started < 10_000);
  });
});

describe('host callbacks', { concurrency: 4 }, () => {
  test('without --host-callback the guest\'s host call gets "Missing host callback function!"', async () => {
    expect(await kilnWapc([echo, 'reverse_via_host', 'abc']), 1, '', 'kiln wapc: guest call failed: host error: Missing host callback function!\n');
  });

  test('a synchronous default export, relative to the working directory; a string answer', async () => {
    expect(await kilnWapc([echo, 'reverse_via_host', 'abc✓', '--host-callback', './sync-callback.mjs'], { cwd: tmp }), 0,
      'host said: ✓cba (1 default kiln:test reverse)', '');
  });

  test('an asynchronous named export (hostCallback): its Promise is awaited', async () => {
    expect(await kilnWapc([echo, 'reverse_via_host', 'abc✓', '--host-callback', path.join(tmp, 'async-callback.mjs')]), 0, 'host said: ✓cba', '');
  });

  test('a rejection reaches the guest as the host error', async () => {
    expect(await kilnWapc([echo, 'reverse_via_host', 'fail', '--host-callback', path.join(tmp, 'async-callback.mjs')]), 1, '',
      'kiln wapc: guest call failed: host error: nope: ünïcode ✓\n');
  });

  test('with --timeout (the guest in a worker)', async () => {
    expect(await kilnWapc([echo, 'reverse_via_host', 'xyz', '--timeout', '10s', '--host-callback', path.join(tmp, 'async-callback.mjs')]), 0, 'host said: zyx', '');
    expect(await kilnWapc([edge, 'x', '\n', '--timeout', '200ms', '--host-callback', path.join(tmp, 'async-callback.mjs')]), 124, '',
      'kiln wapc: guest call failed: wasm trap: guest call interrupted: time limit of 200 ms exceeded\n');
  });

  test('on Node 24 (JSPI): the same answers', { skip: existsSync(node24) ? false : 'no build/node24 (scripts/fetch-node24.mjs)' }, async () => {
    const callback = path.join(tmp, 'async-callback.mjs');
    expect(await kilnWapc([echo, 'reverse_via_host', 'abc✓', '--host-callback', callback], { node: node24 }), 0, 'host said: ✓cba', '');
    expect(await kilnWapc([echo, 'reverse_via_host', 'fail', '--host-callback', callback], { node: node24 }), 1, '',
      'kiln wapc: guest call failed: host error: nope: ünïcode ✓\n');
  });

  test('a callback file without a function export, or missing: status 2', async () => {
    const file = path.join(tmp, 'no-callback.mjs');
    expect(await kilnWapc([echo, 'echo', '--host-callback', file]), 2, '',
      `kiln wapc: ${file} exports no host callback (a function as its default export or as 'hostCallback')\n`);
    expect(await kilnWapc([echo, 'echo', '--host-callback', 'missing.mjs'], { cwd: tmp }), 2, '', 'kiln wapc: no such file: missing.mjs\n');
  });
});

describe('WASI guests and the guest\'s output', { concurrency: 4 }, () => {
  test('--dir: a mapped directory', async () => {
    expect(await kilnWapc([rustWasi, 'read', '/data/note.txt', '--dir', `${path.join(tmp, 'data')}::/data`]), 0, 'from the host ✓\n', '');
  });

  test('without --dir nothing of the host is reachable', async () => {
    expect(await kilnWapc([rustWasi, 'read', '/data/note.txt']), 1, '',
      'kiln wapc: guest call failed: read failed: failed to find a pre-opened file descriptor through which "/data/note.txt" could be opened\n');
  });

  test('--env: exactly the variables given', async () => {
    expect(await kilnWapc([rustWasi, 'env', 'GREETING', '--env', 'GREETING=hi there']), 0, 'hi there', '');
    expect(await kilnWapc([rustWasi, 'env', 'HOME']), 1, '', 'kiln wapc: guest call failed: unset\n');
  });

  test('--arg: argv[0] is the module as given, then the --arg values', async () => {
    const rel = path.relative(repoRoot, rustWasi);
    expect(await kilnWapc([rel, 'args', '--arg', 'one', '--arg', 'two words']), 0, `${rel} one two words`, '');
  });

  test('print: the guest\'s stdout and stderr go to stderr; stdout holds only the reply', async () => {
    expect(await kilnWapc([rustWasi, 'print', 'hi ✓']), 0, 'printed', 'hi ✓\nerr:hi ✓\n');
  });

  test('print with --host-callback (the async engine): the same', async () => {
    expect(await kilnWapc([rustWasi, 'print', 'hi', '--host-callback', path.join(tmp, 'sync-callback.mjs')]), 0, 'printed', 'hi\nerr:hi\n');
  });

  test('a TinyGo-style guest (wasi_unstable, _start ending in proc_exit(0))', async () => {
    expect(await kilnWapc([tinygo, 'anything', 'pay']), 0, 'hello from tinygo-style guest', 'tinygo guest started\npay\n');
  });

  test('__console_log: "Guest module {id}: {message}" on stderr', async () => {
    // case 11: __console_log(rest), answer "ok"
    expect(await kilnWapc([edge, 'x', '\x0bhello, log ✓']), 0, 'ok', 'Guest module 1: hello, log ✓\n');
  });

  test('start functions run first; a host call and a log during _start', async () => {
    expect(await kilnWapc([programPath('wapc_wat_start'), 'x']), 0, 'siw', 'Guest module 1: start log\n');
  });
});

describe('usage', { concurrency: 4 }, () => {
  test('kiln wapc --help and kiln --help', async () => {
    const r = await kilnWapc(['--help']);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout.toString(), /^Usage:\n {2}kiln wapc \[OPTIONS\] MODULE\.wasm OPERATION \[PAYLOAD \| @FILE \| -\]\n/);
    assert.match(r.stdout.toString(), /--host-callback FILE/);
    const h = await kilnWapc([echo, 'echo', '-h']);
    assert.deepEqual(h.stdout, r.stdout);
    const top = (await runKilnCommand(['--help'])).stdout.toString();
    // The overview names the command; its options are in kiln wapc --help (and kiln help wapc).
    assert.match(top, /kiln wapc \[OPTIONS\] MODULE\.wasm OPERATION/);
    assert.doesNotMatch(top, /--host-callback/);
  });

  test('no arguments: the help, status 2', async () => {
    const r = await kilnWapc([]);
    assert.equal(r.status, 2);
    assert.match(r.stdout.toString(), /^Usage:\n/);
  });

  test('a missing operation, extra arguments, an unknown option', async () => {
    expect(await kilnWapc([echo]), 2, '', `kiln wapc: missing the operation to call\n${USAGE_TAIL}`);
    expect(await kilnWapc([echo, 'echo', 'a', 'b']), 2, '', `kiln wapc: unexpected argument 'b' (one payload at most)\n${USAGE_TAIL}`);
    expect(await kilnWapc([echo, 'echo', '--trace']), 2, '', `kiln wapc: unknown option '--trace'\n${USAGE_TAIL}`);
    expect(await kilnWapc([echo, 'echo', '--timeout', 'soon']), 2, '',
      `kiln wapc: --timeout needs a duration such as 500ms, 10s or 2m, got 'soon'\n${USAGE_TAIL}`);
  });

  test('a missing module, a file that is not wasm, a missing payload file: status 2', async () => {
    expect(await kilnWapc(['nope.wasm', 'echo'], { cwd: tmp }), 2, '', 'kiln wapc: no such file: nope.wasm\n');
    expect(await kilnWapc(['not-wasm.wasm', 'echo'], { cwd: tmp }), 2, '', 'kiln wapc: not-wasm.wasm is not a WebAssembly module (no \\0asm header)\n');
    expect(await kilnWapc([echo, 'echo', '@missing.bin'], { cwd: tmp }), 2, '', 'kiln wapc: no such file: missing.bin\n');
  });
});
