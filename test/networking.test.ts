/**
 * Guests' own sockets and the network policy: WASIX programs
 * (test/programs/wasix/wasix_net_policy.c; wasix_sockets.c is among the
 * cases of wasix.test.ts) run in every way a WASIX guest runs, on Kiln's
 * in-memory loopback network, with and without allow rules, and with no
 * network at all.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCase, WASIX_RUNNERS } from './helpers/runners.js';

const OPEN = [
  'listen 127.0.0.1:7000: OK',
  'listen 127.0.0.1:7001: OK',
  'bind 0.0.0.0:7002: OK',
  'connect 127.0.0.1:7000: OK',
  'connect 127.0.0.1:7001: OK',
  'sendto 127.0.0.1:7001: OK',
  'lookup localhost: found',
  'lookup example.com: not found',
].map((l) => `${l}\n`).join('');

const RULES = ['--allow-connect', '127.0.0.1:7000', '--allow-bind', '127.0.0.1:7000-7001'];

const NARROWED = [
  'listen 127.0.0.1:7000: OK',
  'listen 127.0.0.1:7001: OK',
  'bind 0.0.0.0:7002: EACCES',
  'connect 127.0.0.1:7000: OK',
  'connect 127.0.0.1:7001: ECONNREFUSED',
  'sendto 127.0.0.1:7001: ECONNREFUSED',
  'lookup localhost: found',
  'lookup example.com: not found',
].map((l) => `${l}\n`).join('');

for (const [placement, runner, available] of WASIX_RUNNERS) {
  const skip = available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)';
  describe(`guest networking: ${placement}`, () => {
    test('--net loopback: listeners, a bind, connects, a datagram and lookups all go through', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--net', 'loopback'] });
      assert.equal(r.stdout, OPEN, r.stderr);
      assert.equal(r.status, 0);
    });

    test('allow rules: a denied connect and datagram are refused although something listens, a denied bind is EACCES', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--net', 'loopback', ...RULES] });
      assert.equal(r.stdout, NARROWED, r.stderr);
      assert.equal(r.status, 0);
    });

    test('--net none (the default): the first socket() fails with ENOTSUP', { skip }, async () => {
      const r = await runCase(runner, { program: 'wasix_net_policy' });
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /wasix_net_policy\.c:\d+: socket \(errno: ENOTSUP\)\n$/);
      assert.equal(r.status, 1);
    });
  });
}

describe('guest networking: --trace', () => {
  test('each denial (bind, connect, send_to, a lookup of a name no rule names) shows on its call\'s line', async () => {
    const [, runner] = WASIX_RUNNERS[0]!;
    const r = await runCase(runner, { program: 'wasix_net_policy', flags: ['--trace', '--net', 'loopback', ...RULES] });
    assert.equal(r.stdout, NARROWED, r.stderr);
    const denied = r.stderr.split('\n').filter((l) => l.endsWith('(denied by the network policy)')).map((l) => l.replace(/\(.*/, ''));
    assert.deepEqual(denied, ['[kiln trace] sock_bind', '[kiln trace] sock_connect', '[kiln trace] sock_send_to', '[kiln trace] resolve']);
  });
});
