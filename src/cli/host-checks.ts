/**
 * Checks of `kiln run`'s host-side options before the guest starts (layer:
 * CLI): every `--dir` names a directory, and `--max-fds` leaves room for
 * what Kiln opens for the guest itself. A failure is a usage error naming
 * the option (status 2), not the host's `ENOENT ... lstat` or the
 * guest's bare `EMFILE`.
 */
import { statSync } from 'node:fs';
import { UsageError } from './errors.js';
import type { RunArgs } from './run-args.js';

/** Each preopened host directory exists and is a directory. */
export function checkDirs(dirs: RunArgs['dirs']): void {
  for (const { host } of dirs) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(host).isDirectory();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') throw new UsageError(`--dir ${host}: no such directory`);
      if (code === 'ENOTDIR') throw new UsageError(`--dir ${host}: not a directory (a part of the path is a file)`);
      throw new UsageError(`--dir ${host}: ${(e as Error).message}`);
    }
    if (!isDirectory) throw new UsageError(`--dir ${host}: not a directory`);
  }
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The descriptors Kiln opens before the guest runs (stdio 0-2, then each
 * preopened directory, then each listening socket) count against
 * `--max-fds`: a limit below them leaves the guest's table full before it
 * starts, so it is refused, naming how many are needed.
 */
export function checkDescriptorLimit(args: RunArgs): void {
  const limit = args.limits.descriptors;
  if (limit === undefined) return;
  const needed = 3 + args.dirs.length + args.listen.length;
  if (limit >= needed) return;
  const parts = ['stdio (3)'];
  if (args.dirs.length > 0) parts.push(count(args.dirs.length, 'preopened directory', 'preopened directories'));
  if (args.listen.length > 0) parts.push(count(args.listen.length, 'listening socket', 'listening sockets'));
  const listed = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  throw new UsageError(`--max-fds ${limit} is too low: ${listed} take ${needed} descriptors before the guest starts; give at least --max-fds ${needed} (and more for the files the guest opens, or it gets EMFILE)`);
}
