;; wasix_64v1 fork and setjmp/longjmp (memory64; asyncified by the test
;; setup with a binaryen that supports memory64): stack_checkpoint returns
;; 0, stack_restore(5) comes back out of it with 5 and the locals of the
;; frame it unwound; proc_fork gives the child 0 and the parent the child's
;; pid, the child's memory is a copy (its store is not seen by the parent),
;; a local survives the unwind in both, and proc_join reports the child's
;; exit code. A result pointer past memory is EFAULT.
;; stdout:
;;   checkpoint: 0
;;   restored: 5, local kept
;;   child: fork returned 0, local kept
;;   parent: child exited 3, memory copied not shared
(module
  (import "wasix_64v1" "stack_checkpoint" (func $checkpoint (param i64 i64) (result i32)))
  (import "wasix_64v1" "stack_restore" (func $restore (param i64 i64)))
  (import "wasix_64v1" "proc_fork" (func $fork (param i32 i64) (result i32)))
  (import "wasix_64v1" "proc_join" (func $join (param i64 i32 i64) (result i32)))
  (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory i64 2 16 shared))
  (global $sp (export "__stack_pointer") (mut i64) (i64.const 131072))
  (global (export "__data_end") i64 (i64.const 8192))
  (data (i64.const 512) "checkpoint: 0\n")
  (data (i64.const 544) "restored: 5, local kept\n")
  (data (i64.const 576) "child: fork returned 0, local kept\n")
  (data (i64.const 640) "parent: child exited 3, memory copied not shared\n")
  ;; Writes `len` bytes at `ptr` to stdout (iovec at 64, nwritten at 80).
  (func $print (param $ptr i64) (param $len i64)
    (i64.store (i64.const 64) (local.get $ptr))
    (i64.store (i64.const 72) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i64.const 64) (i64.const 1) (i64.const 80))))
  ;; setjmp at 1024 (24 bytes), its value at 1056; longjmp with 5.
  (func $jump (param $local i32)
    (local $val i64)
    (if (call $checkpoint (i64.const 1024) (i64.const 1056)) (then (call $proc_exit (i32.const 10))))
    (local.set $val (i64.load (i64.const 1056)))
    (if (i64.eqz (local.get $val))
      (then
        (call $print (i64.const 512) (i64.const 14))
        (call $restore (i64.const 1024) (i64.const 5))
        (call $proc_exit (i32.const 11))))
    (if (i32.and (i64.eq (local.get $val) (i64.const 5)) (i32.eq (local.get $local) (i32.const 41)))
      (then (call $print (i64.const 544) (i64.const 24)))
      (else (call $proc_exit (i32.const 12)))))
  ;; fork: the pid at 1100; the cell at 1200 holds 7, the child stores 99.
  (func $forked (param $local i32)
    (local $pid i32)
    (i32.store (i64.const 1200) (i32.const 7))
    (if (call $fork (i32.const 1) (i64.const 1100)) (then (call $proc_exit (i32.const 20))))
    (local.set $pid (i32.load (i64.const 1100)))
    (if (i32.eqz (local.get $pid))
      (then
        (i32.store (i64.const 1200) (i32.const 99))
        (if (i32.ne (local.get $local) (i32.const 41)) (then (call $proc_exit (i32.const 21))))
        (call $print (i64.const 576) (i64.const 35))
        (call $proc_exit (i32.const 3))))
    ;; option_pid {tag 1, pid} at 1300; join_status {tag u8, exit_code u16 @2} at 1400
    (i32.store8 (i64.const 1300) (i32.const 1))
    (i32.store (i64.const 1304) (local.get $pid))
    (if (call $join (i64.const 1300) (i32.const 0) (i64.const 1400)) (then (call $proc_exit (i32.const 22))))
    (if (i32.ne (i32.load8_u (i64.const 1400)) (i32.const 1)) (then (call $proc_exit (i32.const 23))))
    (if (i32.ne (i32.load16_u (i64.const 1402)) (i32.const 3)) (then (call $proc_exit (i32.const 24))))
    (if (i32.ne (i32.load (i64.const 1200)) (i32.const 7)) (then (call $proc_exit (i32.const 25))))
    (if (i32.ne (local.get $local) (i32.const 41)) (then (call $proc_exit (i32.const 26))))
    (call $print (i64.const 640) (i64.const 49)))
  (func (export "_start")
    ;; Pointers past memory (and past 4 GiB) are EFAULT (21), before anything unwinds.
    (if (i32.ne (call $fork (i32.const 1) (i64.const 0x100000000)) (i32.const 21)) (then (call $proc_exit (i32.const 30))))
    (if (i32.ne (call $checkpoint (i64.const 1024) (i64.const 0x20000)) (i32.const 21)) (then (call $proc_exit (i32.const 31))))
    (call $jump (i32.const 41))
    (call $forked (i32.const 41))))
