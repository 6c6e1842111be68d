;; A wasi_unstable (preview 0) command: one fd_write to stdout, then
;; proc_exit with the byte count fd_write reported (25), so the exit status
;; shows that both calls went through the wasi_unstable namespace and that
;; nwritten landed where the guest asked.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from wasi_unstable\n")
  (func (export "_start")
    ;; iovec at 0: { buf = 16, len = 25 }; nwritten at 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 25))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $proc_exit (i32.const 99))))
    (call $proc_exit (i32.load (i32.const 8)))
    unreachable))
