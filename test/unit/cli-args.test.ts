/**
 * `kiln run` argument parsing: wasmtime-style flags before the module,
 * everything after the module (or after `--`) passed to the guest as is,
 * and usage errors with exact messages.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs, UsageError, type RunArgs } from '../../src/cli/run-args.js';

function usage(argv: string[], message: string): void {
  assert.throws(() => parseRunArgs(argv), (e: unknown) => {
    assert.ok(e instanceof UsageError, `threw ${String(e)}`);
    assert.equal(e.name, 'UsageError');
    assert.equal(e.message, message);
    return true;
  });
}

function parsed(partial: Partial<RunArgs>): RunArgs {
  return { module: '', guestArgs: [], dirs: [], env: [], listen: [], trace: false, limits: {}, ...partial };
}

describe('module and guest arguments', () => {
  test('just a module', () => {
    assert.deepEqual(parseRunArgs(['prog.wasm']), parsed({ module: 'prog.wasm' }));
  });

  test('arguments after the module go to the guest untouched, flags included', () => {
    assert.deepEqual(parseRunArgs(['prog.wasm', 'a', '--dir', 'x', '-v', '--env=A=1']),
      parsed({ module: 'prog.wasm', guestArgs: ['a', '--dir', 'x', '-v', '--env=A=1'] }));
  });

  test('-- right after the module is dropped; a second -- is passed on', () => {
    assert.deepEqual(parseRunArgs(['prog.wasm', '--', '--help']), parsed({ module: 'prog.wasm', guestArgs: ['--help'] }));
    assert.deepEqual(parseRunArgs(['prog.wasm', '--', '--']), parsed({ module: 'prog.wasm', guestArgs: ['--'] }));
    assert.deepEqual(parseRunArgs(['prog.wasm', 'a', '--']), parsed({ module: 'prog.wasm', guestArgs: ['a', '--'] }));
  });

  test('-- before the module ends the options: a module name may start with -', () => {
    assert.deepEqual(parseRunArgs(['--trace', '--', '-odd.wasm', 'x']),
      parsed({ module: '-odd.wasm', guestArgs: ['x'], trace: true }));
  });

  test('a lone - is a module name, not an option', () => {
    assert.deepEqual(parseRunArgs(['-', 'a']), parsed({ module: '-', guestArgs: ['a'] }));
  });

  test('missing module: a UsageError', () => {
    const message = 'missing the module to run: kiln run [OPTIONS] MODULE.wasm [ARGS...]';
    usage([], message);
    usage(['--trace'], message);
    usage(['--dir', '.'], message);
    usage(['--'], message);
  });
});

describe('--dir', () => {
  test('--dir HOST::GUEST', () => {
    assert.deepEqual(parseRunArgs(['--dir', '/host/data::/data', 'p.wasm']).dirs, [{ host: '/host/data', guest: '/data' }]);
  });

  test('--dir HOST maps to the same guest path', () => {
    assert.deepEqual(parseRunArgs(['--dir', '.', 'p.wasm']).dirs, [{ host: '.', guest: '.' }]);
  });

  test('--dir=X and --dir=HOST::GUEST', () => {
    assert.deepEqual(parseRunArgs(['--dir=.', 'p.wasm']).dirs, [{ host: '.', guest: '.' }]);
    assert.deepEqual(parseRunArgs(['--dir=/tmp::/t', 'p.wasm']).dirs, [{ host: '/tmp', guest: '/t' }]);
  });

  test('only the first :: separates; the rest belongs to the guest path', () => {
    assert.deepEqual(parseRunArgs(['--dir', 'a::b::c', 'p.wasm']).dirs, [{ host: 'a', guest: 'b::c' }]);
  });

  test('several --dir keep their order', () => {
    assert.deepEqual(parseRunArgs(['--dir', 'a', '--dir=b::/b', '--dir', 'c::c2', 'p.wasm']).dirs, [
      { host: 'a', guest: 'a' }, { host: 'b', guest: '/b' }, { host: 'c', guest: 'c2' },
    ]);
  });

  test('an empty host or guest path: a UsageError', () => {
    usage(['--dir', '::/g', 'p.wasm'], "--dir needs HOST[::GUEST], got '::/g'");
    usage(['--dir=/h::', 'p.wasm'], "--dir needs HOST[::GUEST], got '/h::'");
    usage(['--dir=', 'p.wasm'], "--dir needs HOST[::GUEST], got ''");
  });

  test('--dir without a value: a UsageError', () => {
    usage(['--dir'], "option '--dir' needs a value");
  });

  test('the value after --dir is taken even when it starts with -', () => {
    assert.deepEqual(parseRunArgs(['--dir', '-x', 'p.wasm']).dirs, [{ host: '-x', guest: '-x' }]);
  });
});

describe('--env', () => {
  const saved = process.env['KILN_TEST_INHERITED'];
  beforeEach(() => { process.env['KILN_TEST_INHERITED'] = 'from host'; });
  afterEach(() => {
    if (saved === undefined) delete process.env['KILN_TEST_INHERITED'];
    else process.env['KILN_TEST_INHERITED'] = saved;
  });

  test('--env NAME=VALUE and --env=NAME=VALUE; the value may hold = and be empty', () => {
    assert.deepEqual(parseRunArgs(['--env', 'A=1', '--env=B=x=y', '--env', 'C=', 'p.wasm']).env,
      [['A', '1'], ['B', 'x=y'], ['C', '']]);
  });

  test('--env NAME inherits the host value', () => {
    assert.deepEqual(parseRunArgs(['--env', 'KILN_TEST_INHERITED', 'p.wasm']).env, [['KILN_TEST_INHERITED', 'from host']]);
  });

  test('--env NAME not set on the host: a UsageError', () => {
    delete process.env['KILN_TEST_INHERITED'];
    usage(['--env', 'KILN_TEST_INHERITED', 'p.wasm'], "--env needs NAME=VALUE, got 'KILN_TEST_INHERITED'");
  });

  test('--env with an empty name: a UsageError', () => {
    usage(['--env', '=x', 'p.wasm'], "--env needs NAME=VALUE, got '=x'");
    usage(['--env=', 'p.wasm'], "--env needs NAME=VALUE, got ''");
  });

  test('--env without a value: a UsageError', () => {
    usage(['--env'], "option '--env' needs a value");
  });
});

describe('other options', () => {
  test('--trace', () => {
    assert.equal(parseRunArgs(['--trace', 'p.wasm']).trace, true);
    assert.equal(parseRunArgs(['p.wasm', '--trace']).trace, false);
  });

  test('--trace=VALUE: a UsageError', () => {
    usage(['--trace=1', 'p.wasm'], '--trace takes no value');
  });

  test('--listen and its alias --tcplisten collect addresses in order', () => {
    assert.deepEqual(
      parseRunArgs(['--listen', '127.0.0.1:8080', '--tcplisten=[::1]:9000', 'p.wasm']).listen,
      ['127.0.0.1:8080', '[::1]:9000'],
    );
  });

  test('everything together', () => {
    assert.deepEqual(
      parseRunArgs(['--dir=/h::/g', '--env', 'A=1', '--trace', '--listen', 'localhost:1', 'm.wasm', 'x', '--', 'y']),
      {
        module: 'm.wasm', guestArgs: ['x', '--', 'y'], dirs: [{ host: '/h', guest: '/g' }],
        env: [['A', '1']], listen: ['localhost:1'], trace: true, limits: {},
      },
    );
  });
});

describe('limits', () => {
  test('sizes, counts and durations', () => {
    assert.deepEqual(
      parseRunArgs(['--max-memory', '1G', '--max-fds=64', '--max-threads', '8', '--timeout', '1.5s', 'm.wasm']).limits,
      { memoryPages: 16384, descriptors: 64, threads: 8, timeoutMs: 1500 },
    );
    assert.equal(parseRunArgs(['--max-memory=64KiB', 'm.wasm']).limits.memoryPages, 1);
    assert.equal(parseRunArgs(['--max-memory=100000', 'm.wasm']).limits.memoryPages, 2);
    assert.equal(parseRunArgs(['--max-memory=256M', 'm.wasm']).limits.memoryPages, 4096);
    assert.equal(parseRunArgs(['--timeout=500ms', 'm.wasm']).limits.timeoutMs, 500);
    assert.equal(parseRunArgs(['--timeout=2m', 'm.wasm']).limits.timeoutMs, 120_000);
    assert.equal(parseRunArgs(['--timeout=3', 'm.wasm']).limits.timeoutMs, 3000);
  });

  test('bad values are usage errors naming the flag', () => {
    usage(['--max-memory', 'lots', 'm.wasm'], "--max-memory needs a size such as 256M or 1G, got 'lots'");
    usage(['--max-memory', '8G', 'm.wasm'], "--max-memory must be between 64K and 4G, got '8G'");
    usage(['--max-fds', '0', 'm.wasm'], "--max-fds needs a positive whole number, got '0'");
    usage(['--max-threads', '-2', 'm.wasm'], "--max-threads needs a positive whole number, got '-2'");
    usage(['--timeout', 'soon', 'm.wasm'], "--timeout needs a duration such as 500ms, 10s or 2m, got 'soon'");
  });
});

describe('unknown options', () => {
  test('an unknown long option: a UsageError naming it', () => {
    usage(['--nope', 'p.wasm'], "unknown option '--nope'");
  });

  test('an unknown option with =VALUE is named without its value', () => {
    usage(['--nope=3', 'p.wasm'], "unknown option '--nope'");
  });

  test('an unknown short option', () => {
    usage(['-x', 'p.wasm'], "unknown option '-x'");
    usage(['-=x', 'p.wasm'], "unknown option '-=x'");
  });

  test('options are matched exactly (no prefixes)', () => {
    usage(['--di', '.', 'p.wasm'], "unknown option '--di'");
    usage(['--DIR', '.', 'p.wasm'], "unknown option '--DIR'");
  });
});
