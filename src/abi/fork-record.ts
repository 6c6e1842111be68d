/**
 * The fork record (layer: abi): the header of the buffer a guest thread's
 * stack is unwound into for WASIX `proc_fork` (exec/ports/asyncify.ts),
 * which the kernel reads to make the child (syscalls/wasix/fork.ts). It
 * lives in guest memory, at the bottom of the forking thread's stack, so
 * the child's copy of the memory carries it too.
 *
 * It starts with asyncify's data pointers, which are as wide as the
 * module's addresses: two u32 for a 32-bit module, two u64 for a
 * memory64 (`wasix_64v1`) one. The fields after them are u32 in both
 * (addresses stay below 4 GiB here), moved up by the wider pointers.
 */

/** Byte offsets in the record. */
export interface ForkRecordLayout {
  /** asyncify's data pointers: where the unwound frames go, and the end of the buffer (u32 or u64 each). */
  readonly START: number;
  readonly END: number;
  /** The forking thread's `__stack_pointer` and `__tls_base`. */
  readonly STACK_POINTER: number;
  readonly TLS_BASE: number;
  /** How the forking thread was entered: 0 `_start`, 1 `wasi_thread_start(TID, ARG)`. */
  readonly ENTRY: number;
  readonly TID: number;
  readonly ARG: number;
  /** Written by the kernel: the child's pid. */
  readonly CHILD_PID: number;
  /** The unwound frames start here (16-byte aligned). */
  readonly DATA: number;
}

const RECORD_32: ForkRecordLayout = { START: 0, END: 4, STACK_POINTER: 8, TLS_BASE: 12, ENTRY: 16, TID: 20, ARG: 24, CHILD_PID: 28, DATA: 32 };
const RECORD_64: ForkRecordLayout = { START: 0, END: 8, STACK_POINTER: 16, TLS_BASE: 20, ENTRY: 24, TID: 28, ARG: 32, CHILD_PID: 36, DATA: 48 };

/** The record's layout for a 32-bit module, or for a memory64 one (`wide`). */
export function forkRecord(wide: boolean): ForkRecordLayout {
  return wide ? RECORD_64 : RECORD_32;
}

/**
 * `proc_fork`'s first argument when the port unwound the stack and the
 * second argument is the record's address: this plus `copy_memory` (0 or
 * 1). A guest calling `proc_fork` itself passes 0 or 1.
 */
export const FORK_FROM_PORT = 2;
