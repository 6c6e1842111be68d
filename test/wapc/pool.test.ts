/**
 * WapcHostPool: worker threads that each own a host of the same module,
 * growth after maxWaitMs, idle reaping, a module swap with no failed call,
 * and close.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GuestCallFailureError, InitFailedError, ReplacementFailedError, WapcClosedError, WapcHostPool } from '../../src/node.js';
import { bytes, delay, guest, text } from '../helpers/wapc.js';


async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await delay(10);
  }
}

describe('WapcHostPool', () => {
  test('calls are answered by workers; the host callback runs here with each worker\'s host id', async () => {
    const seen = new Set<number>();
    const pool = await WapcHostPool.create(guest('wapc_as_echo'), {
      minWorkers: 2, maxWorkers: 2,
      hostCallback: async (id, _b, _n, _o, payload) => {
        seen.add(id);
        await delay(5);
        return payload;
      },
    });
    try {
      assert.equal(pool.size, 2);
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.call('reverse_via_host', bytes(`n${i}`))));
      replies.forEach((r, i) => assert.equal(text(r), `host said: n${i}`));
      assert.deepEqual([...seen].sort(), [...pool.hostIds].sort(), 'both workers served');
      await assert.rejects(pool.call('fail', bytes('')), (e: unknown) => e instanceof GuestCallFailureError && e.message === 'guest failure: ünïcode ✓');
      await assert.rejects(pool.call('abort', bytes('')), /wasm trap: unreachable; guest error: boom ✗/);
      assert.equal(text(await pool.call('echo', bytes('after a trap'))), 'after a trap');
    } finally {
      await pool.close();
    }
  });

  test('grows after maxWaitMs up to maxWorkers, and reaps idle workers down to minWorkers', async () => {
    const pool = await WapcHostPool.create(guest('wapc_as_echo'), {
      minWorkers: 1, maxWorkers: 3, maxWaitMs: 20, maxIdleMs: 300,
      hostCallback: async (_id, _b, _n, _o, payload) => {
        await delay(60);
        return payload;
      },
    });
    try {
      assert.equal(pool.size, 1);
      // Slow calls pile up: the pool grows to its maximum, never beyond.
      const calls = Array.from({ length: 30 }, (_, i) => pool.call('reverse_via_host', bytes(`c${i}`)));
      await until(() => pool.size === 3, 20_000);
      const replies = await Promise.all(calls);
      replies.forEach((r, i) => assert.equal(text(r), `host said: c${i}`));
      assert.equal(pool.size, 3);
      await until(() => pool.size === 1, 10_000);
      assert.equal(text(await pool.call('echo', bytes('still here'))), 'still here');
    } finally {
      await pool.close();
    }
  });

  test('replaceModule: calls in flight finish on the old module, later ones run the new, none fails', async () => {
    const pool = await WapcHostPool.create(guest('wapc_as_swap_v1'), { minWorkers: 2, maxWorkers: 2 });
    try {
      const before = Array.from({ length: 20 }, () => pool.call('version', bytes('')));
      const swap = pool.replaceModule(guest('wapc_as_swap_v2'));
      const during = Array.from({ length: 20 }, () => pool.call('version', bytes('')));
      await swap;
      const after = await Promise.all(Array.from({ length: 20 }, () => pool.call('version', bytes(''))));
      for (const r of await Promise.all(before)) assert.ok(['v1', 'v2'].includes(text(r)));
      for (const r of await Promise.all(during)) assert.equal(text(r), 'v2', 'a call made after replaceModule() runs the new module');
      for (const r of after) assert.equal(text(r), 'v2');
      assert.equal(text(await pool.call('only_v2', bytes(''))), 'new');
    } finally {
      await pool.close();
    }
  });

  test('a module that cannot replace changes nothing', async () => {
    const pool = await WapcHostPool.create(guest('wapc_as_swap_v1'), { minWorkers: 2, maxWorkers: 2 });
    try {
      await assert.rejects(pool.replaceModule(bytes('junk')), ReplacementFailedError);
      await assert.rejects(pool.replaceModule(guest('wapc_wat_start_exit1')), (e: unknown) => {
        assert.ok(e instanceof ReplacementFailedError);
        assert.equal(e.message, '_start exited with status 3');
        return true;
      });
      const replies = await Promise.all(Array.from({ length: 10 }, () => pool.call('version', bytes(''))));
      for (const r of replies) assert.equal(text(r), 'v1');
      assert.equal(pool.size, 2);
    } finally {
      await pool.close();
    }
  });

  test('close fails waiting calls, and later calls; a bad module fails create', async () => {
    const pool = await WapcHostPool.create(guest('wapc_as_echo'), {
      minWorkers: 1, maxWorkers: 1, hostCallback: async (_i, _b, _n, _o, p) => { await delay(100); return p; },
    });
    const inFlight = pool.call('reverse_via_host', bytes('a'));
    const waiting = assert.rejects(pool.call('echo', bytes('b')), WapcClosedError);
    await delay(20);
    await pool.close();
    assert.equal(text(await inFlight), 'host said: a');
    await waiting;
    await assert.rejects(pool.call('echo', bytes('c')), WapcClosedError);
    assert.equal(pool.size, 0);
    await assert.rejects(WapcHostPool.create(guest('wapc_wat_nocall')), (e: unknown) => {
      assert.ok(e instanceof InitFailedError);
      assert.match(e.message, /__guest_call/);
      return true;
    });
  });
});
