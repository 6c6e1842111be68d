/**
 * The socket I/O thread (layer: host, Node): a worker that owns the
 * net.Servers and their connections and moves bytes between them and the
 * shared memory the guest thread reads (see src/host/net/shared-layout.ts).
 * It never blocks: socket events and the guest's doorbell (awaited with
 * Atomics.waitAsync) both run `pump`, which delivers received bytes (pausing
 * a socket while its ring is full), writes queued bytes (respecting
 * 'drain'), propagates FIN, errors, shutdowns and closes, and finally bumps
 * the guest's readiness cell.
 *
 * Started by node-networking.ts with workerData {@link NetWorkerData}.
 * Messages out: `listening` (bound addresses) or `error` (code, address
 * index) once; `closed` after a `close` request has flushed everything.
 */
import net from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { ListenAddress } from '../net/address.js';
import { ListenerIoSide, type ReadinessCell } from '../net/io-side.js';
import { SlotState } from '../net/shared-layout.js';

export interface NetWorkerData {
  listeners: { address: ListenAddress; buffer: SharedArrayBuffer }[];
  readiness: ReadinessCell;
}

export type NetWorkerMessage =
  | { type: 'listening'; addresses: ListenAddress[] }
  | { type: 'error'; index: number; code: string; message: string }
  | { type: 'closed' };

/** How long `close` waits for queued output to reach the system before dropping connections. */
const CLOSE_GRACE_MS = 1000;

interface Conn {
  socket: net.Socket;
  /** The slot in shared memory, or -1 once the guest closed it. */
  slot: number;
  /** Received bytes that did not fit in the ring yet. */
  held: Uint8Array[];
  peerEnded: boolean;
  gone: boolean;
  error: number;
  ended: boolean;
  draining: boolean;
}

class ListenerPump {
  readonly io: ListenerIoSide;
  readonly server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  readonly #conns = new Map<number, Conn>();
  readonly #waiting: net.Socket[] = [];
  readonly #sockets = new Set<net.Socket>();
  #listening = true;
  #stopped = false;

  constructor(buffer: SharedArrayBuffer, readiness: ReadinessCell) {
    this.io = new ListenerIoSide(buffer, readiness);
    this.server.on('connection', (s) => this.#onConnection(s));
  }

  listen(address: ListenAddress): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: address.host, port: address.port }, () => {
        this.server.off('error', reject);
        const a = this.server.address() as net.AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Serves the guest's doorbell until `close`. */
  async run(): Promise<void> {
    while (!this.#stopped) {
      const seen = this.io.rung;
      this.pump();
      await this.io.doorbell(seen);
    }
  }

  pump(): void {
    let changed = false;
    if (this.#listening && this.io.listenerClosed()) changed = this.#stopListening() || changed;
    for (const conn of [...this.#conns.values()]) changed = this.#pumpConn(conn) || changed;
    this.#assign();
    if (changed) this.io.notify();
  }

  /** Flushes what the guest queued, ends every connection, then closes them once that output is out. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.pump();
    if (this.#listening) this.#stopListening();
    for (const conn of this.#conns.values()) {
      this.#flush(conn, true);
      this.#end(conn);
    }
    // Like a native process exiting: once what the guest sent is handed to
    // the system (FIN included), close; the system finishes delivering it.
    const unfinished = [...this.#sockets].filter((s) => !s.destroyed && !s.writableFinished);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(unfinished.map((s) => new Promise((r) => { s.once('finish', r); s.once('close', r); }))),
      new Promise((r) => { timer = setTimeout(r, CLOSE_GRACE_MS); }),
    ]);
    clearTimeout(timer);
    for (const s of this.#sockets) s.destroy();
  }

  #onConnection(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      const i = this.#waiting.indexOf(socket);
      if (i >= 0) this.#waiting.splice(i, 1);
    });
    socket.on('error', () => { /* handled per connection once it has a slot */ });
    if (!this.#listening) { socket.destroy(); return; }
    this.#waiting.push(socket);
    this.#assign();
  }

  /** Gives waiting connections free slots and queues them for accept. */
  #assign(): void {
    while (this.#waiting.length > 0 && this.#listening) {
      const slot = this.io.freeSlot();
      if (slot < 0) return;
      this.#attach(this.#waiting.shift()!, slot);
    }
  }

  #attach(socket: net.Socket, slot: number): void {
    const conn: Conn = { socket, slot, held: [], peerEnded: false, gone: false, error: 0, ended: false, draining: false };
    this.#conns.set(slot, conn);
    const update = () => { if (this.#pumpConn(conn)) this.io.notify(); };
    socket.on('data', (chunk: Buffer) => {
      if (conn.slot < 0 || this.io.readShut(conn.slot)) return; // discarded
      conn.held.push(chunk);
      update();
    });
    socket.on('end', () => { conn.peerEnded = true; update(); });
    socket.on('error', (e) => { if (conn.error === 0) conn.error = errnoOf(e); update(); });
    socket.on('close', () => { conn.gone = true; update(); });
    socket.on('drain', () => { conn.draining = false; update(); });
    this.io.offer(slot);
    socket.resume();
  }

  /** Moves one connection's state forward; true if the guest may see a change. */
  #pumpConn(conn: Conn): boolean {
    const slot = conn.slot;
    if (slot < 0) return false;
    const io = this.io;
    if (io.state(slot) === SlotState.CLOSED) {
      this.#flush(conn, true);
      this.#end(conn);
      this.#release(conn);
      return true;
    }
    let changed = false;
    // Received bytes → ring; pause the socket while the ring is full.
    if (io.readShut(slot)) conn.held = [];
    while (conn.held.length > 0) {
      const chunk = conn.held[0]!;
      const n = io.deliver(slot, chunk);
      if (n > 0) changed = true;
      if (n < chunk.byteLength) { conn.held[0] = chunk.subarray(n); break; }
      conn.held.shift();
    }
    if (conn.held.length > 0) {
      conn.socket.pause();
    } else {
      if ((conn.peerEnded || conn.gone) && !io.peerClosedSet(slot)) { io.peerClosed(slot); changed = true; }
      if (conn.socket.isPaused() && !conn.peerEnded && !conn.gone) conn.socket.resume();
    }
    if (conn.error !== 0 || (conn.gone && !conn.ended)) {
      if (io.fail(slot, conn.error || Errno.CONNRESET)) changed = true;
      // Nothing more can be sent: drop queued bytes so a blocked send wakes and sees the error.
      if (io.takeOutbound(slot) !== undefined) changed = true;
      return changed;
    }
    if (this.#flush(conn, false)) changed = true;
    if (io.writeShut(slot) && !conn.draining && io.mem.outRing(slot).used() === 0) this.#end(conn);
    return changed;
  }

  /** Writes the guest's queued bytes; `force` ignores backpressure. True if any moved. */
  #flush(conn: Conn, force: boolean): boolean {
    let moved = false;
    if (conn.slot < 0) return false;
    while (force || !conn.draining) {
      const data = this.io.takeOutbound(conn.slot);
      if (data === undefined) break;
      moved = true;
      if (conn.gone || conn.ended || conn.error !== 0) continue;
      if (!conn.socket.write(data)) conn.draining = true;
    }
    return moved;
  }

  #end(conn: Conn): void {
    if (conn.ended) return;
    conn.ended = true;
    if (!conn.gone) conn.socket.end();
  }

  /** The guest closed the connection: the slot goes back to the pool; the socket finishes on its own. */
  #release(conn: Conn): void {
    this.#conns.delete(conn.slot);
    this.io.release(conn.slot);
    conn.slot = -1;
    conn.held = [];
    // Keep reading (and discarding) so the peer's FIN lets the socket close.
    conn.socket.resume();
  }

  /** The guest closed the listener: stop accepting and drop connections it never accepted. */
  #stopListening(): boolean {
    this.#listening = false;
    this.server.close();
    for (const s of this.#waiting.splice(0)) s.destroy();
    let changed = false;
    for (const conn of [...this.#conns.values()]) {
      if (this.io.state(conn.slot) !== SlotState.PENDING) continue;
      conn.socket.destroy();
      this.#release(conn);
      changed = true;
    }
    return changed;
  }
}

function main(port: MessagePort): void {
  const data = workerData as NetWorkerData;
  const pumps = data.listeners.map((l) => new ListenerPump(l.buffer, data.readiness));
  const post = (m: NetWorkerMessage) => port.postMessage(m);

  process.on('uncaughtException', (e) => {
    for (const p of pumps) p.io.failAll(Errno.IO);
    process.stderr.write(`kiln: socket I/O thread failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  });

  port.on('message', (m: { type: string }) => {
    if (m.type !== 'close') return;
    void Promise.all(pumps.map((p) => p.close())).then(() => post({ type: 'closed' }));
  });

  void (async () => {
    const addresses: ListenAddress[] = [];
    for (let i = 0; i < pumps.length; i++) {
      try {
        addresses.push(await pumps[i]!.listen(data.listeners[i]!.address));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        post({ type: 'error', index: i, code: err.code ?? 'EIO', message: err.message });
        return;
      }
    }
    post({ type: 'listening', addresses });
    for (const p of pumps) void p.run();
  })();
}

if (parentPort !== null) main(parentPort);
