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
import type { Preview1Imports, UnstableImports } from '../../abi/signatures.js';
import type { SyscallContext } from '../context.js';
import { createPreview1Imports } from '../preview1/index.js';
import { fdUnstableSyscalls } from './fd.js';
import { pathUnstableSyscalls } from './path.js';
import { pollUnstableSyscalls } from './poll.js';

/**
 * The wasi_unstable functions for `ctx`. `preview1` is the (untraced)
 * preview 1 import object they delegate to; by default a new one on the
 * same context.
 */
export function createUnstableImports(ctx: SyscallContext, preview1: Preview1Imports = createPreview1Imports(ctx)): UnstableImports {
  const { sock_accept: _notInPreview0, ...same } = preview1;
  return {
    ...same,
    ...fdUnstableSyscalls(ctx, preview1),
    ...pathUnstableSyscalls(ctx),
    ...pollUnstableSyscalls(ctx),
  };
}
