;; The bundled example: prints a greeting and each argument on its own line.
;; Build: wat2wasm examples/hello.wat -o examples/hello.wasm
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "Hello from Kiln! A WASI program is running.\n")
  (data (i32.const 1100) "arg: ")
  (data (i32.const 1110) "\n")

  ;; write(ptr, len) to stdout through an iovec at address 0
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func (export "_start")
    (local $argc i32) (local $i i32) (local $arg i32)
    (call $write (i32.const 1024) (i32.const 44))
    ;; argc at 16, buffer size at 20; argv pointers at 2048, strings at 4096
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 2048) (i32.const 4096)))
    (local.set $argc (i32.load (i32.const 16)))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (local.set $arg (i32.load (i32.add (i32.const 2048) (i32.mul (local.get $i) (i32.const 4)))))
        (call $write (i32.const 1100) (i32.const 5))
        (call $write (local.get $arg) (call $strlen (local.get $arg)))
        (call $write (i32.const 1110) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
