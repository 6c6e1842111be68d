/**
 * WASI errno values (layer: abi). Follows `typenames.witx` of wasi_snapshot_preview1;
 * WASIX uses the same numbering.
 */

/**
 * A WASI errno. A real enum (an object at run time, not a `const enum`),
 * because embedders compare `WasiError.errno` with it from plain
 * JavaScript and from TypeScript compiled one file at a time.
 */
export enum Errno {
  /** No error: the call succeeded. */
  SUCCESS = 0,
  /** Argument list too long (E2BIG). */
  TOOBIG = 1,
  /** Permission denied. */
  ACCES = 2,
  /** Address in use. */
  ADDRINUSE = 3,
  /** Address not available. */
  ADDRNOTAVAIL = 4,
  /** Address family not supported. */
  AFNOSUPPORT = 5,
  /** Resource unavailable, or the operation would block. */
  AGAIN = 6,
  /** Connection already in progress. */
  ALREADY = 7,
  /** Bad file descriptor. */
  BADF = 8,
  /** Bad message. */
  BADMSG = 9,
  /** Device or resource busy. */
  BUSY = 10,
  /** Operation canceled. */
  CANCELED = 11,
  /** No child processes. */
  CHILD = 12,
  /** Connection aborted. */
  CONNABORTED = 13,
  /** Connection refused. */
  CONNREFUSED = 14,
  /** Connection reset. */
  CONNRESET = 15,
  /** Resource deadlock would occur. */
  DEADLK = 16,
  /** Destination address required. */
  DESTADDRREQ = 17,
  /** Mathematics argument out of domain of function. */
  DOM = 18,
  /** Reserved (disk quota exceeded). */
  DQUOT = 19,
  /** File exists. */
  EXIST = 20,
  /** Bad address (a guest pointer outside its memory). */
  FAULT = 21,
  /** File too large. */
  FBIG = 22,
  /** Host is unreachable. */
  HOSTUNREACH = 23,
  /** Identifier removed. */
  IDRM = 24,
  /** Illegal byte sequence. */
  ILSEQ = 25,
  /** Operation in progress. */
  INPROGRESS = 26,
  /** Interrupted function. */
  INTR = 27,
  /** Invalid argument. */
  INVAL = 28,
  /** I/O error. */
  IO = 29,
  /** Socket is connected. */
  ISCONN = 30,
  /** Is a directory. */
  ISDIR = 31,
  /** Too many levels of symbolic links. */
  LOOP = 32,
  /** Too many open file descriptors. */
  MFILE = 33,
  /** Too many links. */
  MLINK = 34,
  /** Message too large. */
  MSGSIZE = 35,
  /** Reserved (multihop attempted). */
  MULTIHOP = 36,
  /** Filename too long. */
  NAMETOOLONG = 37,
  /** Network is down. */
  NETDOWN = 38,
  /** Connection aborted by network. */
  NETRESET = 39,
  /** Network unreachable. */
  NETUNREACH = 40,
  /** Too many files open in system. */
  NFILE = 41,
  /** No buffer space available. */
  NOBUFS = 42,
  /** No such device. */
  NODEV = 43,
  /** No such file or directory. */
  NOENT = 44,
  /** Executable file format error. */
  NOEXEC = 45,
  /** No locks available. */
  NOLCK = 46,
  /** Reserved (link has been severed). */
  NOLINK = 47,
  /** Not enough space. */
  NOMEM = 48,
  /** No message of the desired type. */
  NOMSG = 49,
  /** Protocol not available. */
  NOPROTOOPT = 50,
  /** No space left on device. */
  NOSPC = 51,
  /** Function not supported. */
  NOSYS = 52,
  /** The socket is not connected. */
  NOTCONN = 53,
  /** Not a directory, or a symbolic link to a directory. */
  NOTDIR = 54,
  /** Directory not empty. */
  NOTEMPTY = 55,
  /** State not recoverable. */
  NOTRECOVERABLE = 56,
  /** Not a socket. */
  NOTSOCK = 57,
  /** Not supported, or operation not supported on socket. */
  NOTSUP = 58,
  /** Inappropriate I/O control operation. */
  NOTTY = 59,
  /** No such device or address. */
  NXIO = 60,
  /** Value too large to be stored in data type. */
  OVERFLOW = 61,
  /** Previous owner died. */
  OWNERDEAD = 62,
  /** Operation not permitted. */
  PERM = 63,
  /** Broken pipe. */
  PIPE = 64,
  /** Protocol error. */
  PROTO = 65,
  /** Protocol not supported. */
  PROTONOSUPPORT = 66,
  /** Protocol wrong type for socket. */
  PROTOTYPE = 67,
  /** Result too large. */
  RANGE = 68,
  /** Read-only file system. */
  ROFS = 69,
  /** Invalid seek. */
  SPIPE = 70,
  /** No such process. */
  SRCH = 71,
  /** Reserved (stale file handle). */
  STALE = 72,
  /** Connection timed out. */
  TIMEDOUT = 73,
  /** Text file busy. */
  TXTBSY = 74,
  /** Cross-device link. */
  XDEV = 75,
  /** Extension: the descriptor lacks a right the call needs. */
  NOTCAPABLE = 76,
}

const NAMES: readonly string[] = [
  'SUCCESS', '2BIG', 'ACCES', 'ADDRINUSE', 'ADDRNOTAVAIL', 'AFNOSUPPORT', 'AGAIN', 'ALREADY',
  'BADF', 'BADMSG', 'BUSY', 'CANCELED', 'CHILD', 'CONNABORTED', 'CONNREFUSED', 'CONNRESET',
  'DEADLK', 'DESTADDRREQ', 'DOM', 'DQUOT', 'EXIST', 'FAULT', 'FBIG', 'HOSTUNREACH', 'IDRM',
  'ILSEQ', 'INPROGRESS', 'INTR', 'INVAL', 'IO', 'ISCONN', 'ISDIR', 'LOOP', 'MFILE', 'MLINK',
  'MSGSIZE', 'MULTIHOP', 'NAMETOOLONG', 'NETDOWN', 'NETRESET', 'NETUNREACH', 'NFILE', 'NOBUFS',
  'NODEV', 'NOENT', 'NOEXEC', 'NOLCK', 'NOLINK', 'NOMEM', 'NOMSG', 'NOPROTOOPT', 'NOSPC',
  'NOSYS', 'NOTCONN', 'NOTDIR', 'NOTEMPTY', 'NOTRECOVERABLE', 'NOTSOCK', 'NOTSUP', 'NOTTY',
  'NXIO', 'OVERFLOW', 'OWNERDEAD', 'PERM', 'PIPE', 'PROTO', 'PROTONOSUPPORT', 'PROTOTYPE',
  'RANGE', 'ROFS', 'SPIPE', 'SRCH', 'STALE', 'TIMEDOUT', 'TXTBSY', 'XDEV', 'NOTCAPABLE',
];

/** The witx name of an errno (`NOENT`), or its number for values outside the table. */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? String(errno);
}

/**
 * An errno raised inside Kiln. Below the syscall layer, operations throw this
 * (never a string, never a bare number); the syscall layer turns it into the
 * function's return value.
 */
export class WasiError extends Error {
  /**
   * A failure with `errno`; the message is the errno's name (`ENOENT`),
   * followed by `detail` when given.
   *
   * @param errno The errno this failure is.
   * @param detail What failed, appended to the message (`ENOENT: detail`).
   */
  constructor(
    /** The errno: what a system call that meets this failure returns. */
    readonly errno: Errno,
    detail?: string,
  ) {
    super(detail === undefined ? `E${errnoName(errno)}` : `E${errnoName(errno)}: ${detail}`);
    this.name = 'WasiError';
  }
}
