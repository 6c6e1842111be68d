;; waPC guest: protocol edge cases. The operation is ignored; the FIRST
;; PAYLOAD BYTE selects the case ("rest" = the payload after that byte):
;;    0  return 1 without __guest_response or __guest_error
;;    1  __guest_error("only an error"), return 1 (no response)
;;    2  return 0 with no error set
;;    3  __guest_error("bad input"), return 0
;;    4  __guest_response(ptr, 0) (empty response), return 1
;;    5  __guest_error("about to trap"), then trap (unreachable)
;;    6  __guest_response(0xFFFFFFF0, 64) (out of bounds), return 1
;;    7  __host_call with binding bytes ff fe (invalid UTF-8), namespace "n",
;;       operation "op", empty payload; respond with its i32 result as 4
;;       bytes little-endian, return 1
;;    8  memory.grow(16); copy the whole payload to the start of the new
;;       pages and respond from there, return 1
;;    9  __host_call("b", "n", "op", rest): on 1 respond "R:" + host
;;       response, on 0 respond "E:" + host error (both return 1)
;;   10  infinite loop
;;   11  __console_log(rest), respond "ok", return 1
;;   12  __guest_request again, into a different (pre-filled 0xee) area, and
;;       respond with that second copy of the payload, return 1
;;  13+  __guest_error("unknown case"), return 0
;; An empty payload: __guest_error("empty payload"), return 0.
;; Layout: constants below 128; the operation at 1024, the payload P right
;; after it, a scratch area S right after the payload. Grows memory as needed.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "bnop\ff\fe")
  (data (i32.const 8) "only an error")
  (data (i32.const 32) "bad input")
  (data (i32.const 48) "about to trap")
  (data (i32.const 64) "E:R:")
  (data (i32.const 72) "ok")
  (data (i32.const 80) "empty payload")
  (data (i32.const 96) "unknown case")

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
    (local $p i32)
    (local $s i32)
    (local $len i32)
    (local $dst i32)
    ;; operation + payload + a second payload-sized area + 16 bytes
    (call $ensure
      (i64.add (i64.const 1040)
        (i64.add (i64.extend_i32_u (local.get $op_len))
          (i64.mul (i64.extend_i32_u (local.get $msg_len)) (i64.const 2)))))
    (local.set $p (i32.add (i32.const 1024) (local.get $op_len)))
    (local.set $s (i32.add (local.get $p) (local.get $msg_len)))
    (call $guest_request (i32.const 1024) (local.get $p))
    (if (i32.eqz (local.get $msg_len))
      (then
        (call $guest_error (i32.const 80) (i32.const 13))
        (return (i32.const 0))))
    (block $unknown
    (block $c12 (block $c11 (block $c10 (block $c9 (block $c8 (block $c7
    (block $c6 (block $c5 (block $c4 (block $c3 (block $c2 (block $c1 (block $c0
      (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $c8 $c9 $c10 $c11 $c12 $unknown
        (i32.load8_u (local.get $p))))
      ;; 0: success without response or error
      (return (i32.const 1)))
      ;; 1: only an error, return 1
      (call $guest_error (i32.const 8) (i32.const 13))
      (return (i32.const 1)))
      ;; 2: failure without error
      (return (i32.const 0)))
      ;; 3: failure with error
      (call $guest_error (i32.const 32) (i32.const 9))
      (return (i32.const 0)))
      ;; 4: empty response
      (call $guest_response (local.get $p) (i32.const 0))
      (return (i32.const 1)))
      ;; 5: error, then trap
      (call $guest_error (i32.const 48) (i32.const 13))
      (unreachable))
      ;; 6: response out of bounds
      (call $guest_response (i32.const 0xFFFFFFF0) (i32.const 64))
      (return (i32.const 1)))
      ;; 7: host call with an invalid UTF-8 binding
      (i32.store (local.get $s)
        (call $host_call
          (i32.const 4) (i32.const 2)
          (i32.const 1) (i32.const 1)
          (i32.const 2) (i32.const 2)
          (local.get $s) (i32.const 0)))
      (call $guest_response (local.get $s) (i32.const 4))
      (return (i32.const 1)))
      ;; 8: grow by 16 pages, respond from the new pages
      (local.set $dst (memory.grow (i32.const 16)))
      (if (i32.eq (local.get $dst) (i32.const -1)) (then unreachable))
      (local.set $dst (i32.shl (local.get $dst) (i32.const 16)))
      (call $ensure (i64.add (i64.extend_i32_u (local.get $dst)) (i64.extend_i32_u (local.get $msg_len))))
      (memory.copy (local.get $dst) (local.get $p) (local.get $msg_len))
      (call $guest_response (local.get $dst) (local.get $msg_len))
      (return (i32.const 1)))
      ;; 9: host call b/n/op(rest); "R:" + response or "E:" + error
      (if (i32.eqz
            (call $host_call
              (i32.const 0) (i32.const 1)
              (i32.const 1) (i32.const 1)
              (i32.const 2) (i32.const 2)
              (i32.add (local.get $p) (i32.const 1))
              (i32.sub (local.get $msg_len) (i32.const 1))))
        (then
          (local.set $len (call $host_error_len))
          (call $ensure (i64.add (i64.extend_i32_u (local.get $s)) (i64.add (i64.const 2) (i64.extend_i32_u (local.get $len)))))
          (memory.copy (local.get $s) (i32.const 64) (i32.const 2))
          (call $host_error (i32.add (local.get $s) (i32.const 2))))
        (else
          (local.set $len (call $host_response_len))
          (call $ensure (i64.add (i64.extend_i32_u (local.get $s)) (i64.add (i64.const 2) (i64.extend_i32_u (local.get $len)))))
          (memory.copy (local.get $s) (i32.const 66) (i32.const 2))
          (call $host_response (i32.add (local.get $s) (i32.const 2)))))
      (call $guest_response (local.get $s) (i32.add (local.get $len) (i32.const 2)))
      (return (i32.const 1)))
      ;; 10: never returns
      (loop $forever (br $forever))
      (unreachable))
      ;; 11: console log the rest
      (call $console_log (i32.add (local.get $p) (i32.const 1)) (i32.sub (local.get $msg_len) (i32.const 1)))
      (call $guest_response (i32.const 72) (i32.const 2))
      (return (i32.const 1)))
      ;; 12: request again into S, respond with that copy
      (memory.fill (local.get $s) (i32.const 0xee) (local.get $msg_len))
      (call $guest_request (i32.const 1024) (local.get $s))
      (call $guest_response (local.get $s) (local.get $msg_len))
      (return (i32.const 1)))
    ;; unknown case
    (call $guest_error (i32.const 96) (i32.const 12))
    (i32.const 0))
)
