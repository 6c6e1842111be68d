/**
 * `kiln wapc` argument parsing (src/cli/wapc-args.ts): positionals
 * MODULE OPERATION [PAYLOAD | @FILE | -] with options anywhere before
 * `--`, the flags shared with `kiln run`, usage errors with exact
 * messages; and the --json mapping helpers of src/cli/wapc.ts.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/run-args.js';
import { parseWapcArgs, type WapcArgs } from '../../src/cli/wapc-args.js';
import { jsonPayload, jsonReplacer, jsonReply } from '../../src/cli/wapc.js';
import { messagepack } from '../../src/node.js';

function usage(argv: string[], message: string): void {
  assert.throws(() => parseWapcArgs(argv), (e: unknown) => {
    assert.ok(e instanceof UsageError, `threw ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

function parsed(partial: Partial<WapcArgs>): WapcArgs {
  return {
    module: 'm.wasm', operation: 'op', payload: { kind: 'empty' }, json: false, dirs: [], env: [], guestArgs: [], help: false,
    ...partial,
  };
}

describe('positionals', () => {
  test('module and operation; no payload is an empty one', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op']), parsed({}));
  });

  test('a literal payload, @FILE and -', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', 'héllo wörld']).payload, { kind: 'literal', text: 'héllo wörld' });
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '@data/in.bin']).payload, { kind: 'file', path: 'data/in.bin' });
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '-']).payload, { kind: 'stdin' });
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '']).payload, { kind: 'literal', text: '' });
  });

  test('a UTF-8 operation name is kept as given', () => {
    assert.equal(parseWapcArgs(['m.wasm', 'héllo']).operation, 'héllo');
  });

  test('options may come before, between and after the positionals', () => {
    assert.deepEqual(
      parseWapcArgs(['--json', 'm.wasm', '--env', 'A=1', 'op', '--arg', 'x', '{}', '--timeout=2s']),
      parsed({ json: true, env: [['A', '1']], guestArgs: ['x'], payload: { kind: 'literal', text: '{}' }, timeoutMs: 2000 }),
    );
  });

  test('after -- everything is positional: a payload may start with -', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '--', '-5']).payload, { kind: 'literal', text: '-5' });
    assert.deepEqual(parseWapcArgs(['--', '-m.wasm', '--json', '--help']), parsed({ module: '-m.wasm', operation: '--json', payload: { kind: 'literal', text: '--help' } }));
  });

  test('missing module or operation, extra arguments, a bare @: UsageErrors', () => {
    usage([], 'missing the module and the operation to call');
    usage(['--json'], 'missing the module and the operation to call');
    usage(['m.wasm'], 'missing the operation to call');
    usage(['m.wasm', '--json'], 'missing the operation to call');
    usage(['m.wasm', 'op', 'a', 'b'], "unexpected argument 'b' (one payload at most)");
    usage(['m.wasm', 'op', '@'], "'@' needs a file name: @FILE");
  });
});

describe('options', () => {
  const saved = process.env['KILN_TEST_INHERITED'];
  beforeEach(() => { process.env['KILN_TEST_INHERITED'] = 'from host'; });
  afterEach(() => {
    if (saved === undefined) delete process.env['KILN_TEST_INHERITED'];
    else process.env['KILN_TEST_INHERITED'] = saved;
  });

  test('--dir HOST[::GUEST], repeatable, in order', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '--dir', '/h::/g', '--dir=.', '--dir', 'a::b::c']).dirs, [
      { host: '/h', guest: '/g' }, { host: '.', guest: '.' }, { host: 'a', guest: 'b::c' },
    ]);
  });

  test('--env NAME=VALUE and --env NAME (inherited)', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '--env', 'A=x=y', '--env=B=', '--env', 'KILN_TEST_INHERITED']).env,
      [['A', 'x=y'], ['B', ''], ['KILN_TEST_INHERITED', 'from host']]);
  });

  test('--arg is repeatable and takes values that look like options', () => {
    assert.deepEqual(parseWapcArgs(['m.wasm', 'op', '--arg', '-v', '--arg=--help', '--arg', '']).guestArgs, ['-v', '--help', '']);
  });

  test('--host-callback and --timeout', () => {
    const args = parseWapcArgs(['m.wasm', 'op', '--host-callback', './cb.mjs', '--timeout', '500ms']);
    assert.equal(args.hostCallback, './cb.mjs');
    assert.equal(args.timeoutMs, 500);
    assert.equal(parseWapcArgs(['m.wasm', 'op', '--timeout=1.5']).timeoutMs, 1500);
    assert.equal(parseWapcArgs(['m.wasm', 'op', '--timeout=2m']).timeoutMs, 120_000);
  });

  test('-h and --help win wherever they are before --, even without positionals', () => {
    assert.equal(parseWapcArgs(['--help']).help, true);
    assert.equal(parseWapcArgs(['m.wasm', '-h']).help, true);
    assert.equal(parseWapcArgs(['m.wasm', 'op', 'x', '--help', '--nope']).help, true);
    assert.equal(parseWapcArgs(['m.wasm', 'op', '--', '--help']).help, false);
  });

  test('bad values: UsageErrors with kiln run\'s messages', () => {
    usage(['m.wasm', 'op', '--dir', '::/g'], "--dir needs HOST[::GUEST], got '::/g'");
    usage(['m.wasm', 'op', '--env', '=x'], "--env needs NAME=VALUE, got '=x'");
    usage(['m.wasm', 'op', '--timeout', 'soon'], "--timeout needs a duration such as 500ms, 10s or 2m, got 'soon'");
    usage(['m.wasm', 'op', '--timeout', '0'], "--timeout needs a duration such as 500ms, 10s or 2m, got '0'");
    usage(['m.wasm', 'op', '--host-callback='], '--host-callback needs a file name');
    delete process.env['KILN_TEST_INHERITED'];
    usage(['m.wasm', 'op', '--env', 'KILN_TEST_INHERITED'],
      '--env KILN_TEST_INHERITED: KILN_TEST_INHERITED is unset in the host environment (give --env KILN_TEST_INHERITED=VALUE to set it)');
  });

  test('missing values, values on switches, unknown options', () => {
    usage(['m.wasm', 'op', '--dir'], "option '--dir' needs a value");
    usage(['m.wasm', 'op', '--host-callback'], "option '--host-callback' needs a value");
    usage(['m.wasm', 'op', '--json=1'], '--json takes no value');
    usage(['m.wasm', 'op', '--help=1'], '--help takes no value');
    usage(['m.wasm', 'op', '--trace'], "unknown option '--trace'");
    usage(['m.wasm', 'op', '--nope=3'], "unknown option '--nope'");
    usage(['m.wasm', 'op', '-x'], "unknown option '-x'");
    usage(['m.wasm', 'op', '--JSON'], "unknown option '--JSON'");
  });
});

describe('--json mapping', () => {
  const bytes = (value: unknown): Uint8Array => messagepack.serialize(value);

  test('the payload: JSON encoded as MessagePack (a struct map, smallest integers)', () => {
    const payload = jsonPayload(new TextEncoder().encode('{"name":"Ada","age":36}'));
    assert.deepEqual([...payload], [
      0x82, 0xa4, ...new TextEncoder().encode('name'), 0xa3, 0x41, 0x64, 0x61, 0xa3, ...new TextEncoder().encode('age'), 36,
    ]);
  });

  test('a payload that is not JSON or not UTF-8: a UsageError', () => {
    assert.throws(() => jsonPayload(new TextEncoder().encode('{"a":')), (e: unknown) =>
      e instanceof UsageError && e.message.startsWith('--json: the payload is not valid JSON: '));
    assert.throws(() => jsonPayload(new Uint8Array([0x22, 0xff, 0x22])), (e: unknown) =>
      e instanceof UsageError && e.message === '--json: the payload is not UTF-8 text');
  });

  test('the reply: one line of JSON', () => {
    assert.equal(jsonReply(bytes({ message: 'Hello, Ada!', next_age: 37 })), '{"message":"Hello, Ada!","next_age":37}\n');
    assert.equal(jsonReply(bytes(null)), 'null\n');
    assert.equal(jsonReply(bytes([1, 2.5, 'ü', true, { a: [] }])), '[1,2.5,"ü",true,{"a":[]}]\n');
  });

  test('64-bit integers: numbers when safe, decimal strings beyond', () => {
    const u64 = new Uint8Array([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(jsonReply(u64), '"18446744073709551615"\n');
    const i64 = new Uint8Array([0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(jsonReply(i64), '"-9223372036854775808"\n');
    const small = new Uint8Array([0xcf, 0, 0, 0, 0, 0, 0, 0, 7]);
    assert.equal(jsonReply(small), '7\n');
    assert.equal(jsonReply(bytes({ n: 2n ** 53n - 1n, m: 2n ** 53n })), '{"n":9007199254740991,"m":"9007199254740992"}\n');
  });

  test('bin: an array of byte values', () => {
    assert.equal(jsonReply(bytes({ data: new Uint8Array([0, 1, 255]) })), '{"data":[0,1,255]}\n');
  });

  test('the replacer leaves other values alone', () => {
    assert.equal(jsonReplacer('k', 'x'), 'x');
    assert.equal(jsonReplacer('k', 5), 5);
    assert.equal(jsonReplacer('k', -5n), -5);
  });

  test('an empty reply or one that is not MessagePack fails', () => {
    assert.throws(() => jsonReply(new Uint8Array(0)), { message: '--json: the reply is empty, not MessagePack' });
    assert.throws(() => jsonReply(new TextEncoder().encode('ok')), (e: unknown) =>
      e instanceof Error && e.message.startsWith('--json: the reply is not MessagePack: '));
  });
});
