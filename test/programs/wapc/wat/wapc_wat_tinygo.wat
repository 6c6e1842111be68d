;; waPC guest shaped like an old TinyGo one: a WASI command importing
;; `wasi_unstable` (fd_write, proc_exit) whose `_start` (Go's main) registers
;; the handlers and exits with proc_exit(0).
;;   _start        fd_write(1, "tinygo guest started\n"), set the "registered"
;;                 flag, proc_exit(0)
;;   __guest_call  unregistered (no _start ran): __guest_error("not
;;                 registered"), return 0; otherwise, for any operation,
;;                 fd_write(1, payload + "\n") and respond
;;                 "hello from tinygo-style guest", return 1
;; Layout: constants below 128, iovecs at 128, nwritten at 160, the request's
;; operation at 1024 and its payload right after.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "tinygo guest started\n")
  (data (i32.const 32) "not registered")
  (data (i32.const 48) "hello from tinygo-style guest")
  (data (i32.const 80) "\n")
  (global $registered (mut i32) (i32.const 0))

  ;; Makes bytes [0, end) addressable (end is an unsigned 64-bit byte count).
  (func $ensure (param $end i64)
    (local $pages i32)
    (if (i64.gt_u (local.get $end) (i64.const 0x100000000)) (then unreachable))
    (local.set $pages (i32.wrap_i64 (i64.shr_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 16))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable)))))

  (func (export "_start")
    (i32.store (i32.const 128) (i32.const 0))
    (i32.store (i32.const 132) (i32.const 21))
    (drop (call $fd_write (i32.const 1) (i32.const 128) (i32.const 1) (i32.const 160)))
    (global.set $registered (i32.const 1))
    (call $proc_exit (i32.const 0))
    (unreachable))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $p i32)
    (if (i32.eqz (global.get $registered))
      (then
        (call $guest_error (i32.const 32) (i32.const 14))
        (return (i32.const 0))))
    (call $ensure
      (i64.add (i64.const 1024)
        (i64.add (i64.extend_i32_u (local.get $op_len)) (i64.extend_i32_u (local.get $msg_len)))))
    (local.set $p (i32.add (i32.const 1024) (local.get $op_len)))
    (call $guest_request (i32.const 1024) (local.get $p))
    (i32.store (i32.const 128) (local.get $p))
    (i32.store (i32.const 132) (local.get $msg_len))
    (i32.store (i32.const 136) (i32.const 80))
    (i32.store (i32.const 140) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 128) (i32.const 2) (i32.const 160)))
    (call $guest_response (i32.const 48) (i32.const 29))
    (i32.const 1))
)
