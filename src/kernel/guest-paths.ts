/**
 * Guest paths (layer: kernel): absolute paths as a guest names them
 * (`/sandbox/bin/tool`), mapped onto the process's preopened directories,
 * for what the kernel itself looks up by path: the current directory of
 * WASIX `chdir`, and the program `proc_spawn` and `proc_exec` start. The
 * lookup goes through the same sandboxed resolver as every `path_*` call,
 * so a path cannot leave the preopened directories.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import { DirectoryResource } from './directory-resource.js';
import { openAt, statAt } from './fs-ops.js';
import type { FdTable } from './fd-table.js';
import { DEVICES_PATH } from './devices.js';

/** A guest path's preopened directory and the rest of the path below it. */
export interface Located {
  dir: DirectoryResource;
  /** The path below the preopen ('.' for the preopen itself). */
  rest: string;
}

/**
 * `path` made absolute against `cwd` and normalised: `.` and empty parts
 * dropped, `..` taken back (never above `/`).
 */
export function absolutePath(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * The preopen of `fds` whose guest path holds the absolute `path` (the
 * longest such), or ENOENT. With `devices` (kernel/devices.ts), a path in
 * `/dev` that no preopen at `/dev` or below holds is in that directory.
 */
export function locate(fds: FdTable, path: string, devices?: DirectoryResource): Located {
  let best: Located | undefined;
  let bestLength = -1;
  for (const fd of fds.numbers()) {
    const r = fds.get(fd).resource;
    if (!(r instanceof DirectoryResource) || r.preopenPath === undefined) continue;
    const root = absolutePath('/', r.preopenPath);
    const inside = root === '/' ? path : path === root ? '/' : path.startsWith(`${root}/`) ? path.slice(root.length) : undefined;
    if (inside === undefined || root.length <= bestLength) continue;
    best = { dir: r, rest: inside === '/' ? '.' : inside.slice(1) };
    bestLength = root.length;
  }
  if (devices !== undefined && bestLength < DEVICES_PATH.length) {
    const device = inDevices(path, devices);
    if (device !== undefined) return device;
  }
  if (best === undefined) throw new WasiError(Errno.NOENT);
  return best;
}

/** `path` (absolute, normalised) in the device directory, or undefined when it lies outside `/dev`. */
function inDevices(path: string, devices: DirectoryResource): Located | undefined {
  if (path === DEVICES_PATH) return { dir: devices, rest: '.' };
  return path.startsWith(`${DEVICES_PATH}/`) ? { dir: devices, rest: path.slice(DEVICES_PATH.length + 1) } : undefined;
}

/** Checks that the absolute guest `path` is a directory (ENOENT, ENOTDIR otherwise). */
export function requireDirectory(fds: FdTable, path: string, devices?: DirectoryResource): void {
  const { dir, rest } = locate(fds, path, devices);
  if (statAt(dir, rest, true).filetype !== FileType.DIRECTORY) throw new WasiError(Errno.NOTDIR);
}

/** The bytes of the file at the absolute guest `path`. */
export function readGuestFile(fds: FdTable, path: string, devices?: DirectoryResource): Uint8Array {
  const { dir, rest } = locate(fds, path, devices);
  const file = openAt(dir, rest, { follow: true, create: false, directory: false, exclusive: false, truncate: false, read: true, write: false, fdflags: 0 });
  try {
    if (file.filetype === FileType.DIRECTORY) throw new WasiError(Errno.ISDIR);
    const size = Number(file.stat().size);
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = file.read([out.subarray(at)]);
      if (n === 0) break;
      at += n;
    }
    return at === size ? out : out.subarray(0, at);
  } finally {
    file.close();
  }
}
