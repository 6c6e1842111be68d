;; The arguments and environment in a threaded process, where the guest's
;; thread answers args_* and environ_* itself: the sizes and strings, and
;; EFAULT (21) for each pointer out of the memory (the kernel's answer).
;; Run with the arguments "thread_args one" and at least one variable.
;; stdout:
;;   argc 2
;;   args_sizes_get count out of bounds: 21
;;   args_get argv out of bounds: 21
;;   args_get buf straddles the end: 21
;;   environ_sizes_get size out of bounds: 21
;;   environ_get buf out of bounds: 21
;;   argv[1] one
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  ;; 0x0 iovec, 0x8 nwritten, 0x10 count, 0x14 size, 0x40 number,
  ;; 0x100 argv pointers, 0x200 argv strings, 0x1000.. labels.
  (data (i32.const 0x1000) "argc ")                                   ;; 5
  (data (i32.const 0x1010) "args_sizes_get count out of bounds: ")   ;; 36
  (data (i32.const 0x1040) "args_get argv out of bounds: ")          ;; 29
  (data (i32.const 0x1070) "args_get buf straddles the end: ")       ;; 32
  (data (i32.const 0x10a0) "environ_sizes_get size out of bounds: ") ;; 38
  (data (i32.const 0x10d0) "environ_get buf out of bounds: ")        ;; 31
  (data (i32.const 0x1100) "argv[1] ")                                ;; 8

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; A label, then `n` (0..99) in decimal and a newline.
  (func $line (param $label i32) (param $len i32) (param $n i32)
    (local $at i32)
    (call $print (local.get $label) (local.get $len))
    (local.set $at (i32.const 0x40))
    (if (i32.ge_u (local.get $n) (i32.const 10))
      (then
        (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $n) (i32.const 10))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))))
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.const 10))
    (call $print (i32.const 0x40) (i32.sub (i32.add (local.get $at) (i32.const 2)) (i32.const 0x40))))

  (func (export "_start")
    (if (call $args_sizes_get (i32.const 0x10) (i32.const 0x14)) (then unreachable))
    (call $line (i32.const 0x1000) (i32.const 5) (i32.load (i32.const 0x10)))
    (call $line (i32.const 0x1010) (i32.const 36) (call $args_sizes_get (i32.const 0xfffffff0) (i32.const 0x14)))
    (call $line (i32.const 0x1040) (i32.const 29) (call $args_get (i32.const 0xfffffff0) (i32.const 0x200)))
    (call $line (i32.const 0x1070) (i32.const 32) (call $args_get (i32.const 0x100) (i32.const 0xfffe)))
    (call $line (i32.const 0x10a0) (i32.const 38) (call $environ_sizes_get (i32.const 0x10) (i32.const 0xfffe)))
    (call $line (i32.const 0x10d0) (i32.const 31) (call $environ_get (i32.const 0x100) (i32.const 0x10000)))
    ;; argv[1]: its pointer at 0x104; "one" without its NUL
    (if (call $args_get (i32.const 0x100) (i32.const 0x200)) (then unreachable))
    (call $print (i32.const 0x1100) (i32.const 8))
    (call $print (i32.load (i32.const 0x104)) (i32.const 3))
    (i32.store8 (i32.const 0x40) (i32.const 10))
    (call $print (i32.const 0x40) (i32.const 1))))
