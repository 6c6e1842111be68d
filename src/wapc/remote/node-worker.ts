/**
 * The worker side of the worker engine (layer: waPC host, Node only): a
 * WebAssemblyEngine with Node's platform, driven by messages from the
 * caller's thread (protocol.ts). Host calls block this thread until the
 * caller's thread has answered them; console logs and forwarded output
 * are posted back as they happen.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { CallbackStream } from '../../host/stdio.js';
import { nodeDeadline } from '../../host/node/deadline.js';
import { nodePlatform } from '../../front/node/node-platform.js';
import { WebAssemblyEngine } from '../engine.js';
import type { WapcWasiOptions } from '../guest-instance.js';
import { ModuleState, type HostCallback } from '../state.js';
import type { HostCallReply, HostCallRequest, RemoteInit, RemoteReply, RemoteRequest, RemoteTrap } from './protocol.js';
import type { GuestTrap } from '../state.js';
import { trapOf } from '../call-result.js';

const port = parentPort!;
const init = workerData as RemoteInit;
const cell = new Int32Array(init.hostCallCell);
const post = (reply: RemoteReply): void => port.postMessage(reply);

/** Answers the guest's host calls by asking the caller's thread and sleeping until it has answered. */
const hostCallback: HostCallback = (_id, binding, namespace, operation, payload) => {
  Atomics.store(cell, 0, 0);
  const request: HostCallRequest = { binding, namespace, operation, payload };
  init.hostCallPort.postMessage(request);
  Atomics.wait(cell, 0, 0);
  const reply = receiveMessageOnPort(init.hostCallPort)?.message as HostCallReply | undefined;
  if (reply === undefined) throw new Error('the host did not answer the host call');
  if (!reply.ok) throw new Error(reply.error);
  return reply.bytes;
};

function wasiOptions(remote: RemoteInit['wasi']): WapcWasiOptions | undefined {
  if (remote === undefined) return undefined;
  const stream = (fd: 1 | 2, v: number | 'forward' | undefined) =>
    v === 'forward' ? new CallbackStream((data) => post({ t: 'out', fd, data })) : v;
  return { ...remote, stdout: stream(1, remote.stdout), stderr: stream(2, remote.stderr) };
}

const state = new ModuleState(init.id, hostCallback);
let engine: WebAssemblyEngine;
try {
  engine = new WebAssemblyEngine(init.module, {
    wasi: wasiOptions(init.wasi),
    timeoutMs: init.timeoutMs,
    consoleLog: (message) => post({ t: 'log', message }),
  }, { platform: nodePlatform, deadline: nodeDeadline });
  engine.init(state);
  post({ t: 'ready' });
} catch (e) {
  post({ t: 'init-failed', message: (e as Error).message });
  port.close();
}

function remoteTrap(trap: GuestTrap | undefined): RemoteTrap | undefined {
  if (trap === undefined) return undefined;
  const cause = trap.cause;
  return { message: trap.message, timedOut: trap.timedOut === true, stack: cause instanceof Error ? cause.stack : undefined };
}

port.on('message', (request: RemoteRequest) => {
  if (request.t === 'call') {
    state.beginCall(request.op, request.payload);
    let rc: number;
    try {
      rc = engine.call(request.op.length, request.payload.length);
    } catch (e) {
      state.trap ??= trapOf(e);
      rc = 0;
    }
    state.endCall();
    const response = state.guestResponse;
    post({ t: 'result', rc, response, guestError: state.guestError, trap: remoteTrap(state.trap) });
  } else {
    try {
      engine.replace(request.module);
      post({ t: 'replaced' });
    } catch (e) {
      post({ t: 'replaced', error: (e as Error).message });
    }
  }
});
