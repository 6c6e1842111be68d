/**
 * wasi_unstable (WASI preview 0, "snapshot 0"), as old TinyGo and Rust
 * guests import it: the adapter over preview 1 (src/syscalls/unstable/).
 * Each program (test/programs/wat/unstable_*.wat) imports only
 * `wasi_unstable` and prints what it saw; the expected transcripts are
 * exact, and follow the preview 0 witx (whence CUR=0, END=1, SET=2; a
 * 56-byte filestat with a u32 nlink; 56-byte subscriptions whose clock
 * fields follow an `identifier`). A runtime that served the preview 1
 * functions under the preview 0 name (as node:wasi 20 does) fails the
 * seek, filestat, poll and bad-pointer programs. Run through the WASI API
 * (start(), and run() in the worker mode) and through `kiln run`, which
 * picks the version from the module's imports. `kiln run` runs from dist/
 * (build first).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { UNSTABLE } from '../src/abi/signatures.js';
import { CaptureStream, MemoryFileSystem, WASI, type WASIOptions } from '../src/node.js';
import { programPath } from './helpers/programs.js';
import { lines, node24, runCase, runKiln, runKilnJspi, withSandbox, type RunResult } from './helpers/runners.js';

const wasm = (name: string): Uint8Array<ArrayBuffer> => readFileSync(programPath(name)) as Uint8Array<ArrayBuffer>;

interface Expected { status: number; stdout: string }

const HELLO: Expected = { status: 25, stdout: 'hello from wasi_unstable\n' };

const TINYGO: Expected = { status: 0, stdout: 'Hello from a TinyGo-style guest!\n' };

const SEEK: Expected = {
  status: 0,
  stdout: lines(
    'SET 3: 0 3',
    'CUR 2: 0 5',
    'END -4: 0 6',
    'CUR 0: 0 6',
    'read: 6',
    'tell: 0 7',
    'END 0: 0 10',
    'whence 3: 28',
    'SET -1: 28',
    'stdout CUR 0: 70',
  ),
};

const FILE_STAT = 'filetype=4 pad=0 nlink=2 size=10 atim=1000 mtim=2000 ctim>0=1 tail=untouched';
const FILESTAT: Expected = {
  status: 0,
  stdout: lines(
    'path_open: 0',
    'path_link: 0',
    'fd_filestat_set_times: 0',
    `fd_filestat_get: 0 ${FILE_STAT}`,
    `path_filestat_get f.link: 0 ${FILE_STAT}`,
    'same dev and ino: 1',
    'path_filestat_get .: 0 filetype=3 pad=0 tail=untouched',
    'path_filestat_get missing: 44',
  ),
};

const POLL: Expected = {
  status: 0,
  stdout: lines(
    // userdata 0x0102030405060708; the identifier (0xdeadbeefcafef00d) is not reported
    'relative clock: 0 n=1 userdata=72623859790382856 type=0 error=0 waited=1',
    'clock and stdout: 0 n=1 userdata=22 type=2 error=0',
    'bad clock id: 0 n=1 userdata=33 type=0 error=28',
    'absolute clock: 0 n=1 userdata=44 type=0 error=0 waited=1',
    'no subscriptions: 28',
  ),
};

const EFAULT: Expected = {
  status: 0,
  stdout: lines(
    'fd_filestat_get 56 bytes at the end: 0',
    'fd_filestat_get one byte later: 21',
    'fd_filestat_get out of bounds: 21',
    'path_filestat_get 56 bytes at the end: 0',
    'path_filestat_get one byte later: 21',
    'path_filestat_get path out of bounds: 21',
    'fd_seek newoffset straddles the end: 21',
    'fd_fdstat_get straddles the end: 21',
    'poll_oneoff 56 bytes at the end: 0',
    'poll_oneoff subscription straddles the end: 21',
    'poll_oneoff two subscriptions past the end: 21',
    'poll_oneoff events out of bounds: 21',
    'poll_oneoff nevents out of bounds: 21',
    'fd_write iovs out of bounds: 21',
    'still running',
  ),
};

const PROGRAMS: [name: string, expected: Expected][] = [
  ['unstable_hello', HELLO],
  ['unstable_tinygo', TINYGO],
  ['unstable_seek', SEEK],
  ['unstable_filestat', FILESTAT],
  ['unstable_poll', POLL],
  ['unstable_efault', EFAULT],
];

/** Runs a program with `new WASI({ version: 'unstable' })`, getImportObject() and start(). */
async function startUnstable(name: string, preopen: string | MemoryFileSystem, extra: Partial<WASIOptions> = {}): Promise<RunResult> {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const wasi = new WASI({ version: 'unstable', preopens: { '/sandbox': preopen }, stdout, stderr, ...extra });
  const module = await WebAssembly.compile(wasm(name));
  const imports = wasi.getImportObject();
  assert.deepEqual(Object.keys(imports), ['wasi_unstable']);
  const instance = await WebAssembly.instantiate(module, imports);
  const status = wasi.start(instance);
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

describe('through the WASI API: start() (host directory)', () => {
  for (const [name, expected] of PROGRAMS) {
    test(name, () => withSandbox(async (sb) => {
      assert.deepEqual(await startUnstable(name, sb.dir), { ...expected, stderr: '' });
    }));
  }

  test('the files the guests made are right on the host', () => withSandbox(async (sb) => {
    await startUnstable('unstable_seek', sb.dir);
    assert.equal(readFileSync(`${sb.dir}/data.txt`, 'utf8'), '0123456789');
    await startUnstable('unstable_filestat', sb.dir);
    const st = statSync(`${sb.dir}/f.link`);
    assert.equal(st.nlink, 2);
    assert.equal(st.size, 10);
    assert.equal(st.ino, statSync(`${sb.dir}/f.txt`).ino);
  }));
});

describe('through the WASI API: start() (MemoryFileSystem)', () => {
  for (const name of ['unstable_seek', 'unstable_filestat', 'unstable_poll', 'unstable_efault']) {
    const expected = PROGRAMS.find(([n]) => n === name)![1];
    test(name, async () => {
      assert.deepEqual(await startUnstable(name, new MemoryFileSystem()), { ...expected, stderr: '' });
    });
  }
});

describe('through the WASI API: run() (worker mode: the version travels to the worker)', () => {
  for (const name of ['unstable_hello', 'unstable_seek', 'unstable_filestat', 'unstable_poll']) {
    const expected = PROGRAMS.find(([n]) => n === name)![1];
    test(name, () => withSandbox(async (sb) => {
      const stdout = new CaptureStream();
      const status = await new WASI({ version: 'unstable', preopens: { '/sandbox': sb.dir }, stdout }).run(wasm(name));
      assert.deepEqual({ status, stdout: stdout.text() }, expected);
    }));
  }

  test('the worker mode with a MemoryFileSystem on this thread (bridged)', async () => {
    const stdout = new CaptureStream();
    const fs = new MemoryFileSystem();
    const status = await new WASI({ version: 'unstable', preopens: { '/sandbox': fs }, stdout }).run(wasm('unstable_filestat'));
    assert.deepEqual({ status, stdout: stdout.text() }, FILESTAT);
  });
});

describe('through kiln run (the version is picked from the imports)', () => {
  for (const [name, expected] of PROGRAMS) {
    test(name, async () => {
      assert.deepEqual(await runCase(runKiln, { program: name }), { ...expected, stderr: '' });
    });
  }

  test('runHere() (JSPI, Node 24) serves wasi_unstable too', { skip: existsSync(node24) ? false : `no Node 24 at ${node24}` }, async () => {
    for (const [name, expected] of PROGRAMS) {
      assert.deepEqual(await runCase(runKilnJspi, { program: name }), { ...expected, stderr: '' }, name);
    }
  });

  test('--timeout (worker mode) runs a wasi_unstable module too', async () => {
    assert.deepEqual(await runCase(runKiln, { program: 'unstable_seek', flags: ['--timeout', '30s'] }), { ...SEEK, stderr: '' });
  });

  test('--trace shows the calls under their wasi_unstable names, whence by its preview 0 name', async () => {
    const r = await runCase(runKiln, { program: 'unstable_seek', flags: ['--trace'] });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, SEEK.stdout);
    const trace = r.stderr.split('\n').filter((l) => l.includes('fd_seek('));
    assert.deepEqual(trace, [
      '[kiln trace] fd_seek(fd=4, offset=3, whence=SET, newoffset_out=0x208) = SUCCESS',
      '[kiln trace] fd_seek(fd=4, offset=2, whence=CUR, newoffset_out=0x208) = SUCCESS',
      '[kiln trace] fd_seek(fd=4, offset=-4, whence=END, newoffset_out=0x208) = SUCCESS',
      '[kiln trace] fd_seek(fd=4, offset=0, whence=CUR, newoffset_out=0x208) = SUCCESS',
      '[kiln trace] fd_seek(fd=4, offset=0, whence=END, newoffset_out=0x208) = SUCCESS',
      '[kiln trace] fd_seek(fd=4, offset=0, whence=3, newoffset_out=0x208) = INVAL',
      '[kiln trace] fd_seek(fd=4, offset=-1, whence=SET, newoffset_out=0x208) = INVAL',
      '[kiln trace] fd_seek(fd=1, offset=0, whence=CUR, newoffset_out=0x208) = SPIPE',
    ]);
  });

  test('a threaded module that imports wasi_unstable runs: the syscall channel serves that namespace too', async () => {
    const r = await runCase(runKiln, { program: 'unstable_threads', sandbox: false });
    assert.deepEqual(r, { status: 0, stdout: 'unstable, threaded\n', stderr: '' });
  });
});

describe('the WASI object', () => {
  test("version: 'preview1' (and the default) gives wasi_snapshot_preview1, 'unstable' gives wasi_unstable", () => {
    assert.deepEqual(Object.keys(new WASI({}).getImportObject()), ['wasi_snapshot_preview1']);
    const p1 = new WASI({ version: 'preview1' });
    assert.deepEqual(p1.getImportObject(), { wasi_snapshot_preview1: p1.wasiImport });
    const p0 = new WASI({ version: 'unstable' });
    assert.deepEqual(p0.getImportObject(), { wasi_unstable: p0.unstableImport });
  });

  test('an unknown version is a TypeError naming both', () => {
    assert.throws(() => new WASI({ version: 'preview2' as unknown as 'preview1' }), {
      name: 'TypeError',
      message: `unsupported WASI version "preview2"; Kiln supports 'preview1' and 'unstable'`,
    });
  });

  test('unstableImport: every preview 0 function, no sock_accept, made once; wasiImport stays preview 1', () => {
    const wasi = new WASI({});
    const p0 = wasi.unstableImport;
    assert.equal(wasi.unstableImport, p0);
    assert.deepEqual(Object.keys(p0).sort(), Object.keys(UNSTABLE).sort());
    assert.equal(Object.keys(p0).length, 45);
    assert.ok(!('sock_accept' in p0));
    assert.ok('sock_accept' in wasi.wasiImport);
    for (const fn of Object.values(p0)) assert.equal(typeof fn, 'function');
  });

  test('run() of a threaded module with version unstable: every thread in a worker, wasi_unstable over the channel', async () => {
    const stdout = new CaptureStream();
    assert.equal(await new WASI({ version: 'unstable', stdout }).run(wasm('unstable_threads')), 0);
    assert.equal(stdout.text(), 'unstable, threaded\n');
  });

  test('run() serves both snapshots whatever version says (version picks what getImportObject() gives)', async () => {
    const stdout = new CaptureStream();
    assert.equal(await new WASI({ version: 'preview1', stdout }).run(wasm('unstable_hello')), 25);
    assert.equal(stdout.text(), 'hello from wasi_unstable\n');
  });

  test('trace: wasi_unstable calls traced under the names the guest imported', () => withSandbox(async (sb) => {
    const trace: string[] = [];
    const r = await startUnstable('unstable_filestat', sb.dir, { trace: (l) => trace.push(l) });
    assert.deepEqual(r, { ...FILESTAT, stderr: '' });
    assert.deepEqual(trace.filter((l) => !l.startsWith('fd_write(')), [
      'path_open(fd=3, dirflags=0, path="f.txt", oflags=CREAT|TRUNC, rights_base=0xa00040, rights_inheriting=0x0, fdflags=0, fd_out=0x200) = SUCCESS',
      'path_link(old_fd=3, old_flags=0, old_path="f.txt", new_fd=3, new_path="f.link") = SUCCESS',
      'fd_filestat_set_times(fd=4, atim=1000, mtim=2000, fst_flags=ATIM|MTIM) = SUCCESS',
      'fd_filestat_get(fd=4, stat_out=0x400) = SUCCESS',
      'path_filestat_get(fd=3, flags=0, path="f.link", stat_out=0x400) = SUCCESS',
      'path_filestat_get(fd=3, flags=0, path=".", stat_out=0x400) = SUCCESS',
      'path_filestat_get(fd=3, flags=0, path="missing", stat_out=0x400) = NOENT',
    ]);
  }));
});
