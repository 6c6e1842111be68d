;; wasi_unstable fd_seek with each preview 0 whence (CUR=0, END=1, SET=2;
;; preview 1 numbers them SET=0, CUR=1, END=2). Creates data.txt
;; ("0123456789") in the preopen at fd 3, seeks, and prints one line per
;; call: "label: errno offset" (the offset only on success). Then reads one
;; byte and asks fd_tell, to show where the offset really is.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)

  ;; 0x0 print iovec, 0x8 print nwritten, 0x100..0x140 number buffer,
  ;; 0x200 fd, 0x208 offset out (u64), 0x210 iovec, 0x218 count, 0x220 byte read.
  (data (i32.const 0x300) "data.txt")
  (data (i32.const 0x320) "0123456789")
  (data (i32.const 0x340) "\n")
  (data (i32.const 0x344) " ")
  (data (i32.const 0x1000) "path_open: \00")
  (data (i32.const 0x1020) "SET 3: \00")
  (data (i32.const 0x1040) "CUR 2: \00")
  (data (i32.const 0x1060) "END -4: \00")
  (data (i32.const 0x1080) "CUR 0: \00")
  (data (i32.const 0x10a0) "read: \00")
  (data (i32.const 0x10c0) "tell: \00")
  (data (i32.const 0x10e0) "END 0: \00")
  (data (i32.const 0x1100) "whence 3: \00")
  (data (i32.const 0x1120) "SET -1: \00")
  (data (i32.const 0x1140) "stdout CUR 0: \00")

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

  ;; Unsigned decimal, digits written backwards ending at 0x140.
  (func $putu (param $n i64) (local $p i32)
    (local.set $p (i32.const 0x140))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (call $write (local.get $p) (i32.sub (i32.const 0x140) (local.get $p))))

  ;; "label: errno" and, on success, " offset"; then a newline.
  (func $report (param $label i32) (param $errno i32) (param $value i64)
    (call $puts (local.get $label))
    (call $putu (i64.extend_i32_u (local.get $errno)))
    (if (i32.eqz (local.get $errno))
      (then
        (call $write (i32.const 0x344) (i32.const 1))
        (call $putu (local.get $value))))
    (call $write (i32.const 0x340) (i32.const 1)))

  (func $seek (param $label i32) (param $fd i32) (param $offset i64) (param $whence i32)
    (i64.store (i32.const 0x208) (i64.const 0xdead))
    (call $report (local.get $label)
      (call $fd_seek (local.get $fd) (local.get $offset) (local.get $whence) (i32.const 0x208))
      (i64.load (i32.const 0x208))))

  (func (export "_start") (local $fd i32) (local $e i32)
    ;; path_open(3, 0, "data.txt", CREAT|TRUNC, READ|SEEK|TELL|WRITE, 0, 0)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 8)
      (i32.const 9) (i64.const 102) (i64.const 0) (i32.const 0) (i32.const 0x200)))
    (if (local.get $e)
      (then
        (call $report (i32.const 0x1000) (local.get $e) (i64.const 0))
        (call $proc_exit (i32.const 1))))
    (local.set $fd (i32.load (i32.const 0x200)))
    (i32.store (i32.const 0x210) (i32.const 0x320))
    (i32.store (i32.const 0x214) (i32.const 10))
    (drop (call $fd_write (local.get $fd) (i32.const 0x210) (i32.const 1) (i32.const 0x218)))

    (call $seek (i32.const 0x1020) (local.get $fd) (i64.const 3) (i32.const 2))   ;; SET 3 -> 3
    (call $seek (i32.const 0x1040) (local.get $fd) (i64.const 2) (i32.const 0))   ;; CUR 2 -> 5
    (call $seek (i32.const 0x1060) (local.get $fd) (i64.const -4) (i32.const 1))  ;; END -4 -> 6
    (call $seek (i32.const 0x1080) (local.get $fd) (i64.const 0) (i32.const 0))   ;; CUR 0 -> 6

    ;; read one byte: '6'
    (i32.store (i32.const 0x210) (i32.const 0x220))
    (i32.store (i32.const 0x214) (i32.const 1))
    (local.set $e (call $fd_read (local.get $fd) (i32.const 0x210) (i32.const 1) (i32.const 0x218)))
    (call $puts (i32.const 0x10a0))
    (if (i32.and (i32.eqz (local.get $e)) (i32.eq (i32.load (i32.const 0x218)) (i32.const 1)))
      (then (call $write (i32.const 0x220) (i32.const 1)))
      (else (call $putu (i64.extend_i32_u (local.get $e)))))
    (call $write (i32.const 0x340) (i32.const 1))

    ;; fd_tell: 7
    (i64.store (i32.const 0x208) (i64.const 0xdead))
    (call $report (i32.const 0x10c0) (call $fd_tell (local.get $fd) (i32.const 0x208)) (i64.load (i32.const 0x208)))

    (call $seek (i32.const 0x10e0) (local.get $fd) (i64.const 0) (i32.const 1))   ;; END 0 -> 10
    (call $seek (i32.const 0x1100) (local.get $fd) (i64.const 0) (i32.const 3))   ;; EINVAL (28)
    (call $seek (i32.const 0x1120) (local.get $fd) (i64.const -1) (i32.const 2))  ;; negative: EINVAL
    (call $seek (i32.const 0x1140) (i32.const 1) (i64.const 0) (i32.const 0))))   ;; stream: ESPIPE (70)
