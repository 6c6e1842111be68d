;; wasix_64v1 process spawning (memory64): proc_spawn2 with a descriptor
;; action in the 64-bit proc_spawn_fd_op_t layout (64 bytes: the path
;; pointer and length are u64 at 16 and 24, which moves every later field)
;; that opens the child's stdout on a file, and the older proc_spawn with the
;; child's stdout piped to the parent through process_handles_t. The child
;; is this program again, found at /sandbox/self.wasm (the test copies it
;; there), run with the argument "child".
;; stdout:
;;   spawn2 (64-bit fd_op OPEN to a file): child says hi
;;   spawn (piped stdout): child says hi
(module
  (import "wasix_64v1" "args_sizes_get" (func $args_sizes_get (param i64 i64) (result i32)))
  (import "wasix_64v1" "args_get" (func $args_get (param i64 i64) (result i32)))
  (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "fd_read" (func $fd_read (param i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "path_open" (func $path_open (param i32 i32 i64 i64 i32 i64 i64 i32 i64) (result i32)))
  (import "wasix_64v1" "proc_spawn2" (func $proc_spawn2
    (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_spawn" (func $proc_spawn
    (param i64 i64 i32 i64 i64 i64 i64 i32 i32 i32 i64 i64 i64) (result i32)))
  (import "wasix_64v1" "proc_join" (func $join (param i64 i32 i64) (result i32)))
  (import "wasix_64v1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory i64 1 16 shared))
  (data (i64.const 200) "/sandbox/self.wasm")
  (data (i64.const 232) "self\nchild\n")
  (data (i64.const 256) "/sandbox/out.txt")
  (data (i64.const 280) "child")
  (data (i64.const 300) "child says hi\n")
  (data (i64.const 320) "spawn2 (64-bit fd_op OPEN to a file): ")
  (data (i64.const 368) "spawn (piped stdout): ")
  (data (i64.const 400) "out.txt")
  ;; Writes `len` bytes at `ptr` to stdout (iovec at 64, nwritten at 80).
  (func $print (param $ptr i64) (param $len i64)
    (i64.store (i64.const 64) (local.get $ptr))
    (i64.store (i64.const 72) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i64.const 64) (i64.const 1) (i64.const 80))))
  ;; Reads `fd` to its end into 2000...; returns the byte count (iovec at 96, nread, a u64, at 112).
  (func $read_all (param $fd i32) (result i64)
    (local $total i64)
    (loop $more
      (i64.store (i64.const 96) (i64.add (i64.const 2000) (local.get $total)))
      (i64.store (i64.const 104) (i64.const 256))
      (if (call $fd_read (local.get $fd) (i64.const 96) (i64.const 1) (i64.const 112)) (then (call $proc_exit (i32.const 40))))
      (if (i64.ne (i64.load (i64.const 112)) (i64.const 0))
        (then
          (local.set $total (i64.add (local.get $total) (i64.load (i64.const 112))))
          (br $more))))
    (local.get $total))
  ;; Waits for child `pid`: exits unless it exited 0 (option_pid at 1200, join_status at 1300).
  (func $wait (param $pid i32) (param $code i32)
    (i32.store8 (i64.const 1200) (i32.const 1))
    (i32.store (i64.const 1204) (local.get $pid))
    (if (call $join (i64.const 1200) (i32.const 0) (i64.const 1300)) (then (call $proc_exit (local.get $code))))
    (if (i32.ne (i32.load8_u (i64.const 1300)) (i32.const 1)) (then (call $proc_exit (i32.add (local.get $code) (i32.const 1)))))
    (if (i32.ne (i32.load16_u (i64.const 1302)) (i32.const 0)) (then (call $proc_exit (i32.add (local.get $code) (i32.const 2))))))
  (func (export "_start")
    (local $fd i32)
    ;; The child: argv[1] is "child" (argv pointers, u64 each, at 4096; the strings at 4200).
    (if (call $args_sizes_get (i64.const 100) (i64.const 108)) (then (call $proc_exit (i32.const 9))))
    (if (call $args_get (i64.const 4096) (i64.const 4200)) (then (call $proc_exit (i32.const 9))))
    (if (i64.ge_u (i64.load (i64.const 100)) (i64.const 2))
      (then
        (if (i32.eq (i32.load8_u (i64.load (i64.const 4104))) (i32.const 99))
          (then
            (call $print (i64.const 300) (i64.const 14))
            (call $proc_exit (i32.const 0))))))
    ;; proc_spawn2 with one action: OPEN fd 1 on /sandbox/out.txt, created and truncated, for writing.
    (i32.store8 (i64.const 1000) (i32.const 2))
    (i32.store (i64.const 1004) (i32.const 1))
    (i64.store (i64.const 1016) (i64.const 256))
    (i64.store (i64.const 1024) (i64.const 16))
    (i32.store16 (i64.const 1036) (i32.const 9))
    (i64.store (i64.const 1040) (i64.const 66))
    (if (call $proc_spawn2 (i64.const 200) (i64.const 18) (i64.const 232) (i64.const 11) (i64.const 0) (i64.const 0)
          (i64.const 1000) (i64.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i64.const 1100))
      (then (call $proc_exit (i32.const 10))))
    (call $wait (i32.load (i64.const 1100)) (i32.const 11))
    (if (call $path_open (i32.const 3) (i32.const 0) (i64.const 400) (i64.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i64.const 1400))
      (then (call $proc_exit (i32.const 15))))
    (call $print (i64.const 320) (i64.const 38))
    (call $print (i64.const 2000) (call $read_all (i32.load (i64.const 1400))))
    ;; proc_spawn: stdin a null device (2), stdout piped (0), stderr inherited (1); handles at 1500.
    (if (call $proc_spawn (i64.const 200) (i64.const 18) (i32.const 0) (i64.const 280) (i64.const 5) (i64.const 0) (i64.const 0)
          (i32.const 2) (i32.const 0) (i32.const 1) (i64.const 0) (i64.const 0) (i64.const 1500))
      (then (call $proc_exit (i32.const 20))))
    (if (i32.ne (i32.load8_u (i64.const 1512)) (i32.const 1)) (then (call $proc_exit (i32.const 21))))
    (local.set $fd (i32.load (i64.const 1516)))
    (call $print (i64.const 368) (i64.const 22))
    (call $print (i64.const 2000) (call $read_all (local.get $fd)))
    (call $wait (i32.load (i64.const 1500)) (i32.const 25))))
