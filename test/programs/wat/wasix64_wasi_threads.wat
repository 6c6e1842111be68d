;; wasi-threads on a memory64 module: `wasi` `thread-spawn` takes the start
;; argument as an i64 and the thread enters wasi_thread_start(tid: i32, start: i64);
;; main waits on a futex until the thread stored its tid.
;; stdout: "wasi thread-spawn (i64 start argument): the thread ran\n"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i64) (result i32)))
  (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasix_64v1" "futex_wait" (func $futex_wait (param i64 i32 i64 i64) (result i32)))
  (import "wasix_64v1" "futex_wake_all" (func $futex_wake_all (param i64 i64) (result i32)))
  (import "env" "memory" (memory i64 1 16 shared))
  (data (i64.const 512) "wasi thread-spawn (i64 start argument): the thread ran\n")
  (func (export "wasi_thread_start") (param $tid i32) (param $start i64)
    (i32.atomic.store (local.get $start) (local.get $tid))
    (drop (call $futex_wake_all (local.get $start) (i64.const 64))))
  (func (export "_start")
    (local $tid i32)
    (i64.store8 (i64.const 72) (i64.const 0))
    (local.set $tid (call $spawn (i64.const 4096)))
    (if (i32.lt_s (local.get $tid) (i32.const 1)) (then (call $proc_exit (i32.sub (i32.const 100) (local.get $tid)))))
    (block $done (loop $again
      (br_if $done (i32.eq (i32.atomic.load (i64.const 4096)) (local.get $tid)))
      (drop (call $futex_wait (i64.const 4096) (i32.const 0) (i64.const 72) (i64.const 80)))
      (br $again)))
    (i64.store (i64.const 0) (i64.const 512))
    (i64.store (i64.const 8) (i64.const 55))
    (drop (call $fd_write (i32.const 1) (i64.const 0) (i64.const 1) (i64.const 16)))))
