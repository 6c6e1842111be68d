/**
 * The FileSystem contract: one suite of tests that every implementation of
 * the `FileSystem` interface (src/host/fs/types.ts) must pass, so that an
 * embedder's own backend can be checked against exactly what Kiln's kernel
 * relies on (Node only: it registers its tests with `node:test`).
 *
 * `fileSystemContract(name, make, options)` registers a `describe` block of
 * tests; each test makes a fresh filesystem with `make`, works on its root
 * through the interface alone (lookup, list, mkdir, open, symlink, link,
 * unlink, rmdir, rename, and open file handles) and checks exact bytes and
 * exact errnos: a `WasiError`'s errno, or a host error's `code` mapped as
 * Kiln maps it (abi/host-errors.ts).
 *
 * Where backends legitimately differ, `options` says what the one under
 * test does (hard links, how finely it keeps times, stable inode numbers,
 * separate devices, directory link counts); the tests that do not apply
 * are registered as skipped, with the reason.
 *
 * Test bodies are synchronous and deterministic, and make no backend call
 * in a `finally` or after catching anything but the failure they expect:
 * an adapter that suspends on Promises (`AsyncBackendSession`) can then run
 * a whole body as one replayable call (`options.run`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, WasiError, errnoName } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import { errnoOf } from '../abi/host-errors.js';
import { Pending } from '../host/pending.js';
import {
  isDirectory, isSymlink,
  type DirEntry, type FileHandle, type FileStat, type FileSystem, type FsDirectory, type FsNode, type FsSymlink, type OpenOptions,
} from '../host/fs/types.js';

/** What `make` returns: a fresh, empty filesystem, and how to dispose of it. */
export interface ContractFixture {
  /** The filesystem under test; its root must be empty. */
  fs: FileSystem;
  /** Called after the test (also when it failed); may return a Promise. */
  cleanup?: () => void | Promise<void>;
}

/**
 * What the filesystem under test can do, where backends legitimately
 * differ, and how to run a test body. Every flag defaults to what
 * `MemoryFileSystem` does.
 */
export interface FileSystemContractOptions {
  /**
   * It has hard links (default true). Without them `link` must fail with
   * ENOTSUP (types.ts: a backend that cannot do something says so), and
   * the tests that need two names for one file are skipped. A backend
   * keyed by path (a key-value store, a remote API) may have none.
   */
  hardLinks?: boolean;
  /**
   * How finely it keeps the times it is given, in nanoseconds (default 1n:
   * exactly, as `MemoryFileSystem`, and `NodeFileSystem` through its
   * memory of exact values). A backend that stores milliseconds says
   * 1_000_000n; a time then reads back within one unit of what was set.
   */
  timeResolution?: bigint;
  /**
   * Inode numbers are stable (default true): a node keeps its number while
   * it exists, across lookups and renames, every name of a hard link
   * shares it, a listing reports the same number as `stat`, and distinct
   * files have distinct numbers. A backend that cannot keep numbers (one
   * keyed by path) sets false, and no inode number is checked.
   */
  stableInodes?: boolean;
  /**
   * Two filesystems made by `make` are separate devices (default true):
   * their `dev` differ, and a link or rename from one into the other fails
   * with EXDEV. False for `NodeFileSystem`: two host directories on one
   * host filesystem share its device, and the host links and renames
   * between them. (A node that the filesystem did not make itself is EXDEV
   * in every case.)
   */
  separateDevices?: boolean;
  /**
   * A directory's `nlink` is 2 plus one per subdirectory, as on most Unix
   * filesystems (default true). `NodeFileSystem` reports what the host
   * filesystem says, and some (btrfs) report 1 for every directory.
   */
  directoryLinkCounts?: boolean;
  /**
   * Runs one test body and returns its result, or a Promise of it. The
   * default calls it. A filesystem whose backend answers with Promises,
   * presented by `AsyncBackendSession.adapt()`, needs
   * `(body) => runReplayable(session, body)`: the body is then run again
   * whenever a backend call suspends, answered from the session's record.
   * Tests that need two filesystems run both in the same body.
   */
  run?: <T>(body: () => T) => T | Promise<T>;
}

/** What a test body gets besides the root. */
interface Ctx {
  /** `Date.now()` when the test started (before the body first ran). */
  since: number;
}

type Body = (root: FsDirectory, ctx: Ctx) => void;
type PairBody = (root: FsDirectory, other: FsDirectory, ctx: Ctx) => void;

const READ: OpenOptions = { read: true, write: false, create: false, exclusive: false, truncate: false };
const RW: OpenOptions = { read: true, write: true, create: false, exclusive: false, truncate: false };
const CREATE: OpenOptions = { read: true, write: true, create: true, exclusive: false, truncate: false };
const NEW: OpenOptions = { read: false, write: true, create: true, exclusive: true, truncate: false };

/** Every combination of the five open options. */
const COMBINATIONS: readonly OpenOptions[] = Array.from({ length: 32 }, (_, i) => ({
  read: (i & 1) !== 0, write: (i & 2) !== 0, create: (i & 4) !== 0, exclusive: (i & 8) !== 0, truncate: (i & 16) !== 0,
}));

/** Times that only a guest would set (2023 and 2020), to the nanosecond. */
const A = 1_700_000_000_123_456_789n;
const M = 1_600_000_000_987_654_321n;

const encoder = new TextEncoder();
const text = (s: string): Uint8Array => encoder.encode(s);
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

function label(o: OpenOptions): string {
  const on = (Object.keys(o) as (keyof OpenOptions)[]).filter((k) => o[k]);
  return on.length === 0 ? '{}' : `{${on.join(', ')}}`;
}

/**
 * Asserts that `fn` fails with `errno`: a WasiError's own, or a host
 * error's code as Kiln maps it. A suspension (`Pending`) is not a failure:
 * it passes through to whoever replays the body.
 */
function expectErrno(fn: () => unknown, errno: Errno, what: string): void {
  let threw = false;
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    if (e instanceof Pending) throw e;
    threw = true;
    thrown = e;
  }
  assert.ok(threw, `${what}: expected E${errnoName(errno)}, but it succeeded`);
  const got = errnoOf(thrown);
  assert.equal(`E${errnoName(got)}`, `E${errnoName(errno)}`, `${what}: expected E${errnoName(errno)}, got E${errnoName(got)} (${String(thrown)})`);
}

// The helpers below close what they open on success only (no `finally`):
// a backend call made while a body unwinds would break its replay.

function writeAll(h: FileHandle, data: Uint8Array, position: number): void {
  let at = 0;
  while (at < data.byteLength) {
    const n = h.write(data.subarray(at), position + at);
    assert.ok(n > 0, 'a write makes progress');
    at += n;
  }
}

/** Creates the file `name` (it must not exist) with `content` (text as UTF-8). */
function writeFile(dir: FsDirectory, name: string, content: string | Uint8Array): void {
  const h = dir.open(name, NEW);
  writeAll(h, typeof content === 'string' ? text(content) : content, 0);
  h.close();
}

/** The whole content of the open file `h`, read from position 0. */
function readAll(h: FileHandle): Uint8Array {
  const size = Number(h.stat().size);
  const out = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = h.read(out.subarray(at), at);
    if (n === 0) break;
    at += n;
  }
  return out.subarray(0, at);
}

function readFile(dir: FsDirectory, name: string): Uint8Array {
  const h = dir.open(name, READ);
  const out = readAll(h);
  h.close();
  return out;
}

function readText(dir: FsDirectory, name: string): string {
  return new TextDecoder().decode(readFile(dir, name));
}

function child(dir: FsDirectory, name: string): FsNode {
  const n = dir.lookup(name);
  assert.ok(n !== null, `${name} exists`);
  return n;
}

function subdir(dir: FsDirectory, name: string): FsDirectory {
  const n = child(dir, name);
  assert.ok(isDirectory(n), `${name} is a directory`);
  return n;
}

function symlinkNode(dir: FsDirectory, name: string): FsSymlink {
  const n = child(dir, name);
  assert.ok(isSymlink(n), `${name} is a symlink`);
  return n;
}

/** The entries of `dir` by name (a listing's order is the backend's own). */
function byName(entries: DirEntry[]): DirEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The attributes the kernel reports for a node it just looked up (as `path_filestat_get` does). */
function lookedUp(dir: FsDirectory, name: string): FileStat {
  const n = child(dir, name);
  return n.lookupStat?.() ?? n.stat();
}

function refuse(): never {
  throw new WasiError(Errno.NOTSUP, 'a node of no filesystem under test');
}

/** A regular-file node that no filesystem made: linking it anywhere is EXDEV. */
function foreignFile(): FsNode {
  return { filetype: FileType.REGULAR_FILE, stat: refuse, setTimes: refuse };
}

/** A directory that no filesystem made: renaming into it is EXDEV. */
function foreignDirectory(): FsDirectory {
  return {
    filetype: FileType.DIRECTORY, stat: refuse, setTimes: refuse, lookup: refuse, list: refuse, open: refuse,
    mkdir: refuse, symlink: refuse, link: refuse, unlink: refuse, rmdir: refuse, rename: refuse,
  };
}

/**
 * Registers the FileSystem contract with `node:test`: a `describe` block
 * named `name`, whose every test works on a fresh filesystem from `make`.
 *
 * @param name What the suite is called in the report (the implementation's name).
 * @param make Makes an empty filesystem (and says how to dispose of it);
 *   called once per test, twice for tests that need two filesystems.
 * @param options What the filesystem can do where backends legitimately
 *   differ, and how to run a test body (see {@link FileSystemContractOptions}).
 */
export function fileSystemContract(
  name: string,
  make: () => ContractFixture | Promise<ContractFixture>,
  options: FileSystemContractOptions = {},
): void {
  const hardLinks = options.hardLinks ?? true;
  const resolution = options.timeResolution ?? 1n;
  const stableInodes = options.stableInodes ?? true;
  const separateDevices = options.separateDevices ?? true;
  const dirLinks = options.directoryLinkCounts ?? true;
  const run = options.run ?? (<T>(body: () => T): T => body());
  const exactTimes = resolution <= 1n;

  const noLinks = 'the filesystem has no hard links (hardLinks: false)';
  const noInodes = 'inode numbers are not stable (stableInodes: false)';
  const noDirLinks = 'directory link counts are not kept (directoryLinkCounts: false)';
  const sharedDevice = 'filesystems made by make() may share a device (separateDevices: false)';

  async function withFixtures(count: 1 | 2, body: (roots: FsDirectory[], ctx: Ctx) => void): Promise<void> {
    const fixtures: ContractFixture[] = [];
    try {
      for (let i = 0; i < count; i++) fixtures.push(await make());
      const roots = fixtures.map((f) => f.fs.root);
      const ctx: Ctx = { since: Date.now() };
      await run(() => body(roots, ctx));
    } finally {
      for (const f of fixtures) await f.cleanup?.();
    }
  }

  /** A test on one fresh filesystem; skipped with `skip` as the reason when given. */
  function check(title: string, body: Body, skip?: string | false): void {
    test(title, skip ? { skip } : {}, () => withFixtures(1, (roots, ctx) => body(roots[0]!, ctx)));
  }

  /** A test on two fresh filesystems from `make`. */
  function checkPair(title: string, body: PairBody, skip?: string | false): void {
    test(title, skip ? { skip } : {}, () => withFixtures(2, (roots, ctx) => body(roots[0]!, roots[1]!, ctx)));
  }

  /** A time read back: exactly what was set, or within the filesystem's resolution. */
  function assertTime(got: bigint, want: bigint, what: string): void {
    if (exactTimes) {
      assert.equal(got, want, what);
      return;
    }
    const diff = got > want ? got - want : want - got;
    assert.ok(diff < resolution, `${what}: ${got} is not within ${resolution} ns of ${want}`);
  }

  /** A time the filesystem took from its clock: between the test's start and now (a second either side). */
  function assertNow(got: bigint, ctx: Ctx, what: string): void {
    const lo = BigInt(ctx.since - 1000) * 1_000_000n;
    const hi = BigInt(Date.now() + 1000) * 1_000_000n;
    assert.ok(got >= lo && got <= hi, `${what}: ${got} is not the current time (${lo}..${hi})`);
  }

  describe(name, () => {
    describe('lookup and list', () => {
      check('lookup gives each entry as itself, and null for a missing name', (root) => {
        assert.equal(root.lookup('missing'), null);
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        root.symlink('l', 'f');
        assert.equal(child(root, 'f').filetype, FileType.REGULAR_FILE);
        assert.equal(child(root, 'd').filetype, FileType.DIRECTORY);
        assert.ok(isDirectory(child(root, 'd')));
        assert.equal(child(root, 'l').filetype, FileType.SYMBOLIC_LINK);
        assert.ok(isSymlink(child(root, 'l')));
        assert.equal(subdir(root, 'd').lookup('f'), null, 'a name is looked up in its own directory only');
      });

      check('list gives every entry once, without . and .., with its type, in a stable order', (root) => {
        assert.deepEqual(root.list(), []);
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        root.symlink('l', 'd');
        writeFile(root, 'é', '');
        const listed = root.list();
        assert.deepEqual(byName(listed).map((e) => [e.name, e.filetype]), [
          ['d', FileType.DIRECTORY], ['f', FileType.REGULAR_FILE], ['l', FileType.SYMBOLIC_LINK], ['é', FileType.REGULAR_FILE],
        ]);
        assert.deepEqual(root.list(), listed, 'the same order every time');
        assert.deepEqual(subdir(root, 'd').list(), [], 'a new directory is empty');
      });

      check('a listing reports the inode numbers that stat reports', (root) => {
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        root.symlink('l', 'f');
        for (const e of root.list()) assert.equal(e.ino, child(root, e.name).stat().ino, e.name);
      }, !stableInodes && noInodes);

      check('lookup and list see each change at once', (root) => {
        writeFile(root, 'a', 'x');
        root.mkdir('d');
        assert.deepEqual(byName(root.list()).map((e) => e.name), ['a', 'd']);
        root.rename('a', root, 'b');
        assert.equal(root.lookup('a'), null);
        assert.deepEqual(byName(root.list()).map((e) => e.name), ['b', 'd']);
        root.unlink('b');
        root.rmdir('d');
        assert.equal(root.lookup('b'), null);
        assert.equal(root.lookup('d'), null);
        assert.deepEqual(root.list(), []);
      });

      check('the attributes reported right after a lookup are current, even right after a listing', (root) => {
        writeFile(root, 'f', 'abc');
        root.mkdir('d');
        assert.equal(lookedUp(root, 'f').size, 3n);
        root.list();
        const h = root.open('f', RW);
        writeAll(h, text('defg'), 3);
        h.close();
        assert.equal(lookedUp(root, 'f').size, 7n, 'after a write');
        root.list();
        root.rename('d', root, 'e');
        root.mkdir('d');
        root.list();
        subdir(root, 'd').mkdir('sub');
        const n = child(root, 'd');
        const s = n.lookupStat?.() ?? n.stat();
        assert.equal(s.filetype, FileType.DIRECTORY);
        if (stableInodes) assert.notEqual(s.ino, child(root, 'e').stat().ino, 'a new directory, not the renamed one');
        if (dirLinks) assert.equal(s.nlink, 3n, 'after a subdirectory was made');
      });
    });

    describe('mkdir', () => {
      check('mkdir makes an empty directory', (root) => {
        root.mkdir('d');
        const d = subdir(root, 'd');
        assert.equal(d.stat().filetype, FileType.DIRECTORY);
        assert.deepEqual(d.list(), []);
        d.mkdir('e');
        assert.equal(subdir(d, 'e').stat().filetype, FileType.DIRECTORY);
      });

      check('EEXIST: mkdir or symlink over a name that is taken', (root) => {
        root.mkdir('d');
        writeFile(root, 'f', '');
        root.symlink('l', 'f');
        root.symlink('dangling', 'missing');
        for (const taken of ['d', 'f', 'l', 'dangling']) {
          expectErrno(() => root.mkdir(taken), Errno.EXIST, `mkdir over ${taken}`);
          expectErrno(() => root.symlink(taken, 'x'), Errno.EXIST, `symlink over ${taken}`);
        }
        assert.equal(readText(root, 'f'), '', 'the file is untouched');
        assert.equal(symlinkNode(root, 'l').readlink(), 'f', 'the link is untouched');
      });

      check('a directory has nlink 2, plus one per subdirectory', (root) => {
        assert.equal(root.stat().nlink, 2n);
        root.mkdir('x');
        root.mkdir('y');
        writeFile(root, 'f', '');
        assert.equal(root.stat().nlink, 4n, 'files do not count');
        assert.equal(subdir(root, 'x').stat().nlink, 2n);
        root.rmdir('y');
        assert.equal(root.stat().nlink, 3n);
      }, !dirLinks && noDirLinks);
    });

    describe('open', () => {
      check('every combination of options on a missing name: created with create, ENOENT without', (root) => {
        COMBINATIONS.forEach((o, i) => {
          const n = `n${i}`;
          if (!o.create) {
            expectErrno(() => root.open(n, o), Errno.NOENT, `open ${label(o)}`);
            assert.equal(root.lookup(n), null, `${label(o)} creates nothing`);
            return;
          }
          const h = root.open(n, o);
          const s = h.stat();
          assert.equal(s.filetype, FileType.REGULAR_FILE, label(o));
          assert.equal(s.size, 0n, label(o));
          assert.equal(s.nlink, 1n, label(o));
          h.close();
          assert.equal(child(root, n).filetype, FileType.REGULAR_FILE, label(o));
        });
      });

      check('every combination on a file: EEXIST with create and exclusive; truncate empties it; otherwise its bytes stay', (root) => {
        COMBINATIONS.forEach((o, i) => {
          const n = `f${i}`;
          writeFile(root, n, 'abc');
          if (o.create && o.exclusive) {
            expectErrno(() => root.open(n, o), Errno.EXIST, `open ${label(o)}`);
          } else {
            const h = root.open(n, o);
            assert.equal(h.stat().size, o.truncate ? 0n : 3n, label(o));
            h.close();
          }
          assert.equal(readText(root, n), o.truncate && !(o.create && o.exclusive) ? '' : 'abc', label(o));
        });
      });

      check('every combination on a directory: EEXIST with create and exclusive, EISDIR otherwise', (root) => {
        root.mkdir('d');
        subdir(root, 'd').mkdir('inside');
        for (const o of COMBINATIONS) {
          expectErrno(() => root.open('d', o), o.create && o.exclusive ? Errno.EXIST : Errno.ISDIR, `open ${label(o)}`);
        }
        assert.equal(child(subdir(root, 'd'), 'inside').filetype, FileType.DIRECTORY, 'the directory is untouched');
      });

      check('every combination on a symlink (to a file, dangling): EEXIST with create and exclusive, ELOOP otherwise; never followed', (root) => {
        writeFile(root, 'target', 'abc');
        root.symlink('l', 'target');
        root.symlink('dangling', 'missing');
        for (const link of ['l', 'dangling']) {
          for (const o of COMBINATIONS) {
            expectErrno(() => root.open(link, o), o.create && o.exclusive ? Errno.EXIST : Errno.LOOP, `open ${link} ${label(o)}`);
          }
        }
        assert.equal(readText(root, 'target'), 'abc', 'the target is untouched');
        assert.equal(root.lookup('missing'), null, 'a dangling link\'s target is not created');
        assert.equal(symlinkNode(root, 'l').readlink(), 'target');
      });

      check('two handles of one file see each other\'s writes', (root) => {
        writeFile(root, 'f', 'abc');
        const a = root.open('f', RW);
        const b = root.open('f', READ);
        writeAll(a, text('XY'), 1);
        assert.deepEqual(readAll(b), text('aXY'));
        a.setSize(1);
        assert.deepEqual(readAll(b), text('a'));
        a.close();
        b.close();
      });
    });

    describe('read and write', () => {
      check('write then read exact bytes at positions; reads stop at the end of the file', (root) => {
        const h = root.open('f', CREATE);
        assert.equal(h.write(text('hello world'), 0), 11);
        assert.equal(h.write(text('W'), 6), 1);
        const buf = new Uint8Array(8);
        assert.equal(h.read(buf, 4), 7, 'a read across the end is short');
        assert.deepEqual(buf.subarray(0, 7), text('o World'));
        assert.equal(h.read(buf, 11), 0, 'at the end');
        assert.equal(h.read(buf, 100), 0, 'past the end');
        assert.equal(h.read(new Uint8Array(0), 0), 0, 'into an empty buffer');
        const all = new Uint8Array(11);
        assert.equal(h.read(all, 0), 11);
        assert.deepEqual(all, text('hello World'));
        assert.equal(h.stat().size, 11n);
        h.close();
        assert.equal(readText(root, 'f'), 'hello World');
      });

      check('every byte value is kept', (root) => {
        const all = new Uint8Array(256).map((_, i) => i);
        writeFile(root, 'f', all);
        assert.deepEqual(readFile(root, 'f'), all);
      });

      check('writing past the end leaves a hole that reads as zeros', (root) => {
        const h = root.open('f', CREATE);
        h.write(bytes(1, 2), 0);
        h.write(bytes(9), 5);
        assert.equal(h.stat().size, 6n);
        h.close();
        assert.deepEqual(readFile(root, 'f'), bytes(1, 2, 0, 0, 0, 9));
      });

      check('an empty write writes nothing, even past the end', (root) => {
        writeFile(root, 'f', 'ab');
        const h = root.open('f', RW);
        assert.equal(h.write(new Uint8Array(0), 1), 0);
        assert.equal(h.write(new Uint8Array(0), 10), 0);
        assert.equal(h.stat().size, 2n);
        h.close();
        assert.equal(readText(root, 'f'), 'ab');
      });

      check('append writes at the current end and returns the offset it wrote at', (root) => {
        writeFile(root, 'f', 'abc');
        const h = root.open('f', RW);
        assert.equal(h.append(text('de')), 3);
        assert.equal(h.append(text('f')), 5);
        h.write(text('!'), 8);
        assert.equal(h.append(text('g')), 9, 'after a hole');
        h.setSize(2);
        assert.equal(h.append(text('h')), 2, 'after a truncation');
        h.close();
        assert.equal(readText(root, 'f'), 'abh');
      });

      check('setSize shrinks, and grows with zeros: cut bytes never come back', (root) => {
        writeFile(root, 'f', 'abcdef');
        const h = root.open('f', RW);
        h.setSize(2);
        assert.deepEqual(readFile(root, 'f'), text('ab'));
        h.setSize(5);
        assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0, 0, 0));
        assert.equal(h.stat().size, 5n);
        h.setSize(1);
        h.write(bytes(0x7a), 4);
        assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0, 0, 0, 0x7a), 'a write past the end after a shrink');
        h.setSize(0);
        assert.equal(h.stat().size, 0n);
        h.close();
      });

      check('allocate grows a file with zeros but never shrinks it', (root) => {
        writeFile(root, 'f', 'abcdef');
        const h = root.open('f', RW);
        h.allocate(0, 3);
        assert.equal(h.stat().size, 6n);
        h.allocate(4, 4);
        assert.equal(h.stat().size, 8n);
        h.close();
        assert.deepEqual(readFile(root, 'f'), bytes(0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0, 0));
      });
    });

    describe('stat', () => {
      check('type, size and link count of a file, a directory and a symlink; one device', (root) => {
        writeFile(root, 'f', 'hello');
        root.mkdir('d');
        root.symlink('l', 'f');
        const f = child(root, 'f').stat();
        assert.equal(f.filetype, FileType.REGULAR_FILE);
        assert.equal(f.size, 5n);
        assert.equal(f.nlink, 1n);
        assert.equal(child(root, 'd').stat().filetype, FileType.DIRECTORY);
        assert.equal(root.stat().filetype, FileType.DIRECTORY);
        const l = child(root, 'l').stat();
        assert.equal(l.filetype, FileType.SYMBOLIC_LINK);
        assert.equal(l.nlink, 1n);
        const dev = root.stat().dev;
        for (const n of ['f', 'd', 'l']) assert.equal(child(root, n).stat().dev, dev, `${n} is on the root's device`);
        const h = root.open('f', READ);
        const hs = h.stat();
        h.close();
        assert.deepEqual([hs.dev, hs.filetype, hs.size, hs.nlink], [f.dev, f.filetype, f.size, f.nlink], 'a handle reports its file');
      });

      check('inode numbers: distinct nodes have distinct numbers; a node keeps its number', (root) => {
        writeFile(root, 'f', '');
        writeFile(root, 'g', '');
        root.mkdir('d');
        root.symlink('l', 'f');
        const inos = [root.stat().ino, ...['f', 'g', 'd', 'l'].map((n) => child(root, n).stat().ino)];
        assert.equal(new Set(inos).size, 5, `distinct: ${inos.join(', ')}`);
        assert.equal(child(root, 'f').stat().ino, inos[1], 'looked up again');
        const h = root.open('f', READ);
        assert.equal(h.stat().ino, inos[1], 'through a handle');
        h.close();
      }, !stableInodes && noInodes);

      check('lookupStat, where a backend has it, describes the node as stat does', (root) => {
        writeFile(root, 'f', 'abc');
        root.mkdir('d');
        root.symlink('l', 'f');
        for (const name of ['f', 'd', 'l']) {
          const n = child(root, name);
          if (n.lookupStat === undefined) continue;
          const ls = n.lookupStat();
          const s = n.stat();
          assert.deepEqual([ls.dev, ls.filetype, ls.size, ls.nlink], [s.dev, s.filetype, s.size, s.nlink], name);
          if (stableInodes) assert.equal(ls.ino, s.ino, name);
        }
      });

      check('mtim moves when a file is written or resized, and when a directory gains or loses an entry', (root, ctx) => {
        writeFile(root, 'f', 'abc');
        child(root, 'f').setTimes(A, M);
        const h = root.open('f', RW);
        h.write(text('x'), 1);
        assertNow(h.stat().mtim, ctx, 'mtim after a write');
        h.setTimes(null, M);
        h.setSize(10);
        assertNow(h.stat().mtim, ctx, 'mtim after setSize');
        h.close();
        root.mkdir('d');
        const d = subdir(root, 'd');
        d.setTimes(A, M);
        writeFile(d, 'x', '');
        assertNow(d.stat().mtim, ctx, 'directory mtim after an entry was added');
        d.setTimes(A, M);
        d.unlink('x');
        assertNow(d.stat().mtim, ctx, 'directory mtim after an entry was removed');
      });
    });

    describe('setTimes', () => {
      check('times set on a node read back from it, from a fresh lookup and from an open handle', (root) => {
        writeFile(root, 'f', '');
        const f = child(root, 'f');
        f.setTimes(A, M);
        assertTime(f.stat().atim, A, 'atim');
        assertTime(f.stat().mtim, M, 'mtim');
        assertTime(child(root, 'f').stat().atim, A, 'atim, looked up again');
        const h = root.open('f', READ);
        assertTime(h.stat().mtim, M, 'mtim through a handle');
        h.close();
      });

      check('times set through an open handle read back from it and from the node', (root) => {
        writeFile(root, 'f', '');
        const h = root.open('f', RW);
        h.setTimes(A + 1n, M + 1n);
        assertTime(h.stat().atim, A + 1n, 'atim');
        assertTime(h.stat().mtim, M + 1n, 'mtim');
        assertTime(child(root, 'f').stat().atim, A + 1n, 'atim of the node');
        h.close();
      });

      check('times of a directory, and of a symlink itself (its target is untouched)', (root) => {
        root.mkdir('d');
        writeFile(root, 'f', '');
        root.symlink('l', 'f');
        child(root, 'd').setTimes(A, M);
        child(root, 'l').setTimes(M, A);
        assertTime(child(root, 'd').stat().atim, A, 'directory atim');
        assertTime(child(root, 'd').stat().mtim, M, 'directory mtim');
        assertTime(child(root, 'l').stat().atim, M, 'symlink atim');
        assertTime(child(root, 'l').stat().mtim, A, 'symlink mtim');
        assert.notEqual(child(root, 'f').stat().mtim, A, 'the target is untouched');
      });

      check('each value set replaces the previous one, also within the same microsecond', (root) => {
        writeFile(root, 'f', '');
        const f = child(root, 'f');
        for (let i = 0n; i < 10n; i++) {
          f.setTimes(A + i * 1_001n, M - i * 3_003n);
          assertTime(f.stat().atim, A + i * 1_001n, `atim ${i}`);
          assertTime(f.stat().mtim, M - i * 3_003n, `mtim ${i}`);
        }
        f.setTimes(A, M);
        f.setTimes(A + 7n, M + 1n);
        assertTime(f.stat().atim, A + 7n, 'atim 7 ns later');
        assertTime(f.stat().mtim, M + 1n, 'mtim 1 ns later');
      });

      check('null leaves that time as it was', (root) => {
        writeFile(root, 'f', '');
        const f = child(root, 'f');
        f.setTimes(A, M);
        f.setTimes(null, M + 999_000n);
        assertTime(f.stat().atim, A, 'atim kept');
        assertTime(f.stat().mtim, M + 999_000n, 'mtim set');
        f.setTimes(null, M + 5_000_000n);
        assertTime(f.stat().atim, A, 'atim kept twice');
        assertTime(f.stat().mtim, M + 5_000_000n, 'mtim set again');
        const h = root.open('f', RW);
        h.setTimes(A, M);
        h.setTimes(A + 5_000n, null);
        assertTime(h.stat().atim, A + 5_000n, 'atim set through the handle');
        assertTime(h.stat().mtim, M, 'mtim kept through the handle');
        h.setTimes(null, null);
        assertTime(h.stat().atim, A + 5_000n, 'atim, both null');
        assertTime(h.stat().mtim, M, 'mtim, both null');
        h.close();
      });

      check("'now' sets the current time; the other time is kept", (root, ctx) => {
        writeFile(root, 'f', '');
        const f = child(root, 'f');
        f.setTimes(A, M);
        f.setTimes('now', null);
        assertNow(f.stat().atim, ctx, 'atim');
        assertTime(f.stat().mtim, M, 'mtim kept');
        const atim = f.stat().atim;
        f.setTimes(null, 'now');
        assertTime(f.stat().atim, atim, 'atim kept');
        assertNow(f.stat().mtim, ctx, 'mtim');
        const h = root.open('f', RW);
        h.setTimes(A, M);
        h.setTimes('now', 'now');
        assertNow(h.stat().atim, ctx, 'atim through the handle');
        assertNow(h.stat().mtim, ctx, 'mtim through the handle');
        h.close();
      });
    });

    describe('symlinks', () => {
      const TARGETS = ['f', 'é/x', '../up', '/abs/out', 'missing', 'a//b/', '.', 'd/'];

      check('readlink gives the target exactly as given; the size is its length in UTF-8 bytes', (root) => {
        TARGETS.forEach((target, i) => root.symlink(`l${i}`, target));
        TARGETS.forEach((target, i) => {
          const l = symlinkNode(root, `l${i}`);
          assert.equal(l.readlink(), target);
          assert.equal(l.stat().size, BigInt(text(target).byteLength), `size of ${target}`);
        });
      });

      check('a symlink is never followed: lookup, stat and list describe the link itself', (root) => {
        writeFile(root, 'f', 'hello');
        root.mkdir('d');
        root.symlink('lf', 'f');
        root.symlink('ld', 'd');
        root.symlink('out', '/etc');
        for (const name of ['lf', 'ld', 'out']) {
          const n = child(root, name);
          assert.equal(n.filetype, FileType.SYMBOLIC_LINK, `${name} looked up`);
          assert.equal(isDirectory(n), false, `${name} is no directory`);
          assert.equal(n.stat().filetype, FileType.SYMBOLIC_LINK, `${name} stat`);
        }
        assert.equal(child(root, 'lf').stat().size, 1n, 'the link\'s size, not its target\'s');
        for (const e of root.list()) {
          if (e.name.startsWith('l') || e.name === 'out') assert.equal(e.filetype, FileType.SYMBOLIC_LINK, `${e.name} listed`);
        }
      });
    });

    describe('hard links', () => {
      check('link adds a name: both names have the file\'s content and nlink 2', (root) => {
        writeFile(root, 'a', 'shared');
        root.link('b', child(root, 'a'));
        assert.equal(child(root, 'a').stat().nlink, 2n);
        assert.equal(child(root, 'b').stat().nlink, 2n);
        assert.equal(child(root, 'b').filetype, FileType.REGULAR_FILE);
        const h = root.open('b', RW);
        h.write(text('S'), 0);
        h.close();
        assert.equal(readText(root, 'a'), 'Shared');
        const g = root.open('a', RW);
        g.setSize(3);
        g.close();
        assert.equal(readText(root, 'b'), 'Sha');
        root.mkdir('d');
        subdir(root, 'd').link('c', child(root, 'a'));
        assert.equal(child(root, 'a').stat().nlink, 3n, 'a name in another directory');
        assert.equal(readText(subdir(root, 'd'), 'c'), 'Sha');
      }, !hardLinks && noLinks);

      check('linked names share the inode number', (root) => {
        writeFile(root, 'a', '');
        root.link('b', child(root, 'a'));
        assert.equal(child(root, 'a').stat().ino, child(root, 'b').stat().ino);
      }, (!hardLinks && noLinks) || (!stableInodes && noInodes));

      check('unlinking one name keeps the other, with nlink 1', (root) => {
        writeFile(root, 'a', 'shared');
        root.link('b', child(root, 'a'));
        root.unlink('a');
        assert.equal(root.lookup('a'), null);
        assert.equal(child(root, 'b').stat().nlink, 1n);
        assert.equal(readText(root, 'b'), 'shared');
      }, !hardLinks && noLinks);

      check('a link to a symlink links the symlink itself', (root) => {
        writeFile(root, 'f', '');
        root.symlink('l', 'f');
        root.link('l2', child(root, 'l'));
        assert.equal(symlinkNode(root, 'l2').readlink(), 'f');
        assert.equal(child(root, 'l').stat().nlink, 2n);
        assert.equal(child(root, 'f').stat().nlink, 1n, 'the target is untouched');
      }, !hardLinks && noLinks);

      check('EPERM: a hard link to a directory', (root) => {
        root.mkdir('d');
        expectErrno(() => root.link('e', child(root, 'd')), Errno.PERM, 'link to a directory');
        assert.equal(root.lookup('e'), null);
      }, !hardLinks && noLinks);

      check('EEXIST: a hard link onto a name that is taken', (root) => {
        writeFile(root, 'a', '');
        writeFile(root, 'b', '');
        root.mkdir('d');
        for (const taken of ['a', 'b', 'd']) expectErrno(() => root.link(taken, child(root, 'a')), Errno.EXIST, `link onto ${taken}`);
        assert.equal(child(root, 'a').stat().nlink, 1n);
      }, !hardLinks && noLinks);

      check('EXDEV: a hard link to a node that this filesystem did not make', (root) => {
        expectErrno(() => root.link('f', foreignFile()), Errno.XDEV, 'link to a foreign node');
        assert.equal(root.lookup('f'), null);
      }, !hardLinks && noLinks);

      checkPair('EXDEV: a hard link to a node of another filesystem', (root, other) => {
        writeFile(other, 'f', 'x');
        expectErrno(() => root.link('f', child(other, 'f')), Errno.XDEV, 'link across filesystems');
        assert.equal(root.lookup('f'), null);
        assert.equal(child(other, 'f').stat().nlink, 1n);
      }, (!hardLinks && noLinks) || (!separateDevices && sharedDevice));

      check('ENOTSUP: link, on a filesystem without hard links', (root) => {
        writeFile(root, 'a', '');
        expectErrno(() => root.link('b', child(root, 'a')), Errno.NOTSUP, 'link');
        assert.equal(root.lookup('b'), null);
      }, hardLinks && 'the filesystem has hard links');
    });

    describe('unlink', () => {
      check('unlink removes a file', (root) => {
        writeFile(root, 'f', 'x');
        writeFile(root, 'g', 'y');
        root.unlink('f');
        assert.equal(root.lookup('f'), null);
        assert.deepEqual(root.list().map((e) => e.name), ['g']);
        writeFile(root, 'f', 'new');
        assert.equal(readText(root, 'f'), 'new', 'the name can be used again');
      });

      check('unlink removes a symlink, not its target', (root) => {
        writeFile(root, 'f', 'x');
        root.symlink('l', 'f');
        root.symlink('dangling', 'missing');
        root.unlink('l');
        root.unlink('dangling');
        assert.equal(root.lookup('l'), null);
        assert.equal(root.lookup('dangling'), null);
        assert.equal(readText(root, 'f'), 'x');
      });

      check('EISDIR: unlink a directory', (root) => {
        root.mkdir('d');
        expectErrno(() => root.unlink('d'), Errno.ISDIR, 'unlink a directory');
        assert.equal(child(root, 'd').filetype, FileType.DIRECTORY);
      });

      check('ENOENT: unlink a missing name', (root) => {
        expectErrno(() => root.unlink('missing'), Errno.NOENT, 'unlink');
      });
    });

    describe('rmdir', () => {
      check('rmdir removes an empty directory', (root) => {
        root.mkdir('d');
        root.rmdir('d');
        assert.equal(root.lookup('d'), null);
        assert.deepEqual(root.list(), []);
        if (dirLinks) assert.equal(root.stat().nlink, 2n, 'the parent\'s link count drops');
      });

      check('ENOTEMPTY: rmdir a directory that holds anything', (root) => {
        root.mkdir('d');
        subdir(root, 'd').mkdir('e');
        root.mkdir('g');
        writeFile(subdir(root, 'g'), 'f', '');
        root.mkdir('h');
        subdir(root, 'h').symlink('l', 'missing');
        for (const d of ['d', 'g', 'h']) expectErrno(() => root.rmdir(d), Errno.NOTEMPTY, `rmdir ${d}`);
        assert.notEqual(root.lookup('d'), null);
      });

      check('ENOTDIR: rmdir a file, or a symlink (even to a directory)', (root) => {
        writeFile(root, 'f', '');
        root.mkdir('d');
        root.symlink('l', 'd');
        expectErrno(() => root.rmdir('f'), Errno.NOTDIR, 'rmdir a file');
        expectErrno(() => root.rmdir('l'), Errno.NOTDIR, 'rmdir a symlink');
        assert.equal(child(root, 'l').filetype, FileType.SYMBOLIC_LINK);
        assert.equal(child(root, 'd').filetype, FileType.DIRECTORY);
      });

      check('ENOENT: rmdir a missing name', (root) => {
        expectErrno(() => root.rmdir('missing'), Errno.NOENT, 'rmdir');
      });
    });

    describe('rename', () => {
      check('a file moves to a new name in another directory, with its content', (root) => {
        writeFile(root, 'a', 'content');
        root.mkdir('d');
        root.rename('a', subdir(root, 'd'), 'b');
        assert.equal(root.lookup('a'), null);
        const d = subdir(root, 'd');
        assert.equal(readText(d, 'b'), 'content');
        assert.equal(child(d, 'b').stat().nlink, 1n);
        d.rename('b', root, 'c');
        assert.equal(readText(root, 'c'), 'content', 'and back');
        assert.deepEqual(d.list(), []);
      });

      check('a renamed file keeps its inode number', (root) => {
        writeFile(root, 'a', '');
        root.mkdir('d');
        const ino = child(root, 'a').stat().ino;
        root.rename('a', subdir(root, 'd'), 'b');
        assert.equal(child(subdir(root, 'd'), 'b').stat().ino, ino);
      }, !stableInodes && noInodes);

      check('a file replaces a file', (root) => {
        writeFile(root, 'a', 'new');
        writeFile(root, 'b', 'old');
        root.rename('a', root, 'b');
        assert.equal(readText(root, 'b'), 'new');
        assert.equal(root.lookup('a'), null);
        assert.deepEqual(root.list().map((e) => e.name), ['b']);
      });

      check('a file replaces one name of a linked file, which loses a link', (root) => {
        writeFile(root, 'a', 'new');
        writeFile(root, 'b', 'old');
        root.link('keep', child(root, 'b'));
        root.rename('a', root, 'b');
        assert.equal(readText(root, 'b'), 'new');
        assert.equal(child(root, 'keep').stat().nlink, 1n);
        assert.equal(readText(root, 'keep'), 'old');
      }, !hardLinks && noLinks);

      check('a symlink moves as itself; a file replaces a symlink; a directory cannot (ENOTDIR)', (root) => {
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        root.symlink('l1', 'f');
        root.symlink('l2', 'd');
        root.rename('l1', root, 'moved');
        assert.equal(root.lookup('l1'), null);
        assert.equal(symlinkNode(root, 'moved').readlink(), 'f');
        root.rename('f', root, 'moved');
        assert.equal(child(root, 'moved').filetype, FileType.REGULAR_FILE);
        assert.equal(readText(root, 'moved'), 'x');
        expectErrno(() => root.rename('d', root, 'l2'), Errno.NOTDIR, 'a directory over a symlink');
        assert.equal(symlinkNode(root, 'l2').readlink(), 'd');
      });

      check('a directory moves between parents with what it holds', (root) => {
        root.mkdir('p');
        root.mkdir('q');
        const p = subdir(root, 'p');
        p.mkdir('d');
        writeFile(subdir(p, 'd'), 'inside', 'x');
        p.rename('d', subdir(root, 'q'), 'e');
        assert.equal(p.lookup('d'), null);
        const e = subdir(subdir(root, 'q'), 'e');
        assert.equal(readText(e, 'inside'), 'x');
        if (dirLinks) {
          assert.equal(subdir(root, 'p').stat().nlink, 2n, 'the old parent lost a link');
          assert.equal(subdir(root, 'q').stat().nlink, 3n, 'the new parent gained one');
        }
      });

      check('a directory replaces an empty directory', (root) => {
        root.mkdir('a');
        writeFile(subdir(root, 'a'), 'inside', 'x');
        root.mkdir('b');
        root.rename('a', root, 'b');
        assert.equal(root.lookup('a'), null);
        assert.equal(readText(subdir(root, 'b'), 'inside'), 'x');
        if (dirLinks) assert.equal(root.stat().nlink, 3n);
      });

      check('EISDIR: a file over a directory', (root) => {
        writeFile(root, 'f', '');
        root.mkdir('d');
        expectErrno(() => root.rename('f', root, 'd'), Errno.ISDIR, 'rename a file over a directory');
        assert.equal(child(root, 'd').filetype, FileType.DIRECTORY);
        assert.notEqual(root.lookup('f'), null);
      });

      check('ENOTDIR: a directory over a file', (root) => {
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        expectErrno(() => root.rename('d', root, 'f'), Errno.NOTDIR, 'rename a directory over a file');
        assert.equal(readText(root, 'f'), 'x');
      });

      check('ENOTEMPTY: a directory over a directory that is not empty', (root) => {
        root.mkdir('a');
        root.mkdir('b');
        writeFile(subdir(root, 'b'), 'f', '');
        expectErrno(() => root.rename('a', root, 'b'), Errno.NOTEMPTY, 'rename over a non-empty directory');
        assert.notEqual(root.lookup('a'), null);
        assert.notEqual(subdir(root, 'b').lookup('f'), null);
      });

      check('EINVAL: a directory into itself or beneath itself', (root) => {
        root.mkdir('a');
        const a = subdir(root, 'a');
        a.mkdir('b');
        expectErrno(() => root.rename('a', subdir(a, 'b'), 'c'), Errno.INVAL, 'into a/b');
        expectErrno(() => root.rename('a', a, 'c'), Errno.INVAL, 'into a');
        assert.notEqual(root.lookup('a'), null);
        assert.notEqual(subdir(root, 'a').lookup('b'), null);
      });

      check('ENOENT: rename a missing name', (root) => {
        root.mkdir('d');
        expectErrno(() => root.rename('missing', root, 'x'), Errno.NOENT, 'rename');
        expectErrno(() => root.rename('missing', subdir(root, 'd'), 'x'), Errno.NOENT, 'rename into another directory');
        assert.equal(root.lookup('x'), null);
      });

      check('rename onto its own name does nothing', (root) => {
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        root.rename('f', root, 'f');
        root.rename('d', root, 'd');
        assert.equal(readText(root, 'f'), 'x');
        assert.equal(child(root, 'd').filetype, FileType.DIRECTORY);
        assert.deepEqual(byName(root.list()).map((e) => e.name), ['d', 'f']);
      });

      check('rename onto another name of the same file does nothing', (root) => {
        writeFile(root, 'a', 'x');
        root.link('b', child(root, 'a'));
        root.rename('a', root, 'b');
        assert.notEqual(root.lookup('a'), null);
        assert.notEqual(root.lookup('b'), null);
        assert.equal(child(root, 'a').stat().nlink, 2n);
      }, !hardLinks && noLinks);

      check('EXDEV: rename into a directory that this filesystem did not make', (root) => {
        writeFile(root, 'f', 'x');
        expectErrno(() => root.rename('f', foreignDirectory(), 'f'), Errno.XDEV, 'rename into a foreign directory');
        assert.equal(readText(root, 'f'), 'x');
      });

      checkPair('EXDEV: rename into another filesystem; each filesystem is its own device', (root, other) => {
        writeFile(root, 'f', 'x');
        root.mkdir('d');
        expectErrno(() => root.rename('f', other, 'f'), Errno.XDEV, 'a file');
        expectErrno(() => root.rename('d', other, 'd'), Errno.XDEV, 'a directory');
        assert.equal(readText(root, 'f'), 'x');
        assert.deepEqual(other.list(), []);
        assert.notEqual(root.stat().dev, other.stat().dev);
      }, !separateDevices && sharedDevice);
    });

    describe('open handles', () => {
      check('a handle stays usable after its last name is unlinked: nlink 0, it reads what was written', (root) => {
        writeFile(root, 'a', 'abc');
        const h = root.open('a', RW);
        root.unlink('a');
        assert.equal(root.lookup('a'), null);
        assert.equal(h.stat().nlink, 0n);
        h.write(text('d'), 3);
        const buf = new Uint8Array(4);
        assert.equal(h.read(buf, 0), 4);
        assert.deepEqual(buf, text('abcd'));
        assert.equal(h.stat().size, 4n);
        h.close();
        writeFile(root, 'a', 'new');
        assert.equal(readText(root, 'a'), 'new', 'the name is free for a new file');
      });

      check('a handle follows its file through a rename, and through being replaced', (root) => {
        writeFile(root, 'a', 'abc');
        root.mkdir('d');
        const h = root.open('a', RW);
        root.rename('a', subdir(root, 'd'), 'b');
        h.write(text('X'), 0);
        assert.equal(readText(subdir(root, 'd'), 'b'), 'Xbc');
        writeFile(root, 'c', 'other');
        root.rename('c', subdir(root, 'd'), 'b');
        assert.deepEqual(readAll(h), text('Xbc'), 'the replaced file, through the handle');
        assert.equal(readText(subdir(root, 'd'), 'b'), 'other');
        h.close();
      });

      check('sync and datasync succeed; what was written stays after close', (root) => {
        const h = root.open('f', CREATE);
        h.write(text('kept'), 0);
        h.sync();
        h.datasync();
        h.close();
        assert.equal(readText(root, 'f'), 'kept');
        const r = root.open('f', READ);
        r.sync();
        r.datasync();
        r.close();
      });

      check('closing one handle leaves another handle of the same file usable', (root) => {
        writeFile(root, 'f', 'abc');
        const a = root.open('f', RW);
        const b = root.open('f', RW);
        a.close();
        b.write(text('d'), 3);
        assert.deepEqual(readAll(b), text('abcd'));
        b.close();
        assert.equal(readText(root, 'f'), 'abcd');
      });
    });

    describe('removed directories', () => {
      check('ENOENT: making anything in a removed directory; it holds nothing', (root) => {
        root.mkdir('d');
        writeFile(root, 'f', 'x');
        const d = subdir(root, 'd');
        root.rmdir('d');
        expectErrno(() => d.mkdir('x'), Errno.NOENT, 'mkdir');
        expectErrno(() => d.open('x', CREATE), Errno.NOENT, 'open with create');
        expectErrno(() => d.symlink('x', 'y'), Errno.NOENT, 'symlink');
        expectErrno(() => root.rename('f', d, 'f'), Errno.NOENT, 'rename into it');
        if (hardLinks) expectErrno(() => d.link('x', child(root, 'f')), Errno.NOENT, 'link');
        assert.equal(d.lookup('x'), null);
        assert.equal(readText(root, 'f'), 'x');
        assert.equal(root.lookup('d'), null);
      });
    });
  });
}
