/**
 * What is particular to NodeFileSystem, on a real host directory (a fresh
 * temporary directory per test): its root, what reaches the host, host
 * symlinks that are never followed (O_NOFOLLOW), and its memory of exact
 * nanosecond times (Node sets times in double seconds) as the host changes
 * underneath it. What every filesystem does, exact times included, is the
 * FileSystem contract's (test/contract/filesystem.test.ts).
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Errno } from '../../src/abi/errno.js';
import { NodeFileSystem } from '../../src/host/node/node-fs.js';
import type { FileHandle, FsDirectory, OpenOptions } from '../../src/host/fs/types.js';
import { assertErrno } from './helpers/errno.js';
import { child, writeFile } from './helpers/fs-fixture.js';

const RW: OpenOptions = { read: true, write: true, create: false, exclusive: false, truncate: false };
const CREATE: OpenOptions = { read: true, write: true, create: true, exclusive: false, truncate: false };
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

describe('the host directory', () => {
  test('what is made through the interface is on the host: file bytes, symlink targets', () => {
    const h = open(root, 'f', CREATE);
    h.write(text('hello world'), 0);
    h.write(text('W'), 6);
    assert.equal(fs.readFileSync(path.join(tmp, 'f'), 'utf8'), 'hello World');
    root.symlink('l', 'é/x');
    assert.equal(fs.readlinkSync(path.join(tmp, 'l')), 'é/x');
  });

  test('ELOOP: a host symlink to a file outside is not opened (O_NOFOLLOW)', () => {
    fs.symlinkSync('/etc/passwd', path.join(tmp, 'out'));
    assertErrno(() => open(root, 'out', { ...RW, write: false }), Errno.LOOP);
  });
});

describe('timestamps', () => {
  const A = 1_700_000_000_123_456_789n;
  const M = 1_600_000_000_987_654_321n;

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

  test('a time left unchanged keeps the host value when it was never set exactly', () => {
    writeFile(root, 'f', '');
    const hostAtim = fs.lstatSync(path.join(tmp, 'f'), { bigint: true }).atimeNs;
    child(root, 'f').setTimes(null, M);
    const s = child(root, 'f').stat();
    assert.equal(s.mtim, M);
    // Node writes the atime back in microseconds: what remains is that value, to the microsecond.
    assert.equal(s.atim / 1000n, hostAtim / 1000n);
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

describe('walk speed rules', () => {
  // A listing lstats every entry (for its inode); the lookup that follows
  // may answer with those attributes instead of asking the host again:
  // once per entry, within one second, while nothing changed through Kiln.

  let FileType: typeof import('../../src/abi/constants.js').FileType;
  let DirectoryResource: typeof import('../../src/kernel/directory-resource.js').DirectoryResource;
  before(async () => {
    ({ FileType } = await import('../../src/abi/constants.js'));
    ({ DirectoryResource } = await import('../../src/kernel/directory-resource.js'));
  });

  const hostStat = (name: string): fs.BigIntStats => fs.lstatSync(path.join(tmp, name), { bigint: true });
  const grow = (name: string): void => fs.appendFileSync(path.join(tmp, name), 'more');
  const sizeOf = (name: string): bigint => (root.lookup(name)!.lookupStat?.() ?? root.lookup(name)!.stat()).size;

  test("a listed entry carries the inode and type the host's lstat gives", () => {
    writeFile(root, 'f', 'x');
    root.mkdir('d');
    root.symlink('l', 'f');
    const listed = new Map(root.list().map((e) => [e.name, e]));
    for (const [name, type] of [['f', FileType.REGULAR_FILE], ['d', FileType.DIRECTORY], ['l', FileType.SYMBOLIC_LINK]] as const) {
      assert.equal(listed.get(name)?.ino, hostStat(name).ino, `${name}: ino`);
      assert.equal(listed.get(name)?.filetype, type, `${name}: type`);
    }
  });

  test('the lookup after a listing gives the attributes the host had, to the nanosecond', () => {
    writeFile(root, 'f', 'abc');
    root.list();
    const host = hostStat('f');
    const s = child(root, 'f').lookupStat!();
    assert.deepEqual(
      [s.dev, s.ino, s.nlink, s.size, s.atim, s.mtim, s.ctim],
      [host.dev, host.ino, host.nlink, host.size, host.atimeNs, host.mtimeNs, host.ctimeNs],
    );
  });

  test("a listing's attributes are used once: the next lookup of the name asks the host", (t) => {
    t.mock.method(performance, 'now', () => 0);
    writeFile(root, 'f', 'abc');
    writeFile(root, 'g', '');
    root.list();
    grow('f');
    assert.equal(sizeOf('f'), 3n, 'the first lookup answers from the listing');
    assert.equal(sizeOf('f'), 7n, 'the second one sees the change');
  });

  test('a change made outside Kiln is seen once the listing is older than a second', (t) => {
    let clock = 0;
    t.mock.method(performance, 'now', () => clock);
    writeFile(root, 'f', 'abc');
    writeFile(root, 'g', 'abc');
    root.list();
    grow('f');
    grow('g');
    clock = 1000;
    assert.equal(sizeOf('f'), 3n, 'within the second, the listing answers');
    clock = 1001;
    assert.equal(sizeOf('g'), 7n, 'after it, the host does');
  });

  test('a change made through Kiln ends the reuse at once', (t) => {
    t.mock.method(performance, 'now', () => 0);
    writeFile(root, 'f', 'abc');
    writeFile(root, 'g', '');
    root.list();
    open(root, 'g').write(text('!'), 0);
    grow('f');
    assert.equal(sizeOf('f'), 7n);
  });

  test("lookups out of listing order each get their own entry's attributes", () => {
    const names = ['a', 'b', 'c', 'd'];
    for (const [i, name] of names.entries()) writeFile(root, name, 'x'.repeat(i + 1));
    const listed = root.list().map((e) => e.name);
    for (const name of [...listed].reverse()) {
      const s = child(root, name).lookupStat!();
      assert.equal(s.size, hostStat(name).size, name);
      assert.equal(s.ino, hostStat(name).ino, name);
    }
  });

  test("a directory descriptor's readdir gives . and .. the host's inodes", () => {
    root.mkdir('d');
    writeFile(root, 'f', '');
    const d = child(root, 'd') as FsDirectory;
    const entries = new DirectoryResource(d, root).readdir();
    assert.deepEqual(entries.slice(0, 2).map((e) => [e.name, e.ino]), [['.', hostStat('d').ino], ['..', hostStat('.').ino]]);
    const top = new DirectoryResource(root).readdir();
    assert.deepEqual(top.slice(0, 2).map((e) => e.ino), [hostStat('.').ino, hostStat('.').ino]);
    assert.deepEqual(new Set(top.slice(2).map((e) => [e.name, e.ino].join())), new Set([`d,${hostStat('d').ino}`, `f,${hostStat('f').ino}`]));
  });
});
