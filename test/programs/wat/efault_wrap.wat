;; iovec counts whose byte size (count * 8) wraps around 2^32 to a small
;; number: must be EFAULT (21), not a read of a few iovecs, and no trap.
;; Prints "label: N" per call.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x1000) "fd_write iovs_len 0x20000000 (size wraps to 0)")   ;; 46
  (data (i32.const 0x1040) "fd_write iovs_len 0x20000001 (size wraps to 8)")   ;; 46
  (data (i32.const 0x1080) "fd_read iovs_len 0x20000001 (size wraps to 8)")    ;; 45
  (data (i32.const 0x10c0) "still running\n")                                  ;; 14
  (data (i32.const 0x1100) ": ")
  (data (i32.const 0x1200) "x")

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $report (param $label i32) (param $len i32) (param $n i32)
    (local $p i32)
    (call $print (local.get $label) (local.get $len))
    (call $print (i32.const 0x1100) (i32.const 2))
    (i32.store8 (i32.const 0x10f) (i32.const 10))
    (local.set $p (i32.const 0x10f))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $print (local.get $p) (i32.sub (i32.const 0x110) (local.get $p))))

  (func (export "_start")
    ;; a valid first iovec at 0x20: { buf = 0x1200, len = 1 }
    (i32.store (i32.const 0x20) (i32.const 0x1200))
    (i32.store (i32.const 0x24) (i32.const 1))
    (call $report (i32.const 0x1000) (i32.const 46)
      (call $fd_write (i32.const 1) (i32.const 0x20) (i32.const 0x20000000) (i32.const 8)))
    (call $report (i32.const 0x1040) (i32.const 46)
      (call $fd_write (i32.const 1) (i32.const 0x20) (i32.const 0x20000001) (i32.const 8)))
    (call $report (i32.const 0x1080) (i32.const 45)
      (call $fd_read (i32.const 0) (i32.const 0x20) (i32.const 0x20000001) (i32.const 8)))
    (call $print (i32.const 0x10c0) (i32.const 14))))
