;; The example's guest: a tiny `cat`. Prints each file named by its
;; arguments, looked up in the first preopened directory (descriptor 3), to
;; standard output; on a file it cannot open, says so on standard error and
;; exits with 1.
;; Build: wat2wasm cat.wat -o cat.wasm
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: an iovec; 8: bytes read or written; 12: the opened descriptor;
  ;; 16: argc; 20: size of the argument strings; 512: messages;
  ;; 1024: argv pointers; 2048: argument strings; 32768: the read buffer.
  (data (i32.const 512) "cat: cannot open ")
  (data (i32.const 540) "\n")

  ;; Writes len bytes at ptr to descriptor fd.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Copies descriptor fd to standard output until end of file.
  (func $copy (param $fd i32)
    (block $done
      (loop $next
        (i32.store (i32.const 0) (i32.const 32768))
        (i32.store (i32.const 4) (i32.const 32768))
        (br_if $done (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (call $write (i32.const 1) (i32.const 32768) (i32.load (i32.const 8)))
        (br $next))))

  (func (export "_start")
    (local $argc i32) (local $i i32) (local $arg i32) (local $len i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    ;; The argv pointers and strings must fit below the read buffer.
    (if (i32.or (i32.gt_u (i32.load (i32.const 16)) (i32.const 256))
                (i32.gt_u (i32.load (i32.const 20)) (i32.const 30720)))
      (then (call $proc_exit (i32.const 2))))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $argc (i32.load (i32.const 16)))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
        (local.set $len (call $strlen (local.get $arg)))
        ;; path_open(dir 3, follow symlinks, path, no oflags, right to read, none to pass on, no fdflags)
        (if (call $path_open (i32.const 3) (i32.const 1) (local.get $arg) (local.get $len)
                             (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 12))
          (then
            (call $write (i32.const 2) (i32.const 512) (i32.const 17))
            (call $write (i32.const 2) (local.get $arg) (local.get $len))
            (call $write (i32.const 2) (i32.const 540) (i32.const 1))
            (call $proc_exit (i32.const 1))))
        (call $copy (i32.load (i32.const 12)))
        (drop (call $fd_close (i32.load (i32.const 12))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
