/**
 * The networking contract: one suite of tests that every implementation of
 * `VirtualNetworking` (src/host/net/networking.ts) must pass, so that an
 * embedder's own network can be checked against what Kiln's kernel relies
 * on (Node only: it registers its tests with `node:test`).
 *
 * `networkingContract(name, make, options)` registers a `describe` block
 * of tests; each test makes a fresh network with `make` and works through
 * the interface alone: stream and datagram sockets on 127.0.0.1 (and ::1),
 * always on ports the network chooses (port 0, never a fixed one), and
 * name lookups. It checks exact bytes, exact addresses and exact errnos.
 *
 * Nothing is assumed to happen at once: a host network's data arrives from
 * another thread, later. Every operation that may answer EAGAIN is retried,
 * sleeping on the readiness signal between tries as the kernel does, until
 * it answers otherwise or a deadline (5 s by default) fails the test, with
 * a message that names the operation. A network that never bumps the
 * signal of a socket whose state changed fails the same way.
 *
 * Where networks legitimately differ, `options` says what the one under
 * test does (IPv6, whether a refused connection shows at once, TLS).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, WasiError, errnoName } from '../abi/errno.js';
import type { HostLookup, SocketKind, SocketState, VirtualNetworking, VirtualSocket } from '../host/net/networking.js';
import { ReadinessSignal } from '../host/readiness-signal.js';
import { anyAddress, loopbackAddress, type IpFamily, type SocketAddress } from '../host/net/socket-address.js';

/** A TLS server the network under test reaches, for `connectTls`. */
export interface TlsPeer {
  /** Where it listens. */
  address: SocketAddress;
  /** The name its certificate holds (the certificate holds the address's IP too). */
  serverName: string;
}

/** What `make` returns: a fresh network, and how to dispose of it. */
export interface NetworkingFixture {
  /** The network under test. */
  networking: VirtualNetworking;
  /**
   * For a network with `connectTls` (option `tls`): two TLS servers that
   * echo what they receive, one whose certificate the network trusts and
   * one whose certificate it does not.
   */
  tls?: { trusted: TlsPeer; untrusted: TlsPeer };
  /** Called after the test (also when it failed), once its sockets are closed; may return a Promise. */
  cleanup?: () => void | Promise<void>;
}

/** What the network under test does, where networks legitimately differ. */
export interface NetworkingContractOptions {
  /** It reaches ::1 (default true). False on a host without IPv6: the IPv6 tests are skipped. */
  ipv6?: boolean;
  /**
   * A refused connection shows in `state().error` as soon as `connect`
   * returns (default false: it may show later, after `connecting`). True
   * for an in-memory network, which then is checked for it.
   */
  refusedImmediately?: boolean;
  /**
   * It delivers datagrams sent to a multicast group to the members (default
   * true). False for a network without multicast, or a host one whose
   * interfaces have no route for 239.0.0.0/8: the multicast tests are skipped.
   */
  multicast?: boolean;
  /** How long one operation may keep answering EAGAIN before the test fails, in milliseconds (default 5000). */
  timeoutMs?: number;
  /**
   * Its stream sockets have `connectTls`, and the fixture gives TLS peers
   * (`NetworkingFixture.tls`) (default false: the TLS tests are skipped).
   */
  tls?: boolean;
}

type WaitAsync = (cell: Int32Array, index: number, value: number, timeoutMs: number) =>
  { async: false; value: string } | { async: true; value: Promise<string> };

const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Sleeps until `signal` moves past `seen` or `ms` pass (polling in short naps where the signal is not in shared memory). */
async function sleepOn(signal: ReadinessSignal, seen: number, ms: number): Promise<void> {
  if (waitAsync !== undefined && typeof SharedArrayBuffer === 'function' && signal.cell.buffer instanceof SharedArrayBuffer) {
    const r = waitAsync(signal.cell, 0, seen, ms);
    if (!r.async) return;
    // A pending waitAsync does not keep Node's event loop alive: a timer does, until the wait ends.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([r.value, new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
    clearTimeout(timer);
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
}

function isAgain(e: unknown): boolean {
  return e instanceof WasiError && e.errno === Errno.AGAIN;
}

/** Thrown by a retried operation that is not there yet. */
function again(): never {
  throw new WasiError(Errno.AGAIN);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (s: string): Uint8Array => encoder.encode(s);
const str = (b: Uint8Array): string => decoder.decode(b);

/** Bytes 0, 1, ..., 250, 0, 1, ...: byte `i` of a long transfer is `i % 251`, so a lost, repeated or reordered chunk shows. */
const PATTERN = Uint8Array.from({ length: 251 + 64 * 1024 }, (_, i) => i % 251);
const CHUNK = 64 * 1024;

/** The pattern's bytes from stream offset `at`, `n` of them (n <= 64 KiB). */
function patternAt(at: number, n: number): Uint8Array {
  const start = at % 251;
  return PATTERN.subarray(start, start + n);
}

function expectErrno(fn: () => unknown, errno: Errno, what: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `${what}: expected E${errnoName(errno)}, but it succeeded`);
  if (!(thrown instanceof WasiError)) throw thrown;
  assert.equal(`E${errnoName(thrown.errno)}`, `E${errnoName(errno)}`, `${what}: ${thrown.message}`);
}

/** One test's network, signal and sockets (all closed when the test ends). */
class Harness {
  /** The signal of every socket made without one of its own. */
  readonly signal = new ReadinessSignal();
  readonly #sockets: VirtualSocket[] = [];

  constructor(readonly net: VirtualNetworking, readonly timeoutMs: number) {}

  socket(family: IpFamily, kind: SocketKind, signal: ReadinessSignal = this.signal): VirtualSocket {
    const s = this.net.socket(family, kind, signal);
    this.#sockets.push(s);
    return s;
  }

  /** Tracks a socket the network made (an accepted one), so that it is closed at the end. */
  track(s: VirtualSocket): VirtualSocket {
    this.#sockets.push(s);
    return s;
  }

  /** Calls `op` until it answers anything but EAGAIN, sleeping on `signal` in between; fails after the deadline. */
  async until<T>(what: string, op: () => T, signal: ReadinessSignal = this.signal): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const seen = signal.generation;
      try {
        return op();
      } catch (e) {
        if (!isAgain(e)) throw e;
      }
      await this.nap(what, signal, seen, deadline);
    }
  }

  /** Sleeps on `signal` until it moves past `seen`; fails the test once `deadline` has passed. */
  async nap(what: string, signal: ReadinessSignal, seen: number, deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) {
      assert.fail(`${what}: still EAGAIN after ${this.timeoutMs} ms (it never became ready, or the readiness signal was not bumped when it did)`);
    }
    await sleepOn(signal, seen, left);
  }

  /** Expects `op` to fail with `errno`, once it stops answering EAGAIN. */
  async rejects(what: string, op: () => unknown, errno: Errno, signal: ReadinessSignal = this.signal): Promise<void> {
    let thrown: unknown;
    try {
      await this.until(what, op, signal);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown !== undefined, `${what}: expected E${errnoName(errno)}, but it succeeded`);
    if (!(thrown instanceof WasiError)) throw thrown;
    assert.equal(`E${errnoName(thrown.errno)}`, `E${errnoName(errno)}`, `${what}: ${thrown.message}`);
  }

  /** The socket's state once its connection attempt is over (connected, or failed with an error). */
  settled(s: VirtualSocket, signal: ReadinessSignal = this.signal): Promise<SocketState> {
    return this.until('connect (waiting for state().connected or state().error)', () => {
      const st = s.state();
      return st.connected || st.error !== 0 ? st : again();
    }, signal);
  }

  /** A stream socket listening on the family's loopback address, at a port the network chose. */
  async listener(family: IpFamily, signal: ReadinessSignal = this.signal): Promise<{ socket: VirtualSocket; address: SocketAddress }> {
    const socket = this.socket(family, 'stream', signal);
    await this.until('bind', () => socket.bind({ family, ip: loopbackAddress(family), port: 0 }), signal);
    await this.until('listen', () => socket.listen(16), signal);
    const address = socket.localAddress();
    assert.equal(address.family, family, 'the listener\'s family');
    assert.equal(address.ip, loopbackAddress(family), 'the listener\'s address');
    assert.ok(address.port > 0 && address.port <= 65535, `the listener has the port the network chose (got ${address.port})`);
    return { socket, address };
  }

  /** A connected pair: `client` connected to a listener, `server` the connection it accepted. */
  async pair(family: IpFamily): Promise<{ client: VirtualSocket; server: VirtualSocket; peer: SocketAddress; listener: VirtualSocket; address: SocketAddress }> {
    const { socket: listener, address } = await this.listener(family);
    const client = this.socket(family, 'stream');
    client.connect(address);
    const st = await this.settled(client);
    assert.equal(st.error, 0, `connect to ${address.ip} port ${address.port}: E${errnoName(st.error)}`);
    const accepted = await this.until('accept', () => listener.accept());
    return { client, server: this.track(accepted.socket), peer: accepted.peer, listener, address };
  }

  /** Sends all of `data`, waiting whenever the socket is full. */
  async sendAll(s: VirtualSocket, data: Uint8Array): Promise<void> {
    let at = 0;
    while (at < data.byteLength) {
      const n = await this.until('send', () => s.send([data.subarray(at)]));
      assert.ok(n > 0, 'send takes something or answers EAGAIN');
      at += n;
    }
  }

  /** Receives exactly `n` bytes (failing at an early EOF). */
  async receiveExactly(s: VirtualSocket, n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const got = await this.until('receive', () => s.receive([out.subarray(at)], false));
      assert.ok(got > 0, `EOF after ${at} of ${n} bytes`);
      at += got;
    }
    return out;
  }

  /** Receives until EOF; everything that came. */
  async receiveToEnd(s: VirtualSocket): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      const n = await this.until('receive (until EOF)', () => s.receive([buf], false));
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
      total += n;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.byteLength; }
    return out;
  }

  /** A datagram socket bound to the family's loopback address, at a port the network chose. */
  async datagramSocket(family: IpFamily, signal: ReadinessSignal = this.signal): Promise<{ socket: VirtualSocket; address: SocketAddress }> {
    const socket = this.socket(family, 'datagram', signal);
    await this.until('bind', () => socket.bind({ family, ip: loopbackAddress(family), port: 0 }), signal);
    // A datagram socket is bound on the host by the time it can receive: its port is known once it is nonzero.
    const address = await this.until('the datagram socket\'s port', () => {
      const a = socket.localAddress();
      return a.port !== 0 ? a : again();
    }, signal);
    assert.equal(address.ip, loopbackAddress(family), 'the datagram socket\'s address');
    return { socket, address };
  }

  /** Receives one datagram into a buffer of `size` bytes. */
  async receiveDatagram(s: VirtualSocket, size: number, peek = false, signal: ReadinessSignal = this.signal): Promise<{ data: Uint8Array; truncated: boolean; from: SocketAddress }> {
    const buf = new Uint8Array(size);
    const got = await this.until('receiveFrom', () => s.receiveFrom([buf], peek), signal);
    return { data: buf.subarray(0, got.size), truncated: got.truncated, from: got.from };
  }

  /** Closes every socket of the test (ignoring failures: the test may have closed some). */
  closeAll(): void {
    for (const s of this.#sockets) {
      try {
        s.close();
      } catch {
        // Already closed, or the test failed half-way: nothing to keep.
      }
    }
  }
}

/**
 * Registers the networking contract with `node:test`: a `describe` block
 * named `name`, whose every test works on a fresh network from `make`.
 *
 * @param name What the suite is called in the report (the implementation's name).
 * @param make Makes a network (and says how to dispose of it); called once per test.
 * @param options What the network does where networks legitimately differ
 *   (see {@link NetworkingContractOptions}).
 */
export function networkingContract(
  name: string,
  make: () => NetworkingFixture | Promise<NetworkingFixture>,
  options: NetworkingContractOptions = {},
): void {
  const ipv6 = options.ipv6 ?? true;
  const refusedImmediately = options.refusedImmediately ?? false;
  const timeoutMs = options.timeoutMs ?? 5000;
  const multicast = options.multicast ?? true;
  const noIpv6 = 'the network has no IPv6 (ipv6: false)';
  const noMulticast = 'the network has no multicast (multicast: false)';
  const noTls = 'the network carries no TLS (tls: false)';

  /** A test on a fresh network; skipped with `skip` as the reason when given. */
  function check(title: string, body: (h: Harness, fixture: NetworkingFixture) => Promise<void>, skip?: string | false): void {
    test(title, { ...(skip ? { skip } : {}), timeout: timeoutMs * 10 }, async () => {
      const fixture = await make();
      const h = new Harness(fixture.networking, timeoutMs);
      try {
        await body(h, fixture);
      } finally {
        h.closeAll();
        await fixture.cleanup?.();
      }
    });
  }

  /** Bytes both ways over a connected pair, and each side's view of the addresses. */
  async function streamExchange(h: Harness, family: IpFamily): Promise<void> {
    const { client, server, peer, address } = await h.pair(family);
    assert.deepEqual(client.peerAddress(), address, 'the client\'s peer is the address it connected to');
    assert.deepEqual(server.localAddress(), address, 'the accepted connection\'s local address is the listener\'s');
    const clientAddress = client.localAddress();
    assert.equal(clientAddress.family, family);
    assert.equal(clientAddress.ip, loopbackAddress(family), 'the client sends from the loopback address');
    assert.ok(clientAddress.port > 0, 'the client was given a port');
    assert.deepEqual(peer, clientAddress, 'accept reports the client\'s address');
    assert.deepEqual(server.peerAddress(), clientAddress, 'the accepted connection\'s peer is the client');

    await h.sendAll(client, text('hello, server'));
    assert.equal(str(await h.receiveExactly(server, 13)), 'hello, server');
    const reply = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    await h.sendAll(server, reply);
    assert.deepEqual(await h.receiveExactly(client, 1000), reply, 'the reply, byte for byte');
  }

  /** Datagrams both ways between two bound sockets, with the sender's address. */
  async function datagramExchange(h: Harness, family: IpFamily): Promise<void> {
    const { socket: a, address: aAddress } = await h.datagramSocket(family);
    const { socket: b, address: bAddress } = await h.datagramSocket(family);
    const sent = await h.until('sendTo', () => a.sendTo([text('ping'), text(' 1')], bAddress));
    assert.equal(sent, 6, 'sendTo takes the whole datagram (gathered from two buffers)');
    const got = await h.receiveDatagram(b, 100);
    assert.equal(str(got.data), 'ping 1');
    assert.equal(got.truncated, false);
    assert.deepEqual(got.from, aAddress, 'from is the sender\'s address');
    await h.until('sendTo', () => b.sendTo([text('pong')], got.from));
    const back = await h.receiveDatagram(a, 100);
    assert.equal(str(back.data), 'pong');
    assert.deepEqual(back.from, bAddress, 'the reply comes from the address it was sent to');
  }

  describe(name, () => {
    describe('stream sockets', () => {
      check('bind to port 0 and listen: localAddress has the port the network chose, state() says listening', async (h) => {
        const { socket } = await h.listener('ipv4');
        const st = socket.state();
        assert.equal(st.listening, true);
        assert.equal(st.connected, false);
        assert.equal(st.readable, 0, 'no connection is waiting');
      });

      check('bind to port 0: localAddress has the port chosen right after bind, and listen keeps it (as Linux)', async (h) => {
        const s = h.socket('ipv4', 'stream');
        await h.until('bind', () => s.bind({ family: 'ipv4', ip: '127.0.0.1', port: 0 }));
        const bound = s.localAddress();
        assert.ok(bound.port > 0, `the port after bind (got ${bound.port})`);
        await h.until('listen', () => s.listen(4));
        assert.deepEqual(s.localAddress(), bound);
      });

      check('an unbound socket reports the unspecified address and port 0', async (h) => {
        for (const kind of ['stream', 'datagram'] as const) {
          assert.deepEqual(h.socket('ipv4', kind).localAddress(), { family: 'ipv4', ip: anyAddress('ipv4'), port: 0 }, kind);
        }
      });

      check('connect and accept: each side knows both addresses; bytes arrive exactly, both ways', async (h) => {
        await streamExchange(h, 'ipv4');
      });

      check('state(): a waiting connection, connected ends, readable bytes', async (h) => {
        const { socket: listener, address } = await h.listener('ipv4');
        const client = h.socket('ipv4', 'stream');
        client.connect(address);
        assert.equal((await h.settled(client)).connected, true);
        await h.until('the listener\'s state().readable', () => (listener.state().readable >= 1 ? undefined : again()));
        const server = h.track((await h.until('accept', () => listener.accept())).socket);
        const st = server.state();
        assert.equal(st.connected, true, 'the accepted connection is connected');
        assert.equal(st.listening, false);
        assert.equal(st.connecting, false);
        assert.equal(st.error, 0);
        assert.ok(client.state().writable > 0, 'a new connection is writable');
        await h.sendAll(client, text('12345'));
        const readable = await h.until('state().readable', () => {
          const n = server.state().readable;
          return n >= 5 ? n : again();
        });
        assert.equal(readable, 5, 'readable counts the bytes that arrived');
        assert.equal(server.state().peerClosed, false);
      });

      check('a 1 MiB transfer: send answers EAGAIN when full and resumes once the reader drains', async (h) => {
        const { client, server } = await h.pair('ipv4');
        // Fill the connection with nothing reading, until send says it is full.
        const limit = 64 * 1024 * 1024;
        let sent = 0;
        let full = false;
        const deadline = Date.now() + h.timeoutMs;
        while (!full && sent < limit) {
          try {
            const n = client.send([patternAt(sent, CHUNK)]);
            assert.ok(n > 0, 'send takes something or answers EAGAIN');
            sent += n;
          } catch (e) {
            if (!isAgain(e)) throw e;
            full = true;
          }
          if (Date.now() > deadline) break;
        }
        assert.ok(full, `send never answered EAGAIN with nobody reading (${sent} bytes taken)`);
        // Then read everything while sending the rest: at least 1 MiB, and more after the first EAGAIN.
        const total = Math.max(1024 * 1024, sent + CHUNK);
        const buf = new Uint8Array(CHUNK);
        let received = 0;
        let finished = false;
        let stalledSince = Date.now();
        while (received < total || !finished) {
          const seen = h.signal.generation;
          let progress = false;
          if (sent < total) {
            try {
              const n = client.send([patternAt(sent, Math.min(CHUNK, total - sent))]);
              sent += n;
              progress = n > 0;
            } catch (e) {
              if (!isAgain(e)) throw e;
            }
          } else if (!finished) {
            client.shutdown(false, true);
            finished = true;
            progress = true;
          }
          try {
            const n = server.receive([buf], false);
            if (n === 0) {
              assert.ok(finished && received === total, `EOF after ${received} of ${total} bytes`);
              break;
            }
            for (let i = 0; i < n; i++) {
              if (buf[i] !== (received + i) % 251) assert.fail(`byte ${received + i} is ${buf[i]}, not ${(received + i) % 251}`);
            }
            received += n;
            progress = true;
          } catch (e) {
            if (!isAgain(e)) throw e;
          }
          if (progress) stalledSince = Date.now();
          else await h.nap(`the transfer (sent ${sent}, received ${received} of ${total})`, h.signal, seen, stalledSince + h.timeoutMs);
        }
        assert.equal(received, total, 'every byte arrived');
        assert.equal(await h.until('receive after EOF', () => server.receive([buf], false)), 0, 'EOF once everything was read');
      });

      check('peek leaves the bytes queued', async (h) => {
        const { client, server } = await h.pair('ipv4');
        await h.sendAll(client, text('hello'));
        await h.until('state().readable', () => (server.state().readable >= 5 ? undefined : again()));
        const three = new Uint8Array(3);
        assert.equal(server.receive([three], true), 3);
        assert.equal(str(three), 'hel');
        const all = new Uint8Array(10);
        assert.equal(server.receive([all], true), 5, 'a second peek sees the same bytes');
        assert.equal(str(all.subarray(0, 5)), 'hello');
        const a = new Uint8Array(2);
        const b = new Uint8Array(10);
        assert.equal(server.receive([a, b], false), 5, 'a receive into two buffers takes them');
        assert.equal(str(a) + str(b.subarray(0, 3)), 'hello');
        expectErrno(() => server.receive([all], false), Errno.AGAIN, 'receive once they were taken');
      });

      check('shutdown(write): the peer reads the data, then EOF; the other direction still works', async (h) => {
        const { client, server } = await h.pair('ipv4');
        await h.sendAll(client, text('last words'));
        client.shutdown(false, true);
        assert.equal(str(await h.receiveToEnd(server)), 'last words');
        assert.equal(server.state().peerClosed, true, 'the peer\'s FIN shows in state()');
        assert.equal(server.receive([new Uint8Array(4)], false), 0, 'EOF again');
        expectErrno(() => client.send([text('x')]), Errno.PIPE, 'send after shutdown(write)');
        await h.sendAll(server, text('still open'));
        assert.equal(str(await h.receiveExactly(client, 10)), 'still open', 'the half-closed side still reads');
      });

      check('close: the peer reads what was sent, then EOF', async (h) => {
        const { client, server } = await h.pair('ipv4');
        await h.sendAll(client, text('goodbye'));
        client.close();
        assert.equal(str(await h.receiveToEnd(server)), 'goodbye');
        assert.equal(server.state().peerClosed, true);
      });

      check('send after the peer closed fails (EPIPE or ECONNRESET)', async (h) => {
        const { client, server } = await h.pair('ipv4');
        server.close();
        assert.equal((await h.receiveToEnd(client)).byteLength, 0, 'the client sees EOF');
        // A host network may take a send or two before it learns of the reset.
        const deadline = Date.now() + h.timeoutMs;
        let failure: WasiError | undefined;
        while (failure === undefined) {
          try {
            client.send([text('anyone?')]);
          } catch (e) {
            if (!(e instanceof WasiError)) throw e;
            if (e.errno !== Errno.AGAIN) failure = e;
          }
          if (failure === undefined) {
            assert.ok(Date.now() < deadline, `send to a closed peer still succeeds after ${h.timeoutMs} ms`);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
        assert.ok(failure.errno === Errno.PIPE || failure.errno === Errno.CONNRESET, `expected EPIPE or ECONNRESET, got ${failure.message}`);
      });

      check('connect to a port nothing listens on: state().error is ECONNREFUSED', async (h) => {
        const { socket: gone, address } = await h.listener('ipv4');
        gone.close();
        const client = h.socket('ipv4', 'stream');
        client.connect(address);
        if (refusedImmediately) {
          const st = client.state();
          assert.equal(st.connecting, false, 'not connecting');
          assert.equal(`E${errnoName(st.error)}`, 'ECONNREFUSED', 'refused as soon as connect returns');
        }
        const st = await h.settled(client);
        assert.equal(st.connected, false);
        assert.equal(`E${errnoName(st.error)}`, 'ECONNREFUSED');
        assert.equal(client.state().error, st.error, 'reading the error does not clear it');
      });

      check('a second socket on a listening address: EADDRINUSE (at bind or at listen)', async (h) => {
        const { address } = await h.listener('ipv4');
        const other = h.socket('ipv4', 'stream');
        let atBind = false;
        try {
          await h.until('bind', () => other.bind(address));
        } catch (e) {
          if (!(e instanceof WasiError)) throw e;
          assert.equal(`E${errnoName(e.errno)}`, 'EADDRINUSE', `bind: ${e.message}`);
          atBind = true;
        }
        if (!atBind) await h.rejects('listen on a taken address', () => other.listen(16), Errno.ADDRINUSE);
      });

      check('bind twice: EINVAL', async (h) => {
        const s = h.socket('ipv4', 'stream');
        await h.until('bind', () => s.bind({ family: 'ipv4', ip: '127.0.0.1', port: 0 }));
        expectErrno(() => s.bind({ family: 'ipv4', ip: '127.0.0.1', port: 0 }), Errno.INVAL, 'a second bind');
      });

      check('accept on a socket that is not listening: EINVAL', async (h) => {
        const fresh = h.socket('ipv4', 'stream');
        expectErrno(() => fresh.accept(), Errno.INVAL, 'accept on a new socket');
        const { client } = await h.pair('ipv4');
        expectErrno(() => client.accept(), Errno.INVAL, 'accept on a connected socket');
      });

      check('an unconnected socket: peerAddress and shutdown are ENOTCONN', async (h) => {
        const fresh = h.socket('ipv4', 'stream');
        expectErrno(() => fresh.peerAddress(), Errno.NOTCONN, 'peerAddress of a new socket');
        expectErrno(() => fresh.shutdown(true, true), Errno.NOTCONN, 'shutdown of a new socket');
        const { socket: listener } = await h.listener('ipv4');
        expectErrno(() => listener.peerAddress(), Errno.NOTCONN, 'peerAddress of a listening socket');
        expectErrno(() => h.socket('ipv4', 'datagram').peerAddress(), Errno.NOTCONN, 'peerAddress of an unconnected datagram socket');
      });

      check('setOption / getOption: noDelay reads back what was set', async (h) => {
        const s = h.socket('ipv4', 'stream');
        s.setOption('noDelay', true);
        assert.equal(s.getOption('noDelay'), true);
        s.setOption('noDelay', false);
        assert.equal(s.getOption('noDelay'), false);
        const { client } = await h.pair('ipv4');
        client.setOption('noDelay', true);
        assert.equal(client.getOption('noDelay'), true, 'on a connected socket too');
      });
    });

    describe('datagram sockets', () => {
      check('sendTo / receiveFrom: exact bytes and the sender\'s address, both ways', async (h) => {
        await datagramExchange(h, 'ipv4');
      });

      check('datagram boundaries are kept', async (h) => {
        const { socket: a } = await h.datagramSocket('ipv4');
        const { socket: b, address } = await h.datagramSocket('ipv4');
        const sizes = [1, 100, 1000, 2];
        for (const [i, n] of sizes.entries()) {
          await h.until('sendTo', () => a.sendTo([new Uint8Array(n).fill(i + 1)], address));
        }
        for (const [i, n] of sizes.entries()) {
          const got = await h.receiveDatagram(b, 2000);
          assert.equal(got.data.byteLength, n, `datagram ${i} has its own size`);
          assert.ok(got.data.every((x) => x === i + 1), `datagram ${i} has its own bytes`);
          assert.equal(got.truncated, false);
        }
      });

      check('a datagram longer than the buffers is truncated, the rest dropped (peek keeps it whole)', async (h) => {
        const { socket: a } = await h.datagramSocket('ipv4');
        const { socket: b, address } = await h.datagramSocket('ipv4');
        await h.until('sendTo', () => a.sendTo([Uint8Array.from({ length: 10 }, (_, i) => i)], address));
        const peeked = await h.receiveDatagram(b, 4, true);
        assert.deepEqual([...peeked.data], [0, 1, 2, 3]);
        assert.equal(peeked.truncated, true, 'a peek says it was truncated too');
        const got = await h.receiveDatagram(b, 4);
        assert.deepEqual([...got.data], [0, 1, 2, 3], 'the peeked datagram is still there');
        assert.equal(got.truncated, true);
        await h.until('sendTo', () => a.sendTo([text('next')], address));
        const next = await h.receiveDatagram(b, 100);
        assert.equal(str(next.data), 'next', 'the rest of the truncated datagram is gone');
        assert.equal(next.truncated, false);
      });

      check('connected: send / receive use the default peer, and datagrams from others are not received', async (h) => {
        const { socket: a, address: aAddress } = await h.datagramSocket('ipv4');
        const { socket: b, address: bAddress } = await h.datagramSocket('ipv4');
        const { socket: c } = await h.datagramSocket('ipv4');
        a.connect(bAddress);
        assert.equal((await h.settled(a)).connected, true, 'a datagram socket with a default peer is connected');
        assert.deepEqual(a.peerAddress(), bAddress);
        assert.equal(await h.until('send', () => a.send([text('to b')])), 4);
        const got = await h.receiveDatagram(b, 100);
        assert.equal(str(got.data), 'to b');
        assert.deepEqual(got.from, aAddress);
        await h.until('sendTo from a stranger', () => c.sendTo([text('from c')], aAddress));
        await h.until('sendTo from the peer', () => b.sendTo([text('from b')], aAddress));
        const buf = new Uint8Array(100);
        const n = await h.until('receive', () => a.receive([buf], false));
        assert.equal(str(buf.subarray(0, n)), 'from b', 'only the default peer\'s datagrams arrive');
      });

      check('sendTo an address where nothing is bound succeeds (the datagram is lost)', async (h) => {
        const { socket: gone, address } = await h.datagramSocket('ipv4');
        gone.close();
        const { socket: a } = await h.datagramSocket('ipv4');
        assert.equal(await h.until('sendTo', () => a.sendTo([text('lost')], address)), 4);
      });
    });

    describe('multicast', () => {
      const group = '239.255.77.1';

      check('members bound to the port receive what is sent to the group, the sender too (multicastLoop); once one leaves, the other still does', async (h) => {
        // Two members share a port (reuseAddress), bound to the unspecified address; the sender is not a member.
        const a = h.socket('ipv4', 'datagram');
        a.setOption('reuseAddress', true);
        await h.until('bind a', () => a.bind({ family: 'ipv4', ip: anyAddress('ipv4'), port: 0 }));
        const port = (await h.until('a\'s port', () => (a.localAddress().port !== 0 ? a.localAddress() : again()))).port;
        const b = h.socket('ipv4', 'datagram');
        b.setOption('reuseAddress', true);
        await h.until('bind b', () => b.bind({ family: 'ipv4', ip: anyAddress('ipv4'), port }));
        await h.until('a joins', () => a.joinMulticast(group, undefined));
        await h.until('b joins', () => b.joinMulticast(group, undefined));
        const { socket: sender, address: senderAddress } = await h.datagramSocket('ipv4');
        const to: SocketAddress = { family: 'ipv4', ip: group, port };

        assert.equal(await h.until('sendTo the group', () => sender.sendTo([text('to the '), text('group')], to)), 12);
        for (const [name, s] of [['a', a], ['b', b]] as const) {
          const got = await h.receiveDatagram(s, 100);
          assert.equal(str(got.data), 'to the group', `${name} received the group's datagram`);
          assert.deepEqual(got.from, senderAddress, `${name}: from is the sender's address`);
        }

        assert.equal(b.getOption('multicastLoop'), true, 'multicastLoop is on by default');
        await h.until('b sends to the group', () => b.sendTo([text('own')], to));
        for (const [name, s] of [['a', a], ['b (the sender)', b]] as const) {
          const got = await h.receiveDatagram(s, 100);
          assert.equal(str(got.data), 'own', `${name} received b's datagram`);
          assert.equal(got.from.port, port, `${name}: from is b's port`);
        }

        await h.until('a leaves', () => a.leaveMulticast(group, undefined));
        await h.until('sendTo the group', () => sender.sendTo([text('after a left')], to));
        assert.equal(str((await h.receiveDatagram(b, 100)).data), 'after a left', 'the member that stays still receives');
        await h.until('a joins again', () => a.joinMulticast(group, undefined));
      }, !multicast && noMulticast);

      check('errors: EADDRINUSE joining twice, EADDRNOTAVAIL leaving what was not joined, EINVAL for a group that is not multicast, EPROTO on a stream socket', async (h) => {
        const { socket: s } = await h.datagramSocket('ipv4');
        await h.until('join', () => s.joinMulticast(group, undefined));
        await h.rejects('join again', () => s.joinMulticast(group, undefined), Errno.ADDRINUSE);
        await h.rejects('leave a group not joined', () => s.leaveMulticast('239.255.77.2', undefined), Errno.ADDRNOTAVAIL);
        await h.rejects('join a unicast address', () => s.joinMulticast('127.0.0.1', undefined), Errno.INVAL);
        await h.rejects('join an IPv6 group on an IPv4 socket', () => s.joinMulticast('ff15::1', undefined), Errno.INVAL);
        await h.rejects('leave a unicast address (IPv4: not a membership)', () => s.leaveMulticast('10.0.0.1', undefined), Errno.ADDRNOTAVAIL);
        await h.until('leave', () => s.leaveMulticast(group, undefined));
        await h.rejects('leave again', () => s.leaveMulticast(group, undefined), Errno.ADDRNOTAVAIL);
        const stream = h.socket('ipv4', 'stream');
        await h.rejects('join on a stream socket', () => stream.joinMulticast(group, undefined), Errno.PROTO);
        await h.rejects('leave on a stream socket', () => stream.leaveMulticast(group, undefined), Errno.PROTO);
        if (ipv6) {
          const s6 = h.socket('ipv6', 'datagram');
          await h.rejects('join an IPv6 unicast address', () => s6.joinMulticast('::1', undefined), Errno.INVAL);
          await h.rejects('leave an IPv6 unicast address', () => s6.leaveMulticast('::1', undefined), Errno.INVAL);
        }
      }, !multicast && noMulticast);

      check('IPv6: a member bound to [::] receives what is sent to the group', async (h) => {
        const g6 = 'ff15::7701';
        const m = h.socket('ipv6', 'datagram');
        await h.until('bind', () => m.bind({ family: 'ipv6', ip: anyAddress('ipv6'), port: 0 }));
        const port = (await h.until('the port', () => (m.localAddress().port !== 0 ? m.localAddress() : again()))).port;
        await h.until('join', () => m.joinMulticast(g6, undefined));
        const { socket: sender, address: senderAddress } = await h.datagramSocket('ipv6');
        await h.until('sendTo the group', () => sender.sendTo([text('v6 group')], { family: 'ipv6', ip: g6, port }));
        const got = await h.receiveDatagram(m, 100);
        assert.equal(str(got.data), 'v6 group');
        assert.deepEqual(got.from, senderAddress);
      }, (!ipv6 && noIpv6) || (!multicast && noMulticast));
    });

    describe('IPv6', () => {
      check('stream sockets on ::1', async (h) => {
        await streamExchange(h, 'ipv6');
      }, !ipv6 && noIpv6);

      check('datagram sockets on ::1', async (h) => {
        await datagramExchange(h, 'ipv6');
      }, !ipv6 && noIpv6);
    });

    describe('lookup', () => {
      const result = (h: Harness, l: HostLookup, what: string) => h.until(`lookup ${what}`, () => l.result());

      check('localhost includes 127.0.0.1', async (h) => {
        const addrs = await result(h, h.net.lookup('localhost', h.signal), 'localhost');
        assert.ok(addrs.includes('127.0.0.1'), `localhost is ${addrs.join(', ')}`);
      });

      check('an IP address resolves to itself, in canonical form', async (h) => {
        assert.deepEqual(await result(h, h.net.lookup('127.0.0.1', h.signal), '127.0.0.1'), ['127.0.0.1']);
        if (ipv6) assert.deepEqual(await result(h, h.net.lookup('0:0:0:0:0:0:0:1', h.signal), '0:0:0:0:0:0:0:1'), ['::1']);
      });

      check('a name that does not exist fails with ENOENT', async (h) => {
        const l = h.net.lookup('no-such-host.invalid', h.signal);
        await h.rejects('lookup no-such-host.invalid', () => l.result(), Errno.NOENT);
      });
    });

    describe('TLS', () => {
      /** The fixture's TLS peers (failing when a network said to carry TLS gives none). */
      const peers = (fixture: NetworkingFixture): { trusted: TlsPeer; untrusted: TlsPeer } => {
        assert.ok(fixture.tls !== undefined, 'tls: true, but the fixture gives no TLS peers (NetworkingFixture.tls)');
        return fixture.tls;
      };
      /** A stream socket that has started a TLS connection to `address`, checked for `serverName`. */
      const tlsClient = (h: Harness, address: SocketAddress, serverName: string): VirtualSocket => {
        const s = h.socket(address.family, 'stream');
        assert.ok(s.connectTls !== undefined, 'tls: true, but the stream socket has no connectTls');
        s.connectTls(address, serverName);
        return s;
      };
      const tls = options.tls ?? false;

      check('connectTls to a peer whose certificate the network trusts: connected after the handshake, then plaintext both ways', async (h, fixture) => {
        const { trusted } = peers(fixture);
        const s = tlsClient(h, trusted.address, trusted.serverName);
        const st = await h.settled(s);
        assert.equal(`E${errnoName(st.error)}`, 'ESUCCESS', 'the handshake succeeded');
        assert.equal(st.connected, true);
        assert.deepEqual(s.peerAddress(), trusted.address);
        const message = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
        await h.sendAll(s, message);
        assert.deepEqual(await h.receiveExactly(s, 3000), message, 'the echo, byte for byte');
      }, !tls && noTls);

      check('connectTls by the peer\'s IP address: a certificate that holds the address is accepted', async (h, fixture) => {
        const { trusted } = peers(fixture);
        const s = tlsClient(h, trusted.address, trusted.address.ip);
        assert.equal(`E${errnoName((await h.settled(s)).error)}`, 'ESUCCESS');
        await h.sendAll(s, text('by address'));
        assert.equal(str(await h.receiveExactly(s, 10)), 'by address');
      }, !tls && noTls);

      check('a certificate the network does not trust: state().error is EACCES, never connected', async (h, fixture) => {
        const { untrusted } = peers(fixture);
        const st = await h.settled(tlsClient(h, untrusted.address, untrusted.serverName));
        assert.equal(st.connected, false);
        assert.equal(`E${errnoName(st.error)}`, 'EACCES');
      }, !tls && noTls);

      check('a trusted certificate that names another host: EACCES', async (h, fixture) => {
        const { trusted } = peers(fixture);
        const st = await h.settled(tlsClient(h, trusted.address, 'another-host.invalid'));
        assert.equal(st.connected, false);
        assert.equal(`E${errnoName(st.error)}`, 'EACCES');
      }, !tls && noTls);

      check('a peer that answers without TLS: EPROTO', async (h) => {
        const { socket: listener, address } = await h.listener('ipv4');
        const s = tlsClient(h, address, 'localhost');
        const server = h.track((await h.until('accept', () => listener.accept())).socket);
        await h.sendAll(server, text('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n'));
        const st = await h.settled(s);
        assert.equal(st.connected, false);
        assert.equal(`E${errnoName(st.error)}`, 'EPROTO');
      }, !tls && noTls);
    });

    describe('readiness', () => {
      check('a connection, its data and its end bump the signals of the sockets they reach', async (h) => {
        const listenerSignal = new ReadinessSignal();
        const clientSignal = new ReadinessSignal();
        const { socket: listener, address } = await h.listener('ipv4', listenerSignal);
        const client = h.socket('ipv4', 'stream', clientSignal);
        // Each change is first seen through state(), which changes nothing itself: the bump must come from the change.
        const seen = (what: string, s: VirtualSocket, signal: ReadinessSignal, ready: (st: SocketState) => boolean) =>
          h.until(`state() showing ${what}`, () => (ready(s.state()) ? undefined : again()), signal);
        let l = listenerSignal.generation;
        let c = clientSignal.generation;
        client.connect(address);
        await seen('the connection', client, clientSignal, (st) => st.connected || st.error !== 0);
        assert.notEqual(clientSignal.generation, c, 'the client\'s signal was bumped when it connected');
        await seen('the waiting connection', listener, listenerSignal, (st) => st.readable > 0);
        assert.notEqual(listenerSignal.generation, l, 'the listener\'s signal was bumped when the connection came');
        // An accepted connection has its listener's signal.
        const server = h.track((await h.until('accept', () => listener.accept(), listenerSignal)).socket);
        l = listenerSignal.generation;
        await h.until('send', () => client.send([text('data')]), clientSignal);
        await seen('the data', server, listenerSignal, (st) => st.readable > 0);
        assert.notEqual(listenerSignal.generation, l, 'the accepted connection\'s (its listener\'s) signal was bumped when data came');
        c = clientSignal.generation;
        await h.until('send', () => server.send([text('back')]), listenerSignal);
        await seen('the data', client, clientSignal, (st) => st.readable > 0);
        assert.notEqual(clientSignal.generation, c, 'the client\'s signal was bumped when data came');
        const buf = new Uint8Array(10);
        assert.equal(client.receive([buf], false), 4);
        c = clientSignal.generation;
        server.close();
        await seen('the peer\'s end', client, clientSignal, (st) => st.peerClosed);
        assert.notEqual(clientSignal.generation, c, 'the client\'s signal was bumped when the peer closed');
        assert.equal(client.receive([buf], false), 0, 'EOF');
      });

      check('a datagram\'s arrival bumps the receiver\'s signal', async (h) => {
        const receiverSignal = new ReadinessSignal();
        const { socket: a } = await h.datagramSocket('ipv4');
        const { socket: b, address } = await h.datagramSocket('ipv4', receiverSignal);
        const g = receiverSignal.generation;
        await h.until('sendTo', () => a.sendTo([text('hi')], address));
        await h.until('state() showing the datagram', () => (b.state().readable > 0 ? undefined : again()), receiverSignal);
        assert.notEqual(receiverSignal.generation, g, 'the receiver\'s signal was bumped when the datagram came');
        const got = await h.receiveDatagram(b, 10, false, receiverSignal);
        assert.equal(str(got.data), 'hi');
      });

      check('a finished lookup bumps its signal', async (h) => {
        const signal = new ReadinessSignal();
        const g = signal.generation;
        const l = h.net.lookup('127.0.0.1', signal);
        assert.deepEqual(await h.until('lookup', () => l.result(), signal), ['127.0.0.1']);
        assert.notEqual(signal.generation, g);
      });
    });
  });
}
