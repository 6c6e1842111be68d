;; waPC guest: which start functions ran, in which order. Exports `_start`,
;; `_initialize` and `wapc_init`; each appends one letter ("s", "i", "w") to
;; a buffer. `_start` also makes a host call (binding "b", namespace "n",
;; operation "started", payload "s"; the result is ignored) and logs
;; "start log" with __console_log. Every __guest_call (any operation) answers
;; the buffer, e.g. "siw" when all three ran in that order, and returns 1.
(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "siw")
  (data (i32.const 8) "bn")
  (data (i32.const 16) "started")
  (data (i32.const 32) "start log")
  ;; the buffer is at 256, $len bytes long
  (global $len (mut i32) (i32.const 0))

  (func $append (param $letter i32)
    (i32.store8 (i32.add (i32.const 256) (global.get $len)) (i32.load8_u (local.get $letter)))
    (global.set $len (i32.add (global.get $len) (i32.const 1))))

  (func (export "_start")
    (call $append (i32.const 0))
    (drop (call $host_call
      (i32.const 8) (i32.const 1)
      (i32.const 9) (i32.const 1)
      (i32.const 16) (i32.const 7)
      (i32.const 0) (i32.const 1)))
    (call $console_log (i32.const 32) (i32.const 9)))

  (func (export "_initialize")
    (call $append (i32.const 1)))

  (func (export "wapc_init")
    (call $append (i32.const 2)))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (call $guest_response (i32.const 256) (global.get $len))
    (i32.const 1))
)
