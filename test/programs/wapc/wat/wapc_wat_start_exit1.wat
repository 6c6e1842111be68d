;; waPC guest whose `_start` fails: it appends "s" to a buffer and calls WASI
;; proc_exit(3), so initialisation must fail. (Were it called anyway,
;; __guest_call would answer the buffer and return 1.)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "s")
  (global $len (mut i32) (i32.const 0))

  (func (export "_start")
    (i32.store8 (i32.const 256) (i32.load8_u (i32.const 0)))
    (global.set $len (i32.const 1))
    (call $proc_exit (i32.const 3))
    (unreachable))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (call $guest_response (i32.const 256) (global.get $len))
    (i32.const 1))
)
