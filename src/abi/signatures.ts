/**
 * The one declaration of the preview 1 syscall signatures (layer: abi).
 * Import-object types, the tracer's argument decoding and the fuzz test all
 * derive from this table, so a signature is written down exactly once.
 * The wasi_unstable (preview 0) table is derived from it below.
 *
 * Each parameter is `[name, kind]`. The kind says both the wasm type (i64
 * kinds are bigint in JS, the rest are i32 numbers) and how the tracer shows
 * it.
 *
 * The syscall bodies take each i64 parameter *split*, as two i32 numbers
 * (its low half, then its high half: `SplitArgsOf`), so that no BigInt is
 * made on the way in: the i64 adapter (exec/i64-adapter.ts) splits them in
 * wasm. The helpers at the end of this file read a split value.
 */

/** Kinds carried as wasm i64 (bigint in JavaScript). */
export type I64Kind = 'u64' | 'rights' | 'timestamp' | 'filesize' | 'filedelta' | 'dircookie'
  // WASIX's 64-bit ABI (wasix_64v1): pointers and sizes, and the two halves of a string.
  | 'ptr64' | 'len64' | 'strptr64' | 'strlen64';
/** Kinds carried as wasm i32. */
export type I32Kind =
  | 'fd' | 'ptr' | 'len' | 'u32' | 'exitcode' | 'signal' | 'clockid' | 'whence' | 'whence_unstable' | 'advice'
  | 'fdflags' | 'oflags' | 'lookupflags' | 'fstflags' | 'riflags' | 'siflags' | 'sdflags'
  | 'strptr' | 'strlen'
  // WASIX: process and thread ids, booleans, and WASIX's own enums and flags (shown as numbers).
  | 'pid' | 'tid' | 'bool' | 'i32';
/** What a parameter carries: its wasm type, and how the tracer shows it. */
export type ParamKind = I64Kind | I32Kind;

/** One parameter of a signature: its name and kind. */
export type Param = readonly [name: string, kind: ParamKind];
/** A function's parameters, in order. */
export type Signature = readonly Param[];

/**
 * The signatures of the 46 `wasi_snapshot_preview1` functions: for each,
 * its parameters as `[name, kind]` pairs (every function returns an errno).
 */
export const PREVIEW1 = {
  /** Writes the command-line arguments (pointers and NUL-terminated strings). */
  args_get: [['argv', 'ptr'], ['argv_buf', 'ptr']],
  /** The number of arguments and the size of their string data. */
  args_sizes_get: [['argc_out', 'ptr'], ['argv_buf_size_out', 'ptr']],
  /** Writes the environment variables (pointers and NUL-terminated `NAME=value` strings). */
  environ_get: [['environ', 'ptr'], ['environ_buf', 'ptr']],
  /** The number of environment variables and the size of their string data. */
  environ_sizes_get: [['count_out', 'ptr'], ['buf_size_out', 'ptr']],
  /** The resolution of a clock, in nanoseconds. */
  clock_res_get: [['id', 'clockid'], ['resolution_out', 'ptr']],
  /** The time of a clock, in nanoseconds. */
  clock_time_get: [['id', 'clockid'], ['precision', 'timestamp'], ['time_out', 'ptr']],
  /** Advice on how a file's data will be used. */
  fd_advise: [['fd', 'fd'], ['offset', 'filesize'], ['len', 'filesize'], ['advice', 'advice']],
  /** Makes sure a range of a file is allocated, growing the file if needed. */
  fd_allocate: [['fd', 'fd'], ['offset', 'filesize'], ['len', 'filesize']],
  /** Closes a descriptor. */
  fd_close: [['fd', 'fd']],
  /** Writes a file's data to storage. */
  fd_datasync: [['fd', 'fd']],
  /** A descriptor's type, flags and rights. */
  fd_fdstat_get: [['fd', 'fd'], ['stat_out', 'ptr']],
  /** Changes a descriptor's flags (`APPEND`, `NONBLOCK`, ...). */
  fd_fdstat_set_flags: [['fd', 'fd'], ['flags', 'fdflags']],
  /** Drops rights of a descriptor. */
  fd_fdstat_set_rights: [['fd', 'fd'], ['rights_base', 'rights'], ['rights_inheriting', 'rights']],
  /** The attributes of an open file. */
  fd_filestat_get: [['fd', 'fd'], ['stat_out', 'ptr']],
  /** Truncates or extends an open file. */
  fd_filestat_set_size: [['fd', 'fd'], ['size', 'filesize']],
  /** Sets the access and modification times of an open file. */
  fd_filestat_set_times: [['fd', 'fd'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  /** Reads at an offset, without moving the descriptor's position. */
  fd_pread: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['offset', 'filesize'], ['nread_out', 'ptr']],
  /** Describes a preopened directory (the length of its guest path). */
  fd_prestat_get: [['fd', 'fd'], ['prestat_out', 'ptr']],
  /** The guest path of a preopened directory. */
  fd_prestat_dir_name: [['fd', 'fd'], ['path', 'ptr'], ['path_len', 'len']],
  /** Writes at an offset, without moving the descriptor's position. */
  fd_pwrite: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['offset', 'filesize'], ['nwritten_out', 'ptr']],
  /** Reads into a list of buffers. */
  fd_read: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['nread_out', 'ptr']],
  /** Reads directory entries, from a cookie on. */
  fd_readdir: [['fd', 'fd'], ['buf', 'ptr'], ['buf_len', 'len'], ['cookie', 'dircookie'], ['bufused_out', 'ptr']],
  /** Moves a descriptor to another number, closing what was there. */
  fd_renumber: [['fd', 'fd'], ['to', 'fd']],
  /** Moves a descriptor's position. */
  fd_seek: [['fd', 'fd'], ['offset', 'filedelta'], ['whence', 'whence'], ['newoffset_out', 'ptr']],
  /** Writes a file's data and attributes to storage. */
  fd_sync: [['fd', 'fd']],
  /** A descriptor's position. */
  fd_tell: [['fd', 'fd'], ['offset_out', 'ptr']],
  /** Writes a list of buffers. */
  fd_write: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['nwritten_out', 'ptr']],
  /** Creates a directory. */
  path_create_directory: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  /** The attributes of a file, by path. */
  path_filestat_get: [['fd', 'fd'], ['flags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['stat_out', 'ptr']],
  /** Sets the access and modification times of a file, by path. */
  path_filestat_set_times: [['fd', 'fd'], ['flags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  /** Creates a hard link. */
  path_link: [['old_fd', 'fd'], ['old_flags', 'lookupflags'], ['old_path', 'strptr'], ['old_path_len', 'strlen'], ['new_fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  /** Opens (or creates) a file or directory. */
  path_open: [['fd', 'fd'], ['dirflags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['oflags', 'oflags'], ['rights_base', 'rights'], ['rights_inheriting', 'rights'], ['fdflags', 'fdflags'], ['fd_out', 'ptr']],
  /** Reads the target of a symbolic link. */
  path_readlink: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen'], ['buf', 'ptr'], ['buf_len', 'len'], ['bufused_out', 'ptr']],
  /** Removes an empty directory. */
  path_remove_directory: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  /** Renames a file or directory. */
  path_rename: [['fd', 'fd'], ['old_path', 'strptr'], ['old_path_len', 'strlen'], ['new_fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  /** Creates a symbolic link. */
  path_symlink: [['old_path', 'strptr'], ['old_path_len', 'strlen'], ['fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  /** Removes a file or symbolic link. */
  path_unlink_file: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  /** Waits for clocks and descriptors (subscriptions in, events out). */
  poll_oneoff: [['in', 'ptr'], ['out', 'ptr'], ['nsubscriptions', 'u32'], ['nevents_out', 'ptr']],
  /** Ends the process with an exit code; does not return. */
  proc_exit: [['rval', 'exitcode']],
  /** Sends a signal to the process. */
  proc_raise: [['sig', 'signal']],
  /** Lets other threads run. */
  sched_yield: [],
  /** Fills a buffer with random bytes. */
  random_get: [['buf', 'ptr'], ['buf_len', 'len']],
  /** Accepts a connection on a listening socket. */
  sock_accept: [['fd', 'fd'], ['flags', 'fdflags'], ['fd_out', 'ptr']],
  /** Receives data from a socket. */
  sock_recv: [['fd', 'fd'], ['ri_data', 'ptr'], ['ri_data_len', 'len'], ['ri_flags', 'riflags'], ['ro_datalen_out', 'ptr'], ['ro_flags_out', 'ptr']],
  /** Sends data on a socket. */
  sock_send: [['fd', 'fd'], ['si_data', 'ptr'], ['si_data_len', 'len'], ['si_flags', 'siflags'], ['so_datalen_out', 'ptr']],
  /** Shuts down one or both directions of a socket. */
  sock_shutdown: [['fd', 'fd'], ['how', 'sdflags']],
} as const satisfies Record<string, Signature>;

/** The name of a `wasi_snapshot_preview1` function. */
export type Preview1Name = keyof typeof PREVIEW1;

/** The JavaScript type of one wasm parameter of a given kind. */
export type WasmValue<K extends ParamKind> = K extends I64Kind ? bigint : number;

/** The JavaScript parameter types of a signature. */
export type ArgsOf<S extends Signature> = { -readonly [I in keyof S]: S[I] extends Param ? WasmValue<S[I][1]> : never };

/** A host function implementing a syscall: returns an errno (proc_exit never returns). */
export type SyscallFunction<S extends Signature> = (...args: ArgsOf<S>) => number;

/** The `wasi_snapshot_preview1` import functions (`WASI.wasiImport`), typed from PREVIEW1. */
export type Preview1Imports = { [N in Preview1Name]: SyscallFunction<(typeof PREVIEW1)[N]> };

/**
 * The JavaScript parameters of a signature in split form: each i32 kind a
 * number, each i64 kind two numbers (its low and high 32 bits, as wasm
 * i32: signed).
 */
export type SplitArgsOf<S extends Signature> = S extends readonly [infer H extends Param, ...infer R extends Signature]
  ? H[1] extends I64Kind ? [lo: number, hi: number, ...SplitArgsOf<R>] : [number, ...SplitArgsOf<R>]
  : [];

/** A syscall body in split form (see `SplitArgsOf`): returns an errno. */
export type SplitSyscallFunction<S extends Signature> = (...args: SplitArgsOf<S>) => number;

/** The `wasi_snapshot_preview1` functions in split form, as the syscall layer implements them. */
export type Preview1Split = { [N in Preview1Name]: SplitSyscallFunction<(typeof PREVIEW1)[N]> };

/**
 * The `wasi_unstable` (preview 0) signatures, from
 * `phases/old/snapshot_0/witx/wasi_unstable.witx`: preview 1's functions
 * less `sock_accept` (added by preview 1), with the same wasm types; only
 * `fd_seek`'s whence is numbered differently (`WhenceUnstable`).
 */
export const UNSTABLE = (() => {
  const { sock_accept: _addedByPreview1, ...same } = PREVIEW1;
  return {
    ...same,
    /** Moves a descriptor's position (`whence` numbered as preview 0 numbers it). */
    fd_seek: [['fd', 'fd'], ['offset', 'filedelta'], ['whence', 'whence_unstable'], ['newoffset_out', 'ptr']],
  } as const;
})() satisfies Record<string, Signature>;

/** The name of a `wasi_unstable` (preview 0) function. */
export type UnstableName = keyof typeof UNSTABLE;

/** The `wasi_unstable` (preview 0) import functions (`WASI.unstableImport`). */
export type UnstableImports = { [N in UnstableName]: SyscallFunction<(typeof UNSTABLE)[N]> };

/** The `wasi_unstable` functions in split form. */
export type UnstableSplit = { [N in UnstableName]: SplitSyscallFunction<(typeof UNSTABLE)[N]> };

/**
 * The wasi-threads namespace `wasi`: `thread-spawn(start_arg) -> tid`, which
 * returns the new thread's id, or a negated errno (not an errno itself).
 */
export const THREADS = {
  /** Starts a thread that calls `wasi_thread_start(tid, start_arg)`; returns its id, or a negated errno. */
  'thread-spawn': [['start_arg', 'u32']],
} as const satisfies Record<string, Signature>;

export function isI64Kind(kind: ParamKind): kind is I64Kind {
  return kind === 'u64' || kind === 'rights' || kind === 'timestamp' || kind === 'filesize' ||
    kind === 'filedelta' || kind === 'dircookie' || isWidePointerKind(kind);
}

/** True for the kinds wasix_64v1 widens to 64 bits: pointers and sizes (their values stay below 2^32 here). */
export function isWidePointerKind(kind: ParamKind): boolean {
  return kind === 'ptr64' || kind === 'len64' || kind === 'strptr64' || kind === 'strlen64';
}

/** The number of JavaScript arguments of a signature in split form (each i64 counts twice). */
export function splitLength(sig: Signature): number {
  let n = 0;
  for (const [, kind] of sig) n += isI64Kind(kind) ? 2 : 1;
  return n;
}

// ---- Reading a split i64 (low half `lo`, high half `hi`, each a wasm i32) ----

const TWO_32 = 0x1_0000_0000;

/** The unsigned value of a split u64 as a number: exact below 2^53 (check with `u64Safe`). */
export function u64Number(lo: number, hi: number): number {
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}

/** True when the unsigned value of a split u64 is at most 2^53 - 1 (`Number.MAX_SAFE_INTEGER`). */
export function u64Safe(hi: number): boolean {
  return (hi >>> 0) <= 0x1f_ffff;
}

/** The signed value of a split i64 as a number: exact when it lies in ±(2^53 - 1) (check with `i64Safe`). */
export function i64Number(lo: number, hi: number): number {
  return (hi | 0) * TWO_32 + (lo >>> 0);
}

/** True when the signed value of a split i64 lies in ±(2^53 - 1). */
export function i64Safe(lo: number, hi: number): boolean {
  const h = hi | 0;
  return h >= -0x20_0000 && h <= 0x1f_ffff && (h !== -0x20_0000 || (lo >>> 0) !== 0);
}

/** A split i64 as a bigint, signed as V8 gives a wasm i64 (for the tracer and the rare paths). */
export function i64Big(lo: number, hi: number): bigint {
  const h = hi | 0;
  // Within ±2^53 the number is exact: one conversion instead of three and a shift.
  if (h >= -0x20_0000 && h < 0x20_0000) return BigInt(h * TWO_32 + (lo >>> 0));
  return (BigInt(h) << 32n) | BigInt(lo >>> 0);
}

/**
 * The arguments of a call as a guest passes them (each i64 one bigint, or
 * a number) in split form (each i64 as two i32 halves, as the syscall
 * bodies and the channel take them); a missing argument is 0.
 */
export function splitArgs(sig: Signature, args: readonly (number | bigint | undefined)[]): number[] {
  const out: number[] = [];
  sig.forEach(([, kind], i) => {
    const a = args[i] ?? 0;
    if (isI64Kind(kind)) out.push(...splitI64(BigInt(a)));
    else out.push(Number(a));
  });
  return out;
}

/** A bigint's 64 bits as a split i64 (low half, high half, as wasm i32). */
export function splitI64(v: bigint): [lo: number, hi: number] {
  return [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}
