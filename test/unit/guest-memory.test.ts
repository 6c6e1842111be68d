/**
 * GuestMemory: every access to guest memory is bounds-checked; a bad
 * pointer or length is EFAULT (never a host RangeError), pointers arrive as
 * signed i32 and are read as unsigned, and views follow memory growth.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, WasiError } from '../../src/abi/errno.js';
import { GuestMemory } from '../../src/abi/memory.js';

const PAGE = 65536;

function fresh(pages = 1, maximum = 8): { memory: WebAssembly.Memory; gm: GuestMemory } {
  const memory = new WebAssembly.Memory({ initial: pages, maximum });
  return { memory, gm: new GuestMemory(memory) };
}

function assertFault(fn: () => unknown, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WasiError, `${what}: threw ${String(e)}, not a WasiError`);
    assert.equal(e.errno, Errno.FAULT, `${what}: errno ${e.errno}`);
    return true;
  }, `${what}: expected EFAULT`);
}

/** Each accessor with the number of bytes it touches. */
const ACCESSORS: [string, number, (gm: GuestMemory, ptr: number) => unknown][] = [
  ['u8', 1, (gm, p) => gm.u8(p)],
  ['u16', 2, (gm, p) => gm.u16(p)],
  ['u32', 4, (gm, p) => gm.u32(p)],
  ['u64', 8, (gm, p) => gm.u64(p)],
  ['setU8', 1, (gm, p) => gm.setU8(p, 1)],
  ['setU16', 2, (gm, p) => gm.setU16(p, 1)],
  ['setU32', 4, (gm, p) => gm.setU32(p, 1)],
  ['setU64', 8, (gm, p) => gm.setU64(p, 1n)],
  ['slice(p, 3)', 3, (gm, p) => gm.slice(p, 3)],
  ['write(p, 5 bytes)', 5, (gm, p) => gm.write(p, new Uint8Array(5))],
  ['string(p, 2)', 2, (gm, p) => gm.string(p, 2)],
  ['iovecs(p, 1)', 8, (gm, p) => gm.iovecs(p, 1)],
  ['check(p, 7)', 7, (gm, p) => gm.check(p, 7)],
];

describe('bounds', () => {
  for (const [name, size, access] of ACCESSORS) {
    test(`EFAULT: ${name} one byte past the end; the last in-bounds position works`, () => {
      const { gm } = fresh();
      access(gm, PAGE - size);
      assertFault(() => access(gm, PAGE - size + 1), `${name} at end - ${size - 1}`);
      assertFault(() => access(gm, PAGE), `${name} at end`);
      assertFault(() => access(gm, 0x7fffffff), `${name} at 0x7fffffff`);
      assertFault(() => access(gm, 0xffffffff), `${name} at 0xffffffff`);
    });

    test(`EFAULT: ${name} at negative i32 pointers`, () => {
      const { gm } = fresh();
      for (const p of [-1, -size, -PAGE, -0x80000000]) assertFault(() => access(gm, p), `${name} at ${p}`);
    });
  }

  test('EFAULT: lengths that run past the end, including negative i32 lengths', () => {
    const { gm } = fresh();
    assertFault(() => gm.slice(0, PAGE + 1), 'slice(0, PAGE + 1)');
    assertFault(() => gm.slice(1, PAGE), 'slice(1, PAGE)');
    assertFault(() => gm.slice(0, -1), 'slice(0, -1)');
    assertFault(() => gm.slice(0, 0xffffffff), 'slice(0, 0xffffffff)');
    assertFault(() => gm.string(10, -1), 'string(10, -1)');
    assertFault(() => gm.check(PAGE - 1, 2), 'check(PAGE - 1, 2)');
    assertFault(() => gm.check(0x80000000, 0x80000000), 'check(2^31, 2^31) (wraps to 0 in 32 bits)');
  });

  test('zero-length ranges are fine up to and including the end, not past it', () => {
    const { gm } = fresh();
    assert.equal(gm.check(PAGE, 0), PAGE);
    assert.equal(gm.slice(PAGE, 0).byteLength, 0);
    assert.equal(gm.string(PAGE, 0), '');
    assert.deepEqual(gm.iovecs(PAGE, 0), []);
    gm.write(PAGE, new Uint8Array(0));
    assertFault(() => gm.check(PAGE + 1, 0), 'check(PAGE + 1, 0)');
    assertFault(() => gm.slice(-1, 0), 'slice(-1, 0)');
  });

  test('check returns the unsigned pointer', () => {
    const { gm } = fresh();
    assert.equal(gm.check(0, 0), 0);
    assert.equal(gm.check(1234, 10), 1234);
  });

  test('a fault writes nothing', () => {
    const { memory, gm } = fresh();
    new Uint8Array(memory.buffer).fill(0xaa, PAGE - 8);
    assertFault(() => gm.write(PAGE - 4, new Uint8Array(5)), 'write');
    assertFault(() => gm.setU64(PAGE - 4, 0n), 'setU64');
    assert.deepEqual([...new Uint8Array(memory.buffer, PAGE - 8)], Array(8).fill(0xaa));
  });
});

describe('values', () => {
  test('integers are little-endian, exact bytes', () => {
    const { memory, gm } = fresh();
    gm.setU16(0, 0x0102);
    gm.setU32(2, 0x03040506);
    gm.setU64(6, 0x0708090a0b0c0d0en);
    gm.setU8(14, 0xff);
    assert.deepEqual([...new Uint8Array(memory.buffer, 0, 15)],
      [0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08, 0x07, 0xff]);
    assert.equal(gm.u16(0), 0x0102);
    assert.equal(gm.u32(2), 0x03040506);
    assert.equal(gm.u64(6), 0x0708090a0b0c0d0en);
    assert.equal(gm.u8(14), 0xff);
  });

  test('unaligned accesses work', () => {
    const { gm } = fresh();
    gm.setU32(1, 0xdeadbeef);
    assert.equal(gm.u32(1), 0xdeadbeef);
    gm.setU64(3, 0xffff_ffff_ffff_fffen);
    assert.equal(gm.u64(3), 0xffff_ffff_ffff_fffen);
  });

  test('setU64 stores negative bigints as their two\'s complement; u64 reads unsigned', () => {
    const { memory, gm } = fresh();
    gm.setU64(8, -1n);
    assert.deepEqual([...new Uint8Array(memory.buffer, 8, 8)], Array(8).fill(0xff));
    assert.equal(gm.u64(8), 0xffff_ffff_ffff_ffffn);
    gm.setU64(8, -2n);
    assert.equal(gm.u64(8), 0xffff_ffff_ffff_fffen);
  });

  test('slice is a live view; write copies in', () => {
    const { memory, gm } = fresh();
    const s = gm.slice(100, 4);
    gm.write(100, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...s], [1, 2, 3, 4]);
    s[0] = 9;
    assert.equal(new Uint8Array(memory.buffer)[100], 9);
  });

  test('string decodes UTF-8 exactly', () => {
    const { gm } = fresh();
    const bytes = new TextEncoder().encode('héllo/😀');
    gm.write(50, bytes);
    assert.equal(gm.string(50, bytes.byteLength), 'héllo/😀');
    assert.equal(gm.string(50, 1), 'h');
  });

  test('string keeps NUL bytes (the path resolver refuses them)', () => {
    const { gm } = fresh();
    gm.write(0, new Uint8Array([0x61, 0x00, 0x62]));
    assert.equal(gm.string(0, 3), 'a\0b');
  });
});

describe('EILSEQ', () => {
  const invalid: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xff', [0x61, 0xff]],
    ['a truncated two-byte sequence', [0xc3]],
    ['a truncated four-byte sequence', [0xf0, 0x9f, 0x98]],
    ['an overlong encoding of /', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [what, bytes] of invalid) {
    test(`EILSEQ: string() with ${what}`, () => {
      const { gm } = fresh();
      gm.write(0, new Uint8Array(bytes));
      assert.throws(() => gm.string(0, bytes.length), (e: unknown) => {
        assert.ok(e instanceof WasiError);
        assert.equal(e.errno, Errno.ILSEQ);
        return true;
      });
    });
  }

  test('EILSEQ: a valid string cut inside a multi-byte character', () => {
    const { gm } = fresh();
    gm.write(0, new TextEncoder().encode('é'));
    assert.throws(() => gm.string(0, 1), (e: unknown) => e instanceof WasiError && e.errno === Errno.ILSEQ);
  });

  test('EFAULT wins over EILSEQ for out-of-bounds strings', () => {
    const { gm } = fresh();
    gm.write(PAGE - 1, new Uint8Array([0xff]));
    assertFault(() => gm.string(PAGE - 1, 2), 'string(PAGE - 1, 2)');
  });
});

describe('iovecs', () => {
  function putIovecs(gm: GuestMemory, at: number, entries: [number, number][]): void {
    entries.forEach(([p, l], i) => { gm.setU32(at + i * 8, p); gm.setU32(at + i * 8 + 4, l); });
  }

  test('reads [ptr, len] pairs as live views', () => {
    const { gm } = fresh();
    gm.write(1000, new Uint8Array([1, 2, 3, 4, 5]));
    putIovecs(gm, 0, [[1000, 2], [1002, 3], [0, 0]]);
    const v = gm.iovecs(0, 3);
    assert.equal(v.length, 3);
    assert.deepEqual([...v[0]!], [1, 2]);
    assert.deepEqual([...v[1]!], [3, 4, 5]);
    assert.equal(v[2]!.byteLength, 0);
    v[0]![0] = 7;
    assert.equal(gm.u8(1000), 7);
  });

  test('EFAULT: the iovec array itself runs past the end', () => {
    const { gm } = fresh();
    assertFault(() => gm.iovecs(PAGE - 8, 2), 'iovecs(PAGE - 8, 2)');
    assertFault(() => gm.iovecs(PAGE - 7, 1), 'iovecs(PAGE - 7, 1)');
    assertFault(() => gm.iovecs(0, PAGE / 8 + 1), 'iovecs(0, PAGE / 8 + 1)');
    assertFault(() => gm.iovecs(0, -1), 'iovecs(0, -1)');
    assert.equal(gm.iovecs(0, PAGE / 8).length, PAGE / 8);
  });

  test('EFAULT: an iovec count whose byte size does not fit in 32 bits', () => {
    const { gm } = fresh();
    // 2^29 entries are 2^32 bytes: 0 if the size were cut to 32 bits.
    assertFault(() => gm.iovecs(0, 0x20000000), 'iovecs(0, 2^29)');
    // 2^29 + 1 entries are 2^32 + 8 bytes: 8 if cut to 32 bits.
    assertFault(() => gm.iovecs(0, 0x20000001), 'iovecs(0, 2^29 + 1)');
    assertFault(() => gm.iovecs(0, 0x40000000), 'iovecs(0, 2^30)');
  });

  test('EFAULT: an entry whose buffer runs past the end', () => {
    const { gm } = fresh();
    putIovecs(gm, 0, [[10, 2], [PAGE - 2, 3]]);
    assertFault(() => gm.iovecs(0, 2), 'second buffer past the end');
    putIovecs(gm, 0, [[10, 2], [0xffffffff, 1]]);
    assertFault(() => gm.iovecs(0, 2), 'buffer at 0xffffffff');
    putIovecs(gm, 0, [[10, 0xffffffff]]);
    assertFault(() => gm.iovecs(0, 1), 'length 0xffffffff');
    putIovecs(gm, 0, [[PAGE - 2, 2]]);
    assert.equal(gm.iovecs(0, 1)[0]!.byteLength, 2);
  });
});

describe('growth', () => {
  test('byteLength, bytes and view follow memory.grow', () => {
    const { memory, gm } = fresh();
    assert.equal(gm.byteLength, PAGE);
    memory.grow(2);
    assert.equal(gm.byteLength, 3 * PAGE);
    assert.equal(gm.bytes.byteLength, 3 * PAGE);
    assert.equal(gm.view.byteLength, 3 * PAGE);
    assert.equal(gm.bytes.buffer, memory.buffer);
  });

  test('addresses past the old end become valid after growth and reach the new buffer', () => {
    const { memory, gm } = fresh();
    assertFault(() => gm.slice(PAGE, 1), 'before growth');
    memory.grow(1);
    gm.write(PAGE + 10, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...new Uint8Array(memory.buffer, PAGE + 10, 3)], [1, 2, 3]);
    assert.deepEqual([...gm.slice(PAGE + 10, 3)], [1, 2, 3]);
    assertFault(() => gm.slice(2 * PAGE, 1), 'past the new end');
  });

  // Each accessor is the first access after a grow: it must not use a view of
  // the detached buffer.
  for (const [name, size, access] of ACCESSORS) {
    test(`${name} right after memory.grow works on the new buffer`, () => {
      const { memory, gm } = fresh();
      void gm.bytes; // the accessor holds views of the first buffer
      memory.grow(1);
      access(gm, PAGE + 16);
      access(gm, 2 * PAGE - size);
      assertFault(() => access(gm, 2 * PAGE - size + 1), `${name} past the new end`);
    });
  }

  // [0, 0) is in bounds of any memory, even of the detached old buffer
  // (length 0): the accessor must still hand out a view of the new one.
  const ZERO_LENGTH: [string, (gm: GuestMemory) => void][] = [
    ['slice(0, 0)', (gm) => assert.equal(gm.slice(0, 0).byteLength, 0)],
    ['string(0, 0)', (gm) => assert.equal(gm.string(0, 0), '')],
    ['write(0, empty)', (gm) => gm.write(0, new Uint8Array(0))],
    ['iovecs(0, 0)', (gm) => assert.deepEqual(gm.iovecs(0, 0), [])],
  ];
  for (const [name, access] of ZERO_LENGTH) {
    test(`${name} right after memory.grow works`, () => {
      const { memory, gm } = fresh();
      void gm.bytes;
      memory.grow(1);
      access(gm);
      assert.equal(gm.bytes.buffer, memory.buffer, 'views follow the new buffer');
    });
  }

  test('integer accessors right after memory.grow read and write the new buffer', () => {
    const { memory, gm } = fresh();
    gm.setU32(0, 0x11223344);
    memory.grow(1);
    assert.equal(gm.u32(0), 0x11223344);
    memory.grow(1);
    gm.setU64(2 * PAGE, 0x0102030405060708n);
    assert.equal(new DataView(memory.buffer).getBigUint64(2 * PAGE, true), 0x0102030405060708n);
  });
});
