/**
 * WapcHostAsync with the built-in WebAssemblyEngineAsync: host callbacks
 * that return Promises, in both ways of suspending the guest — a worker
 * waiting in Atomics.wait (any Node), and JSPI on the caller's thread
 * (Node 24, run as a child process with the Node 24 binary the test setup
 * fetches into build/node24).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import {
  CaptureStream, GuestCallFailureError, GuestCallTimeoutError, InitFailedError, ReplacementFailedError, WapcClosedError,
  WapcHostAsync, WebAssemblyEngineAsync, type HostCallbackAsync,
} from '../../src/node.js';
import { programPath, repoRoot } from '../helpers/programs.js';
import { bytes, delay, guest, text } from '../helpers/wapc.js';

const NODE24 = join(repoRoot, 'build', 'node24', 'bin', 'node');

/** A callback that answers after a real wait on the event loop, and fails on request. */
const slowReverse: HostCallbackAsync = async (_id, binding, namespace, operation, payload) => {
  await delay(20);
  if (text(payload) === 'please fail') throw new Error('nope: ünïcode ✓');
  return bytes(`${binding}/${namespace}/${operation}:${[...text(payload)].reverse().join('')}`);
};

describe('WapcHostAsync, guest in a worker (Atomics.wait)', () => {
  test('a Promise-returning host callback is awaited while the guest waits; errors keep their text', async () => {
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_as_echo'), { mode: 'worker' }), slowReverse);
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      assert.equal(text(await host.call('reverse_via_host', bytes('abc'))), 'host said: default/kiln:test/reverse:cba');
      clearInterval(timer);
      assert.ok(ticks >= 3, `the caller's event loop ran while the callback waited (${ticks} ticks)`);
      await assert.rejects(host.call('reverse_via_host', bytes('please fail')), (e: unknown) => {
        assert.ok(e instanceof GuestCallFailureError);
        assert.equal(e.message, 'host error: nope: ünïcode ✓');
        return true;
      });
      assert.equal(text(await host.call('héllo', bytes('x'))), 'héllo x');
    } finally {
      await host.close();
    }
  });

  test('concurrent calls are served one after another, each with its own state', async () => {
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_as_echo'), { mode: 'worker' }), slowReverse);
    try {
      const replies = await Promise.allSettled([
        host.call('echo', bytes('one')),
        host.call('fail', bytes('')),
        host.call('reverse_via_host', bytes('two')),
        host.call('count', bytes('')),
        host.call('count', bytes('')),
      ]);
      assert.deepEqual(replies.map((r) => (r.status === 'fulfilled' ? text(r.value) : (r.reason as Error).message)), [
        'one', 'guest failure: ünïcode ✓', 'host said: default/kiln:test/reverse:owt', '1', '2',
      ]);
    } finally {
      await host.close();
    }
  });

  test('traps, large payloads, memory growth, console log', async () => {
    const logs: [string, number][] = [];
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_as_echo'), {
      mode: 'worker', consoleLog: (m, id) => logs.push([m, id]),
    }));
    try {
      await assert.rejects(host.call('abort', bytes('')), /^GuestCallFailureError: wasm trap: unreachable; guest error: boom ✗/);
      const big = new Uint8Array(3 << 20).map((_, i) => i % 251);
      assert.deepEqual(await host.call('echo', big), big);
      assert.equal(text(await host.call('grow', bytes('8'))), '8');
      assert.equal(text(await host.call('log', bytes('from a worker'))), 'logged');
      assert.deepEqual(logs, [['log: from a worker', host.id]]);
      await assert.rejects(host.call('reverse_via_host', bytes('x')), /host error: Missing host callback function!/);
    } finally {
      await host.close();
    }
  });

  test('hot swap, a failed swap, and init failures', async () => {
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_as_swap_v1'), { mode: 'worker' }));
    try {
      assert.equal(text(await host.call('version', bytes(''))), 'v1');
      await assert.rejects(host.replaceModule(bytes('not wasm')), ReplacementFailedError);
      await assert.rejects(host.replaceModule(guest('wapc_wat_start_exit1')), (e: unknown) => {
        assert.ok(e instanceof ReplacementFailedError);
        assert.equal(e.message, '_start exited with status 3');
        return true;
      });
      assert.equal(text(await host.call('version', bytes(''))), 'v1');
      await host.replaceModule(guest('wapc_as_swap_v2'));
      assert.equal(text(await host.call('version', bytes(''))), 'v2');
    } finally {
      await host.close();
    }
    await assert.rejects(host.call('version', bytes('')), WapcClosedError);
    await assert.rejects(WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_wat_nocall'), { mode: 'worker' })), (e: unknown) => {
      assert.ok(e instanceof InitFailedError);
      assert.match(e.message, /does not export '__guest_call'/);
      return true;
    });
  });

  test('a time limit stops a runaway guest in its worker; the host keeps serving', async () => {
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_wat_edge'), { timeoutMs: 300 }));
    try {
      await assert.rejects(host.call('spin', new Uint8Array([10])), (e: unknown) => {
        assert.ok(e instanceof GuestCallTimeoutError, String(e));
        assert.equal(e.message, 'wasm trap: guest call interrupted: time limit of 300 ms exceeded');
        return true;
      });
      assert.deepEqual(await host.call('edge', new Uint8Array([4])), new Uint8Array(0));
    } finally {
      await host.close();
    }
  });

  test('WASI output given as a stream object is forwarded from the worker', async () => {
    const stdout = new CaptureStream();
    const host = await WapcHostAsync.create(new WebAssemblyEngineAsync(guest('wapc_wat_tinygo'), { mode: 'worker', wasi: { stdout } }));
    try {
      assert.equal(text(await host.call('hello', bytes('p'))), 'hello from tinygo-style guest');
      assert.equal(stdout.text(), 'tinygo guest started\np\n');
    } finally {
      await host.close();
    }
  });

  test("without JSPI, mode 'jspi' is refused and the default is the worker", { skip: typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function' }, () => {
    assert.throws(() => new WebAssemblyEngineAsync(guest('wapc_as_echo'), { mode: 'jspi' }), /needs WebAssembly.Suspending/);
    assert.equal(new WebAssemblyEngineAsync(guest('wapc_as_echo')).mode, 'worker');
  });
});

describe('WapcHostAsync with JSPI (Node 24)', () => {
  test('the guest is suspended on the caller\'s thread while the callback\'s Promise is pending', {
    skip: existsSync(NODE24) ? false : `the Node 24 binary is missing (${NODE24}): run node scripts/fetch-node24.mjs (npm test does)`,
    timeout: 60_000,
  }, async () => {
    const dist = pathToFileURL(join(repoRoot, 'dist', 'node.js')).href;
    const script = `
      import { readFileSync } from 'node:fs';
      import { WapcHostAsync, WebAssemblyEngineAsync } from ${JSON.stringify(dist)};
      const enc = new TextEncoder(), dec = new TextDecoder();
      const delay = (ms) => new Promise((r) => setTimeout(r, ms));
      const report = {};
      const engine = new WebAssemblyEngineAsync(readFileSync(${JSON.stringify(programPath('wapc_as_echo'))}));
      report.mode = engine.mode;
      let ticks = 0;
      const host = await WapcHostAsync.create(engine, async (id, b, n, o, p) => {
        const t = setInterval(() => ticks++, 1); await delay(30); clearInterval(t);
        if (dec.decode(p) === 'please fail') throw new Error('nope: ünïcode ✓');
        return enc.encode(b + '/' + n + '/' + o + ':' + dec.decode(p));
      });
      report.reply = dec.decode(await host.call('reverse_via_host', enc.encode('abc')));
      report.ticks = ticks;
      report.error = await host.call('reverse_via_host', enc.encode('please fail')).catch((e) => e.name + ': ' + e.message);
      report.trap = await host.call('abort', new Uint8Array(0)).catch((e) => e.message);
      report.after = dec.decode(await host.call('echo', enc.encode('after')));
      await host.replaceModule(readFileSync(${JSON.stringify(programPath('wapc_as_init'))}));
      report.init = dec.decode(await host.call('init_result', new Uint8Array(0)));
      report.timeout = (() => { try { new WebAssemblyEngineAsync(new Uint8Array(0), { mode: 'jspi', timeoutMs: 10 }); } catch (e) { return e.message; } })();
      await host.close();
      console.log(JSON.stringify(report));
    `;
    const { stdout } = await promisify(execFile)(NODE24, ['--input-type=module', '-e', script], { cwd: repoRoot });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(r['mode'], 'jspi');
    assert.equal(r['reply'], 'host said: default/kiln:test/reverse:abc');
    assert.ok((r['ticks'] as number) >= 3, `event loop ran during the suspension (${String(r['ticks'])} ticks)`);
    assert.equal(r['error'], 'GuestCallFailureError: host error: nope: ünïcode ✓');
    assert.match(r['trap'] as string, /^wasm trap: unreachable; guest error: boom ✗/);
    assert.equal(r['after'], 'after');
    assert.equal(r['init'], 'default/kiln:test/init:hello from init');
    assert.match(r['timeout'] as string, /timeoutMs cannot stop a guest suspended with JSPI/);
  });
});
