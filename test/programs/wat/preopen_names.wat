;; Prints the guest path of every preopened directory, one per line, in
;; descriptor order from fd 3 (fd_prestat_get / fd_prestat_dir_name), and
;; stops at the first descriptor that is not a preopened directory.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: iovec, 8: nwritten, 16: prestat, 64: name buffer (newline appended)
  (func (export "_start")
    (local $fd i32) (local $len i32)
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (call $prestat_get (local.get $fd) (i32.const 16)))
        (local.set $len (i32.load (i32.const 20)))
        (br_if $done (call $prestat_dir_name (local.get $fd) (i32.const 64) (local.get $len)))
        (i32.store8 (i32.add (i32.const 64) (local.get $len)) (i32.const 10))
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.add (local.get $len) (i32.const 1)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))))
