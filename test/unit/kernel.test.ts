/**
 * The kernel (src/kernel/kernel.ts, process.ts, thread.ts, signals.ts,
 * futex.ts): pids and the process table, children and reaping, one end per
 * process (halting threads first, then closing descriptors), thread ids
 * and the thread limit, signal dispositions, the futex table.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Errno } from '../../src/abi/errno.js';
import { ProcessExit } from '../../src/abi/process-exit.js';
import { CaptureStream, NullStream, type OutputStream } from '../../src/host/stdio.js';
import { unsupportedRuntime, withRuntime, threadIdCounter } from '../../src/host/runtime.js';
import { systemClocks } from '../../src/host/clocks.js';
import { cryptoRandom } from '../../src/host/random.js';
import { exitCodeOf, statusOfThrown } from '../../src/kernel/exit-status.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { ProcessSpec } from '../../src/kernel/process.js';
import { Signals } from '../../src/kernel/signals.js';
import { FutexTable } from '../../src/kernel/futex.js';
import { assertErrno } from './helpers/errno.js';

function spec(over: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    args: ['app'], env: [], stdin: new NullStream(), stdout: new NullStream(), stderr: new NullStream(),
    preopens: [], clocks: systemClocks, random: cryptoRandom, ...over,
  };
}

/** An output stream that records when it is flushed (its last descriptor closed). */
class ClosingStream extends CaptureStream implements OutputStream {
  flushed = 0;
  flush(): void { this.flushed++; }
}

describe('the process table', () => {
  test('pids count from 1, or from the runtime\'s getpid; a child is in its parent\'s children until reaped', () => {
    const kernel = new Kernel(unsupportedRuntime);
    const a = kernel.spawn(spec());
    const b = kernel.spawn(spec(), a);
    assert.deepEqual([a.pid, b.pid, b.parent === a, a.parent], [1, 2, true, undefined]);
    assert.deepEqual([...a.children.keys()], [2]);
    assert.throws(() => kernel.release(b), /process 2 is still running/);
    void b.end({ kind: 'exit', code: 7 });
    assert.deepEqual(a.children.get(2)?.status, { kind: 'exit', code: 7 });
    kernel.release(b);
    assert.deepEqual([...a.children.keys()], []);
    assert.equal(kernel.process(2), undefined);
    const other = new Kernel(withRuntime(unsupportedRuntime, { getpid: () => 4242 }));
    assert.equal(other.spawn(spec()).pid, 4242);
    assert.equal(other.spawn(spec()).pid, 4243);
  });

  test('a pid still in the table is not given again', () => {
    const kernel = new Kernel(withRuntime(unsupportedRuntime, { getpid: () => 0x7fffffff }));
    const last = kernel.spawn(spec());
    const next = kernel.spawn(spec());
    assert.deepEqual([last.pid, next.pid], [0x7fffffff, 1]);
  });
});

describe('the end of a process', () => {
  test('once: flushes, closes every descriptor, records the status; a second end gives the first', async () => {
    const kernel = new Kernel(unsupportedRuntime);
    const out = new ClosingStream();
    const p = kernel.spawn(spec({ stdout: out }));
    const first = p.end({ kind: 'exit', code: 3 });
    assert.deepEqual(p.fds.numbers(), []);
    assert.equal(out.flushed, 1);
    assert.deepEqual(await first, { kind: 'exit', code: 3 });
    assert.deepEqual(await p.end({ kind: 'exit', code: 9 }), { kind: 'exit', code: 3 });
    assert.deepEqual(await p.ended, { kind: 'exit', code: 3 });
  });

  test('every thread is halted first; descriptors close only once the halts have settled', async () => {
    const kernel = new Kernel(withRuntime(unsupportedRuntime, { threadGenerateId: threadIdCounter() }));
    const p = kernel.spawn(spec());
    const t = p.spawnThread();
    const order: string[] = [];
    let stop!: () => void;
    t.halt = () => new Promise<void>((resolve) => { order.push('halt'); stop = () => { order.push('stopped'); resolve(); }; });
    const ended = p.end({ kind: 'signal', signal: 15 });
    assert.deepEqual(order, ['halt']);
    assert.notDeepEqual(p.fds.numbers(), [], 'closed before the thread stopped');
    stop();
    assert.deepEqual(await ended, { kind: 'signal', signal: 15 });
    assert.deepEqual(p.fds.numbers(), []);
    assert.deepEqual([...p.threads.keys()], []);
    assert.equal(exitCodeOf({ kind: 'signal', signal: 15 }), 143);
  });

  test('a thrown value as a status: proc_exit, a signal, a trap', () => {
    assert.deepEqual(statusOfThrown(new ProcessExit(4)), { kind: 'exit', code: 4 });
    assert.deepEqual(statusOfThrown(new ProcessExit(137, 9)), { kind: 'signal', signal: 9 });
    const trap = new WebAssembly.RuntimeError('unreachable');
    assert.deepEqual(statusOfThrown(trap), { kind: 'fault', error: trap });
  });
});

describe('threads', () => {
  test('ids come from the runtime (0 is the main thread and never given); the limit is EAGAIN; an ended process spawns none', () => {
    const ids = [0, 5, 5, 6];
    const kernel = new Kernel(withRuntime(unsupportedRuntime, { threadGenerateId: () => ids.shift() ?? 99 }));
    const p = kernel.spawn(spec({ maxThreads: 2 }));
    assert.equal(p.mainThread?.main, true);
    const a = p.spawnThread();
    const b = p.spawnThread();
    assert.deepEqual([a.tid, b.tid], [5, 6]);
    assertErrno(() => p.spawnThread(), Errno.AGAIN);
    a.exit();
    assert.equal(p.spawnThread().tid, 99);
    void p.end({ kind: 'exit', code: 0 });
    assertErrno(() => p.spawnThread(), Errno.AGAIN);
  });
});

describe('signals', () => {
  test('POSIX defaults: terminate, or nothing for CHLD/CONT/URG/WINCH and the stops; the null signal does nothing', () => {
    const s = new Signals();
    assert.deepEqual([2, 9, 15, 16, 17, 18, 19, 22, 27, 0].map((sig) => s.action(sig)),
      ['terminate', 'terminate', 'terminate', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore']);
  });

  test('dispositions: ignore, a handler (queued once), back to default; KILL and STOP keep theirs', () => {
    const s = new Signals();
    s.setDisposition(15, 'ignore');
    s.setDisposition(2, 'handler');
    s.setDisposition(9, 'ignore');
    assert.deepEqual([s.action(15), s.action(2), s.action(9)], ['ignore', 'handle', 'terminate']);
    s.queue(2);
    s.queue(2);
    s.queue(10);
    assert.deepEqual(s.pending, [2, 10]);
    assert.equal(s.takePending(), 2);
    s.setDisposition(2, 'default');
    assert.equal(s.action(2), 'terminate');
  });
});

describe('the futex table', () => {
  test('a wake releases waiters oldest first, up to the count, and notifies; cancel and wakeAll', () => {
    let notified = 0;
    const table = new FutexTable(() => { notified++; });
    const a = table.enqueue(64);
    const b = table.enqueue(64);
    const c = table.enqueue(128);
    assert.equal(table.wake(64, 1), 1);
    assert.deepEqual([a.woken, b.woken, c.woken, notified], [true, false, false, 1]);
    table.cancel(b);
    assert.equal(table.waiting(64), 0);
    assert.equal(table.wake(64), 0);
    assert.equal(notified, 1);
    table.wakeAll();
    assert.deepEqual([c.woken, notified, table.waiting(128)], [true, 2, 0]);
  });

  test('the end of a process wakes its futex waiters', () => {
    const kernel = new Kernel(unsupportedRuntime);
    const p = kernel.spawn(spec());
    const w = p.futexes.enqueue(8);
    void p.end({ kind: 'exit', code: 0 });
    assert.equal(w.woken, true);
  });
});

describe('descriptor tables between processes', () => {
  test('a copy names the same resources (a write through one moves the offset both see); closing one leaves the other open', () => {
    const kernel = new Kernel(unsupportedRuntime);
    const out = new ClosingStream();
    const parent = kernel.spawn(spec({ stdout: out }));
    const child = kernel.spawn(spec(), parent);
    const table = parent.fds.copy();
    assert.deepEqual(table.numbers(), [0, 1, 2]);
    assert.equal(table.get(1).resource, parent.fds.get(1).resource);
    table.close(1);
    assert.deepEqual([table.numbers(), parent.fds.numbers(), out.flushed], [[0, 2], [0, 1, 2], 0]);
    void child;
  });

  test('a shared table closes only when the last process using it ends', async () => {
    const kernel = new Kernel(unsupportedRuntime);
    const out = new ClosingStream();
    const parent = kernel.spawn(spec({ stdout: out }));
    const child = kernel.spawn({ ...spec(), fds: parent.fds.share() }, parent);
    assert.equal(child.fds, parent.fds);
    await child.end({ kind: 'exit', code: 0 });
    assert.deepEqual([parent.fds.numbers(), out.flushed], [[0, 1, 2], 0]);
    await parent.end({ kind: 'exit', code: 0 });
    assert.deepEqual([parent.fds.numbers(), out.flushed], [[], 1]);
  });
});
