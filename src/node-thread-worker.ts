/**
 * The Node worker that runs wasm threads of a threaded process (entry
 * point, Node only). It waits for a thread to run, runs it to completion
 * and reports back; the process's kernel reuses it for the next thread.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { runThreadToEvent } from './exec/ports/thread-run.js';
import type { GuestThreadStart } from './host/threads.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, data: Uint8Array): void {
  let at = 0;
  while (at < data.byteLength) {
    try {
      at += fs.writeSync(fd, data, at, data.byteLength - at);
    } catch (e) {
      // A host descriptor left non-blocking: wait for room rather than spin.
      if ((e as { code?: unknown }).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const port = parentPort;
if (port === null) throw new Error('node-thread-worker must run in a worker thread');

port.on('message', async (start: GuestThreadStart) => {
  port.postMessage(await runThreadToEvent(start, writeAll));
});

// Loaded: from now on the worker can be stopped without leaving the loader's files open.
port.postMessage({ type: 'ready' });
