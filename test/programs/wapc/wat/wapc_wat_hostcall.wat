;; waPC guest: one host call per invocation (for benchmarks). Every call,
;; whatever the operation:
;;   __host_call(binding "b", namespace "n", operation "op", payload)
;;   success (1): __guest_response(<host response>), return 1
;;   failure (0): __guest_error(<host error>), return 0
;; Layout: constants below 16; the request's operation at 1024, its payload
;; right after; the host response / error is copied to 1024 (the request is
;; no longer needed then). Grows memory as needed.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "bnop")

  ;; Makes bytes [0, end) addressable (end is an unsigned 64-bit byte count).
  (func $ensure (param $end i64)
    (local $pages i32)
    (if (i64.gt_u (local.get $end) (i64.const 0x100000000)) (then unreachable))
    (local.set $pages (i32.wrap_i64 (i64.shr_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 16))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable)))))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $payload i32)
    (local $len i32)
    (call $ensure
      (i64.add (i64.const 1024)
        (i64.add (i64.extend_i32_u (local.get $op_len)) (i64.extend_i32_u (local.get $msg_len)))))
    (local.set $payload (i32.add (i32.const 1024) (local.get $op_len)))
    (call $guest_request (i32.const 1024) (local.get $payload))
    (if (i32.eqz
          (call $host_call
            (i32.const 0) (i32.const 1)
            (i32.const 1) (i32.const 1)
            (i32.const 2) (i32.const 2)
            (local.get $payload) (local.get $msg_len)))
      (then
        (local.set $len (call $host_error_len))
        (call $ensure (i64.add (i64.const 1024) (i64.extend_i32_u (local.get $len))))
        (call $host_error (i32.const 1024))
        (call $guest_error (i32.const 1024) (local.get $len))
        (return (i32.const 0))))
    (local.set $len (call $host_response_len))
    (call $ensure (i64.add (i64.const 1024) (i64.extend_i32_u (local.get $len))))
    (call $host_response (i32.const 1024))
    (call $guest_response (i32.const 1024) (local.get $len))
    (i32.const 1))
)
