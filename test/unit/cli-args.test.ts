/**
 * `kiln run` argument parsing: wasmtime-style flags before the module
 * (including its -S/-W option groups and older spellings), everything
 * after the module (or after `--`) passed to the guest as is, and usage
 * errors with exact messages.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloat, formatResults, invokeArgs } from '../../src/cli/invoke.js';
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
  return { module: '', guestArgs: [], dirs: [], env: [], inheritEnv: false, listen: [], commands: [], trace: false, limits: {}, help: false, ...partial };
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
    usage(['--env', 'KILN_TEST_INHERITED', 'p.wasm'],
      '--env KILN_TEST_INHERITED: KILN_TEST_INHERITED is unset in the host environment (give --env KILN_TEST_INHERITED=VALUE to set it)');
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
        env: [['A', '1']], inheritEnv: false, listen: ['localhost:1'], commands: [], trace: true, limits: {}, help: false,
      },
    );
  });
});

describe('--argv0', () => {
  test('names argv[0]; the module path stays the module', () => {
    const r = parseRunArgs(['--argv0', 'app', 'm.wasm', 'x']);
    assert.equal(r.argv0, 'app');
    assert.equal(r.module, 'm.wasm');
    assert.deepEqual(r.guestArgs, ['x']);
  });
});

describe('limits', () => {
  test('sizes, counts and durations', () => {
    assert.deepEqual(
      parseRunArgs(['--max-memory', '1G', '--max-fds=64', '--max-threads', '8', '--max-sockets', '16', '--timeout', '1.5s', 'm.wasm']).limits,
      { memoryPages: 16384, descriptors: 64, threads: 8, sockets: 16, timeoutMs: 1500 },
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
  const TRY = ' (try `kiln run --help`)';

  test('an unknown long option: a UsageError naming it', () => {
    usage(['--nope', 'p.wasm'], `unknown option '--nope'${TRY}`);
  });

  test('an unknown option with =VALUE is named without its value', () => {
    usage(['--nope=3', 'p.wasm'], `unknown option '--nope'${TRY}`);
  });

  test('an unknown short option', () => {
    usage(['-x', 'p.wasm'], `unknown option '-x'${TRY}`);
    usage(['-=x', 'p.wasm'], `unknown option '-=x'${TRY}`);
  });

  test('options are matched exactly (no prefixes)', () => {
    usage(['--di', '.', 'p.wasm'], `unknown option '--di'${TRY}`);
    usage(['--DIR', '.', 'p.wasm'], `unknown option '--DIR'${TRY}`);
  });
});

describe('--mapdir GUEST::HOST (wasmtime\'s older spelling)', () => {
  test('the guest path comes first; it joins --dir in order', () => {
    assert.deepEqual(parseRunArgs(['--dir', 'a', '--mapdir', '/data::/host/data', '--mapdir=/x::y::z', 'p.wasm']).dirs, [
      { host: 'a', guest: 'a' }, { host: '/host/data', guest: '/data' }, { host: 'y::z', guest: '/x' },
    ]);
  });

  test('without :: or with an empty side: a UsageError', () => {
    usage(['--mapdir', '/data', 'p.wasm'], "--mapdir needs GUEST::HOST (guest path first), got '/data'");
    usage(['--mapdir', '::/h', 'p.wasm'], "--mapdir needs GUEST::HOST (guest path first), got '::/h'");
    usage(['--mapdir', '/g::', 'p.wasm'], "--mapdir needs GUEST::HOST (guest path first), got '/g::'");
  });
});

describe('--invoke and unknown imports', () => {
  test('--invoke NAME and --invoke=NAME; the guest arguments stay guest arguments', () => {
    assert.deepEqual(parseRunArgs(['--invoke', 'add', 'lib.wasm', '1', '2']),
      parsed({ module: 'lib.wasm', guestArgs: ['1', '2'], invoke: 'add' }));
    assert.equal(parseRunArgs(['--invoke=', 'lib.wasm']).invoke, '');
    usage(['--invoke'], "option '--invoke' needs a value");
  });

  test('--trap-unknown-imports, --default-values-unknown-imports and their -W spellings', () => {
    assert.equal(parseRunArgs(['--trap-unknown-imports', 'p.wasm']).unknownImports, 'trap');
    assert.equal(parseRunArgs(['--default-values-unknown-imports', 'p.wasm']).unknownImports, 'default');
    assert.equal(parseRunArgs(['-W', 'unknown-imports-trap', 'p.wasm']).unknownImports, 'trap');
    assert.equal(parseRunArgs(['-Wunknown-imports-default=y', 'p.wasm']).unknownImports, 'default');
    assert.equal(parseRunArgs(['--trap-unknown-imports', '-W', 'unknown-imports-trap=n', 'p.wasm']).unknownImports, undefined);
  });

  test('asking for both policies: a UsageError', () => {
    const message = 'unknown imports can either trap or return default values, not both';
    usage(['--trap-unknown-imports', '--default-values-unknown-imports', 'p.wasm'], message);
    usage(['-W', 'unknown-imports-trap,unknown-imports-default', 'p.wasm'], message);
  });

  test('a switch given a value: a UsageError', () => {
    usage(['--trap-unknown-imports=1', 'p.wasm'], '--trap-unknown-imports takes no value');
  });
});

describe('-S and -W option groups', () => {
  test('-S inherit-env, -S tcplisten (repeatable, comma-separated), -S inherit-network accepted', () => {
    const args = parseRunArgs(['-S', 'inherit-env,tcplisten=127.0.0.1:1', '-Stcplisten=[::1]:2', '--wasi=inherit-network', '--listen', 'h:3', 'p.wasm']);
    assert.equal(args.inheritEnv, true);
    assert.deepEqual(args.listen, ['127.0.0.1:1', '[::1]:2', 'h:3']);
    assert.equal(parseRunArgs(['-S', 'inherit-env', '-S=inherit-env=n', 'p.wasm']).inheritEnv, false);
  });

  test('-W max-memory-size in bytes (rounded down to pages), -W timeout in wasmtime\'s units', () => {
    assert.deepEqual(parseRunArgs(['-W', 'max-memory-size=1048576,timeout=2s', 'p.wasm']).limits, { memoryPages: 16, timeoutMs: 2000 });
    assert.equal(parseRunArgs(['-W', 'max-memory-size=100000', 'p.wasm']).limits.memoryPages, 1);
    assert.equal(parseRunArgs(['-W', 'max-memory-size=0x20000', 'p.wasm']).limits.memoryPages, 2);
    assert.equal(parseRunArgs(['-W', 'max-memory-size=1_048_576', 'p.wasm']).limits.memoryPages, 16);
    assert.equal(parseRunArgs(['--wasm', 'timeout=5', 'p.wasm']).limits.timeoutMs, 5000);
    assert.equal(parseRunArgs(['-W', 'timeout=250ms', 'p.wasm']).limits.timeoutMs, 250);
    assert.equal(parseRunArgs(['-W', 'timeout=1500us', 'p.wasm']).limits.timeoutMs, 1.5);
    // The later of --timeout and -W timeout wins, as with any repeated option.
    assert.equal(parseRunArgs(['--timeout', '1s', '-W', 'timeout=3s', 'p.wasm']).limits.timeoutMs, 3000);
  });

  test('features Kiln always has: y accepted, n refused', () => {
    assert.deepEqual(parseRunArgs(['-W', 'threads,simd=y,tail-call', '-S', 'threads', 'p.wasm']), parsed({ module: 'p.wasm' }));
    usage(['-W', 'threads=n', 'p.wasm'], '-W threads: Kiln cannot turn off the threads proposal, which it always has');
    usage(['-S', 'preview0=no', 'p.wasm'], '-S preview0: Kiln cannot turn off wasi_unstable (preview 0), which it always has');
    usage(['-S', 'inherit-env=maybe', 'p.wasm'], "-S inherit-env takes y or n (or nothing, for y), got 'maybe'");
  });

  test('an unknown or unsupported key: a UsageError listing the supported ones', () => {
    usage(['-S', 'http', 'p.wasm'],
      "Kiln has no -S option 'http'; its -S options are inherit-env, inherit-network, tcplisten=HOST:PORT, threads, preview0, cli (try `kiln run --help`)");
    usage(['-W', 'timeout=1s,fuel=10', 'p.wasm'],
      "Kiln has no -W option 'fuel'; its -W options are max-memory-size=BYTES, timeout=DURATION, unknown-imports-trap, unknown-imports-default, threads, shared-memory, bulk-memory, multi-value, reference-types, simd, tail-call (try `kiln run --help`)");
    usage(['-S', '', 'p.wasm'],
      '-S needs KEY[=VALUE]; its -S options are inherit-env, inherit-network, tcplisten=HOST:PORT, threads, preview0, cli (try `kiln run --help`)');
  });

  test('bad or missing values: a UsageError naming the key', () => {
    usage(['-W', 'max-memory-size', 'p.wasm'], '-W max-memory-size needs a value: max-memory-size=268435456');
    usage(['-W', 'max-memory-size=lots', 'p.wasm'], "-W max-memory-size needs a size such as 256M or 1G, got 'lots'");
    usage(['-W', 'max-memory-size=1000', 'p.wasm'], "-W max-memory-size must be between 64K and 4G, got '1000'");
    usage(['-W', 'timeout=soon', 'p.wasm'], "-W timeout needs a duration such as 500ms, 10s or 2m, got 'soon'");
    usage(['-S', 'tcplisten', 'p.wasm'], '-S tcplisten needs a value: tcplisten=127.0.0.1:8080');
    usage(['-S'], "option '-S' needs a value");
  });
});

describe('help', () => {
  test('-h or --help among the options asks for the help, whatever comes after', () => {
    assert.equal(parseRunArgs(['--help']).help, true);
    assert.equal(parseRunArgs(['-h']).help, true);
    assert.equal(parseRunArgs(['--dir', '.', '--help', '--nope']).help, true);
  });

  test('after the module, --help is the guest\'s', () => {
    assert.deepEqual(parseRunArgs(['p.wasm', '--help']), parsed({ module: 'p.wasm', guestArgs: ['--help'] }));
  });
});

describe('--invoke arguments and results', () => {
  const throwsUsage = (fn: () => unknown, message: string) => assert.throws(fn, (e: unknown) => e instanceof UsageError && e.message === message);

  test('arguments by parameter type: i32 and i64 signed, unsigned or hex; floats as Rust reads them', () => {
    assert.deepEqual(invokeArgs('f', { params: ['i32', 'i32', 'i32', 'i32'], results: [] }, ['-2147483648', '4294967295', '0x7FFFFFFF', '+5']),
      [-2147483648, -1, 2147483647, 5]);
    assert.deepEqual(invokeArgs('f', { params: ['i64', 'i64'], results: [] }, ['18446744073709551615', '-9223372036854775808']),
      [-1n, -9223372036854775808n]);
    const [a, b, c, d, e] = invokeArgs('f', { params: ['f32', 'f64', 'f64', 'f64', 'f32'], results: [] }, ['0.1', '-inf', 'NaN', '.5e1', 'Infinity']);
    assert.deepEqual([a, b, d, e], [Math.fround(0.1), -Infinity, 5, Infinity]);
    assert.ok(Number.isNaN(c));
  });

  test('only the first arguments are the function\'s; the rest stay in argv', () => {
    assert.deepEqual(invokeArgs('f', { params: ['i32'], results: [] }, ['1', 'x', 'y']), [1]);
  });

  test('bad, missing and unpassable arguments', () => {
    const t = { params: ['i32'], results: [] };
    throwsUsage(() => invokeArgs('f', t, ['']), "--invoke f: argument 1 ('') is not a valid i32");
    throwsUsage(() => invokeArgs('f', t, ['1.0']), "--invoke f: argument 1 ('1.0') is not a valid i32");
    throwsUsage(() => invokeArgs('f', t, ['-2147483649']), "--invoke f: argument 1 ('-2147483649') is not a valid i32");
    throwsUsage(() => invokeArgs('f', { params: ['f64'], results: [] }, ['0x10']), "--invoke f: argument 1 ('0x10') is not a valid f64");
    throwsUsage(() => invokeArgs('f', { params: ['i64', 'f32'], results: [] }, []), '--invoke f: not enough arguments: f takes 2 (i64, f32), got 0');
    throwsUsage(() => invokeArgs('f', { params: ['externref'], results: [] }, ['x']),
      '--invoke f: arguments of type externref cannot be given on the command line; f takes (externref)');
    throwsUsage(() => invokeArgs('f', { params: [], results: ['v128'] }, []),
      '--invoke f: Kiln cannot call a function that returns v128 (JavaScript cannot receive one)');
  });

  test('floats as Rust displays them: shortest round-trip digits, never an exponent', () => {
    assert.equal(formatFloat(1.5, false), '1.5');
    assert.equal(formatFloat(3, false), '3');
    assert.equal(formatFloat(1e21, false), '1000000000000000000000');
    assert.equal(formatFloat(1.25e-7, false), '0.000000125');
    assert.equal(formatFloat(-0, false), '-0');
    assert.equal(formatFloat(NaN, true), 'NaN');
    assert.equal(formatFloat(-Infinity, true), '-inf');
    assert.equal(formatFloat(Math.fround(0.1), true), '0.1');
    assert.equal(formatFloat(Math.fround(16777217), true), '16777216');
    assert.equal(formatFloat(Math.fround(3.4028234663852886e38), true), '340282350000000000000000000000000000000');
    assert.equal(formatFloat(Math.fround(1e-45), true), '0.000000000000000000000000000000000000000000001');
  });

  test('results one per line, by type; references by kind', () => {
    assert.equal(formatResults({ params: [], results: [] }, undefined), '');
    assert.equal(formatResults({ params: [], results: ['i64'] }, -5n), '-5\n');
    assert.equal(formatResults({ params: [], results: ['i32', 'f64', 'externref', 'funcref'] }, [-1, 0.5, null, () => 0]),
      '-1\n0.5\n<null externref>\n<funcref>\n');
  });
});

describe('--command', () => {
  test('GUEST_PATH=HOST_FILE, repeatable', () => {
    assert.deepEqual(parseRunArgs(['--command', '/bin/sh=dash.wasm', '--command=/usr/bin/wc=wc.wasm', 'prog.wasm']),
      parsed({ module: 'prog.wasm', commands: [{ guest: '/bin/sh', host: 'dash.wasm' }, { guest: '/usr/bin/wc', host: 'wc.wasm' }] }));
  });
});
