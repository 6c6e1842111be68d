/**
 * The socket I/O thread (layer: host, Node): a worker that owns the host
 * sockets of one networking (host/node/node-networking.ts) and serves the
 * shared-memory socket protocol (host/net/socket-protocol.ts): commands
 * arrive as messages; bytes and state go through each socket's shared
 * memory; the kernel's doorbell (awaited with Atomics.waitAsync, so this
 * thread never blocks) makes it pump every socket.
 *
 * Started with workerData {@link NetWorkerData}. The only message it sends
 * is `settled`, the answer to `settle`.
 *
 * A test hook: with `KILN_TEST_NET_STALL_MS` in the environment (which a
 * worker inherits from the thread that starts it), the thread stalls that
 * many milliseconds before it handles each command and each ring of the
 * doorbell, doing nothing meanwhile, as a thread that a loaded machine
 * leaves unscheduled. Tests use it to check that nothing of a guest's
 * output depends on this thread keeping up with the kernel.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Errno } from '../../abi/errno.js';
import type { SocketOption } from '../net/networking.js';
import { SocketIoSide } from '../net/socket-io-side.js';
import type { NetCommand, NetReply, NetWorkerData } from '../net/socket-protocol.js';
import { HostDatagram } from './node-net-datagram.js';
import type { HostSocket, SocketRegistry } from './node-net-host-socket.js';
import { HostListener } from './node-net-listener.js';
import { lookupHost } from './node-net-lookup.js';
import { probeBind, type HeldAddress } from './node-net-probe.js';
import { HostStream, trustCertificates } from './node-net-stream.js';

/**
 * How long `settle` waits for queued output to reach the system before
 * dropping connections (a peer that never reads holds Kiln's exit that
 * long). A dropped connection is reset with the guest's last bytes
 * unsent, so the wait leaves a loaded machine room.
 */
const SETTLE_GRACE_MS = 10_000;

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };

interface Closing { id: number; socket: HostSocket; done: Promise<void> }

/** The stall of the test hook (see above); 0 without it. */
const STALL_MS = Math.max(0, Number(process.env['KILN_TEST_NET_STALL_MS'] ?? 0) || 0);

/** Blocks this thread for STALL_MS (the test hook); returns at once without it. */
function stall(): void {
  if (STALL_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS);
}

class NetWorker implements SocketRegistry {
  readonly #sockets = new Map<number, HostSocket>();
  /** Addresses held for stream sockets between their bind and their listen, connect or close (node-net-probe.ts). */
  readonly #held = new Map<number, HeldAddress>();
  /** Sockets the kernel closed that are still finishing (sending their last bytes and FIN). */
  readonly #closing = new Set<Closing>();
  readonly #lookups = new Set<number>();
  readonly #doorbell: Int32Array;
  readonly #post: (reply: NetReply) => void;

  constructor(data: NetWorkerData, post: (reply: NetReply) => void) {
    this.#doorbell = new Int32Array(data.doorbell, 0, 1);
    this.#post = post;
  }

  add(id: number, socket: HostSocket): void { this.#sockets.set(id, socket); }

  remove(id: number): HostSocket | undefined {
    const s = this.#sockets.get(id);
    this.#sockets.delete(id);
    return s;
  }

  /** Pumps every socket whenever the kernel rings the doorbell. */
  async serve(): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    for (;;) {
      const seen = Atomics.load(this.#doorbell, 0);
      for (const s of this.#sockets.values()) s.pump();
      const w = waitAsync(this.#doorbell, 0, seen);
      if (w.async) await w.value;
      stall();
    }
  }

  handle(c: NetCommand): void {
    stall();
    this.#handle(c);
    // The kernel may have queued data and rung the doorbell before this
    // command arrived (a doorbell is shared memory, a command a message):
    // what the socket holds now is pumped now, not at the next ring.
    if (c.op !== 'close' && c.op !== 'lookup' && c.op !== 'cancelLookup' && c.op !== 'probe' && c.op !== 'settle') this.#sockets.get(c.id)?.pump();
  }

  #handle(c: NetCommand): void {
    switch (c.op) {
      case 'open': {
        const io = new SocketIoSide(c.buffer, c.readiness);
        const options = new Map(Object.entries(c.options) as [SocketOption, number | boolean][]);
        const socket = c.kind === 'datagram' ? new HostDatagram(io, c.family, options)
          : io.mem.acceptSlots > 0 ? new HostListener(io, c.family, options, this)
            : new HostStream(io, c.family, options);
        this.#sockets.set(c.id, socket);
        return;
      }
      case 'bind': {
        const s = this.#sockets.get(c.id);
        if (s instanceof HostDatagram) s.bind(c.seq, c.address);
        return;
      }
      case 'listen': {
        const s = this.#sockets.get(c.id);
        const held = this.#held.get(c.id);
        this.#held.delete(c.id);
        if (s instanceof HostListener) s.listen(c.seq, c.address, c.backlog, c.spares, held);
        else held?.close();
        return;
      }
      case 'spare': {
        const s = this.#sockets.get(c.id);
        if (s instanceof HostListener) s.spare(c.spare);
        return;
      }
      case 'connect': {
        this.#letGo(c.id); // the socket connects from its address: the probe's server must not hold it
        const s = this.#sockets.get(c.id);
        if (s instanceof HostStream) s.connect(c.address, c.local, c.tls);
        if (s instanceof HostDatagram) s.connect(c.address);
        return;
      }
      case 'setOption':
        this.#sockets.get(c.id)?.setOption(c.option, c.value);
        return;
      case 'membership': {
        const s = this.#sockets.get(c.id);
        if (s instanceof HostDatagram) s.membership(c.seq, c.join, c.group, c.iface);
        return;
      }
      case 'close': {
        this.#letGo(c.id);
        const s = this.remove(c.id);
        if (s !== undefined) this.#closed(c.id, s);
        return;
      }
      case 'lookup':
        this.#lookups.add(c.id);
        lookupHost(c.host, c.buffer, c.readiness, () => this.#lookups.delete(c.id));
        return;
      case 'probe':
        this.#letGo(c.socket);
        this.#held.set(c.socket, probeBind(c.address, c.onlyV6, c.buffer, c.readiness));
        return;
      case 'cancelLookup':
        this.#lookups.delete(c.id);
        return;
      case 'settle':
        void this.#settle(c.ids, c.token);
        return;
    }
  }

  /** Something broke this thread: every socket fails, so no kernel waits forever. */
  failAll(errno: number): void {
    for (const s of this.#sockets.values()) s.fail(errno);
    for (const id of [...this.#held.keys()]) this.#letGo(id);
  }

  /** Lets go of the address held for socket `id` since its bind (node-net-probe.ts), if any. */
  #letGo(id: number): void {
    this.#held.get(id)?.close();
    this.#held.delete(id);
  }

  #closed(id: number, socket: HostSocket): Closing {
    const entry: Closing = { id, socket, done: socket.close() };
    this.#closing.add(entry);
    void entry.done.then(() => this.#closing.delete(entry));
    return entry;
  }

  /**
   * Closes `ids` (see the `settle` command), waits for them and the
   * sockets already closing to finish within the grace period, drops the
   * rest, answers.
   */
  async #settle(ids: readonly number[] | 'all' | 'closed', token: number): Promise<void> {
    const wanted = typeof ids === 'string' ? undefined : new Set(ids);
    if (ids === 'all') for (const id of [...this.#held.keys()]) this.#letGo(id);
    const entries: Closing[] = [];
    for (const [id, s] of [...this.#sockets]) {
      if (ids === 'closed' || (wanted !== undefined && !wanted.has(id))) continue;
      this.#sockets.delete(id);
      entries.push(this.#closed(id, s));
      // A kernel still holding it sees the network gone.
      s.fail(Errno.NETDOWN);
    }
    for (const e of this.#closing) if ((wanted === undefined || wanted.has(e.id)) && !entries.includes(e)) entries.push(e);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(entries.map((e) => e.done)),
      new Promise((r) => { timer = setTimeout(r, SETTLE_GRACE_MS); }),
    ]);
    clearTimeout(timer);
    for (const e of entries) e.socket.destroy();
    this.#post({ op: 'settled', token });
  }
}

function main(port: MessagePort): void {
  const data = workerData as NetWorkerData;
  trustCertificates(data.trustedCertificates ?? []);
  const worker = new NetWorker(data, (r) => port.postMessage(r));
  process.on('uncaughtException', (e) => {
    worker.failAll(Errno.IO);
    process.stderr.write(`kiln: socket I/O thread failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  });
  port.on('message', (c: NetCommand) => worker.handle(c));
  void worker.serve();
}

if (parentPort !== null) main(parentPort);
