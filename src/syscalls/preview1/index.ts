/**
 * The `wasi_snapshot_preview1` functions (layer: syscalls), assembled from
 * one module per family, in split form: each i64 argument as two i32
 * halves (abi/signatures.ts); the execution layer links them for a guest
 * through the i64 adapter (exec/i64-adapter.ts).
 */
import type { Preview1Split } from '../../abi/signatures.js';
import type { SyscallContext } from '../context.js';
import { argsEnvSyscalls } from './args-env.js';
import { clockRandomSyscalls } from './clock-random.js';
import { fdSyscalls } from './fd.js';
import { pathSyscalls } from './path.js';
import { pollSyscalls } from './poll.js';
import { procSyscalls } from './proc.js';
import { sockSyscalls } from './sock.js';

type Families = ReturnType<typeof argsEnvSyscalls> & ReturnType<typeof clockRandomSyscalls> & ReturnType<typeof fdSyscalls> &
  ReturnType<typeof pathSyscalls> & ReturnType<typeof pollSyscalls> & ReturnType<typeof procSyscalls> & ReturnType<typeof sockSyscalls>;

export function createPreview1Imports(ctx: SyscallContext): Preview1Split {
  // Object.assign rather than spreading the families into one literal: the
  // spread costs tens of microseconds per process (every start pays it).
  const imports: Families = Object.assign(
    {},
    argsEnvSyscalls(ctx),
    clockRandomSyscalls(ctx),
    fdSyscalls(ctx),
    pathSyscalls(ctx),
    pollSyscalls(ctx),
    procSyscalls(ctx),
    sockSyscalls(ctx),
  );
  return imports;
}
