;; A thread that blocks in the kernel does not stall the others: the
;; spawned thread sleeps 300 ms in poll_oneoff while the main thread makes
;; syscalls (it prints and reads the clock); then the thread prints and
;; wakes main. Expected output: "main runs\nthread woke\njoined\n".
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  ;; 0: done flag; 100: main's iovec; 200: the thread's iovec;
  ;; 400: subscription (48 bytes); 460: event (32 bytes); 500: nevents; 520: time
  (data (i32.const 32) "main runs\n")
  (data (i32.const 48) "thread woke\n")
  (data (i32.const 64) "joined\n")

  (func $print (param $iov i32) (param $ptr i32) (param $len i32)
    (i32.store (local.get $iov) (local.get $ptr))
    (i32.store offset=4 (local.get $iov) (local.get $len))
    (drop (call $fd_write (i32.const 1) (local.get $iov) (i32.const 1) (i32.add (local.get $iov) (i32.const 8)))))

  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    ;; subscription: userdata 0, tag clock (0), clock id monotonic (1), timeout 300 ms, relative
    (i64.store (i32.const 400) (i64.const 0))
    (i32.store8 (i32.const 408) (i32.const 0))
    (i32.store (i32.const 416) (i32.const 1))
    (i64.store (i32.const 424) (i64.const 300000000))
    (i64.store (i32.const 432) (i64.const 0))
    (i32.store16 (i32.const 440) (i32.const 0))
    (if (call $poll (i32.const 400) (i32.const 460) (i32.const 1) (i32.const 500)) (then unreachable))
    (call $print (i32.const 200) (i32.const 48) (i32.const 12))
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1)) (then unreachable))
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 520)))
    (call $print (i32.const 100) (i32.const 32) (i32.const 10))
    (block $done
      (loop $wait
        (br_if $done (i32.atomic.load (i32.const 0)))
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
        (br $wait)))
    (call $print (i32.const 100) (i32.const 64) (i32.const 7))))
