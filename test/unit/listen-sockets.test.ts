/**
 * Listening sockets opened before a guest runs (src/host/net/listen-sockets.ts,
 * `kiln run --listen`): each is bound and made to listen in one command to
 * the I/O thread. A bind probe first (what a guest's bind() makes) would
 * listen on the port for a moment and close: a peer already trying to
 * connect would be accepted by the probe and reset when it closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenOnSockets } from '../../src/host/net/listen-sockets.js';
import type { NetCommand } from '../../src/host/net/socket-protocol.js';
import { IoState } from '../../src/host/net/socket-layout.js';
import { SocketIoSide } from '../../src/host/net/socket-io-side.js';
import { SharedSocket, type SocketHost } from '../../src/host/net/socket-proxy.js';
import { ReadinessSignal } from '../../src/host/readiness-signal.js';

test('a listener is bound and listening in one command, with no bind probe', async () => {
  const signal = new ReadinessSignal(new SharedArrayBuffer(4));
  const ops: string[] = [];
  let io: SocketIoSide | undefined;
  let nextId = 0;
  const host: SocketHost = {
    post(c: NetCommand) {
      ops.push(c.op);
      if (c.op === 'open') io = new SocketIoSide(c.buffer, c.readiness);
      if (c.op === 'listen') {
        // As the I/O thread's HostListener answers: bound where asked (the port the system picked for 0), listening.
        io!.bound({ ...c.address, port: c.address.port === 0 ? 40123 : c.address.port });
        io!.set(IoState.LISTENING);
        io!.answer(c.seq, 0);
        signal.notify();
      }
    },
    ring() {},
    nextId: () => ++nextId,
    opened() {},
    released() {},
    probe() {
      ops.push('probe');
      throw new Error('no probe expected');
    },
  };
  const listeners = await listenOnSockets({
    socket: (family, kind, readiness, tuning) => new SharedSocket(host, host.nextId(), family, kind, readiness, tuning),
    lookup: () => { throw new Error('no lookup expected'); },
    settle: async () => {},
  }, [{ host: '127.0.0.1', port: 0 }], signal);
  assert.deepEqual(ops.filter((op) => op === 'probe' || op === 'bind' || op === 'listen'), ['listen']);
  assert.deepEqual(listeners.addresses, [{ host: '127.0.0.1', port: 40123 }]);
});
