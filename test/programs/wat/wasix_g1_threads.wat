;; A threaded binary of WASIX's first generation (Wasmer 3.0/3.1, 2022 to
;; early 2023): everything from wasix_32v1, the memory from env.memory, a
;; thread started by the five-argument thread_spawn(user_data, stack_base,
;; stack_start, reactor, tid_out) in the exported _start_thread, which takes
;; user_data as two i32 halves (low first), on the stack at stack_base.
;; stdout:
;;   thread_spawn (five arguments): 0
;;   _start_thread got user_data: yes
;;   its stack pointer was stack_base: yes
;;   its thread id is the one thread_spawn gave: yes
;;   thread-local values are per thread: yes
;;   the thread ran once: yes
(module
  (import "env" "memory" (memory 2 2 shared))
  (import "wasix_32v1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasix_32v1" "thread_spawn" (func $thread_spawn (param i64 i64 i64 i32 i32) (result i32)))
  (import "wasix_32v1" "thread_join" (func $thread_join (param i32) (result i32)))
  (import "wasix_32v1" "thread_id" (func $thread_id (param i32) (result i32)))
  (import "wasix_32v1" "thread_local_create" (func $tl_create (param i64 i32) (result i32)))
  (import "wasix_32v1" "thread_local_set" (func $tl_set (param i32 i64) (result i32)))
  (import "wasix_32v1" "thread_local_get" (func $tl_get (param i32 i32) (result i32)))
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 65536))
  ;; 0..15 iovec and nwritten; 16 a digit and newline
  ;; 32 key, 48 tid_out; the thread writes 64 user_data lo, 68 hi, 72 sp, 76 its tid, 80 its tls value (8 bytes), 88 run count
  ;; 96 the main thread's tls value
  (data (i32.const 256) "thread_spawn (five arguments): ")
  (data (i32.const 300) "_start_thread got user_data: ")
  (data (i32.const 340) "its stack pointer was stack_base: ")
  (data (i32.const 380) "its thread id is the one thread_spawn gave: ")
  (data (i32.const 430) "thread-local values are per thread: ")
  (data (i32.const 470) "the thread ran once: ")
  (data (i32.const 500) "yes\n")
  (data (i32.const 510) "no\n")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $answer (param $label i32) (param $len i32) (param $ok i32)
    (call $print (local.get $label) (local.get $len))
    (if (local.get $ok)
      (then (call $print (i32.const 500) (i32.const 4)))
      (else (call $print (i32.const 510) (i32.const 3)))))
  (func (export "_start_thread") (param $lo i32) (param $hi i32)
    (i32.store (i32.const 64) (local.get $lo))
    (i32.store (i32.const 68) (local.get $hi))
    (i32.store (i32.const 72) (global.get $sp))
    (drop (call $thread_id (i32.const 76)))
    (drop (call $tl_get (i32.load (i32.const 32)) (i32.const 80)))
    (drop (i32.atomic.rmw.add (i32.const 88) (i32.const 1))))
  (func (export "_start")
    (local $errno i32)
    (if (call $tl_create (i64.const 0) (i32.const 32)) (then (call $proc_exit (i32.const 10))))
    (if (call $tl_set (i32.load (i32.const 32)) (i64.const 42)) (then (call $proc_exit (i32.const 11))))
    (local.set $errno
      (call $thread_spawn (i64.const 0x9abcdef012345678) (i64.const 0x18000) (i64.const 0x14000) (i32.const 0) (i32.const 48)))
    (call $print (i32.const 256) (i32.const 31))
    (i32.store8 (i32.const 16) (i32.add (i32.const 48) (local.get $errno)))
    (i32.store8 (i32.const 17) (i32.const 10))
    (call $print (i32.const 16) (i32.const 2))
    (if (local.get $errno) (then (call $proc_exit (i32.const 1))))
    (if (call $thread_join (i32.load (i32.const 48))) (then (call $proc_exit (i32.const 12))))
    (if (call $tl_get (i32.load (i32.const 32)) (i32.const 96)) (then (call $proc_exit (i32.const 13))))
    (call $answer (i32.const 300) (i32.const 29)
      (i32.and (i32.eq (i32.load (i32.const 64)) (i32.const 0x12345678)) (i32.eq (i32.load (i32.const 68)) (i32.const 0x9abcdef0))))
    (call $answer (i32.const 340) (i32.const 34) (i32.eq (i32.load (i32.const 72)) (i32.const 0x18000)))
    (call $answer (i32.const 380) (i32.const 44)
      (i32.and (i32.eq (i32.load (i32.const 76)) (i32.load (i32.const 48))) (i32.ne (i32.load (i32.const 48)) (i32.const 0))))
    (call $answer (i32.const 430) (i32.const 36)
      (i32.and (i64.eq (i64.load (i32.const 80)) (i64.const 0)) (i64.eq (i64.load (i32.const 96)) (i64.const 42))))
    (call $answer (i32.const 470) (i32.const 21) (i32.eq (i32.atomic.load (i32.const 88)) (i32.const 1)))))
