;; wasi_unstable fd_filestat_get and path_filestat_get write the preview 0
;; filestat: dev u64@0, ino u64@8, filetype u8@16, nlink u32@20, size
;; u64@24, atim@32, mtim@40, ctim@48, 56 bytes (preview 1: nlink u64@24, 64
;; bytes). The buffer is filled with 0xAA first, so the line shows whether
;; the padding after filetype was cleared and the 8 bytes after the struct
;; left alone. Creates f.txt (10 bytes) and a hard link f.link in the
;; preopen at fd 3, sets atim=1000 and mtim=2000.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)

  ;; 0x0 print iovec, 0x8 print nwritten, 0x100..0x140 number buffer,
  ;; 0x200 fd, 0x210 iovec, 0x218 count, 0x400..0x440 the filestat buffer.
  (data (i32.const 0x300) "f.txt")      ;; 5
  (data (i32.const 0x310) "f.link")     ;; 6
  (data (i32.const 0x320) "0123456789") ;; 10
  (data (i32.const 0x330) ".")          ;; 1
  (data (i32.const 0x338) "missing")    ;; 7
  (data (i32.const 0x340) "\n")
  (data (i32.const 0x1000) "path_open: \00")
  (data (i32.const 0x1020) "path_link: \00")
  (data (i32.const 0x1040) "fd_filestat_set_times: \00")
  (data (i32.const 0x1060) "fd_filestat_get: \00")
  (data (i32.const 0x1080) "path_filestat_get f.link: \00")
  (data (i32.const 0x10c0) "path_filestat_get .: \00")
  (data (i32.const 0x1100) "path_filestat_get missing: \00")
  (data (i32.const 0x1140) " filetype=\00")
  (data (i32.const 0x1150) " pad=\00")
  (data (i32.const 0x1160) " nlink=\00")
  (data (i32.const 0x1170) " size=\00")
  (data (i32.const 0x1180) " atim=\00")
  (data (i32.const 0x1190) " mtim=\00")
  (data (i32.const 0x11a0) " ctim>0=\00")
  (data (i32.const 0x11b0) " tail=untouched\00")
  (data (i32.const 0x11c0) " tail=overwritten\00")
  (data (i32.const 0x11e0) "same dev and ino: \00")

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

  (func $nl (call $write (i32.const 0x340) (i32.const 1)))

  ;; Prints "label: errno"; returns the errno.
  (func $errno (param $label i32) (param $e i32) (result i32)
    (call $puts (local.get $label))
    (call $putu (i64.extend_i32_u (local.get $e)))
    (local.get $e))

  ;; 64 bytes of 0xAA at 0x400.
  (func $fill (local $i i32)
    (loop $next
      (i64.store (i32.add (i32.const 0x400) (local.get $i)) (i64.const 0xAAAAAAAAAAAAAAAA))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 64)))))

  (func $field (param $label i32) (param $v i64)
    (call $puts (local.get $label))
    (call $putu (local.get $v)))

  ;; filetype, padding after it, and the 8 bytes after the struct.
  (func $show_type
    (call $field (i32.const 0x1140) (i64.load8_u (i32.const 0x410)))
    (call $field (i32.const 0x1150) (i64.extend_i32_u (i32.or (i32.or
      (i32.load8_u (i32.const 0x411)) (i32.load8_u (i32.const 0x412))) (i32.load8_u (i32.const 0x413))))))

  (func $show_tail
    (if (i64.eq (i64.load (i32.const 0x438)) (i64.const 0xAAAAAAAAAAAAAAAA))
      (then (call $puts (i32.const 0x11b0)))
      (else (call $puts (i32.const 0x11c0))))
    (call $nl))

  (func $show_file
    (call $show_type)
    (call $field (i32.const 0x1160) (i64.load32_u (i32.const 0x414)))
    (call $field (i32.const 0x1170) (i64.load (i32.const 0x418)))
    (call $field (i32.const 0x1180) (i64.load (i32.const 0x420)))
    (call $field (i32.const 0x1190) (i64.load (i32.const 0x428)))
    (call $field (i32.const 0x11a0) (i64.extend_i32_u (i64.ne (i64.load (i32.const 0x430)) (i64.const 0))))
    (call $show_tail))

  (func (export "_start") (local $fd i32) (local $dev i64) (local $ino i64)
    ;; path_open(3, 0, "f.txt", CREAT|TRUNC, WRITE|FILESTAT_GET|FILESTAT_SET_TIMES, 0, 0)
    (if (call $errno (i32.const 0x1000) (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 5)
          (i32.const 9) (i64.const 10485824) (i64.const 0) (i32.const 0) (i32.const 0x200)))
      (then (call $nl) (call $proc_exit (i32.const 1))))
    (call $nl)
    (local.set $fd (i32.load (i32.const 0x200)))
    (i32.store (i32.const 0x210) (i32.const 0x320))
    (i32.store (i32.const 0x214) (i32.const 10))
    (drop (call $fd_write (local.get $fd) (i32.const 0x210) (i32.const 1) (i32.const 0x218)))

    (drop (call $errno (i32.const 0x1020)
      (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 5) (i32.const 3) (i32.const 0x310) (i32.const 6))))
    (call $nl)
    ;; ATIM | MTIM
    (drop (call $errno (i32.const 0x1040)
      (call $fd_filestat_set_times (local.get $fd) (i64.const 1000) (i64.const 2000) (i32.const 5))))
    (call $nl)

    (call $fill)
    (if (i32.eqz (call $errno (i32.const 0x1060) (call $fd_filestat_get (local.get $fd) (i32.const 0x400))))
      (then (call $show_file))
      (else (call $nl)))
    (local.set $dev (i64.load (i32.const 0x400)))
    (local.set $ino (i64.load (i32.const 0x408)))

    (call $fill)
    (if (i32.eqz (call $errno (i32.const 0x1080)
          (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x310) (i32.const 6) (i32.const 0x400))))
      (then (call $show_file))
      (else (call $nl)))
    (call $puts (i32.const 0x11e0))
    (call $putu (i64.extend_i32_u (i32.and
      (i64.eq (local.get $dev) (i64.load (i32.const 0x400)))
      (i64.eq (local.get $ino) (i64.load (i32.const 0x408))))))
    (call $nl)

    (call $fill)
    (if (i32.eqz (call $errno (i32.const 0x10c0)
          (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x330) (i32.const 1) (i32.const 0x400))))
      (then (call $show_type) (call $show_tail))
      (else (call $nl)))

    (drop (call $errno (i32.const 0x1100)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x338) (i32.const 7) (i32.const 0x400))))
    (call $nl)))
