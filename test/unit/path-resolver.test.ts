/**
 * The path resolver is the sandbox: every guest path goes through it. These
 * tests run the same cases against MemoryFileSystem and NodeFileSystem (a
 * temporary host directory), and on the host also prove that host symlinks
 * pointing outside the sandbox are never followed out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Errno } from '../../src/abi/errno.js';
import { FileType } from '../../src/abi/constants.js';
import { ESCAPE, resolve } from '../../src/kernel/path-resolver.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import { NodeFileSystem } from '../../src/host/node/node-fs.js';
import type { FileSystem, FsDirectory } from '../../src/host/fs/types.js';
import { assertErrno } from './helpers/errno.js';
import { child, inoOf, subdir, writeFile } from './helpers/fs-fixture.js';

/**
 * root/
 *   file.txt
 *   a/ inner.txt  b/ deep.txt  b/up2 -> ../../file.txt  b/out -> ../../..
 *   loop1 -> loop2, loop2 -> loop1, self -> self, dangling -> nowhere
 *   mid -> a, flink -> file.txt, abs -> /file.txt, dot -> .
 *   c1 -> c2 -> ... -> c40 -> file.txt   (40 symlinks)
 *   d1 -> d2 -> ... -> d41 -> file.txt   (41 symlinks)
 *   e1 -> ... -> e40 -> a                (40 symlinks, ending in a directory)
 */
function populate(root: FsDirectory): void {
  writeFile(root, 'file.txt', 'root file');
  root.mkdir('a');
  const a = subdir(root, 'a');
  writeFile(a, 'inner.txt', 'inner');
  a.mkdir('b');
  const b = subdir(a, 'b');
  writeFile(b, 'deep.txt', 'deep');
  b.symlink('up2', '../../file.txt');
  b.symlink('out', '../../..');
  root.symlink('loop1', 'loop2');
  root.symlink('loop2', 'loop1');
  root.symlink('self', 'self');
  root.symlink('dangling', 'nowhere');
  root.symlink('mid', 'a');
  root.symlink('flink', 'file.txt');
  root.symlink('abs', '/file.txt');
  root.symlink('dot', '.');
  for (let i = 1; i <= 40; i++) root.symlink(`c${i}`, i === 40 ? 'file.txt' : `c${i + 1}`);
  for (let i = 1; i <= 41; i++) root.symlink(`d${i}`, i === 41 ? 'file.txt' : `d${i + 1}`);
  for (let i = 1; i <= 40; i++) root.symlink(`e${i}`, i === 40 ? 'a' : `e${i + 1}`);
}

interface Backend {
  name: string;
  setup(): FileSystem;
  teardown(): void;
}

let hostTmp = '';

const backends: Backend[] = [
  {
    name: 'MemoryFileSystem',
    setup: () => {
      const m = new MemoryFileSystem();
      populate(m.root);
      return m;
    },
    teardown: () => {},
  },
  {
    name: 'NodeFileSystem',
    setup: () => {
      hostTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-resolver-'));
      const sandbox = path.join(hostTmp, 'sandbox');
      fs.mkdirSync(sandbox);
      fs.writeFileSync(path.join(hostTmp, 'outside.txt'), 'outside');
      const n = new NodeFileSystem(sandbox);
      populate(n.root);
      return n;
    },
    teardown: () => {
      fs.rmSync(hostTmp, { recursive: true, force: true });
    },
  },
];

for (const backend of backends) {
  describe(`path resolver on ${backend.name}`, () => {
    let root: FsDirectory;
    let fileIno: bigint;

    before(() => {
      root = backend.setup().root;
      fileIno = inoOf(root.lookup('file.txt'));
    });
    after(() => backend.teardown());

    test('ESCAPE is EPERM', () => {
      assert.equal(ESCAPE, Errno.PERM);
      assert.equal(ESCAPE, 63);
    });

    test('a plain name resolves to its node in the starting directory', () => {
      const r = resolve([root], 'file.txt', false);
      assert.equal(r.name, 'file.txt');
      assert.equal(inoOf(r.node), fileIno);
      assert.equal(r.stack.length, 1);
      assert.equal(r.trailingSlash, false);
    });

    test('. names the starting directory', () => {
      for (const p of ['.', './', './.', './/.']) {
        const r = resolve([root], p, false);
        assert.equal(r.name, '.', p);
        assert.equal(inoOf(r.node), inoOf(root), p);
      }
    });

    test('.. inside the sandbox stays in', () => {
      const r = resolve([root], 'a/b/../../file.txt', false);
      assert.equal(r.name, 'file.txt');
      assert.equal(inoOf(r.node), fileIno);
      assert.deepEqual(r.stack.map((d) => inoOf(d)), [inoOf(root)]);

      const up = resolve([root], 'a/b/..', false);
      assert.equal(up.name, '.');
      assert.equal(inoOf(up.node), inoOf(child(root, 'a')));

      const back = resolve([root], 'a/../a/b/deep.txt', false);
      assert.equal(back.name, 'deep.txt');
      assert.equal(inoOf(back.node), inoOf(child(subdir(subdir(root, 'a'), 'b'), 'deep.txt')));
      assert.equal(back.stack.length, 3);
    });

    test('EPERM: .. above the starting directory', () => {
      assertErrno(() => resolve([root], '..', false), Errno.PERM, "'..' at the root");
      assertErrno(() => resolve([root], '../file.txt', false), Errno.PERM, "'../file.txt'");
      assertErrno(() => resolve([root], 'a/../../file.txt', false), Errno.PERM, "'a/../../file.txt'");
      // The starting directory is the sandbox, even when it lies below another directory.
      const a = subdir(root, 'a');
      assertErrno(() => resolve([a], '..', false), Errno.PERM, "'..' from a/");
      assertErrno(() => resolve([a], '../file.txt', false), Errno.PERM, "'../file.txt' from a/");
      assertErrno(() => resolve([a], 'b/../../a/inner.txt', false), Errno.PERM, "'b/../../a/inner.txt' from a/");
      assertErrno(() => resolve([a], './..', true), Errno.PERM, "'./..' from a/");
    });

    test('EPERM: absolute path', () => {
      assertErrno(() => resolve([root], '/file.txt', false), Errno.PERM, "'/file.txt'");
      assertErrno(() => resolve([root], '/', false), Errno.PERM, "'/'");
      assertErrno(() => resolve([root], '//a', true), Errno.PERM, "'//a'");
    });

    test('ELOOP: symlink loop', () => {
      assertErrno(() => resolve([root], 'loop1', true), Errno.LOOP, 'loop1 followed');
      assertErrno(() => resolve([root], 'loop1/x', false), Errno.LOOP, 'loop1 in the middle');
      assertErrno(() => resolve([root], 'loop2/', false), Errno.LOOP, 'loop2 with a trailing slash');
    });

    test('ELOOP: symlink to itself', () => {
      assertErrno(() => resolve([root], 'self', true), Errno.LOOP, 'self followed');
      assertErrno(() => resolve([root], 'self/x', false), Errno.LOOP, 'self in the middle');
    });

    test('a symlink loop is returned as the link itself when the final component is not followed', () => {
      const r = resolve([root], 'loop1', false);
      assert.equal(r.name, 'loop1');
      assert.equal(r.node?.filetype, FileType.SYMBOLIC_LINK);
    });

    test('dangling symlink: nofollow gives the link, follow gives node null', () => {
      const nofollow = resolve([root], 'dangling', false);
      assert.equal(nofollow.name, 'dangling');
      assert.equal(nofollow.node?.filetype, FileType.SYMBOLIC_LINK);
      assert.equal(inoOf(nofollow.node), inoOf(child(root, 'dangling')));

      const follow = resolve([root], 'dangling', true);
      assert.equal(follow.name, 'nowhere');
      assert.equal(follow.node, null);
      assert.equal(follow.stack.length, 1);
      assert.equal(inoOf(follow.stack[0]!), inoOf(root));
    });

    test('ENOENT: dangling symlink in the middle of a path', () => {
      assertErrno(() => resolve([root], 'dangling/x', false), Errno.NOENT);
    });

    test('ENOENT: a missing directory in the middle of a path', () => {
      assertErrno(() => resolve([root], 'nope/x', false), Errno.NOENT);
      assertErrno(() => resolve([root], 'a/nope/x', true), Errno.NOENT);
    });

    test('a missing final component resolves to node null in its parent', () => {
      const r = resolve([root], 'a/b/new.txt', true);
      assert.equal(r.name, 'new.txt');
      assert.equal(r.node, null);
      assert.equal(inoOf(r.stack[2]!), inoOf(subdir(subdir(root, 'a'), 'b')));
    });

    test('symlink in the middle of a path is followed from its own directory', () => {
      const r = resolve([root], 'mid/b/deep.txt', false);
      assert.equal(r.name, 'deep.txt');
      const b = subdir(subdir(root, 'a'), 'b');
      assert.equal(inoOf(r.node), inoOf(child(b, 'deep.txt')));
      assert.deepEqual(r.stack.map((d) => inoOf(d)), [inoOf(root), inoOf(child(root, 'a')), inoOf(b)]);
    });

    test('symlink as the final component: followed only when asked', () => {
      const nofollow = resolve([root], 'flink', false);
      assert.equal(nofollow.name, 'flink');
      assert.equal(nofollow.node?.filetype, FileType.SYMBOLIC_LINK);
      const follow = resolve([root], 'flink', true);
      assert.equal(follow.name, 'file.txt');
      assert.equal(inoOf(follow.node), fileIno);
    });

    test('symlink target with .. that stays inside resolves', () => {
      const r = resolve([root], 'a/b/up2', true);
      assert.equal(r.name, 'file.txt');
      assert.equal(inoOf(r.node), fileIno);
      assert.equal(r.stack.length, 1);
    });

    test('symlink to . names the directory holding it', () => {
      const r = resolve([root], 'dot', true);
      assert.equal(r.name, '.');
      assert.equal(inoOf(r.node), inoOf(root));
      const through = resolve([root], 'dot/dot/file.txt', false);
      assert.equal(inoOf(through.node), fileIno);
    });

    test('EPERM: symlink with an absolute target, when followed', () => {
      assertErrno(() => resolve([root], 'abs', true), Errno.PERM, 'abs followed');
      assertErrno(() => resolve([root], 'abs/', false), Errno.PERM, 'abs with a trailing slash');
      assertErrno(() => resolve([root], 'abs/x', false), Errno.PERM, 'abs in the middle');
      // Not followed, the link itself is a node like any other.
      const r = resolve([root], 'abs', false);
      assert.equal(r.node?.filetype, FileType.SYMBOLIC_LINK);
    });

    test('EPERM: symlink pointing out via ../..', () => {
      assertErrno(() => resolve([root], 'a/b/out', true), Errno.PERM, 'a/b/out followed');
      assertErrno(() => resolve([root], 'a/b/out/file.txt', false), Errno.PERM, 'a/b/out in the middle');
      assertErrno(() => resolve([root], 'mid/b/out/', false), Errno.PERM, 'through mid, trailing slash');
      // From a/b as the starting directory, even up2 (../../file.txt) escapes.
      const b = subdir(subdir(root, 'a'), 'b');
      assertErrno(() => resolve([b], 'up2', true), Errno.PERM, 'up2 from a/b');
    });

    test('ENOTDIR: trailing slash on a file', () => {
      assertErrno(() => resolve([root], 'file.txt/', false), Errno.NOTDIR, "'file.txt/'");
      assertErrno(() => resolve([root], 'a/inner.txt//', true), Errno.NOTDIR, "'a/inner.txt//'");
      // A trailing slash follows a symlink even without SYMLINK_FOLLOW; a file behind it is still not a directory.
      assertErrno(() => resolve([root], 'flink/', false), Errno.NOTDIR, "'flink/'");
    });

    test('trailing slash on a directory is fine', () => {
      const r = resolve([root], 'a/', false);
      assert.equal(r.name, 'a');
      assert.equal(r.trailingSlash, true);
      assert.equal(inoOf(r.node), inoOf(child(root, 'a')));

      const rr = resolve([root], 'a/b//', false);
      assert.equal(rr.name, 'b');
      assert.equal(rr.trailingSlash, true);

      const link = resolve([root], 'mid/', false);
      assert.equal(link.name, 'a');
      assert.equal(link.trailingSlash, true);
      assert.equal(inoOf(link.node), inoOf(child(root, 'a')));
    });

    test('ENOTDIR: a file in the middle of a path', () => {
      assertErrno(() => resolve([root], 'file.txt/x', false), Errno.NOTDIR, "'file.txt/x'");
      assertErrno(() => resolve([root], 'a/inner.txt/..', false), Errno.NOTDIR, "'a/inner.txt/..'");
      assertErrno(() => resolve([root], 'flink/x', false), Errno.NOTDIR, "'flink/x'");
    });

    test('ENOENT: empty path', () => {
      assertErrno(() => resolve([root], '', false), Errno.NOENT);
      assertErrno(() => resolve([root], '', true), Errno.NOENT);
    });

    test('EINVAL: NUL in a path', () => {
      assertErrno(() => resolve([root], 'file.txt\0', false), Errno.INVAL, 'trailing NUL');
      assertErrno(() => resolve([root], 'a\0/b', false), Errno.INVAL, 'NUL inside');
      assertErrno(() => resolve([root], '\0', false), Errno.INVAL, 'only NUL');
      // EINVAL wins over the escape check: the path is refused before it is interpreted.
      assertErrno(() => resolve([root], '/\0', false), Errno.INVAL, "'/\\0'");
    });

    test('a chain of 40 symlinks resolves', () => {
      const r = resolve([root], 'c1', true);
      assert.equal(r.name, 'file.txt');
      assert.equal(inoOf(r.node), fileIno);
      const dirChain = resolve([root], 'e1/inner.txt', false);
      assert.equal(inoOf(dirChain.node), inoOf(child(subdir(root, 'a'), 'inner.txt')));
    });

    test('ELOOP: a chain of 41 symlinks', () => {
      assertErrno(() => resolve([root], 'd1', true), Errno.LOOP, 'd1 followed');
      assertErrno(() => resolve([root], 'd1/', false), Errno.LOOP, 'd1 with a trailing slash');
      assertErrno(() => resolve([root], 'd1/x', false), Errno.LOOP, 'd1 in the middle');
      assertErrno(() => resolve([root], 'd1/..', false), Errno.LOOP, "'d1/..'");
    });

    test('the symlink budget covers the whole path, not one link', () => {
      // 40 links through e1 then one more (mid): 41 in total.
      assertErrno(() => resolve([root], 'e1/../mid/inner.txt', false), Errno.LOOP);
      // The 40 links through e1 alone are within budget.
      assert.equal(inoOf(resolve([root], 'e1/../file.txt', false).node), fileIno);
    });

    if (backend.name === 'NodeFileSystem') {
      test('EPERM: a host symlink to /etc is never followed out', () => {
        const sandbox = path.join(hostTmp, 'sandbox');
        fs.symlinkSync('/etc', path.join(sandbox, 'etc'));
        assertErrno(() => resolve([root], 'etc', true), Errno.PERM, 'etc followed');
        assertErrno(() => resolve([root], 'etc/', false), Errno.PERM, "'etc/'");
        assertErrno(() => resolve([root], 'etc/passwd', false), Errno.PERM, "'etc/passwd'");
        assertErrno(() => resolve([root], 'etc/passwd', true), Errno.PERM, "'etc/passwd' followed");
        assertErrno(() => resolve([root], 'etc/.', false), Errno.PERM, "'etc/.'");
        const link = resolve([root], 'etc', false);
        assert.equal(link.node?.filetype, FileType.SYMBOLIC_LINK);
      });

      test('EPERM: a relative host symlink ../../.. pointing outside', () => {
        const sandbox = path.join(hostTmp, 'sandbox');
        fs.symlinkSync('../../..', path.join(sandbox, 'up'));
        fs.symlinkSync('../outside.txt', path.join(sandbox, 'sibling'));
        fs.symlinkSync('../../../../../../../../../../etc/passwd', path.join(sandbox, 'a', 'deepup'));
        assertErrno(() => resolve([root], 'up', true), Errno.PERM, 'up followed');
        assertErrno(() => resolve([root], 'up/etc/passwd', false), Errno.PERM, "'up/etc/passwd'");
        assertErrno(() => resolve([root], 'up/', false), Errno.PERM, "'up/'");
        assertErrno(() => resolve([root], 'sibling', true), Errno.PERM, 'sibling followed');
        assertErrno(() => resolve([root], 'a/deepup', true), Errno.PERM, 'a/deepup followed');
      });

      test('EPERM: a host symlink with an absolute target inside the sandbox is refused too', () => {
        const sandbox = path.join(hostTmp, 'sandbox');
        fs.symlinkSync(path.join(fs.realpathSync(sandbox), 'file.txt'), path.join(sandbox, 'absin'));
        assertErrno(() => resolve([root], 'absin', true), Errno.PERM);
      });

      test('a host symlink chain that stays inside resolves', () => {
        const sandbox = path.join(hostTmp, 'sandbox');
        fs.symlinkSync('a/b/up2', path.join(sandbox, 'viaup2'));
        const r = resolve([root], 'viaup2', true);
        assert.equal(r.name, 'file.txt');
        assert.equal(inoOf(r.node), fileIno);
      });
    }
  });
}
