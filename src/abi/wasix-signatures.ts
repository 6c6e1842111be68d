/**
 * The WASIX signatures (layer: abi): `wasix_32v1`, the current ABI of
 * wasix-libc and Wasmer (see docs/wasix.md). Every function here is one
 * entry of the syscall numbering (syscall-table.ts); the import objects,
 * the channel, the tracer and the docs' compatibility table derive from
 * it, as they do from the preview 1 table.
 *
 * `wasix_32v1` serves, as Wasmer does, the preview 1 functions under the
 * same names (older binaries import everything from it), the WASIX
 * extensions, and the names of the first two ABI generations. A witx `string` is two parameters (pointer, length); a
 * result goes through a trailing pointer. Functions that do not return
 * (`proc_exit2`, `thread_exit`, `proc_exec`, `proc_exec2`,
 * `stack_restore`) and `callback_signal` have no wasm result: `VOID`.
 */
import { PREVIEW1, type ParamKind, type Signature } from './signatures.js';

/** The WASIX extensions of `wasix_32v1` (wasix-libc's current ABI), in the order of the reference table. */
export const WASIX_EXTENSIONS = {
  // ---- clocks ----
  /** Sets a clock (Kiln: EPERM, as for an unprivileged Linux process). */
  clock_time_set: [['id', 'clockid'], ['timestamp', 'timestamp']],
  // ---- descriptors ----
  /** Duplicates a descriptor to the lowest free number. */
  fd_dup: [['fd', 'fd'], ['fd_out', 'ptr']],
  /** Duplicates a descriptor to the lowest free number at least `min_result_fd` (F_DUPFD / F_DUPFD_CLOEXEC). */
  fd_dup2: [['fd', 'fd'], ['min_result_fd', 'fd'], ['cloexec', 'bool'], ['fd_out', 'ptr']],
  /** Creates an eventfd counter. */
  fd_event: [['initial_val', 'u64'], ['flags', 'i32'], ['fd_out', 'ptr']],
  /** Creates a pipe: a read end and a write end. */
  fd_pipe: [['read_fd_out', 'ptr'], ['write_fd_out', 'ptr']],
  /** A descriptor's own flags (`fdflagsext`: CLOEXEC). */
  fd_fdflags_get: [['fd', 'fd'], ['flags_out', 'ptr']],
  /** Sets a descriptor's own flags (`fdflagsext`: CLOEXEC). */
  fd_fdflags_set: [['fd', 'fd'], ['flags', 'i32']],
  /** path_open with the descriptor's own flags (`fdflagsext`). */
  path_open2: [['fd', 'fd'], ['dirflags', 'lookupflags'], ['path', 'strptr'], ['path_len', 'strlen'], ['oflags', 'oflags'], ['rights_base', 'rights'], ['rights_inheriting', 'rights'], ['fdflags', 'fdflags'], ['fdflagsext', 'i32'], ['fd_out', 'ptr']],
  // ---- epoll ----
  /** Creates an epoll interest list. */
  epoll_create: [['fd_out', 'ptr']],
  /** Adds, changes or removes a descriptor of an epoll interest list. */
  epoll_ctl: [['epfd', 'fd'], ['op', 'i32'], ['fd', 'fd'], ['event', 'ptr']],
  /** Waits for events of an epoll interest list. */
  epoll_wait: [['epfd', 'fd'], ['events', 'ptr'], ['maxevents', 'len'], ['timeout', 'timestamp'], ['nevents_out', 'ptr']],
  // ---- tty and current directory ----
  /** The terminal's state (size, echo, line buffering, which stdio are terminals). */
  tty_get: [['state_out', 'ptr']],
  /** Changes the terminal's state. */
  tty_set: [['state', 'ptr']],
  /** The current directory (`path_len` in/out: the buffer's size in, the path's length out). */
  getcwd: [['path', 'ptr'], ['path_len', 'ptr']],
  /** Changes the current directory. */
  chdir: [['path', 'strptr'], ['path_len', 'strlen']],
  // ---- threads and futexes ----
  /** Starts a thread (`wasi_thread_start(tid, start)`); its id through `tid_out`. */
  thread_spawn_v2: [['start', 'ptr'], ['tid_out', 'ptr']],
  /** Sleeps for a duration in nanoseconds. */
  thread_sleep: [['duration', 'timestamp']],
  /** The calling thread's id. */
  thread_id: [['tid_out', 'ptr']],
  /** Waits until a thread has ended. */
  thread_join: [['tid', 'tid']],
  /** The number of threads that can run at once. */
  thread_parallelism: [['size_out', 'ptr']],
  /** Sends a signal to a thread of the process. */
  thread_signal: [['tid', 'tid'], ['sig', 'signal']],
  /** Waits on a futex word while it holds `expected` (optional timeout); whether it was woken. */
  futex_wait: [['futex', 'ptr'], ['expected', 'u32'], ['timeout', 'ptr'], ['woken_out', 'ptr']],
  /** Wakes one waiter of a futex word. */
  futex_wake: [['futex', 'ptr'], ['woken_out', 'ptr']],
  /** Wakes every waiter of a futex word. */
  futex_wake_all: [['futex', 'ptr'], ['woken_out', 'ptr']],
  /** Ends the calling thread (the process when it is the last); does not return. */
  thread_exit: [['rval', 'exitcode']],
  // ---- signals ----
  /** Names the export the kernel calls to deliver a signal (`__wasm_signal(sig)`). */
  callback_signal: [['callback', 'strptr'], ['callback_len', 'strlen']],
  /** Raises a signal after an interval, once or repeatedly (alarm, setitimer); 0 cancels. */
  proc_raise_interval: [['sig', 'signal'], ['interval', 'timestamp'], ['repeat', 'bool']],
  /** Sends a signal to a process. */
  proc_signal: [['pid', 'pid'], ['sig', 'signal']],
  /** The signal dispositions the process inherited (`signal_disposition_t` list). */
  proc_signals_get: [['buf', 'ptr']],
  /** The number of inherited signal dispositions. */
  proc_signals_sizes_get: [['count_out', 'ptr']],
  // ---- processes ----
  /** Forks the process (asyncify); 0 in the child, the child's pid in the parent. */
  proc_fork: [['copy_memory', 'bool'], ['pid_out', 'ptr']],
  /** vfork without asyncify (exception-handling builds of wasix-libc). */
  proc_fork_env: [['pid_out', 'ptr']],
  /** Ends the process (or, in a vfork child, returns to the parent); does not return. */
  proc_exit2: [['rval', 'exitcode']],
  /** Replaces the process's program; does not return. */
  proc_exec: [['name', 'strptr'], ['name_len', 'strlen'], ['args', 'strptr'], ['args_len', 'strlen']],
  /** Replaces the process's program, with an environment; does not return. */
  proc_exec2: [['name', 'strptr'], ['name_len', 'strlen'], ['args', 'strptr'], ['args_len', 'strlen'], ['envs', 'strptr'], ['envs_len', 'strlen']],
  /** Replaces the process's program, with an environment and PATH search; an errno when it cannot. */
  proc_exec3: [['name', 'strptr'], ['name_len', 'strlen'], ['args', 'strptr'], ['args_len', 'strlen'], ['envs', 'strptr'], ['envs_len', 'strlen'], ['search_path', 'bool'], ['path', 'strptr'], ['path_len', 'strlen']],
  /** Starts a program as a child (the older interface). */
  proc_spawn: [['name', 'strptr'], ['name_len', 'strlen'], ['chroot', 'bool'], ['args', 'strptr'], ['args_len', 'strlen'], ['preopen', 'strptr'], ['preopen_len', 'strlen'], ['stdin', 'i32'], ['stdout', 'i32'], ['stderr', 'i32'], ['working_dir', 'strptr'], ['working_dir_len', 'strlen'], ['handles_out', 'ptr']],
  /** Starts a program as a child (posix_spawn: descriptor actions, signal dispositions, PATH search). */
  proc_spawn2: [['name', 'strptr'], ['name_len', 'strlen'], ['args', 'strptr'], ['args_len', 'strlen'], ['envs', 'strptr'], ['envs_len', 'strlen'], ['fd_ops', 'ptr'], ['fd_ops_len', 'len'], ['signal_dispositions', 'ptr'], ['signal_dispositions_len', 'len'], ['search_path', 'bool'], ['path', 'strptr'], ['path_len', 'strlen'], ['pid_out', 'ptr']],
  /** The calling process's id. */
  proc_id: [['pid_out', 'ptr']],
  /** The parent of a process. */
  proc_parent: [['pid', 'pid'], ['parent_out', 'ptr']],
  /** Waits for a child (or any child) to end (waitpid; `pid` in/out). */
  proc_join: [['pid', 'ptr'], ['flags', 'i32'], ['status_out', 'ptr']],
  /** Asks the runtime to snapshot the process. */
  proc_snapshot: [],
  // ---- stack snapshots and contexts ----
  /** setjmp (asyncify). */
  stack_checkpoint: [['snapshot', 'ptr'], ['ret_val', 'ptr']],
  /** longjmp (asyncify); does not return. */
  stack_restore: [['snapshot', 'ptr'], ['val', 'u64']],
  /** Creates an execution context (green thread). */
  context_create: [['context_out', 'ptr'], ['entrypoint', 'u32']],
  /** Switches to an execution context. */
  context_switch: [['next_context', 'u64']],
  /** Destroys an execution context. */
  context_destroy: [['context', 'u64']],
  // ---- virtual network port ----
  port_bridge: [['network', 'strptr'], ['network_len', 'strlen'], ['token', 'strptr'], ['token_len', 'strlen'], ['security', 'i32']],
  port_unbridge: [],
  port_dhcp_acquire: [],
  port_addr_add: [['addr', 'ptr']],
  port_addr_remove: [['addr', 'ptr']],
  port_addr_clear: [],
  port_mac: [['mac_out', 'ptr']],
  port_addr_list: [['addrs', 'ptr'], ['naddrs', 'ptr']],
  port_gateway_set: [['addr', 'ptr']],
  port_route_add: [['cidr', 'ptr'], ['via_router', 'ptr'], ['preferred_until', 'ptr'], ['expires_at', 'ptr']],
  port_route_remove: [['cidr', 'ptr']],
  port_route_clear: [],
  port_route_list: [['routes', 'ptr'], ['nroutes', 'ptr']],
  // ---- sockets and DNS ----
  sock_status: [['fd', 'fd'], ['status_out', 'ptr']],
  sock_addr_local: [['fd', 'fd'], ['addr_out', 'ptr']],
  sock_addr_peer: [['fd', 'fd'], ['addr_out', 'ptr']],
  sock_open: [['af', 'i32'], ['socktype', 'i32'], ['proto', 'i32'], ['fd_out', 'ptr']],
  sock_pair: [['af', 'i32'], ['socktype', 'i32'], ['proto', 'i32'], ['fd1_out', 'ptr'], ['fd2_out', 'ptr']],
  sock_set_opt_flag: [['fd', 'fd'], ['sockopt', 'i32'], ['flag', 'bool']],
  sock_get_opt_flag: [['fd', 'fd'], ['sockopt', 'i32'], ['flag_out', 'ptr']],
  sock_set_opt_time: [['fd', 'fd'], ['sockopt', 'i32'], ['timeout', 'ptr']],
  sock_get_opt_time: [['fd', 'fd'], ['sockopt', 'i32'], ['timeout_out', 'ptr']],
  sock_set_opt_size: [['fd', 'fd'], ['sockopt', 'i32'], ['size', 'filesize']],
  sock_get_opt_size: [['fd', 'fd'], ['sockopt', 'i32'], ['size_out', 'ptr']],
  sock_join_multicast_v4: [['fd', 'fd'], ['multiaddr', 'ptr'], ['iface', 'ptr']],
  sock_leave_multicast_v4: [['fd', 'fd'], ['multiaddr', 'ptr'], ['iface', 'ptr']],
  sock_join_multicast_v6: [['fd', 'fd'], ['multiaddr', 'ptr'], ['iface', 'u32']],
  sock_leave_multicast_v6: [['fd', 'fd'], ['multiaddr', 'ptr'], ['iface', 'u32']],
  sock_bind: [['fd', 'fd'], ['addr', 'ptr']],
  sock_listen: [['fd', 'fd'], ['backlog', 'len']],
  sock_accept_v2: [['fd', 'fd'], ['flags', 'fdflags'], ['fd_out', 'ptr'], ['addr_out', 'ptr']],
  sock_connect: [['fd', 'fd'], ['addr', 'ptr']],
  sock_recv_from: [['fd', 'fd'], ['ri_data', 'ptr'], ['ri_data_len', 'len'], ['ri_flags', 'riflags'], ['ro_datalen_out', 'ptr'], ['ro_flags_out', 'ptr'], ['addr_out', 'ptr']],
  sock_send_to: [['fd', 'fd'], ['si_data', 'ptr'], ['si_data_len', 'len'], ['si_flags', 'siflags'], ['addr', 'ptr'], ['so_datalen_out', 'ptr']],
  sock_send_file: [['out_fd', 'fd'], ['in_fd', 'fd'], ['offset', 'filesize'], ['count', 'filesize'], ['sent_out', 'ptr']],
  resolve: [['host', 'strptr'], ['host_len', 'strlen'], ['port', 'u32'], ['addrs', 'ptr'], ['naddrs', 'len'], ['count_out', 'ptr']],
  // ---- dynamic linking and FFI ----
  dl_invalid_handle: [['handle', 'u32']],
  dlopen: [['path', 'strptr'], ['path_len', 'strlen'], ['flags', 'i32'], ['err_buf', 'ptr'], ['err_buf_len', 'len'], ['ld_library_path', 'strptr'], ['ld_library_path_len', 'strlen'], ['handle_out', 'ptr']],
  dlsym: [['handle', 'u32'], ['symbol', 'strptr'], ['symbol_len', 'strlen'], ['err_buf', 'ptr'], ['err_buf_len', 'len'], ['symbol_out', 'ptr']],
  call_dynamic: [['function_id', 'u32'], ['values', 'ptr'], ['values_len', 'len'], ['results', 'ptr'], ['results_len', 'len'], ['strict', 'bool']],
  closure_prepare: [['backing_function_id', 'u32'], ['closure_id', 'u32'], ['argument_types', 'ptr'], ['argument_types_len', 'len'], ['result_types', 'ptr'], ['result_types_len', 'len'], ['user_data', 'ptr']],
  closure_allocate: [['closure_out', 'ptr']],
  closure_free: [['closure_id', 'u32']],
  reflect_signature: [['function_id', 'u32'], ['argument_types', 'ptr'], ['argument_types_len', 'u32'], ['result_types', 'ptr'], ['result_types_len', 'u32'], ['result_out', 'ptr']],
} as const satisfies Record<string, Signature>;

/**
 * Names the first two generations of WASIX (2022 to May 2023) imported
 * from `wasix_32v1` and the current ABI removed: served so that binaries
 * of that time link. `thread_spawn` is the second generation's (the
 * current `thread_spawn_v2`); the first generation's five-argument form
 * links to the same name and is told apart by its arguments (see
 * WASIX_FIRST_GENERATION_FORMS).
 */
export const WASIX_LEGACY = {
  /** Starts a thread (second generation: as `thread_spawn_v2`). */
  thread_spawn: [['start', 'ptr'], ['tid_out', 'ptr']],
  /** Creates a thread-local key with a destructor argument. */
  thread_local_create: [['user_data', 'u64'], ['key_out', 'ptr']],
  /** Destroys a thread-local key. */
  thread_local_destroy: [['key', 'u32']],
  /** Sets the calling thread's value of a key. */
  thread_local_set: [['key', 'u32'], ['val', 'u64']],
  /** The calling thread's value of a key. */
  thread_local_get: [['key', 'u32'], ['val_out', 'ptr']],
  /** Names the export new threads start in. */
  callback_thread: [['callback', 'strptr'], ['callback_len', 'strlen']],
  /** Names the export reactors start in. */
  callback_reactor: [['callback', 'strptr'], ['callback_len', 'strlen']],
  /** Names the export that destroys thread-local values. */
  callback_thread_local_destroy: [['callback', 'strptr'], ['callback_len', 'strlen']],
  bus_open_local: [['name', 'strptr'], ['name_len', 'strlen'], ['reuse', 'bool'], ['bid_out', 'ptr']],
  bus_open_remote: [['name', 'strptr'], ['name_len', 'strlen'], ['reuse', 'bool'], ['instance', 'strptr'], ['instance_len', 'strlen'], ['token', 'strptr'], ['token_len', 'strlen'], ['bid_out', 'ptr']],
  bus_close: [['bid', 'u32']],
  bus_call: [['bid', 'u32'], ['topic_hash', 'ptr'], ['format', 'i32'], ['buf', 'ptr'], ['buf_len', 'len'], ['cid_out', 'ptr']],
  bus_subcall: [['parent', 'u64'], ['topic_hash', 'ptr'], ['format', 'i32'], ['buf', 'ptr'], ['buf_len', 'len'], ['cid_out', 'ptr']],
  bus_poll: [['timeout', 'timestamp'], ['events', 'ptr'], ['nevents', 'len'], ['count_out', 'ptr']],
  call_reply: [['cid', 'u64'], ['format', 'i32'], ['buf', 'ptr'], ['buf_len', 'len']],
  call_fault: [['cid', 'u64'], ['fault', 'i32']],
  call_close: [['cid', 'u64']],
  ws_connect: [['url', 'strptr'], ['url_len', 'strlen'], ['fd_out', 'ptr']],
  http_request: [['url', 'strptr'], ['url_len', 'strlen'], ['method', 'strptr'], ['method_len', 'strlen'], ['headers', 'strptr'], ['headers_len', 'strlen'], ['gzip', 'bool'], ['handles_out', 'ptr']],
  http_status: [['fd', 'fd'], ['status_out', 'ptr']],
} as const satisfies Record<string, Signature>;

/** The name of a WASIX extension. */
export type WasixExtensionName = keyof typeof WASIX_EXTENSIONS;

/**
 * The first generation's signatures of names a later generation kept with
 * other parameters. A binary imports them under the same name; the
 * execution layer tells the forms apart by the arguments the guest passes
 * (bigints for the i64s; two arguments, not three, for `proc_join`; four,
 * not three, for `sock_accept`) and
 * the numbering (abi/syscall-table.ts) gives each form a number of its
 * own, after every namespace.
 *
 * `thread_spawn`: a thread that starts in the module's exported
 * `_start_thread(user_data)` with its stack pointer at `stack_base`.
 */
export const WASIX_FIRST_GENERATION_FORMS = {
  thread_spawn: [['user_data', 'u64'], ['stack_base', 'u64'], ['stack_start', 'u64'], ['reactor', 'bool'], ['tid_out', 'ptr']],
  /** Waits for a child: `pid` in and out (u32; 2^32 - 1 for any child), its exit code (u32) out. */
  proc_join: [['pid', 'ptr'], ['exit_code_out', 'ptr']],
  /** Accepts a connection: its descriptor, and the peer's address (a 20-byte `addr_port_t`). */
  sock_accept: [['fd', 'fd'], ['flags', 'fdflags'], ['fd_out', 'ptr'], ['addr_out', 'ptr']],
} as const satisfies Record<string, Signature>;

/**
 * `wasix_32v1`: the preview 1 functions (as Wasmer serves them there; the
 * first-generation binaries import them all from this namespace), then
 * the extensions.
 */
export const WASIX_32V1 = { ...PREVIEW1, ...WASIX_EXTENSIONS, ...WASIX_LEGACY } as const satisfies Record<string, Signature>;

/** The name of a `wasix_32v1` function. */
export type Wasix32Name = keyof typeof WASIX_32V1;

/** The 64-bit kind of each kind wasix_64v1 widens. */
const WIDENED: Partial<Record<ParamKind, ParamKind>> = { ptr: 'ptr64', len: 'len64', strptr: 'strptr64', strlen: 'strlen64' };

/**
 * `wasix_64v1`: the same functions as `wasix_32v1` (preview 1's names
 * included: a 64-bit build imports them all from here), every pointer and
 * size an i64 (wasix-abi.md §1). The bodies are the 32-bit ones: the
 * execution layer narrows the arguments and the guest memory knows the
 * 64-bit layouts (8-byte sizes, 16-byte iovecs).
 */
export const WASIX_64V1: Readonly<Record<Wasix32Name, Signature>> = Object.fromEntries(
  Object.entries(WASIX_32V1).map(([name, sig]) => [name, sig.map(([p, kind]) => [p, WIDENED[kind] ?? kind] as const)]),
) as unknown as Record<Wasix32Name, Signature>;

/** Functions with no wasm result (they do not return, or return nothing). */
export const VOID_FUNCTIONS: ReadonlySet<string> = new Set([
  'proc_exit', 'proc_exit2', 'thread_exit', 'proc_exec', 'proc_exec2', 'stack_restore', 'callback_signal',
  'callback_thread', 'callback_reactor', 'callback_thread_local_destroy', 'call_fault', 'call_close',
]);
