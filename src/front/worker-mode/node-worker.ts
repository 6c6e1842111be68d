/**
 * The process worker of the worker mode (layer: front doors, Node only).
 * It receives the configuration as data, builds the kernel here (a
 * direct-mode WASI: the guest and its kernel share this thread), reaches
 * what lives on the caller's thread through the host bridge, runs the
 * command, and reports its exit code or trap. Captured output is posted to
 * the caller as it is written, so nothing is lost however the run ends.
 *
 * Host descriptors that NodeFileSystem opens here are recorded in the
 * shared `hostFds` table, so that the caller can close them if it must
 * terminate this worker (time limit).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { FileType } from '../../abi/constants.js';
import {
  BridgeClient, bridgedClocks, bridgedInput, bridgedOutput, bridgedRandom, bridgedTrace,
} from '../../host/bridge/client.js';
import { encodeError } from '../../host/bridge/protocol.js';
import type { FileSystem } from '../../host/fs/types.js';
import { observeHostFds } from '../../host/node/node-fs.js';
import { BufferInputStream, type InputStream, type OutputStream } from '../../host/stdio.js';
import { ReadinessSignal } from '../../kernel/readiness-signal.js';
import { nodeHost } from '../../node.js';
import { WASI } from '../wasi.js';
import type { InputSpec, OutputSpec, WorkerConfig, WorkerData, WorkerReport } from './protocol.js';

const data = workerData as WorkerData;
const port = data.bridgePort as MessagePort;
const parent = parentPort!;
const config: WorkerConfig = data.config;

const hostFds = new Int32Array(data.hostFds);
observeHostFds({
  opened(fd) {
    for (let i = 0; i < hostFds.length; i++) {
      if (Atomics.compareExchange(hostFds, i, 0, fd + 1) === 0) return;
    }
  },
  closing(fd) {
    for (let i = 0; i < hostFds.length; i++) {
      if (Atomics.compareExchange(hostFds, i, fd + 1, 0) === fd + 1) return;
    }
  },
});

const client = new BridgeClient(
  {
    post: (m) => port.postMessage(m),
    receive: () => receiveMessageOnPort(port)?.message,
  },
  new Int32Array(data.bridgeCell),
);

function report(r: WorkerReport, transfer?: ArrayBuffer[]): void {
  parent.postMessage(r, transfer);
}

/** A stream that hands every piece to the caller (capture). */
function postingStream(stream: 1 | 2, bufferable: boolean): OutputStream {
  return {
    filetype: FileType.UNKNOWN,
    bufferable,
    write(bytes) {
      const copy = bytes.slice();
      report({ type: 'out', stream, data: copy }, [copy.buffer]);
      return bytes.byteLength;
    },
  };
}

function output(spec: OutputSpec, stream: 1 | 2): OutputStream {
  switch (spec.kind) {
    case 'fd': {
      const s = nodeHost.output(spec.fd);
      if (config.coalesce || s.bufferable !== true) return s;
      return { filetype: s.filetype, bufferable: false, write: (d) => s.write(d) };
    }
    case 'capture': return postingStream(stream, spec.bufferable);
    case 'bridge': return bridgedOutput(client, spec.h, spec.filetype, spec.bufferable);
  }
}

function input(spec: InputSpec): InputStream {
  switch (spec.kind) {
    case 'fd': return nodeHost.input(spec.fd);
    case 'bytes': return new BufferInputStream(spec.data);
    case 'bridge': return bridgedInput(client, spec.h, spec.filetype, spec.hasAvailable);
  }
}

async function main(): Promise<void> {
  try {
    const preopens: Record<string, string | FileSystem> = {};
    for (const [guest, spec] of config.preopens) {
      preopens[guest] = spec.kind === 'host' ? spec.path : client.fileSystem(spec.root);
    }
    const wasi = new WASI({
      version: config.version,
      args: config.args,
      env: config.env,
      preopens,
      stdin: input(config.stdin),
      stdout: output(config.stdout, 1),
      stderr: output(config.stderr, 2),
      clocks: config.clocks === undefined ? undefined : bridgedClocks(client, config.clocks),
      random: config.random === undefined ? undefined : bridgedRandom(client, config.random),
      trace: typeof config.trace === 'number' ? bridgedTrace(client, config.trace) : config.trace,
      maxDescriptors: config.maxDescriptors,
      readiness: config.readiness === undefined ? undefined : new ReadinessSignal(config.readiness),
      returnOnExit: true,
    }, nodeHost);
    const instance = await WebAssembly.instantiate(data.module, wasi.getImportObject() as unknown as WebAssembly.Imports);
    const code = wasi.start(instance);
    report({ type: 'exit', code });
  } catch (e) {
    report({ type: 'error', error: encodeError(e) });
  } finally {
    observeHostFds(undefined);
    port.close();
  }
}

void main();
