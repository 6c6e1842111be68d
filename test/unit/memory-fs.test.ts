/**
 * What is particular to MemoryFileSystem: seeding from a tree, the largest
 * file it holds (EFBIG), listings in creation order, and timestamps from an
 * injected clock, to the nanosecond. What every filesystem does (files,
 * directories, symlinks, hard links, rename and removal errnos) is the
 * FileSystem contract's (test/contract/filesystem.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/errno.js';
import { FileType } from '../../src/abi/constants.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import type { FileHandle, FsDirectory, OpenOptions } from '../../src/host/fs/types.js';
import { assertErrno } from './helpers/errno.js';
import { child, readFile, readText, subdir, writeFile } from './helpers/fs-fixture.js';

const RW: OpenOptions = { read: true, write: true, create: false, exclusive: false, truncate: false };
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A filesystem on a clock the test moves by hand. */
function clocked(start = 1_000_000_000_000_000_001n): { root: FsDirectory; setNow(t: bigint): void } {
  let now = start;
  const m = new MemoryFileSystem({}, { clock: () => now });
  return { root: m.root, setNow: (t) => { now = t; } };
}

function open(dir: FsDirectory, name: string, o: OpenOptions = RW): FileHandle {
  return dir.open(name, o);
}

describe('seeding', () => {
  test('a MemoryTree seeds text (UTF-8), bytes and nested directories', () => {
    const m = new MemoryFileSystem({
      'a.txt': 'héllo',
      bin: bytes(0, 255, 1),
      d: { 'e.txt': 'x', sub: {} },
    });
    assert.deepEqual(readFile(m.root, 'a.txt'), bytes(0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f));
    assert.deepEqual(readFile(m.root, 'bin'), bytes(0, 255, 1));
    assert.deepEqual(m.root.list().map((e) => [e.name, e.filetype]), [
      ['a.txt', FileType.REGULAR_FILE], ['bin', FileType.REGULAR_FILE], ['d', FileType.DIRECTORY],
    ]);
    const d = subdir(m.root, 'd');
    assert.equal(readText(d, 'e.txt'), 'x');
    assert.deepEqual(subdir(d, 'sub').list(), []);
    assert.equal(child(m.root, 'a.txt').stat().size, 6n);
  });
});

describe('files', () => {
  // A memory file lives in one Uint8Array, which cannot be made this large:
  // the backend must say so with an errno (as a real filesystem says EFBIG),
  // not let the engine's RangeError escape (the errno boundary turns that into EIO).
  test('EFBIG: setSize beyond what a memory file can hold', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abc');
    const h = open(root, 'f');
    assertErrno(() => h.setSize(2 ** 40), Errno.FBIG);
    assert.equal(h.stat().size, 3n);
  });

  test('EFBIG: writing at an offset beyond what a memory file can hold', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abc');
    const h = open(root, 'f');
    assertErrno(() => h.write(text('x'), 2 ** 40), Errno.FBIG, 'write');
    assertErrno(() => h.allocate(2 ** 40, 1), Errno.FBIG, 'allocate');
    assert.equal(h.stat().size, 3n);
  });
});

describe('directories', () => {
  test('a listing is in creation order; a directory\'s size is 4096', () => {
    const { root } = clocked();
    root.mkdir('x');
    root.mkdir('y');
    writeFile(root, 'f', '');
    const x = subdir(root, 'x');
    assert.equal(x.stat().size, 4096n);
    assert.deepEqual(root.list(), [
      { name: 'x', filetype: FileType.DIRECTORY, ino: x.stat().ino },
      { name: 'y', filetype: FileType.DIRECTORY, ino: child(root, 'y').stat().ino },
      { name: 'f', filetype: FileType.REGULAR_FILE, ino: child(root, 'f').stat().ino },
    ]);
  });

  test('a removed directory\'s node reports nlink 0', () => {
    const { root } = clocked();
    root.mkdir('d');
    const d = subdir(root, 'd');
    root.rmdir('d');
    assert.equal(d.stat().nlink, 0n);
  });
});

describe('timestamps', () => {
  test('new nodes take the injected clock time for atim, mtim and ctim', () => {
    const { root, setNow } = clocked();
    setNow(1_234_567_890_123_456_789n);
    writeFile(root, 'f', '');
    const s = child(root, 'f').stat();
    assert.equal(s.atim, 1_234_567_890_123_456_789n);
    assert.equal(s.mtim, 1_234_567_890_123_456_789n);
    assert.equal(s.ctim, 1_234_567_890_123_456_789n);
  });

  test('setTimes stores exact nanoseconds; ctim becomes the current time', () => {
    const { root, setNow } = clocked();
    writeFile(root, 'f', '');
    setNow(5_000_000_000_000_000_007n);
    const f = child(root, 'f');
    f.setTimes(1_700_000_000_123_456_789n, 1_600_000_000_987_654_321n);
    const s = f.stat();
    assert.equal(s.atim, 1_700_000_000_123_456_789n);
    assert.equal(s.mtim, 1_600_000_000_987_654_321n);
    assert.equal(s.ctim, 5_000_000_000_000_000_007n);
  });

  test('setTimes keeps extreme values exactly (0 and 2^64 - 1)', () => {
    const { root } = clocked();
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(0n, 0xffff_ffff_ffff_ffffn);
    assert.equal(f.stat().atim, 0n);
    assert.equal(f.stat().mtim, 0xffff_ffff_ffff_ffffn);
  });

  test('setTimes with null leaves that time unchanged', () => {
    const { root, setNow } = clocked();
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(111n, 222n);
    setNow(9_000n);
    f.setTimes(null, 333n);
    assert.equal(f.stat().atim, 111n);
    assert.equal(f.stat().mtim, 333n);
    f.setTimes(444n, null);
    assert.equal(f.stat().atim, 444n);
    assert.equal(f.stat().mtim, 333n);
    assert.equal(f.stat().ctim, 9_000n);
  });

  test("'now' takes the injected clock's time", () => {
    const { root, setNow } = clocked();
    writeFile(root, 'f', '');
    const h = open(root, 'f');
    setNow(42_000_000_042n);
    h.setTimes('now', null);
    assert.equal(h.stat().atim, 42_000_000_042n);
    setNow(43_000_000_043n);
    h.setTimes(null, 'now');
    assert.equal(h.stat().atim, 42_000_000_042n);
    assert.equal(h.stat().mtim, 43_000_000_043n);
  });

  test('writing updates mtim and ctim, not atim; reading changes nothing', () => {
    const { root, setNow } = clocked(100n);
    writeFile(root, 'f', 'abc');
    const h = open(root, 'f');
    setNow(200n);
    h.write(text('x'), 0);
    assert.deepEqual([h.stat().atim, h.stat().mtim, h.stat().ctim], [100n, 200n, 200n]);
    setNow(300n);
    h.read(new Uint8Array(3), 0);
    assert.deepEqual([h.stat().atim, h.stat().mtim, h.stat().ctim], [100n, 200n, 200n]);
  });

  test('creating and removing entries updates the directory mtim and ctim', () => {
    const { root, setNow } = clocked(100n);
    setNow(200n);
    writeFile(root, 'f', '');
    assert.deepEqual([root.stat().atim, root.stat().mtim, root.stat().ctim], [100n, 200n, 200n]);
    setNow(300n);
    root.unlink('f');
    assert.deepEqual([root.stat().mtim, root.stat().ctim], [300n, 300n]);
  });

  test('link and unlink change the file ctim only', () => {
    const { root, setNow } = clocked(100n);
    writeFile(root, 'f', '');
    setNow(200n);
    root.link('g', child(root, 'f'));
    assert.deepEqual([child(root, 'f').stat().mtim, child(root, 'f').stat().ctim], [100n, 200n]);
    setNow(300n);
    root.unlink('g');
    assert.deepEqual([child(root, 'f').stat().mtim, child(root, 'f').stat().ctim], [100n, 300n]);
  });
});
