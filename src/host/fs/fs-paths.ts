/**
 * Path-based helpers over any `FileSystem` (layer: host): `readFile`,
 * `writeFile`, `readdir`, `stat`, `mkdir`, `rm` and their kin, for an
 * embedder who wants to seed a filesystem or read back what a guest wrote
 * without walking `FsDirectory` nodes by hand. `MemoryFileSystem`'s methods
 * of the same names delegate here; any other `FileSystem` can be passed to
 * these functions directly.
 *
 * Paths are '/'-separated and relative to the filesystem's root: '' and '/'
 * are the root, a leading '/' is allowed, empty components and '.' are
 * skipped. `..` goes up one directory of those actually walked and stops
 * at the root (as in a chroot), so no path leaves the filesystem; a path
 * ending in '.' or '..' names that directory itself, which cannot be
 * created or removed through it. Symlinks are followed wherever a path
 * goes through them, and at its end for every helper but `lstat`,
 * `readlink`, `symlink`, `unlink`, `rmdir`, `rm` and a non-recursive
 * `mkdir`; a relative target is resolved from the link's directory, an
 * absolute one from the filesystem's root. At most 40 links are followed
 * in one path, then ELOOP. A trailing '/' makes the path name a directory
 * (ENOTDIR otherwise; `lstat` and `readlink` then follow the last link).
 *
 * Failures are thrown as `WasiError` with the errno (ENOENT, ENOTDIR,
 * EISDIR, EEXIST, ENOTEMPTY, ELOOP, EINVAL, EBUSY, or whatever the backend
 * reported) and a message naming the operation and the path as given, e.g.
 * `ENOENT: no such file or directory, readFile 'data/out.txt'`.
 *
 * The helpers are synchronous, as `FileSystem` is. An `AsyncFileSystem`
 * belongs to its embedder, who has its own API for it; the helpers do not
 * walk one.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { errnoOf } from '../../abi/host-errors.js';
import { isDirectory, isSymlink, type FileStat, type FileSystem, type FsDirectory, type FsNode } from './types.js';

/** Most symlinks followed while resolving one path; one more is ELOOP (as Linux and Kiln's kernel). */
export const MAX_SYMLINKS = 40;

/** The text encodings `readFile` decodes and `writeFile` encodes: UTF-8. */
export type TextEncodingName = 'utf8' | 'utf-8';

/** Options of `mkdir`. */
export interface MkdirOptions {
  /** Create missing parent directories too, and accept a directory that already exists (as `mkdir -p`). */
  recursive?: boolean;
}

/** Options of `rm`. */
export interface RmOptions {
  /** Remove a directory with everything in it (symlinks are removed, never followed). */
  recursive?: boolean;
  /** Succeed when the path does not exist. */
  force?: boolean;
}

const DESCRIPTIONS: Partial<Record<Errno, string>> = {
  [Errno.NOENT]: 'no such file or directory',
  [Errno.NOTDIR]: 'not a directory',
  [Errno.ISDIR]: 'is a directory',
  [Errno.EXIST]: 'file already exists',
  [Errno.NOTEMPTY]: 'directory not empty',
  [Errno.LOOP]: 'too many levels of symbolic links',
  [Errno.INVAL]: 'invalid argument',
  [Errno.BUSY]: 'resource busy',
};

/** Where a path led: the directory holding its last component and that component's node. */
interface Resolved {
  /** The directory that holds `name`; undefined when the path ends at a directory itself ('', '/', '.', '..'). */
  parent: FsDirectory | undefined;
  /** The last component, '' when `parent` is undefined. */
  name: string;
  /** What `name` is (or the directory itself), or null when it does not exist yet. */
  node: FsNode | null;
  /** The path ended in '/': it must name a directory. */
  mustBeDir: boolean;
}

/**
 * What happens to a symlink in the last position: 'follow' it; 'lstat':
 * describe the link itself unless the path ends in '/'; 'entry': never
 * follow it, the operation creates or removes that directory entry.
 */
type LastLink = 'follow' | 'lstat' | 'entry';

interface ResolveOptions {
  last: LastLink;
  /** Create missing intermediate directories (mkdir -p). */
  createParents?: boolean;
}

/** A path's components; '.' stays (the walk skips it), so a path ending in '.' names a directory itself. */
function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/** The errors the helpers raised themselves (already naming their path). */
const raised = new WeakSet<WasiError>();

/** One helper call on one path: resolves it and names it in every error. */
class PathOperation {
  constructor(readonly fs: FileSystem, readonly op: string, readonly path: string) {
    if (typeof path !== 'string') throw new TypeError(`${op}: the path must be a string, not ${typeof path}`);
  }

  error(errno: Errno): WasiError {
    const what = DESCRIPTIONS[errno];
    const where = `${this.op} '${this.path}'`;
    const error = new WasiError(errno, what === undefined ? where : `${what}, ${where}`);
    raised.add(error);
    return error;
  }

  /**
   * Runs a step that calls the backend: a WasiError or a host error with a
   * code is thrown again as a WasiError naming this operation and path;
   * anything else (a bug) passes unchanged.
   */
  run<T>(body: () => T): T {
    try {
      return body();
    } catch (e) {
      if (e instanceof WasiError && raised.has(e)) throw e;
      if (e instanceof WasiError || (e !== null && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string')) {
        throw this.error(errnoOf(e));
      }
      throw e;
    }
  }

  resolve(options: ResolveOptions): Resolved {
    return this.run(() => this.#walk(options));
  }

  #walk({ last: lastLink, createParents = false }: ResolveOptions): Resolved {
    const root = this.fs.root;
    const rest = components(this.path);
    let mustBeDir = rest.length > 0 && this.path.endsWith('/');
    const follow = lastLink === 'follow' || (lastLink === 'lstat' && mustBeDir);
    const stack: FsDirectory[] = [root];
    let links = 0;
    while (rest.length > 0) {
      const name = rest.shift()!;
      const dir = stack[stack.length - 1]!;
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const last = rest.length === 0;
      let node = dir.lookup(name);
      if (node === null) {
        if (last) return { parent: dir, name, node: null, mustBeDir };
        if (!createParents) throw this.error(Errno.NOENT);
        dir.mkdir(name);
        node = dir.lookup(name);
        if (node === null) throw this.error(Errno.NOENT);
      }
      if (isSymlink(node) && (!last || follow)) {
        if (++links > MAX_SYMLINKS) throw this.error(Errno.LOOP);
        const target = node.readlink();
        if (target === '') throw this.error(Errno.NOENT);
        if (target.startsWith('/')) stack.length = 1;
        if (last && target.endsWith('/')) mustBeDir = true;
        rest.unshift(...components(target));
        continue;
      }
      if (last) return { parent: dir, name, node, mustBeDir };
      if (!isDirectory(node)) throw this.error(Errno.NOTDIR);
      stack.push(node);
    }
    return { parent: undefined, name: '', node: stack[stack.length - 1]!, mustBeDir };
  }

  /** Resolves (following a last symlink) to a node that exists; ENOTDIR when a trailing '/' names a non-directory. */
  existing(last: 'follow' | 'lstat' = 'follow'): FsNode {
    const { node, mustBeDir } = this.resolve({ last });
    if (node === null) throw this.error(Errno.NOENT);
    if (mustBeDir && !isDirectory(node)) throw this.error(Errno.NOTDIR);
    return node;
  }
}

function checkEncoding(op: string, encoding: string | undefined): void {
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') {
    throw new TypeError(`${op}: unsupported encoding ${JSON.stringify(encoding)}; only 'utf8' is supported`);
  }
}

/**
 * The contents of the file at `path` (symlinks followed): its bytes, or
 * with `'utf8'` its text. ENOENT when it does not exist, EISDIR for a
 * directory.
 */
export function readFile(fs: FileSystem, path: string): Uint8Array;
export function readFile(fs: FileSystem, path: string, encoding: TextEncodingName): string;
export function readFile(fs: FileSystem, path: string, encoding?: TextEncodingName): Uint8Array | string;
export function readFile(fs: FileSystem, path: string, encoding?: TextEncodingName): Uint8Array | string {
  checkEncoding('readFile', encoding);
  const op = new PathOperation(fs, 'readFile', path);
  const { parent, name, node, mustBeDir } = op.resolve({ last: 'follow' });
  if (node === null) throw op.error(Errno.NOENT);
  if (isDirectory(node)) throw op.error(Errno.ISDIR);
  if (mustBeDir) throw op.error(Errno.NOTDIR);
  const bytes = op.run(() => {
    const handle = parent!.open(name, { read: true, write: false, create: false, exclusive: false, truncate: false });
    try {
      return readAll(handle.stat().size, (dst, at) => handle.read(dst, at));
    } finally {
      handle.close();
    }
  });
  return encoding === undefined ? bytes : new TextDecoder().decode(bytes);
}

/** Reads from position 0 until a read returns 0, starting with a buffer of the size the file reports. */
function readAll(size: bigint, read: (dst: Uint8Array, position: number) => number): Uint8Array {
  let buf = new Uint8Array(Math.max(Number(size), 0));
  let at = 0;
  for (;;) {
    if (at === buf.length) {
      const grown = new Uint8Array(Math.max(buf.length * 2, 4096));
      grown.set(buf);
      buf = grown;
    }
    const n = read(buf.subarray(at), at);
    if (n === 0) break;
    at += n;
  }
  return buf.length === at ? buf : buf.slice(0, at);
}

/**
 * Writes `data` (text is written as UTF-8) to the file at `path`, creating
 * it or replacing its contents. A symlink at `path` is followed (a dangling
 * one creates its target). ENOENT when the directory does not exist,
 * EISDIR when `path` is a directory.
 */
export function writeFile(fs: FileSystem, path: string, data: string | Uint8Array): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new TypeError(`writeFile: data must be a string or a Uint8Array, not ${data === null ? 'null' : typeof data}`);
  }
  const op = new PathOperation(fs, 'writeFile', path);
  const { parent, name, node, mustBeDir } = op.resolve({ last: 'follow' });
  if (parent === undefined || (node !== null && isDirectory(node)) || (node === null && mustBeDir)) throw op.error(Errno.ISDIR);
  if (mustBeDir) throw op.error(Errno.NOTDIR);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  op.run(() => {
    const handle = parent.open(name, { read: false, write: true, create: true, exclusive: false, truncate: true });
    try {
      let at = 0;
      while (at < bytes.length) {
        const n = handle.write(bytes.subarray(at), at);
        if (n <= 0) throw new WasiError(Errno.IO);
        at += n;
      }
    } finally {
      handle.close();
    }
  });
}

/** The names in the directory at `path` (symlinks followed), in the order the directory lists them, without `.` and `..`. */
export function readdir(fs: FileSystem, path: string): string[] {
  const op = new PathOperation(fs, 'readdir', path);
  const node = op.existing();
  if (!isDirectory(node)) throw op.error(Errno.NOTDIR);
  return op.run(() => node.list().map((e) => e.name));
}

/** The attributes of what `path` names, following symlinks. */
export function stat(fs: FileSystem, path: string): FileStat {
  const op = new PathOperation(fs, 'stat', path);
  const node = op.existing();
  return op.run(() => node.stat());
}

/** The attributes of what `path` names; a symlink at the end is described itself. */
export function lstat(fs: FileSystem, path: string): FileStat {
  const op = new PathOperation(fs, 'lstat', path);
  const node = op.existing('lstat');
  return op.run(() => node.stat());
}

/** True when `path` names something, following symlinks (false for ENOENT, ENOTDIR and ELOOP; other failures are thrown). */
export function exists(fs: FileSystem, path: string): boolean {
  try {
    new PathOperation(fs, 'exists', path).existing();
    return true;
  } catch (e) {
    if (e instanceof WasiError && (e.errno === Errno.NOENT || e.errno === Errno.NOTDIR || e.errno === Errno.LOOP)) return false;
    throw e;
  }
}

/**
 * Creates the directory `path`. EEXIST when something is there already
 * (even a symlink), ENOENT when its parent does not exist. With
 * `recursive`, missing parents are created and a directory already there
 * (or a symlink to one) is accepted; anything else there is still EEXIST.
 */
export function mkdir(fs: FileSystem, path: string, options: MkdirOptions = {}): void {
  const op = new PathOperation(fs, 'mkdir', path);
  const recursive = options.recursive === true;
  const { parent, name, node } = op.resolve({ last: 'entry', createParents: recursive });
  if (node === null) {
    op.run(() => parent!.mkdir(name));
    return;
  }
  if (recursive) {
    const target = isSymlink(node) ? op.resolve({ last: 'follow' }).node : node;
    if (target !== null && isDirectory(target)) return;
  }
  throw op.error(Errno.EXIST);
}

/**
 * Creates a symlink at `path` whose target is `target`, stored as given
 * (these helpers resolve an absolute target from the filesystem's root;
 * a guest cannot follow one). EEXIST when `path` exists.
 */
export function symlink(fs: FileSystem, target: string, path: string): void {
  const op = new PathOperation(fs, 'symlink', path);
  if (typeof target !== 'string') throw new TypeError(`symlink: the target must be a string, not ${typeof target}`);
  if (target === '') throw op.error(Errno.NOENT);
  const { parent, name, node, mustBeDir } = op.resolve({ last: 'entry' });
  if (parent === undefined || node !== null) throw op.error(Errno.EXIST);
  if (mustBeDir) throw op.error(Errno.NOENT);
  op.run(() => parent.symlink(name, target));
}

/** The target of the symlink at `path`. EINVAL when `path` is not a symlink. */
export function readlink(fs: FileSystem, path: string): string {
  const op = new PathOperation(fs, 'readlink', path);
  const node = op.existing('lstat');
  if (!isSymlink(node)) throw op.error(Errno.INVAL);
  return op.run(() => node.readlink());
}

/** Removes the file or symlink at `path` (a symlink itself, not its target). EISDIR for a directory. */
export function unlink(fs: FileSystem, path: string): void {
  const op = new PathOperation(fs, 'unlink', path);
  const { parent, name, node } = removable(op);
  if (isDirectory(node)) throw op.error(Errno.ISDIR);
  op.run(() => parent.unlink(name));
}

/** Removes the empty directory at `path`. ENOTDIR when it is not a directory, ENOTEMPTY when it has entries. */
export function rmdir(fs: FileSystem, path: string): void {
  const op = new PathOperation(fs, 'rmdir', path);
  const { parent, name, node } = removable(op);
  if (!isDirectory(node)) throw op.error(Errno.NOTDIR);
  op.run(() => {
    if (node.list().length > 0) throw op.error(Errno.NOTEMPTY);
    parent.rmdir(name);
  });
}

/**
 * Removes what `path` names: a file or symlink, or with `recursive` a
 * directory and everything in it (EISDIR without it). ENOENT when nothing
 * is there, unless `force`.
 */
export function rm(fs: FileSystem, path: string, options: RmOptions = {}): void {
  const op = new PathOperation(fs, 'rm', path);
  let entry: Removable;
  try {
    entry = removable(op);
  } catch (e) {
    if (options.force === true && e instanceof WasiError && e.errno === Errno.NOENT) return;
    throw e;
  }
  const { parent, name, node } = entry;
  if (!isDirectory(node)) {
    op.run(() => parent.unlink(name));
    return;
  }
  if (options.recursive !== true) throw op.error(Errno.ISDIR);
  op.run(() => {
    emptyDirectory(node);
    parent.rmdir(name);
  });
}

/** A directory entry that exists and may be removed. */
interface Removable {
  parent: FsDirectory;
  name: string;
  node: FsNode;
}

/**
 * Resolves the entry a removal acts on (a symlink itself, never its
 * target): ENOENT when missing, EBUSY for the root, EINVAL for a path
 * ending in '.' or '..' (as rmdir(2)), ENOTDIR for a non-directory named
 * with a trailing '/'.
 */
function removable(op: PathOperation): Removable {
  const { parent, name, node, mustBeDir } = op.resolve({ last: 'entry' });
  if (parent === undefined) throw op.error(node === op.fs.root ? Errno.BUSY : Errno.INVAL);
  if (node === null) throw op.error(Errno.NOENT);
  if (mustBeDir && !isDirectory(node)) throw op.error(Errno.NOTDIR);
  return { parent, name, node };
}

/** Removes everything inside `dir`, depth first, never following a symlink. */
function emptyDirectory(dir: FsDirectory): void {
  for (const entry of dir.list()) {
    const node = dir.lookup(entry.name);
    if (node === null) continue;
    if (isDirectory(node)) {
      emptyDirectory(node);
      dir.rmdir(entry.name);
    } else {
      dir.unlink(entry.name);
    }
  }
}
