/**
 * The `wasix_32v1` functions (layer: syscalls), in split form: the
 * preview 1 functions (the same bodies `wasi_snapshot_preview1` serves,
 * over the same process; the path functions take absolute paths, as
 * Wasmer's do) and the WASIX extensions, one module per family.
 * Every name of abi/wasix-signatures.ts has a body here.
 */
import type { Preview1Split, SplitSyscallFunction } from '../../abi/signatures.js';
import { WASIX_32V1, type Wasix32Name } from '../../abi/wasix-signatures.js';
import type { SyscallContext } from '../context.js';
import { pathSyscalls } from '../preview1/path.js';
import { wasixCwdTtySyscalls } from './cwd-tty.js';
import { wasixFdSyscalls } from './fd.js';
import { wasixForkSyscalls } from './fork.js';
import { wasixLegacySyscalls } from './legacy.js';
import { wasixProcSyscalls } from './proc.js';
import { wasixSockSyscalls } from './sock.js';
import { wasixSpawnSyscalls } from './spawn.js';
import { wasixThreadSyscalls } from './threads.js';
import { wasixUnsupportedSyscalls } from './unsupported.js';

/** The `wasix_32v1` functions in split form. */
export type Wasix32Split = { [N in Wasix32Name]: SplitSyscallFunction<(typeof WASIX_32V1)[N]> };

export function createWasixImports(ctx: SyscallContext, preview1: Preview1Split): Wasix32Split {
  const threads = wasixThreadSyscalls(ctx);
  const paths = pathSyscalls(ctx, true);
  const proc = wasixProcSyscalls(ctx);
  const imports = Object.assign(
    {},
    preview1,
    paths,
    wasixFdSyscalls(ctx, paths.path_open),
    wasixCwdTtySyscalls(ctx),
    threads,
    proc,
    wasixLegacySyscalls(ctx, { threadSpawnV2: threads.thread_spawn_v2, procJoin: proc.proc_join, sockAccept: preview1.sock_accept }),
    wasixSpawnSyscalls(ctx),
    wasixSockSyscalls(ctx),
    wasixUnsupportedSyscalls(),
    wasixForkSyscalls(ctx),
  );
  return imports as unknown as Wasix32Split;
}
