;; A reactor for `kiln run --invoke`: _initialize writes "initialized" to
;; stdout (it must run first), and the exports take and return each
;; number type, several results, nothing, or end the process.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (global (export "version") i32 (i32.const 3))
  (data (i32.const 16) "initialized\n")
  (data (i32.const 32) "hello from greet\n")
  (func $out (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_initialize")
    (global.set $calls (i32.const 100))
    (call $out (i32.const 16) (i32.const 12)))
  ;; 100 + a + b: shows that _initialize ran before.
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (global.get $calls) (i32.add (local.get 0) (local.get 1))))
  (func (export "mul64") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  (func (export "half32") (param f32) (result f32) (f32.div (local.get 0) (f32.const 2)))
  (func (export "div64") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "swap") (param i32 i64) (result i64 i32 f32 f64)
    (local.get 1) (local.get 0) (f32.const 0.1) (f64.const -0.0))
  (func (export "greet") (call $out (i32.const 32) (i32.const 17)))
  (func (export "leave") (param i32)
    (call $out (i32.const 16) (i32.const 12))
    (call $proc_exit (local.get 0)))
  (func (export "crash") (result i32) unreachable))
