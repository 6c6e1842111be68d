/**
 * MemoryFileSystem semantics: files, directories, symlinks, hard links,
 * rename and removal errnos (as Linux gives them), and exact nanosecond
 * timestamps from an injected clock.
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
const CREATE: OpenOptions = { read: true, write: true, create: true, exclusive: false, truncate: false };
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
  test('write then read exact bytes; reads stop at the end', () => {
    const { root } = clocked();
    const h = open(root, 'f', CREATE);
    assert.equal(h.write(text('hello world'), 0), 11);
    assert.equal(h.write(text('W'), 6), 1);
    const buf = new Uint8Array(8);
    assert.equal(h.read(buf, 4), 7);
    assert.deepEqual(buf.subarray(0, 7), text('o World'));
    assert.equal(h.read(buf, 11), 0);
    assert.equal(h.read(buf, 100), 0);
    assert.equal(h.stat().size, 11n);
  });

  test('writing past the end fills the gap with zeros', () => {
    const { root } = clocked();
    const h = open(root, 'f', CREATE);
    h.write(bytes(1, 2), 0);
    h.write(bytes(9), 5);
    assert.deepEqual(readFile(root, 'f'), bytes(1, 2, 0, 0, 0, 9));
  });

  test('append writes at the current end and returns that offset', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abc');
    const h = open(root, 'f');
    assert.equal(h.append(text('de')), 3);
    assert.equal(h.append(text('f')), 5);
    assert.equal(readText(root, 'f'), 'abcdef');
  });

  test('setSize grows with zeros and shrinks', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abcdef');
    const h = open(root, 'f');
    h.setSize(2);
    assert.deepEqual(readFile(root, 'f'), text('ab'));
    h.setSize(5);
    assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0, 0, 0));
    assert.equal(h.stat().size, 5n);
  });

  test('shrinking then growing again never resurrects old bytes', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abcdef');
    const h = open(root, 'f');
    h.setSize(1);
    h.write(bytes(0x7a), 4);
    assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0, 0, 0, 0x7a));
  });

  test('allocate grows a file but never shrinks it', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abcdef');
    const h = open(root, 'f');
    h.allocate(0, 3);
    assert.equal(h.stat().size, 6n);
    h.allocate(4, 4);
    assert.equal(h.stat().size, 8n);
    assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0));
  });

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

  test('truncate on open empties an existing file', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'abcdef');
    open(root, 'f', { ...RW, truncate: true }).close();
    assert.equal(child(root, 'f').stat().size, 0n);
  });

  test('ENOENT: opening a missing file without create', () => {
    const { root } = clocked();
    assertErrno(() => open(root, 'missing'), Errno.NOENT);
  });

  test('EEXIST: exclusive create of an existing file', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'x');
    assertErrno(() => open(root, 'f', { ...CREATE, exclusive: true }), Errno.EXIST);
  });

  test('EISDIR: opening a directory as a file', () => {
    const { root } = clocked();
    root.mkdir('d');
    assertErrno(() => open(root, 'd', { ...RW, write: false }), Errno.ISDIR, 'read-only');
    assertErrno(() => open(root, 'd'), Errno.ISDIR, 'read-write');
  });

  test('ELOOP: opening a symlink (a backend never follows one)', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'x');
    root.symlink('l', 'f');
    assertErrno(() => open(root, 'l'), Errno.LOOP);
  });
});

describe('directories and symlinks', () => {
  test('mkdir, lookup and list; nlink is 2 plus one per subdirectory', () => {
    const { root } = clocked();
    assert.equal(root.stat().nlink, 2n);
    root.mkdir('x');
    root.mkdir('y');
    writeFile(root, 'f', '');
    assert.equal(root.stat().nlink, 4n);
    const x = subdir(root, 'x');
    assert.equal(x.stat().nlink, 2n);
    assert.equal(x.stat().filetype, FileType.DIRECTORY);
    assert.equal(x.stat().size, 4096n);
    assert.equal(root.lookup('missing'), null);
    assert.deepEqual(root.list(), [
      { name: 'x', filetype: FileType.DIRECTORY, ino: x.stat().ino },
      { name: 'y', filetype: FileType.DIRECTORY, ino: child(root, 'y').stat().ino },
      { name: 'f', filetype: FileType.REGULAR_FILE, ino: child(root, 'f').stat().ino },
    ]);
  });

  test('EEXIST: mkdir or symlink over an existing name', () => {
    const { root } = clocked();
    root.mkdir('d');
    writeFile(root, 'f', '');
    assertErrno(() => root.mkdir('d'), Errno.EXIST, 'mkdir over a directory');
    assertErrno(() => root.mkdir('f'), Errno.EXIST, 'mkdir over a file');
    assertErrno(() => root.symlink('f', 'x'), Errno.EXIST, 'symlink over a file');
  });

  test('symlink: readlink gives the target; size is its UTF-8 byte length', () => {
    const { root } = clocked();
    root.symlink('l', 'é/x');
    const l = child(root, 'l');
    assert.equal(l.filetype, FileType.SYMBOLIC_LINK);
    assert.equal((l as unknown as { readlink(): string }).readlink(), 'é/x');
    assert.equal(l.stat().size, 4n);
    assert.equal(l.stat().nlink, 1n);
  });

  test('each filesystem has its own dev; inode numbers are unique within one', () => {
    const a = new MemoryFileSystem({ f: '', g: '', d: {} });
    const b = new MemoryFileSystem({ f: '' });
    assert.notEqual(a.root.stat().dev, b.root.stat().dev);
    const inos = [a.root, child(a.root, 'f'), child(a.root, 'g'), child(a.root, 'd')].map((n) => n.stat().ino);
    assert.equal(new Set(inos).size, 4);
  });
});

describe('hard links', () => {
  test('link counts: both names see nlink 2 and the same inode', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    assert.equal(child(root, 'a').stat().nlink, 2n);
    assert.equal(child(root, 'b').stat().nlink, 2n);
    assert.equal(child(root, 'a').stat().ino, child(root, 'b').stat().ino);
  });

  test('linked names share content', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    open(root, 'b').write(text('S'), 0);
    assert.equal(readText(root, 'a'), 'Shared');
    open(root, 'a').setSize(3);
    assert.equal(readText(root, 'b'), 'Sha');
  });

  test('unlinking one name keeps the other with nlink 1', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    root.unlink('a');
    assert.equal(root.lookup('a'), null);
    assert.equal(child(root, 'b').stat().nlink, 1n);
    assert.equal(readText(root, 'b'), 'shared');
  });

  test('an open handle keeps working after its last name is unlinked', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'abc');
    const h = open(root, 'a');
    root.unlink('a');
    assert.equal(h.stat().nlink, 0n);
    h.write(text('d'), 3);
    const buf = new Uint8Array(4);
    assert.equal(h.read(buf, 0), 4);
    assert.deepEqual(buf, text('abcd'));
  });

  test('EPERM: hard link to a directory', () => {
    const { root } = clocked();
    root.mkdir('d');
    assertErrno(() => root.link('e', child(root, 'd')), Errno.PERM);
  });

  test('EXDEV: hard link across filesystems', () => {
    const a = new MemoryFileSystem({ f: 'x' });
    const b = new MemoryFileSystem();
    assertErrno(() => b.root.link('f', child(a.root, 'f')), Errno.XDEV);
  });

  test('EEXIST: hard link onto an existing name', () => {
    const { root } = clocked();
    writeFile(root, 'a', '');
    writeFile(root, 'b', '');
    assertErrno(() => root.link('b', child(root, 'a')), Errno.EXIST);
    assert.equal(child(root, 'a').stat().nlink, 1n);
  });
});

describe('rename', () => {
  test('a file moves to its new name with its inode and content', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'content');
    const ino = child(root, 'a').stat().ino;
    root.mkdir('d');
    root.rename('a', subdir(root, 'd'), 'b');
    assert.equal(root.lookup('a'), null);
    const d = subdir(root, 'd');
    assert.equal(child(d, 'b').stat().ino, ino);
    assert.equal(child(d, 'b').stat().nlink, 1n);
    assert.equal(readText(d, 'b'), 'content');
  });

  test('a file replaces an existing file; the replaced one loses a link', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'new');
    writeFile(root, 'b', 'old');
    root.link('keep', child(root, 'b'));
    root.rename('a', root, 'b');
    assert.equal(readText(root, 'b'), 'new');
    assert.equal(root.lookup('a'), null);
    assert.equal(child(root, 'keep').stat().nlink, 1n);
    assert.equal(readText(root, 'keep'), 'old');
  });

  test('a directory moves between parents; both parents adjust nlink', () => {
    const { root } = clocked();
    root.mkdir('p');
    root.mkdir('q');
    const p = subdir(root, 'p');
    const q = subdir(root, 'q');
    p.mkdir('d');
    assert.equal(p.stat().nlink, 3n);
    p.rename('d', q, 'e');
    assert.equal(p.stat().nlink, 2n);
    assert.equal(q.stat().nlink, 3n);
    assert.equal(p.lookup('d'), null);
    assert.equal(child(q, 'e').filetype, FileType.DIRECTORY);
  });

  test('a directory replaces an empty directory', () => {
    const { root } = clocked();
    root.mkdir('a');
    writeFile(subdir(root, 'a'), 'inside', 'x');
    root.mkdir('b');
    assert.equal(root.stat().nlink, 4n);
    root.rename('a', root, 'b');
    assert.equal(root.lookup('a'), null);
    assert.equal(readText(subdir(root, 'b'), 'inside'), 'x');
    assert.equal(root.stat().nlink, 3n);
  });

  test('ENOTEMPTY: rename a directory over a non-empty directory', () => {
    const { root } = clocked();
    root.mkdir('a');
    root.mkdir('b');
    writeFile(subdir(root, 'b'), 'f', '');
    assertErrno(() => root.rename('a', root, 'b'), Errno.NOTEMPTY);
    assert.notEqual(root.lookup('a'), null);
  });

  test('EINVAL: rename a directory into its own subdirectory', () => {
    const { root } = clocked();
    root.mkdir('a');
    const a = subdir(root, 'a');
    a.mkdir('b');
    assertErrno(() => root.rename('a', subdir(a, 'b'), 'c'), Errno.INVAL, 'into a/b');
    assertErrno(() => root.rename('a', a, 'c'), Errno.INVAL, 'into a');
    assert.notEqual(root.lookup('a'), null);
  });

  test('EISDIR: rename a file over a directory', () => {
    const { root } = clocked();
    writeFile(root, 'f', '');
    root.mkdir('d');
    assertErrno(() => root.rename('f', root, 'd'), Errno.ISDIR);
  });

  test('ENOTDIR: rename a directory over a file', () => {
    const { root } = clocked();
    writeFile(root, 'f', '');
    root.mkdir('d');
    assertErrno(() => root.rename('d', root, 'f'), Errno.NOTDIR);
  });

  test('ENOENT: rename a missing entry', () => {
    const { root } = clocked();
    assertErrno(() => root.rename('missing', root, 'x'), Errno.NOENT);
  });

  test('rename onto another name of the same file does nothing', () => {
    const { root } = clocked();
    writeFile(root, 'a', 'x');
    root.link('b', child(root, 'a'));
    root.rename('a', root, 'b');
    assert.notEqual(root.lookup('a'), null);
    assert.notEqual(root.lookup('b'), null);
    assert.equal(child(root, 'a').stat().nlink, 2n);
  });

  test('EXDEV: rename across filesystems', () => {
    const a = new MemoryFileSystem({ f: 'x' });
    const b = new MemoryFileSystem();
    assertErrno(() => a.root.rename('f', b.root, 'f'), Errno.XDEV);
  });
});

describe('removal', () => {
  test('EISDIR: unlink a directory', () => {
    const { root } = clocked();
    root.mkdir('d');
    assertErrno(() => root.unlink('d'), Errno.ISDIR);
  });

  test('ENOENT: unlink a missing entry', () => {
    const { root } = clocked();
    assertErrno(() => root.unlink('missing'), Errno.NOENT);
  });

  test('unlink removes a symlink, not its target', () => {
    const { root } = clocked();
    writeFile(root, 'f', 'x');
    root.symlink('l', 'f');
    root.unlink('l');
    assert.equal(root.lookup('l'), null);
    assert.equal(readText(root, 'f'), 'x');
  });

  test('ENOTEMPTY: rmdir a non-empty directory', () => {
    const { root } = clocked();
    root.mkdir('d');
    subdir(root, 'd').mkdir('e');
    assertErrno(() => root.rmdir('d'), Errno.NOTEMPTY);
  });

  test('ENOTDIR: rmdir a file', () => {
    const { root } = clocked();
    writeFile(root, 'f', '');
    assertErrno(() => root.rmdir('f'), Errno.NOTDIR);
  });

  test('rmdir an empty directory drops the parent link count', () => {
    const { root } = clocked();
    root.mkdir('d');
    root.rmdir('d');
    assert.equal(root.lookup('d'), null);
    assert.equal(root.stat().nlink, 2n);
  });

  test('ENOENT: creating anything in a removed directory', () => {
    const { root } = clocked();
    root.mkdir('d');
    const d = subdir(root, 'd');
    root.rmdir('d');
    assert.equal(d.stat().nlink, 0n);
    assertErrno(() => d.mkdir('x'), Errno.NOENT, 'mkdir');
    assertErrno(() => d.open('x', CREATE), Errno.NOENT, 'open with create');
    assertErrno(() => d.symlink('x', 'y'), Errno.NOENT, 'symlink');
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
