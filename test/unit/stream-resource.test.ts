/**
 * Non-blocking resources and blocking built once on top of them: stream
 * and socket resources answer EAGAIN instead of waiting; fd_read,
 * sock_accept, sock_recv and sock_send wait on the process's readiness
 * signal (src/syscalls/blocking-io.ts) unless the descriptor is NONBLOCK;
 * partial progress (RECV_WAITALL, a long send) survives the waits. Also the
 * real Node stdin reader (NodeStdin, from dist/) on a FIFO.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fsc, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileType, RIGHTS_LISTENER, RIGHTS_SOCKET } from '../../src/abi/constants.js';
import { Errno, WasiError } from '../../src/abi/errno.js';
import { WASI, BufferInputStream, CaptureStream } from '../../src/node.js';
import type { InputStream, ReadinessNotifier, StreamReadiness } from '../../src/host/stdio.js';
import type { ChannelStatus, ListenerChannel, SocketChannel } from '../../src/host/net/channel.js';
import { ReadinessSignal } from '../../src/host/readiness-signal.js';
import { ConnectionResource, ListenerResource } from '../../src/kernel/socket-resource.js';
import { InputStreamResource } from '../../src/kernel/stream-resource.js';
import { assertErrno } from './helpers/errno.js';
import { instantiateMemoryModule } from './helpers/wasm-module.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * An input stream whose data "arrives from another thread": chunks are
 * queued by `push`, or by `arrivals` consumed one per empty try (each bumps
 * the attached signal, as a reader thread does).
 */
class FakeInput implements InputStream {
  readonly filetype = FileType.UNKNOWN;
  signal: ReadinessNotifier | undefined;
  buffered: number[] = [];
  ended = false;
  failure: Errno | undefined;
  tries = 0;
  closed = 0;
  /** What each empty try brings (null: end of input). */
  arrivals: (string | null)[] = [];

  push(s: string): void { this.buffered.push(...enc(s)); this.signal?.notify(); }
  read(): number { throw new Error('the kernel must not call the blocking read'); }
  tryRead(dst: Uint8Array): number | 'again' {
    this.tries++;
    const n = Math.min(dst.byteLength, this.buffered.length);
    if (n > 0) {
      dst.set(this.buffered.splice(0, n));
      return n;
    }
    if (this.failure !== undefined) throw new WasiError(this.failure);
    if (this.ended) return 0;
    const next = this.arrivals.shift();
    if (next === null) { this.ended = true; this.signal?.notify(); }
    else if (next !== undefined) this.push(next);
    return 'again';
  }
  readiness(): StreamReadiness {
    const hangup = this.ended || this.failure !== undefined;
    return { ready: this.buffered.length > 0 || hangup, nbytes: this.buffered.length, hangup };
  }
  attach(signal: ReadinessNotifier): void { this.signal = signal; }
  close(): void { this.closed++; }
}

describe('InputStreamResource', () => {
  test('a stream with tryRead: EAGAIN when empty, then data, then end of input', () => {
    const s = new FakeInput();
    const r = new InputStreamResource(s);
    assertErrno(() => r.read([new Uint8Array(8)]), Errno.AGAIN, 'read, nothing arrived');
    assert.deepEqual(r.pollRead(), { ready: false, nbytes: 0n, hangup: false });
    s.push('hello');
    assert.deepEqual(r.pollRead(), { ready: true, nbytes: 5n, hangup: false });
    const a = new Uint8Array(3);
    const b = new Uint8Array(8);
    assert.equal(r.read([a, b]), 5, 'both iovecs filled from what is buffered');
    assert.equal(dec(a) + dec(b.subarray(0, 2)), 'hello');
    assertErrno(() => r.read([new Uint8Array(8)]), Errno.AGAIN, 'read, drained');
    s.push('x');
    s.ended = true;
    assert.deepEqual(r.pollRead(), { ready: true, nbytes: 1n, hangup: true });
    assert.equal(r.read([new Uint8Array(8)]), 1);
    assert.equal(r.read([new Uint8Array(8)]), 0, 'end of input');
    assert.equal(r.read([new Uint8Array(8)]), 0, 'and again');
    assert.deepEqual(r.pollRead(), { ready: true, nbytes: 0n, hangup: true });
  });

  test('an error is reported after the bytes before it', () => {
    const s = new FakeInput();
    const r = new InputStreamResource(s);
    s.push('ab');
    s.failure = Errno.IO;
    const first = new Uint8Array(2);
    assert.equal(r.read([first, new Uint8Array(4)]), 2);
    assertErrno(() => r.read([new Uint8Array(4)]), Errno.IO);
  });

  test('the readiness signal reaches the stream; close reaches it too', () => {
    const s = new FakeInput();
    const signal = new ReadinessSignal();
    const r = new InputStreamResource(s, signal);
    assert.equal(s.signal, signal);
    r.close();
    assert.equal(s.closed, 1);
  });

  test('a synchronous stream (no tryRead) is read directly and always ready', () => {
    const r = new InputStreamResource(new BufferInputStream('abcdef'));
    assert.deepEqual(r.pollRead(), { ready: true, nbytes: 6n, hangup: false });
    const a = new Uint8Array(4);
    const b = new Uint8Array(4);
    assert.equal(r.read([a, b]), 6);
    assert.equal(r.read([a]), 0);
  });
});

/** Guest memory plus a WASI whose stdin is `stdin`. */
function guest(stdin: InputStream, extra: ConstructorParameters<typeof WASI>[0] = {}) {
  const stdout = new CaptureStream();
  const wasi = new WASI({ stdin, stdout, stderr: new CaptureStream(), ...extra });
  const instance = instantiateMemoryModule();
  wasi.initialize(instance);
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  /** One iovec at 0x100 → buffer at 0x200 of `len` bytes; result at 0x80. */
  const iovec = (len: number) => {
    view().setUint32(0x100, 0x200, true);
    view().setUint32(0x104, len, true);
    bytes().fill(0, 0x200, 0x200 + len);
  };
  const text = (n: number) => dec(bytes().slice(0x200, 0x200 + n));
  return { wasi, w: wasi.wasiImport, view, bytes, iovec, text, stdout };
}

describe('fd_read on stdin (syscall layer)', () => {
  test('WASI attaches the process readiness signal to stdin', () => {
    const s = new FakeInput();
    const { wasi } = guest(s);
    assert.equal(s.signal, wasi.process.readiness);
  });

  test('NONBLOCK on an empty stdin: EAGAIN, nothing written', () => {
    const s = new FakeInput();
    const { w, view, iovec } = guest(s);
    assert.equal(w.fd_fdstat_set_flags(0, 4 /* NONBLOCK */), Errno.SUCCESS);
    iovec(16);
    view().setUint32(0x80, 0xdead, true);
    assert.equal(w.fd_read(0, 0x100, 1, 0x80), Errno.AGAIN);
    assert.equal(view().getUint32(0x80, true), 0xdead);
    assert.equal(s.tries, 1, 'tried once, did not wait');
    // Data buffered: the non-blocking read returns it.
    s.push('hi');
    assert.equal(w.fd_read(0, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 2);
  });

  test('blocking: waits for the signal and tries again until data arrives', () => {
    const s = new FakeInput();
    s.arrivals = ['', '', 'late\n']; // two empty wake-ups, then data
    const { w, view, iovec, text } = guest(s);
    iovec(16);
    assert.equal(w.fd_read(0, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 5);
    assert.equal(text(5), 'late\n');
    assert.equal(s.tries, 4);
  });

  test('blocking: end of input while waiting reads 0', () => {
    const s = new FakeInput();
    s.arrivals = ['', null];
    const { w, view, iovec } = guest(s);
    iovec(16);
    view().setUint32(0x80, 0xdead, true);
    assert.equal(w.fd_read(0, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 0);
    assert.equal(s.tries, 3);
  });

  test('poll_oneoff: stdin is ready only with data (nbytes) or at the end (hangup)', () => {
    const s = new FakeInput();
    const { w, view } = guest(s);
    // Subscriptions at 0x400 (48 bytes each): FD_READ stdin (userdata 1), clock 0 ns (userdata 2).
    const sub = (i: number, userdata: number, tag: number) => {
      const b = 0x400 + i * 48;
      for (let k = 0; k < 48; k++) view().setUint8(b + k, 0);
      view().setBigUint64(b, BigInt(userdata), true);
      view().setUint8(b + 8, tag);
    };
    sub(0, 1, 1); // FD_READ, fd 0
    sub(1, 2, 0); // CLOCK, timeout 0: fires at once
    view().setUint32(0x400 + 48 + 16, 1, true); // clock id: monotonic
    const poll = () => {
      assert.equal(w.poll_oneoff(0x400, 0x600, 2, 0x80), Errno.SUCCESS);
      const out: string[] = [];
      for (let i = 0; i < view().getUint32(0x80, true); i++) {
        const e = 0x600 + i * 32;
        out.push(`${view().getBigUint64(e, true)}:${view().getUint16(e + 8, true)}:${view().getBigUint64(e + 16, true)}:${view().getUint16(e + 24, true)}`);
      }
      return out.sort();
    };
    assert.deepEqual(poll(), ['2:0:0:0'], 'empty stdin: only the clock');
    s.push('abc');
    assert.deepEqual(poll(), ['1:0:3:0', '2:0:0:0'], 'data: nbytes 3');
    s.buffered = [];
    s.ended = true;
    assert.deepEqual(poll(), ['1:0:0:1', '2:0:0:0'], 'end: hangup');
  });
});

/** A connection whose bytes arrive (and whose send room opens) as scheduled, one step per empty try. */
class FakeConnection implements SocketChannel {
  readonly receiveCapacity = 64;
  incoming: number[] = [];
  outgoing: number[] = [];
  room = 0;
  /** What each empty try brings (null: the peer closes). */
  arrivals: (string | null)[] = [];
  roomSteps: number[] = [];
  state: ChannelStatus = { peerClosed: false, error: 0 };
  constructor(readonly signal: ReadinessSignal) {}
  readable(): number { return this.incoming.length; }
  receive(dst: readonly Uint8Array[], peek: boolean): number {
    let n = 0;
    const src = [...this.incoming];
    for (const d of dst) {
      const k = Math.min(d.byteLength, src.length - n);
      d.set(src.slice(n, n + k));
      n += k;
    }
    if (!peek) this.incoming.splice(0, n);
    return n;
  }
  writable(): number { return this.room; }
  send(src: readonly Uint8Array[]): number {
    let n = 0;
    for (const s of src) {
      const k = Math.min(s.byteLength, this.room);
      this.outgoing.push(...s.subarray(0, k));
      this.room -= k;
      n += k;
      if (k < s.byteLength) break;
    }
    return n;
  }
  /** Called by the resource on every try: deliver the next scheduled step when empty. */
  status(): ChannelStatus {
    if (this.incoming.length === 0 && this.arrivals.length > 0) {
      const next = this.arrivals.shift()!;
      if (next === null) this.state = { peerClosed: true, error: 0 };
      else this.incoming.push(...enc(next));
      this.signal.notify();
    } else if (this.room === 0 && this.roomSteps.length > 0) {
      this.room = this.roomSteps.shift()!;
      this.signal.notify();
    }
    return this.state;
  }
  shutdown(): void {}
  close(): void {}
}

class FakeListener implements ListenerChannel {
  queue: SocketChannel[] = [];
  pending(): number { return this.queue.length; }
  accept(): SocketChannel | undefined { return this.queue.shift(); }
  failure(): number { return 0; }
  close(): void {}
}

describe('socket resources never wait', () => {
  test('accept with nothing queued: EAGAIN', () => {
    const l = new ListenerResource(new FakeListener(), new ReadinessSignal());
    assertErrno(() => l.accept(0), Errno.AGAIN);
  });

  test('recv: EAGAIN when empty; 0 at the end; the error after the data', () => {
    const ch = new FakeConnection(new ReadinessSignal());
    const c = new ConnectionResource(ch);
    assertErrno(() => c.recv([new Uint8Array(4)], 0), Errno.AGAIN);
    ch.incoming.push(...enc('abcdef'));
    assert.equal(c.recv([new Uint8Array(4)], 1 /* PEEK */).size, 4);
    assertErrno(() => c.recv([new Uint8Array(8)], 3 /* PEEK|WAITALL */), Errno.AGAIN, 'peek waitall: not enough yet');
    assert.equal(c.recv([new Uint8Array(4)], 2 /* WAITALL: one pass */).size, 4);
    assert.equal(c.recv([new Uint8Array(4)], 0).size, 2);
    ch.state = { peerClosed: true, error: 0 };
    assert.equal(c.recv([new Uint8Array(4)], 0).size, 0);
    ch.state = { peerClosed: true, error: Errno.CONNRESET };
    assertErrno(() => c.recv([new Uint8Array(4)], 0), Errno.CONNRESET);
  });

  test('send: EAGAIN when nothing fits, else what fits', () => {
    const ch = new FakeConnection(new ReadinessSignal());
    const c = new ConnectionResource(ch);
    assertErrno(() => c.send([enc('hello')]), Errno.AGAIN);
    ch.room = 3;
    assert.equal(c.send([enc('hello')]), 3);
    assert.equal(c.send([]), 0);
  });
});

describe('socket syscalls block on the readiness signal', () => {
  /** A guest with a listener at fd 3 whose queue holds one connection. */
  const withConnection = () => {
    const signal = new ReadinessSignal();
    const listener = new FakeListener();
    const conn = new FakeConnection(signal);
    listener.queue.push(conn);
    const g = guest(new BufferInputStream(''), {
      readiness: signal,
      extraResources: [{ resource: new ListenerResource(listener, signal), rightsBase: RIGHTS_LISTENER, rightsInheriting: RIGHTS_SOCKET }],
    });
    assert.equal(g.w.sock_accept(3, 0, 0x90), Errno.SUCCESS);
    const fd = g.view().getUint32(0x90, true);
    return { ...g, conn, listener, fd };
  };

  test('sock_accept: NONBLOCK flag with nothing queued is EAGAIN', () => {
    const { w, listener } = withConnection();
    assert.equal(listener.pending(), 0);
    assert.equal(w.sock_accept(3, 4 /* NONBLOCK */, 0x90), Errno.AGAIN);
  });

  test('sock_recv RECV_WAITALL keeps what arrived across waits', () => {
    const { w, view, iovec, text, conn, fd } = withConnection();
    conn.arrivals = ['abc', 'defg', 'hij'];
    iovec(10);
    assert.equal(w.sock_recv(fd, 0x100, 1, 2 /* WAITALL */, 0x80, 0x84), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 10);
    assert.equal(text(10), 'abcdefghij');
  });

  test('sock_recv RECV_WAITALL: the end of the stream returns what arrived', () => {
    const { w, view, iovec, text, conn, fd } = withConnection();
    conn.arrivals = ['abc', null];
    iovec(10);
    assert.equal(w.sock_recv(fd, 0x100, 1, 2, 0x80, 0x84), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 3);
    assert.equal(text(3), 'abc');
  });

  test('sock_recv on a NONBLOCK socket: EAGAIN when empty, WAITALL takes what is there', () => {
    const { w, view, iovec, conn, fd } = withConnection();
    assert.equal(w.fd_fdstat_set_flags(fd, 4), Errno.SUCCESS);
    iovec(10);
    assert.equal(w.sock_recv(fd, 0x100, 1, 0, 0x80, 0x84), Errno.AGAIN);
    conn.incoming.push(...enc('abc'));
    assert.equal(w.sock_recv(fd, 0x100, 1, 2, 0x80, 0x84), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 3);
  });

  test('sock_send sends everything, waiting for room; NONBLOCK sends what fits', () => {
    const { w, view, bytes, conn, fd } = withConnection();
    bytes().set(enc('0123456789'), 0x200);
    view().setUint32(0x100, 0x200, true);
    view().setUint32(0x104, 10, true);
    conn.roomSteps = [4, 3, 5];
    assert.equal(w.sock_send(fd, 0x100, 1, 0, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 10);
    assert.equal(dec(new Uint8Array(conn.outgoing)), '0123456789');
    // fd_write on a socket blocks the same way.
    conn.outgoing = [];
    conn.room = 0;
    conn.roomSteps = [6, 6];
    assert.equal(w.fd_write(fd, 0x100, 1, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 10);
    assert.equal(w.fd_fdstat_set_flags(fd, 4), Errno.SUCCESS);
    conn.room = 0;
    conn.roomSteps = [];
    assert.equal(w.sock_send(fd, 0x100, 1, 0, 0x80), Errno.AGAIN);
    conn.room = 4;
    assert.equal(w.sock_send(fd, 0x100, 1, 0, 0x80), Errno.SUCCESS);
    assert.equal(view().getUint32(0x80, true), 4);
  });
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const distStdin = path.join(root, 'dist', 'host', 'node', 'node-stdin.js');

describe('NodeStdin (the reader thread, from dist/) on a FIFO', { skip: existsSync(distStdin) ? false : 'dist/ is missing: run npm run build' }, () => {
  /** Resolves once `ok()` holds, checking whenever the signal changes (at most `ms`). */
  const until = async (signal: ReadinessSignal, ok: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error('timed out');
      const seen = signal.generation;
      if (ok()) break;
      const r = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string } })
        .waitAsync(signal.cell, 0, seen, 200);
      // A waitAsync promise does not keep the event loop alive (the reader is unref'd): a timer does.
      let timer: NodeJS.Timeout | undefined;
      if (r.async) await Promise.race([r.value, new Promise((res) => { timer = setTimeout(res, 250); })]);
      clearTimeout(timer);
    }
  };

  test('tryRead/readiness: again, data with nbytes, end of input; close stops the reader', async () => {
    const { NodeStdin } = await import(pathToFileURL(distStdin).href) as typeof import('../../src/host/node/node-stdin.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'kiln-stdin-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const rfd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    const wfd = openSync(fifo, fsc.O_WRONLY);
    const stdin = new NodeStdin(rfd);
    try {
      const signal = new ReadinessSignal();
      stdin.attach(signal);
      const buf = new Uint8Array(16);
      assert.equal(stdin.tryRead(buf), 'again');
      assert.equal(stdin.reading, true, 'the first read starts the reader');
      assert.deepEqual(stdin.readiness(), { ready: false, nbytes: 0, hangup: false });
      const before = signal.generation;
      writeSync(wfd, 'hello\n');
      await until(signal, () => stdin.readiness().ready);
      assert.ok(signal.generation !== before, 'the reader bumped the process signal');
      assert.deepEqual(stdin.readiness(), { ready: true, nbytes: 6, hangup: false });
      assert.equal(stdin.tryRead(buf), 6);
      assert.equal(dec(buf.subarray(0, 6)), 'hello\n');
      assert.equal(stdin.tryRead(buf), 'again');
      closeSync(wfd);
      await until(signal, () => stdin.readiness().hangup);
      assert.deepEqual(stdin.readiness(), { ready: true, nbytes: 0, hangup: true });
      assert.equal(stdin.tryRead(buf), 0);
      assert.equal(stdin.read(buf), 0, 'the blocking read too');
      stdin.close();
      assert.equal(stdin.reading, false);
    } finally {
      stdin.close();
      closeSync(rfd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a stream read by the kernel: the resource answers EAGAIN on an empty FIFO', async () => {
    const { NodeStdin } = await import(pathToFileURL(distStdin).href) as typeof import('../../src/host/node/node-stdin.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'kiln-stdin-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const rfd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    const wfd = openSync(fifo, fsc.O_WRONLY);
    const stdin = new NodeStdin(rfd);
    const r = new InputStreamResource(stdin, new ReadinessSignal());
    try {
      assertErrno(() => r.read([new Uint8Array(8)]), Errno.AGAIN);
      assert.deepEqual(r.pollRead(), { ready: false, nbytes: 0n, hangup: false });
      r.close();
      assert.equal(stdin.reading, false, 'closing the descriptor stops the reader');
    } finally {
      stdin.close();
      closeSync(wfd);
      closeSync(rfd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

