;; waPC guest without a `__guest_call` export (it exports `memory` and a
;; `guest_call` function, which is not the waPC entry point): hosts must
;; refuse it at initialisation.
(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (call $guest_response (i32.const 0) (i32.const 0))
    (i32.const 1))
)
