/**
 * `wasi:filesystem/types.error-code` (layer: syscalls): the one map from
 * the kernel's errnos to WASI 0.2's filesystem error codes, and the
 * boundary every filesystem method runs behind, so a kernel failure
 * reaches the guest as `err(code)` the way preview 1 returns its errno.
 *
 * The sandbox's refusals (the resolver's escape errno, a missing right)
 * are `not-permitted`, as in wasmtime; an errno the enum has no name for
 * is `io`.
 */
import { Errno } from '../../abi/errno.js';
import { withErrorCodes } from './values.js';

/** `wasi:filesystem/types.error-code`. */
export type ErrorCode =
  | 'access' | 'would-block' | 'already' | 'bad-descriptor' | 'busy' | 'deadlock' | 'quota' | 'exist'
  | 'file-too-large' | 'illegal-byte-sequence' | 'in-progress' | 'interrupted' | 'invalid' | 'io'
  | 'is-directory' | 'loop' | 'too-many-links' | 'message-size' | 'name-too-long' | 'no-device'
  | 'no-entry' | 'no-lock' | 'insufficient-memory' | 'insufficient-space' | 'not-directory'
  | 'not-empty' | 'not-recoverable' | 'unsupported' | 'no-tty' | 'no-such-device' | 'overflow'
  | 'not-permitted' | 'pipe' | 'read-only' | 'invalid-seek' | 'text-file-busy' | 'cross-device';

const CODES: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [Errno.ACCES, 'access'],
  [Errno.AGAIN, 'would-block'],
  [Errno.ALREADY, 'already'],
  [Errno.BADF, 'bad-descriptor'],
  [Errno.BUSY, 'busy'],
  [Errno.DEADLK, 'deadlock'],
  [Errno.DQUOT, 'quota'],
  [Errno.EXIST, 'exist'],
  [Errno.FBIG, 'file-too-large'],
  [Errno.ILSEQ, 'illegal-byte-sequence'],
  [Errno.INPROGRESS, 'in-progress'],
  [Errno.INTR, 'interrupted'],
  [Errno.INVAL, 'invalid'],
  [Errno.IO, 'io'],
  [Errno.ISDIR, 'is-directory'],
  [Errno.LOOP, 'loop'],
  [Errno.MLINK, 'too-many-links'],
  [Errno.MSGSIZE, 'message-size'],
  [Errno.NAMETOOLONG, 'name-too-long'],
  [Errno.NODEV, 'no-device'],
  [Errno.NOENT, 'no-entry'],
  [Errno.NOLCK, 'no-lock'],
  [Errno.NOMEM, 'insufficient-memory'],
  [Errno.NOBUFS, 'insufficient-memory'],
  [Errno.NOSPC, 'insufficient-space'],
  [Errno.NOTDIR, 'not-directory'],
  [Errno.NOTEMPTY, 'not-empty'],
  [Errno.NOTRECOVERABLE, 'not-recoverable'],
  [Errno.NOTSUP, 'unsupported'],
  [Errno.NOSYS, 'unsupported'],
  [Errno.NOTTY, 'no-tty'],
  [Errno.NXIO, 'no-such-device'],
  [Errno.OVERFLOW, 'overflow'],
  // Escaping the sandbox (path-resolver.ts ESCAPE) is EPERM.
  [Errno.PERM, 'not-permitted'],
  [Errno.NOTCAPABLE, 'not-permitted'],
  [Errno.PIPE, 'pipe'],
  [Errno.ROFS, 'read-only'],
  [Errno.SPIPE, 'invalid-seek'],
  [Errno.TXTBSY, 'text-file-busy'],
  [Errno.XDEV, 'cross-device'],
]);

/** The error code for `errno`, or undefined when the enum has none. */
export function errorCodeOf(errno: number): ErrorCode | undefined {
  return CODES.get(errno);
}

/**
 * Runs a filesystem method's body: a kernel failure becomes `err(code)`;
 * a `ResultError` the body raised itself, a process exit and the kernel's
 * control flow pass through.
 */
export function guarded<T>(body: () => T): T {
  return withErrorCodes(body, (errno) => errorCodeOf(errno) ?? 'io');
}
