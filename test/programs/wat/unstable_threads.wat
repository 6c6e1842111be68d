;; A wasi_unstable module that imports a shared memory: Kiln runs it with
;; its main thread in a worker (the threaded placement), whose syscall
;; channel serves wasi_unstable as it serves wasi_snapshot_preview1.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (export "memory" (memory 0))
  (data (i32.const 16) "unstable, threaded\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 19))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
