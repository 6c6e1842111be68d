/**
 * The `wasi_snapshot_preview1` import object (layer: syscalls), assembled
 * from one module per family.
 */
import type { Preview1Imports } from '../../abi/signatures.js';
import type { SyscallContext } from '../context.js';
import { argsEnvSyscalls } from './args-env.js';
import { clockRandomSyscalls } from './clock-random.js';
import { fdSyscalls } from './fd.js';
import { pathSyscalls } from './path.js';
import { pollSyscalls } from './poll.js';
import { procSyscalls } from './proc.js';
import { sockSyscalls } from './sock.js';

export function createPreview1Imports(ctx: SyscallContext): Preview1Imports {
  return {
    ...argsEnvSyscalls(ctx),
    ...clockRandomSyscalls(ctx),
    ...fdSyscalls(ctx),
    ...pathSyscalls(ctx),
    ...pollSyscalls(ctx),
    ...procSyscalls(ctx),
    ...sockSyscalls(ctx),
  };
}
