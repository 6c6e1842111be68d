/**
 * NodeFileSystem semantics on a real host directory (a fresh temporary
 * directory per test): the same errnos as MemoryFileSystem, and timestamps
 * that round-trip to the nanosecond through setTimes and stat although Node
 * can only set them in (double) seconds.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Errno } from '../../src/abi/errno.js';
import { FileType } from '../../src/abi/constants.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import { NodeFileSystem } from '../../src/host/node/node-fs.js';
import type { FileHandle, FsDirectory, FsSymlink, OpenOptions } from '../../src/host/fs/types.js';
import { assertErrno } from './helpers/errno.js';
import { child, readFile, readText, subdir, writeFile } from './helpers/fs-fixture.js';

const RW: OpenOptions = { read: true, write: true, create: false, exclusive: false, truncate: false };
const CREATE: OpenOptions = { read: true, write: true, create: true, exclusive: false, truncate: false };
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

let parent = '';
let tmp = '';
let root: FsDirectory;
const handles: FileHandle[] = [];

// Every test gets its own directory; all are removed at the end, so no
// inode is reused between tests (Kiln's exact times are keyed by inode).
before(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-nodefs-'));
});

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(parent, 't-'));
  root = new NodeFileSystem(tmp).root;
});

afterEach(() => {
  for (const h of handles.splice(0)) {
    try { h.close(); } catch { /* already closed */ }
  }
});

after(() => {
  fs.rmSync(parent, { recursive: true, force: true });
});

function open(dir: FsDirectory, name: string, o: OpenOptions = RW): FileHandle {
  const h = dir.open(name, o);
  handles.push(h);
  return h;
}

describe('root', () => {
  test('ENOTDIR: a NodeFileSystem over a file', () => {
    fs.writeFileSync(path.join(tmp, 'f'), '');
    assertErrno(() => new NodeFileSystem(path.join(tmp, 'f')), Errno.NOTDIR);
  });

  test('ENOENT: a NodeFileSystem over a missing path', () => {
    assertErrno(() => new NodeFileSystem(path.join(tmp, 'missing')), Errno.NOENT);
  });
});

describe('files', () => {
  test('write then read exact bytes; reads stop at the end', () => {
    const h = open(root, 'f', CREATE);
    assert.equal(h.write(text('hello world'), 0), 11);
    assert.equal(h.write(text('W'), 6), 1);
    const buf = new Uint8Array(8);
    assert.equal(h.read(buf, 4), 7);
    assert.deepEqual(buf.subarray(0, 7), text('o World'));
    assert.equal(h.read(buf, 11), 0);
    assert.equal(h.read(buf, 100), 0);
    assert.equal(h.stat().size, 11n);
    assert.equal(fs.readFileSync(path.join(tmp, 'f'), 'utf8'), 'hello World');
  });

  test('writing past the end fills the gap with zeros', () => {
    const h = open(root, 'f', CREATE);
    h.write(bytes(1, 2), 0);
    h.write(bytes(9), 5);
    assert.deepEqual(readFile(root, 'f'), bytes(1, 2, 0, 0, 0, 9));
  });

  test('append writes at the current end and returns that offset', () => {
    writeFile(root, 'f', 'abc');
    const h = open(root, 'f');
    assert.equal(h.append(text('de')), 3);
    assert.equal(h.append(text('f')), 5);
    assert.equal(readText(root, 'f'), 'abcdef');
  });

  test('setSize grows with zeros and shrinks', () => {
    writeFile(root, 'f', 'abcdef');
    const h = open(root, 'f');
    h.setSize(2);
    assert.deepEqual(readFile(root, 'f'), text('ab'));
    h.setSize(5);
    assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0, 0, 0));
    assert.equal(h.stat().size, 5n);
  });

  test('allocate grows a file but never shrinks it', () => {
    writeFile(root, 'f', 'abcdef');
    const h = open(root, 'f');
    h.allocate(0, 3);
    assert.equal(h.stat().size, 6n);
    h.allocate(4, 4);
    assert.equal(h.stat().size, 8n);
    assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0));
  });

  test('truncate on open empties an existing file', () => {
    writeFile(root, 'f', 'abcdef');
    open(root, 'f', { ...RW, truncate: true });
    assert.equal(child(root, 'f').stat().size, 0n);
  });

  test('ENOENT: opening a missing file without create', () => {
    assertErrno(() => open(root, 'missing'), Errno.NOENT);
  });

  test('EEXIST: exclusive create of an existing file', () => {
    writeFile(root, 'f', 'x');
    assertErrno(() => open(root, 'f', { ...CREATE, exclusive: true }), Errno.EXIST);
  });

  test('EISDIR: opening a directory as a file', () => {
    root.mkdir('d');
    assertErrno(() => open(root, 'd'), Errno.ISDIR, 'read-write');
    // FsDirectory.open opens a regular file or device; MemoryFileSystem refuses a directory either way.
    assertErrno(() => open(root, 'd', { ...RW, write: false }), Errno.ISDIR, 'read-only');
  });

  test('ELOOP: opening a symlink (a backend never follows one)', () => {
    writeFile(root, 'f', 'x');
    root.symlink('l', 'f');
    assertErrno(() => open(root, 'l'), Errno.LOOP, 'to a file');
    fs.symlinkSync('/etc/passwd', path.join(tmp, 'out'));
    assertErrno(() => open(root, 'out', { ...RW, write: false }), Errno.LOOP, 'to a host file outside');
  });
});

describe('directories and symlinks', () => {
  test('mkdir, lookup and list; nlink is 2 plus one per subdirectory', () => {
    assert.equal(root.stat().nlink, 2n);
    root.mkdir('x');
    root.mkdir('y');
    writeFile(root, 'f', '');
    assert.equal(root.stat().nlink, 4n);
    const x = subdir(root, 'x');
    assert.equal(x.stat().nlink, 2n);
    assert.equal(x.stat().filetype, FileType.DIRECTORY);
    assert.equal(root.lookup('missing'), null);
    const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : 1);
    assert.deepEqual(root.list().sort(byName), [
      { name: 'f', filetype: FileType.REGULAR_FILE, ino: child(root, 'f').stat().ino },
      { name: 'x', filetype: FileType.DIRECTORY, ino: x.stat().ino },
      { name: 'y', filetype: FileType.DIRECTORY, ino: child(root, 'y').stat().ino },
    ]);
    assert.deepEqual(root.list(), root.list(), 'the order is stable');
  });

  test('EEXIST: mkdir or symlink over an existing name', () => {
    root.mkdir('d');
    writeFile(root, 'f', '');
    assertErrno(() => root.mkdir('d'), Errno.EXIST, 'mkdir over a directory');
    assertErrno(() => root.mkdir('f'), Errno.EXIST, 'mkdir over a file');
    assertErrno(() => root.symlink('f', 'x'), Errno.EXIST, 'symlink over a file');
  });

  test('symlink: readlink gives the target; size is its UTF-8 byte length', () => {
    root.symlink('l', 'é/x');
    const l = child(root, 'l');
    assert.equal(l.filetype, FileType.SYMBOLIC_LINK);
    assert.equal((l as FsSymlink).readlink(), 'é/x');
    assert.equal(l.stat().size, 4n);
    assert.equal(fs.readlinkSync(path.join(tmp, 'l')), 'é/x');
  });

  test('lookup never follows a symlink, even one pointing outside', () => {
    fs.symlinkSync('/etc', path.join(tmp, 'etc'));
    const l = child(root, 'etc');
    assert.equal(l.filetype, FileType.SYMBOLIC_LINK);
    assert.equal(l.stat().filetype, FileType.SYMBOLIC_LINK);
  });
});

describe('hard links', () => {
  test('link counts: both names see nlink 2 and the same inode', () => {
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    assert.equal(child(root, 'a').stat().nlink, 2n);
    assert.equal(child(root, 'b').stat().nlink, 2n);
    assert.equal(child(root, 'a').stat().ino, child(root, 'b').stat().ino);
  });

  test('linked names share content', () => {
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    open(root, 'b').write(text('S'), 0);
    assert.equal(readText(root, 'a'), 'Shared');
    open(root, 'a').setSize(3);
    assert.equal(readText(root, 'b'), 'Sha');
  });

  test('unlinking one name keeps the other with nlink 1', () => {
    writeFile(root, 'a', 'shared');
    root.link('b', child(root, 'a'));
    root.unlink('a');
    assert.equal(root.lookup('a'), null);
    assert.equal(child(root, 'b').stat().nlink, 1n);
    assert.equal(readText(root, 'b'), 'shared');
  });

  test('an open handle keeps working after its last name is unlinked', () => {
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
    root.mkdir('d');
    assertErrno(() => root.link('e', child(root, 'd')), Errno.PERM);
  });

  test('EXDEV: hard link from another kind of filesystem', () => {
    const m = new MemoryFileSystem({ f: 'x' });
    assertErrno(() => root.link('f', child(m.root, 'f')), Errno.XDEV);
  });

  test('EEXIST: hard link onto an existing name', () => {
    writeFile(root, 'a', '');
    writeFile(root, 'b', '');
    assertErrno(() => root.link('b', child(root, 'a')), Errno.EXIST);
    assert.equal(child(root, 'a').stat().nlink, 1n);
  });
});

describe('rename', () => {
  test('a file moves to its new name with its inode and content', () => {
    writeFile(root, 'a', 'content');
    const ino = child(root, 'a').stat().ino;
    root.mkdir('d');
    root.rename('a', subdir(root, 'd'), 'b');
    assert.equal(root.lookup('a'), null);
    const d = subdir(root, 'd');
    assert.equal(child(d, 'b').stat().ino, ino);
    assert.equal(readText(d, 'b'), 'content');
  });

  test('a file replaces an existing file; the replaced one loses a link', () => {
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
    root.mkdir('p');
    root.mkdir('q');
    subdir(root, 'p').mkdir('d');
    assert.equal(subdir(root, 'p').stat().nlink, 3n);
    subdir(root, 'p').rename('d', subdir(root, 'q'), 'e');
    assert.equal(subdir(root, 'p').stat().nlink, 2n);
    assert.equal(subdir(root, 'q').stat().nlink, 3n);
    assert.equal(child(subdir(root, 'q'), 'e').filetype, FileType.DIRECTORY);
  });

  test('a directory replaces an empty directory', () => {
    root.mkdir('a');
    writeFile(subdir(root, 'a'), 'inside', 'x');
    root.mkdir('b');
    root.rename('a', root, 'b');
    assert.equal(root.lookup('a'), null);
    assert.equal(readText(subdir(root, 'b'), 'inside'), 'x');
    assert.equal(root.stat().nlink, 3n);
  });

  test('ENOTEMPTY: rename a directory over a non-empty directory', () => {
    root.mkdir('a');
    root.mkdir('b');
    writeFile(subdir(root, 'b'), 'f', '');
    assertErrno(() => root.rename('a', root, 'b'), Errno.NOTEMPTY);
    assert.notEqual(root.lookup('a'), null);
  });

  test('EINVAL: rename a directory into its own subdirectory', () => {
    root.mkdir('a');
    subdir(root, 'a').mkdir('b');
    assertErrno(() => root.rename('a', subdir(subdir(root, 'a'), 'b'), 'c'), Errno.INVAL, 'into a/b');
    assertErrno(() => root.rename('a', subdir(root, 'a'), 'c'), Errno.INVAL, 'into a');
    assert.notEqual(root.lookup('a'), null);
  });

  test('EISDIR: rename a file over a directory', () => {
    writeFile(root, 'f', '');
    root.mkdir('d');
    assertErrno(() => root.rename('f', root, 'd'), Errno.ISDIR);
  });

  test('ENOTDIR: rename a directory over a file', () => {
    writeFile(root, 'f', '');
    root.mkdir('d');
    assertErrno(() => root.rename('d', root, 'f'), Errno.NOTDIR);
  });

  test('ENOENT: rename a missing entry', () => {
    assertErrno(() => root.rename('missing', root, 'x'), Errno.NOENT);
  });

  test('rename onto another name of the same file does nothing', () => {
    writeFile(root, 'a', 'x');
    root.link('b', child(root, 'a'));
    root.rename('a', root, 'b');
    assert.notEqual(root.lookup('a'), null);
    assert.notEqual(root.lookup('b'), null);
    assert.equal(child(root, 'a').stat().nlink, 2n);
  });

  test('EXDEV: rename to another kind of filesystem', () => {
    writeFile(root, 'f', 'x');
    const m = new MemoryFileSystem();
    assertErrno(() => root.rename('f', m.root, 'f'), Errno.XDEV);
  });
});

describe('removal', () => {
  test('EISDIR: unlink a directory', () => {
    root.mkdir('d');
    assertErrno(() => root.unlink('d'), Errno.ISDIR);
  });

  test('ENOENT: unlink a missing entry', () => {
    assertErrno(() => root.unlink('missing'), Errno.NOENT);
  });

  test('unlink removes a symlink, not its target', () => {
    writeFile(root, 'f', 'x');
    root.symlink('l', 'f');
    root.unlink('l');
    assert.equal(root.lookup('l'), null);
    assert.equal(readText(root, 'f'), 'x');
  });

  test('ENOTEMPTY: rmdir a non-empty directory', () => {
    root.mkdir('d');
    subdir(root, 'd').mkdir('e');
    assertErrno(() => root.rmdir('d'), Errno.NOTEMPTY);
  });

  test('ENOTDIR: rmdir a file', () => {
    writeFile(root, 'f', '');
    assertErrno(() => root.rmdir('f'), Errno.NOTDIR);
  });

  test('rmdir an empty directory drops the parent link count', () => {
    root.mkdir('d');
    root.rmdir('d');
    assert.equal(root.lookup('d'), null);
    assert.equal(root.stat().nlink, 2n);
  });

  test('ENOENT: creating anything in a removed directory', () => {
    root.mkdir('d');
    const d = subdir(root, 'd');
    root.rmdir('d');
    assertErrno(() => d.mkdir('x'), Errno.NOENT, 'mkdir');
    assertErrno(() => d.open('x', CREATE), Errno.NOENT, 'open with create');
    assertErrno(() => d.symlink('x', 'y'), Errno.NOENT, 'symlink');
  });
});

describe('timestamps', () => {
  const A = 1_700_000_000_123_456_789n;
  const M = 1_600_000_000_987_654_321n;

  test('nanosecond-exact timestamps round-trip through setTimes then stat', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, M);
    assert.equal(f.stat().atim, A);
    assert.equal(f.stat().mtim, M);
    // A fresh lookup, and an open handle, see the same exact values.
    assert.equal(child(root, 'f').stat().atim, A);
    assert.equal(open(root, 'f').stat().mtim, M);
  });

  test('nanosecond-exact timestamps set through an open handle', () => {
    writeFile(root, 'f', '');
    const h = open(root, 'f');
    h.setTimes(A + 1n, M + 1n);
    assert.equal(h.stat().atim, A + 1n);
    assert.equal(h.stat().mtim, M + 1n);
    assert.equal(child(root, 'f').stat().atim, A + 1n);
  });

  test('nanosecond-exact timestamps on a directory and on a symlink itself', () => {
    root.mkdir('d');
    writeFile(root, 'f', '');
    root.symlink('l', 'f');
    child(root, 'd').setTimes(A, M);
    child(root, 'l').setTimes(M, A);
    assert.deepEqual([child(root, 'd').stat().atim, child(root, 'd').stat().mtim], [A, M]);
    assert.deepEqual([child(root, 'l').stat().atim, child(root, 'l').stat().mtim], [M, A]);
    assert.notEqual(child(root, 'f').stat().mtim, A, 'the target is untouched');
  });

  test('each new exact value replaces the previous one', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    for (let i = 0n; i < 10n; i++) {
      f.setTimes(A + i * 1_001n, M - i * 3_003n);
      assert.equal(f.stat().atim, A + i * 1_001n);
      assert.equal(f.stat().mtim, M - i * 3_003n);
    }
  });

  test('a new exact value within the same microsecond replaces the previous one', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, M);
    f.setTimes(A + 7n, M + 1n);
    assert.equal(f.stat().atim, A + 7n);
    assert.equal(f.stat().mtim, M + 1n);
  });

  test('a value equal to what the host stores replaces an earlier exact value', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, null);
    const hostA = fs.lstatSync(path.join(tmp, 'f'), { bigint: true }).atimeNs;
    assert.notEqual(hostA, A, 'the host keeps microseconds only');
    f.setTimes(hostA, null);
    assert.equal(fs.lstatSync(path.join(tmp, 'f'), { bigint: true }).atimeNs, hostA);
    assert.equal(f.stat().atim, hostA);
  });

  test('atim is left unchanged when only mtim is set', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, M);
    f.setTimes(null, M + 999_000n);
    assert.equal(f.stat().atim, A);
    assert.equal(f.stat().mtim, M + 999_000n);
    f.setTimes(null, M + 5_000_000n);
    assert.equal(f.stat().atim, A);
    assert.equal(f.stat().mtim, M + 5_000_000n);
  });

  test('mtim is left unchanged when only atim is set', () => {
    writeFile(root, 'f', '');
    const h = open(root, 'f');
    h.setTimes(A, M);
    h.setTimes(A + 5_000n, null);
    assert.equal(h.stat().atim, A + 5_000n);
    assert.equal(h.stat().mtim, M);
  });

  test('a time left unchanged keeps the host value when it was never set exactly', () => {
    writeFile(root, 'f', '');
    const hostAtim = fs.lstatSync(path.join(tmp, 'f'), { bigint: true }).atimeNs;
    child(root, 'f').setTimes(null, M);
    const s = child(root, 'f').stat();
    assert.equal(s.mtim, M);
    // Node writes the atime back in microseconds: what remains is that value, to the microsecond.
    assert.equal(s.atim / 1000n, hostAtim / 1000n);
  });

  test("'now' sets the host's current time", () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, M);
    const before = BigInt(Date.now() - 1000) * 1_000_000n;
    f.setTimes('now', 'now');
    const after = BigInt(Date.now() + 1000) * 1_000_000n;
    const s = f.stat();
    assert.ok(s.atim >= before && s.atim <= after, `atim ${s.atim} is now`);
    assert.ok(s.mtim >= before && s.mtim <= after, `mtim ${s.mtim} is now`);
  });

  test('a host change to the file is seen: exact values apply only while the host keeps what was set', () => {
    writeFile(root, 'f', '');
    const f = child(root, 'f');
    f.setTimes(A, M);
    fs.utimesSync(path.join(tmp, 'f'), 1_000_000_000, 1_000_000_001);
    assert.equal(f.stat().atim, 1_000_000_000_000_000_000n);
    assert.equal(f.stat().mtim, 1_000_000_001_000_000_000n);
  });

  test('exact times of a deleted file do not apply to a new file that reuses its inode', (t) => {
    writeFile(root, 'f', '');
    child(root, 'f').setTimes(A, M);
    const old = fs.lstatSync(path.join(tmp, 'f'), { bigint: true });
    root.unlink('f');
    let name = '';
    for (let i = 0; i < 20 && name === ''; i++) {
      writeFile(root, `g${i}`, '');
      if (fs.lstatSync(path.join(tmp, `g${i}`), { bigint: true }).ino === old.ino) name = `g${i}`;
    }
    if (name === '') { t.skip('the host did not reuse the inode'); return; }
    // The new file gets, from the host, exactly the times the old one had on the host.
    fs.utimesSync(path.join(tmp, name), Number(old.atimeNs / 1000n) / 1e6, Number(old.mtimeNs / 1000n) / 1e6);
    const host = fs.lstatSync(path.join(tmp, name), { bigint: true });
    assert.equal(host.atimeNs, old.atimeNs);
    const s = child(root, name).stat();
    assert.equal(s.atim, host.atimeNs);
    assert.equal(s.mtim, host.mtimeNs);
  });
});
