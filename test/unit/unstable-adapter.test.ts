/**
 * The wasi_unstable adapter (src/syscalls/unstable/) called directly on a
 * guest memory: the whence translation, the 56-byte filestat byte by byte,
 * the SOCK_ACCEPT right that preview 0 cannot name, poll_oneoff's error
 * events, both namespaces on one process, the tracer's preview 0 names,
 * and a small seeded fuzz of the functions the adapter implements itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rights, RIGHTS_LISTENER } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { FILESTAT_UNSTABLE, SUBSCRIPTION_UNSTABLE } from '../../src/abi/layouts.js';
import { GuestMemory } from '../../src/abi/memory.js';
import { UNSTABLE } from '../../src/abi/signatures.js';
import { CaptureStream, MemoryFileSystem, WASI } from '../../src/node.js';
import { OutputStreamResource } from '../../src/kernel/stream-resource.js';
import { whenceToPreview1, writeFilestatUnstable } from '../../src/syscalls/unstable/fd.js';
import { formatCall } from '../../src/syscalls/trace.js';
import { Prng } from './helpers/prng.js';
import { instantiateMemoryModule } from './helpers/wasm-module.js';

const SOCK_ACCEPT = BigInt(Rights.SOCK_ACCEPT);

/** A WASI bound to a one-page memory; `view` reads it. */
function bound(options: ConstructorParameters<typeof WASI>[0] = {}) {
  const wasi = new WASI({ stdout: new CaptureStream(), stderr: new CaptureStream(), ...options });
  const instance = instantiateMemoryModule();
  wasi.initialize(instance);
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const view = (): DataView => new DataView(memory.buffer);
  const put = (at: number, s: string): number => {
    const b = new TextEncoder().encode(s);
    new Uint8Array(memory.buffer).set(b, at);
    return b.byteLength;
  };
  return { wasi, p0: wasi.unstableImport, p1: wasi.wasiImport, view, put, memory };
}

describe('layouts (phases/old/snapshot_0/witx/typenames.witx)', () => {
  test('filestat: nlink u32 at 20, 56 bytes; subscription: clock fields after the identifier, 56 bytes', () => {
    assert.deepEqual({ ...FILESTAT_UNSTABLE }, {
      size: 56, dev: 0, ino: 8, filetype: 16, nlink: 20, fileSize: 24, atim: 32, mtim: 40, ctim: 48,
    });
    assert.deepEqual({ ...SUBSCRIPTION_UNSTABLE }, {
      size: 56, userdata: 0, tag: 8, clockIdentifier: 16, clockId: 24, clockTimeout: 32, clockPrecision: 40, clockFlags: 48, fd: 16,
    });
  });

  test('writeFilestatUnstable writes exactly 56 bytes, padding cleared, nlink saturated at 2^32 - 1', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0xaa, 0, 64);
    writeFilestatUnstable(new GuestMemory(memory), 0, {
      dev: 0x0102030405060708n, ino: 0x1112131415161718n, filetype: 4, nlink: 1n << 40n, size: 10n,
      atim: 1000n, mtim: 2000n, ctim: 3000n,
    });
    const v = new DataView(memory.buffer);
    assert.equal(v.getBigUint64(0, true), 0x0102030405060708n);
    assert.equal(v.getBigUint64(8, true), 0x1112131415161718n);
    assert.deepEqual([...bytes.subarray(16, 20)], [4, 0, 0, 0]);
    assert.equal(v.getUint32(20, true), 0xffffffff);
    assert.equal(v.getBigUint64(24, true), 10n);
    assert.equal(v.getBigUint64(32, true), 1000n);
    assert.equal(v.getBigUint64(40, true), 2000n);
    assert.equal(v.getBigUint64(48, true), 3000n);
    assert.deepEqual([...bytes.subarray(56, 64)], new Array(8).fill(0xaa));
  });
});

describe('fd_seek', () => {
  test('whence CUR=0, END=1, SET=2 become preview 1 CUR=1, END=2, SET=0; other values stay invalid', () => {
    assert.deepEqual([0, 1, 2, 3, 255, -1].map(whenceToPreview1), [1, 2, 0, 3, 255, -1]);
  });

  test('both namespaces on one process: a file opened through wasi_unstable, sought through both', () => {
    const { p0, p1, view, put } = bound({ preopens: { '/sandbox': new MemoryFileSystem({ 'f.txt': '0123456789' }) } });
    const len = put(0x100, 'f.txt');
    assert.equal(p0.path_open(3, 0, 0x100, len, 0, BigInt(Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_READ), 0n, 0, 0x200), Errno.SUCCESS);
    const fd = view().getUint32(0x200, true);
    assert.equal(fd, 4);
    // whence 2 is END in preview 1 and SET in preview 0
    assert.equal(p1.fd_seek(fd, -3n, 2, 0x208), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x208, true), 7n);
    assert.equal(p0.fd_seek(fd, 3n, 2, 0x208), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x208, true), 3n);
    assert.equal(p0.fd_tell(fd, 0x208), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x208, true), 3n);
    // descriptor checks come before whence, as in preview 1
    assert.equal(p0.fd_seek(99, 0n, 7, 0x208), Errno.BADF);
    assert.equal(p0.fd_seek(fd, 0n, 7, 0x208), Errno.INVAL);
  });
});

describe('rights: preview 0 has no SOCK_ACCEPT (bit 29)', () => {
  const listenerLike = () => bound({
    extraResources: [{ resource: new OutputStreamResource(new CaptureStream()), rightsBase: RIGHTS_LISTENER, rightsInheriting: RIGHTS_LISTENER }],
  });

  test('fd_fdstat_get hides it; preview 1 still shows it', () => {
    const { p0, p1, view } = listenerLike();
    assert.equal(p1.fd_fdstat_get(3, 0x100), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x108, true), BigInt(RIGHTS_LISTENER));
    assert.equal(view().getBigUint64(0x110, true), BigInt(RIGHTS_LISTENER));
    assert.equal(p0.fd_fdstat_get(3, 0x100), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x108, true), BigInt(RIGHTS_LISTENER) & ~SOCK_ACCEPT);
    assert.equal(view().getBigUint64(0x110, true), BigInt(RIGHTS_LISTENER) & ~SOCK_ACCEPT);
    assert.equal(p0.fd_fdstat_get(3, 0xfff0), Errno.FAULT);
    assert.equal(p0.fd_fdstat_get(42, 0x100), Errno.BADF);
  });

  test('fd_fdstat_set_rights drops what preview 0 names and keeps SOCK_ACCEPT; undefined bits are ENOTCAPABLE', () => {
    const { wasi, p0, view } = listenerLike();
    const shown = BigInt(RIGHTS_LISTENER) & ~SOCK_ACCEPT;
    assert.equal(p0.fd_fdstat_set_rights(3, shown & ~BigInt(Rights.FD_READ), 0n), Errno.SUCCESS);
    const d = wasi.process.fds.get(3);
    assert.equal(d.rightsBase, RIGHTS_LISTENER & ~Rights.FD_READ);
    assert.equal(d.rightsInheriting, Rights.SOCK_ACCEPT);
    assert.equal(p0.fd_fdstat_set_rights(3, SOCK_ACCEPT, 0n), Errno.NOTCAPABLE);
    assert.equal(p0.fd_fdstat_set_rights(3, 0n, 1n << 40n), Errno.NOTCAPABLE);
    assert.equal(p0.fd_fdstat_set_rights(3, BigInt(Rights.FD_READ), 0n), Errno.NOTCAPABLE, 'cannot add back');
    assert.equal(p0.fd_fdstat_set_rights(42, 0n, 0n), Errno.BADF);
    assert.equal(p0.fd_fdstat_get(3, 0x100), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x108, true), shown & ~BigInt(Rights.FD_READ));
  });
});

describe('poll_oneoff', () => {
  function writeSub(view: DataView, at: number, userdata: bigint, tag: number, fd: number): void {
    for (let i = 0; i < SUBSCRIPTION_UNSTABLE.size; i += 8) view.setBigUint64(at + i, 0n, true);
    view.setBigUint64(at + SUBSCRIPTION_UNSTABLE.userdata, userdata, true);
    view.setUint8(at + SUBSCRIPTION_UNSTABLE.tag, tag);
    view.setUint32(at + SUBSCRIPTION_UNSTABLE.fd, fd, true);
  }

  test('an fd subscription on a closed descriptor is an event with EBADF; an unknown tag is EINVAL', () => {
    const { p0, view } = bound();
    writeSub(view(), 0x100, 77n, 1, 99);
    assert.equal(p0.poll_oneoff(0x100, 0x400, 1, 0x500), Errno.SUCCESS);
    assert.equal(view().getUint32(0x500, true), 1);
    assert.equal(view().getBigUint64(0x400, true), 77n);
    assert.equal(view().getUint16(0x408, true), Errno.BADF);
    assert.equal(view().getUint8(0x40a), 1);
    writeSub(view(), 0x100, 78n, 3, 1);
    assert.equal(p0.poll_oneoff(0x100, 0x400, 1, 0x500), Errno.INVAL);
  });

  test('two fd subscriptions 56 bytes apart: both reported', () => {
    const { p0, view } = bound();
    writeSub(view(), 0x100, 1n, 2, 1);
    writeSub(view(), 0x100 + 56, 2n, 2, 2);
    assert.equal(p0.poll_oneoff(0x100, 0x400, 2, 0x500), Errno.SUCCESS);
    assert.equal(view().getUint32(0x500, true), 2);
    assert.deepEqual([view().getBigUint64(0x400, true), view().getBigUint64(0x420, true)], [1n, 2n]);
    assert.deepEqual([view().getUint8(0x40a), view().getUint8(0x42a)], [2, 2]);
  });
});

describe('tracer', () => {
  test('the preview 0 table: fd_seek shows whence by its preview 0 name; no sock_accept', () => {
    assert.equal(formatCall('fd_seek', UNSTABLE.fd_seek, [4, 3n, 2, 0x208], undefined), 'fd_seek(fd=4, offset=3, whence=SET, newoffset_out=0x208)');
    assert.equal(formatCall('fd_seek', UNSTABLE.fd_seek, [4, -1n, 0, 0x208], undefined), 'fd_seek(fd=4, offset=-1, whence=CUR, newoffset_out=0x208)');
    assert.equal(formatCall('fd_seek', UNSTABLE.fd_seek, [4, 0n, 1, 0x208], undefined), 'fd_seek(fd=4, offset=0, whence=END, newoffset_out=0x208)');
    assert.ok(!('sock_accept' in UNSTABLE));
    assert.equal(Object.keys(UNSTABLE).length, 45);
  });

  test('with trace on, both namespaces are traced under their own names', () => {
    const lines: string[] = [];
    const { p0, p1 } = bound({ trace: (l) => lines.push(l) });
    p0.fd_seek(1, 0n, 2, 0x100);
    p1.fd_seek(1, 0n, 2, 0x100);
    assert.deepEqual(lines, [
      'fd_seek(fd=1, offset=0, whence=SET, newoffset_out=0x100) = SPIPE',
      'fd_seek(fd=1, offset=0, whence=END, newoffset_out=0x100) = SPIPE',
    ]);
  });
});

describe('fuzz: the functions the adapter implements itself', () => {
  // Every call returns an errno in [0, 76], never EIO (an exception that
  // escaped a body), and never throws, whatever the pointers and values.
  test('random arguments, pointers near and past the end of memory', () => {
    const rng = new Prng(Number(process.env['KILN_FUZZ_SEED'] ?? 0x30756e73));
    const fs = new MemoryFileSystem({ 'a.txt': 'hello', d: { 'b.txt': 'bee' } });
    const { p0, view, put, memory } = bound({ preopens: { '/sandbox': fs } });
    const names = [put(0x40, 'a.txt'), put(0x60, 'd/b.txt'), put(0x80, '.'), put(0xa0, 'nope')];
    const size = memory.buffer.byteLength;
    const ptr = (): number => rng.pick([rng.below(size), size - rng.range(1, 80), rng.u32(), 0xffffffff, 0x200 + rng.below(0x400)]);
    const fd = (): number => rng.pick([0, 1, 2, 3, 4, 5, 99, rng.u32()]);
    const i64 = (): bigint => rng.pick([0n, 1n, -1n, 5n, -5n, rng.u64(), rng.i64(), BigInt(Rights.FD_READ), 1n << 29n]);
    const path = (): [number, number] => {
      const i = rng.below(4);
      return rng.chance(0.8) ? [[0x40, 0x60, 0x80, 0xa0][i]!, names[i]!] : [ptr(), rng.pick([0, 4, 100, 0xffffffff])];
    };
    /** Subscriptions at `at` whose clock timeouts are at most 20 µs (or in the past), so nothing sleeps long. */
    const subs = (at: number, n: number): void => {
      const v = view();
      for (let i = 0; i < n; i++) {
        const b = at + i * SUBSCRIPTION_UNSTABLE.size;
        if (b + SUBSCRIPTION_UNSTABLE.size > size) return;
        for (let k = 0; k < SUBSCRIPTION_UNSTABLE.size; k += 4) v.setUint32(b + k, rng.u32(), true);
        const tag = rng.chance(0.9) ? rng.range(0, 2) : rng.u32() & 0xff;
        v.setUint8(b + SUBSCRIPTION_UNSTABLE.tag, tag);
        v.setUint32(b + SUBSCRIPTION_UNSTABLE.clockId, rng.chance(0.9) ? rng.range(0, 3) : rng.u32(), true);
        v.setBigUint64(b + SUBSCRIPTION_UNSTABLE.clockTimeout, BigInt(rng.range(0, 20000)), true);
        v.setUint16(b + SUBSCRIPTION_UNSTABLE.clockFlags, rng.below(2), true);
        if (tag !== 0) v.setUint32(b + SUBSCRIPTION_UNSTABLE.fd, fd(), true);
      }
    };
    const calls: [string, () => number][] = [
      ['fd_seek', () => p0.fd_seek(fd(), i64(), rng.pick([0, 1, 2, 3, rng.u32()]), ptr())],
      ['fd_filestat_get', () => p0.fd_filestat_get(fd(), ptr())],
      ['path_filestat_get', () => { const [p, l] = path(); return p0.path_filestat_get(fd(), rng.below(2), p, l, ptr()); }],
      ['fd_fdstat_get', () => p0.fd_fdstat_get(fd(), ptr())],
      ['fd_fdstat_set_rights', () => p0.fd_fdstat_set_rights(rng.pick([0, 2, 4, 99]), i64(), i64())],
      ['path_open', () => { const [p, l] = path(); return p0.path_open(3, rng.below(2), p, l, rng.below(16), i64(), i64(), rng.below(32), ptr()); }],
      ['poll_oneoff', () => {
        const at = rng.chance(0.7) ? 0x1000 + rng.below(0x400) : ptr();
        const n = rng.pick([0, 1, 2, 3, 8, rng.u32()]);
        if (n <= 8) subs(at, n);
        return p0.poll_oneoff(at, rng.chance(0.7) ? 0x3000 : ptr(), n, ptr());
      }],
    ];
    for (let i = 0; i < 20000; i++) {
      const [name, call] = rng.pick(calls);
      const r = call();
      assert.ok(Number.isInteger(r) && r >= 0 && r <= 76 && r !== Errno.IO, `${name} #${i}: ${r}`);
    }
  });
});
