/**
 * The MessagePack codec: the bytes rmp-serde (wapc-codec's encoder, structs
 * as maps with field names) writes for the same values, and decoding.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messagepack } from '../../src/core.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('messagepack (wapc-codec compatible)', () => {
  test('a struct is a map keyed by field name, integers in their smallest form', () => {
    // rmp-serde, with_struct_map: Person { first_name: "Alice", hash: 5 }
    assert.equal(hex(messagepack.serialize({ first_name: 'Alice', hash: 5 })), '82aa66697273745f6e616d65a5416c696365a46861736805');
  });

  test('integer widths follow rmp: u8 u16 u32 u64, negative fixint, i8 … i64', () => {
    const cases: [number | bigint, string][] = [
      [127, '7f'], [128, 'cc80'], [256, 'cd0100'], [65536, 'ce00010000'],
      [2 ** 32, 'cf0000000100000000'], [2 ** 53 - 1, 'cf001fffffffffffff'], [2n ** 64n - 1n, 'cfffffffffffffffff'],
      [-1, 'ff'], [-33, 'd0df'], [-129, 'd1ff7f'], [-32769, 'd2ffff7fff'], [-(2 ** 31) - 1, 'd3ffffffff7fffffff'], [-(2n ** 63n), 'd38000000000000000'],
    ];
    for (const [value, bytes] of cases) assert.equal(hex(messagepack.serialize(value)), bytes, String(value));
  });

  test('floats are float 64; strings, nil, booleans, arrays and bin', () => {
    assert.equal(hex(messagepack.serialize(1.5)), 'cb3ff8000000000000');
    assert.equal(hex(messagepack.serialize('ünï')), 'a5c3bc6ec3af');
    assert.equal(hex(messagepack.serialize([null, true, false])), '93c0c3c2');
    assert.equal(hex(messagepack.serialize(new Uint8Array([1, 2]))), 'c4020102');
    assert.equal(hex(messagepack.serialize({ a: undefined })), '81a161c0');
  });

  test('decoding: 64-bit integers as bigint, the rest as numbers; maps as objects', () => {
    const value = messagepack.deserialize(Buffer.from('83a16ecd0100a162cfffffffffffffffffa1739201a178', 'hex'));
    assert.deepEqual(value, { n: 256, b: 2n ** 64n - 1n, s: [1, 'x'] });
    assert.deepEqual(messagepack.deserialize(messagepack.serialize({ deep: { list: [1, 2.5, 'three'], bin: new Uint8Array([9]) } })), {
      deep: { list: [1, 2.5, 'three'], bin: new Uint8Array([9]) },
    });
  });
});
