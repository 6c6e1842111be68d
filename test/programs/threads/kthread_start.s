# wasi_thread_start for Kiln's threaded test programs (see kthread.h).
#
# The wasi-threads entry point: `thread-spawn(arg)` makes the host start a new
# instance of the module on the shared memory and call
# `wasi_thread_start(tid, arg)` in it. Everything per-instance still holds the
# values of a fresh instance: `__stack_pointer` points at the top of the main
# thread's stack and `__tls_base` is 0 (only the first instance's start
# function points it at the static TLS block). Before any C code may run, this
# sets the thread's own stack and TLS from `arg` (a `kthread_t`):
#
#   offset  0  stack_top   highest address of the thread's stack (16-aligned)
#   offset  4  tls_block   __builtin_wasm_tls_size() bytes for its TLS
#   offset  8  done        0 while running, 1 once the thread has finished
#
# then calls kthread_entry(tid, arg). After it returns, the thread no longer
# touches its stack: `done` is set and notified here, so the joiner may reuse
# the stack and TLS block at once.

	.text

	.globaltype	__stack_pointer, i32
	.functype	__wasm_init_tls (i32) -> ()
	.functype	kthread_entry (i32, i32) -> ()

	.export_name	wasi_thread_start, wasi_thread_start
	.globl	wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	1
	i32.load	4
	call	__wasm_init_tls
	local.get	0
	local.get	1
	call	kthread_entry
	local.get	1
	i32.const	1
	i32.atomic.store	8
	local.get	1
	i32.const	8
	i32.add
	i32.const	-1
	memory.atomic.notify	0
	drop
	end_function
