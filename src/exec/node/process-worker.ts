/**
 * A process worker (layer: execution, Node only; the worker's entry). Once
 * its modules are loaded it reports `ready`, then serves runs one at a
 * time, for as long as the pool keeps it (process-pool.ts): for each run it
 * receives the configuration as data, builds a kernel here on the Node
 * runtime and spawns the process on it (the guest and its kernel share
 * this thread: the inline port), reaches what lives on the caller's thread
 * through that run's host bridge, runs the command, and reports how it
 * ended. Captured output is posted to the caller as it is written, so
 * nothing is lost however the run ends.
 *
 * Host descriptors that NodeFileSystem opens during a run are recorded in
 * the run's shared `hostFds` table, so that the caller can close them if it
 * must terminate this worker (time limit).
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { FileType } from '../../abi/constants.js';
import {
  BridgeClient, bridgedClocks, bridgedInput, bridgedOutput, bridgedRandom, bridgedTrace,
} from '../../host/bridge/client.js';
import { encodeError } from '../../host/bridge/protocol.js';
import type { FileSystem } from '../../host/fs/types.js';
import { observeHostFds } from '../../host/node/node-fs.js';
import { nodeRuntime } from '../../host/node/node-runtime.js';
import { BufferInputStream, type InputStream, type OutputStream, type TraceSink } from '../../host/stdio.js';
import { ReadinessSignal } from '../../host/readiness-signal.js';
import { exitCodeOf, type ExitStatus } from '../../kernel/exit-status.js';
import { Kernel } from '../../kernel/kernel.js';
import { runInline } from '../inline-run.js';
import { hostImports, runComponentInline } from '../component/component-run.js';
import { openListeners } from '../listeners.js';
import { flushNetwork, kernelNetwork } from '../network.js';
import { spawnProcess } from '../process-factory.js';
import { SyscallFunctions } from '../syscall-functions.js';
import type { InputSpec, OutputSpec, PoolMessage, WorkerConfig, WorkerReport, WorkerRun } from './process-protocol.js';

const parent = parentPort!;

function report(r: WorkerReport, transfer?: ArrayBuffer[]): void {
  parent.postMessage(r, transfer);
}

/** Records the host descriptors a run's filesystems open, in its shared table. */
function recordHostFds(table: Int32Array): void {
  observeHostFds({
    opened(fd) {
      for (let i = 0; i < table.length; i++) {
        if (Atomics.compareExchange(table, i, 0, fd + 1) === 0) return;
      }
    },
    closing(fd) {
      for (let i = 0; i < table.length; i++) {
        if (Atomics.compareExchange(table, i, fd + 1, 0) === fd + 1) return;
      }
    },
  });
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

/** Everything one run needs on this side: its configuration and its bridge to the caller. */
class Run {
  readonly client: BridgeClient;

  constructor(readonly config: WorkerConfig, readonly port: MessagePort, cell: SharedArrayBuffer) {
    this.client = new BridgeClient(
      { post: (m) => port.postMessage(m), receive: () => receiveMessageOnPort(port)?.message },
      new Int32Array(cell),
    );
  }

  output(spec: OutputSpec, stream: 1 | 2): OutputStream {
    switch (spec.kind) {
      case 'fd': {
        const s = nodeRuntime.hostOutput(spec.fd);
        if (this.config.coalesce || s.bufferable !== true) return s;
        return { filetype: s.filetype, bufferable: false, write: (d) => s.write(d) };
      }
      case 'capture': return postingStream(stream, spec.bufferable);
      case 'bridge': return bridgedOutput(this.client, spec.h, spec.filetype, spec.bufferable);
    }
  }

  input(spec: InputSpec): InputStream {
    switch (spec.kind) {
      case 'fd': return nodeRuntime.hostInput(spec.fd);
      case 'bytes': return new BufferInputStream(spec.data);
      case 'bridge': return bridgedInput(this.client, spec.h, spec.filetype, spec.hasAvailable);
    }
  }

  /** Trace lines to this worker's stderr (host descriptor 2), or to a sink on the caller's thread. */
  traceSink(): TraceSink | undefined {
    const trace = this.config.trace;
    if (typeof trace === 'number') return bridgedTrace(this.client, trace);
    if (!trace) return undefined;
    const out = nodeRuntime.hostOutput(2);
    const encoder = new TextEncoder();
    return (line) => { out.write(encoder.encode(`[kiln trace] ${line}\n`)); };
  }
}

async function serve(message: WorkerRun): Promise<void> {
  const run = new Run(message.config, message.bridgePort as MessagePort, message.bridgeCell);
  const config = run.config;
  recordHostFds(new Int32Array(message.hostFds));
  try {
    const preopens: Record<string, string | FileSystem> = {};
    for (const [guest, spec] of config.preopens) {
      preopens[guest] = spec.kind === 'host' ? spec.path : run.client.fileSystem(spec.root);
    }
    const kernel = new Kernel(nodeRuntime, {
      readiness: config.readiness === undefined ? undefined : new ReadinessSignal(config.readiness),
      network: kernelNetwork(config, nodeRuntime),
    });
    const listeners = await openListeners(nodeRuntime, config.listen, kernel.readiness);
    let status: ExitStatus;
    try {
      const process = spawnProcess(kernel, {
        args: config.args,
        env: config.env,
        preopens,
        stdin: run.input(config.stdin),
        stdout: run.output(config.stdout, 1),
        stderr: run.output(config.stderr, 2),
        clocks: config.clocks === undefined ? undefined : bridgedClocks(run.client, config.clocks),
        random: config.random === undefined ? undefined : bridgedRandom(run.client, config.random),
        maxDescriptors: config.maxDescriptors,
        maxSockets: config.maxSockets,
      }, { resources: listeners.resources });
      const program = message.module;
      if (program instanceof WebAssembly.Module) {
        const functions = new SyscallFunctions(process, run.traceSink());
        const imports = functions.importsFor(program);
        const instance = await WebAssembly.instantiate(program, imports as unknown as WebAssembly.Imports);
        functions.context.bind(instance.exports['memory'] as WebAssembly.Memory);
        status = runInline(process, instance.exports['_start'] as () => void);
      } else {
        status = runComponentInline(process, program, hostImports(process, undefined, run.traceSink()));
      }
      kernel.release(process);
    } finally {
      // Before the end is reported: once the caller has it, it may exit (kiln run does), which ends
      // this worker and its I/O thread, and what the guest sent on an accepted connection but the
      // I/O thread had not yet handed to the system would be lost. close() settles them.
      await listeners.close();
    }
    await flushNetwork(kernel.network); // likewise for the sockets the guest opened and closed itself
    if (status.kind === 'fault') report({ type: 'error', error: encodeError(status.error) });
    else report({ type: 'exit', code: exitCodeOf(status)!, ...(status.kind === 'signal' ? { signal: status.signal } : {}) });
  } catch (e) {
    report({ type: 'error', error: encodeError(e) });
  } finally {
    observeHostFds(undefined);
    run.port.close();
  }
}

parent.on('message', (m: PoolMessage) => {
  if (m.type === 'run') void serve(m);
});
report({ type: 'ready' });
