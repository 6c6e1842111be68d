;; Out-of-bounds pointers to the wasi_unstable functions that Kiln
;; translates (filestat, fdstat, fd_seek, poll_oneoff) and to one that
;; passes through (fd_write): each prints "label: errno"; none may trap.
;; The struct sizes are preview 0's, checked at the exact end of memory: a
;; 56-byte filestat or subscription ending at 64 KiB fits (0), one byte
;; later it does not (EFAULT, 21). Needs a preopen at fd 3. Memory is
;; exactly one page (64 KiB).
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; 0x0 print iovec, 0x8 print nwritten, 0x100..0x140 number buffer,
  ;; 0x330 ".", 0x7f0 nevents, 0x800 events, 0x900 a valid subscription.
  (data (i32.const 0x330) ".")
  (data (i32.const 0x340) "\n")
  (data (i32.const 0x1000) "fd_filestat_get 56 bytes at the end: \00")
  (data (i32.const 0x1040) "fd_filestat_get one byte later: \00")
  (data (i32.const 0x1080) "fd_filestat_get out of bounds: \00")
  (data (i32.const 0x10c0) "path_filestat_get 56 bytes at the end: \00")
  (data (i32.const 0x1100) "path_filestat_get one byte later: \00")
  (data (i32.const 0x1140) "path_filestat_get path out of bounds: \00")
  (data (i32.const 0x1180) "fd_seek newoffset straddles the end: \00")
  (data (i32.const 0x11c0) "fd_fdstat_get straddles the end: \00")
  (data (i32.const 0x1200) "poll_oneoff 56 bytes at the end: \00")
  (data (i32.const 0x1240) "poll_oneoff subscription straddles the end: \00")
  (data (i32.const 0x1280) "poll_oneoff two subscriptions past the end: \00")
  (data (i32.const 0x12c0) "poll_oneoff events out of bounds: \00")
  (data (i32.const 0x1300) "poll_oneoff nevents out of bounds: \00")
  (data (i32.const 0x1340) "fd_write iovs out of bounds: \00")
  (data (i32.const 0x1380) "still running\n\00")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $puts (param $p i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (call $write (local.get $p) (local.get $n)))

  (func $putu (param $n i64) (local $p i32)
    (local.set $p (i32.const 0x140))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (call $write (local.get $p) (i32.sub (i32.const 0x140) (local.get $p))))

  (func $report (param $label i32) (param $errno i32)
    (call $puts (local.get $label))
    (call $putu (i64.extend_i32_u (local.get $errno)))
    (call $write (i32.const 0x340) (i32.const 1)))

  ;; A relative MONOTONIC clock subscription with timeout 0 at $at (56 bytes).
  (func $sub_now (param $at i32)
    (i64.store (local.get $at) (i64.const 5))
    (i64.store offset=8 (local.get $at) (i64.const 0))
    (i64.store offset=16 (local.get $at) (i64.const 0))
    (i64.store offset=24 (local.get $at) (i64.const 1))
    (i64.store offset=32 (local.get $at) (i64.const 0))
    (i64.store offset=40 (local.get $at) (i64.const 0))
    (i64.store offset=48 (local.get $at) (i64.const 0)))

  (func (export "_start")
    (call $report (i32.const 0x1000) (call $fd_filestat_get (i32.const 3) (i32.const 0xffc8)))
    (call $report (i32.const 0x1040) (call $fd_filestat_get (i32.const 3) (i32.const 0xffc9)))
    (call $report (i32.const 0x1080) (call $fd_filestat_get (i32.const 3) (i32.const 0xfffffff0)))
    (call $report (i32.const 0x10c0)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x330) (i32.const 1) (i32.const 0xffc8)))
    (call $report (i32.const 0x1100)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x330) (i32.const 1) (i32.const 0xffc9)))
    (call $report (i32.const 0x1140)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0xfffff000) (i32.const 4) (i32.const 0x400)))
    ;; whence CUR (0): a tell on stdout, which checks the output first
    (call $report (i32.const 0x1180) (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 0xfffc)))
    (call $report (i32.const 0x11c0) (call $fd_fdstat_get (i32.const 1) (i32.const 0xfff0)))

    (call $sub_now (i32.const 0xffc8))
    (call $report (i32.const 0x1200) (call $poll_oneoff (i32.const 0xffc8) (i32.const 0x800) (i32.const 1) (i32.const 0x7f0)))
    ;; 50 bytes before the end: a 48-byte preview 1 subscription would fit
    (call $report (i32.const 0x1240) (call $poll_oneoff (i32.const 0xffce) (i32.const 0x800) (i32.const 1) (i32.const 0x7f0)))
    (call $report (i32.const 0x1280) (call $poll_oneoff (i32.const 0xffc8) (i32.const 0x800) (i32.const 2) (i32.const 0x7f0)))
    (call $sub_now (i32.const 0x900))
    (call $report (i32.const 0x12c0) (call $poll_oneoff (i32.const 0x900) (i32.const 0xfff0) (i32.const 1) (i32.const 0x7f0)))
    (call $report (i32.const 0x1300) (call $poll_oneoff (i32.const 0x900) (i32.const 0x800) (i32.const 1) (i32.const 0xfffe)))
    (call $report (i32.const 0x1340) (call $fd_write (i32.const 1) (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)))
    (call $puts (i32.const 0x1380))))
