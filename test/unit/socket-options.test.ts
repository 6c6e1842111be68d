/**
 * Socket option values as the shared-memory sockets and the loopback
 * network store them (src/host/net/socket-options.ts): flags, bounds, and
 * buffer sizes lowered to the cap so no guest can make a queue unbounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, WasiError } from '../../src/abi/errno.js';
import { MAX_BUFFER_SIZE, normalizeOption } from '../../src/host/net/socket-options.js';
import { loopbackNetworking } from '../../src/host/net/loopback.js';
import { ReadinessSignal } from '../../src/host/readiness-signal.js';

const errno = (e: unknown) => (e as WasiError).errno;

describe('socket options', () => {
  test('flags become booleans; numbers must be non-negative integers; TTLs at most 255', () => {
    assert.equal(normalizeOption('noDelay', 1), true);
    assert.equal(normalizeOption('noDelay', 0), false);
    assert.equal(normalizeOption('ttl', 255), 255);
    assert.throws(() => normalizeOption('ttl', 256), (e) => errno(e) === Errno.INVAL);
    assert.throws(() => normalizeOption('receiveBufferSize', -1), (e) => errno(e) === Errno.INVAL);
    assert.throws(() => normalizeOption('sendBufferSize', 1.5), (e) => errno(e) === Errno.INVAL);
  });

  test('buffer sizes past the cap are lowered to it, as Linux lowers them to rmem_max', () => {
    assert.equal(MAX_BUFFER_SIZE, 4 * 1024 * 1024);
    assert.equal(normalizeOption('receiveBufferSize', 2 ** 31), MAX_BUFFER_SIZE);
    assert.equal(normalizeOption('sendBufferSize', 1000), 1000);
  });

  test('a loopback socket reports the lowered size', () => {
    const s = loopbackNetworking().socket('ipv4', 'stream', new ReadinessSignal());
    s.setOption('sendBufferSize', 2 ** 30);
    assert.equal(s.getOption('sendBufferSize'), MAX_BUFFER_SIZE);
    s.close();
  });
});
