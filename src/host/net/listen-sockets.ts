/**
 * `listenTcp` over shared-memory sockets (layer: host, platform-neutral):
 * listening TCP sockets opened before a guest runs (`kiln run --listen`),
 * made of the very sockets a guest opens itself (socket-proxy.ts) and
 * handed to the kernel as channels (socket-channel.ts). It runs on a
 * thread that is free to await: it waits for the I/O thread's answers on
 * the readiness signal, asynchronously.
 */
import { Errno, WasiError, errnoName } from '../../abi/errno.js';
import { formatListenAddress, type ListenAddress } from './address.js';
import { ListenError } from './listen-error.js';
import type { HostLookup, SocketKind, TcpListeners, VirtualSocket } from './networking.js';
import type { ReadinessSignal } from '../readiness-signal.js';
import type { SharedListenerOptions } from './shared-layout.js';
import { ipFamily, type IpFamily } from './socket-address.js';
import { SocketListenerChannel } from './socket-channel.js';
import { ringSize } from './socket-layout.js';
import { DEFAULT_TUNING, SharedSocket, type SocketTuning } from './socket-proxy.js';

/** What `listenOnSockets` needs from the networking. */
export interface ListeningHost {
  socket(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal, tuning: SocketTuning): SharedSocket;
  lookup(host: string, readiness: ReadinessSignal): HostLookup;
  /** Closes `sockets`, sending what they queued and FIN; resolves once that reached the system (or a grace period passed). */
  settle(sockets: readonly SharedSocket[]): Promise<void>;
}

/** How long to sleep at most between checks while waiting for the I/O thread (the readiness signal usually wakes sooner). */
const RECHECK_MS = 50;

/** Listens on every address in order; rejects with a ListenError (closing those already open) when one cannot be. */
export async function listenOnSockets(
  host: ListeningHost, addresses: readonly ListenAddress[], readiness: ReadinessSignal, options: SharedListenerOptions = {},
): Promise<TcpListeners> {
  if (addresses.length === 0) return { channels: [], addresses: [], close: async () => {} };
  if (!(readiness.cell.buffer instanceof SharedArrayBuffer)) throw new TypeError('listening sockets need a ReadinessSignal in shared memory');
  const tuning: SocketTuning = {
    ...DEFAULT_TUNING,
    streamRingBytes: ringSize(options.bufferSize ?? DEFAULT_TUNING.streamRingBytes),
    maxSpares: Math.max(1, Math.floor(options.maxConnections ?? DEFAULT_TUNING.maxSpares)),
  };
  const listeners: SharedSocket[] = [];
  const accepted: VirtualSocket[] = [];
  try {
    for (const a of addresses) listeners.push(await listenOn(host, a, readiness, tuning));
  } catch (e) {
    for (const s of listeners) s.close();
    await host.settle(listeners);
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    channels: listeners.map((s) => new SocketListenerChannel(s, (c) => accepted.push(c))),
    addresses: listeners.map((s) => {
      const local = s.localAddress();
      return { host: local.ip, port: local.port };
    }),
    close: () => (closing ??= (async () => {
      for (const s of listeners) s.close();
      await host.settle([...listeners, ...accepted.filter((c): c is SharedSocket => c instanceof SharedSocket)]);
    })()),
  };
}

async function listenOn(host: ListeningHost, a: ListenAddress, readiness: ReadinessSignal, tuning: SocketTuning): Promise<SharedSocket> {
  const fail = (code: string, detail: string) => new ListenError(formatListenAddress(a), code, detail);
  let ip = a.host;
  if (ipFamily(ip) === undefined) {
    const lookup = host.lookup(a.host, readiness);
    let found: string[];
    try {
      found = await untilReady(() => lookup.result(), readiness);
    } catch (e) {
      throw fail('ENOTFOUND', e instanceof Error ? e.message : String(e));
    }
    if (found.length === 0) throw fail('ENOTFOUND', 'no address');
    ip = found[0]!;
  }
  const family = ipFamily(ip)!;
  const socket = host.socket(family, 'stream', readiness, tuning);
  try {
    // Connections of these listeners serve interactive peers: no Nagle delay.
    socket.setOption('noDelay', true);
    await untilReady(() => socket.listenAt({ family, ip, port: a.port }, tuning.maxSpares), readiness);
    return socket;
  } catch (e) {
    socket.close();
    if (e instanceof WasiError) throw fail(`E${errnoName(e.errno)}`, e.message);
    throw e;
  }
}

/** Calls `f` until it answers something other than AGAIN, sleeping on the readiness signal in between. */
async function untilReady<T>(f: () => T, readiness: ReadinessSignal): Promise<T> {
  for (;;) {
    const seen = readiness.generation;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof WasiError && e.errno === Errno.AGAIN)) throw e;
    }
    await changed(readiness, seen);
  }
}

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/** Resolves once the signal moved past `seen`, or after RECHECK_MS (a timer, which also keeps the event loop alive meanwhile). */
async function changed(readiness: ReadinessSignal, seen: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  const w = waitAsync?.(readiness.cell, 0, seen, RECHECK_MS);
  if (w !== undefined && !w.async) return; // it already moved
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sleep = new Promise<void>((r) => { timer = setTimeout(r, RECHECK_MS); });
  await (w !== undefined ? Promise.race([w.value, sleep]) : sleep);
  clearTimeout(timer);
}
