/**
 * The one declaration of the preview 1 syscall signatures (layer: abi).
 * Import-object types, the tracer's argument decoding and the fuzz test all
 * derive from this table, so a signature is written down exactly once.
 * The wasi_unstable (preview 0) table is derived from it below.
 *
 * Each parameter is `[name, kind]`. The kind says both the wasm type (i64
 * kinds are bigint in JS, the rest are i32 numbers) and how the tracer shows
 * it.
 */

/** Kinds carried as wasm i64 (bigint in JavaScript). */
export type I64Kind = 'u64' | 'rights' | 'timestamp' | 'filesize' | 'filedelta' | 'dircookie';
/** Kinds carried as wasm i32. */
export type I32Kind =
  | 'fd' | 'ptr' | 'len' | 'u32' | 'exitcode' | 'signal' | 'clockid' | 'whence' | 'whence_unstable' | 'advice'
  | 'fdflags' | 'oflags' | 'lookupflags' | 'fstflags' | 'riflags' | 'siflags' | 'sdflags'
  | 'strptr' | 'strlen';
export type ParamKind = I64Kind | I32Kind;

export type Param = readonly [name: string, kind: ParamKind];
export type Signature = readonly Param[];

export const PREVIEW1 = {
  args_get: [['argv', 'ptr'], ['argv_buf', 'ptr']],
  args_sizes_get: [['argc_out', 'ptr'], ['argv_buf_size_out', 'ptr']],
  environ_get: [['environ', 'ptr'], ['environ_buf', 'ptr']],
  environ_sizes_get: [['count_out', 'ptr'], ['buf_size_out', 'ptr']],
  clock_res_get: [['id', 'clockid'], ['resolution_out', 'ptr']],
  clock_time_get: [['id', 'clockid'], ['precision', 'timestamp'], ['time_out', 'ptr']],
  fd_advise: [['fd', 'fd'], ['offset', 'filesize'], ['len', 'filesize'], ['advice', 'advice']],
  fd_allocate: [['fd', 'fd'], ['offset', 'filesize'], ['len', 'filesize']],
  fd_close: [['fd', 'fd']],
  fd_datasync: [['fd', 'fd']],
  fd_fdstat_get: [['fd', 'fd'], ['stat_out', 'ptr']],
  fd_fdstat_set_flags: [['fd', 'fd'], ['flags', 'fdflags']],
  fd_fdstat_set_rights: [['fd', 'fd'], ['rights_base', 'rights'], ['rights_inheriting', 'rights']],
  fd_filestat_get: [['fd', 'fd'], ['stat_out', 'ptr']],
  fd_filestat_set_size: [['fd', 'fd'], ['size', 'filesize']],
  fd_filestat_set_times: [['fd', 'fd'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  fd_pread: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['offset', 'filesize'], ['nread_out', 'ptr']],
  fd_prestat_get: [['fd', 'fd'], ['prestat_out', 'ptr']],
  fd_prestat_dir_name: [['fd', 'fd'], ['path', 'ptr'], ['path_len', 'len']],
  fd_pwrite: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['offset', 'filesize'], ['nwritten_out', 'ptr']],
  fd_read: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['nread_out', 'ptr']],
  fd_readdir: [['fd', 'fd'], ['buf', 'ptr'], ['buf_len', 'len'], ['cookie', 'dircookie'], ['bufused_out', 'ptr']],
  fd_renumber: [['fd', 'fd'], ['to', 'fd']],
  fd_seek: [['fd', 'fd'], ['offset', 'filedelta'], ['whence', 'whence'], ['newoffset_out', 'ptr']],
  fd_sync: [['fd', 'fd']],
  fd_tell: [['fd', 'fd'], ['offset_out', 'ptr']],
  fd_write: [['fd', 'fd'], ['iovs', 'ptr'], ['iovs_len', 'len'], ['nwritten_out', 'ptr']],
  path_create_directory: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  path_filestat_get: [['fd', 'fd'], ['flags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['stat_out', 'ptr']],
  path_filestat_set_times: [['fd', 'fd'], ['flags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['atim', 'timestamp'], ['mtim', 'timestamp'], ['fst_flags', 'fstflags']],
  path_link: [['old_fd', 'fd'], ['old_flags', 'lookupflags'], ['old_path', 'strptr'], ['old_path_len', 'strlen'], ['new_fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  path_open: [['fd', 'fd'], ['dirflags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['oflags', 'oflags'], ['rights_base', 'rights'], ['rights_inheriting', 'rights'], ['fdflags', 'fdflags'], ['fd_out', 'ptr']],
  path_readlink: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen'], ['buf', 'ptr'], ['buf_len', 'len'], ['bufused_out', 'ptr']],
  path_remove_directory: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  path_rename: [['fd', 'fd'], ['old_path', 'strptr'], ['old_path_len', 'strlen'], ['new_fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  path_symlink: [['old_path', 'strptr'], ['old_path_len', 'strlen'], ['fd', 'fd'], ['new_path', 'strptr'], ['new_path_len', 'strlen']],
  path_unlink_file: [['fd', 'fd'], ['path', 'strptr'], ['path_len', 'strlen']],
  poll_oneoff: [['in', 'ptr'], ['out', 'ptr'], ['nsubscriptions', 'u32'], ['nevents_out', 'ptr']],
  proc_exit: [['rval', 'exitcode']],
  proc_raise: [['sig', 'signal']],
  sched_yield: [],
  random_get: [['buf', 'ptr'], ['buf_len', 'len']],
  sock_accept: [['fd', 'fd'], ['flags', 'fdflags'], ['fd_out', 'ptr']],
  sock_recv: [['fd', 'fd'], ['ri_data', 'ptr'], ['ri_data_len', 'len'], ['ri_flags', 'riflags'], ['ro_datalen_out', 'ptr'], ['ro_flags_out', 'ptr']],
  sock_send: [['fd', 'fd'], ['si_data', 'ptr'], ['si_data_len', 'len'], ['si_flags', 'siflags'], ['so_datalen_out', 'ptr']],
  sock_shutdown: [['fd', 'fd'], ['how', 'sdflags']],
} as const satisfies Record<string, Signature>;

export type Preview1Name = keyof typeof PREVIEW1;

/** The JavaScript type of one wasm parameter of a given kind. */
export type WasmValue<K extends ParamKind> = K extends I64Kind ? bigint : number;

type ArgsOf<S extends Signature> = { -readonly [I in keyof S]: S[I] extends Param ? WasmValue<S[I][1]> : never };

/** A host function implementing a syscall: returns an errno (proc_exit never returns). */
export type SyscallFunction<S extends Signature> = (...args: ArgsOf<S>) => number;

export type Preview1Imports = { [N in Preview1Name]: SyscallFunction<(typeof PREVIEW1)[N]> };

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
    fd_seek: [['fd', 'fd'], ['offset', 'filedelta'], ['whence', 'whence_unstable'], ['newoffset_out', 'ptr']],
  } as const;
})() satisfies Record<string, Signature>;

export type UnstableName = keyof typeof UNSTABLE;

export type UnstableImports = { [N in UnstableName]: SyscallFunction<(typeof UNSTABLE)[N]> };

export function isI64Kind(kind: ParamKind): kind is I64Kind {
  return kind === 'u64' || kind === 'rights' || kind === 'timestamp' || kind === 'filesize' ||
    kind === 'filedelta' || kind === 'dircookie';
}
