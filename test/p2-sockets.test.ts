/**
 * WASI 0.2 sockets: `wasi:sockets` (tcp, udp, ip-name-lookup, network) over
 * the run's network and its policy, called by a component made from
 * test/programs/c/p2_sockets.c, which lowers its calls through the canonical
 * ABI itself (p2_sockets.wit is its world). Each case runs in every
 * placement a component has: `kiln run` (the guest on the CLI's thread),
 * `kiln run --timeout` and `WASI.run()` (a process worker), and
 * `WASI.runHere()` with JSPI on the Node 24 the test setup fetches. Exact
 * output.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from './helpers/programs.js';
import { componentRunners, lines, type RunOptions, type RunResult, type Runner } from './helpers/runners.js';
import { CaptureStream, WASI } from '../src/node.js';
import { HostContext } from '../src/syscalls/p2/host-context.js';
import { socketInterfaces } from '../src/syscalls/p2/sockets.js';
import type { TcpSocket } from '../src/syscalls/p2/sockets-tcp.js';
import { ResultError } from '../src/syscalls/p2/values.js';

const component = path.join(repoRoot, 'build', 'components', 'p2_sockets.wasm');

const PLACEMENTS = componentRunners('30s');

const run = (runner: Runner, opts: Omit<RunOptions, 'program'>): Promise<RunResult> => {
  assert.ok(existsSync(component), `${component} is missing: run npm run build:programs`);
  return runner({ program: component, ...opts });
};

/** What p2_sockets prints on a network where localhost is 127.0.0.1 and ::1 (the loopback network). */
const LOOPBACK_OUTPUT = lines(
  'bind again: invalid-state',
  'listening: yes, port chosen: yes',
  "listener's remote address: invalid-state",
  'accept with none queued: would-block',
  'finish-connect first: not-in-progress',
  'connect to port 0: invalid-argument',
  'connect to 0.0.0.0: invalid-argument',
  'connect again: invalid-state',
  'accepted peer is the client: yes',
  'server got: ping',
  'client got: pong',
  "server reads after the client's shutdown: closed",
  'connect to a closed port: connection-refused',
  'finish-connect after the failure: not-in-progress',
  'udp to the peer: sent 1',
  'b received: 1 datagram, "hello udp" from 127.0.0.1, the sender\'s port: yes',
  'udp reply: sent 1',
  'a received: 1 datagram, "reply" from 127.0.0.1, the sender\'s port: yes',
  'udp without an address: invalid-argument',
  'udp to another than the peer: invalid-argument',
  'lookup "localhost": 127.0.0.1',
  'lookup "localhost": 0:0:0:0:0:0:0:1',
  'lookup "127.0.0.1": 127.0.0.1',
  'lookup "": invalid-argument',
  'lookup "nowhere.invalid": name-unresolvable',
  'done',
);

/** A TCP server on 127.0.0.1 that answers each connection with "echo: " and what it received, once the peer finished sending; `firstClosed` settles when its first connection is gone. */
async function echoServer(): Promise<{ port: number; received: string[]; firstClosed: Promise<void>; close: () => Promise<void> }> {
  const received: string[] = [];
  let closed!: () => void;
  const firstClosed = new Promise<void>((resolve) => { closed = resolve; });
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push(text);
      socket.end(`echo: ${text}`);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => closed());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, received, firstClosed, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const [placement, runner] of PLACEMENTS) {
  describe(`wasi:sockets (${placement})`, () => {
    test('TCP, UDP and lookups between sockets of one component on the loopback network, with the state machine\'s errors', async () => {
      assert.deepEqual(await run(runner, { flags: ['--net', 'loopback'] }), { status: 0, stdout: LOOPBACK_OUTPUT, stderr: '' });
    });

    test('on the host\'s network a component connects to a server of the host and reads its answer to the end', async () => {
      const server = await echoServer();
      try {
        const r = await run(runner, { flags: ['--net', 'host'], args: ['client', String(server.port)] });
        assert.deepEqual(r, { status: 0, stdout: 'echo: hello from a component\n', stderr: '' });
        assert.deepEqual(server.received, ['hello from a component\n']);
      } finally {
        await server.close();
      }
    });

    test('a list that lies past the end of the guest\'s memory traps (the canonical ABI\'s bounds check), nothing is sent', async () => {
      const server = await echoServer();
      try {
        const r = await run(runner, { flags: ['--net', 'host'], args: ['badlist', String(server.port)] });
        assert.equal(r.status, 134, r.stderr);
        assert.equal(r.stdout, 'connected\n');
        assert.match(r.stderr, /^Error: the guest trapped: a list of 64 bytes at 4294963200 lies outside the guest's memory \(\d+ bytes\)\n/);
        await server.firstClosed;
        assert.ok(server.received.every((text) => text === ''), `the server received ${JSON.stringify(server.received)}`);
      } finally {
        await server.close();
      }
    });

    test('the policy refuses a connect and binds it does not allow: access-denied', async () => {
      const r = await run(runner, {
        flags: ['--net', 'loopback', '--allow-connect', '10.0.0.1:80', '--allow-bind', '10.0.0.1:80'],
        args: ['denied', '8080'],
      });
      assert.deepEqual(r, { status: 0, stdout: lines('connect: access-denied', 'bind: access-denied', 'udp bind: access-denied'), stderr: '' });
    });

    test('without a network, a socket cannot be made: not-supported', async () => {
      assert.deepEqual(await run(runner, {}), { status: 1, stdout: 'create-tcp-socket failed: not-supported\n', stderr: '' });
    });

    test('the socket limit counts a component\'s sockets: new-socket-limit, for an accept as for a new socket', async () => {
      const r = await run(runner, { flags: ['--net', 'loopback', '--max-sockets', '1'] });
      const first = LOOPBACK_OUTPUT.split('\n').slice(0, 3).join('\n');
      // As Linux's accept, which takes a descriptor before it looks at the queue.
      const expected = `${first}\naccept with none queued: new-socket-limit\ncreate-tcp-socket failed: new-socket-limit\n`;
      assert.deepEqual(r, { status: 1, stdout: expected, stderr: '' });
    });
  });
}

describe('wasi:sockets through the API', () => {
  test('startComponent on the loopback network: the same output, on this thread', async () => {
    const { transpileComponent } = await import('../src/exec/component/transpile.js');
    const out = new CaptureStream();
    const wasi = new WASI({ args: ['p2_sockets'], stdout: out, stderr: out, network: 'loopback' });
    const code = wasi.startComponent(await transpileComponent(readFileSync(component)));
    assert.equal(out.text(), LOOPBACK_OUTPUT);
    assert.equal(code, 0);
  });

  test('a socket the component did not drop is closed when its process ends: its port refuses connections after', () => {
    const wasi = new WASI({ network: 'loopback' });
    const process = wasi.process;
    const ctx = new HostContext(process);
    const sockets = socketInterfaces(ctx);
    const create = (): TcpSocket => (sockets['wasi:sockets/tcp-create-socket'].createTcpSocket as (f: string) => TcpSocket)('ipv4');
    const network = sockets['wasi:sockets/instance-network'].instanceNetwork();
    const loopback = { tag: 'ipv4' as const, val: { port: 0, address: [127, 0, 0, 1] } };
    const server = create();
    server.startBind(network, loopback);
    server.finishBind();
    server.startListen();
    server.finishListen();
    const port = server.localAddress().val.port;
    const connectTo = (): string => {
      const client = create();
      client.startConnect(network, { tag: 'ipv4', val: { port, address: [127, 0, 0, 1] } });
      try {
        client.finishConnect();
        return 'connected';
      } catch (e) {
        if (e instanceof ResultError) return String(e.payload);
        throw e;
      }
    };
    assert.equal(connectTo(), 'connected');
    void process.end({ kind: 'exit', code: 0 });
    // The loopback network is the kernel's: a second process of the same WASI reaches the same ports.
    assert.equal(connectTo(), 'connection-refused');
  });
});
