;; Writes to stderr between other syscalls, for `kiln run --trace` with
;; stderr a pipe: each write must come out before the trace line of the
;; call that wrote it, and before the lines of the calls after it, although
;; small writes to a pipe are gathered (kernel/write-buffer.ts). Two writes
;; in a row ("thr", "ee\n") have no other syscall between them; proc_exit(3)
;; ends the run.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "one\n")
  (data (i32.const 24) "two\n")
  (data (i32.const 32) "thr")
  (data (i32.const 40) "ee\n")
  ;; Writes `len` bytes at `at` to stderr (iovec at 0, count at 8).
  (func $err (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $err (i32.const 16) (i32.const 4))
    (drop (call $random_get (i32.const 100) (i32.const 4)))
    (call $err (i32.const 24) (i32.const 4))
    (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 200)))
    (call $err (i32.const 32) (i32.const 3))
    (call $err (i32.const 40) (i32.const 3))
    (call $proc_exit (i32.const 3))))
