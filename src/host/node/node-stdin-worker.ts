/**
 * The stdin reader thread (layer: host, Node): a worker that reads a host
 * descriptor (a pipe, a socket or a terminal) with Node's event loop and
 * moves what arrives into the shared ring a NodeStdin consumes
 * (node-stdin-shared.ts), then marks end of input or a failure. After every
 * change it bumps the consumer's CHANGED cell and the process's readiness
 * signal, so a guest blocked in Atomics.wait re-checks.
 *
 * It never blocks: the descriptor is read through a libuv stream (epoll), so
 * the thread can be terminated at any time, and while the ring is full the
 * stream is paused (backpressure reaches the writer) until the consumer
 * rings the doorbell (awaited with Atomics.waitAsync).
 *
 * Descriptors are read without disturbing the host's own (see openSource);
 * descriptors 0 to 2 are never closed.
 *
 * Started by node-stdin.ts with workerData {@link StdinWorkerData}.
 */
import fs from 'node:fs';
import net from 'node:net';
import tty from 'node:tty';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import {
  bump, InputState, StdinCell, viewStdinBuffer, type SignalCell, type StdinWorkerData, type StdinWorkerMessage,
} from './node-stdin-shared.js';

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };

/**
 * A libuv stream over `fd`. On Linux a pipe or terminal is reopened through
 * /proc/self/fd first: the reader then has its own open file description,
 * so the O_NONBLOCK libuv sets (and the close when the reader stops) never
 * touch the host's descriptor. A socket cannot be reopened; it is read as is.
 */
function openSource(fd: number): net.Socket {
  const isTty = tty.isatty(fd);
  let readFd = fd;
  if (process.platform === 'linux' && (isTty || fs.fstatSync(fd).isFIFO())) {
    try {
      readFd = fs.openSync(`/proc/self/fd/${fd}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    } catch {
      readFd = fd;
    }
  }
  if (isTty) return new tty.ReadStream(readFd);
  return new net.Socket({ fd: readFd, readable: true, writable: false, allowHalfOpen: true });
}

function main(port: MessagePort): void {
  const data = workerData as StdinWorkerData;
  const { cells, ring } = viewStdinBuffer(data.buffer);
  let signal: { cells: Int32Array; index: number } | undefined;
  const setSignal = (s: SignalCell | undefined) => {
    signal = s === undefined ? undefined : { cells: new Int32Array(s.buffer), index: s.index };
  };
  setSignal(data.signal);
  // This listener also keeps the thread's event loop alive while the source is
  // paused (an Atomics.waitAsync promise alone would not).
  port.on('message', (m: StdinWorkerMessage) => { if (m.type === 'signal') setSignal(m.signal); });

  /** False once the consumer stopped this reader (it may have started another). */
  const owned = () => Atomics.load(cells, StdinCell.OWNER) === data.owner;
  const notify = () => {
    bump(cells, StdinCell.CHANGED);
    if (signal !== undefined) bump(signal.cells, signal.index);
  };

  let source: net.Socket | undefined;
  const held: Uint8Array[] = [];
  let ended = false;
  let error = 0;
  let waiting = false;

  /** Marks the end (or a failure) once; then the thread has nothing left to do and ends. */
  const finish = (state: InputState, errno: number) => {
    if (!owned() || Atomics.load(cells, StdinCell.STATE) !== InputState.OPEN) return;
    Atomics.store(cells, StdinCell.ERRNO, errno);
    Atomics.store(cells, StdinCell.STATE, state);
    notify();
    source?.destroy();
    port.close();
  };

  const pump = (): void => {
    if (!owned()) { source?.destroy(); return; }
    let changed = false;
    while (held.length > 0) {
      const chunk = held[0]!;
      const n = ring.write([chunk]);
      if (n > 0) changed = true;
      if (n < chunk.byteLength) { held[0] = chunk.subarray(n); break; }
      held.shift();
    }
    if (changed) notify();
    if (held.length > 0) {
      source?.pause();
      waitForRoom();
      return;
    }
    if (error !== 0) finish(InputState.FAILED, error);
    else if (ended) finish(InputState.END, 0);
    else if (source?.isPaused() === true) source.resume();
  };

  /** Sleeps (without blocking the loop) until the consumer rings after making room. */
  const waitForRoom = (): void => {
    if (waiting) return;
    waiting = true;
    Atomics.store(cells, StdinCell.WAITING_ROOM, 1);
    const seen = Atomics.load(cells, StdinCell.DOORBELL);
    const wake = () => {
      waiting = false;
      Atomics.store(cells, StdinCell.WAITING_ROOM, 0);
      pump();
    };
    if (ring.free() > 0) { setImmediate(wake); return; }
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    if (waitAsync === undefined) { setTimeout(wake, 5); return; }
    const r = waitAsync(cells, StdinCell.DOORBELL, seen);
    if (r.async) void (r.value as Promise<string>).then(wake);
    else setImmediate(wake);
  };

  process.on('uncaughtException', (e) => {
    error = errnoOf(e) || Errno.IO;
    held.length = 0;
    finish(InputState.FAILED, error);
  });

  try {
    source = openSource(data.fd);
  } catch (e) {
    finish(InputState.FAILED, errnoOf(e));
    return;
  }
  source.on('data', (chunk: Buffer) => { held.push(chunk); pump(); });
  source.on('end', () => { ended = true; pump(); });
  source.on('close', () => { ended = true; pump(); });
  source.on('error', (e) => { if (error === 0) error = errnoOf(e); pump(); });
}

if (parentPort !== null) main(parentPort);
