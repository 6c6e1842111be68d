/**
 * The kernel's pipe arena (src/host/pipe-arena.ts) and the guest side that
 * moves a pipe's bytes itself (src/exec/ports/direct-pipes.ts): rings
 * handed out and taken back with a new generation, a full arena leaving
 * pipes in the kernel, NONBLOCK mirrored, a lock left by a stopped thread
 * never blocking the kernel and freed by its token, the kernel's watch,
 * and the guest-side reads and writes against the kernel's view of the
 * same pipe (the blocking ones run in test/programs/wasix/wasix_pipe_load.c).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FdFlags } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { mapEntry, PipeArena, PipeCell, PipeFlag, threadToken } from '../../src/host/pipe-arena.js';
import { createDuplexPipe, createPipe } from '../../src/kernel/pipe-resource.js';
import { SyscallChannel } from '../../src/exec/channel.js';
import { directPipes } from '../../src/exec/ports/direct-pipes.js';
import { assertErrno } from './helpers/errno.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const arena = (rings = 4, capacity = 4096) => new PipeArena(PipeArena.create(rings, capacity));

describe('pipe arena: rings', () => {
  test('a pipe takes a ring while one is free, then lives in the kernel; a ring comes back once both sides closed', () => {
    const a = arena(2);
    const [r1, w1] = createPipe(() => {}, 4096, a);
    const [r2, w2] = createPipe(() => {}, 4096, a);
    const [r3, w3] = createPipe(() => {}, 4096, a);
    assert.equal(r1.directRings().read?.index, w1.directRings().write?.index);
    assert.notEqual(r2.directRings().read, undefined);
    assert.deepEqual(r3.directRings(), {}, 'the arena is full: the kernel keeps the bytes');
    assert.deepEqual(w3.directRings(), {});
    assert.equal(w3.write([enc('still a pipe')]), 12);

    const ring = r1.directRings().read!;
    const entry = mapEntry(ring);
    r1.close();
    assert.deepEqual(r1.directRings(), {}, 'a closed side has no ring');
    assert.equal(a.allocate(), undefined, 'one side still open: the ring is not free');
    w1.close();
    const again = a.allocate();
    assert.equal(again?.index, ring.index, 'both closed: the ring is free');
    assert.notEqual(mapEntry(again!), entry, 'with a new generation: an old map entry does not name it');
    for (const end of [r2, w2, r3, w3]) end.close();
  });

  test('a two-way pipe takes a ring each way', () => {
    const [x, y] = createDuplexPipe(() => {}, 4096, arena());
    assert.equal(x.directRings().read?.index, y.directRings().write?.index);
    assert.equal(x.directRings().write?.index, y.directRings().read?.index);
    assert.notEqual(x.directRings().read?.index, x.directRings().write?.index);
  });

  test('NONBLOCK set on an end shows in its ring for the side it is', () => {
    const [reader, writer] = createPipe(() => {}, 4096, arena());
    const ring = reader.directRings().read!;
    reader.setFdflags(FdFlags.NONBLOCK);
    assert.equal(ring.flags() & (PipeFlag.READER_NONBLOCK | PipeFlag.WRITER_NONBLOCK), PipeFlag.READER_NONBLOCK);
    writer.setFdflags(FdFlags.NONBLOCK | FdFlags.APPEND);
    reader.setFdflags(0);
    assert.equal(ring.flags() & (PipeFlag.READER_NONBLOCK | PipeFlag.WRITER_NONBLOCK), PipeFlag.WRITER_NONBLOCK);
  });

  test('a lock a stopped thread left: the kernel answers EAGAIN instead of waiting; freeing the thread\'s locks lets it go on', () => {
    const a = arena();
    const [reader, writer] = createPipe(() => {}, 4096, a);
    const ring = reader.directRings().read!;
    writer.write([enc('abc')]);
    const token = threadToken(2, 1);
    ring.lock(PipeCell.READ_LOCK, token);
    assertErrno(() => reader.read([new Uint8Array(8)]), Errno.AGAIN);
    a.releaseLocksOf(threadToken(2, 2));
    assertErrno(() => reader.read([new Uint8Array(8)]), Errno.AGAIN, 'another thread\'s token frees nothing');
    a.releaseLocksOf(token);
    const buf = new Uint8Array(8);
    assert.equal(reader.read([buf]), 3);
    assert.equal(dec(buf.subarray(0, 3)), 'abc');
  });

  test('after the kernel looked at a ring, the next change says so once (the changer rings the kernel\'s doorbell)', () => {
    const [reader] = createPipe(() => {}, 4096, arena());
    const ring = reader.directRings().read!;
    assert.equal(ring.changed(), false, 'nobody watched');
    reader.pollRead();
    assert.equal(ring.changed(), true);
    assert.equal(ring.changed(), false);
  });
});

describe('pipe arena: a guest thread\'s own reads and writes', () => {
  /** A thread of one process, with fd 3 the read end and fd 4 the write end in its direct-pipe maps. */
  function setup() {
    const a = arena();
    const [reader, writer] = createPipe(() => {}, 4096, a);
    const doorbell = new Int32Array(new SharedArrayBuffer(4));
    const channel = new SyscallChannel(SyscallChannel.create(2), doorbell);
    const read: number[] = [];
    const write: number[] = [];
    read[3] = mapEntry(reader.directRings().read!);
    write[4] = mapEntry(writer.directRings().write!);
    channel.setDirectPipes(read, write);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const views = { covers: (end: number) => end <= memory.buffer.byteLength, view: new DataView(memory.buffer), bytes: new Uint8Array(memory.buffer) };
    const pipes = directPipes({ channel, slot: 1, arena: a.buffer, token: threadToken(1, 1), views, beforeCall: undefined, takeSignals: () => 0 });
    const kernelCalls: string[] = [];
    const viaKernel = (name: string) => (...args: number[]) => { kernelCalls.push(`${name}(${args[0]})`); return Errno.NOSYS; };
    const fdRead = pipes.fdRead(viaKernel('fd_read'));
    const fdWrite = pipes.fdWrite(viaKernel('fd_write'));
    /** One iovec at 0 of `len` bytes at 64; the count at 16. */
    const iovec = (len: number) => { views.view.setUint32(0, 64, true); views.view.setUint32(4, len, true); };
    return { reader, writer, doorbell, views, fdRead, fdWrite, kernelCalls, iovec, ring: reader.directRings().read! };
  }

  test('bytes the thread writes are what the kernel reads, and the other way; the doorbell rings when the kernel watched', () => {
    const s = setup();
    s.views.bytes.set(enc('from the guest'), 64);
    s.iovec(14);
    assert.equal(s.fdWrite(4, 0, 1, 16), Errno.SUCCESS);
    assert.equal(s.views.view.getUint32(16, true), 14);
    assert.equal(Atomics.load(s.doorbell, 0), 0, 'the kernel had not looked: no doorbell');
    const buf = new Uint8Array(32);
    assert.equal(s.reader.read([buf]), 14);
    assert.equal(dec(buf.subarray(0, 14)), 'from the guest');

    s.writer.write([enc('from the kernel')]);
    assert.equal(s.reader.pollRead().ready, true, 'the kernel looks (a poll)');
    s.iovec(64);
    assert.equal(s.fdRead(3, 0, 1, 16), Errno.SUCCESS);
    assert.equal(s.views.view.getUint32(16, true), 15);
    assert.equal(dec(s.views.bytes.subarray(64, 79)), 'from the kernel');
    assert.equal(Atomics.load(s.doorbell, 0), 1, 'the kernel watched (its poll): the read rang');
    assert.deepEqual(s.kernelCalls, []);
  });

  test('NONBLOCK: an empty read and a write into a full pipe are EAGAIN; a PIPE_BUF write goes in whole or not at all', () => {
    const s = setup();
    s.reader.setFdflags(FdFlags.NONBLOCK);
    s.writer.setFdflags(FdFlags.NONBLOCK);
    s.iovec(8);
    assert.equal(s.fdRead(3, 0, 1, 16), Errno.AGAIN);
    s.writer.write([new Uint8Array(4000)]);
    s.iovec(200);
    assert.equal(s.fdWrite(4, 0, 1, 16), Errno.AGAIN, '200 bytes into 96 free');
    s.iovec(96);
    assert.equal(s.fdWrite(4, 0, 1, 16), Errno.SUCCESS);
    assert.equal(s.views.view.getUint32(16, true), 96);
    assert.equal(s.ring.ring.used(), 4096);
  });

  test('end of file once the writer closed and the bytes drained', () => {
    const s = setup();
    s.writer.write([enc('xy')]);
    s.writer.close();
    s.iovec(8);
    assert.equal(s.fdRead(3, 0, 1, 16), Errno.SUCCESS);
    assert.equal(s.views.view.getUint32(16, true), 2);
    assert.equal(s.fdRead(3, 0, 1, 16), Errno.SUCCESS);
    assert.equal(s.views.view.getUint32(16, true), 0);
  });

  test('the kernel answers: the reader closed (EPIPE and SIGPIPE are its), a pointer out of memory, a descriptor the maps do not name, a ring handed on', () => {
    const s = setup();
    s.iovec(4);
    assert.equal(s.fdWrite(5, 0, 1, 16), Errno.NOSYS);
    assert.equal(s.fdWrite(4, 0, 1, 70_000), Errno.NOSYS);
    s.reader.close();
    assert.equal(s.fdWrite(4, 0, 1, 16), Errno.NOSYS);
    s.writer.close(); // the ring goes back to the arena: the map entry is stale
    assert.equal(s.fdRead(3, 0, 1, 16), Errno.NOSYS);
    assert.deepEqual(s.kernelCalls, ['fd_write(5)', 'fd_write(4)', 'fd_write(4)', 'fd_read(3)']);
  });
});
