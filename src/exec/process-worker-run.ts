/**
 * One run in a process worker, platform-neutral (layer: execution): what
 * Node's worker thread (node/process-worker.ts) and a browser's Web Worker
 * (browser-process-worker.ts) do with a run they are handed. It builds a
 * kernel on the worker's runtime from the configuration, spawns the
 * process on it (a single-threaded guest shares the worker's thread with
 * its kernel: the inline port; a threaded one, in browsers, has every
 * thread in a worker started from here: threaded-process.ts), reaches what
 * lives on the caller's thread through the run's
 * host bridge, runs the command and reports how it ended. Captured output
 * is posted to the caller as it is written, so nothing is lost however the
 * run ends.
 */
import { FileType } from '../abi/constants.js';
import {
  bridgedClocks, bridgedInput, bridgedOutput, bridgedRandom, bridgedTrace, type BridgeClient,
} from '../host/bridge/client.js';
import { encodeError } from '../host/bridge/protocol.js';
import type { FileSystem } from '../host/fs/types.js';
import type { Runtime } from '../host/runtime.js';
import { BufferInputStream, type InputStream, type OutputStream, type TraceSink } from '../host/stdio.js';
import { ReadinessSignal } from '../host/readiness-signal.js';
import { exitCodeOf, type ExitStatus } from '../kernel/exit-status.js';
import { Kernel } from '../kernel/kernel.js';
import { runInline } from './inline-run.js';
import { hostImports, runComponentInline } from './component/component-run.js';
import { ComponentHttpHandler } from './component/http-handler.js';
import { HostContext } from '../syscalls/p2/host-context.js';
import { openListeners } from './listeners.js';
import { flushNetwork, kernelNetwork } from './network.js';
import { spawnProcess } from './process-factory.js';
import { SyscallFunctions } from './syscall-functions.js';
import { runThreadedProcess } from './threaded-process.js';
import type { CheckedWASIOptions } from './options.js';
import type { InputSpec, OutputSpec, WorkerConfig, WorkerReport, WorkerRun } from './process-protocol.js';
import type { TranspiledComponent } from './component/transpile.js';
import type { ServedResponse } from './component/http-handler.js';
import type { ReceivedRequest } from '../syscalls/p2/http-types.js';

/** The worker's side of a run: its runtime, its bridge to the caller, and how it reports. */
export interface WorkerSide {
  runtime: Runtime;
  client: BridgeClient;
  report(r: WorkerReport, transfer?: ArrayBuffer[]): void;
}

/** A stream that hands every piece to the caller (capture). */
function postingStream(side: WorkerSide, stream: 1 | 2, bufferable: boolean): OutputStream {
  return {
    filetype: FileType.UNKNOWN,
    bufferable,
    write(bytes) {
      const copy = bytes.slice();
      side.report({ type: 'out', stream, data: copy }, [copy.buffer]);
      return bytes.byteLength;
    },
  };
}

function output(side: WorkerSide, config: WorkerConfig, spec: OutputSpec, stream: 1 | 2): OutputStream {
  switch (spec.kind) {
    case 'fd': {
      const s = side.runtime.hostOutput(spec.fd);
      if (config.coalesce || s.bufferable !== true) return s;
      return { filetype: s.filetype, bufferable: false, write: (d) => s.write(d) };
    }
    case 'capture': return postingStream(side, stream, spec.bufferable);
    case 'bridge': return bridgedOutput(side.client, spec.h, spec.filetype, spec.bufferable);
  }
}

function input(side: WorkerSide, spec: InputSpec): InputStream {
  switch (spec.kind) {
    case 'fd': return side.runtime.hostInput(spec.fd);
    case 'bytes': return new BufferInputStream(spec.data);
    case 'bridge': return bridgedInput(side.client, spec.h, spec.filetype, spec.hasAvailable);
  }
}

/** Trace lines to the worker's standard error (host descriptor 2), or to a sink on the caller's thread. */
function traceSink(side: WorkerSide, trace: boolean | number): TraceSink | undefined {
  if (typeof trace === 'number') return bridgedTrace(side.client, trace);
  if (!trace) return undefined;
  const out = side.runtime.hostOutput(2);
  const encoder = new TextEncoder();
  return (line) => { out.write(encoder.encode(`[kiln trace] ${line}\n`)); };
}

/** The kernel's options of a run: what crossed as data, and the caller's objects through the bridge. */
function optionsOf(side: WorkerSide, config: WorkerConfig): CheckedWASIOptions {
  const preopens: Record<string, string | FileSystem> = {};
  for (const [guest, spec] of config.preopens) {
    preopens[guest] = spec.kind === 'host' ? spec.path : side.client.fileSystem(spec.root);
  }
  return {
    args: config.args,
    env: config.env,
    preopens,
    stdin: input(side, config.stdin),
    stdout: output(side, config, config.stdout, 1),
    stderr: output(side, config, config.stderr, 2),
    clocks: config.clocks === undefined ? undefined : bridgedClocks(side.client, config.clocks),
    random: config.random === undefined ? undefined : bridgedRandom(side.client, config.random),
    maxDescriptors: config.maxDescriptors,
    maxSockets: config.maxSockets,
    maxThreads: config.maxThreads,
  };
}

function kernelOf(side: WorkerSide, config: WorkerConfig): Kernel {
  return new Kernel(side.runtime, {
    readiness: config.readiness === undefined ? undefined : new ReadinessSignal(config.readiness),
    network: kernelNetwork(config, side.runtime),
  });
}

/** Runs `message`'s command on a kernel of `side.runtime`, and reports its end (or why it could not run). */
export async function serveRun(side: WorkerSide, message: Pick<WorkerRun, 'config' | 'module' | 'threadedBytes' | 'httpRequest'>): Promise<void> {
  const { config, module: program } = message;
  const runtime = side.runtime;
  try {
    if (message.httpRequest !== undefined && !(program instanceof WebAssembly.Module)) {
      side.report({ type: 'response', response: await handleHttpRequest(side, config, program, message.httpRequest) });
      side.report({ type: 'exit', code: 0 });
      return;
    }
    const kernel = kernelOf(side, config);
    const listeners = await openListeners(runtime, config.listen, kernel.readiness);
    let status: ExitStatus;
    try {
      const options = optionsOf(side, config);
      const trace = traceSink(side, config.trace);
      if (message.threadedBytes !== undefined && program instanceof WebAssembly.Module) {
        // The kernel here, driven by this worker's event loop; every thread in a worker started from here.
        kernel.commands = new Map(config.commands.map(([path, bytes]) => [path, () => bytes]));
        const run = await runThreadedProcess({
          kernel, options, module: program, bytes: message.threadedBytes, threads: runtime.threadSpawn!, trace, resources: listeners.resources,
        });
        status = run.status;
        kernel.release(run.process);
      } else {
        const process = spawnProcess(kernel, options, { resources: listeners.resources });
        if (program instanceof WebAssembly.Module) {
          const functions = new SyscallFunctions(process, trace);
          const imports = functions.importsFor(program);
          const instance = await WebAssembly.instantiate(program, imports as unknown as WebAssembly.Imports);
          functions.context.bind(instance.exports['memory'] as WebAssembly.Memory);
          status = runInline(process, instance.exports['_start'] as () => void);
        } else {
          status = runComponentInline(process, program, hostImports(new HostContext(process), program, undefined, trace));
        }
        kernel.release(process);
      }
    } finally {
      // Before the end is reported: once the caller has it, it may exit (kiln run does), which ends
      // this worker and its I/O thread, and what the guest sent on an accepted connection but the
      // I/O thread had not yet handed to the system would be lost. close() settles them.
      await listeners.close();
    }
    await flushNetwork(kernel.network); // likewise for the sockets the guest opened and closed itself
    if (status.kind === 'fault') side.report({ type: 'error', error: encodeError(status.error) });
    else side.report({ type: 'exit', code: exitCodeOf(status)!, ...(status.kind === 'signal' ? { signal: status.signal } : {}) });
  } catch (e) {
    side.report({ type: 'error', error: encodeError(e) });
  }
}

/**
 * The handler this worker keeps for the component it served last, with the
 * configuration it was made for (as text): a request for the same
 * component with the same configuration finds its next fresh instance
 * made ahead, as `serveHttp` makes one on the caller's thread.
 */
let served: { key: string; config: string; kernel: Kernel; handler: ComponentHttpHandler } | undefined;
let warmUp: ReturnType<typeof setTimeout> | undefined;
/** How long the worker is idle before it makes the next instance. */
const WARM_UP_MS = 10;

/**
 * A configuration as text, when a later run may share what it made: all
 * data (no objects of the caller's, reached through a bridge that ends
 * with its run; no listening sockets or commands). Else undefined.
 */
function shareableConfig(config: WorkerConfig): string | undefined {
  const bridged = config.preopens.some(([, fs]) => fs.kind === 'bridge')
    || [config.stdin, config.stdout, config.stderr].some((s) => s.kind === 'bridge')
    || config.clocks !== undefined || config.random !== undefined || typeof config.trace === 'number';
  // Under a time limit the caller may terminate this worker, which would leave the kept instance's host descriptors open.
  if (bridged || !config.coalesce || config.listen.length > 0 || config.commands.length > 0) return undefined;
  return JSON.stringify({ ...config, readiness: undefined, stdin: config.stdin.kind === 'bytes' ? undefined : config.stdin });
}

/** Lets go of the handler kept for the next request (its processes end: descriptors closed). */
export function retireServed(): void {
  clearTimeout(warmUp);
  served?.handler.close();
  served = undefined;
}

/** A fresh instance of `component` handles `request` (one made ahead when this worker has it). */
async function handleHttpRequest(side: WorkerSide, config: WorkerConfig, component: TranspiledComponent, request: ReceivedRequest): Promise<ServedResponse> {
  clearTimeout(warmUp);
  const key = shareableConfig(config);
  if (served !== undefined && (served.key !== component.key || served.config !== key || key === undefined)) {
    served.handler.close();
    served = undefined;
  }
  let current = served;
  if (current === undefined) {
    const kernel = kernelOf(side, config);
    const options = optionsOf(side, config);
    const trace = traceSink(side, config.trace);
    const handler = new ComponentHttpHandler(component, {
      spawn: () => spawnProcess(kernel, options),
      imports: (ctx) => hostImports(ctx, component, undefined, trace),
    }, false);
    current = { key: component.key, config: key ?? '', kernel, handler };
  }
  const response = current.handler.handle(request);
  await flushNetwork(current.kernel.network);
  if (key === undefined) {
    current.handler.close();
  } else {
    served = current;
    warmUp = setTimeout(() => current.handler.prepare(), WARM_UP_MS);
    warmUp.unref?.();
  }
  return response;
}
