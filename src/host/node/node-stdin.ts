/**
 * Real standard input for Node (layer: host, Node only).
 *
 * A guest's read of stdin is synchronous, but a pipe, a socket or a
 * terminal delivers data whenever it likes. NodeStdin gives such a host
 * descriptor real readiness: a reader thread (node-stdin-worker.ts) moves
 * what arrives into a shared ring and marks end of input, bumping the
 * process's ReadinessSignal; the guest's side reads the ring without ever
 * blocking (`tryRead` answers 'again' when it is empty), so the kernel waits
 * in Atomics.wait until something arrives (fd_read), and poll_oneoff says
 * ready only when a read will not block (nbytes = bytes buffered; hangup at
 * end of input).
 *
 * What Kiln takes over, and when:
 * - nothing until the guest first reads or polls the descriptor (a guest that
 *   never touches stdin leaves the host's stdin alone);
 * - from then on, the reader consumes the descriptor, up to the ring's size
 *   (64 KiB) plus one chunk ahead of the guest. When the guest closes the
 *   descriptor or exits, the reader is terminated; bytes it read and the
 *   guest did not are kept for the next guest given the same descriptor
 *   (`nodeInput` hands out one stream per descriptor), not for the host;
 * - the host's descriptor is not closed and, for a pipe or a terminal on
 *   Linux, its flags are not touched (the reader reopens it through
 *   /proc/self/fd and reads its own open file description). A socket is read
 *   directly, and libuv sets O_NONBLOCK on it (Node restores stdio's flags
 *   at exit);
 * - the reader thread is unref'd and stopped when the guest is done: it never
 *   keeps the host process alive.
 *
 * Files and character devices such as /dev/null never block: they are read
 * directly (NodeFdInput), as is everything where the reader cannot run (no
 * SharedArrayBuffer, or the compiled node-stdin-worker.js is not next to this
 * module, e.g. running TypeScript sources) or could not let go of the
 * descriptor (a socket above 2; off Linux, any descriptor above 2).
 *
 * The host process should not read the same descriptor while a guest does
 * (e.g. through `process.stdin`): both would take bytes from it.
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FileType } from '../../abi/constants.js';
import { Errno, WasiError } from '../../abi/errno.js';
import type { SharedRing } from '../net/ring-buffer.js';
import type { InputStream, ReadinessNotifier, StreamReadiness } from '../stdio.js';
import {
  bump, createStdinBuffer, InputState, StdinCell, viewStdinBuffer, type SignalCell, type StdinWorkerData,
  type StdinWorkerMessage,
} from './node-stdin-shared.js';
import { fileTypeOfFd, NodeFdInput } from './node-stdio.js';

const WORKER_URL = new URL('./node-stdin-worker.js', import.meta.url);

export interface NodeStdinOptions {
  /** Ring size in bytes, a power of two (default 64 KiB). */
  capacity?: number;
}

/** A pipe, socket or terminal descriptor read by a reader thread; see the module comment. */
export class NodeStdin implements InputStream {
  readonly filetype: FileType;
  readonly fd: number;
  readonly #buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  readonly #ring: SharedRing;
  #signal: ReadinessNotifier | undefined;
  #worker: Worker | undefined;
  #owner = 0;

  constructor(fd: number, options: NodeStdinOptions = {}) {
    this.fd = fd;
    this.filetype = fileTypeOfFd(fd);
    this.#buffer = createStdinBuffer(options.capacity);
    const { cells, ring } = viewStdinBuffer(this.#buffer);
    this.#cells = cells;
    this.#ring = ring;
  }

  /** True while a reader thread is running. */
  get reading(): boolean { return this.#worker !== undefined; }

  attach(signal: ReadinessNotifier): void {
    if (this.#signal === signal) return;
    this.#signal = signal;
    const cell = signalCell(signal);
    if (this.#worker !== undefined && cell !== undefined) {
      const m: StdinWorkerMessage = { type: 'signal', signal: cell };
      this.#worker.postMessage(m);
    }
  }

  tryRead(dst: Uint8Array): number | 'again' {
    this.#start();
    // State first: the reader marks the end only after the last byte is in the ring.
    const state = Atomics.load(this.#cells, StdinCell.STATE);
    const n = this.#ring.read([dst]);
    if (n > 0) {
      if (Atomics.load(this.#cells, StdinCell.WAITING_ROOM) !== 0) bump(this.#cells, StdinCell.DOORBELL);
      return n;
    }
    if (dst.byteLength === 0) return 0;
    if (state === InputState.END) return 0;
    if (state === InputState.FAILED) throw new WasiError(Atomics.load(this.#cells, StdinCell.ERRNO) || Errno.IO);
    return 'again';
  }

  readiness(): StreamReadiness {
    this.#start();
    const state = Atomics.load(this.#cells, StdinCell.STATE);
    const nbytes = this.#ring.used();
    const hangup = state !== InputState.OPEN;
    return { ready: nbytes > 0 || hangup, nbytes, hangup };
  }

  /** Blocking read for direct callers (the kernel uses tryRead): sleeps in Atomics.wait. */
  read(dst: Uint8Array): number {
    for (;;) {
      const seen = Atomics.load(this.#cells, StdinCell.CHANGED);
      const r = this.tryRead(dst);
      if (r !== 'again') return r;
      Atomics.wait(this.#cells, StdinCell.CHANGED, seen);
    }
  }

  available(): number { return this.#ring.used(); }

  /** Stops the reader thread (buffered bytes stay for the next read, which starts a new one). */
  close(): void {
    const w = this.#worker;
    if (w === undefined) return;
    this.#worker = undefined;
    // A stopped reader may still be mid-callback: it checks OWNER before touching the ring.
    Atomics.store(this.#cells, StdinCell.OWNER, 0);
    bump(this.#cells, StdinCell.DOORBELL);
    void w.terminate();
  }

  #start(): void {
    if (this.#worker !== undefined || Atomics.load(this.#cells, StdinCell.STATE) !== InputState.OPEN) return;
    const owner = ++this.#owner;
    Atomics.store(this.#cells, StdinCell.OWNER, owner);
    Atomics.store(this.#cells, StdinCell.WAITING_ROOM, 0);
    const data: StdinWorkerData = { fd: this.fd, buffer: this.#buffer, owner, signal: signalCell(this.#signal) };
    let worker: Worker;
    try {
      // Plain JS: no loader flags (e.g. tsx) from the host process.
      worker = new Worker(WORKER_URL, { workerData: data, execArgv: [], stdout: false, stderr: false });
    } catch {
      this.#fail(Errno.IO);
      return;
    }
    worker.unref();
    // Errors reach this thread only when its event loop runs; the reader reports its own in STATE.
    worker.on('error', () => { if (this.#worker === worker) this.#fail(Errno.IO); });
    this.#worker = worker;
  }

  #fail(errno: number): void {
    if (Atomics.load(this.#cells, StdinCell.STATE) !== InputState.OPEN) return;
    Atomics.store(this.#cells, StdinCell.ERRNO, errno);
    Atomics.store(this.#cells, StdinCell.STATE, InputState.FAILED);
    bump(this.#cells, StdinCell.CHANGED);
    this.#signal?.notify();
  }
}

function signalCell(signal: ReadinessNotifier | undefined): SignalCell | undefined {
  if (signal === undefined) return undefined;
  const c = signal.cell;
  if (!(c.buffer instanceof SharedArrayBuffer)) return undefined;
  return { buffer: c.buffer, index: c.byteOffset / 4 };
}

/**
 * True when `fd` may block on read (a pipe, a socket or a terminal) and the
 * reader can take it without closing it when it stops: libuv never closes
 * descriptors 0 to 2, and on Linux the reader reopens pipes and terminals
 * (a socket above 2 cannot be reopened, so it is read directly).
 */
function wantsReader(fd: number): boolean {
  const linux = process.platform === 'linux';
  if (tty.isatty(fd)) return fd <= 2 || linux;
  try {
    const s = fs.fstatSync(fd);
    if (s.isFIFO()) return fd <= 2 || linux;
    return s.isSocket() && fd <= 2;
  } catch {
    return false;
  }
}

let readerAvailable: boolean | undefined;
function canUseReader(): boolean {
  readerAvailable ??= typeof SharedArrayBuffer === 'function' && fs.existsSync(fileURLToPath(WORKER_URL));
  return readerAvailable;
}

const streams = new Map<number, NodeStdin>();

/**
 * Host descriptor `fd` as an input stream: a NodeStdin (one per descriptor,
 * shared by the guests given it) for a pipe, a socket or a terminal, else a
 * NodeFdInput read directly.
 */
export function nodeInput(fd: number): InputStream {
  if (!canUseReader() || !wantsReader(fd)) return new NodeFdInput(fd);
  let s = streams.get(fd);
  if (s === undefined) {
    s = new NodeStdin(fd);
    streams.set(fd, s);
  }
  return s;
}
