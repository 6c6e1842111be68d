;; A wasi_unstable module that imports a shared memory, so Kiln would run
;; it in the threaded mode, which only links wasi_snapshot_preview1: it must
;; be refused with a clear message before anything runs.
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (export "memory" (memory 0))
  (data (i32.const 16) "must not run\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
