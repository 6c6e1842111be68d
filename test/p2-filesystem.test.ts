/**
 * `wasi:filesystem` for components (src/syscalls/p2/filesystem*.ts),
 * driven directly, without a component: a kernel process with a temporary
 * host directory preopened as /sandbox, the interfaces built over it, and
 * every descriptor method called as jco's glue calls it. Checked: exact
 * bytes on the host, exact error codes, the sandbox (`..`, absolute paths
 * and symlinks out of it are `not-permitted` and the host is untouched),
 * the rights of read-only descriptors and directories, and that dropping
 * a descriptor closes its host file (once no stream from it is left).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Rights } from '../src/abi/constants.js';
import { Errno } from '../src/abi/errno.js';
import { systemClocks } from '../src/host/clocks.js';
import { NodeFileSystem } from '../src/host/node/node-fs.js';
import { nodeRuntime } from '../src/host/node/node-runtime.js';
import { cryptoRandom } from '../src/host/random.js';
import { NullStream } from '../src/host/stdio.js';
import { FileResource } from '../src/kernel/file-resource.js';
import { Kernel } from '../src/kernel/kernel.js';
import { ESCAPE } from '../src/kernel/path-resolver.js';
import type { Process } from '../src/kernel/process.js';
import { Descriptor, DirectoryEntryStream, filesystemInterfaces } from '../src/syscalls/p2/filesystem.js';
import { HostContext } from '../src/syscalls/p2/host-context.js';
import { InputStream, IoError, OutputStream } from '../src/syscalls/p2/io.js';
import { DISPOSE, ResultError } from '../src/syscalls/p2/values.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

const NONE = {};
const FOLLOW = { symlinkFollow: true };
const READ = { read: true };
const WRITE = { write: true };
const RW = { read: true, write: true };
const CREATE = { create: true };

let top: string;
let sandbox: string;
let outside: string;
let proc: Process;
let fsi: ReturnType<typeof filesystemInterfaces>;
let root: Descriptor;

const host = (...p: string[]): string => path.join(sandbox, ...p);
const hostText = (...p: string[]): string => fs.readFileSync(host(...p), 'utf8');

/** The error code a call fails with ('ok' when it succeeds). */
function codeOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof ResultError) return (e as ResultError<unknown>).payload;
    throw e;
  }
  return 'ok';
}

function drop(r: { [DISPOSE]?: () => void } | object): void {
  (r as Record<symbol, () => void>)[DISPOSE]!();
}

function openFile(p: string, open: object, flags: object): Descriptor {
  return root.openAt(NONE, p, open, flags);
}

/** The whole of a stream, until it is closed. */
function drain(s: InputStream): string {
  const parts: Uint8Array[] = [];
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = s.blockingRead(1024n) as Uint8Array; // a thread that may block: never a promise
    } catch (e) {
      assert.ok(e instanceof ResultError);
      assert.deepEqual((e as ResultError<unknown>).payload, { tag: 'closed' });
      break;
    }
    parts.push(chunk);
  }
  return parts.map((p) => dec.decode(p)).join('');
}

function listing(d: Descriptor): [string, string][] {
  const s = d.readDirectory();
  assert.ok(s instanceof DirectoryEntryStream);
  const out: [string, string][] = [];
  for (let e = s.readDirectoryEntry(); e !== undefined; e = s.readDirectoryEntry()) out.push([e.name, e.type]);
  drop(s);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Is host descriptor `fd` open? */
function hostFdOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function hostFdOf(d: Descriptor): number {
  const r = d.resource;
  assert.ok(r instanceof FileResource);
  return (r.handle as unknown as { fd: number }).fd;
}

before(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-p2fs-'));
});

after(() => {
  fs.rmSync(top, { recursive: true, force: true });
});

beforeEach(() => {
  const run = fs.mkdtempSync(path.join(top, 'run-'));
  sandbox = path.join(run, 'sandbox');
  outside = path.join(run, 'outside');
  fs.mkdirSync(sandbox);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  proc = new Kernel(nodeRuntime).spawn({
    args: ['component'], env: [], stdin: new NullStream(), stdout: new NullStream(), stderr: new NullStream(),
    preopens: [{ guestPath: '/sandbox', fs: new NodeFileSystem(sandbox) }], clocks: systemClocks, random: cryptoRandom,
  });
  fsi = filesystemInterfaces(new HostContext(proc));
  const dirs = fsi['wasi:filesystem/preopens'].getDirectories();
  assert.equal(dirs.length, 1);
  root = dirs[0]![0];
});

/** The outside directory is as it was made: nothing written, made or removed there. */
function assertOutsideUntouched(): void {
  assert.deepEqual(fs.readdirSync(outside), ['secret']);
  assert.equal(fs.readFileSync(path.join(outside, 'secret'), 'utf8'), 'secret');
}

describe('preopens', () => {
  test('get-directories: the process\'s preopen, by its guest name, a readable and mutable directory', () => {
    const dirs = fsi['wasi:filesystem/preopens'].getDirectories();
    assert.equal(dirs.length, 1);
    const [d, name] = dirs[0]!;
    assert.ok(d instanceof Descriptor);
    assert.equal(name, '/sandbox');
    assert.equal(d.getType(), 'directory');
    assert.deepEqual(d.getFlags(), {
      read: true, write: false, fileIntegritySync: false, dataIntegritySync: false, requestedWriteSync: false, mutateDirectory: true,
    });
  });

  test('dropping a preopen\'s descriptor leaves the table\'s directory open and usable', () => {
    const [d] = fsi['wasi:filesystem/preopens'].getDirectories()[0]!;
    drop(d);
    assert.ok(proc.fds.has(3));
    const again = fsi['wasi:filesystem/preopens'].getDirectories()[0]![0];
    again.createDirectoryAt('still');
    assert.ok(fs.statSync(host('still')).isDirectory());
  });
});

describe('files: create, write, read', () => {
  test('write-via-stream then read-via-stream and read: exact bytes, on the host too', () => {
    const f = openFile('a.txt', CREATE, WRITE);
    assert.equal(f.getType(), 'regular-file');
    const out = f.writeViaStream(0n);
    assert.ok(out instanceof OutputStream);
    out.blockingWriteAndFlush(bytes('hello, '));
    out.blockingWriteAndFlush(bytes('world'));
    drop(out);
    drop(f);
    assert.equal(hostText('a.txt'), 'hello, world');

    const r = openFile('a.txt', NONE, READ);
    const s = r.readViaStream(7n);
    assert.ok(s instanceof InputStream);
    assert.equal(drain(s), 'world');
    drop(s);
    const [all, end] = r.read(100n, 0n);
    assert.equal(dec.decode(all), 'hello, world');
    assert.equal(end, true);
    const [part, notEnd] = r.read(5n, 0n);
    assert.deepEqual([dec.decode(part), notEnd], ['hello', false]);
    const [none, past] = r.read(10n, 100n);
    assert.deepEqual([none.length, past], [0, true]);
    drop(r);
  });

  test('write at offsets (a gap reads as zeros), append-via-stream, set-size', () => {
    const f = openFile('b.bin', CREATE, RW);
    assert.equal(f.write(bytes('abc'), 0n), 3n);
    assert.equal(f.write(bytes('XY'), 5n), 2n);
    assert.deepEqual([...fs.readFileSync(host('b.bin'))], [97, 98, 99, 0, 0, 88, 89]);
    const app = f.appendViaStream();
    app.blockingWriteAndFlush(bytes('++'));
    drop(app);
    assert.equal(hostText('b.bin'), 'abc\0\0XY++');
    f.setSize(2n);
    assert.equal(hostText('b.bin'), 'ab');
    f.setSize(4n);
    assert.deepEqual([...fs.readFileSync(host('b.bin'))], [97, 98, 0, 0]);
    assert.equal(f.stat().size, 4n);
    const w = f.writeViaStream(1n);
    w.blockingWriteAndFlush(bytes('Z'));
    drop(w);
    assert.deepEqual([...fs.readFileSync(host('b.bin'))], [97, 90, 0, 0]);
    drop(f);
  });

  test('create, exclusive and truncate', () => {
    fs.writeFileSync(host('t.txt'), 'old contents');
    assert.equal(codeOf(() => openFile('t.txt', { create: true, exclusive: true }, WRITE)), 'exist');
    const t = openFile('t.txt', { truncate: true }, WRITE);
    assert.equal(hostText('t.txt'), '');
    drop(t);
    const n = openFile('new.txt', { create: true, exclusive: true }, WRITE);
    assert.ok(fs.existsSync(host('new.txt')));
    drop(n);
    assert.equal(codeOf(() => openFile('missing.txt', NONE, READ)), 'no-entry');
  });

  test('get-flags reports the mode a file was opened in, and the sync modes', () => {
    fs.writeFileSync(host('f'), 'x');
    const base = { fileIntegritySync: false, dataIntegritySync: false, requestedWriteSync: false, mutateDirectory: false };
    const r = openFile('f', NONE, READ);
    assert.deepEqual(r.getFlags(), { ...base, read: true, write: false });
    const w = openFile('f', NONE, WRITE);
    assert.deepEqual(w.getFlags(), { ...base, read: false, write: true });
    const rw = openFile('f', NONE, { ...RW, dataIntegritySync: true });
    assert.deepEqual(rw.getFlags(), { ...base, read: true, write: true, dataIntegritySync: true });
    for (const d of [r, w, rw]) drop(d);
  });

  test('a file opened for reading refuses writes, one opened for writing refuses reads: bad-descriptor', () => {
    fs.writeFileSync(host('ro'), 'keep');
    const r = openFile('ro', NONE, READ);
    assert.equal(codeOf(() => r.write(bytes('no'), 0n)), 'bad-descriptor');
    assert.equal(codeOf(() => r.writeViaStream(0n)), 'bad-descriptor');
    assert.equal(codeOf(() => r.appendViaStream()), 'bad-descriptor');
    assert.equal(codeOf(() => r.setSize(0n)), 'bad-descriptor');
    assert.equal(hostText('ro'), 'keep');
    const w = openFile('ro', NONE, WRITE);
    assert.equal(codeOf(() => w.read(4n, 0n)), 'bad-descriptor');
    assert.equal(codeOf(() => w.readViaStream(0n)), 'bad-descriptor');
    drop(r);
    drop(w);
  });

  test('file calls on a directory are bad-descriptor; path calls on a file are not-directory', () => {
    fs.writeFileSync(host('file'), 'x');
    assert.equal(codeOf(() => root.read(1n, 0n)), 'bad-descriptor');
    assert.equal(codeOf(() => root.write(bytes('x'), 0n)), 'bad-descriptor');
    assert.equal(codeOf(() => root.readViaStream(0n)), 'bad-descriptor');
    assert.equal(codeOf(() => root.writeViaStream(0n)), 'bad-descriptor');
    assert.equal(codeOf(() => root.setSize(0n)), 'bad-descriptor');
    assert.equal(codeOf(() => root.advise(0n, 0n, 'normal')), 'bad-descriptor');
    const f = openFile('file', NONE, READ);
    assert.equal(codeOf(() => f.openAt(NONE, 'x', NONE, READ)), 'not-directory');
    assert.equal(codeOf(() => f.statAt(NONE, 'x')), 'not-directory');
    assert.equal(codeOf(() => f.createDirectoryAt('x')), 'not-directory');
    assert.equal(codeOf(() => f.readDirectory()), 'not-directory');
    assert.equal(codeOf(() => root.renameAt('file', f, 'y')), 'not-directory');
    drop(f);
  });

  test('open-at errors: a directory for writing, directory flags on a file, directory with create', () => {
    fs.mkdirSync(host('d'));
    fs.writeFileSync(host('f'), 'x');
    assert.equal(codeOf(() => openFile('d', NONE, WRITE)), 'is-directory');
    assert.equal(codeOf(() => openFile('f', { directory: true }, READ)), 'not-directory');
    assert.equal(codeOf(() => openFile('d', { directory: true, create: true }, READ)), 'invalid');
    assert.equal(codeOf(() => openFile('f/', NONE, READ)), 'not-directory');
    const d = openFile('d', { directory: true }, READ);
    assert.equal(d.getType(), 'directory');
    drop(d);
  });

  test('sync, sync-data and advise on a file; sync on a directory', () => {
    const f = openFile('s', CREATE, RW);
    f.write(bytes('data'), 0n);
    f.sync();
    f.syncData();
    f.advise(0n, 4n, 'sequential');
    f.advise(0n, 0n, 'dont-need');
    root.sync();
    root.syncData();
    drop(f);
  });
});

describe('metadata', () => {
  test('stat and stat-at: type, size, link count and times as the host has them', () => {
    fs.writeFileSync(host('m.txt'), '12345');
    const hs = fs.statSync(host('m.txt'), { bigint: true });
    const asDatetime = (ns: bigint) => ({ seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) });
    const expected = {
      type: 'regular-file', linkCount: 1n, size: 5n,
      dataAccessTimestamp: asDatetime(hs.atimeNs),
      dataModificationTimestamp: asDatetime(hs.mtimeNs),
      statusChangeTimestamp: asDatetime(hs.ctimeNs),
    };
    assert.deepEqual(root.statAt(NONE, 'm.txt'), expected);
    const f = openFile('m.txt', NONE, READ);
    assert.deepEqual(f.stat(), expected);
    drop(f);
    assert.equal(root.stat().type, 'directory');
    assert.equal(codeOf(() => root.statAt(NONE, 'nope')), 'no-entry');
  });

  test('set-times and set-times-at: a timestamp exactly, now, no-change', () => {
    fs.writeFileSync(host('t'), 'x');
    const when = { seconds: 1_000_000_000n, nanoseconds: 123_456_789 };
    root.setTimesAt(NONE, 't', { tag: 'timestamp', val: when }, { tag: 'timestamp', val: { seconds: 1_500_000_000n, nanoseconds: 0 } });
    let s = root.statAt(NONE, 't');
    assert.deepEqual(s.dataModificationTimestamp, { seconds: 1_500_000_000n, nanoseconds: 0 });
    assert.equal(s.dataAccessTimestamp?.seconds, 1_000_000_000n);
    const f = openFile('t', NONE, READ);
    f.setTimes({ tag: 'no-change' }, { tag: 'timestamp', val: { seconds: 1_600_000_000n, nanoseconds: 0 } });
    s = f.stat();
    assert.equal(s.dataAccessTimestamp?.seconds, 1_000_000_000n);
    assert.deepEqual(s.dataModificationTimestamp, { seconds: 1_600_000_000n, nanoseconds: 0 });
    f.setTimes({ tag: 'now' }, { tag: 'no-change' });
    assert.ok(f.stat().dataAccessTimestamp!.seconds > 1_600_000_000n);
    assert.equal(codeOf(() => f.setTimes({ tag: 'timestamp', val: { seconds: 1n << 62n, nanoseconds: 0 } }, { tag: 'no-change' })), 'overflow');
    drop(f);
    assert.equal(codeOf(() => root.setTimesAt(NONE, 'gone', { tag: 'now' }, { tag: 'now' })), 'no-entry');
  });

  test('metadata-hash: equal for two descriptors of one file (and through a hard link), different for different files', () => {
    fs.writeFileSync(host('one'), '1');
    fs.writeFileSync(host('two'), '2');
    const a = openFile('one', NONE, READ);
    const b = openFile('one', NONE, WRITE);
    const c = openFile('two', NONE, READ);
    assert.deepEqual(a.metadataHash(), b.metadataHash());
    assert.deepEqual(a.metadataHash(), root.metadataHashAt(NONE, 'one'));
    assert.notDeepEqual(a.metadataHash(), c.metadataHash());
    assert.notDeepEqual(a.metadataHash(), root.metadataHash());
    const h = a.metadataHash();
    assert.equal(typeof h.lower, 'bigint');
    assert.equal(typeof h.upper, 'bigint');
    // Not the raw inode.
    const ino = fs.statSync(host('one'), { bigint: true }).ino;
    assert.notEqual(h.lower, ino);
    assert.notEqual(h.upper, ino);
    assert.equal(a.isSameObject(b), true);
    assert.equal(a.isSameObject(c), false);
    assert.equal(root.isSameObject(root), true);
    root.linkAt(NONE, 'one', root, 'one-link');
    assert.deepEqual(root.metadataHashAt(NONE, 'one-link'), h);
    assert.equal(a.stat().linkCount, 2n);
    const l = openFile('one-link', NONE, READ);
    assert.equal(l.isSameObject(a), true);
    for (const d of [a, b, c, l]) drop(d);
    assert.equal(codeOf(() => root.metadataHashAt(NONE, 'none')), 'no-entry');
  });
});

describe('directories', () => {
  test('read-directory: every entry with its type, without . and ..', () => {
    fs.writeFileSync(host('file'), '');
    fs.mkdirSync(host('dir'));
    fs.symlinkSync('file', host('link'));
    assert.deepEqual(listing(root), [['dir', 'directory'], ['file', 'regular-file'], ['link', 'symbolic-link']]);
    const sub = openFile('dir', { directory: true }, READ);
    assert.deepEqual(listing(sub), []);
    drop(sub);
  });

  test('create-directory-at, remove-directory-at, unlink-file-at', () => {
    root.createDirectoryAt('x');
    root.createDirectoryAt('x/y');
    assert.ok(fs.statSync(host('x', 'y')).isDirectory());
    assert.equal(codeOf(() => root.createDirectoryAt('x')), 'exist');
    assert.equal(codeOf(() => root.removeDirectoryAt('x')), 'not-empty');
    fs.writeFileSync(host('x', 'f'), '');
    assert.equal(codeOf(() => root.removeDirectoryAt('x/f')), 'not-directory');
    assert.equal(codeOf(() => root.unlinkFileAt('x/y')), 'is-directory');
    root.unlinkFileAt('x/f');
    root.removeDirectoryAt('x/y');
    root.removeDirectoryAt('x');
    assert.deepEqual(fs.readdirSync(sandbox), []);
    assert.equal(codeOf(() => root.unlinkFileAt('x')), 'no-entry');
    assert.equal(codeOf(() => root.removeDirectoryAt('.')), 'invalid');
  });

  test('a directory opened beneath the preopen works on paths relative to itself', () => {
    fs.mkdirSync(host('sub'));
    const sub = openFile('sub', { directory: true }, READ);
    sub.createDirectoryAt('inner');
    const f = sub.openAt(NONE, 'inner/f', CREATE, WRITE);
    f.write(bytes('deep'), 0n);
    drop(f);
    assert.equal(hostText('sub', 'inner', 'f'), 'deep');
    assert.equal(sub.statAt(NONE, 'inner/f').size, 4n);
    drop(sub);
  });

  test('rename-at, within and across directories', () => {
    fs.writeFileSync(host('a'), 'A');
    fs.mkdirSync(host('d'));
    root.renameAt('a', root, 'b');
    assert.equal(hostText('b'), 'A');
    const d = openFile('d', { directory: true }, READ);
    root.renameAt('b', d, 'c');
    assert.equal(hostText('d', 'c'), 'A');
    assert.equal(fs.existsSync(host('b')), false);
    assert.equal(codeOf(() => root.renameAt('nope', root, 'x')), 'no-entry');
    fs.mkdirSync(host('e'));
    assert.equal(codeOf(() => root.renameAt('d/c', root, 'e')), 'is-directory');
    drop(d);
  });

  test('symlink-at and readlink-at; a symlink followed or not', () => {
    fs.writeFileSync(host('target'), 'T');
    root.symlinkAt('target', 'ln');
    assert.equal(fs.readlinkSync(host('ln')), 'target');
    assert.equal(root.readlinkAt('ln'), 'target');
    assert.equal(root.statAt(NONE, 'ln').type, 'symbolic-link');
    assert.equal(root.statAt(FOLLOW, 'ln').type, 'regular-file');
    assert.equal(codeOf(() => root.openAt(NONE, 'ln', NONE, READ)), 'loop');
    const f = root.openAt(FOLLOW, 'ln', NONE, READ);
    assert.equal(dec.decode(f.read(10n, 0n)[0]), 'T');
    drop(f);
    assert.equal(codeOf(() => root.readlinkAt('target')), 'invalid');
    assert.equal(codeOf(() => root.symlinkAt('target', 'ln')), 'exist');
    root.unlinkFileAt('ln');
    assert.equal(fs.existsSync(host('target')), true);
  });

  test('link-at makes a hard link; a directory cannot be linked', () => {
    fs.writeFileSync(host('f'), 'F');
    fs.mkdirSync(host('d'));
    root.linkAt(NONE, 'f', root, 'g');
    assert.equal(hostText('g'), 'F');
    assert.equal(fs.statSync(host('f')).nlink, 2);
    assert.equal(codeOf(() => root.linkAt(NONE, 'd', root, 'd2')), 'not-permitted');
    assert.equal(codeOf(() => root.linkAt(NONE, 'f', root, 'g')), 'exist');
  });
});

describe('the sandbox', () => {
  test('`..` above the preopen is not-permitted, and the host outside is untouched', () => {
    assert.equal(codeOf(() => root.openAt(NONE, '../outside/secret', NONE, READ)), 'not-permitted');
    assert.equal(codeOf(() => root.openAt(NONE, '../outside/new', CREATE, WRITE)), 'not-permitted');
    assert.equal(codeOf(() => root.statAt(NONE, '..')), 'not-permitted');
    assert.equal(codeOf(() => root.createDirectoryAt('../outside/made')), 'not-permitted');
    assert.equal(codeOf(() => root.unlinkFileAt('../outside/secret')), 'not-permitted');
    assert.equal(codeOf(() => root.renameAt('../outside/secret', root, 'stolen')), 'not-permitted');
    fs.writeFileSync(host('mine'), 'm');
    assert.equal(codeOf(() => root.renameAt('mine', root, '../outside/mine')), 'not-permitted');
    assert.equal(codeOf(() => root.linkAt(NONE, '../outside/secret', root, 'hard')), 'not-permitted');
    assert.equal(codeOf(() => root.setTimesAt(NONE, '../outside/secret', { tag: 'now' }, { tag: 'now' })), 'not-permitted');
    assert.equal(codeOf(() => root.readlinkAt('../outside/secret')), 'not-permitted');
    assert.equal(codeOf(() => root.metadataHashAt(NONE, '../outside/secret')), 'not-permitted');
    assertOutsideUntouched();
    assert.deepEqual(fs.readdirSync(sandbox), ['mine']);
  });

  test('a directory opened beneath the preopen is a sandbox of its own: `..` from it is not-permitted', () => {
    fs.mkdirSync(host('sub'));
    fs.writeFileSync(host('top'), 't');
    const sub = openFile('sub', { directory: true }, READ);
    assert.equal(codeOf(() => sub.openAt(NONE, '../top', NONE, READ)), 'not-permitted');
    drop(sub);
  });

  test('absolute paths are not-permitted', () => {
    for (const p of ['/', '/etc/passwd', path.join(outside, 'secret')]) {
      assert.equal(codeOf(() => root.openAt(NONE, p, NONE, READ)), 'not-permitted', p);
      assert.equal(codeOf(() => root.statAt(FOLLOW, p)), 'not-permitted', p);
    }
    assert.equal(codeOf(() => root.createDirectoryAt(path.join(outside, 'made'))), 'not-permitted');
    assert.equal(codeOf(() => root.symlinkAt('/etc/passwd', 'abs')), 'not-permitted');
    assertOutsideUntouched();
    assert.deepEqual(fs.readdirSync(sandbox), []);
  });

  test('symlinks pointing out of the preopen are not followed: not-permitted', () => {
    fs.symlinkSync('../outside', host('out-dir'));
    fs.symlinkSync(path.join(outside, 'secret'), host('abs-link'));
    root.symlinkAt('../outside/secret', 'rel-link');
    for (const link of ['out-dir/secret', 'abs-link', 'rel-link']) {
      assert.equal(codeOf(() => root.openAt(FOLLOW, link, NONE, READ)), 'not-permitted', link);
      assert.equal(codeOf(() => root.statAt(FOLLOW, link)), 'not-permitted', link);
    }
    assert.equal(codeOf(() => root.openAt(FOLLOW, 'out-dir/new', CREATE, WRITE)), 'not-permitted');
    assert.equal(codeOf(() => root.createDirectoryAt('out-dir/made')), 'not-permitted');
    assert.equal(codeOf(() => root.unlinkFileAt('out-dir/secret')), 'not-permitted');
    assert.equal(codeOf(() => root.setTimesAt(FOLLOW, 'rel-link', { tag: 'now' }, { tag: 'now' })), 'not-permitted');
    // Not followed, the links are themselves, inside the sandbox.
    assert.equal(root.statAt(NONE, 'rel-link').type, 'symbolic-link');
    assert.equal(root.readlinkAt('rel-link'), '../outside/secret');
    assertOutsideUntouched();
  });

  test('a read-only directory: writing opens are read-only, mutations not-permitted, also beneath it', () => {
    fs.writeFileSync(host('f'), 'F');
    fs.mkdirSync(host('sub'));
    const d = proc.fds.get(3);
    d.rightsBase &= ~(Rights.PATH_CREATE_FILE | Rights.PATH_CREATE_DIRECTORY | Rights.PATH_UNLINK_FILE
      | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET);
    const ro = fsi['wasi:filesystem/preopens'].getDirectories()[0]![0];
    assert.deepEqual(ro.getFlags(), {
      read: true, write: false, fileIntegritySync: false, dataIntegritySync: false, requestedWriteSync: false, mutateDirectory: false,
    });
    assert.equal(codeOf(() => ro.openAt(NONE, 'f', NONE, WRITE)), 'read-only');
    assert.equal(codeOf(() => ro.openAt(NONE, 'n', CREATE, READ)), 'read-only');
    assert.equal(codeOf(() => ro.openAt(NONE, 'f', { truncate: true }, READ)), 'read-only');
    assert.equal(codeOf(() => ro.openAt(NONE, 'sub', { directory: true }, { read: true, mutateDirectory: true })), 'read-only');
    assert.equal(codeOf(() => ro.createDirectoryAt('x')), 'not-permitted');
    assert.equal(codeOf(() => ro.unlinkFileAt('f')), 'not-permitted');
    assert.equal(codeOf(() => ro.removeDirectoryAt('sub')), 'not-permitted');
    assert.equal(codeOf(() => ro.renameAt('f', ro, 'g')), 'not-permitted');
    assert.equal(codeOf(() => ro.symlinkAt('f', 'l')), 'not-permitted');
    assert.equal(codeOf(() => ro.linkAt(NONE, 'f', ro, 'h')), 'not-permitted');
    assert.equal(codeOf(() => ro.setTimesAt(NONE, 'f', { tag: 'now' }, { tag: 'now' })), 'not-permitted');
    assert.equal(codeOf(() => ro.setTimes({ tag: 'now' }, { tag: 'now' })), 'not-permitted');
    const sub = ro.openAt(NONE, 'sub', { directory: true }, READ);
    assert.equal(sub.getFlags().mutateDirectory, false);
    assert.equal(codeOf(() => sub.createDirectoryAt('x')), 'not-permitted');
    assert.equal(codeOf(() => sub.openAt(NONE, 'n', CREATE, WRITE)), 'read-only');
    // Reading goes on.
    const f = ro.openAt(NONE, 'f', NONE, READ);
    assert.equal(dec.decode(f.read(10n, 0n)[0]), 'F');
    assert.deepEqual(listing(ro), [['f', 'regular-file'], ['sub', 'directory']]);
    for (const x of [f, sub, ro]) drop(x);
    assert.deepEqual(fs.readdirSync(sandbox).sort(), ['f', 'sub']);
    assert.deepEqual(fs.readdirSync(host('sub')), []);
    assert.equal(hostText('f'), 'F');
  });
});

describe('dropping', () => {
  test('dropping a descriptor closes its host file', () => {
    fs.writeFileSync(host('f'), 'x');
    const f = openFile('f', NONE, READ);
    const fd = hostFdOf(f);
    assert.equal(hostFdOpen(fd), true);
    let closes = 0;
    const r = f.resource;
    const close = r.close.bind(r);
    r.close = () => { closes++; close(); };
    drop(f);
    assert.equal(closes, 1);
    assert.equal(hostFdOpen(fd), false);
    drop(f); // a second drop does nothing
    assert.equal(closes, 1);
  });

  test('a stream from a descriptor keeps its host file open until the stream is dropped too', () => {
    fs.writeFileSync(host('f'), 'stream me');
    const f = openFile('f', NONE, RW);
    const fd = hostFdOf(f);
    const input = f.readViaStream(0n);
    const output = f.appendViaStream();
    drop(f);
    assert.equal(hostFdOpen(fd), true);
    assert.equal(drain(input), 'stream me');
    drop(input);
    assert.equal(hostFdOpen(fd), true);
    output.blockingWriteAndFlush(bytes('!'));
    drop(output);
    assert.equal(hostFdOpen(fd), false);
    assert.equal(hostText('f'), 'stream me!');
  });
});

describe('filesystem-error-code', () => {
  const code = (errno: number) => fsi['wasi:filesystem/types'].filesystemErrorCode(new IoError(errno));

  test('an I/O error\'s errno as an error code; none for an errno the enum lacks', () => {
    assert.equal(code(Errno.NOSPC), 'insufficient-space');
    assert.equal(code(Errno.IO), 'io');
    assert.equal(code(Errno.ROFS), 'read-only');
    assert.equal(code(Errno.NOTCAPABLE), 'not-permitted');
    assert.equal(code(ESCAPE), 'not-permitted');
    assert.equal(code(Errno.CONNREFUSED), undefined);
  });

  test('every error code has its errno', () => {
    const pairs: [Errno, string][] = [
      [Errno.ACCES, 'access'], [Errno.AGAIN, 'would-block'], [Errno.ALREADY, 'already'], [Errno.BADF, 'bad-descriptor'],
      [Errno.BUSY, 'busy'], [Errno.DEADLK, 'deadlock'], [Errno.DQUOT, 'quota'], [Errno.EXIST, 'exist'],
      [Errno.FBIG, 'file-too-large'], [Errno.ILSEQ, 'illegal-byte-sequence'], [Errno.INPROGRESS, 'in-progress'],
      [Errno.INTR, 'interrupted'], [Errno.INVAL, 'invalid'], [Errno.IO, 'io'], [Errno.ISDIR, 'is-directory'],
      [Errno.LOOP, 'loop'], [Errno.MLINK, 'too-many-links'], [Errno.MSGSIZE, 'message-size'],
      [Errno.NAMETOOLONG, 'name-too-long'], [Errno.NODEV, 'no-device'], [Errno.NOENT, 'no-entry'],
      [Errno.NOLCK, 'no-lock'], [Errno.NOMEM, 'insufficient-memory'], [Errno.NOSPC, 'insufficient-space'],
      [Errno.NOTDIR, 'not-directory'], [Errno.NOTEMPTY, 'not-empty'], [Errno.NOTRECOVERABLE, 'not-recoverable'],
      [Errno.NOTSUP, 'unsupported'], [Errno.NOTTY, 'no-tty'], [Errno.NXIO, 'no-such-device'],
      [Errno.OVERFLOW, 'overflow'], [Errno.PERM, 'not-permitted'], [Errno.PIPE, 'pipe'], [Errno.ROFS, 'read-only'],
      [Errno.SPIPE, 'invalid-seek'], [Errno.TXTBSY, 'text-file-busy'], [Errno.XDEV, 'cross-device'],
    ];
    assert.equal(pairs.length, 37);
    for (const [errno, name] of pairs) assert.equal(code(errno), name, name);
  });
});
