;; wasix_64v1 on a memory64 memory (no wasm64 sysroot: written by hand).
;; Every pointer and size is an i64; iovecs are 16 bytes, sizes stored in
;; memory 8. Run with argv [prog, "sixty-four"] and /sandbox preopened.
;; stdout:
;;   argv[1]=sixty-four
;;   cwd=/
;;   preopen=/sandbox
;;   pipe: hello64
;;   nwritten is a u64: yes
;;   a pointer past 4 GiB: EFAULT
(module
  (import "wasix_64v1" "args_sizes_get" (func $args_sizes_get (param i64 i64) (result i32)))
  (import "wasix_64v1" "args_get" (func $args_get (param i64 i64) (result i32)))
  (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "fd_read" (func $fd_read (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "getcwd" (func $getcwd (param i64 i64) (result i32)))
  (import "wasix_64v1" "fd_prestat_get" (func $fd_prestat_get (param i32 i64) (result i32)))
  (import "wasix_64v1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i64 i64) (result i32)))
  (import "wasix_64v1" "fd_pipe" (func $fd_pipe (param i64 i64) (result i32)))
  (import "wasix_64v1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") i64 1)
  (data (i64.const 512) "argv[1]=")
  (data (i64.const 520) "\n")
  (data (i64.const 521) "cwd=")
  (data (i64.const 525) "preopen=")
  (data (i64.const 533) "pipe: ")
  (data (i64.const 539) "hello64")
  (data (i64.const 546) "nwritten is a u64: yes\n")
  (data (i64.const 569) "a pointer past 4 GiB: EFAULT\n")
  ;; Writes two buffers to `fd` through two 16-byte iovecs at 64; nwritten (a u64) at 0.
  (func $write2 (param $fd i32) (param $a i64) (param $alen i64) (param $b i64) (param $blen i64)
    (i64.store (i64.const 64) (local.get $a))
    (i64.store (i64.const 72) (local.get $alen))
    (i64.store (i64.const 80) (local.get $b))
    (i64.store (i64.const 88) (local.get $blen))
    (i64.store (i64.const 0) (i64.const -1))
    (if (call $fd_write (local.get $fd) (i64.const 64) (i64.const 2) (i64.const 0)) (then (call $proc_exit (i32.const 10)))))
  (func $line (param $prefix i64) (param $plen i64) (param $value i64) (param $vlen i64)
    (call $write2 (i32.const 1) (local.get $prefix) (local.get $plen) (local.get $value) (local.get $vlen))
    (call $write2 (i32.const 1) (i64.const 520) (i64.const 1) (i64.const 520) (i64.const 0)))
  (func (export "_start")
    (local $p1 i64) (local $end i64)
    ;; argv: count and size as u64s at 8 and 16; pointers (8 bytes each) at 128, strings at 256
    (if (call $args_sizes_get (i64.const 8) (i64.const 16)) (then (call $proc_exit (i32.const 11))))
    (if (i64.ne (i64.load (i64.const 8)) (i64.const 2)) (then (call $proc_exit (i32.const 12))))
    (if (call $args_get (i64.const 128) (i64.const 256)) (then (call $proc_exit (i32.const 13))))
    (local.set $p1 (i64.load (i64.const 136)))
    (local.set $end (i64.add (i64.const 256) (i64.load (i64.const 16))))
    (call $line (i64.const 512) (i64.const 8) (local.get $p1) (i64.sub (i64.sub (local.get $end) (local.get $p1)) (i64.const 1)))
    ;; getcwd: the length in/out is a u64 at 24
    (i64.store (i64.const 24) (i64.const 64))
    (if (call $getcwd (i64.const 1024) (i64.const 24)) (then (call $proc_exit (i32.const 14))))
    (call $line (i64.const 521) (i64.const 4) (i64.const 1024) (i64.load (i64.const 24)))
    ;; prestat of fd 3: 16 bytes, the name's length a u64 at 8
    (if (call $fd_prestat_get (i32.const 3) (i64.const 32)) (then (call $proc_exit (i32.const 15))))
    (if (call $fd_prestat_dir_name (i32.const 3) (i64.const 1200) (i64.load (i64.const 40))) (then (call $proc_exit (i32.const 16))))
    (call $line (i64.const 525) (i64.const 8) (i64.const 1200) (i64.load (i64.const 40)))
    ;; a pipe: write "hello64" into it, read it back through a 16-byte iovec
    (if (call $fd_pipe (i64.const 48) (i64.const 52)) (then (call $proc_exit (i32.const 17))))
    (call $write2 (i32.load (i64.const 52)) (i64.const 539) (i64.const 3) (i64.const 542) (i64.const 4))
    (i64.store (i64.const 96) (i64.const 1100))
    (i64.store (i64.const 104) (i64.const 64))
    (if (call $fd_read (i32.load (i64.const 48)) (i64.const 96) (i64.const 1) (i64.const 56)) (then (call $proc_exit (i32.const 18))))
    (call $line (i64.const 533) (i64.const 6) (i64.const 1100) (i64.load (i64.const 56)))
    ;; the last write's nwritten: 7 + 0... check a full u64 store (high half 0) after a 23-byte write
    (call $write2 (i32.const 1) (i64.const 546) (i64.const 10) (i64.const 556) (i64.const 13))
    (if (i64.ne (i64.load (i64.const 0)) (i64.const 23)) (then (call $proc_exit (i32.const 19))))
    ;; an iovec array at 2^32: EFAULT (21), nothing written
    (if (i32.ne (call $fd_write (i32.const 1) (i64.const 0x100000000) (i64.const 1) (i64.const 0)) (i32.const 21))
      (then (call $proc_exit (i32.const 20))))
    (call $write2 (i32.const 1) (i64.const 569) (i64.const 29) (i64.const 569) (i64.const 0))))
