;; wasix_64v1 threads: thread_spawn_v2 with a 64-bit start pointer, the
;; thread entering wasi_thread_start(tid: i32, start: i64), thread_id,
;; thread_exit (which does not return) and thread_join.
;; stdout:
;;   thread: started
;;   thread_spawn_v2 and thread_join: SUCCESS
;;   the thread got its tid and its start argument: yes
(module
  (import "wasix_64v1" "thread_spawn_v2" (func $thread_spawn (param i64 i64) (result i32)))
  (import "wasix_64v1" "thread_join" (func $thread_join (param i32) (result i32)))
  (import "wasix_64v1" "thread_id" (func $thread_id (param i64) (result i32)))
  (import "wasix_64v1" "thread_exit" (func $thread_exit (param i32)))
  (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory i64 1 16 shared))
  (data (i64.const 512) "thread: started\n")
  (data (i64.const 528) "after thread_exit\n")
  (data (i64.const 560) "thread_spawn_v2 and thread_join: SUCCESS\n")
  (data (i64.const 608) "the thread got its tid and its start argument: yes\n")
  ;; Writes `len` bytes at `ptr` to stdout through the 16-byte iovec at `iov` (nwritten at iov + 16).
  (func $print (param $iov i64) (param $ptr i64) (param $len i64)
    (i64.store (local.get $iov) (local.get $ptr))
    (i64.store (i64.add (local.get $iov) (i64.const 8)) (local.get $len))
    (drop (call $fd_write (i32.const 1) (local.get $iov) (i64.const 1) (i64.add (local.get $iov) (i64.const 16)))))
  ;; The start argument points at 4096: the thread stores its tid at +0 and thread_id's at +8.
  (func (export "wasi_thread_start") (param $tid i32) (param $start i64)
    (i32.store (local.get $start) (local.get $tid))
    (drop (call $thread_id (i64.add (local.get $start) (i64.const 8))))
    (call $print (i64.const 2048) (i64.const 512) (i64.const 16))
    (call $thread_exit (i32.const 0))
    (call $print (i64.const 2048) (i64.const 528) (i64.const 18)))
  (func (export "_start")
    (local $tid i32)
    (i32.store (i64.const 4096) (i32.const -1))
    (i32.store (i64.const 4104) (i32.const -2))
    (if (call $thread_spawn (i64.const 4096) (i64.const 16)) (then (call $proc_exit (i32.const 20))))
    (local.set $tid (i32.load (i64.const 16)))
    (if (call $thread_join (local.get $tid)) (then (call $proc_exit (i32.const 21))))
    (call $print (i64.const 64) (i64.const 560) (i64.const 41))
    (if (i32.and (i32.eq (i32.load (i64.const 4096)) (local.get $tid)) (i32.eq (i32.load (i64.const 4104)) (local.get $tid)))
      (then (call $print (i64.const 64) (i64.const 608) (i64.const 51)))
      (else (call $proc_exit (i32.const 22))))))
