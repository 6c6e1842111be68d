;; waPC guest: minimal, allocation-free echo (for benchmarks). Every call,
;; whatever the operation, answers the payload unchanged:
;;   __guest_request(0, 1024)          operation at 0 (up to 1024 bytes),
;;                                      payload at 1024
;;   __guest_response(1024, msg_len)   return 1
;; 17 pages to start with (1024 + 1 MiB fit); grows itself first when
;; 1024 + msg_len does not fit.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 17)

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $pages i32)
    ;; pages needed for bytes [0, 1024 + msg_len), computed in i64
    (local.set $pages
      (i32.wrap_i64
        (i64.shr_u
          (i64.add (i64.add (i64.extend_i32_u (local.get $msg_len)) (i64.const 1024)) (i64.const 65535))
          (i64.const 16))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable))))
    (call $guest_request (i32.const 0) (i32.const 1024))
    (call $guest_response (i32.const 1024) (local.get $msg_len))
    (i32.const 1))
)
