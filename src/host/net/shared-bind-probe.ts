/**
 * Binding a stream socket's address before it listens or connects (layer:
 * host, platform-neutral), so that `bind` answers as on Linux: EADDRINUSE
 * (or EADDRNOTAVAIL, EACCES) at once, and port 0 turned into the port the
 * system chose, for `getsockname` before `listen`. Node cannot hold a TCP
 * port without listening on it, so the I/O thread probes: it listens on
 * the address, answers with the port, and holds it for the socket. The
 * socket's listen takes that server over (a peer that connected in
 * between waits for accept, where closing it would have reset the peer);
 * its connect or close lets the address go first (a port taken in between
 * shows then, as EADDRINUSE).
 *
 * The kernel posts a `probe` command with a small SharedArrayBuffer; the
 * I/O thread writes the answer there, then bumps the readiness signal.
 * Layout: Int32 cells DONE (0, then 1), ERRNO, PORT; DONE and ERRNO where
 * a lookup's answer has them (shared-lookup.ts), so that a failed I/O
 * thread fails probes as it fails lookups.
 */
import { Errno, WasiError } from '../../abi/errno.js';

const enum Cell { DONE = 0, ERRNO = 1, PORT = 2, CELLS = 4 }

/** A new answer area. */
export function probeBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(Cell.CELLS * 4);
}

/** I/O thread: writes the port bound, or the errno of a failure. */
export function writeProbe(buffer: SharedArrayBuffer, answer: { port: number } | { errno: number }): void {
  const cells = new Int32Array(buffer, 0, Cell.CELLS);
  if ('errno' in answer) Atomics.store(cells, Cell.ERRNO, answer.errno);
  else Atomics.store(cells, Cell.PORT, answer.port);
  Atomics.store(cells, Cell.DONE, 1);
}

/** The kernel's view of a probe under way. */
export class BindProbe {
  readonly #cells: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer, 0, Cell.CELLS);
  }

  /** The port bound; AGAIN until the I/O thread answered; its errno if the address cannot be bound. */
  port(): number {
    if (Atomics.load(this.#cells, Cell.DONE) === 0) throw new WasiError(Errno.AGAIN);
    const errno = Atomics.load(this.#cells, Cell.ERRNO);
    if (errno !== 0) throw new WasiError(errno);
    return Atomics.load(this.#cells, Cell.PORT);
  }
}
