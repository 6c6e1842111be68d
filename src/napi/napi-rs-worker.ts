/**
 * The worker a napi-rs binding's guest threads run in (layer: front doors,
 * Node): what the package's `wasi-worker.mjs` does, with Kiln's WASI. emnapi
 * on the loading thread posts the module and the shared memory ('load'),
 * then each thread to start; this worker instantiates the module on that
 * memory with its own WASI (same arguments, environment and preopens) and
 * runs `wasi_thread_start`. Started by napi-rs.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WASI } from '../front/node/node-wasi.js';
import { loadEmnapi, type EmnapiLoadData } from './emnapi.js';
import type { NapiRsWorkerData } from './napi-rs.js';

const data = workerData as NapiRsWorkerData;
const port = parentPort!;
const { core, context, plugins } = loadEmnapi(data.anchor, false);

// emnapi's thread code talks to the loading thread through the web worker
// globals (`postMessage`, `onmessage`).
type OnMessage = (e: { data: unknown }) => void;
const scope = globalThis as unknown as { self: unknown; postMessage(msg: unknown): void; onmessage: OnMessage };
scope.self = globalThis;
scope.postMessage = (msg) => port.postMessage(msg);
port.on('message', (msg: unknown) => scope.onmessage({ data: msg }));

const trace = data.trace;
const handler = new core.MessageHandler({
  onLoad({ wasmModule, wasmMemory }: EmnapiLoadData) {
    const wasi = new WASI({
      version: 'preview1',
      args: data.args,
      env: data.env,
      preopens: data.preopens,
      trace: typeof trace === 'boolean' ? trace : (line) => trace.postMessage(line),
    });
    Atomics.add(data.counters, 0, 1);
    return core.instantiateNapiModuleSync(wasmModule, {
      childThread: true,
      wasi,
      context,
      plugins,
      overwriteImports(importObject: Record<string, Record<string, unknown>>) {
        importObject['env'] = { ...importObject['env'], ...importObject['napi'], ...importObject['emnapi'], memory: wasmMemory };
        return importObject;
      },
    });
  },
});
scope.onmessage = (e) => {
  const type = (e.data as { __emnapi__?: { type?: string } } | null)?.__emnapi__?.type;
  if (type === 'start') Atomics.add(data.counters, 1, 1);
  handler.handle(e);
};
