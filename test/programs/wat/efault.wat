;; Passes out-of-bounds pointers and lengths to WASI calls and prints the
;; errno each returns, one line per call ("label: N"). None of them may trap;
;; the expected answer is EFAULT (21). Needs: stdin "abc", at least one --env,
;; a preopen at fd 3. Memory is exactly one page (64 KiB).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Layout: 0x0 print iovec, 0x8 print nwritten, 0x10 test iovec,
  ;; 0x100 number buffer, 0x200 argv scratch, 0x1000.. labels.
  (data (i32.const 0x1000) "fd_write iovs out of bounds")             ;; 27
  (data (i32.const 0x1040) "fd_write iovs straddle the end")          ;; 30
  (data (i32.const 0x1080) "fd_write buf out of bounds")              ;; 26
  (data (i32.const 0x10c0) "fd_write buf straddles the end")          ;; 30
  (data (i32.const 0x1100) "fd_write buf ptr+len wraps around")       ;; 33
  (data (i32.const 0x1140) "fd_write iovs_len past the end")          ;; 30
  (data (i32.const 0x1180) "fd_write nwritten out of bounds")         ;; 31
  (data (i32.const 0x11c0) "fd_read iovs out of bounds")              ;; 26
  (data (i32.const 0x1200) "fd_read buf out of bounds")               ;; 25
  (data (i32.const 0x1240) "args_sizes_get out of bounds")            ;; 28
  (data (i32.const 0x1280) "args_get argv out of bounds")             ;; 27
  (data (i32.const 0x12c0) "args_get buf straddles the end")          ;; 30
  (data (i32.const 0x1300) "environ_get out of bounds")               ;; 25
  (data (i32.const 0x1340) "path_open path out of bounds")            ;; 28
  (data (i32.const 0x1380) "path_open path straddles the end")        ;; 32
  (data (i32.const 0x13c0) "path_open fd out of bounds")              ;; 26
  (data (i32.const 0x1400) "clock_time_get out of bounds")            ;; 28
  (data (i32.const 0x1440) "random_get out of bounds")                ;; 24
  (data (i32.const 0x1480) "fd_prestat_dir_name out of bounds")       ;; 33
  (data (i32.const 0x14c0) "still running\n")                         ;; 14
  (data (i32.const 0x1500) ".")
  (data (i32.const 0x1510) ": ")

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Prints "label: N\n".
  (func $report (param $label i32) (param $len i32) (param $n i32)
    (local $p i32)
    (call $print (local.get $label) (local.get $len))
    (call $print (i32.const 0x1510) (i32.const 2))
    ;; digits are written backwards ending at 0x10f, newline at 0x10f
    (i32.store8 (i32.const 0x10f) (i32.const 10))
    (local.set $p (i32.const 0x10f))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $print (local.get $p) (i32.sub (i32.const 0x110) (local.get $p))))

  (func $set_iov (param $buf i32) (param $len i32)
    (i32.store (i32.const 0x10) (local.get $buf))
    (i32.store (i32.const 0x14) (local.get $len)))

  (func (export "_start")
    (call $report (i32.const 0x1000) (i32.const 27)
      (call $fd_write (i32.const 1) (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)))
    (call $report (i32.const 0x1040) (i32.const 30)
      (call $fd_write (i32.const 1) (i32.const 0xfffc) (i32.const 1) (i32.const 8)))
    (call $set_iov (i32.const 0x20000) (i32.const 4))
    (call $report (i32.const 0x1080) (i32.const 26)
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 8)))
    (call $set_iov (i32.const 0xfff0) (i32.const 0x20))
    (call $report (i32.const 0x10c0) (i32.const 30)
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 8)))
    (call $set_iov (i32.const 0xffffffff) (i32.const 2))
    (call $report (i32.const 0x1100) (i32.const 33)
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 8)))
    (call $set_iov (i32.const 0x1000) (i32.const 0))
    ;; 0x2000 iovecs of 8 bytes from 0x10 run past the end of memory.
    (call $report (i32.const 0x1140) (i32.const 30)
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 0x2000) (i32.const 8)))
    (call $report (i32.const 0x1180) (i32.const 31)
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 0x10000)))
    (call $report (i32.const 0x11c0) (i32.const 26)
      (call $fd_read (i32.const 0) (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)))
    (call $set_iov (i32.const 0x20000) (i32.const 4))
    (call $report (i32.const 0x1200) (i32.const 25)
      (call $fd_read (i32.const 0) (i32.const 0x10) (i32.const 1) (i32.const 8)))
    (call $report (i32.const 0x1240) (i32.const 28)
      (call $args_sizes_get (i32.const 0x10000) (i32.const 8)))
    (call $report (i32.const 0x1280) (i32.const 27)
      (call $args_get (i32.const 0xfffffff0) (i32.const 0x200)))
    (call $report (i32.const 0x12c0) (i32.const 30)
      (call $args_get (i32.const 0x200) (i32.const 0xffff)))
    (call $report (i32.const 0x1300) (i32.const 25)
      (call $environ_get (i32.const 0x10000) (i32.const 0x10000)))
    (call $report (i32.const 0x1340) (i32.const 28)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xffff0) (i32.const 4)
        (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)))
    (call $report (i32.const 0x1380) (i32.const 32)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xfffe) (i32.const 8)
        (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8)))
    (call $report (i32.const 0x13c0) (i32.const 26)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x1500) (i32.const 1)
        (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0x10000)))
    (call $report (i32.const 0x1400) (i32.const 28)
      (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0x10000)))
    (call $report (i32.const 0x1440) (i32.const 24)
      (call $random_get (i32.const 0xfff0) (i32.const 0x100)))
    (call $report (i32.const 0x1480) (i32.const 33)
      (call $fd_prestat_dir_name (i32.const 3) (i32.const 0xffff) (i32.const 8)))
    (call $print (i32.const 0x14c0) (i32.const 14))))
