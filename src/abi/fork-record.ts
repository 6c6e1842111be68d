/**
 * The fork record (layer: abi): the header of the buffer a guest thread's
 * stack is unwound into for WASIX `proc_fork` (exec/ports/asyncify.ts),
 * which the kernel reads to make the child (syscalls/wasix/fork.ts). It
 * lives in guest memory, at the bottom of the forking thread's stack, so
 * the child's copy of the memory carries it too.
 */

/** Byte offsets in the record. */
export const enum ForkRecord {
  /** asyncify's data pointers: where the unwound frames go, and the end of the buffer. */
  START = 0, END = 4,
  /** The forking thread's `__stack_pointer` and `__tls_base`. */
  STACK_POINTER = 8, TLS_BASE = 12,
  /** How the forking thread was entered: 0 `_start`, 1 `wasi_thread_start(TID, ARG)`. */
  ENTRY = 16, TID = 20, ARG = 24,
  /** Written by the kernel: the child's pid. */
  CHILD_PID = 28,
  /** The unwound frames start here. */
  DATA = 32,
}

/**
 * `proc_fork`'s first argument when the port unwound the stack and the
 * second argument is the record's address: this plus `copy_memory` (0 or
 * 1). A guest calling `proc_fork` itself passes 0 or 1.
 */
export const FORK_FROM_PORT = 2;
