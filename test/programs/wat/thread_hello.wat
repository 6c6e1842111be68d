;; The smallest wasi-threads program: the main thread spawns one thread
;; that prints a line and wakes it through a futex; then main prints
;; "joined tid=1". Each thread uses its own iovec, so nothing races.
;; Active data segments are applied again by every thread's instance, so
;; what the program changes lives outside them (as LLVM arranges with
;; passive segments for shared memories).
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;; 0: done flag; 100..: main's iovec; 200..: the thread's iovec
  (data (i32.const 32) "hello from thread\n")
  (data (i32.const 64) "joined tid=")

  (func $print (param $iov i32) (param $ptr i32) (param $len i32)
    (i32.store (local.get $iov) (local.get $ptr))
    (i32.store offset=4 (local.get $iov) (local.get $len))
    (drop (call $fd_write (i32.const 1) (local.get $iov) (i32.const 1) (i32.add (local.get $iov) (i32.const 8)))))

  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $print (i32.const 200) (i32.const 32) (i32.const 18))
    (i32.atomic.store (i32.const 0) (local.get $arg))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func (export "_start")
    (local $tid i32)
    (local.set $tid (call $spawn (i32.const 7)))
    (if (i32.lt_s (local.get $tid) (i32.const 1)) (then unreachable))
    (block $done
      (loop $wait
        (br_if $done (i32.eq (i32.atomic.load (i32.const 0)) (i32.const 7)))
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
        (br $wait)))
    (call $print (i32.const 100) (i32.const 64) (i32.const 11))
    ;; the thread id as one digit and a newline, built at 300
    (i32.store8 (i32.const 300) (i32.add (i32.const 48) (local.get $tid)))
    (i32.store8 (i32.const 301) (i32.const 10))
    (call $print (i32.const 100) (i32.const 300) (i32.const 2))))
