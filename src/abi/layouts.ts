/**
 * Byte layouts of the preview 1 structs (layer: abi), wasm32. Offsets and
 * sizes follow `typenames.witx` (and wasi-libc's `_Static_assert`s).
 */

export const FDSTAT = { size: 24, filetype: 0, flags: 2, rightsBase: 8, rightsInheriting: 16 } as const;

export const FILESTAT = {
  size: 64, dev: 0, ino: 8, filetype: 16, nlink: 24, fileSize: 32, atim: 40, mtim: 48, ctim: 56,
} as const;

export const DIRENT = { size: 24, next: 0, ino: 8, namlen: 16, type: 20 } as const;

export const PRESTAT = { size: 8, tag: 0, nameLen: 4 } as const;

export const IOVEC = { size: 8, buf: 0, len: 4 } as const;

export const SUBSCRIPTION = {
  size: 48, userdata: 0, tag: 8,
  clockId: 16, clockTimeout: 24, clockPrecision: 32, clockFlags: 40,
  fd: 16,
} as const;

export const EVENT = { size: 32, userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 } as const;

/*
 * wasi_unstable (preview 0) structs that differ from preview 1, from
 * `phases/old/snapshot_0/witx/typenames.witx` (witx record layout: each
 * field at its natural alignment). fdstat, dirent, prestat, iovec and event
 * are the same in both.
 */

/** `linkcount` is a u32 in preview 0 (u64 in preview 1), so the struct is 8 bytes shorter. */
export const FILESTAT_UNSTABLE = {
  size: 56, dev: 0, ino: 8, filetype: 16, nlink: 20, fileSize: 24, atim: 32, mtim: 40, ctim: 48,
} as const;

/**
 * A preview 0 clock subscription starts with an `identifier` (a userdata of
 * its own) before the clock id, so the union and the struct are 8 bytes
 * longer. The fd subscriptions are unchanged (the fd at 16).
 */
export const SUBSCRIPTION_UNSTABLE = {
  size: 56, userdata: 0, tag: 8,
  clockIdentifier: 16, clockId: 24, clockTimeout: 32, clockPrecision: 40, clockFlags: 48,
  fd: 16,
} as const;
