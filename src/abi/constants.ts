/**
 * Enumerations and bit sets of WASI preview 1 (layer: abi), from
 * `typenames.witx`. WASIX reuses them and adds its own next to them.
 */

/**
 * The type of a file. `FileType` and `ClockId` are real enums (objects at
 * run time) because they are part of the public API (`FileStat.filetype`,
 * `Clocks`); the enumerations only Kiln uses stay `const enum`s.
 */
export enum FileType {
  /** The type is unknown or differs from the others (Kiln's capture and callback streams). */
  UNKNOWN = 0,
  /** A block device. */
  BLOCK_DEVICE = 1,
  /** A character device (a terminal, `/dev/null`). */
  CHARACTER_DEVICE = 2,
  /** A directory. */
  DIRECTORY = 3,
  /** A regular file. */
  REGULAR_FILE = 4,
  /** A datagram socket. */
  SOCKET_DGRAM = 5,
  /** A stream socket. */
  SOCKET_STREAM = 6,
  /** A symbolic link. */
  SYMBOLIC_LINK = 7,
}

/** A WASI clock. */
export enum ClockId {
  /** Wall-clock time: nanoseconds since 1970-01-01 UTC; may jump. */
  REALTIME = 0,
  /** Time that only goes forward, from an arbitrary start; for measuring intervals. */
  MONOTONIC = 1,
  /** CPU time of the process. */
  PROCESS_CPUTIME_ID = 2,
  /** CPU time of the calling thread. */
  THREAD_CPUTIME_ID = 3,
}

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
  /** `fd_datasync`. */
  FD_DATASYNC: (1 << 0),
  /** `fd_read` and `sock_recv` (and `fd_pread` with `FD_SEEK`). */
  FD_READ: (1 << 1),
  /** `fd_seek` (implies `FD_TELL`). */
  FD_SEEK: (1 << 2),
  /** `fd_fdstat_set_flags`. */
  FD_FDSTAT_SET_FLAGS: (1 << 3),
  /** `fd_sync`. */
  FD_SYNC: (1 << 4),
  /** `fd_tell` (and `fd_seek` to the current position). */
  FD_TELL: (1 << 5),
  /** `fd_write` and `sock_send` (and `fd_pwrite` with `FD_SEEK`). */
  FD_WRITE: (1 << 6),
  /** `fd_advise`. */
  FD_ADVISE: (1 << 7),
  /** `fd_allocate`. */
  FD_ALLOCATE: (1 << 8),
  /** `path_create_directory`. */
  PATH_CREATE_DIRECTORY: (1 << 9),
  /** `path_open` with `OFLAGS_CREAT`. */
  PATH_CREATE_FILE: (1 << 10),
  /** `path_link` with the descriptor as the source directory. */
  PATH_LINK_SOURCE: (1 << 11),
  /** `path_link` with the descriptor as the target directory. */
  PATH_LINK_TARGET: (1 << 12),
  /** `path_open`. */
  PATH_OPEN: (1 << 13),
  /** `fd_readdir`. */
  FD_READDIR: (1 << 14),
  /** `path_readlink`. */
  PATH_READLINK: (1 << 15),
  /** `path_rename` with the descriptor as the source directory. */
  PATH_RENAME_SOURCE: (1 << 16),
  /** `path_rename` with the descriptor as the target directory. */
  PATH_RENAME_TARGET: (1 << 17),
  /** `path_filestat_get`. */
  PATH_FILESTAT_GET: (1 << 18),
  /** Changing a file's size through a path (`path_open` with `OFLAGS_TRUNC`). */
  PATH_FILESTAT_SET_SIZE: (1 << 19),
  /** `path_filestat_set_times`. */
  PATH_FILESTAT_SET_TIMES: (1 << 20),
  /** `fd_filestat_get`. */
  FD_FILESTAT_GET: (1 << 21),
  /** `fd_filestat_set_size`. */
  FD_FILESTAT_SET_SIZE: (1 << 22),
  /** `fd_filestat_set_times`. */
  FD_FILESTAT_SET_TIMES: (1 << 23),
  /** `path_symlink`. */
  PATH_SYMLINK: (1 << 24),
  /** `path_remove_directory`. */
  PATH_REMOVE_DIRECTORY: (1 << 25),
  /** `path_unlink_file`. */
  PATH_UNLINK_FILE: (1 << 26),
  /** Waiting for the descriptor with `poll_oneoff` (`FD_READ`/`FD_WRITE` subscriptions). */
  POLL_FD_READWRITE: (1 << 27),
  /** `sock_shutdown`. */
  SOCK_SHUTDOWN: (1 << 28),
  /** `sock_accept`. */
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
