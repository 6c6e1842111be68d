;; waPC guest: `_start` ends with WASI proc_exit(0), as TinyGo's does. It
;; appends "s" to a buffer and exits; `wapc_init` appends "w". Every
;; __guest_call answers the buffer ("sw" when the host tolerated the exit and
;; went on to wapc_init) and returns 1.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "sw")
  (global $len (mut i32) (i32.const 0))

  (func $append (param $letter i32)
    (i32.store8 (i32.add (i32.const 256) (global.get $len)) (i32.load8_u (local.get $letter)))
    (global.set $len (i32.add (global.get $len) (i32.const 1))))

  (func (export "_start")
    (call $append (i32.const 0))
    (call $proc_exit (i32.const 0))
    (unreachable))

  (func (export "wapc_init")
    (call $append (i32.const 1)))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (call $guest_response (i32.const 256) (global.get $len))
    (i32.const 1))
)
