/**
 * The one table from host error codes (Node's `err.code`, POSIX names) to
 * WASI errno (layer: abi, below everything that catches a host error, so
 * every layer maps the same way).
 */
import { Errno, WasiError } from './errno.js';

const TABLE: Readonly<Record<string, Errno>> = {
  E2BIG: Errno.TOOBIG, EACCES: Errno.ACCES, EADDRINUSE: Errno.ADDRINUSE,
  EADDRNOTAVAIL: Errno.ADDRNOTAVAIL, EAFNOSUPPORT: Errno.AFNOSUPPORT, EAGAIN: Errno.AGAIN,
  EWOULDBLOCK: Errno.AGAIN, EALREADY: Errno.ALREADY, EBADF: Errno.BADF, EBUSY: Errno.BUSY,
  ECANCELED: Errno.CANCELED, ECONNABORTED: Errno.CONNABORTED, ECONNREFUSED: Errno.CONNREFUSED,
  ECONNRESET: Errno.CONNRESET, EDQUOT: Errno.DQUOT, EEXIST: Errno.EXIST, EFAULT: Errno.FAULT,
  EFBIG: Errno.FBIG, EHOSTUNREACH: Errno.HOSTUNREACH, EILSEQ: Errno.ILSEQ,
  EINPROGRESS: Errno.INPROGRESS, EINTR: Errno.INTR, EINVAL: Errno.INVAL, EIO: Errno.IO,
  EISCONN: Errno.ISCONN, EISDIR: Errno.ISDIR, ELOOP: Errno.LOOP, EMFILE: Errno.MFILE,
  EMLINK: Errno.MLINK, EMSGSIZE: Errno.MSGSIZE, ENAMETOOLONG: Errno.NAMETOOLONG,
  ENETDOWN: Errno.NETDOWN, ENETRESET: Errno.NETRESET, ENETUNREACH: Errno.NETUNREACH,
  ENFILE: Errno.NFILE, ENOBUFS: Errno.NOBUFS, ENODEV: Errno.NODEV, ENOENT: Errno.NOENT,
  ENOEXEC: Errno.NOEXEC, ENOMEM: Errno.NOMEM, ENOSPC: Errno.NOSPC, ENOSYS: Errno.NOSYS,
  ENOTCONN: Errno.NOTCONN, ENOTDIR: Errno.NOTDIR, ENOTEMPTY: Errno.NOTEMPTY,
  ENOTSOCK: Errno.NOTSOCK, ENOTSUP: Errno.NOTSUP, EOPNOTSUPP: Errno.NOTSUP, ENOTTY: Errno.NOTTY,
  ENXIO: Errno.NXIO, EOVERFLOW: Errno.OVERFLOW, EPERM: Errno.PERM, EPIPE: Errno.PIPE,
  EPROTO: Errno.PROTO, EPROTONOSUPPORT: Errno.PROTONOSUPPORT, EPROTOTYPE: Errno.PROTOTYPE,
  ERANGE: Errno.RANGE, EROFS: Errno.ROFS, ESPIPE: Errno.SPIPE, ESRCH: Errno.SRCH,
  ETIMEDOUT: Errno.TIMEDOUT, ETXTBSY: Errno.TXTBSY, EXDEV: Errno.XDEV,
};

/**
 * The errno for a thrown value: a WasiError carries its own; a host error is
 * looked up by its code; anything else (a bug or an unknown failure) is EIO.
 */
export function errnoOf(error: unknown): Errno {
  if (error instanceof WasiError) return error.errno;
  if (error !== null && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return TABLE[code] ?? Errno.IO;
  }
  return Errno.IO;
}
