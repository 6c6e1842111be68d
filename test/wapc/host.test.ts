/**
 * WapcHost with the built-in WebAssemblyEngine: the protocol as
 * docs/wapc.md states it, against guests built from source
 * (test/programs/wapc: AssemblyScript with @wapc/as-guest, WAT, Rust).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CaptureStream, GuestCallFailureError, GuestCallTimeoutError, InitFailedError, MemoryFileSystem, ReplacementFailedError,
  WapcError, WapcHost, WebAssemblyEngine, messagepack, type HostCallback,
} from '../../src/node.js';
import { bytes, guest, text } from '../helpers/wapc.js';

const quiet = { consoleLog: () => undefined };

/** Expects a GuestCallFailureError with exactly this message. */
function failsWith(fn: () => unknown, message: string): GuestCallFailureError {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    assert.ok(e instanceof GuestCallFailureError, `expected GuestCallFailureError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
  return caught as GuestCallFailureError;
}

describe('AssemblyScript guest (@wapc/as-guest)', () => {
  const calls: [number, string, string, string, string][] = [];
  const callback: HostCallback = (id, binding, namespace, operation, payload) => {
    calls.push([id, binding, namespace, operation, text(payload)]);
    if (text(payload) === 'please fail') throw new Error('nope: ünïcode ✓');
    return bytes([...text(payload)].reverse().join(''));
  };
  const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), quiet), callback);

  test('echo returns the payload', () => {
    assert.equal(text(host.call('echo', bytes('hello, waPC'))), 'hello, waPC');
    assert.deepEqual(host.call('echo', new Uint8Array(0)), new Uint8Array(0));
  });

  test('operation names are sent as UTF-8 bytes (héllo is 6 bytes)', () => {
    assert.equal(text(host.call('héllo', bytes('wörld'))), 'héllo wörld');
  });

  test('a host call round trip carries id, binding, namespace, operation and payload', () => {
    calls.length = 0;
    assert.equal(text(host.call('reverse_via_host', bytes('abc✓'))), 'host said: ✓cba');
    assert.deepEqual(calls, [[host.id, 'default', 'kiln:test', 'reverse', 'abc✓']]);
  });

  test('a host error reaches the guest with its full UTF-8 text, without an "Error: " prefix', () => {
    failsWith(() => host.call('reverse_via_host', bytes('please fail')), 'host error: nope: ünïcode ✓');
  });

  test("a guest error is the guest's message", () => {
    const e = failsWith(() => host.call('fail', bytes('')), 'guest failure: ünïcode ✓');
    assert.equal(e.guestError, 'guest failure: ünïcode ✓');
    assert.equal(e.trap, undefined);
    assert.equal(e.operation, 'fail');
  });

  test('an unknown operation fails with the guest library\'s message', () => {
    failsWith(() => host.call('nope', bytes('')), 'Could not find function "nope"');
  });

  test('abort: the trap text and the guest\'s own message, and the instance keeps answering', () => {
    const before = Number(text(host.call('count', bytes(''))));
    let err: GuestCallFailureError | undefined;
    assert.throws(() => host.call('abort', bytes('')), (e: unknown) => {
      err = e as GuestCallFailureError;
      return e instanceof GuestCallFailureError;
    });
    assert.match(err!.message, /^wasm trap: unreachable; guest error: boom ✗/);
    assert.equal(err!.trap, 'unreachable');
    assert.match(err!.guestError!, /^boom ✗/);
    assert.ok(err!.cause instanceof WebAssembly.RuntimeError);
    // Same instance: its state survived the trap.
    assert.equal(Number(text(host.call('count', bytes('')))), before + 1);
  });

  test('a trap without a guest error reports the trap alone', () => {
    const e = failsWith(() => host.call('trap', bytes('')), 'wasm trap: unreachable');
    assert.equal(e.guestError, undefined);
    assert.equal(text(host.call('echo', bytes('after'))), 'after');
  });

  test('large payloads (4 MiB in, 8 MiB out) arrive intact', () => {
    const big = new Uint8Array(4 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    assert.deepEqual(host.call('echo', big), big);
    const out = host.call('big', bytes(String(8 << 20)));
    assert.equal(out.length, 8 << 20);
    for (const i of [0, 1, 255, 256, 65537, (8 << 20) - 1]) assert.equal(out[i], i & 0xff);
  });

  test('a guest that grows its memory mid-call is read through the new buffer', () => {
    assert.equal(text(host.call('grow', bytes('16'))), '16');
    assert.equal(text(host.call('grow', bytes('32'))), '32');
    assert.equal(text(host.call('echo', bytes('still fine'))), 'still fine');
  });

  test('console log goes to consoleLog with the host id', () => {
    const logs: [string, number][] = [];
    const h = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), { consoleLog: (m, id) => logs.push([m, id]) }));
    assert.equal(text(h.call('log', bytes('hi ✓'))), 'logged');
    assert.deepEqual(logs, [['log: hi ✓', h.id]]);
  });

  test('without a host callback the guest sees "Missing host callback function!"', () => {
    const h = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), quiet));
    failsWith(() => h.call('reverse_via_host', bytes('x')), 'host error: Missing host callback function!');
  });

  test('a callback returning a Promise is an error the guest reads, on the synchronous host', () => {
    const h = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), quiet), (() => Promise.resolve(bytes('late'))) as unknown as HostCallback);
    failsWith(() => h.call('reverse_via_host', bytes('x')), 'host error: the host callback returned a Promise, which a synchronous host cannot wait for (use WapcHostAsync)');
  });

  test('a callback may answer with a string (UTF-8)', () => {
    const h = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), quiet), (() => 'strïng') as unknown as HostCallback);
    assert.equal(text(h.call('reverse_via_host', bytes('x'))), 'host said: strïng');
  });

  test('a call from inside the host callback on the same host is refused, not re-entered', () => {
    let inner: unknown;
    const h: WapcHost = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), quiet), () => {
      try {
        h.call('echo', bytes('again'));
      } catch (e) {
        inner = e;
      }
      return bytes('ok');
    });
    assert.equal(text(h.call('reverse_via_host', bytes('x'))), 'host said: ok');
    assert.ok(inner instanceof WapcError);
    assert.match((inner as Error).message, /re-entrant/);
  });
});

describe('host ids', () => {
  test('ids are unique and increase by one per host', () => {
    const a = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_echo')));
    const b = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_echo')));
    assert.ok(a.id >= 1);
    assert.equal(b.id, a.id + 1);
  });
});

describe('return convention and protocol edge cases (WAT guest)', () => {
  const callback: HostCallback = (_id, b, n, o, p) => {
    if (text(p) === 'throw') throw new Error('host said no ✗');
    return bytes(`${b}|${n}|${o}|${text(p)}`);
  };
  const logs: string[] = [];
  const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_edge'), { consoleLog: (m) => logs.push(m) }), callback);
  const edge = (mode: number, rest = ''): Uint8Array => host.call('edge', new Uint8Array([mode, ...bytes(rest)]));

  test('success without a response or error: "No error message OR response set for call success"', () => {
    failsWith(() => edge(0), 'No error message OR response set for call success');
  });
  test('success with only an error set: the error', () => {
    failsWith(() => edge(1), 'only an error');
  });
  test('failure without a message: "No error message set for call failure"', () => {
    failsWith(() => edge(2), 'No error message set for call failure');
  });
  test('failure with a message', () => {
    failsWith(() => edge(3), 'bad input');
  });
  test('an empty response is a valid reply', () => {
    assert.deepEqual(edge(4), new Uint8Array(0));
  });
  test('state is reset between calls: nothing of the previous call leaks', () => {
    edge(4);
    failsWith(() => edge(3), 'bad input');
    failsWith(() => edge(0), 'No error message OR response set for call success');
    failsWith(() => edge(2), 'No error message set for call failure');
  });
  test('a trap after setting an error reports both', () => {
    const e = failsWith(() => edge(5), 'wasm trap: unreachable; guest error: about to trap');
    assert.equal(e.guestError, 'about to trap');
  });
  test('an out-of-bounds response pointer fails the call and the host keeps serving', () => {
    assert.throws(() => edge(6), (e: unknown) => {
      assert.ok(e instanceof GuestCallFailureError);
      assert.match(e.message, /^wasm trap: __guest_response: out-of-bounds memory access \(pointer 4294967280, length 64, memory size \d+\)$/);
      return true;
    });
    assert.deepEqual(edge(4), new Uint8Array(0));
  });
  test('a binding that is not UTF-8 is a host error (0), and the callback is not called', () => {
    assert.deepEqual([...edge(7)], [0, 0, 0, 0]);
  });
  test('memory grown mid-call: the response is read from the new pages', () => {
    assert.equal(text(edge(8, 'grown ✓')).slice(1), 'grown ✓');
  });
  test('host response and host error through the guest', () => {
    assert.equal(text(edge(9, 'ping')), 'R:b|n|op|ping');
    assert.equal(text(edge(9, 'throw')), 'E:host said no ✗');
  });
  test('console log', () => {
    logs.length = 0;
    assert.equal(text(edge(11, 'log ✓')), 'ok');
    assert.deepEqual(logs, ['log ✓']);
  });
  test('the request can be read twice in one call', () => {
    assert.equal(text(edge(12, 'twice')).slice(1), 'twice');
  });
});

describe('start functions', () => {
  test('_start, _initialize, wapc_init run in that order; host calls and console log work during init', () => {
    const seen: string[] = [];
    const logs: string[] = [];
    const host = new WapcHost(
      new WebAssemblyEngine(guest('wapc_wat_start'), { consoleLog: (m) => logs.push(m) }),
      (_id, b, n, o, p) => { seen.push(`${b}/${n}/${o}/${text(p)}`); return bytes(''); },
    );
    assert.equal(text(host.call('any', bytes(''))), 'siw');
    assert.deepEqual(seen, ['b/n/started/s']);
    assert.deepEqual(logs, ['start log']);
  });

  test('proc_exit(0) in _start is a normal end; wapc_init still runs', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_start_exit0')));
    assert.equal(text(host.call('any', bytes(''))), 'sw');
  });

  test('proc_exit(3) in _start fails initialisation', () => {
    assert.throws(() => new WapcHost(new WebAssemblyEngine(guest('wapc_wat_start_exit1'))), (e: unknown) => {
      assert.ok(e instanceof InitFailedError);
      assert.equal(e.message, '_start exited with status 3');
      return true;
    });
  });

  test('an AssemblyScript guest makes a host call from its start section', () => {
    const logs: string[] = [];
    const seen: string[] = [];
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_init'), { consoleLog: (m) => logs.push(m) }), (_id, b, n, o, p) => {
      seen.push(`${b}/${n}/${o}/${text(p)}`);
      return bytes('welcome');
    });
    assert.equal(text(host.call('init_result', bytes(''))), 'welcome');
    assert.deepEqual(seen, ['default/kiln:test/init/hello from init']);
    assert.deepEqual(logs, ['init log']);
  });

  test('missing exports and bad modules fail initialisation with the reason', () => {
    const cases: [Uint8Array, RegExp][] = [
      [guest('wapc_wat_nomem'), /does not export its memory as 'memory'/],
      [guest('wapc_wat_nocall'), /does not export '__guest_call'/],
      [new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]), /does not compile/],
    ];
    for (const [module, message] of cases) {
      assert.throws(() => new WapcHost(new WebAssemblyEngine(module)), (e: unknown) => {
        assert.ok(e instanceof InitFailedError, String(e));
        assert.match(e.message, message);
        return true;
      });
    }
  });
});

describe('hot swap', () => {
  test('later calls run the new module; id and callback are kept; start functions re-run', () => {
    const ids: number[] = [];
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_swap_v1'), quiet), (id) => { ids.push(id); return bytes(''); });
    const id = host.id;
    assert.equal(text(host.call('version', bytes(''))), 'v1');
    host.call('count', bytes(''));
    assert.equal(text(host.call('count', bytes(''))), '2');
    host.replaceModule(guest('wapc_as_swap_v2'));
    assert.equal(host.id, id);
    assert.equal(text(host.call('version', bytes(''))), 'v2');
    assert.equal(text(host.call('only_v2', bytes(''))), 'new');
    assert.equal(text(host.call('count', bytes(''))), '1', 'fresh guest state');
    host.replaceModule(guest('wapc_as_swap_v1'));
    assert.equal(text(host.call('version', bytes(''))), 'v1');
  });

  test('an invalid module throws ReplacementFailedError and the old module keeps serving', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_swap_v1'), quiet));
    host.call('count', bytes(''));
    for (const bad of [new Uint8Array([1, 2, 3]), guest('wapc_wat_nocall'), guest('wapc_wat_start_exit1')]) {
      assert.throws(() => host.replaceModule(bad), ReplacementFailedError);
    }
    assert.equal(text(host.call('version', bytes(''))), 'v1');
    assert.equal(text(host.call('count', bytes(''))), '2', 'the old instance, state and all');
  });
});

describe('time limit', () => {
  test('a runaway call is stopped, fails with GuestCallTimeoutError, and the host keeps serving', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_edge'), { timeoutMs: 200 }));
    const started = performance.now();
    assert.throws(() => host.call('spin', new Uint8Array([10])), (e: unknown) => {
      assert.ok(e instanceof GuestCallTimeoutError, String(e));
      assert.equal(e.message, 'wasm trap: guest call interrupted: time limit of 200 ms exceeded');
      return true;
    });
    const took = performance.now() - started;
    assert.ok(took >= 190 && took < 5000, `stopped after ${took} ms`);
    assert.deepEqual(host.call('edge', new Uint8Array([4])), new Uint8Array(0));
  });

  test('calls within the limit are unaffected', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_echo'), { ...quiet, timeoutMs: 5000 }));
    for (let i = 0; i < 20; i++) assert.equal(text(host.call('echo', bytes(`n${i}`))), `n${i}`);
  });

  test('timeoutMs must be a positive number', () => {
    assert.throws(() => new WebAssemblyEngine(guest('wapc_as_echo'), { timeoutMs: 0 }), RangeError);
  });
});

describe('WASI guests', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-wapc-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(work, 'data'));
  writeFileSync(join(work, 'data', 'hello.txt'), 'hello from the host ✓\n');
  writeFileSync(join(work, 'secret.txt'), 'not for guests');

  test('Rust guest: mapped directory, env, args, stdout and stderr', () => {
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_rust_wasi'), {
      wasi: {
        argv: ['guest', 'one', 'two'], env: { GREETING: 'hej' }, mapDirs: [['/data', join(work, 'data')]], stdout, stderr,
      },
    }));
    assert.equal(text(host.call('read', bytes('/data/hello.txt'))), 'hello from the host ✓\n');
    assert.equal(text(host.call('env', bytes('GREETING'))), 'hej');
    failsWith(() => host.call('env', bytes('MISSING')), 'unset');
    assert.equal(text(host.call('args', bytes(''))), 'guest one two');
    assert.equal(text(host.call('print', bytes('to the streams'))), 'printed');
    assert.equal(stdout.text(), 'to the streams\n');
    assert.equal(stderr.text(), 'err:to the streams\n');
    // The sandbox holds: nothing outside the mapped directory.
    assert.throws(() => host.call('read', bytes('/data/../secret.txt')), /^GuestCallFailureError: read failed: /);
  });

  test('a Kiln filesystem can be mapped', () => {
    const fs = new MemoryFileSystem({ 'note.txt': 'in memory' });
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_rust_wasi'), { wasi: { mapDirs: [['/mem', fs]] } }));
    assert.equal(text(host.call('read', bytes('/mem/note.txt'))), 'in memory');
  });

  test('TinyGo-style guest importing wasi_unstable: _start registers and exits 0, calls then work', () => {
    const stdout = new CaptureStream();
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_tinygo'), { wasi: { stdout } }));
    assert.equal(text(host.call('hello', bytes('payload ✓'))), 'hello from tinygo-style guest');
    assert.equal(stdout.text(), 'tinygo guest started\npayload ✓\n');
  });

  test('WASI settings are kept across a hot swap', () => {
    const stdout = new CaptureStream();
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_wat_tinygo'), { wasi: { stdout, env: { A: 'b' }, mapDirs: [['/data', join(work, 'data')]] } }));
    host.replaceModule(guest('wapc_rust_wasi'));
    assert.equal(text(host.call('env', bytes('A'))), 'b');
    assert.equal(text(host.call('read', bytes('/data/hello.txt'))), 'hello from the host ✓\n');
  });
});

describe('MessagePack payloads with an AssemblyScript guest (@wapc/as-msgpack)', () => {
  test('a struct map in, a struct map out', () => {
    const host = new WapcHost(new WebAssemblyEngine(guest('wapc_as_msgpack'), quiet));
    const reply = host.call('greet', messagepack.serialize({ name: 'Ada ✓', age: 36 }));
    assert.deepEqual(messagepack.deserialize(reply), { message: 'Hello, Ada ✓!', next_age: 37 });
  });
});
