/**
 * The `wasi_unstable` import object (layer: syscalls; WASI "snapshot 0",
 * also called preview 0: `phases/old/snapshot_0/witx/wasi_unstable.witx`),
 * as imported by old TinyGo and Rust guests. It is an adapter over the
 * preview 1 functions of the same context (same process, same guest
 * memory): what is identical in both passes straight through, and only
 * what preview 0 lays out or numbers differently is translated:
 *
 * - `fd_seek` (whence numbering), `fd_filestat_get` and `path_filestat_get`
 *   (56-byte filestat), `fd_fdstat_get` / `fd_fdstat_set_rights` (no
 *   SOCK_ACCEPT right): `fd.ts`, `path.ts`;
 * - `poll_oneoff` (56-byte subscriptions): `poll.ts`;
 * - `sock_accept` does not exist in preview 0.
 *
 * Errno values, the other rights bits, fdstat, dirent, prestat, iovec and
 * event are the same in both snapshots.
 */
import type { Preview1Split, UnstableSplit } from '../../abi/signatures.js';
import type { SyscallContext } from '../context.js';
import { createPreview1Imports } from '../preview1/index.js';
import { fdUnstableSyscalls } from './fd.js';
import { pathUnstableSyscalls } from './path.js';
import { pollUnstableSyscalls } from './poll.js';

/**
 * The wasi_unstable functions for `ctx`, in split form (i64 arguments as
 * two halves). `preview1` is the (untraced) preview 1 functions they
 * delegate to; by default new ones on the same context.
 */
export function createUnstableImports(ctx: SyscallContext, preview1: Preview1Split = createPreview1Imports(ctx)): UnstableSplit {
  // Copied and assigned rather than rest and spread: those cost tens of microseconds per process.
  const same = {} as Record<string, unknown>;
  for (const name in preview1) if (name !== 'sock_accept') same[name] = preview1[name as keyof Preview1Split];
  const imports: Omit<Preview1Split, 'sock_accept' | keyof Overrides> & Overrides = Object.assign(
    same as Omit<Preview1Split, 'sock_accept'>,
    fdUnstableSyscalls(ctx, preview1),
    pathUnstableSyscalls(ctx),
    pollUnstableSyscalls(ctx),
  );
  return imports;
}

type Overrides = ReturnType<typeof fdUnstableSyscalls> & ReturnType<typeof pathUnstableSyscalls> & ReturnType<typeof pollUnstableSyscalls>;
