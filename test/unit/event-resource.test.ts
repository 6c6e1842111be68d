/**
 * Event resources (src/kernel/event-resource.ts): an eventfd as Linux's
 * eventfd(2) defines it: 8-byte little-endian reads and writes, the whole
 * counter or (semaphore mode) 1 per read, EINVAL for short buffers and for
 * 0xffffffffffffffff, EAGAIN at 0 (read) and past 0xfffffffffffffffe
 * (write), writev taken one iovec at a time, and a notify after every change.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileType, Whence } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { EVENTFD_MAX, EventFdFlags, EventResource } from '../../src/kernel/event-resource.js';
import { assertErrno } from './helpers/errno.js';

/** 8 bytes holding `value`, little-endian. */
function u64(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, true);
  return b;
}

/** Reads the eventfd into one 8-byte buffer; the value read. */
function take(e: EventResource): bigint {
  const b = new Uint8Array(8);
  assert.equal(e.read([b]), 8);
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** An eventfd whose notifications are counted. */
function eventfd(initial: bigint, semaphore: boolean) {
  const counter = { notified: 0 };
  const e = new EventResource(initial, semaphore, () => { counter.notified++; });
  return { e, counter };
}

describe('eventfd: normal mode', () => {
  test('a read takes the whole counter; writes add; EAGAIN at 0', () => {
    const { e, counter } = eventfd(3n, false);
    assert.deepEqual(e.pollRead(), { ready: true, nbytes: 8n, hangup: false });
    assert.equal(take(e), 3n);
    assert.equal(e.value, 0n);
    assert.equal(counter.notified, 1);
    assertErrno(() => e.read([new Uint8Array(8)]), Errno.AGAIN);
    assert.deepEqual(e.pollRead(), { ready: false, nbytes: 0n, hangup: false });
    assert.equal(counter.notified, 1, 'a failed read changes nothing');
    assert.equal(e.write([u64(5n)]), 8);
    assert.equal(e.write([u64(2n)]), 8);
    assert.equal(counter.notified, 3);
    assert.equal(e.value, 7n);
    assert.equal(take(e), 7n);
    assert.equal(e.value, 0n);
  });

  test('the value is written little-endian across the iovecs; more room is fine', () => {
    const { e } = eventfd(0x0102030405060708n, false);
    const a = new Uint8Array(3);
    const b = new Uint8Array(9);
    assert.equal(e.read([a, b]), 8);
    assert.deepEqual([...a], [8, 7, 6]);
    assert.deepEqual([...b], [5, 4, 3, 2, 1, 0, 0, 0, 0]);
  });

  test('a destination under 8 bytes in total is EINVAL, before EAGAIN', () => {
    const { e } = eventfd(1n, false);
    assertErrno(() => e.read([new Uint8Array(7)]), Errno.INVAL);
    assertErrno(() => e.read([new Uint8Array(4), new Uint8Array(3)]), Errno.INVAL);
    assertErrno(() => e.read([]), Errno.INVAL);
    assert.equal(e.value, 1n, 'untouched');
    assert.equal(take(e), 1n);
    assertErrno(() => e.read([new Uint8Array(4)]), Errno.INVAL, 'EINVAL even at 0');
  });
});

describe('eventfd: semaphore mode', () => {
  test('each read returns 1 and takes 1 off the counter', () => {
    const { e, counter } = eventfd(2n, true);
    assert.equal(e.semaphore, true);
    assert.equal(take(e), 1n);
    assert.equal(e.value, 1n);
    assert.deepEqual(e.pollRead(), { ready: true, nbytes: 8n, hangup: false });
    assert.equal(take(e), 1n);
    assert.equal(e.value, 0n);
    assertErrno(() => e.read([new Uint8Array(8)]), Errno.AGAIN);
    e.write([u64(3n)]);
    assert.equal(take(e), 1n);
    assert.equal(e.value, 2n);
    assert.equal(counter.notified, 4);
  });

  test('the flag bit of fd_event', () => {
    assert.equal(EventFdFlags.SEMAPHORE, 1);
  });
});

describe('eventfd: writing', () => {
  test('a buffer under 8 bytes, and the value 0xffffffffffffffff, are EINVAL', () => {
    const { e, counter } = eventfd(0n, false);
    assertErrno(() => e.write([new Uint8Array(7)]), Errno.INVAL);
    assertErrno(() => e.write([new Uint8Array(0)]), Errno.INVAL);
    assertErrno(() => e.write([]), Errno.INVAL);
    assertErrno(() => e.write([u64(0xffffffffffffffffn)]), Errno.INVAL);
    assert.equal(e.value, 0n);
    assert.equal(counter.notified, 0);
  });

  test('the counter stops at 0xfffffffffffffffe: past it is EAGAIN; adding 0 still works', () => {
    const { e } = eventfd(0n, false);
    assert.equal(EVENTFD_MAX, 0xfffffffffffffffen);
    assert.equal(e.write([u64(EVENTFD_MAX - 1n)]), 8);
    assert.deepEqual(e.pollWrite(), { ready: true, nbytes: 8n, hangup: false });
    assert.equal(e.write([u64(1n)]), 8);
    assert.equal(e.value, EVENTFD_MAX);
    assert.deepEqual(e.pollWrite(), { ready: false, nbytes: 0n, hangup: false }, 'not writable at the maximum');
    assertErrno(() => e.write([u64(1n)]), Errno.AGAIN);
    assert.equal(e.write([u64(0n)]), 8, '0 fits');
    assert.equal(take(e), EVENTFD_MAX);
    assert.deepEqual(e.pollWrite(), { ready: true, nbytes: 8n, hangup: false });
  });

  test('the first 8 bytes of a longer buffer are the value', () => {
    const { e } = eventfd(0n, false);
    const b = new Uint8Array(16);
    b.set(u64(9n), 0);
    b.set(u64(100n), 8);
    assert.equal(e.write([b]), 8);
    assert.equal(e.value, 9n);
  });

  test('writev: one value per 8-byte iovec, stopping at the first other iovec or failure', () => {
    const { e } = eventfd(0n, false);
    assert.equal(e.write([u64(1n), u64(2n)]), 16, 'two values');
    assert.equal(e.value, 3n);
    assert.equal(e.write([u64(1n), new Uint8Array(0), u64(2n)]), 16, 'an empty iovec after the first is skipped');
    assert.equal(e.value, 6n);
    assert.equal(e.write([u64(1n), new Uint8Array(4)]), 8, 'a short second iovec ends the call after the first');
    assert.equal(e.value, 7n);
    const sixteen = new Uint8Array(16);
    sixteen.set(u64(10n), 0);
    assert.equal(e.write([sixteen, u64(5n)]), 8, 'a 16-byte iovec is taken as 8 bytes, which ends the call');
    assert.equal(e.value, 17n);
    assertErrno(() => e.write([new Uint8Array(0), u64(1n)]), Errno.INVAL, 'a leading empty iovec is a 0-byte write');
    assert.equal(e.value, 17n);
  });

  test('writev: a later value that would overflow ends the call with what went in', () => {
    const { e } = eventfd(EVENTFD_MAX - 1n, false);
    assert.equal(e.write([u64(1n), u64(1n)]), 8);
    assert.equal(e.value, EVENTFD_MAX);
    assertErrno(() => e.write([u64(1n), u64(0n)]), Errno.AGAIN, 'the first fails: its error');
  });
});

describe('eventfd: the descriptor', () => {
  test('an initial value outside 0 to 0xfffffffffffffffe is EINVAL', () => {
    assertErrno(() => new EventResource(-1n, false, () => {}), Errno.INVAL);
    assertErrno(() => new EventResource(0xffffffffffffffffn, false, () => {}), Errno.INVAL);
    assert.equal(new EventResource(EVENTFD_MAX, false, () => {}).value, EVENTFD_MAX);
  });

  test('filetype UNKNOWN; pread/pwrite ESPIPE; seeking stays at 0 (noop_llseek); close notifies', () => {
    const { e, counter } = eventfd(0n, false);
    assert.equal(e.filetype, FileType.UNKNOWN);
    assert.equal(e.stat().filetype, FileType.UNKNOWN);
    assertErrno(() => e.pread([new Uint8Array(8)], 0), Errno.SPIPE);
    assertErrno(() => e.pwrite([u64(1n)], 0), Errno.SPIPE);
    assert.equal(e.seek(5n, Whence.SET), 0n);
    assert.equal(e.tell(), 0n);
    assertErrno(() => e.sync(), Errno.INVAL);
    e.close();
    assert.equal(counter.notified, 1);
  });
});
