/**
 * The path-based helpers (src/host/fs/fs-paths.ts) and MemoryFileSystem's
 * methods that delegate to them: exact bytes, path forms, symlinks, and
 * the exact errno and message of every failure. Also: the helpers on
 * another backend (NodeFileSystem), and reading back what a guest wrote.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync as hostReadFile, writeFileSync as hostWriteFile } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Errno, errnoName } from '../../src/abi/errno.js';
import { FileType } from '../../src/abi/constants.js';
import {
  MemoryFileSystem, NodeFileSystem, WasiBuilder, WasiError, fsPaths,
  type FileSystem, type FsDirectory, type FsNode,
} from '../../src/node.js';
import { programPath } from '../helpers/programs.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** Expects a WasiError with exactly this errno and message. */
function fails(fn: () => unknown, errno: Errno, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WasiError, `expected a WasiError, got ${String(e)}`);
    assert.equal(errnoName(e.errno), errnoName(errno));
    assert.equal(e.message, message);
    return true;
  });
}

/** A small tree: files, a nested directory, symlinks of every kind. */
function sample(): MemoryFileSystem {
  const fs = new MemoryFileSystem({
    'a.txt': 'alpha',
    bin: bytes(0, 255, 1, 128),
    d: { 'e.txt': 'héllo', sub: { 'deep.txt': 'deep' } },
    empty: {},
  });
  fs.symlink('d/e.txt', 'to-e');
  fs.symlink('sub', 'd/to-sub');
  fs.symlink('/a.txt', 'd/abs');
  fs.symlink('../a.txt', 'd/up');
  fs.symlink('missing.txt', 'dangling');
  fs.symlink('d', 'to-d');
  return fs;
}

describe('readFile', () => {
  test('exact bytes, and text as UTF-8', () => {
    const fs = sample();
    assert.deepEqual(fs.readFile('bin'), bytes(0, 255, 1, 128));
    assert.ok(fs.readFile('bin') instanceof Uint8Array);
    assert.deepEqual(fs.readFile('d/e.txt'), bytes(0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f));
    assert.equal(fs.readFile('d/e.txt', 'utf8'), 'héllo');
    assert.equal(fs.readFile('d/e.txt', 'utf-8'), 'héllo');
    assert.deepEqual(new MemoryFileSystem({ z: '' }).readFile('z'), bytes());
  });

  test('path forms: leading /, empty components, ., .. (physical, stopping at the root)', () => {
    const fs = sample();
    for (const p of ['a.txt', '/a.txt', '//a.txt', './a.txt', 'd/../a.txt', 'd/sub/../../a.txt', '../a.txt', '/../../a.txt', 'd/./../a.txt']) {
      assert.equal(fs.readFile(p, 'utf8'), 'alpha', p);
    }
    // `..` after a symlink goes up from where the link led (d/sub), not lexically.
    assert.equal(fs.readFile('d/to-sub/../e.txt', 'utf8'), 'héllo');
    assert.equal(fs.readFile('to-d/sub/deep.txt', 'utf8'), 'deep');
  });

  test('symlinks: relative from the link\'s directory, absolute from the root, .. in a target stops at the root', () => {
    const fs = sample();
    assert.equal(fs.readFile('to-e', 'utf8'), 'héllo');
    assert.equal(fs.readFile('d/abs', 'utf8'), 'alpha');
    assert.equal(fs.readFile('d/up', 'utf8'), 'alpha');
    fs.symlink('../../../../a.txt', 'd/far-up');
    assert.equal(fs.readFile('d/far-up', 'utf8'), 'alpha');
    fs.symlink('/', 'to-root');
    assert.deepEqual(fs.readdir('to-root/d'), ['e.txt', 'sub', 'to-sub', 'abs', 'up', 'far-up']);
  });

  test('failures: ENOENT, EISDIR, ENOTDIR, ELOOP, each naming the path', () => {
    const fs = sample();
    fails(() => fs.readFile('nope.txt'), Errno.NOENT, "ENOENT: no such file or directory, readFile 'nope.txt'");
    fails(() => fs.readFile('nope/x.txt'), Errno.NOENT, "ENOENT: no such file or directory, readFile 'nope/x.txt'");
    fails(() => fs.readFile('dangling'), Errno.NOENT, "ENOENT: no such file or directory, readFile 'dangling'");
    fails(() => fs.readFile('d'), Errno.ISDIR, "EISDIR: is a directory, readFile 'd'");
    fails(() => fs.readFile('/'), Errno.ISDIR, "EISDIR: is a directory, readFile '/'");
    fails(() => fs.readFile(''), Errno.ISDIR, "EISDIR: is a directory, readFile ''");
    fails(() => fs.readFile('to-d'), Errno.ISDIR, "EISDIR: is a directory, readFile 'to-d'");
    fails(() => fs.readFile('a.txt/x'), Errno.NOTDIR, "ENOTDIR: not a directory, readFile 'a.txt/x'");
    fails(() => fs.readFile('a.txt/'), Errno.NOTDIR, "ENOTDIR: not a directory, readFile 'a.txt/'");
    fails(() => fs.readFile('to-e/'), Errno.NOTDIR, "ENOTDIR: not a directory, readFile 'to-e/'");
    fs.symlink('loop-b', 'loop-a');
    fs.symlink('loop-a', 'loop-b');
    fails(() => fs.readFile('loop-a'), Errno.LOOP, "ELOOP: too many levels of symbolic links, readFile 'loop-a'");
    fails(() => fs.readFile('loop-a/x'), Errno.LOOP, "ELOOP: too many levels of symbolic links, readFile 'loop-a/x'");
  });

  test('40 symlinks are followed in one path; the 41st is ELOOP', () => {
    const fs = new MemoryFileSystem({ target: 'end' });
    fs.symlink('target', 'l0');
    for (let i = 1; i <= 40; i++) fs.symlink(`l${i - 1}`, `l${i}`);
    assert.equal(fs.readFile('l39', 'utf8'), 'end'); // 40 links
    fails(() => fs.readFile('l40'), Errno.LOOP, "ELOOP: too many levels of symbolic links, readFile 'l40'");
    assert.equal(fsPaths.MAX_SYMLINKS, 40);
  });

  test('bad arguments are TypeErrors', () => {
    const fs = sample();
    assert.throws(() => fs.readFile('a.txt', 'latin1' as 'utf8'), {
      name: 'TypeError', message: 'readFile: unsupported encoding "latin1"; only \'utf8\' is supported',
    });
    assert.throws(() => fs.readFile(7 as unknown as string), { name: 'TypeError', message: 'readFile: the path must be a string, not number' });
  });
});

describe('writeFile', () => {
  test('creates, then truncates and replaces; text as UTF-8, bytes as given', () => {
    const fs = sample();
    fs.writeFile('new.txt', 'ünïcode ✓');
    assert.deepEqual(fs.readFile('new.txt'), new TextEncoder().encode('ünïcode ✓'));
    fs.writeFile('/new.txt', bytes(1, 2));
    assert.deepEqual(fs.readFile('new.txt'), bytes(1, 2));
    assert.equal(fs.stat('new.txt').size, 2n);
    fs.writeFile('d/sub/../e.txt', '');
    assert.deepEqual(fs.readFile('d/e.txt'), bytes());
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    fs.writeFile('big', big);
    assert.deepEqual(fs.readFile('big'), big);
  });

  test('follows a symlink; a dangling one creates its target', () => {
    const fs = sample();
    fs.writeFile('to-e', 'through the link');
    assert.equal(fs.readFile('d/e.txt', 'utf8'), 'through the link');
    assert.equal(fs.lstat('to-e').filetype, FileType.SYMBOLIC_LINK);
    fs.writeFile('dangling', 'made');
    assert.equal(fs.readFile('missing.txt', 'utf8'), 'made');
  });

  test('failures: ENOENT, ENOTDIR, EISDIR', () => {
    const fs = sample();
    fails(() => fs.writeFile('nope/x', 'x'), Errno.NOENT, "ENOENT: no such file or directory, writeFile 'nope/x'");
    fails(() => fs.writeFile('a.txt/x', 'x'), Errno.NOTDIR, "ENOTDIR: not a directory, writeFile 'a.txt/x'");
    fails(() => fs.writeFile('d', 'x'), Errno.ISDIR, "EISDIR: is a directory, writeFile 'd'");
    fails(() => fs.writeFile('to-d', 'x'), Errno.ISDIR, "EISDIR: is a directory, writeFile 'to-d'");
    fails(() => fs.writeFile('/', 'x'), Errno.ISDIR, "EISDIR: is a directory, writeFile '/'");
    fails(() => fs.writeFile('fresh/', 'x'), Errno.ISDIR, "EISDIR: is a directory, writeFile 'fresh/'");
    fails(() => fs.writeFile('a.txt/', 'x'), Errno.NOTDIR, "ENOTDIR: not a directory, writeFile 'a.txt/'");
    assert.equal(fs.exists('fresh'), false);
    assert.throws(() => fs.writeFile('x', 5 as unknown as string), { name: 'TypeError', message: 'writeFile: data must be a string or a Uint8Array, not number' });
  });
});

describe('readdir, stat, lstat, exists', () => {
  test('readdir lists names in the directory\'s order (creation order), without . and ..', () => {
    const fs = sample();
    assert.deepEqual(fs.readdir(''), ['a.txt', 'bin', 'd', 'empty', 'to-e', 'dangling', 'to-d']);
    assert.deepEqual(fs.readdir('/'), fs.readdir(''));
    assert.deepEqual(fs.readdir('d'), ['e.txt', 'sub', 'to-sub', 'abs', 'up']);
    assert.deepEqual(fs.readdir('to-d/to-sub/'), ['deep.txt']);
    assert.deepEqual(fs.readdir('empty'), []);
    fs.writeFile('empty/z', '');
    fs.writeFile('empty/a', '');
    assert.deepEqual(fs.readdir('empty'), ['z', 'a']);
  });

  test('readdir failures: ENOENT, ENOTDIR', () => {
    const fs = sample();
    fails(() => fs.readdir('nope'), Errno.NOENT, "ENOENT: no such file or directory, readdir 'nope'");
    fails(() => fs.readdir('a.txt'), Errno.NOTDIR, "ENOTDIR: not a directory, readdir 'a.txt'");
    fails(() => fs.readdir('to-e'), Errno.NOTDIR, "ENOTDIR: not a directory, readdir 'to-e'");
  });

  test('stat follows symlinks, lstat describes the link (unless the path ends in /)', () => {
    const fs = sample();
    assert.equal(fs.stat('a.txt').filetype, FileType.REGULAR_FILE);
    assert.equal(fs.stat('a.txt').size, 5n);
    assert.equal(fs.stat('to-e').filetype, FileType.REGULAR_FILE);
    assert.equal(fs.stat('to-e').size, 6n);
    assert.equal(fs.stat('to-e').ino, fs.stat('d/e.txt').ino);
    assert.equal(fs.lstat('to-e').filetype, FileType.SYMBOLIC_LINK);
    assert.equal(fs.lstat('to-e').size, 7n); // 'd/e.txt'
    assert.notEqual(fs.lstat('to-e').ino, fs.stat('to-e').ino);
    assert.equal(fs.stat('').filetype, FileType.DIRECTORY);
    assert.equal(fs.stat('/').ino, fs.root.stat().ino);
    assert.equal(fs.lstat('to-d').filetype, FileType.SYMBOLIC_LINK);
    assert.equal(fs.lstat('to-d/').filetype, FileType.DIRECTORY);
    assert.equal(fs.lstat('dangling').filetype, FileType.SYMBOLIC_LINK);
  });

  test('stat and lstat failures: ENOENT, ENOTDIR, ELOOP', () => {
    const fs = sample();
    fails(() => fs.stat('dangling'), Errno.NOENT, "ENOENT: no such file or directory, stat 'dangling'");
    fails(() => fs.lstat('nope'), Errno.NOENT, "ENOENT: no such file or directory, lstat 'nope'");
    fails(() => fs.stat('a.txt/'), Errno.NOTDIR, "ENOTDIR: not a directory, stat 'a.txt/'");
    fails(() => fs.lstat('a.txt/b'), Errno.NOTDIR, "ENOTDIR: not a directory, lstat 'a.txt/b'");
    fs.symlink('self', 'self');
    fails(() => fs.stat('self'), Errno.LOOP, "ELOOP: too many levels of symbolic links, stat 'self'");
    assert.equal(fs.lstat('self').filetype, FileType.SYMBOLIC_LINK);
  });

  test('exists: false for ENOENT, ENOTDIR and ELOOP', () => {
    const fs = sample();
    fs.symlink('self', 'self');
    for (const p of ['', '/', 'a.txt', 'd/sub', 'to-e', 'to-d/sub/deep.txt', '../a.txt']) assert.equal(fs.exists(p), true, p);
    for (const p of ['nope', 'dangling', 'a.txt/x', 'a.txt/', 'self']) assert.equal(fs.exists(p), false, p);
  });
});

describe('mkdir', () => {
  test('creates one directory; recursive creates its parents and accepts an existing directory', () => {
    const fs = sample();
    fs.mkdir('new');
    assert.equal(fs.stat('new').filetype, FileType.DIRECTORY);
    fs.mkdir('/new/inner/');
    assert.deepEqual(fs.readdir('new'), ['inner']);
    fs.mkdir('x/y/z', { recursive: true });
    assert.deepEqual(fs.readdir('x/y'), ['z']);
    fs.mkdir('x/y/z', { recursive: true });
    fs.mkdir('', { recursive: true });
    fs.mkdir('to-d/made/here', { recursive: true });
    assert.deepEqual(fs.readdir('d/made'), ['here']);
    fs.mkdir('to-d', { recursive: true }); // a symlink to a directory is accepted
  });

  test('failures: EEXIST, ENOENT, ENOTDIR', () => {
    const fs = sample();
    fails(() => fs.mkdir('d'), Errno.EXIST, "EEXIST: file already exists, mkdir 'd'");
    fails(() => fs.mkdir('a.txt'), Errno.EXIST, "EEXIST: file already exists, mkdir 'a.txt'");
    fails(() => fs.mkdir('dangling'), Errno.EXIST, "EEXIST: file already exists, mkdir 'dangling'");
    fails(() => fs.mkdir('to-d'), Errno.EXIST, "EEXIST: file already exists, mkdir 'to-d'");
    fails(() => fs.mkdir('/'), Errno.EXIST, "EEXIST: file already exists, mkdir '/'");
    fails(() => fs.mkdir('a.txt', { recursive: true }), Errno.EXIST, "EEXIST: file already exists, mkdir 'a.txt'");
    fails(() => fs.mkdir('dangling', { recursive: true }), Errno.EXIST, "EEXIST: file already exists, mkdir 'dangling'");
    fails(() => fs.mkdir('no/such'), Errno.NOENT, "ENOENT: no such file or directory, mkdir 'no/such'");
    fails(() => fs.mkdir('a.txt/x'), Errno.NOTDIR, "ENOTDIR: not a directory, mkdir 'a.txt/x'");
    fails(() => fs.mkdir('a.txt/x/y', { recursive: true }), Errno.NOTDIR, "ENOTDIR: not a directory, mkdir 'a.txt/x/y'");
    assert.equal(fs.exists('no'), false);
  });
});

describe('symlink and readlink', () => {
  test('readlink gives the target as stored', () => {
    const fs = sample();
    assert.equal(fs.readlink('to-e'), 'd/e.txt');
    assert.equal(fs.readlink('d/abs'), '/a.txt');
    assert.equal(fs.readlink('dangling'), 'missing.txt');
    assert.equal(fs.readlink('to-d/up'), '../a.txt');
  });

  test('failures: EEXIST, ENOENT, EINVAL', () => {
    const fs = sample();
    fails(() => fs.symlink('x', 'a.txt'), Errno.EXIST, "EEXIST: file already exists, symlink 'a.txt'");
    fails(() => fs.symlink('x', 'dangling'), Errno.EXIST, "EEXIST: file already exists, symlink 'dangling'");
    fails(() => fs.symlink('x', '/'), Errno.EXIST, "EEXIST: file already exists, symlink '/'");
    fails(() => fs.symlink('x', 'no/l'), Errno.NOENT, "ENOENT: no such file or directory, symlink 'no/l'");
    fails(() => fs.symlink('', 'l'), Errno.NOENT, "ENOENT: no such file or directory, symlink 'l'");
    fails(() => fs.readlink('a.txt'), Errno.INVAL, "EINVAL: invalid argument, readlink 'a.txt'");
    fails(() => fs.readlink('d'), Errno.INVAL, "EINVAL: invalid argument, readlink 'd'");
    fails(() => fs.readlink('nope'), Errno.NOENT, "ENOENT: no such file or directory, readlink 'nope'");
  });
});

describe('unlink, rmdir, rm', () => {
  test('unlink removes a file, or a symlink and not its target', () => {
    const fs = sample();
    fs.unlink('a.txt');
    fs.unlink('to-e');
    fs.unlink('to-d');
    assert.deepEqual(fs.readdir(''), ['bin', 'd', 'empty', 'dangling']);
    assert.equal(fs.readFile('d/e.txt', 'utf8'), 'héllo');
    fails(() => fs.unlink('a.txt'), Errno.NOENT, "ENOENT: no such file or directory, unlink 'a.txt'");
    fails(() => fs.unlink('d'), Errno.ISDIR, "EISDIR: is a directory, unlink 'd'");
    fails(() => fs.unlink('bin/'), Errno.NOTDIR, "ENOTDIR: not a directory, unlink 'bin/'");
    fails(() => fs.unlink(''), Errno.BUSY, "EBUSY: resource busy, unlink ''");
  });

  test('rmdir removes an empty directory only', () => {
    const fs = sample();
    fs.rmdir('empty/');
    assert.equal(fs.exists('empty'), false);
    fails(() => fs.rmdir('d'), Errno.NOTEMPTY, "ENOTEMPTY: directory not empty, rmdir 'd'");
    fails(() => fs.rmdir('a.txt'), Errno.NOTDIR, "ENOTDIR: not a directory, rmdir 'a.txt'");
    fails(() => fs.rmdir('to-d'), Errno.NOTDIR, "ENOTDIR: not a directory, rmdir 'to-d'");
    fails(() => fs.rmdir('to-d/'), Errno.NOTDIR, "ENOTDIR: not a directory, rmdir 'to-d/'");
    fails(() => fs.rmdir('nope'), Errno.NOENT, "ENOENT: no such file or directory, rmdir 'nope'");
    fails(() => fs.rmdir('/'), Errno.BUSY, "EBUSY: resource busy, rmdir '/'");
    fails(() => fs.rmdir('d/sub/..'), Errno.INVAL, "EINVAL: invalid argument, rmdir 'd/sub/..'");
    fails(() => fs.rmdir('d/sub/.'), Errno.INVAL, "EINVAL: invalid argument, rmdir 'd/sub/.'");
    assert.deepEqual(fs.readdir('d/sub'), ['deep.txt']);
  });

  test('rm: files and symlinks; recursive directories without following links; force', () => {
    const fs = sample();
    fs.rm('bin');
    fs.rm('dangling');
    fs.symlink('/d/sub', 'empty/link-to-sub');
    fs.rm('empty', { recursive: true });
    assert.deepEqual(fs.readdir('d/sub'), ['deep.txt'], 'a link inside is removed, its target kept');
    fs.rm('d', { recursive: true });
    assert.deepEqual(fs.readdir(''), ['a.txt', 'to-e', 'to-d']);
    fs.rm('nope', { force: true });
    fs.rm('nope/deeper', { force: true });
    fails(() => fs.rm('nope'), Errno.NOENT, "ENOENT: no such file or directory, rm 'nope'");
    fs.mkdir('dir');
    fails(() => fs.rm('dir'), Errno.ISDIR, "EISDIR: is a directory, rm 'dir'");
    fails(() => fs.rm('/', { recursive: true }), Errno.BUSY, "EBUSY: resource busy, rm '/'");
    fails(() => fs.rm('a.txt/x', { force: true }), Errno.NOTDIR, "ENOTDIR: not a directory, rm 'a.txt/x'");
  });
});

describe('on any FileSystem', () => {
  test('the same functions work on a NodeFileSystem (a host directory)', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-fs-paths-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    hostWriteFile(join(dir, 'host.txt'), 'from the host');
    const fs = new NodeFileSystem(dir);
    assert.equal(fsPaths.readFile(fs, '/host.txt', 'utf8'), 'from the host');
    fsPaths.mkdir(fs, 'a/b', { recursive: true });
    fsPaths.writeFile(fs, 'a/b/c.bin', bytes(9, 8, 7));
    assert.deepEqual(hostReadFile(join(dir, 'a', 'b', 'c.bin')), Buffer.from([9, 8, 7]));
    fsPaths.symlink(fs, 'a/b', 'link');
    assert.deepEqual(fsPaths.readdir(fs, 'link'), ['c.bin']);
    assert.deepEqual(fsPaths.readFile(fs, 'link/c.bin'), bytes(9, 8, 7));
    fails(() => fsPaths.readFile(fs, 'a'), Errno.ISDIR, "EISDIR: is a directory, readFile 'a'");
    fails(() => fsPaths.rmdir(fs, 'a'), Errno.NOTEMPTY, "ENOTEMPTY: directory not empty, rmdir 'a'");
    fsPaths.rm(fs, 'a', { recursive: true });
    assert.equal(fsPaths.exists(fs, 'a'), false);
    assert.equal(fsPaths.exists(fs, 'link'), false);
    assert.equal(fsPaths.lstat(fs, 'link').filetype, FileType.SYMBOLIC_LINK);
  });

  test('a backend\'s own failure (a WasiError or a host error code) is thrown with the path named', () => {
    const mem = sample();
    const failing: FileSystem = {
      root: new Proxy(mem.root, {
        get(target, key) {
          if (key === 'open') return () => { throw Object.assign(new Error('refused'), { code: 'EACCES' }); };
          if (key === 'mkdir') return () => { throw new WasiError(Errno.ROFS); };
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }) as FsDirectory,
    };
    fails(() => fsPaths.readFile(failing, 'a.txt'), Errno.ACCES, "EACCES: readFile 'a.txt'");
    fails(() => fsPaths.mkdir(failing, 'x'), Errno.ROFS, "EROFS: mkdir 'x'");
    assert.equal(fsPaths.readdir(failing, 'd/sub')[0], 'deep.txt');
  });

  test('a failure that is not an errno (a bug in a backend) passes unchanged', () => {
    const bug = new TypeError('backend bug');
    const broken: FileSystem = { root: { ...new MemoryFileSystem().root, lookup(): FsNode | null { throw bug; } } as FsDirectory };
    assert.throws(() => fsPaths.stat(broken, 'x'), (e: unknown) => e === bug);
  });
});

test('a guest run writes into a MemoryFileSystem and readFile reads it back exactly', async () => {
  const fs = new MemoryFileSystem({
    'input.txt': 'hello from memory\n',
    dir: { 'b.txt': 'bee', 'a.txt': 'ay' },
  });
  const r = await new WasiBuilder()
    .args(['browser_fs'])
    .preopen('/data', fs)
    .stdin('')
    .stdout('capture')
    .stderr('capture')
    .run(hostReadFile(programPath('browser_fs')));
  assert.equal(r.exitCode, 3);
  assert.match(r.stdoutText, /^write out\.txt: 23$/m);
  // browser_fs creates out.txt, writes it, and renames it to renamed.txt.
  assert.deepEqual(fs.readFile('renamed.txt'), new TextEncoder().encode('written in the browser\n'));
  assert.deepEqual(fs.readdir('/'), ['input.txt', 'dir', 'renamed.txt']);
  assert.equal(fs.exists('out.txt'), false);
  assert.equal(fs.stat('renamed.txt').size, 23n);
});
