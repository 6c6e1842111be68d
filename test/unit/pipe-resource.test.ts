/**
 * Pipe resources (src/kernel/pipe-resource.ts): a bounded ring buffer
 * between a read end and a write end that never block: EAGAIN on an empty
 * or full pipe, end of file once the writer closed and the bytes drained,
 * EPIPE once the reader closed, PIPE_BUF-sized writes all or nothing,
 * readiness with exact byte counts, and a notify after every change; and
 * the two-way pipes of WASIX fd_pipe, a direction each way. Every suite
 * runs with the bytes in the kernel's memory and in a ring of a pipe arena.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileType, Whence } from '../../src/abi/constants.js';
import { Errno, WasiError } from '../../src/abi/errno.js';
import { createDuplexPipe, createPipe, PIPE_BUF, PIPE_CAPACITY } from '../../src/kernel/pipe-resource.js';
import { PipeArena } from '../../src/host/pipe-arena.js';
import { assertErrno } from './helpers/errno.js';
import { Prng } from './helpers/prng.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The result of `op`, or 'again' when it throws EAGAIN (anything else is rethrown). */
function again(op: () => number): number | 'again' {
  try {
    return op();
  } catch (e) {
    if (e instanceof WasiError && e.errno === Errno.AGAIN) return 'again';
    throw e;
  }
}

/** Where a pipe's bytes live: the kernel's memory, or a ring of the kernel's pipe arena (host/pipe-arena.ts). */
interface Storage { name: string; arena(capacity?: number): PipeArena | undefined }
const STORAGES: Storage[] = [
  { name: 'in the kernel', arena: () => undefined },
  { name: 'in a shared ring', arena: (capacity) => new PipeArena(PipeArena.create(2, capacity ?? PIPE_CAPACITY)) },
];

for (const storage of STORAGES) {
  describe(`pipe ${storage.name}`, () => {
    /** A pipe whose notifications are counted. */
    function pipe(capacity?: number) {
      const counter = { notified: 0 };
      const [reader, writer] = createPipe(() => { counter.notified++; }, capacity, storage.arena(capacity));
      return { reader, writer, counter };
    }

    describe('pipe: reading and writing', () => {
      test('EAGAIN when empty; the bytes written, across iovecs; notify after each change', () => {
        const { reader, writer, counter } = pipe();
        assert.equal(PIPE_CAPACITY, 65536);
        assert.equal(reader.capacity, 65536);
        assertErrno(() => reader.read([new Uint8Array(8)]), Errno.AGAIN, 'read, empty');
        assert.deepEqual(reader.pollRead(), { ready: false, nbytes: 0n, hangup: false });
        assert.deepEqual(writer.pollWrite(), { ready: true, nbytes: 65536n, hangup: false });
        assert.equal(counter.notified, 0, 'a failed read changes nothing');

        assert.equal(writer.write([enc('hel'), enc(''), enc('lo')]), 5);
        assert.equal(counter.notified, 1);
        assert.equal(reader.buffered, 5);
        assert.deepEqual(reader.pollRead(), { ready: true, nbytes: 5n, hangup: false });
        assert.deepEqual(writer.pollWrite(), { ready: true, nbytes: 65531n, hangup: false });

        const a = new Uint8Array(3);
        const b = new Uint8Array(8);
        assert.equal(reader.read([a, b]), 5, 'both iovecs filled from what is buffered');
        assert.equal(dec(a) + dec(b.subarray(0, 2)), 'hello');
        assert.equal(counter.notified, 2, 'the read freed room: notified');
        assertErrno(() => reader.read([new Uint8Array(8)]), Errno.AGAIN, 'read, drained');
        assert.deepEqual(reader.pollRead(), { ready: false, nbytes: 0n, hangup: false });
        assert.equal(counter.notified, 2);
      });

      test('a read takes at most what was asked for; the rest stays, in order', () => {
        const { reader, writer } = pipe();
        writer.write([enc('abcdefgh')]);
        const a = new Uint8Array(3);
        assert.equal(reader.read([a]), 3);
        assert.equal(dec(a), 'abc');
        assert.deepEqual(reader.pollRead(), { ready: true, nbytes: 5n, hangup: false });
        const b = new Uint8Array(10);
        assert.equal(reader.read([b]), 5);
        assert.equal(dec(b.subarray(0, 5)), 'defgh');
      });

      test('0-byte reads and writes return 0 at once, whatever the state', () => {
        const { reader, writer, counter } = pipe();
        assert.equal(reader.read([]), 0, 'empty pipe, writer open: 0, not EAGAIN');
        assert.equal(reader.read([new Uint8Array(0)]), 0);
        assert.equal(writer.write([new Uint8Array(0)]), 0);
        reader.close();
        assert.equal(writer.write([]), 0, 'reader closed: 0, not EPIPE');
        assert.equal(counter.notified, 1, 'only the close notified');
      });

      test('the ring wraps around: bytes come out in the order they went in', () => {
        const { reader, writer } = pipe(16);
        assert.equal(writer.write([enc('0123456789')]), 10);
        const a = new Uint8Array(6);
        assert.equal(reader.read([a]), 6);
        assert.equal(dec(a), '012345');
        // 4 buffered at offsets 6..9; 12 more wrap past the end of the ring.
        assert.equal(writer.write([enc('abcdef'), enc('ghijkl')]), 12);
        assert.deepEqual(writer.pollWrite(), { ready: false, nbytes: 0n, hangup: false }, 'full');
        assertErrno(() => writer.write([enc('x')]), Errno.AGAIN, 'write, full');
        const b = new Uint8Array(5);
        const c = new Uint8Array(20);
        assert.equal(reader.read([b, c]), 16);
        assert.equal(dec(b) + dec(c.subarray(0, 11)), '6789abcdefghijkl');
      });

      test('a 1 MiB transfer through a 64 KiB pipe in chunks: every byte, in order', () => {
        const { reader, writer, counter } = pipe();
        const rng = new Prng(0x9e3779b9);
        const total = 1 << 20;
        const source = new Uint8Array(total);
        for (let i = 0; i < total; i++) source[i] = rng.below(256);
        const sink = new Uint8Array(total);
        let sent = 0;
        let received = 0;
        let writeAgains = 0;
        let readAgains = 0;
        let largestBuffered = 0;
        while (received < total) {
          // The writer pushes until the pipe is full, in chunks of 1 to 100 000 bytes split over two iovecs.
          for (;;) {
            if (sent === total) break;
            const size = Math.min(total - sent, 1 + rng.below(100_000));
            const cut = sent + Math.floor(size / 3);
            const n = again(() => writer.write([source.subarray(sent, cut), source.subarray(cut, sent + size)]));
            if (n === 'again') { writeAgains++; break; }
            assert.ok(n > 0, 'a write that does not fail moves bytes');
            sent += n;
            largestBuffered = Math.max(largestBuffered, reader.buffered);
          }
          // The reader drains in chunks of 1 to 40 000 bytes until EAGAIN.
          while (received < total) {
            const size = 1 + rng.below(40_000);
            const n = again(() => reader.read([sink.subarray(received, Math.min(total, received + size))]));
            if (n === 'again') { readAgains++; break; }
            assert.ok(n > 0, 'a read of a non-empty pipe moves bytes');
            received += n;
          }
        }
        assert.equal(sent, total);
        assert.equal(received, total);
        assert.ok(Buffer.from(sink).equals(Buffer.from(source)), 'the bytes read are the bytes written');
        assert.equal(largestBuffered, 65536, 'the pipe filled to its capacity and no further');
        assert.ok(writeAgains > 0 && readAgains > 0);
        writer.close();
        assert.equal(reader.read([new Uint8Array(1)]), 0, 'then end of file');
        assert.ok(counter.notified > 0);
      });
    });

    describe('pipe: PIPE_BUF atomicity', () => {
      test('a write of at most PIPE_BUF bytes goes in whole or not at all; a larger one takes what fits', () => {
        const { reader, writer } = pipe();
        assert.equal(PIPE_BUF, 4096);
        assert.equal(writer.write([new Uint8Array(65536 - 100)]), 65436);
        assert.deepEqual(writer.pollWrite(), { ready: false, nbytes: 0n, hangup: false }, 'under PIPE_BUF free: not writable');
        assertErrno(() => writer.write([new Uint8Array(200)]), Errno.AGAIN, '200 bytes (atomic) with 100 free');
        assert.equal(writer.write([new Uint8Array(50)]), 50, '50 bytes fit whole');
        assert.equal(writer.write([new Uint8Array(5000)]), 50, 'a 5000-byte write (over PIPE_BUF) takes the 50 left');
        assertErrno(() => writer.write([new Uint8Array(5000)]), Errno.AGAIN, 'full');
        assertErrno(() => writer.write([new Uint8Array(1)]), Errno.AGAIN, 'full');
        assert.equal(reader.read([new Uint8Array(4095)]), 4095);
        assert.deepEqual(writer.pollWrite(), { ready: false, nbytes: 0n, hangup: false }, '4095 free');
        assert.equal(reader.read([new Uint8Array(1)]), 1);
        assert.deepEqual(writer.pollWrite(), { ready: true, nbytes: 4096n, hangup: false }, 'PIPE_BUF free: writable');
        assert.equal(writer.write([new Uint8Array(4096)]), 4096);
      });

      test('a pipe smaller than PIPE_BUF: the whole pipe is the atomic size', () => {
        const { writer } = pipe(8);
        assert.deepEqual(writer.pollWrite(), { ready: true, nbytes: 8n, hangup: false });
        assert.equal(writer.write([enc('abc')]), 3);
        assert.deepEqual(writer.pollWrite(), { ready: false, nbytes: 0n, hangup: false });
        assertErrno(() => writer.write([enc('123456')]), Errno.AGAIN, '6 bytes (atomic) with 5 free');
        assert.equal(writer.write([enc('12345')]), 5);
      });
    });

    describe('pipe: closing either end', () => {
      test('writer closed: the buffered bytes, then end of file; readable with hangup', () => {
        const { reader, writer, counter } = pipe();
        writer.write([enc('ab')]);
        writer.close();
        assert.equal(counter.notified, 2, 'the close notified');
        assert.equal(reader.writerClosed, true);
        assert.equal(writer.writerClosed, true);
        assert.equal(reader.readerClosed, false);
        assert.deepEqual(reader.pollRead(), { ready: true, nbytes: 2n, hangup: true });
        const a = new Uint8Array(8);
        assert.equal(reader.read([a]), 2);
        assert.equal(dec(a.subarray(0, 2)), 'ab');
        assert.equal(reader.read([a]), 0, 'end of file');
        assert.equal(reader.read([a]), 0, 'and again');
        assert.deepEqual(reader.pollRead(), { ready: true, nbytes: 0n, hangup: true });
        writer.close();
        assert.equal(counter.notified, 3, 'a second close changes nothing');
      });

      test('reader closed: a write is EPIPE; writable with hangup; buffered bytes dropped', () => {
        const { reader, writer, counter } = pipe();
        writer.write([enc('abc')]);
        reader.close();
        assert.equal(counter.notified, 2);
        assert.equal(writer.readerClosed, true);
        assert.equal(reader.buffered, 0, 'nobody will read them');
        assertErrno(() => writer.write([enc('x')]), Errno.PIPE);
        assert.deepEqual(writer.pollWrite(), { ready: true, nbytes: 0n, hangup: true });
        assert.equal(counter.notified, 2, 'a failed write changes nothing');
      });

      test('an end that is closed answers EBADF (no descriptor names it any more)', () => {
        const { reader, writer } = pipe();
        reader.close();
        writer.close();
        assertErrno(() => reader.read([new Uint8Array(1)]), Errno.BADF);
        assertErrno(() => writer.write([enc('x')]), Errno.BADF);
      });
    });

    describe('pipe: a non-seekable stream of type UNKNOWN', () => {
      test('filetype, stat, and the operations a pipe does not have', () => {
        const { reader, writer } = pipe();
        for (const end of [reader, writer]) {
          assert.equal(end.filetype, FileType.UNKNOWN);
          assert.deepEqual(end.stat(), { dev: 0n, ino: 0n, filetype: FileType.UNKNOWN, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n });
          assertErrno(() => end.seek(0n, Whence.CUR), Errno.SPIPE, 'seek');
          assertErrno(() => end.tell(), Errno.SPIPE, 'tell');
          assertErrno(() => end.pread([new Uint8Array(1)], 0), Errno.SPIPE, 'pread');
          assertErrno(() => end.pwrite([enc('x')], 0), Errno.SPIPE, 'pwrite');
          assertErrno(() => end.sync(), Errno.INVAL, 'sync');
          assertErrno(() => end.setSize(0), Errno.INVAL, 'setSize');
        }
        assertErrno(() => reader.write([enc('x')]), Errno.BADF, 'writing the read end');
        assertErrno(() => writer.read([new Uint8Array(1)]), Errno.BADF, 'reading the write end');
        assert.deepEqual(reader.pollWrite(), { ready: false, nbytes: 0n, hangup: false }, 'the read end is never writable');
        assert.deepEqual(writer.pollRead(), { ready: false, nbytes: 0n, hangup: false }, 'the write end is never readable');
      });

      test('a capacity below 1 is EINVAL', () => {
        assertErrno(() => createPipe(() => {}, 0), Errno.INVAL);
        assertErrno(() => createPipe(() => {}, 1.5), Errno.INVAL);
      });
    });

    describe('pipe: two-way (WASIX fd_pipe)', () => {
      /** A two-way pipe whose notifications are counted. */
      function duplex(capacity?: number) {
        const counter = { notified: 0 };
        const [a, b] = createDuplexPipe(() => { counter.notified++; }, capacity, storage.arena(capacity));
        return { a, b, counter };
      }

      test('each end reads what the other writes, each way on its own', () => {
        const { a, b, counter } = duplex();
        assert.equal(a.write([enc('to b')]), 4);
        assert.equal(b.write([enc('to a!')]), 5);
        assert.equal(counter.notified, 2);
        assert.deepEqual(a.pollRead(), { ready: true, nbytes: 5n, hangup: false });
        assert.deepEqual(b.pollRead(), { ready: true, nbytes: 4n, hangup: false });
        const buf = new Uint8Array(16);
        assert.equal(b.read([buf]), 4);
        assert.equal(dec(buf.subarray(0, 4)), 'to b');
        assert.equal(a.read([buf]), 5);
        assert.equal(dec(buf.subarray(0, 5)), 'to a!');
        assert.equal(again(() => a.read([buf])), 'again', 'nothing more came');
      });

      test('both ends are writable while their direction has room; a full direction does not block the other', () => {
        const { a, b } = duplex(PIPE_BUF);
        assert.deepEqual(a.pollWrite(), { ready: true, nbytes: BigInt(PIPE_BUF), hangup: false });
        assert.equal(a.write([new Uint8Array(PIPE_BUF)]), PIPE_BUF);
        assert.deepEqual(a.pollWrite(), { ready: false, nbytes: 0n, hangup: false });
        assert.equal(again(() => a.write([enc('x')])), 'again');
        assert.equal(b.write([enc('x')]), 1, 'the other way still has room');
      });

      test('closing one end: the other reads what was left, then end of file, and its writes are EPIPE', () => {
        const { a, b, counter } = duplex();
        a.write([enc('last')]);
        b.write([enc('unread')]);
        a.close();
        assert.equal(counter.notified, 3, 'the close notified');
        assert.deepEqual(b.pollRead(), { ready: true, nbytes: 4n, hangup: true });
        assert.deepEqual(b.pollWrite(), { ready: true, nbytes: 0n, hangup: true });
        const buf = new Uint8Array(8);
        assert.equal(b.read([buf]), 4);
        assert.equal(b.read([buf]), 0, 'end of file');
        assertErrno(() => b.write([enc('x')]), Errno.PIPE);
        assert.equal(b.raisesSigpipe, true);
        assertErrno(() => a.read([buf]), Errno.BADF, 'the closed end');
        assertErrno(() => a.write([enc('x')]), Errno.BADF, 'the closed end');
        const seen = counter.notified;
        a.close();
        assert.equal(counter.notified, seen, 'a second close changes nothing');
      });

      test('a stream of type UNKNOWN that cannot seek', () => {
        const { a } = duplex();
        assert.equal(a.filetype, FileType.UNKNOWN);
        assertErrno(() => a.seek(0n, Whence.CUR), Errno.SPIPE);
        assertErrno(() => createDuplexPipe(() => {}, 0), Errno.INVAL);
      });
    });
  });
}
