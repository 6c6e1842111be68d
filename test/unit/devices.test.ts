/**
 * The device directory (src/kernel/devices.ts) and where a guest path
 * reaches it (src/kernel/guest-paths.ts): what each device reads and
 * takes, a directory nothing can be made in, and `/dev` paths going to it
 * only where no preopen at `/dev` or below holds them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileType } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import { descriptorAlias, deviceDirectory } from '../../src/kernel/devices.js';
import { DirectoryResource } from '../../src/kernel/directory-resource.js';
import { FdTable } from '../../src/kernel/fd-table.js';
import { mkdirAt, openAt, renameAt, statAt, unlinkAt } from '../../src/kernel/fs-ops.js';
import { locate } from '../../src/kernel/guest-paths.js';
import { assertErrno } from './helpers/errno.js';

const counting = (dst: Uint8Array) => { for (let i = 0; i < dst.length; i++) dst[i] = i + 1; };
const open = (dir: DirectoryResource, name: string, write = false) =>
  openAt(dir, name, { follow: true, create: false, directory: false, exclusive: false, truncate: false, read: true, write, fdflags: 0 });

describe('the device directory', () => {
  const dev = deviceDirectory(counting);

  test('null reads end of file and takes every write; zero and full read zeros; full refuses writes (ENOSPC)', () => {
    const buf = new Uint8Array(4).fill(9);
    const nul = open(dev, 'null', true);
    assert.equal(nul.read([buf]), 0);
    assert.equal(nul.write([new Uint8Array(100)]), 100);
    assert.equal(nul.stat().filetype, FileType.CHARACTER_DEVICE);
    assert.equal(open(dev, 'zero').read([buf]), 4);
    assert.deepEqual([...buf], [0, 0, 0, 0]);
    const full = open(dev, 'full', true);
    assertErrno(() => full.write([new Uint8Array(1)]), Errno.NOSPC);
    buf.fill(9);
    assert.equal(full.read([buf]), 4);
    assert.deepEqual([...buf], [0, 0, 0, 0]);
  });

  test('random and urandom read the process\'s random source, into shared memory too', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    assert.equal(open(dev, 'urandom').read([shared]), 3);
    assert.deepEqual([...shared], [1, 2, 3]);
    const buf = new Uint8Array(2);
    assert.equal(open(dev, 'random').read([buf]), 2);
    assert.deepEqual([...buf], [1, 2]);
  });

  test('lists its devices; nothing can be made, removed or renamed in it (EPERM); a missing name is ENOENT', () => {
    assert.deepEqual(dev.readdir().map((e) => e.name), ['.', '..', 'full', 'null', 'random', 'urandom', 'zero']);
    assert.equal(statAt(dev, 'null', true).filetype, FileType.CHARACTER_DEVICE);
    assertErrno(() => statAt(dev, 'tty', true), Errno.NOENT);
    assertErrno(() => openAt(dev, 'new', { follow: true, create: true, directory: false, exclusive: false, truncate: false, read: false, write: true, fdflags: 0 }), Errno.PERM);
    assertErrno(() => mkdirAt(dev, 'd'), Errno.PERM);
    assertErrno(() => unlinkAt(dev, 'null'), Errno.PERM);
    assertErrno(() => renameAt(dev, 'null', dev, 'nothing'), Errno.PERM);
  });
});

test('stdin, stdout, stderr and fd/N stand for descriptors; other names do not', () => {
  assert.deepEqual(['stdin', 'stdout', 'stderr', 'fd/0', 'fd/17'].map(descriptorAlias), [0, 1, 2, 0, 17]);
  assert.deepEqual(['fd/', 'fd/01', 'fd/-1', 'fd/1x', 'fd/1/2', 'null', 'fd/9999999999'].map(descriptorAlias), Array(7).fill(undefined));
});

describe('guest paths in /dev', () => {
  const devices = deviceDirectory(counting);
  const table = (...preopens: string[]) => {
    const fds = new FdTable();
    for (const p of preopens) fds.add({ resource: new DirectoryResource(new MemoryFileSystem({ dev: { here: 'x' } }).root, undefined, p), rightsBase: -1 >>> 2, rightsInheriting: -1 >>> 2 });
    return fds;
  };

  test('an absolute path in /dev reaches the devices unless a preopen at /dev or below holds it', () => {
    assert.equal(locate(table('/sandbox'), '/dev/null', devices).dir, devices);
    assert.equal(locate(table('/'), '/dev', devices).rest, '.');
    assert.equal(locate(table('/'), '/dev/null', devices).dir, devices, 'a root preopen\'s own dev/ is not reached');
    const own = table('/dev');
    assert.notEqual(locate(own, '/dev/null', devices).dir, devices, 'a preopen at /dev takes the place of the devices');
    assert.equal(locate(table('/'), '/devices/x', devices).dir === devices, false, '/devices is not /dev');
    assertErrno(() => locate(table('/sandbox'), '/devices/x', devices), Errno.NOENT);
    assertErrno(() => locate(table('/sandbox'), '/dev/null'), Errno.NOENT, 'without devices (preview 1 guests)');
  });
});
