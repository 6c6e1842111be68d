/**
 * The built-in engines' options: a function as `wasi.stdout`/`wasi.stderr`
 * receives exactly what the guest writes (on the caller's thread and from
 * a worker), and every wrong value is refused when the engine is
 * constructed, with a message naming the option and what it accepts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MemoryFileSystem, NullStream, WapcHost, WapcHostAsync, WapcHostPool, WebAssemblyEngine, WebAssemblyEngineAsync, WorkerEngine,
  type WebAssemblyEngineOptions,
} from '../../src/node.js';
import { bytes, guest, text } from '../helpers/wapc.js';

const decoder = new TextDecoder();
const joined = (chunks: Uint8Array[]): string => chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();

describe('a function as WASI output', () => {
  test('stdout and stderr functions receive the guest\'s exact output (WebAssemblyEngine)', () => {
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_rust_wasi'), {
      wasi: { stdout: (data) => { out.push(data); }, stderr: (data) => { err.push(data); } },
    }));
    try {
      assert.equal(text(host.call('print', bytes('to the streams ✓'))), 'printed');
      assert.equal(joined(out), 'to the streams ✓\n');
      assert.equal(joined(err), 'err:to the streams ✓\n');
      assert.ok(out.every((c) => c instanceof Uint8Array));
    } finally {
      host.close();
    }
  });

  test('output written by a start function reaches the function too (wasi_unstable guest)', () => {
    const out: Uint8Array[] = [];
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_tinygo'), { wasi: { stdout: (data) => { out.push(data); } } }));
    try {
      assert.equal(joined(out), 'tinygo guest started\n');
      assert.equal(text(host.call('hello', bytes('payload ✓'))), 'hello from tinygo-style guest');
      assert.equal(joined(out), 'tinygo guest started\npayload ✓\n');
    } finally {
      host.close();
    }
  });

  test('a function is forwarded from the worker (WebAssemblyEngineAsync, mode worker)', async () => {
    const out: Uint8Array[] = [];
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_wat_tinygo'), { mode: 'worker', wasi: { stdout: (data) => { out.push(data); } } }));
    try {
      assert.equal(text(await host.call('hello', bytes('p'))), 'hello from tinygo-style guest');
      assert.equal(joined(out), 'tinygo guest started\np\n');
    } finally {
      await host.close();
    }
  });
});

/** Every refused value: the options, the error class and its exact message. */
const REFUSED: [string, unknown, typeof TypeError | typeof RangeError, string][] = [
  ['options not an object', 'quiet', TypeError, 'the engine options must be an object, not the string "quiet"'],
  ['wasi not an object', { wasi: true }, TypeError,
    'wasi must be an object (the WASI settings: argv, env, mapDirs, preopenedDirs, stdout and stderr), not true'],
  ['an unknown WASI setting', { wasi: { args: ['a'] } }, TypeError,
    'wasi.args is not an option; the WASI settings are argv, env, mapDirs, preopenedDirs, stdout and stderr'],
  ['stdout a string', { wasi: { stdout: 'capture' } }, TypeError,
    'wasi.stdout must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not the string "capture"'],
  ['stdout an object without write()', { wasi: { stdout: { filetype: 0 } } }, TypeError,
    'wasi.stdout must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not an object without write()'],
  ['stderr an object without filetype', { wasi: { stderr: { write: () => 0 } } }, TypeError,
    'wasi.stderr must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not an object without filetype'],
  ['stderr a negative number', { wasi: { stderr: -1 } }, TypeError,
    'wasi.stderr must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not the number -1'],
  ['stdout null', { wasi: { stdout: null } }, TypeError,
    'wasi.stdout must be a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write, not null'],
  ['argv a string', { wasi: { argv: 'guest one' } }, TypeError, 'wasi.argv must be an array of strings, not the string "guest one"'],
  ['argv with a number', { wasi: { argv: ['guest', 2] } }, TypeError, 'wasi.argv[1] must be a string, not the number 2'],
  ['env a string', { wasi: { env: 'A=b' } }, TypeError,
    'wasi.env must be a record of strings or an array of [name, value] pairs of strings, not the string "A=b"'],
  ['env value a number', { wasi: { env: { A: 1 } } }, TypeError, 'wasi.env.A must be a string, not the number 1'],
  ['env pair malformed', { wasi: { env: [['A', 'b'], ['C']] } }, TypeError, 'wasi.env[1] must be a [name, value] pair of strings, not an array'],
  ['mapDirs an object', { wasi: { mapDirs: { '/data': '.' } } }, TypeError,
    'wasi.mapDirs must be an array of [guestPath, hostPath or FileSystem] pairs, not an object'],
  ['mapDirs entry a string', { wasi: { mapDirs: ['/data'] } }, TypeError,
    'wasi.mapDirs[0] must be a [guestPath, hostPath or FileSystem] pair, not the string "/data"'],
  ['mapDirs guest path a number', { wasi: { mapDirs: [[1, '.']] } }, TypeError, 'wasi.mapDirs[0][0] must be a guest path (a string), not the number 1'],
  ['mapDirs target a number', { wasi: { mapDirs: [['/data', 3]] } }, TypeError,
    'wasi.mapDirs[0][1] must be a host directory path (a string) or a FileSystem (an object with root), not the number 3'],
  ['preopenedDirs a string', { wasi: { preopenedDirs: '/tmp' } }, TypeError, 'wasi.preopenedDirs must be an array of strings, not the string "/tmp"'],
  ['consoleLog not a function', { consoleLog: console }, TypeError, 'consoleLog must be a function (message, id) => void, not an object'],
  ['timeoutMs a string', { timeoutMs: '100' }, TypeError, 'timeoutMs must be a positive number of milliseconds, not the string "100"'],
  ['timeoutMs zero', { timeoutMs: 0 }, RangeError, 'timeoutMs must be a positive number of milliseconds, not 0'],
  ['timeoutMs infinite', { timeoutMs: Infinity }, RangeError, 'timeoutMs must be a positive number of milliseconds, not Infinity'],
];

describe('wrong options are refused when the engine is constructed', () => {
  for (const [what, options, kind, message] of REFUSED) {
    test(`WebAssemblyEngine: ${what}`, () => {
      assert.throws(() => new WebAssemblyEngine(guest('wapc_wat_echo'), options as WebAssemblyEngineOptions), (e: unknown) => {
        assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
        assert.equal(e.constructor, kind);
        assert.equal((e as Error).message, message);
        return true;
      });
    });
  }

  test('the asynchronous engine, the worker engine and a pool check the same way', async () => {
    const options = { wasi: { stdout: 'capture' } } as unknown as WebAssemblyEngineOptions;
    const message = REFUSED.find(([what]) => what === 'stdout a string')![3];
    assert.throws(() => new WebAssemblyEngineAsync(guest('wapc_wat_echo'), { ...options, mode: 'worker' }), { name: 'TypeError', message });
    assert.throws(() => new WorkerEngine(guest('wapc_wat_echo'), options), { name: 'TypeError', message });
    await assert.rejects(WapcHostPool.create(guest('wapc_wat_echo'), { engine: options }), { name: 'TypeError', message });
  });

  test('the asynchronous engine\'s mode is checked', () => {
    assert.throws(() => new WebAssemblyEngineAsync(guest('wapc_wat_echo'), { mode: 'threads' as 'worker' }), {
      name: 'TypeError', message: "mode must be 'jspi' or 'worker', not the string \"threads\"",
    });
  });

  test('a filesystem object in mapDirs is refused by the worker engine at construction', () => {
    assert.throws(() => new WorkerEngine(guest('wapc_wat_echo'), { wasi: { mapDirs: [['/mem', new MemoryFileSystem()]] } }), {
      name: 'TypeError', message: 'mapDirs: /mem is mapped to a filesystem object, which cannot reach a worker; map a host directory path',
    });
  });

  test('every accepted form is accepted', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_rust_wasi'), {
      wasi: {
        argv: ['guest'], env: [['A', 'b']], mapDirs: [['/mem', new MemoryFileSystem({ 'x.txt': 'x' })]], preopenedDirs: [],
        stdout: new NullStream(), stderr: 2,
      },
      consoleLog: () => undefined,
      timeoutMs: 10_000,
    }));
    try {
      assert.equal(text(host.call('env', bytes('A'))), 'b');
      assert.equal(text(host.call('read', bytes('/mem/x.txt'))), 'x');
    } finally {
      host.close();
    }
    new WebAssemblyEngine(guest('wapc_wat_echo'), { wasi: { env: { A: 'b' }, stdout: undefined } });
    new WebAssemblyEngine(guest('wapc_wat_echo'), undefined);
  });
});
