/**
 * The networking contract (src/testing/networking-contract.ts) run against
 * the in-memory network, loopbackNetworking(); then what only it does: it
 * opens no host socket, two networks are separate, everything happens at
 * once (a full backlog refuses, a closed port is free again), any address
 * is its own, and `listenTcp` hands out its sockets as listener channels.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { Errno, WasiError, errnoName } from '../../src/abi/errno.js';
import { loopbackNetworking } from '../../src/host/net/loopback.js';
import type {
  AcceptedSocket, HostLookup, MulticastInterface, ReceivedDatagram, SocketKind, SocketOption, SocketState, VirtualNetworking, VirtualSocket,
} from '../../src/host/net/networking.js';
import { ReadinessSignal } from '../../src/host/readiness-signal.js';
import type { IpFamily, SocketAddress } from '../../src/host/net/socket-address.js';
import { networkingContract } from '../../src/testing/index.js';

networkingContract('loopbackNetworking', () => ({ networking: loopbackNetworking() }), { refusedImmediately: true });

// The suite must not lean on immediacy: run it again with the network
// behind a lag, as a host network looks from the guest's thread. Each
// call that may wait (listen, accept, datagrams, lookup results) answers
// EAGAIN first and bumps the socket's signal on a later timer; a connection
// is `connecting` until a timer fired.
let lagged = 0;

/** Answers EAGAIN once, then lets one call through once a timer bumped `signal`. */
class Lag {
  #open = false;
  #pending = false;
  constructor(readonly signal: ReadinessSignal) {}
  pass(): void {
    if (this.#open) { this.#open = false; return; }
    if (!this.#pending) {
      this.#pending = true;
      lagged++;
      setTimeout(() => { this.#pending = false; this.#open = true; this.signal.notify(); }, 1);
    }
    throw new WasiError(Errno.AGAIN);
  }
}

class LaggingSocket implements VirtualSocket {
  readonly #lag: Lag;
  #connecting = false;
  constructor(readonly inner: VirtualSocket, readonly signal: ReadinessSignal) { this.#lag = new Lag(signal); }
  get family(): IpFamily { return this.inner.family; }
  get kind(): SocketKind { return this.inner.kind; }
  bind(a: SocketAddress): void { this.inner.bind(a); }
  listen(backlog: number): void { this.#lag.pass(); this.inner.listen(backlog); }
  accept(): AcceptedSocket {
    if (this.inner.state().listening) this.#lag.pass();
    const a = this.inner.accept();
    return { socket: new LaggingSocket(a.socket, this.signal), peer: a.peer };
  }
  connect(a: SocketAddress): void {
    this.inner.connect(a);
    if (this.kind === 'datagram') return;
    this.#connecting = true;
    setTimeout(() => { this.#connecting = false; this.signal.notify(); }, 1);
  }
  send(src: readonly Uint8Array[]): number { return this.inner.send(src); }
  receive(dst: readonly Uint8Array[], peek: boolean): number {
    if (this.kind === 'datagram') this.#lag.pass();
    return this.inner.receive(dst, peek);
  }
  sendTo(src: readonly Uint8Array[], to: SocketAddress | undefined): number { this.#lag.pass(); return this.inner.sendTo(src, to); }
  receiveFrom(dst: readonly Uint8Array[], peek: boolean): ReceivedDatagram { this.#lag.pass(); return this.inner.receiveFrom(dst, peek); }
  shutdown(read: boolean, write: boolean): void { this.inner.shutdown(read, write); }
  joinMulticast(group: string, iface: MulticastInterface): void { this.#lag.pass(); this.inner.joinMulticast(group, iface); }
  leaveMulticast(group: string, iface: MulticastInterface): void { this.#lag.pass(); this.inner.leaveMulticast(group, iface); }
  state(): SocketState {
    const st = this.inner.state();
    return this.#connecting ? { ...st, connecting: true, connected: false, error: 0, writable: 0 } : st;
  }
  localAddress(): SocketAddress { return this.inner.localAddress(); }
  peerAddress(): SocketAddress { return this.inner.peerAddress(); }
  setOption(option: SocketOption, value: number | boolean): void { this.inner.setOption(option, value); }
  getOption(option: SocketOption): number | boolean { return this.inner.getOption(option); }
  close(): void { this.inner.close(); }
}

function laggingNetworking(inner: VirtualNetworking): VirtualNetworking {
  return {
    name: 'lagging',
    socket: (family, kind, signal) => new LaggingSocket(inner.socket(family, kind, signal), signal),
    lookup(host, signal): HostLookup {
      const lookup = inner.lookup(host, signal);
      const lag = new Lag(signal);
      return { result: () => { lag.pass(); return lookup.result(); }, cancel: () => lookup.cancel() };
    },
    listenTcp: (addresses, signal, options) => inner.listenTcp(addresses, signal, options),
  };
}

networkingContract('loopbackNetworking behind a lag', () => ({ networking: laggingNetworking(loopbackNetworking()) }));
after(() => assert.ok(lagged > 0, 'the lagging network answered EAGAIN (the suite waited)'));

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectErrno(fn: () => unknown, errno: Errno, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WasiError, `${what}: ${String(e)}`);
    assert.equal(`E${errnoName(e.errno)}`, `E${errnoName(errno)}`, `${what}: ${e.message}`);
    return true;
  }, what);
}

const v4 = (ip: string, port: number): SocketAddress => ({ family: 'ipv4', ip, port });

function listening(net: VirtualNetworking, signal: ReadinessSignal, address = v4('127.0.0.1', 0), backlog = 16): VirtualSocket {
  const s = net.socket(address.family, 'stream', signal);
  s.bind(address);
  s.listen(backlog);
  return s;
}

/** Host handles that a real socket or lookup would hold. */
function hostSocketHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /TCP|UDP|Pipe|GetAddrInfo|QueryWrap/.test(r));
}

describe('loopbackNetworking only', () => {
  test('opens no host socket: no TCP, UDP or lookup handle appears while its sockets are in use', async () => {
    const before = hostSocketHandles();
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listener = listening(net, signal);
    const client = net.socket('ipv4', 'stream', signal);
    client.connect(listener.localAddress());
    const server2 = listener.accept().socket;
    assert.equal(client.send([text('hi')]), 2);
    const udp = net.socket('ipv6', 'datagram', signal);
    udp.bind({ family: 'ipv6', ip: '::1', port: 0 });
    udp.sendTo([text('x')], udp.localAddress());
    const lookup = net.lookup('localhost', signal);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(hostSocketHandles(), before, 'no host handle while loopback sockets are open');
    assert.deepEqual(lookup.result(), ['127.0.0.1', '::1']);
    for (const s of [listener, client, server2, udp]) s.close();

    // The check itself: a real listening socket does show.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const withServer = hostSocketHandles();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.ok(withServer.length > before.length, `a host server shows as a handle (${withServer.join(', ')})`);
  });

  test('two networks do not see each other', () => {
    const a = loopbackNetworking();
    const b = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listener = listening(a, signal);
    const address = listener.localAddress();
    const stranger = b.socket('ipv4', 'stream', signal);
    stranger.connect(address);
    assert.equal(stranger.state().error, Errno.CONNREFUSED, 'the other network has no listener there');
    const same = listening(b, signal, address);
    assert.deepEqual(same.localAddress(), address, 'and its port is free on the other network');

    const ua = a.socket('ipv4', 'datagram', signal);
    ua.bind(v4('127.0.0.1', 0));
    const ub = b.socket('ipv4', 'datagram', signal);
    ub.bind(ua.localAddress());
    ub.sendTo([text('hello?')], ua.localAddress());
    expectErrno(() => ua.receiveFrom([new Uint8Array(10)], false), Errno.AGAIN, 'a datagram from the other network');
    assert.equal(ub.receiveFrom([new Uint8Array(10)], false).size, 6, 'it reached the socket at that address on its own network');
  });

  test('a full backlog refuses; accepting makes room again', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listener = listening(net, signal, v4('127.0.0.1', 0), 2);
    const connect = () => {
      const s = net.socket('ipv4', 'stream', signal);
      s.connect(listener.localAddress());
      return s;
    };
    const [a, b, c] = [connect(), connect(), connect()];
    assert.equal(a.state().connected, true);
    assert.equal(b.state().connected, true);
    assert.equal(c.state().connected, false);
    assert.equal(c.state().error, Errno.CONNREFUSED, 'the third connection is refused');
    assert.deepEqual(c.localAddress(), v4('0.0.0.0', 0), 'a refused connection gives up its port');
    assert.equal(listener.state().readable, 2);
    listener.accept();
    const d = connect();
    assert.equal(d.state().connected, true, 'a slot is free once one was accepted');
    c.connect(listener.localAddress());
    assert.equal(c.state().error, Errno.CONNREFUSED, 'full again');
  });

  test('ports: port 0 picks an ephemeral one; a closed port is free again; reuseAddress shares; the unspecified address overlaps', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const first = listening(net, signal);
    const port = first.localAddress().port;
    assert.ok(port >= 49152 && port <= 65535, `ephemeral port ${port}`);
    const wildcard = net.socket('ipv4', 'stream', signal);
    expectErrno(() => wildcard.bind(v4('0.0.0.0', port)), Errno.ADDRINUSE, '0.0.0.0 on a port 127.0.0.1 holds');
    const elsewhere = net.socket('ipv4', 'stream', signal);
    elsewhere.bind(v4('127.0.0.2', port));
    const v6 = net.socket('ipv6', 'stream', signal);
    v6.bind({ family: 'ipv6', ip: '::1', port });
    const udp = net.socket('ipv4', 'datagram', signal);
    udp.bind(v4('127.0.0.1', port));
    first.close();
    const again = listening(net, signal, v4('127.0.0.1', port));
    assert.equal(again.localAddress().port, port, 'the port is free once its socket closed');

    const [r1, r2] = [net.socket('ipv4', 'datagram', signal), net.socket('ipv4', 'datagram', signal)];
    r1.setOption('reuseAddress', true);
    r2.setOption('reuseAddress', true);
    r1.bind(v4('127.0.0.1', 5353));
    r2.bind(v4('127.0.0.1', 5353));
    const l1 = net.socket('ipv4', 'stream', signal);
    const l2 = net.socket('ipv4', 'stream', signal);
    l1.setOption('reuseAddress', true);
    l2.setOption('reuseAddress', true);
    l1.bind(v4('127.0.0.1', 8080));
    l2.bind(v4('127.0.0.1', 8080));
    l1.listen(1);
    expectErrno(() => l2.listen(1), Errno.ADDRINUSE, 'two listeners on one address without reusePort');
  });

  test('any address is the network\'s own: a wildcard listener takes connections to any of them', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listener = listening(net, signal, v4('0.0.0.0', 0));
    const port = listener.localAddress().port;
    assert.deepEqual(listener.localAddress(), v4('0.0.0.0', port));
    for (const ip of ['127.0.0.5', '10.1.2.3']) {
      const client = net.socket('ipv4', 'stream', signal);
      client.connect(v4(ip, port));
      assert.equal(client.state().connected, true, ip);
      const { socket: server, peer } = listener.accept();
      assert.deepEqual(server.localAddress(), v4(ip, port), 'the connection is at the address dialled');
      const from = ip === '10.1.2.3' ? ip : '127.0.0.1';
      assert.equal(peer.ip, from, 'the client sends from the loopback address, or from the address itself');
      assert.deepEqual(client.localAddress(), peer);
    }
    const bound = net.socket('ipv4', 'stream', signal);
    bound.bind(v4('0.0.0.0', 0));
    bound.connect(v4('127.0.0.1', port));
    assert.equal(bound.localAddress().ip, '127.0.0.1', 'a socket bound to 0.0.0.0 reports its source address once connected');
    const dialAny = net.socket('ipv4', 'stream', signal);
    dialAny.connect(v4('0.0.0.0', port));
    assert.deepEqual(dialAny.peerAddress(), v4('127.0.0.1', port), 'connecting to 0.0.0.0 reaches the loopback address');
  });

  test('streams: closing a listener closes what it had not accepted; shutdown(read) drops data; buffer sizes bound the queue', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listener = listening(net, signal);
    const orphan = net.socket('ipv4', 'stream', signal);
    orphan.connect(listener.localAddress());
    listener.close();
    assert.equal(orphan.receive([new Uint8Array(1)], false), 0, 'EOF: nobody will accept it');
    expectErrno(() => orphan.send([text('x')]), Errno.PIPE, 'send to a connection nobody accepted');

    const l2 = listening(net, signal);
    const client = net.socket('ipv4', 'stream', signal);
    client.setOption('sendBufferSize', 1000);
    client.connect(l2.localAddress());
    const server = l2.accept().socket;
    assert.equal(client.getOption('sendBufferSize'), 1000);
    assert.equal(client.state().writable, 1000);
    assert.equal(client.send([new Uint8Array(5000)]), 1000, 'send takes what fits in the smaller buffer');
    expectErrno(() => client.send([new Uint8Array(1)]), Errno.AGAIN, 'full');
    assert.equal(server.state().readable, 1000);
    server.shutdown(true, false);
    assert.equal(server.state().readable, 0, 'shutdown(read) drops what was queued');
    assert.equal(server.receive([new Uint8Array(10)], false), 0, 'and reads see 0');
    assert.equal(client.send([new Uint8Array(10)]), 10, 'the writer is not told');
    assert.equal(server.state().readable, 0, 'what comes later is dropped too');
  });

  test('datagrams: too large is EMSGSIZE; a full queue drops; send without a peer is EDESTADDRREQ', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const a = net.socket('ipv4', 'datagram', signal);
    expectErrno(() => a.send([text('x')]), Errno.DESTADDRREQ, 'send with no default peer');
    const b = net.socket('ipv4', 'datagram', signal);
    b.bind(v4('127.0.0.1', 0));
    b.setOption('receiveBufferSize', 3000);
    expectErrno(() => a.sendTo([new Uint8Array(65508)], b.localAddress()), Errno.MSGSIZE, 'a datagram over 65507 bytes');
    for (let i = 0; i < 5; i++) assert.equal(a.sendTo([new Uint8Array(1000).fill(i)], b.localAddress()), 1000);
    assert.deepEqual(a.localAddress(), v4('0.0.0.0', a.localAddress().port), 'sendTo bound the sender to 0.0.0.0');
    const got: number[] = [];
    for (;;) {
      const buf = new Uint8Array(2000);
      try {
        const d = b.receiveFrom([buf], false);
        assert.equal(d.size, 1000);
        assert.deepEqual(d.from, v4('127.0.0.1', a.localAddress().port), 'from is the source address');
        got.push(buf[0]!);
      } catch (e) {
        if (e instanceof WasiError && e.errno === Errno.AGAIN) break;
        throw e;
      }
    }
    assert.deepEqual(got, [0, 1, 2], 'datagrams beyond the receive buffer were dropped');
  });

  test('multicast: only members bound to the port (on 0.0.0.0 or the group) receive; multicastLoop off keeps the sender\'s own out; one interface', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const group = '239.1.2.3';
    const receiver = (ip: string, port: number): VirtualSocket => {
      const s = net.socket('ipv4', 'datagram', signal);
      s.setOption('reuseAddress', true);
      s.bind(v4(ip, port));
      return s;
    };
    const member = receiver('0.0.0.0', 0);
    const port = member.localAddress().port;
    const onGroup = receiver(group, port);
    const nonMember = receiver('0.0.0.0', port);
    const onOtherAddress = receiver('127.0.0.1', port);
    const otherPort = receiver('0.0.0.0', 0);
    for (const s of [member, onGroup, onOtherAddress, otherPort]) s.joinMulticast(group, undefined);
    const sender = net.socket('ipv4', 'datagram', signal);
    const pending = (s: VirtualSocket): string[] => {
      const got: string[] = [];
      for (;;) {
        const buf = new Uint8Array(64);
        try {
          const d = s.receiveFrom([buf], false);
          got.push(`${str(buf.subarray(0, d.size))} from ${d.from.ip}`);
        } catch (e) {
          if (e instanceof WasiError && e.errno === Errno.AGAIN) return got;
          throw e;
        }
      }
    };
    assert.equal(sender.sendTo([text('one')], v4(group, port)), 3);
    assert.deepEqual(pending(member), ['one from 127.0.0.1'], 'a member on 0.0.0.0 (from the loopback address: the sender is bound to 0.0.0.0)');
    assert.deepEqual(pending(onGroup), ['one from 127.0.0.1'], 'a member bound to the group address');
    assert.deepEqual(pending(nonMember), [], 'not a member');
    assert.deepEqual(pending(onOtherAddress), [], 'a member bound to another address');
    assert.deepEqual(pending(otherPort), [], 'a member on another port');

    member.leaveMulticast(group, '127.0.0.1');
    sender.sendTo([text('two')], v4(group, port));
    assert.deepEqual(pending(member), [], 'a member that left (any interface names the one there is)');
    assert.deepEqual(pending(onGroup), ['two from 127.0.0.1'], 'the other member still receives');

    onGroup.sendTo([text('own')], v4(group, port));
    assert.deepEqual(pending(onGroup), ['own from 239.1.2.3'], 'the sender receives its own (multicastLoop on), from the address it is bound to');
    onGroup.setOption('multicastLoop', false);
    onGroup.sendTo([text('not looped')], v4(group, port));
    assert.deepEqual(pending(onGroup), [], 'multicastLoop off');

    member.joinMulticast(group, '10.9.9.9');
    expectErrno(() => member.joinMulticast(group, undefined), Errno.ADDRINUSE, 'every interface address names the one interface');
    const v6 = net.socket('ipv6', 'datagram', signal);
    v6.joinMulticast('ff02::1', 7);
    expectErrno(() => v6.joinMulticast('FF02:0::1', 0), Errno.ADDRINUSE, 'so does every index (and the group is compared canonically)');
    member.close();
    expectErrno(() => member.leaveMulticast(group, undefined), Errno.BADF, 'a closed socket');
  });

  test('lookup: localhost names and IP addresses, and nothing else', () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    for (const name of ['LOCALHOST.', 'app.localhost']) assert.deepEqual(net.lookup(name, signal).result(), ['127.0.0.1', '::1'], name);
    assert.deepEqual(net.lookup('::FFFF:127.0.0.1', signal).result(), ['::ffff:127.0.0.1']);
    expectErrno(() => net.lookup('example.com', signal).result(), Errno.NOENT, 'a name on no loopback network');
    const cancelled = net.lookup('localhost', signal);
    cancelled.cancel();
    expectErrno(() => cancelled.result(), Errno.CANCELED, 'a cancelled lookup');
  });

  test('listenTcp: listening sockets as listener channels, reachable from the network\'s sockets', async () => {
    const net = loopbackNetworking();
    const signal = new ReadinessSignal();
    const listeners = await net.listenTcp([{ host: 'localhost', port: 0 }, { host: '::1', port: 0 }], signal, { bufferSize: 4096 });
    assert.equal(listeners.channels.length, 2);
    const [a4, a6] = listeners.addresses;
    assert.equal(a4!.host, '127.0.0.1');
    assert.equal(a6!.host, '::1');
    const client = net.socket('ipv4', 'stream', signal);
    client.connect(v4('127.0.0.1', a4!.port));
    const channel = listeners.channels[0]!;
    assert.equal(channel.pending(), 1);
    const conn = channel.accept()!;
    assert.equal(channel.accept(), undefined, 'no second connection');
    assert.equal(conn.receiveCapacity, 4096);
    client.send([text('ping')]);
    const buf = new Uint8Array(10);
    assert.equal(conn.readable(), 4);
    assert.equal(str(buf.subarray(0, conn.receive([buf], false))), 'ping');
    assert.equal(conn.receive([buf], false), 0, 'nothing more yet');
    assert.equal(conn.send([text('pong')]), 4);
    assert.equal(str(buf.subarray(0, client.receive([buf], false))), 'pong');
    client.close();
    assert.deepEqual(conn.status(), { peerClosed: true, error: 0 });
    assert.throws(() => conn.send([text('x')]), (e: unknown) => e instanceof WasiError && e.errno === Errno.PIPE, 'send to a closed peer');
    conn.close();
    await listeners.close();
    const late = net.socket('ipv4', 'stream', signal);
    late.connect(v4('127.0.0.1', a4!.port));
    assert.equal(late.state().error, Errno.CONNREFUSED, 'closed listeners are gone');
    await assert.rejects(net.listenTcp([{ host: 'nowhere.example', port: 0 }], signal), (e: unknown) => e instanceof WasiError && e.errno === Errno.NOENT);
  });
});
