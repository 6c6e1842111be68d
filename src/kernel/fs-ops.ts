/**
 * Filesystem operations on paths (layer: kernel): open, stat, create,
 * remove, link, rename — the semantics of the `path_*` calls, independent
 * of how a guest encodes its arguments. All paths go through `resolve`.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { FileType } from '../abi/constants.js';
import { isDirectory, isSymlink, type FileStat, type TimeSpec } from '../host/fs/types.js';
import { DirectoryResource } from './directory-resource.js';
import { FileResource } from './file-resource.js';
import { ESCAPE, parentOf, resolve } from './path-resolver.js';
import type { Resource } from './resource.js';

export interface OpenRequest {
  follow: boolean;
  create: boolean;
  directory: boolean;
  exclusive: boolean;
  truncate: boolean;
  read: boolean;
  write: boolean;
  fdflags: number;
}

export function openAt(dir: DirectoryResource, path: string, req: OpenRequest): Resource {
  const r = resolve(dir.root, path, req.follow);
  const parent = parentOf(r);
  const node = r.node;
  if (node === null) {
    if (!req.create) throw new WasiError(Errno.NOENT);
    if (req.directory) throw new WasiError(Errno.INVAL);
    if (r.trailingSlash) throw new WasiError(Errno.ISDIR);
    const handle = parent.open(r.name, {
      read: req.read, write: req.write, create: true, exclusive: req.exclusive, truncate: req.truncate,
    });
    return new FileResource(handle, FileType.REGULAR_FILE, req.fdflags);
  }
  if (req.create && req.exclusive) throw new WasiError(Errno.EXIST);
  if (isSymlink(node)) throw new WasiError(Errno.LOOP);
  if (isDirectory(node)) {
    if (req.write || req.truncate) throw new WasiError(Errno.ISDIR);
    const parent = r.name === '.' ? r.stack[r.stack.length - 2] : r.stack[r.stack.length - 1];
    return new DirectoryResource(node, parent);
  }
  if (req.directory) throw new WasiError(Errno.NOTDIR);
  const handle = parent.open(r.name, {
    read: req.read, write: req.write, create: false, exclusive: false, truncate: req.truncate,
  });
  return new FileResource(handle, node.filetype, req.fdflags);
}

/**
 * True when `path` is one name that `resolve` would look up and return as
 * it is: not empty, no `/`, no NUL, not `.` or `..`.
 */
function isPlainName(path: string): boolean {
  const n = path.length;
  if (n === 0 || path.indexOf('/') !== -1 || path.indexOf('\0') !== -1) return false;
  return path.charCodeAt(0) !== 46 /* . */ || (n !== 1 && (n !== 2 || path.charCodeAt(1) !== 46));
}

export function statAt(dir: DirectoryResource, path: string, follow: boolean): FileStat {
  // One name in the directory itself (fstatat after readdir): one lookup,
  // without building the resolver's stack and component list.
  if (isPlainName(path)) {
    const node = dir.node.lookup(path);
    if (node === null) throw new WasiError(Errno.NOENT);
    if (!follow || !isSymlink(node)) return node.lookupStat?.() ?? node.stat();
  }
  const r = resolve(dir.root, path, follow);
  if (r.node === null) throw new WasiError(Errno.NOENT);
  return r.node.lookupStat?.() ?? r.node.stat();
}

export function setTimesAt(dir: DirectoryResource, path: string, follow: boolean, atim: TimeSpec, mtim: TimeSpec): void {
  const r = resolve(dir.root, path, follow);
  if (r.node === null) throw new WasiError(Errno.NOENT);
  r.node.setTimes(atim, mtim);
}

export function mkdirAt(dir: DirectoryResource, path: string): void {
  const r = resolve(dir.root, path, false);
  if (r.node !== null) throw new WasiError(Errno.EXIST);
  parentOf(r).mkdir(r.name);
}

export function rmdirAt(dir: DirectoryResource, path: string): void {
  const r = resolve(dir.root, path, false);
  if (r.node === null) throw new WasiError(Errno.NOENT);
  if (r.name === '.') throw new WasiError(Errno.INVAL);
  if (!isDirectory(r.node)) throw new WasiError(Errno.NOTDIR);
  parentOf(r).rmdir(r.name);
}

export function unlinkAt(dir: DirectoryResource, path: string): void {
  const r = resolve(dir.root, path, false);
  if (r.node === null) throw new WasiError(Errno.NOENT);
  if (r.name === '.' || isDirectory(r.node)) throw new WasiError(Errno.ISDIR);
  parentOf(r).unlink(r.name);
}

export function symlinkAt(target: string, dir: DirectoryResource, path: string): void {
  const r = resolve(dir.root, path, false);
  if (r.node !== null) throw new WasiError(Errno.EXIST);
  if (r.trailingSlash) throw new WasiError(Errno.NOENT);
  if (target.length === 0) throw new WasiError(Errno.NOENT);
  // A link that could only ever point outside the sandbox is refused up front (as wasmtime does).
  if (target.startsWith('/')) throw new WasiError(ESCAPE, 'absolute symlink target');
  parentOf(r).symlink(r.name, target);
}

export function readlinkAt(dir: DirectoryResource, path: string): string {
  const r = resolve(dir.root, path, false);
  if (r.node === null) throw new WasiError(Errno.NOENT);
  if (!isSymlink(r.node)) throw new WasiError(Errno.INVAL);
  return r.node.readlink();
}

export function linkAt(
  oldDir: DirectoryResource, oldPath: string, follow: boolean, newDir: DirectoryResource, newPath: string,
): void {
  const from = resolve(oldDir.root, oldPath, follow);
  if (from.node === null) throw new WasiError(Errno.NOENT);
  if (isDirectory(from.node)) throw new WasiError(Errno.PERM);
  const to = resolve(newDir.root, newPath, false);
  if (to.node !== null) throw new WasiError(Errno.EXIST);
  if (to.trailingSlash) throw new WasiError(Errno.NOENT);
  parentOf(to).link(to.name, from.node);
}

export function renameAt(oldDir: DirectoryResource, oldPath: string, newDir: DirectoryResource, newPath: string): void {
  const from = resolve(oldDir.root, oldPath, false);
  if (from.node === null) throw new WasiError(Errno.NOENT);
  if (from.name === '.') throw new WasiError(Errno.BUSY);
  const to = resolve(newDir.root, newPath, false);
  if (to.name === '.') throw new WasiError(Errno.BUSY);
  if (!isDirectory(from.node)) {
    if (from.trailingSlash || to.trailingSlash) throw new WasiError(Errno.NOTDIR);
    if (to.node !== null && isDirectory(to.node)) throw new WasiError(Errno.ISDIR);
  } else if (to.node !== null && !isDirectory(to.node)) {
    throw new WasiError(Errno.NOTDIR);
  }
  parentOf(from).rename(from.name, parentOf(to), to.name);
}
