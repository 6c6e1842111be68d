/**
 * The placement decision (layer: execution): where a process's kernel
 * lives and which port its guest threads get, decided here and nowhere
 * else, from the entry point, the module and the options. See
 * docs/architecture.md, "Placement: decided in one place".
 */
import type { Runtime } from '../host/runtime.js';
import { jspiAvailable, JspiUnavailableError } from './ports/suspending.js';
import type { CheckedWASIOptions } from './options.js';
import { ThreadedModuleError } from './threaded-module.js';
import { ReadableStreamInput } from '../host/web-streams.js';

/**
 * - `inline`: the kernel and the only guest thread on the calling thread;
 * - `suspending`: the same, the guest suspended by JSPI while it waits;
 * - `threaded`: the kernel on the calling thread, every guest thread in a worker (channel);
 * - `process-worker`: the kernel and the guest inline in a process worker.
 */
export type Placement = 'inline' | 'suspending' | 'threaded' | 'process-worker';

/** The entry point: `start()` (synchronous), `run()` (off the calling thread where it can be), `runHere()` (JSPI). */
export type Entry = 'start' | 'run' | 'runHere';

/** What the decision looks at. */
export interface PlacementInput {
  entry: Entry;
  /** The module imports a shared memory or `wasi` `thread-spawn`. */
  threaded: boolean;
  options: CheckedWASIOptions;
  /** The platform's runtime, overrides applied. */
  runtime: Runtime;
  /** The platform can run a process in a worker (Node, a cross-origin isolated page). */
  processWorkers: boolean;
  /** Its process workers run threaded processes too (a cross-origin isolated page). */
  threadedWorkers?: boolean;
}

/**
 * Runtime members a process worker honours when an embedder replaces them:
 * they are realised or bridged on the calling thread. Replacing any other
 * member keeps `run()`'s guest on the calling thread, where the
 * replacement lives.
 */
const WORKER_OVERRIDES = new Set<keyof Runtime>(['clocks', 'random', 'hostDirectory', 'hostInput', 'hostOutput']);

/** Where to run; throws a TypeError (or a ThreadedModuleError, JspiUnavailableError) for what cannot be run so. */
export function place(input: PlacementInput): Placement {
  const placement = decide(input);
  if (placement === 'inline' && input.options.stdin instanceof ReadableStreamInput) {
    // The guest would hold the thread the stream's chunks arrive on, waiting for them.
    throw new TypeError(input.entry === 'start'
      ? 'a ReadableStream standard input cannot be waited for by a guest started with start(), on the stream\'s own thread; use run() or runHere()'
      : 'a ReadableStream standard input needs the guest off this thread: a process worker (Node, or a cross-origin isolated page), or runHere() (JSPI)');
  }
  return placement;
}

/** A process worker can take the run: the platform has them, and nothing of the options must stay on this thread. */
function workerCanServe(input: PlacementInput): boolean {
  const { options } = input;
  const kernelObjects = (options.extraResources?.length ?? 0) > 0;
  const overridden = Object.keys(options.runtime ?? {}).some((k) => !WORKER_OVERRIDES.has(k as keyof Runtime));
  return input.processWorkers && !kernelObjects && !overridden;
}

function decide(input: PlacementInput): Placement {
  const { entry, options } = input;
  if (entry === 'start') {
    if (options.timeoutMs !== undefined) {
      throw new TypeError('timeoutMs cannot stop a guest started with start(), which runs on the calling thread; use run()');
    }
    if (options.maxMemory !== undefined) {
      throw new TypeError('maxMemory cannot cap an instance; pass the module bytes to run() or runHere(), or cap them with limitMemory() before instantiating');
    }
    if (options.listen !== undefined && options.listen.length > 0) {
      throw new TypeError('listen opens sockets asynchronously, which start() cannot wait for; use run() or runHere(), or listenTcp() and extraResources');
    }
    return 'inline';
  }
  if (input.threaded) {
    if (input.runtime.threadSpawn === undefined) throw new ThreadedModuleError('this runtime cannot run threads (it has no threadSpawn)');
    return entry === 'run' && input.threadedWorkers === true && workerCanServe(input) ? 'process-worker' : 'threaded';
  }
  if (entry === 'runHere') {
    if (!jspiAvailable()) throw new JspiUnavailableError('runHere()');
    if (options.timeoutMs !== undefined) {
      throw new TypeError("timeoutMs cannot stop a guest computing on the caller's thread; use run(), which runs it in a worker");
    }
    return 'suspending';
  }
  const kernelObjects = (options.extraResources?.length ?? 0) > 0;
  const overridden = Object.keys(options.runtime ?? {}).filter((k) => !WORKER_OVERRIDES.has(k as keyof Runtime));
  if (workerCanServe(input)) return 'process-worker';
  if (options.timeoutMs !== undefined) {
    throw new TypeError(kernelObjects
      ? 'timeoutMs needs a process worker, which cannot take extraResources (kernel objects of this thread); give listen addresses instead'
      : overridden.length > 0
        ? `timeoutMs needs a process worker, which cannot honour a replaced runtime ${overridden.join(', ')}`
        : 'timeoutMs needs a process worker, which this platform does not have (Node, or a cross-origin isolated page)');
  }
  return 'inline';
}
