/**
 * Enumerations and bit sets of WASI preview 1 (layer: abi), from
 * `typenames.witx`. WASIX reuses them and adds its own next to them.
 */

export const enum FileType {
  UNKNOWN = 0, BLOCK_DEVICE = 1, CHARACTER_DEVICE = 2, DIRECTORY = 3,
  REGULAR_FILE = 4, SOCKET_DGRAM = 5, SOCKET_STREAM = 6, SYMBOLIC_LINK = 7,
}

export const enum ClockId { REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME_ID = 2, THREAD_CPUTIME_ID = 3 }

export const enum Whence { SET = 0, CUR = 1, END = 2 }

/**
 * `whence` of wasi_unstable (preview 0, `phases/old/snapshot_0/witx/typenames.witx`):
 * the same three bases as preview 1, numbered in another order.
 */
export const enum WhenceUnstable { CUR = 0, END = 1, SET = 2 }

export const enum Advice { NORMAL = 0, SEQUENTIAL = 1, RANDOM = 2, WILLNEED = 3, DONTNEED = 4, NOREUSE = 5 }

export const enum FdFlags { APPEND = 1, DSYNC = 2, NONBLOCK = 4, RSYNC = 8, SYNC = 16 }
export const FDFLAGS_ALL = 0x1f;

export const enum OFlags { CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8 }
export const OFLAGS_ALL = 0xf;

export const enum LookupFlags { SYMLINK_FOLLOW = 1 }

export const enum FstFlags { ATIM = 1, ATIM_NOW = 2, MTIM = 4, MTIM_NOW = 8 }
export const FSTFLAGS_ALL = 0xf;

export const enum EventType { CLOCK = 0, FD_READ = 1, FD_WRITE = 2 }
export const enum EventRwFlags { HANGUP = 1 }
export const enum SubClockFlags { ABSTIME = 1 }

export const enum RiFlags { RECV_PEEK = 1, RECV_WAITALL = 2 }
export const enum RoFlags { RECV_DATA_TRUNCATED = 1 }
export const enum SdFlags { RD = 1, WR = 2 }

export const enum PreopenType { DIR = 0 }

/** Signal numbers (`signal` in typenames.witx). */
export const SIGNAL_MAX = 30;

/**
 * `rights` bits. The ABI carries rights as a u64, but every defined right
 * fits in 30 bits, so Kiln keeps them as plain numbers (fast bitwise checks)
 * and converts at the ABI boundary; bits beyond the defined ones are never held.
 */
export const Rights = {
  FD_DATASYNC: (1 << 0),
  FD_READ: (1 << 1),
  FD_SEEK: (1 << 2),
  FD_FDSTAT_SET_FLAGS: (1 << 3),
  FD_SYNC: (1 << 4),
  FD_TELL: (1 << 5),
  FD_WRITE: (1 << 6),
  FD_ADVISE: (1 << 7),
  FD_ALLOCATE: (1 << 8),
  PATH_CREATE_DIRECTORY: (1 << 9),
  PATH_CREATE_FILE: (1 << 10),
  PATH_LINK_SOURCE: (1 << 11),
  PATH_LINK_TARGET: (1 << 12),
  PATH_OPEN: (1 << 13),
  FD_READDIR: (1 << 14),
  PATH_READLINK: (1 << 15),
  PATH_RENAME_SOURCE: (1 << 16),
  PATH_RENAME_TARGET: (1 << 17),
  PATH_FILESTAT_GET: (1 << 18),
  PATH_FILESTAT_SET_SIZE: (1 << 19),
  PATH_FILESTAT_SET_TIMES: (1 << 20),
  FD_FILESTAT_GET: (1 << 21),
  FD_FILESTAT_SET_SIZE: (1 << 22),
  FD_FILESTAT_SET_TIMES: (1 << 23),
  PATH_SYMLINK: (1 << 24),
  PATH_REMOVE_DIRECTORY: (1 << 25),
  PATH_UNLINK_FILE: (1 << 26),
  POLL_FD_READWRITE: (1 << 27),
  SOCK_SHUTDOWN: (1 << 28),
  SOCK_ACCEPT: (1 << 29),
} as const;

export const RIGHTS_ALL = 0x3fffffff;

/**
 * The rights wasi_unstable (preview 0) defines: bits 0 to 28, the same as
 * preview 1's; preview 1 added SOCK_ACCEPT (bit 29).
 */
export const RIGHTS_ALL_UNSTABLE = 0x1fffffff;

/** Rights that make sense on a regular file. */
export const RIGHTS_FILE =
  Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES |
  Rights.POLL_FD_READWRITE;

/** Rights that make sense on a directory. */
export const RIGHTS_DIRECTORY =
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE |
  Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE |
  Rights.PATH_LINK_TARGET | Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK |
  Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET | Rights.PATH_FILESTAT_GET |
  Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY |
  Rights.PATH_UNLINK_FILE | Rights.POLL_FD_READWRITE;

/** What a directory hands down to what is opened beneath it. */
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY | RIGHTS_FILE;

/** Rights of a character device or pipe (stdio). */
export const RIGHTS_STREAM =
  Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET |
  Rights.POLL_FD_READWRITE | Rights.FD_DATASYNC | Rights.FD_SYNC | Rights.FD_ADVISE;

/** Rights of a connected socket. */
export const RIGHTS_SOCKET =
  Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET |
  Rights.POLL_FD_READWRITE | Rights.SOCK_SHUTDOWN;

/** Rights of a listening socket. */
export const RIGHTS_LISTENER =
  Rights.FD_READ | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET |
  Rights.POLL_FD_READWRITE | Rights.SOCK_ACCEPT;
