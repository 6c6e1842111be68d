/**
 * The root a WASIX guest is given (src/kernel/root-directory.ts,
 * `Process.addRoot`): the devices and the preopened directories at their
 * guest paths, read-only, walked into and back out of by the resolver;
 * placed after every other descriptor, and only where no preopen is at `/`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileType } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { systemClocks } from '../../src/host/clocks.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import { cryptoRandom } from '../../src/host/random.js';
import { unsupportedRuntime } from '../../src/host/runtime.js';
import { NullStream } from '../../src/host/stdio.js';
import { deviceDirectory } from '../../src/kernel/devices.js';
import { DirectoryResource } from '../../src/kernel/directory-resource.js';
import { mkdirAt, openAt, readlinkAt, statAt, unlinkAt } from '../../src/kernel/fs-ops.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Preopen, ProcessSpec } from '../../src/kernel/process.js';
import { rootDirectory } from '../../src/kernel/root-directory.js';
import { assertErrno } from './helpers/errno.js';

const devices = deviceDirectory(cryptoRandom).node;
const names = (dir: DirectoryResource, path = '.') => {
  const opened = openAt(dir, path, { follow: true, create: false, directory: true, exclusive: false, truncate: false, read: true, write: false, fdflags: 0 });
  return opened.readdir().map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort();
};

describe('the root directory', () => {
  const sandbox = new MemoryFileSystem({ 'a.txt': 'hello', d: {} });
  const deep = new MemoryFileSystem({ 'deep.txt': 'x' });
  const root = new DirectoryResource(rootDirectory(devices, [['/srv/data/deep', deep.root], ['/sandbox', sandbox.root]]));

  test('holds dev and each preopen at its guest path, with directories made for the deeper ones', () => {
    assert.deepEqual(names(root), ['dev', 'sandbox', 'srv']);
    assert.deepEqual(names(root, 'srv'), ['data']);
    assert.deepEqual(names(root, 'srv/data/deep'), ['deep.txt']);
    assert.deepEqual(names(root, 'sandbox'), ['a.txt', 'd']);
    assert.equal(statAt(root, 'dev/null', true).filetype, FileType.CHARACTER_DEVICE);
  });

  test('the resolver walks into a preopen and back out with ..; never above the root', () => {
    assert.equal(statAt(root, 'sandbox/d/../a.txt', true).size, 5n);
    assert.deepEqual(names(root, 'sandbox/../srv'), ['data']);
    assertErrno(() => statAt(root, '../sandbox', true), Errno.PERM);
  });

  test('nothing can be made, removed or renamed in it, or in the directories made for mounts (EPERM); inside a preopen its filesystem answers', () => {
    assertErrno(() => mkdirAt(root, 'tmp'), Errno.PERM);
    assertErrno(() => mkdirAt(root, 'srv/new'), Errno.PERM);
    assertErrno(() => unlinkAt(root, 'sandbox'), Errno.ISDIR);
    assertErrno(() => openAt(root, 'file', { follow: true, create: true, directory: false, exclusive: false, truncate: false, read: false, write: true, fdflags: 0 }), Errno.PERM);
    assertErrno(() => readlinkAt(root, 'dev'), Errno.INVAL);
    mkdirAt(root, 'sandbox/made');
    assert.deepEqual(names(root, 'sandbox'), ['a.txt', 'd', 'made']);
  });

  test('a preopen at /dev takes the devices\' place; one below another preopen is not mounted again; / and .. paths are not', () => {
    const own = new MemoryFileSystem({ mine: 'x' });
    const inner = new MemoryFileSystem({ inner: 'x' });
    const r = new DirectoryResource(rootDirectory(devices, [['/sandbox/inner', inner.root], ['/dev', own.root], ['/', own.root], ['/../x', own.root], ['/sandbox', sandbox.root]]));
    assert.deepEqual(names(r), ['dev', 'sandbox']);
    assert.deepEqual(names(r, 'dev'), ['mine']);
    assert.deepEqual(names(r, 'sandbox').includes('inner'), false, '/sandbox\'s own filesystem holds what is below it');
  });
});

describe('Process.addRoot', () => {
  const spec = (preopens: Preopen[], over: Partial<ProcessSpec> = {}): ProcessSpec => ({
    args: ['app'], env: [], stdin: new NullStream(), stdout: new NullStream(), stderr: new NullStream(),
    preopens, clocks: systemClocks, random: cryptoRandom, ...over,
  });
  const preopenAt = (p: ReturnType<Kernel['spawn']>, fd: number) => (p.fds.get(fd).resource as DirectoryResource).preopenPath;

  test('a root after every other descriptor, once', () => {
    const p = new Kernel(unsupportedRuntime).spawn(spec([{ guestPath: '/sandbox', fs: new MemoryFileSystem({ f: 'x' }) }]));
    p.addRoot();
    p.addRoot();
    assert.deepEqual([...p.fds.numbers()], [0, 1, 2, 3, 4]);
    assert.equal(preopenAt(p, 4), '/');
    assert.deepEqual(names(p.fds.get(4).resource as DirectoryResource), ['dev', 'sandbox']);
  });

  test('none where a directory is preopened at /, or where the descriptor cap leaves no room', () => {
    const rooted = new Kernel(unsupportedRuntime).spawn(spec([{ guestPath: '/', fs: new MemoryFileSystem() }]));
    rooted.addRoot();
    assert.deepEqual([...rooted.fds.numbers()], [0, 1, 2, 3]);
    const capped = new Kernel(unsupportedRuntime).spawn(spec([{ guestPath: '/sandbox', fs: new MemoryFileSystem() }], { maxDescriptors: 4 }));
    capped.addRoot();
    assert.deepEqual([...capped.fds.numbers()], [0, 1, 2, 3]);
  });
});
