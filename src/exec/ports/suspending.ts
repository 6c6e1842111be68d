/**
 * The suspending port (layer: execution): a guest on the kernel's own
 * thread, with JSPI.
 *
 * JSPI (WebAssembly.Suspending / WebAssembly.promising; Node 24, Chromium
 * 137 and later) lets an import return a Promise and suspend the wasm stack
 * until it settles. Kiln's system calls stay synchronous; each import is
 * wrapped so that:
 *
 * - a call that completes returns its result directly (no suspension);
 * - a call that meets an unsettled backend Promise (`Pending`, thrown by the
 *   async-backend adapter) suspends the guest, awaits the promise and runs
 *   the call again, the adapter answering the replayed backend calls from
 *   its record (host/async-backend.ts);
 * - a call that would block (`Parked`: poll_oneoff, a sleep) suspends the
 *   guest until the process's readiness signal changes or the wake-up time
 *   passes, then tries again: a sleeping guest does not block the caller's
 *   event loop.
 *
 * `_start` is called through `WebAssembly.promising`. Between system calls
 * the guest computes on the caller's thread, as with the inline port: a
 * computing guest cannot be stopped (a time limit needs a process worker).
 * Writes are not coalesced with this port.
 */
import { errnoName } from '../../abi/errno.js';
import type { Signature } from '../../abi/signatures.js';
import { isSyscallModule } from '../../abi/syscall-table.js';
import { runReplayable, type AsyncBackendSession } from '../../host/async-backend.js';
import type { ReadinessSignal } from '../../host/readiness-signal.js';
import type { TraceSink } from '../../host/stdio.js';
import { Parked } from '../../kernel/blocking.js';
import { statusOfThrown, type ExitStatus } from '../../kernel/exit-status.js';
import type { Process } from '../../kernel/process.js';
import { formatCall } from '../../syscalls/trace.js';
import { signaturesOf, type ImportFunction, type SyscallFunctions } from '../syscall-functions.js';
import { jspi } from './jspi.js';

export { jspi, jspiAvailable, type JspiApi } from './jspi.js';

/** Thrown by the caller's-thread entry points on an engine without JSPI. */
export class JspiUnavailableError extends Error {
  /**
   * The error for `entry` (e.g. `runHere()`); the message names the alternatives.
   *
   * @param entry The entry point that was called.
   */
  constructor(entry: string) {
    super(
      `${entry} runs the guest on the caller's thread with JSPI (WebAssembly.Suspending and WebAssembly.promising), ` +
      'which this engine does not have (Node 24 or later, Chromium 137 or later have it). ' +
      "Use run() instead (on Node it runs the guest in a worker, where asynchronous backends also work), " +
      'or start() with synchronous backends.',
    );
    this.name = 'JspiUnavailableError';
  }
}

export interface SuspendingRun {
  module: WebAssembly.Module;
  /** The process's system calls, not traced (this port traces each call once, however often it runs again). */
  functions: SyscallFunctions;
  session: AsyncBackendSession;
  /** Where trace lines go, if tracing. */
  trace?: TraceSink;
}

/** Instantiates and runs a command module on this thread with JSPI; resolves to how the process ended. */
export async function runSuspending(run: SuspendingRun): Promise<ExitStatus> {
  const api = jspi();
  if (api === undefined) throw new JspiUnavailableError('runHere()');
  const { session, functions } = run;
  const process = functions.process;
  process.parkBlockedCalls = true;
  functions.runs(run.module);
  const imports: Record<string, Record<string, object>> = {};
  for (const { module, name, kind } of WebAssembly.Module.imports(run.module)) {
    if (kind !== 'function' || !isSyscallModule(module)) continue;
    const fn = functions.namespace(module)?.[name];
    if (fn === undefined) continue; // refused before, as a missing import
    (imports[module] ??= {})[name] = new api.Suspending(suspendable(name, fn, signaturesOf(module)[name], run, process));
  }
  let status: ExitStatus;
  try {
    const instance = await WebAssembly.instantiate(run.module, imports as WebAssembly.Imports);
    const exports = instance.exports;
    const memory = exports['memory'];
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory must be a WebAssembly.Memory');
    const start = exports['_start'];
    if (typeof start !== 'function') throw new TypeError('instance.exports._start must be a function');
    functions.context.bind(memory);
    await api.promising(start as () => void)();
    status = { kind: 'exit', code: 0 };
  } catch (e) {
    status = statusOfThrown(e);
  }
  const ended = await process.end(status);
  await session.settled();
  return ended;
}

function suspendable(name: string, fn: ImportFunction, sig: Signature | undefined, run: SuspendingRun, process: Process): (...args: (number | bigint)[]) => number | Promise<number> {
  const { session } = run;
  const call = (args: (number | bigint)[]): number | Promise<number> => {
    try {
      return runReplayable(session, () => fn(...args));
    } catch (e) {
      if (e instanceof Parked) return waitParked(e, session, process.readiness);
      throw e;
    }
  };
  const sink = run.trace;
  if (sink === undefined || sig === undefined) return (...args) => call(args);
  const ctx = run.functions.context;
  return (...args) => {
    const line = formatCall(name, sig, args, ctx.bound ? ctx.memory : undefined);
    const report = (v: number): number => { sink(`${line} = ${errnoName(v)}`); return v; };
    const fail = (e: unknown): never => { sink(`${line} -> ${e instanceof Error ? e.name : 'throw'}`); throw e; };
    let r: number | Promise<number>;
    try {
      r = call(args);
    } catch (e) {
      return fail(e);
    }
    return typeof r === 'number' ? report(r) : r.then(report, fail);
  };
}
/** A blocked call: suspend until the readiness signal changes or its wake-up time passes, then try again. */
async function waitParked(parked: Parked, session: AsyncBackendSession, readiness: ReadinessSignal): Promise<number> {
  for (;;) {
    const seen = readiness.generation;
    await readiness.changeOrTimeout(seen, parked.wakeIn());
    const done = await runReplayable(session, parked.attempt);
    if (done !== undefined) return done;
  }
}


