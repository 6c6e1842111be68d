/**
 * How `kiln run` reports a guest that ended without exiting (layer: CLI):
 * a trap (status 134, as wasmtime on Unix: 128 + SIGABRT) or the time
 * limit (status 124, as timeout(1)), for modules and components alike.
 */
import { ThreadTrapError } from '../exec/threaded-run.js';
import { TimeoutError } from '../exec/timeout.js';
import { describeTrap } from './wasm-errors.js';

/** Exit status for a trap, as wasmtime uses on Unix (128 + SIGABRT). */
export const TRAP_STATUS = 134;
/** Exit status when the time limit stops the guest (as timeout(1)). */
export const TIMEOUT_STATUS = 124;

/** Reports `e` and gives the exit status when it is a trap or the time limit; undefined for anything else. */
export function abnormalEnd(e: unknown): number | undefined {
  if (e instanceof WebAssembly.RuntimeError || (e instanceof ThreadTrapError && e.trap) || (e instanceof RangeError && /call stack/i.test(e.message))) {
    process.stderr.write(`${describeTrap(e)}\n`);
    return TRAP_STATUS;
  }
  if (e instanceof TimeoutError) {
    process.stderr.write(`kiln: ${e.message}\n`);
    return TIMEOUT_STATUS;
  }
  return undefined;
}
