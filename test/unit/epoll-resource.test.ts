/**
 * Epoll resources (src/kernel/epoll-resource.ts): the interest list keyed by
 * (fd number, resource), the ctl errors Linux gives, level-triggered,
 * edge-triggered and oneshot reporting, the event bits as WASIX numbers
 * them (hangup, error, a socket's RDHUP), entries dropped when their
 * resource closes, nesting, and a notify after every change of the list.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileType } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { ReadinessSignal } from '../../src/host/readiness-signal.js';
import {
  dropFromEpollSets, EpollCtl, EpollResource, EpollType, type EpollData,
} from '../../src/kernel/epoll-resource.js';
import { EventResource } from '../../src/kernel/event-resource.js';
import { createPipe } from '../../src/kernel/pipe-resource.js';
import { Resource, type Readiness } from '../../src/kernel/resource.js';
import { assertErrno } from './helpers/errno.js';

const { EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR, EPOLLHUP, EPOLLET, EPOLLONESHOT } = EpollType;
const enc = (s: string) => new TextEncoder().encode(s);

/** Entry data whose fields all derive from `n` (data2 above 2^53, to show it is kept exactly). */
const data = (n: number): EpollData => ({ ptr: 0x1000 + n, fd: n, data1: 0xffffffff - n, data2: (1n << 63n) + BigInt(n) });

/** A process readiness signal whose notifications are counted, an epoll on it, and a pipe and eventfd notifying it. */
function setup() {
  const signal = new ReadinessSignal();
  let notified = 0;
  const counted = {
    get generation() { return signal.generation; },
    notify() { notified++; signal.notify(); },
  };
  const notify = () => counted.notify();
  const ep = new EpollResource(counted);
  const [reader, writer] = createPipe(notify);
  return { signal, ep, reader, writer, notify, notified: () => notified };
}

/** A resource with readiness set by hand (`socket`: report as a socket). */
class FakeResource extends Resource {
  r: Readiness = { ready: false, nbytes: 0n, hangup: false };
  w: Readiness = { ready: false, nbytes: 0n, hangup: false };
  constructor(readonly filetype: FileType = FileType.CHARACTER_DEVICE, readonly socket = false) { super(); }
  override get isSocket(): boolean { return this.socket; }
  override pollRead(): Readiness { return this.r; }
  override pollWrite(): Readiness { return this.w; }
}

describe('epoll: numbering from typenames.witx', () => {
  test('epoll_type bits and epoll_ctl operations', () => {
    assert.deepEqual(EpollType, {
      EPOLLIN: 1, EPOLLOUT: 2, EPOLLRDHUP: 4, EPOLLPRI: 8, EPOLLERR: 16, EPOLLHUP: 32, EPOLLET: 64, EPOLLONESHOT: 128,
    });
    assert.deepEqual(EpollCtl, { ADD: 0, MOD: 1, DEL: 2 });
  });
});

describe('epoll: the interest list', () => {
  test('add twice is EEXIST; modify and delete of an absent entry are ENOENT; each change notifies', () => {
    const { ep, reader, notified } = setup();
    ep.add(3, reader, EPOLLIN, data(3));
    assert.equal(notified(), 1);
    assert.equal(ep.size, 1);
    assert.equal(ep.has(3, reader), true);
    assertErrno(() => ep.add(3, reader, EPOLLOUT, data(3)), Errno.EXIST);
    ep.modify(3, reader, EPOLLIN | EPOLLOUT, data(30));
    assert.equal(notified(), 2);
    assertErrno(() => ep.modify(4, reader, EPOLLIN, data(4)), Errno.NOENT, 'another fd number');
    ep.delete(3, reader);
    assert.equal(ep.size, 0);
    assertErrno(() => ep.delete(3, reader), Errno.NOENT);
    assertErrno(() => ep.modify(3, reader, EPOLLIN, data(3)), Errno.NOENT);
  });

  test('keyed by (fd, resource): a dup under another number, and another resource under the same number, are new entries', () => {
    const { ep, reader, writer } = setup();
    writer.write([enc('x')]);
    ep.add(3, reader, EPOLLIN, data(3));
    ep.add(5, reader, EPOLLIN, data(5));
    ep.add(3, new FakeResource(), EPOLLIN, data(33));
    assert.equal(ep.size, 3);
    assert.deepEqual(ep.ready(10), [{ events: EPOLLIN, data: data(3) }, { events: EPOLLIN, data: data(5) }]);
    ep.delete(3, reader);
    assert.deepEqual(ep.ready(10), [{ events: EPOLLIN, data: data(5) }]);
  });

  test('the instance itself is EINVAL; a regular file or directory is EPERM; maxevents below 1 is EINVAL', () => {
    const { ep } = setup();
    assertErrno(() => ep.add(4, ep, EPOLLIN, data(4)), Errno.INVAL);
    assertErrno(() => ep.add(5, new FakeResource(FileType.REGULAR_FILE), EPOLLIN, data(5)), Errno.PERM);
    assertErrno(() => ep.add(6, new FakeResource(FileType.DIRECTORY), EPOLLIN, data(6)), Errno.PERM);
    assertErrno(() => ep.ready(0), Errno.INVAL);
    assert.deepEqual(ep.ready(1), [], 'an empty list: nothing');
  });

  test('the data is kept as given (a copy) and replaced by modify', () => {
    const { ep, writer } = setup();
    const given = data(7);
    ep.add(7, writer, EPOLLOUT, given);
    given.fd = 99;
    assert.deepEqual(ep.ready(1), [{ events: EPOLLOUT, data: data(7) }]);
    ep.modify(7, writer, EPOLLOUT, { ptr: 1, fd: 2, data1: 3, data2: 0xffffffffffffffffn });
    assert.deepEqual(ep.ready(1), [{ events: EPOLLOUT, data: { ptr: 1, fd: 2, data1: 3, data2: 0xffffffffffffffffn } }]);
  });
});

describe('epoll: level-triggered', () => {
  test('a pipe: EPOLLIN while bytes are buffered, EPOLLOUT while there is room', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN, data(3));
    ep.add(4, writer, EPOLLOUT, data(4));
    assert.deepEqual(ep.ready(8), [{ events: EPOLLOUT, data: data(4) }]);
    writer.write([enc('hello')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }, { events: EPOLLOUT, data: data(4) }]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }, { events: EPOLLOUT, data: data(4) }], 'again: level');
    reader.read([new Uint8Array(16)]);
    writer.write([new Uint8Array(65536)]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }], 'full: not writable');
  });

  test('only the bits asked for, plus HUP and ERR always', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLOUT, data(3)); // a read end never becomes writable
    writer.write([enc('x')]);
    assert.deepEqual(ep.ready(8), [], 'readable, but EPOLLIN was not asked for');
    writer.close();
    assert.deepEqual(ep.ready(8), [{ events: EPOLLHUP, data: data(3) }], 'the hangup, unasked');
  });

  test('hangup after the writer closes: EPOLLIN | EPOLLHUP while bytes are left, then EPOLLHUP alone (as Linux)', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN, data(3));
    writer.write([enc('ab')]);
    writer.close();
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLHUP, data: data(3) }]);
    assert.equal(reader.read([new Uint8Array(8)]), 2);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLHUP, data: data(3) }], 'drained: a read now returns 0');
  });

  test('the reader gone: the write end reports EPOLLOUT | EPOLLERR (a write is EPIPE)', () => {
    const { ep, reader, writer } = setup();
    ep.add(4, writer, EPOLLOUT, data(4));
    reader.close();
    assert.deepEqual(ep.ready(8), [{ events: EPOLLOUT | EPOLLERR, data: data(4) }]);
  });

  test('a socket: a read-side hangup is RDHUP when asked; a write-side one (an error) is ERR | HUP', () => {
    const { ep } = setup();
    const sock = new FakeResource(FileType.SOCKET_STREAM, true);
    ep.add(6, sock, EPOLLIN | EPOLLRDHUP, data(6));
    sock.r = { ready: true, nbytes: 0n, hangup: true };
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLRDHUP, data: data(6) }], 'the peer shut down: no HUP');
    ep.modify(6, sock, EPOLLIN, data(6));
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(6) }], 'RDHUP only when asked for');
    sock.w = { ready: true, nbytes: 0n, hangup: true };
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLERR | EPOLLHUP, data: data(6) }]);
  });

  test('maxevents: entries come round robin, so none is starved', () => {
    const { ep, notify } = setup();
    const fds = [3, 4, 5].map((fd) => {
      const e = new EventResource(1n, false, notify);
      ep.add(fd, e, EPOLLIN, data(fd));
      return e;
    });
    assert.deepEqual(ep.ready(2).map((r) => r.data.fd), [3, 4]);
    assert.deepEqual(ep.ready(2).map((r) => r.data.fd), [5, 3]);
    assert.deepEqual(ep.ready(2).map((r) => r.data.fd), [4, 5]);
    fds[1]!.read([new Uint8Array(8)]);
    assert.deepEqual(ep.ready(2).map((r) => r.data.fd), [3, 5]);
    assert.deepEqual(ep.ready(8).map((r) => r.data.fd), [3, 5]);
  });
});

describe('epoll: EPOLLONESHOT', () => {
  test('reported once, then nothing (not even a hangup) until modify re-arms it', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN | EPOLLONESHOT, data(3));
    assert.deepEqual(ep.ready(8), []);
    writer.write([enc('x')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }]);
    assert.deepEqual(ep.ready(8), [], 'disabled, though still readable');
    writer.write([enc('y')]);
    writer.close();
    assert.deepEqual(ep.ready(8), [], 'disabled: not even the hangup');
    assert.equal(ep.pollRead().ready, false, 'the epoll is not readable either');
    ep.modify(3, reader, EPOLLIN | EPOLLONESHOT, data(3));
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLHUP, data: data(3) }]);
    assert.deepEqual(ep.ready(8), []);
    ep.modify(3, reader, EPOLLIN, data(3));
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLHUP, data: data(3) }], 'level-triggered again');
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLHUP, data: data(3) }]);
  });
});

describe('epoll: EPOLLET', () => {
  test('reported on a change, not again while nothing changes', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN | EPOLLET, data(3));
    assert.deepEqual(ep.ready(8), []);
    writer.write([enc('ab')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }], 'became readable');
    assert.deepEqual(ep.ready(8), [], 'still readable, nothing new');
    assert.equal(ep.pollRead().ready, false, 'so the epoll is not readable');
    writer.write([enc('c')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }], 'more bytes arrived: reported again');
    assert.deepEqual(ep.ready(8), []);
    assert.equal(reader.read([new Uint8Array(8)]), 3, 'read until EAGAIN');
    assert.deepEqual(ep.ready(8), [], 'not readable');
    writer.write([enc('d')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }]);
    writer.close();
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLHUP, data: data(3) }], 'the hangup is a change');
    assert.deepEqual(ep.ready(8), []);
  });

  test('drained and refilled between two waits: the refill is still reported', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN | EPOLLET, data(3));
    writer.write([enc('a')]);
    assert.equal(ep.ready(8).length, 1);
    reader.read([new Uint8Array(8)]);
    writer.write([enc('b')]);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }]);
  });

  test('without generation changes, a rising bit alone is an edge', () => {
    const still = { generation: 0, notify() {} };
    const ep = new EpollResource(still);
    const r = new FakeResource();
    ep.add(3, r, EPOLLIN | EPOLLOUT | EPOLLET, data(3));
    r.r = { ready: true, nbytes: 1n, hangup: false };
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(3) }]);
    assert.deepEqual(ep.ready(8), []);
    r.w = { ready: true, nbytes: 1n, hangup: false };
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLOUT, data: data(3) }], 'OUT rose');
    r.r = { ready: false, nbytes: 0n, hangup: false };
    assert.deepEqual(ep.ready(8), [], 'IN fell: seen');
    r.r = { ready: true, nbytes: 1n, hangup: false };
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN | EPOLLOUT, data: data(3) }], 'IN rose again');
  });

  test('modify re-arms: what is ready now is reported', () => {
    const { ep, reader, writer } = setup();
    ep.add(3, reader, EPOLLIN | EPOLLET, data(3));
    writer.write([enc('a')]);
    assert.equal(ep.ready(8).length, 1);
    assert.deepEqual(ep.ready(8), []);
    ep.modify(3, reader, EPOLLIN | EPOLLET, data(31));
    assert.deepEqual(ep.ready(8), [{ events: EPOLLIN, data: data(31) }]);
    assert.deepEqual(ep.ready(8), []);
  });
});

describe('epoll: closing', () => {
  test('a pipe end that closes leaves every epoll set (under every fd number)', () => {
    const { ep, reader, writer, notify } = setup();
    const other = new EpollResource(new ReadinessSignal());
    ep.add(3, reader, EPOLLIN, data(3));
    ep.add(4, writer, EPOLLOUT, data(4));
    ep.add(5, writer, EPOLLOUT, data(5));
    other.add(4, writer, EPOLLOUT, data(4));
    writer.close();
    assert.equal(ep.size, 1);
    assert.equal(ep.has(4, writer) || ep.has(5, writer), false);
    assert.equal(other.size, 0);
    assert.deepEqual(ep.ready(8), [{ events: EPOLLHUP, data: data(3) }], 'the read end sees the hangup (nothing left to read)');
    reader.close();
    assert.equal(ep.size, 0);
    const e = new EventResource(1n, false, notify);
    ep.add(6, e, EPOLLIN, data(6));
    e.close();
    assert.equal(ep.size, 0, 'an eventfd too');
  });

  test('dropFromEpollSets and forget, for the resources that do not drop themselves', () => {
    const { ep } = setup();
    const other = new EpollResource(new ReadinessSignal());
    const r = new FakeResource();
    ep.add(3, r, EPOLLIN, data(3));
    ep.add(4, r, EPOLLIN, data(4));
    other.add(3, r, EPOLLIN, data(3));
    assert.equal(ep.forget(r), 2);
    assert.equal(ep.forget(r), 0);
    assert.equal(other.size, 1);
    ep.add(3, r, EPOLLIN, data(3));
    dropFromEpollSets(r);
    assert.equal(ep.size, 0);
    assert.equal(other.size, 0);
    dropFromEpollSets(r); // nothing left: no-op
  });

  test('closing an epoll empties it and takes it out of the epolls that watch it', () => {
    const { ep, reader } = setup();
    const inner = new EpollResource(new ReadinessSignal());
    inner.add(3, reader, EPOLLIN, data(3));
    ep.add(9, inner, EPOLLIN, data(9));
    inner.close();
    assert.equal(inner.size, 0);
    assert.equal(ep.size, 0);
  });
});

describe('epoll: an epoll descriptor', () => {
  test('readable when an entry is ready (so epolls nest); never writable; read/write EINVAL', () => {
    const { ep: outer, reader, writer, notify } = setup();
    const inner = new EpollResource({ get generation() { return 0; }, notify });
    inner.add(3, reader, EPOLLIN, data(3));
    outer.add(9, inner, EPOLLIN, data(9));
    assert.deepEqual(inner.pollRead(), { ready: false, nbytes: 0n, hangup: false });
    assert.deepEqual(outer.ready(8), []);
    writer.write([enc('x')]);
    assert.deepEqual(inner.pollRead(), { ready: true, nbytes: 0n, hangup: false });
    assert.deepEqual(outer.ready(8), [{ events: EPOLLIN, data: data(9) }]);
    assert.deepEqual(inner.ready(8), [{ events: EPOLLIN, data: data(3) }], 'polling it did not consume anything');
    assert.deepEqual(inner.pollWrite(), { ready: false, nbytes: 0n, hangup: false });
    assert.equal(inner.filetype, FileType.UNKNOWN);
    assertErrno(() => inner.read([new Uint8Array(8)]), Errno.INVAL);
    assertErrno(() => inner.write([new Uint8Array(8)]), Errno.INVAL);
    assertErrno(() => inner.pread([new Uint8Array(8)], 0), Errno.SPIPE);
  });

  test('a loop of epolls is ELOOP; so is nesting deeper than 5 instances', () => {
    const sig = new ReadinessSignal();
    const a = new EpollResource(sig);
    const b = new EpollResource(sig);
    a.add(1, b, EPOLLIN, data(1));
    assertErrno(() => b.add(2, a, EPOLLIN, data(2)), Errno.LOOP, 'a direct loop');
    const c = new EpollResource(sig);
    b.add(3, c, EPOLLIN, data(3));
    assertErrno(() => c.add(4, a, EPOLLIN, data(4)), Errno.LOOP, 'a loop through b');
    // a ⊃ b ⊃ c ⊃ d ⊃ e: 5 instances deep is allowed; a sixth either way is not.
    const d = new EpollResource(sig);
    const e = new EpollResource(sig);
    c.add(5, d, EPOLLIN, data(5));
    d.add(6, e, EPOLLIN, data(6));
    assertErrno(() => e.add(7, new EpollResource(sig), EPOLLIN, data(7)), Errno.LOOP, 'below');
    assertErrno(() => new EpollResource(sig).add(8, a, EPOLLIN, data(8)), Errno.LOOP, 'above');
    const side = new EpollResource(sig);
    side.add(9, c, EPOLLIN, data(9)); // side ⊃ c ⊃ d ⊃ e: 4 deep
    e.add(10, new FakeResource(), EPOLLIN, data(10)); // not an epoll: no limit
  });
});
