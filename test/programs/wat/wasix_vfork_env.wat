;; proc_fork_env: vfork without asyncify, as wasix-libc's builds with wasm
;; exception handling do it (setjmp, proc_fork_env, then longjmp back once
;; the child's exec or exit returned). After proc_fork_env the thread acts
;; for the child: proc_id is the child's, and closing stderr closes the
;; child's copy only. The child's proc_exec3 starts the program in the child
;; and returns to the parent; the child's proc_exit2 ends the child and
;; returns. The program exec'd is this one again, at /sandbox/self.wasm
;; (the test copies it there), with the argument "child": it exits 5.
;; stdout:
;;   in the child: proc_id is the child's pid
;;   exec'd program ran
;;   back in the parent: proc_id is its own, stderr still open
;;   the exec'd child exited 5
;;   proc_exit2 in the child returned; that child exited 7
(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasix_32v1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasix_32v1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasix_32v1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasix_32v1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasix_32v1" "proc_exit2" (func $proc_exit2 (param i32)))
  (import "wasix_32v1" "proc_id" (func $proc_id (param i32) (result i32)))
  (import "wasix_32v1" "proc_fork_env" (func $proc_fork_env (param i32) (result i32)))
  (import "wasix_32v1" "proc_exec3" (func $proc_exec3 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "proc_join" (func $proc_join (param i32 i32 i32) (result i32)))
  (data (i32.const 200) "/sandbox/self.wasm")
  (data (i32.const 224) "self\nchild\n")
  (data (i32.const 240) "in the child: proc_id is the child's pid\n")
  (data (i32.const 288) "exec'd program ran\n")
  (data (i32.const 320) "back in the parent: proc_id is its own, stderr still open\n")
  (data (i32.const 384) "the exec'd child exited 5\n")
  (data (i32.const 416) "proc_exit2 in the child returned; that child exited 7\n")
  ;; Writes `len` bytes at `ptr` to stdout (iovec at 64, nwritten at 72).
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 64) (local.get $ptr))
    (i32.store (i32.const 68) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72))))
  ;; Waits for child `pid` and returns its exit code (option_pid at 140, join_status at 150); exits with `code` on failure.
  (func $join (param $pid i32) (param $code i32) (result i32)
    (i32.store8 (i32.const 140) (i32.const 1))
    (i32.store (i32.const 144) (local.get $pid))
    (if (call $proc_join (i32.const 140) (i32.const 0) (i32.const 150)) (then (call $proc_exit (local.get $code))))
    (if (i32.ne (i32.load8_u (i32.const 150)) (i32.const 1)) (then (call $proc_exit (i32.add (local.get $code) (i32.const 1)))))
    (i32.load16_u (i32.const 152)))
  (func (export "_start")
    (local $self i32)
    (local $child i32)
    ;; The exec'd program: argv[1] is "child" (argv at 1024, strings at 1100).
    (drop (call $args_sizes_get (i32.const 80) (i32.const 84)))
    (drop (call $args_get (i32.const 1024) (i32.const 1100)))
    (if (i32.ge_u (i32.load (i32.const 80)) (i32.const 2))
      (then
        (if (i32.eq (i32.load8_u (i32.load (i32.const 1028))) (i32.const 99))
          (then
            (call $print (i32.const 288) (i32.const 19))
            (call $proc_exit (i32.const 5))))))
    (drop (call $proc_id (i32.const 100)))
    (local.set $self (i32.load (i32.const 100)))
    ;; vfork, then exec in the child.
    (if (call $proc_fork_env (i32.const 104)) (then (call $proc_exit (i32.const 10))))
    (local.set $child (i32.load (i32.const 104)))
    (drop (call $proc_id (i32.const 108)))
    (if (i32.or (i32.ne (i32.load (i32.const 108)) (local.get $child)) (i32.eq (local.get $child) (local.get $self)))
      (then (call $proc_exit (i32.const 11))))
    (call $print (i32.const 240) (i32.const 41))
    (if (call $fd_close (i32.const 2)) (then (call $proc_exit (i32.const 12))))
    (if (call $proc_exec3 (i32.const 200) (i32.const 18) (i32.const 224) (i32.const 11) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
      (then (call $proc_exit (i32.const 13))))
    (drop (call $proc_id (i32.const 112)))
    (if (i32.ne (i32.load (i32.const 112)) (local.get $self)) (then (call $proc_exit (i32.const 14))))
    (if (call $fd_fdstat_get (i32.const 2) (i32.const 600)) (then (call $proc_exit (i32.const 15))))
    (if (i32.ne (call $join (local.get $child) (i32.const 20)) (i32.const 5)) (then (call $proc_exit (i32.const 16))))
    (call $print (i32.const 320) (i32.const 58))
    (call $print (i32.const 384) (i32.const 26))
    ;; vfork, then _exit in the child.
    (if (call $proc_fork_env (i32.const 104)) (then (call $proc_exit (i32.const 30))))
    (local.set $child (i32.load (i32.const 104)))
    (call $proc_exit2 (i32.const 7))
    (drop (call $proc_id (i32.const 112)))
    (if (i32.ne (i32.load (i32.const 112)) (local.get $self)) (then (call $proc_exit (i32.const 31))))
    (if (i32.ne (call $join (local.get $child) (i32.const 32)) (i32.const 7)) (then (call $proc_exit (i32.const 34))))
    (call $print (i32.const 416) (i32.const 54))))
