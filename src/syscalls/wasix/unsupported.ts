/**
 * WASIX functions Kiln answers with a clean errno (layer: syscalls), each
 * listed as such in docs/compatibility.md:
 *
 * - the virtual network port (`port_*`): ENOTSUP, as Wasmer answers
 *   where there is no virtual network interface (sockets are sock.ts);
 * - dynamic linking and FFI (`dlopen`, `dlsym`, `call_dynamic`,
 *   `closure_*`, `reflect_signature`) and green-thread contexts
 *   (`context_*`) where the guest's thread serves none (they need JSPI:
 *   exec/ports/contexts.ts): ENOTSUP;
 * - `stack_checkpoint` and `stack_restore` reached here, not through the
 *   port's stack capture (exec/ports/asyncify.ts: a module with asyncify's
 *   exports in the channel placement): ENOTSUP, and `stack_restore`, which
 *   cannot follow a checkpoint that failed, ends the process as `abort()`
 *   would.
 */
import { Errno } from '../../abi/errno.js';
import { ProcessExit } from '../../abi/process-exit.js';
import { WASIX_EXTENSIONS } from '../../abi/wasix-signatures.js';
import { linuxSignalNumber } from '../../kernel/exit-status.js';
/** A function in split form (every argument an i32). */
type SplitFunction = (...args: number[]) => number;

/** Names of the WASIX functions answered with ENOTSUP. */
export const UNSUPPORTED: readonly string[] = Object.keys(WASIX_EXTENSIONS).filter((name) =>
  name.startsWith('port_') ||
  name.startsWith('dl') || name.startsWith('closure_') || name === 'call_dynamic' || name === 'reflect_signature' ||
  name.startsWith('context_') || name === 'stack_checkpoint');

const SIGABRT = 6;

/** The unsupported functions: each answers ENOTSUP, whatever its arguments. */
export function wasixUnsupportedSyscalls(): Record<string, SplitFunction> {
  const out: Record<string, SplitFunction> = {};
  for (const name of UNSUPPORTED) out[name] = (): number => Errno.NOTSUP;
  out['stack_restore'] = (): never => {
    throw new ProcessExit(128 + linuxSignalNumber(SIGABRT), SIGABRT);
  };
  return out;
}
