/**
 * The syscall tracer: one exact line per call, with arguments decoded from
 * the signature table (strings read from guest memory, flag and enum names,
 * unsigned and signed numbers) and the errno's name.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WASI, MemoryFileSystem, CaptureStream, BufferInputStream, ProcessExit, PREVIEW1 } from '../../src/node.js';
import { GuestMemory } from '../../src/abi/memory.js';
import { Rights } from '../../src/abi/constants.js';
import { formatCall, traceImports } from '../../src/syscalls/trace.js';
import { instantiateMemoryModule } from './helpers/wasm-module.js';

function traced(bind = true) {
  const lines: string[] = [];
  const stdout = new CaptureStream();
  const wasi = new WASI({
    preopens: { '/sandbox': new MemoryFileSystem({ 'hello.txt': 'hi' }) },
    stdin: new BufferInputStream(''),
    stdout,
    stderr: new CaptureStream(),
    trace: (line) => lines.push(line),
  });
  const instance = instantiateMemoryModule();
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  if (bind) wasi.initialize(instance);
  const bytes = new Uint8Array(memory.buffer);
  const put = (at: number, s: string | number[]): number => {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s);
    bytes.set(b, at);
    return b.byteLength;
  };
  return { wasi, w: wasi.wasiImport, lines, stdout, put, memory };
}

describe('lines for calls through WASI({ trace })', () => {
  test('path_open: decoded path string, flag names, rights in hex, errno name', () => {
    const { w, lines, put } = traced();
    const len = put(0x40, 'a.txt');
    const r = w.path_open(3, 1, 0x40, len, 1 | 8, BigInt(Rights.FD_READ | Rights.FD_WRITE), 0n, 1, 0x100);
    assert.equal(r, 0);
    assert.deepEqual(lines, [
      'path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="a.txt", oflags=CREAT|TRUNC, rights_base=0x42, ' +
        'rights_inheriting=0x0, fdflags=APPEND, fd_out=0x100) = SUCCESS',
    ]);
  });

  test('an errno other than SUCCESS is shown by name', () => {
    const { w, lines, put } = traced();
    const len = put(0x40, 'missing/x');
    assert.equal(w.path_open(3, 0, 0x40, len, 0, 2n, 0n, 0, 0x100), 44);
    assert.equal(w.fd_close(99), 8);
    assert.deepEqual(lines, [
      'path_open(fd=3, dirflags=0, path="missing/x", oflags=0, rights_base=0x2, rights_inheriting=0x0, fdflags=0, fd_out=0x100) = NOENT',
      'fd_close(fd=99) = BADF',
    ]);
  });

  test('paths are JSON strings: non-ASCII kept, quotes and tabs escaped', () => {
    const { w, lines, put } = traced();
    const len = put(0x40, 'é "q"\t/ü');
    w.path_filestat_get(3, 0, 0x40, len, 0x200);
    assert.deepEqual(lines, ['path_filestat_get(fd=3, flags=0, path="é \\"q\\"\\t/ü", stat_out=0x200) = NOENT']);
  });

  test('undefined flag bits are shown in hex after the names', () => {
    const { w, lines, put } = traced();
    const len = put(0x40, 'hello.txt');
    w.path_filestat_get(3, 0x3, 0x40, len, 0x200);
    w.fd_fdstat_set_flags(1, 4 | 0x20);
    w.fd_filestat_set_times(1, 0n, 0n, 0x1 | 0x8 | 0x30);
    assert.deepEqual(lines, [
      'path_filestat_get(fd=3, flags=SYMLINK_FOLLOW|0x2, path="hello.txt", stat_out=0x200) = SUCCESS',
      'fd_fdstat_set_flags(fd=1, flags=NONBLOCK|0x20) = INVAL',
      'fd_filestat_set_times(fd=1, atim=0, mtim=0, fst_flags=ATIM|MTIM_NOW|0x30) = NOTCAPABLE',
    ]);
  });

  test('enums by name, unknown values as numbers; u64 unsigned, filedelta signed', () => {
    const { w, lines, put, memory } = traced();
    const len = put(0x40, 'hello.txt');
    const rOpen = w.path_open(3, 0, 0x40, len, 0, BigInt(Rights.FD_READ | Rights.FD_SEEK), 0n, 0, 0x100);
    assert.equal(rOpen, 0);
    const fd = new DataView(memory.buffer).getUint32(0x100, true);
    assert.equal(fd, 4);
    w.clock_time_get(1, 1000n, 0x10);
    w.clock_time_get(7, -1n, 0x10);
    w.fd_seek(fd, -5n, 2, 0x300);
    w.fd_seek(fd, 1n, 9, 0x300);
    w.fd_advise(fd, 0n, 10n, 4);
    assert.deepEqual(lines.slice(1), [
      'clock_time_get(id=MONOTONIC, precision=1000, time_out=0x10) = SUCCESS',
      'clock_time_get(id=7, precision=18446744073709551615, time_out=0x10) = INVAL',
      'fd_seek(fd=4, offset=-5, whence=END, newoffset_out=0x300) = INVAL',
      'fd_seek(fd=4, offset=1, whence=9, newoffset_out=0x300) = INVAL',
      'fd_advise(fd=4, offset=0, len=10, advice=DONTNEED) = NOTCAPABLE',
    ]);
  });

  test('negative i32 values: fds and lengths unsigned, pointers in hex', () => {
    const { w, lines } = traced();
    w.fd_write(-1, -1, -2, -16);
    assert.deepEqual(lines, ['fd_write(fd=4294967295, iovs=0xffffffff, iovs_len=4294967294, nwritten_out=0xfffffff0) = BADF']);
  });

  test('a string that is not valid UTF-8, or out of bounds, is shown as a bad string', () => {
    const { w, lines, put } = traced();
    put(0xfff0, [0x61, 0xff, 0x62]);
    assert.equal(w.path_create_directory(3, 0xfff0, 3), 25);
    assert.equal(w.path_create_directory(3, -1, 4), 21);
    assert.equal(w.path_create_directory(3, 0xfffe, 4), 21);
    assert.deepEqual(lines, [
      'path_create_directory(fd=3, path=<bad string at 0xfff0>) = ILSEQ',
      'path_create_directory(fd=3, path=<bad string at 0xffffffff>) = FAULT',
      'path_create_directory(fd=3, path=<bad string at 0xfffe>) = FAULT',
    ]);
  });

  test('two strings in one call (path_symlink, path_rename)', () => {
    const { w, lines, put } = traced();
    const a = put(0x40, 'hello.txt');
    const b = put(0x80, 'link');
    w.path_symlink(0x40, a, 3, 0x80, b);
    w.path_rename(3, 0x80, b, 3, 0x40, a);
    assert.deepEqual(lines, [
      'path_symlink(old_path="hello.txt", fd=3, new_path="link") = SUCCESS',
      'path_rename(fd=3, old_path="link", new_fd=3, new_path="hello.txt") = SUCCESS',
    ]);
  });

  test('fd_write and a call with no arguments', () => {
    const { w, lines, put, stdout } = traced();
    put(0x500, 'hey');
    const iov = new DataView(new ArrayBuffer(8));
    iov.setUint32(0, 0x500, true);
    iov.setUint32(4, 3, true);
    put(0x400, [...new Uint8Array(iov.buffer)]);
    assert.equal(w.fd_write(1, 0x400, 1, 0x600), 0);
    assert.equal(w.sched_yield(), 0);
    assert.deepEqual(lines, [
      'fd_write(fd=1, iovs=0x400, iovs_len=1, nwritten_out=0x600) = SUCCESS',
      'sched_yield() = SUCCESS',
    ]);
    assert.equal(stdout.text(), 'hey');
  });

  test('proc_exit: the line ends with the thrown ProcessExit', () => {
    const { w, lines } = traced();
    assert.throws(() => w.proc_exit(3), ProcessExit);
    assert.deepEqual(lines, ['proc_exit(rval=3) -> ProcessExit']);
  });

  test('before memory is bound, strings are shown as ?', () => {
    const { w, lines } = traced(false);
    assert.equal(w.path_create_directory(3, 0x40, 4), 21);
    assert.deepEqual(lines, ['path_create_directory(fd=3, path=?) = FAULT']);
  });
});

describe('formatCall and traceImports', () => {
  test('formatCall alone, with a GuestMemory', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).set(new TextEncoder().encode('dir/ß'), 8);
    const m = new GuestMemory(memory);
    assert.equal(
      formatCall('path_unlink_file', PREVIEW1.path_unlink_file, [5, 8, 6], m),
      'path_unlink_file(fd=5, path="dir/ß")',
    );
    assert.equal(
      formatCall('sock_shutdown', PREVIEW1.sock_shutdown, [3, 3], m),
      'sock_shutdown(fd=3, how=RD|WR)',
    );
    assert.equal(
      formatCall('fd_fdstat_set_rights', PREVIEW1.fd_fdstat_set_rights, [3, -1n, 0x40n], m),
      'fd_fdstat_set_rights(fd=3, rights_base=0xffffffffffffffff, rights_inheriting=0x40)',
    );
  });

  test('traceImports passes functions without a signature through untouched', () => {
    const lines: string[] = [];
    const extra = (): number => 7;
    const wrapped = traceImports({ extra, sched_yield: () => 0 }, PREVIEW1, () => undefined, (l) => lines.push(l));
    assert.equal(wrapped.extra, extra);
    assert.equal(wrapped.sched_yield(), 0);
    assert.deepEqual(lines, ['sched_yield() = SUCCESS']);
  });
});
