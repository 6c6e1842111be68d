;; WASIX threads started with thread_spawn_v2 and with the second
;; generation's thread_spawn (the same call), each entering
;; wasi_thread_start(tid, start); main waits on a futex through the kernel.
;; stdout: "thread_spawn_v2 and thread_spawn each ran a thread (tids 1, 2)\n"
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasix_32v1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn_v2 (param i32 i32) (result i32)))
  (import "wasix_32v1" "thread_spawn" (func $spawn_g2 (param i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wait" (func $futex_wait (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "futex_wake_all" (func $futex_wake_all (param i32 i32) (result i32)))
  (data (i32.const 300) "thread_spawn_v2 and thread_spawn each ran a thread (tids 1, 2)\n")
  ;; waits until the counter at 100 reaches $n (an option_timestamp "none" at 120)
  (func $wait_for (param $n i32)
    (local $seen i32)
    (loop $again
      (local.set $seen (i32.atomic.load (i32.const 100)))
      (if (i32.lt_u (local.get $seen) (local.get $n))
        (then
          (if (call $futex_wait (i32.const 100) (local.get $seen) (i32.const 120) (i32.const 108)) (then (call $proc_exit (i32.const 20))))
          (br $again)))))
  (func (export "_start")
    (i32.store8 (i32.const 120) (i32.const 0))
    (if (call $spawn_v2 (i32.const 200) (i32.const 104)) (then (call $proc_exit (i32.const 10))))
    (call $wait_for (i32.const 1))
    (if (call $spawn_g2 (i32.const 200) (i32.const 112)) (then (call $proc_exit (i32.const 11))))
    (call $wait_for (i32.const 2))
    (if (i32.ne (i32.load (i32.const 104)) (i32.const 1)) (then (call $proc_exit (i32.const 12))))
    (if (i32.ne (i32.load (i32.const 112)) (i32.const 2)) (then (call $proc_exit (i32.const 13))))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.const 63))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "wasi_thread_start") (param $tid i32) (param $start i32)
    (drop (i32.atomic.rmw.add (i32.const 100) (i32.const 1)))
    (drop (call $futex_wake_all (i32.const 100) (i32.const 116)))))
