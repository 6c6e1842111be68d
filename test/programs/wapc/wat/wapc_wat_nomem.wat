;; waPC guest without a `memory` export (it has a memory, but keeps it
;; private): hosts must refuse it at initialisation. (Its __guest_call would
;; respond with an empty payload and return 1.)
(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory 1)
  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (call $guest_response (i32.const 0) (i32.const 0))
    (i32.const 1))
)
