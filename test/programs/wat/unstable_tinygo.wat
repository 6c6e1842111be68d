;; Shaped like an old TinyGo `-target wasi` command: every import comes from
;; `wasi_unstable`; `_start` initialises the runtime (argument sizes, the
;; clock), runs main (one line to stdout) and ends with proc_exit(0), as
;; TinyGo's runtime does. A failing runtime call exits 1.
(module
  (import "wasi_unstable" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 1024) "Hello from a TinyGo-style guest!\n")  ;; 33 bytes

  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (i32.const 1)))))

  (func $runtime_init
    ;; argc at 0, argv buffer size at 4; argv pointers from 64, strings from 4096
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $args_get (i32.const 64) (i32.const 4096)))
    ;; monotonic clock (runtime start time) at 8
    (call $check (call $clock_time_get (i32.const 1) (i64.const 1000) (i32.const 8))))

  (func $main
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 33))
    (call $check (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))

  (func (export "_start")
    (call $runtime_init)
    (call $main)
    (call $proc_exit (i32.const 0))))
