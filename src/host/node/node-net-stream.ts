/**
 * One TCP connection on the socket I/O thread (layer: host, Node): a
 * net.Socket a guest connected or a listener accepted, moving bytes
 * between it and the socket's shared memory (host/net/socket-layout.ts).
 *
 * It never blocks. Socket events and the kernel's doorbell both run
 * `pump`, which delivers received bytes into the in-ring (holding back
 * and pausing the socket while the ring is full, so a guest that stops
 * reading stops the peer instead of growing a buffer here), writes what
 * the kernel queued in the out-ring (taking no more until 'drain'),
 * propagates FIN, errors and shutdowns, and bumps the readiness signal.
 * A TLS connection (`connectTls`) is a tls.TLSSocket here, which reads and
 * writes plaintext like a net.Socket once its handshake is done.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect as connectTls, rootCertificates, TLSSocket, type PeerCertificate } from 'node:tls';
import { Errno } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { SocketOption } from '../net/networking.js';
import type { IpFamily, SocketAddress } from '../net/socket-address.js';
import { IoState } from '../net/socket-layout.js';
import type { SocketIoSide } from '../net/socket-io-side.js';
import { socketAddress, type HostSocket } from './node-net-host-socket.js';

/** OpenSSL's and Node's codes for a peer certificate the host does not accept. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The errno of a TLS connection's failure: EACCES for a certificate it does not accept, EPROTO for another TLS failure. */
function tlsErrnoOf(e: unknown): Errno {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return Errno.ACCES;
  if (typeof code === 'string' && /^ERR_(SSL|TLS)_/.test(code)) return Errno.PROTO;
  return errnoOf(e);
}

/** The certificates TLS connections of this thread trust; undefined: the host's own (Node's defaults). */
let trustedCertificates: string[] | undefined;

/**
 * Makes TLS connections of this thread trust `extra` besides the host's
 * own: Node's bundled roots and the file NODE_EXTRA_CA_CERTS names (a
 * `ca` option replaces Node's defaults, so they are given again).
 */
export function trustCertificates(extra: readonly string[]): void {
  if (extra.length === 0) return;
  const fromEnvironment: string[] = [];
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (file !== undefined && file !== '') {
    try {
      fromEnvironment.push(readFileSync(file, 'utf8'));
    } catch {
      // Node itself warns about an unreadable file at start-up and goes on without it.
    }
  }
  trustedCertificates = [...rootCertificates, ...fromEnvironment, ...extra];
}

/** A TLS connection over TCP, its peer's certificate checked for `serverName` (no SNI for an IP address). */
function tlsConnect(options: net.TcpNetConnectOpts, serverName: string): TLSSocket {
  const isIp = net.isIP(serverName) !== 0;
  return connectTls({
    ...options,
    ...(isIp ? {} : { servername: serverName }),
    ...(trustedCertificates === undefined ? {} : { ca: trustedCertificates }),
    ALPNProtocols: ['http/1.1'],
    // Node's own check, of the name the guest asked for (the connection itself goes to an address).
    checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert),
  });
}

/** How long a connection the kernel closed may take to hand its last bytes and FIN to the system. */
const LINGER_MS = 30_000;

export class HostStream implements HostSocket {
  readonly io: SocketIoSide;
  readonly family: IpFamily;
  readonly #options: Map<SocketOption, number | boolean>;
  #socket: net.Socket | undefined;
  /** Received bytes that did not fit in the in-ring yet. */
  #held: Uint8Array[] = [];
  #connected = false;
  #peerEnded = false;
  #gone = false;
  #error = 0;
  #ended = false;
  #draining = false;
  /** The kernel closed it: nothing is delivered any more. */
  #released = false;
  #finished: Promise<void> | undefined;

  constructor(io: SocketIoSide, family: IpFamily, options: ReadonlyMap<SocketOption, number | boolean>) {
    this.io = io;
    this.family = family;
    this.#options = new Map(options);
  }

  /** Connects to `address` (from `local`, when the kernel bound the socket first; over TLS when `tls` is given). */
  connect(address: SocketAddress, local: SocketAddress | undefined, tls?: { serverName: string }): void {
    if (address.port === 0) {
      this.#error = Errno.CONNREFUSED;
      this.#gone = true;
      this.pump();
      return;
    }
    const options: net.TcpNetConnectOpts = {
      host: address.ip, port: address.port, family: this.family === 'ipv4' ? 4 : 6, allowHalfOpen: true,
    };
    if (local !== undefined) {
      options.localAddress = local.ip;
      if (local.port !== 0) options.localPort = local.port;
    }
    let socket: net.Socket;
    try {
      socket = tls === undefined ? net.connect(options) : tlsConnect(options, tls.serverName);
    } catch (e) {
      this.#error = errnoOf(e);
      this.#gone = true;
      this.pump();
      return;
    }
    this.#listen(socket);
    // A TLS connection carries the guest's bytes once its handshake is done.
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      this.#connected = true;
      this.io.connected(
        socketAddress(this.family, socket.localAddress, socket.localPort),
        socketAddress(this.family, socket.remoteAddress, socket.remotePort),
      );
      this.#applyOptions();
      this.io.notify();
      this.pump();
    });
  }

  /** Takes over a connection a listener accepted (paused; its addresses are already in the shared memory). */
  attach(socket: net.Socket): void {
    this.#connected = true;
    this.#listen(socket);
    this.#applyOptions();
    socket.resume();
  }

  pump(): void {
    if (this.#released) return;
    const io = this.io;
    const socket = this.#socket;
    let changed = false;
    // Received bytes → in-ring; the socket stays paused while some are held back.
    if (io.readShut()) this.#held = [];
    if (this.#deliver()) changed = true;
    if (this.#held.length > 0) {
      socket?.pause();
    } else {
      if ((this.#peerEnded || this.#gone) && this.#connected && !io.has(IoState.PEER_CLOSED)) {
        io.set(IoState.PEER_CLOSED);
        changed = true;
      }
      if (socket !== undefined && this.#connected && socket.isPaused() && !this.#peerEnded && !this.#gone) socket.resume();
    }
    if (this.#error !== 0 || (this.#gone && !this.#ended)) {
      if (io.fail(this.#error || Errno.CONNRESET)) changed = true;
      // Nothing more can be sent: drop what is queued so a blocked send wakes and sees the error.
      if (io.discardOutbound()) changed = true;
    } else if (this.#connected) {
      if (this.#flush(false)) changed = true;
      if (io.writeShut() && !this.#draining && io.mem.outRing.used() === 0) this.#end();
    }
    if (changed) io.notify();
  }

  setOption(option: SocketOption, value: number | boolean): void {
    this.#options.set(option, value);
    if (this.#connected) this.#apply(option, value);
  }

  close(): Promise<void> {
    if (!this.#released) {
      if (this.#connected) this.#flush(true);
      this.#released = true;
      this.#held = [];
      const socket = this.#socket;
      if (socket === undefined || !this.#connected || this.#gone) {
        this.destroy();
      } else {
        // As close(2) does: the queued bytes and FIN go to the system, then the socket is released.
        this.#end();
        socket.once('finish', () => socket.destroy());
        if (socket.writableFinished) socket.destroy();
        const timer = setTimeout(() => socket.destroy(), LINGER_MS);
        socket.once('close', () => clearTimeout(timer));
      }
    }
    return this.#finished ?? Promise.resolve();
  }

  destroy(): void {
    this.#released = true;
    this.#held = [];
    this.#socket?.destroy();
  }

  fail(errno: number): void {
    if (this.io.fail(errno)) this.io.notify();
  }

  #listen(socket: net.Socket): void {
    this.#socket = socket;
    this.#finished = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      if (this.#released || this.io.readShut()) return; // discarded
      this.#held.push(chunk);
      this.pump();
    });
    socket.on('end', () => { this.#peerEnded = true; this.pump(); });
    socket.on('error', (e) => { if (this.#error === 0) this.#error = socket instanceof TLSSocket ? tlsErrnoOf(e) : errnoOf(e); this.pump(); });
    socket.on('close', () => { this.#gone = true; this.pump(); });
    socket.on('drain', () => { this.#draining = false; this.pump(); });
  }

  /** Moves held bytes into the in-ring; true if any moved. Sets HOLDING while some are left, so reads that free room ring the doorbell. */
  #deliver(): boolean {
    let moved = this.#deliverHeld();
    if (this.#held.length > 0) {
      this.io.set(IoState.HOLDING);
      // The kernel may have made room before it could see HOLDING.
      if (this.#deliverHeld()) moved = true;
    }
    if (this.#held.length === 0 && this.io.has(IoState.HOLDING)) this.io.clear(IoState.HOLDING);
    return moved;
  }

  #deliverHeld(): boolean {
    let moved = false;
    while (this.#held.length > 0) {
      const chunk = this.#held[0]!;
      const n = this.io.deliver(chunk);
      if (n > 0) moved = true;
      if (n < chunk.byteLength) {
        this.#held[0] = chunk.subarray(n);
        break;
      }
      this.#held.shift();
    }
    return moved;
  }

  /** Writes what the kernel queued; `force` ignores backpressure. True if any moved. */
  #flush(force: boolean): boolean {
    let moved = false;
    while (force || !this.#draining) {
      const data = this.io.takeOutbound();
      if (data === undefined) break;
      moved = true;
      if (this.#gone || this.#ended || this.#error !== 0 || this.#socket === undefined) continue;
      if (!this.#socket.write(data)) this.#draining = true;
    }
    return moved;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#gone) this.#socket?.end();
  }

  #applyOptions(): void {
    for (const [option, value] of this.#options) this.#apply(option, value);
  }

  #apply(option: SocketOption, value: number | boolean): void {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    if (option === 'noDelay') socket.setNoDelay(Boolean(value));
    if (option === 'keepAlive') socket.setKeepAlive(Boolean(value));
    // The rest (buffer sizes, ttl, ...) has no Node API for TCP: stored and reported by the kernel side.
  }
}
