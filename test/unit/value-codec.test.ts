/**
 * The host bridge's byte encoding (src/host/bridge/value-codec.ts): every
 * kind of value the protocol carries comes back as it went, with
 * undefined apart from null and bigints apart from numbers; anything else
 * is refused with a TypeError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeValue, encodeValue } from '../../src/host/bridge/value-codec.js';

const roundTrip = (v: unknown): unknown => decodeValue(encodeValue(v));

test('scalars keep their type and value', () => {
  for (const v of [undefined, null, true, false, 0, -0, 1.5, -(2 ** 53), Number.MAX_VALUE, NaN, Infinity, '', 'héllo ✓']) {
    assert.ok(Object.is(roundTrip(v), v), `${String(v)}`);
  }
  for (const v of [0n, -1n, 2n ** 64n - 1n, -(2n ** 70n)]) assert.equal(roundTrip(v), v);
  assert.equal(typeof roundTrip(5n), 'bigint');
});

test('bytes, arrays and objects, nested, as in a reply', () => {
  const bytes = new Uint8Array([0, 1, 255, 7]);
  const reply = {
    seq: 3, ok: true,
    v: { n: 4, bytes: bytes.subarray(1, 3), stat: { dev: 1n, size: 1n << 40n, filetype: 4 }, list: [{ name: 'a', type: 3 }, null], gone: undefined },
  };
  const back = roundTrip(reply) as typeof reply;
  assert.deepEqual(back, reply);
  assert.ok('gone' in back.v && back.v.gone === undefined);
  assert.deepEqual([...back.v.bytes], [1, 255]);
});

test('a decoded value does not alias the buffer it was read from', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(64));
  const encoded = encodeValue({ s: 'abc', b: new Uint8Array([9, 9]) });
  shared.set(encoded);
  const v = decodeValue(shared.subarray(0, encoded.byteLength)) as { s: string; b: Uint8Array };
  shared.fill(0);
  assert.equal(v.s, 'abc');
  assert.deepEqual([...v.b], [9, 9]);
  assert.ok(!(v.b.buffer instanceof SharedArrayBuffer));
});

test('values the protocol does not carry are refused', () => {
  assert.throws(() => encodeValue(new Date(0)), { name: 'TypeError', message: 'cannot encode a Date' });
  assert.throws(() => encodeValue({ f: () => 1 }), { name: 'TypeError', message: 'cannot encode a function' });
  assert.throws(() => encodeValue(new Uint16Array(2)), { name: 'TypeError', message: 'cannot encode a Uint16Array' });
  assert.throws(() => encodeValue(Symbol('x')), { name: 'TypeError', message: 'cannot encode a symbol' });
});
