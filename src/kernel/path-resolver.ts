/**
 * The path resolver (layer: kernel): the one place where a guest path
 * becomes a node, and so the one place where the sandbox is enforced.
 *
 * Resolution walks one component at a time from a directory descriptor,
 * keeping the stack of directories from the sandbox root. `..` pops the
 * stack and fails at the root; symlinks are read and their targets spliced
 * into the remaining path, then resolution continues from the link's
 * directory; an absolute path or symlink target is refused. Nothing is ever
 * handed to the host with a `/` in it, so the host cannot follow a symlink
 * out of the sandbox on Kiln's behalf.
 *
 * The starting directory is the sandbox: `..` may not climb above the
 * descriptor a path is resolved from. Errnos follow wasmtime (cap-std) on
 * Linux: escaping is EPERM (ESCAPE below), too many symlinks ELOOP, a
 * non-directory in the middle of a path ENOTDIR.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { isDirectory, isSymlink, type FsDirectory, type FsNode } from '../host/fs/types.js';

/** Errno for a path that would leave its sandbox (absolute, `..` past the root, symlink out). */
export const ESCAPE = Errno.PERM;
/** Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;

export interface Resolved {
  /** Directories from the sandbox root to the directory holding the final entry. */
  readonly stack: FsDirectory[];
  /** The final component ('.' when the path names the directory itself). */
  readonly name: string;
  /** The final node, or null when it does not exist. */
  readonly node: FsNode | null;
  /** The path ended in '/': the final entry must be a directory. */
  readonly trailingSlash: boolean;
}

export function parentOf(r: Resolved): FsDirectory {
  return r.stack[r.stack.length - 1]!;
}

/**
 * Resolves `path` relative to the directory at the top of `start`; `..`
 * cannot pop `start[0]`.
 * @param followFinal follow a symlink in the last component (a trailing
 *   slash always follows, as in POSIX).
 */
export function resolve(start: readonly FsDirectory[], path: string, followFinal: boolean): Resolved {
  if (path.length === 0) throw new WasiError(Errno.NOENT);
  if (path.includes('\0')) throw new WasiError(Errno.INVAL);
  if (path.charCodeAt(0) === 47 /* / */) throw new WasiError(ESCAPE, 'absolute path');

  const stack = start.slice();
  let components = path.split('/');
  let trailingSlash = path.endsWith('/');
  let symlinks = 0;

  for (;;) {
    // Drop empty components ('a//b', trailing '/').
    components = components.filter((c) => c.length > 0);
    if (components.length === 0) {
      // The path named the current directory ('.', './', or a symlink to '.').
      return { stack, name: '.', node: stack[stack.length - 1]!, trailingSlash };
    }
    const last = components.length - 1;
    let i = 0;
    let restart = false;
    for (; i <= last; i++) {
      const c = components[i]!;
      const top = stack[stack.length - 1]!;
      const isLast = i === last;
      if (c === '.') {
        if (isLast) return { stack, name: '.', node: top, trailingSlash };
        continue;
      }
      if (c === '..') {
        if (stack.length === 1) throw new WasiError(ESCAPE, "'..' above the sandbox root");
        stack.pop();
        if (isLast) {
          // Name the directory we arrived at through its own parent where we can.
          return { stack, name: '.', node: stack[stack.length - 1]!, trailingSlash };
        }
        continue;
      }
      const node = top.lookup(c);
      if (isLast) {
        if (node !== null && isSymlink(node) && (followFinal || trailingSlash)) {
          if (++symlinks > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
          const target = node.readlink();
          if (target.startsWith('/')) throw new WasiError(ESCAPE, 'absolute symlink');
          components = target.split('/');
          trailingSlash = trailingSlash || target.endsWith('/');
          restart = true;
          break;
        }
        if (trailingSlash && node !== null && !isDirectory(node)) throw new WasiError(Errno.NOTDIR);
        return { stack, name: c, node, trailingSlash };
      }
      if (node === null) throw new WasiError(Errno.NOENT);
      if (isDirectory(node)) {
        stack.push(node);
        continue;
      }
      if (isSymlink(node)) {
        if (++symlinks > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
        const target = node.readlink();
        if (target.startsWith('/')) throw new WasiError(ESCAPE, 'absolute symlink');
        components = [...target.split('/'), ...components.slice(i + 1)];
        restart = true;
        break;
      }
      throw new WasiError(Errno.NOTDIR);
    }
    if (!restart) throw new Error('unreachable: resolution loop ended without a result');
  }
}
