;; wasi_unstable poll_oneoff with preview 0 subscriptions (56 bytes:
;; userdata u64@0, tag u8@8, then for a clock identifier u64@16, id u32@24,
;; timeout u64@32, precision u64@40, flags u16@48; for an fd, the fd u32@16)
;; and 32-byte events (userdata u64@0, error u16@8, type u8@10). Each line:
;; "label: errno n=events userdata=.. type=.. error=.." of the first event,
;; and for clocks whether the call waited until the deadline.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)

  ;; 0x0 print iovec, 0x8 print nwritten, 0x100..0x140 number buffer,
  ;; 0x7f0 nevents, 0x7f8 time, 0x800 subscriptions, 0xa00 events.
  (data (i32.const 0x340) "\n")
  (data (i32.const 0x1000) "relative clock: \00")
  (data (i32.const 0x1020) "clock and stdout: \00")
  (data (i32.const 0x1040) "bad clock id: \00")
  (data (i32.const 0x1060) "absolute clock: \00")
  (data (i32.const 0x1080) "no subscriptions: \00")
  (data (i32.const 0x1100) " n=\00")
  (data (i32.const 0x1110) " userdata=\00")
  (data (i32.const 0x1120) " type=\00")
  (data (i32.const 0x1130) " error=\00")
  (data (i32.const 0x1140) " waited=\00")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $puts (param $p i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (call $write (local.get $p) (local.get $n)))

  (func $putu (param $n i64) (local $p i32)
    (local.set $p (i32.const 0x140))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (call $write (local.get $p) (i32.sub (i32.const 0x140) (local.get $p))))

  (func $field (param $label i32) (param $v i64)
    (call $puts (local.get $label))
    (call $putu (local.get $v)))

  (func $nl (call $write (i32.const 0x340) (i32.const 1)))

  (func $now (result i64)
    (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0x7f8)))
    (i64.load (i32.const 0x7f8)))

  ;; A clock subscription at $at.
  (func $sub_clock (param $at i32) (param $userdata i64) (param $identifier i64) (param $id i32)
                   (param $timeout i64) (param $flags i32)
    (i64.store (local.get $at) (local.get $userdata))
    (i64.store offset=8 (local.get $at) (i64.const 0))          ;; tag CLOCK and padding
    (i64.store offset=16 (local.get $at) (local.get $identifier))
    (i64.store offset=24 (local.get $at) (i64.extend_i32_u (local.get $id)))
    (i64.store offset=32 (local.get $at) (local.get $timeout))
    (i64.store offset=40 (local.get $at) (i64.const 0))         ;; precision
    (i64.store offset=48 (local.get $at) (i64.extend_i32_u (local.get $flags))))

  ;; An fd subscription (tag 1 FD_READ, 2 FD_WRITE) at $at.
  (func $sub_fd (param $at i32) (param $userdata i64) (param $tag i32) (param $fd i32)
    (i64.store (local.get $at) (local.get $userdata))
    (i64.store offset=8 (local.get $at) (i64.extend_i32_u (local.get $tag)))
    (i64.store offset=16 (local.get $at) (i64.extend_i32_u (local.get $fd)))
    (i64.store offset=24 (local.get $at) (i64.const 0))
    (i64.store offset=32 (local.get $at) (i64.const 0))
    (i64.store offset=40 (local.get $at) (i64.const 0))
    (i64.store offset=48 (local.get $at) (i64.const 0)))

  ;; Polls, then prints "label: errno" and on success the count and the first event.
  (func $poll (param $label i32) (param $n i32)
    (local $e i32) (local $i i32)
    (loop $fill
      (i64.store (i32.add (i32.const 0xa00) (local.get $i)) (i64.const 0xAAAAAAAAAAAAAAAA))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 64))))
    (i32.store (i32.const 0x7f0) (i32.const 0xffff))
    (local.set $e (call $poll_oneoff (i32.const 0x800) (i32.const 0xa00) (local.get $n) (i32.const 0x7f0)))
    (call $puts (local.get $label))
    (call $putu (i64.extend_i32_u (local.get $e)))
    (if (i32.eqz (local.get $e))
      (then
        (call $field (i32.const 0x1100) (i64.load32_u (i32.const 0x7f0)))
        (call $field (i32.const 0x1110) (i64.load (i32.const 0xa00)))
        (call $field (i32.const 0x1120) (i64.load8_u (i32.const 0xa0a)))
        (call $field (i32.const 0x1130) (i64.load16_u (i32.const 0xa08))))))

  (func (export "_start") (local $t0 i64)
    ;; 5 ms relative on MONOTONIC; userdata and identifier differ.
    (local.set $t0 (call $now))
    (call $sub_clock (i32.const 0x800) (i64.const 0x0102030405060708) (i64.const 0xdeadbeefcafef00d)
      (i32.const 1) (i64.const 5000000) (i32.const 0))
    (call $poll (i32.const 0x1000) (i32.const 1))
    (call $field (i32.const 0x1140) (i64.extend_i32_u (i64.ge_u (call $now) (i64.add (local.get $t0) (i64.const 5000000)))))
    (call $nl)

    ;; a 10 s clock and stdout writable: only stdout is reported
    (call $sub_clock (i32.const 0x800) (i64.const 11) (i64.const 99) (i32.const 1) (i64.const 10000000000) (i32.const 0))
    (call $sub_fd (i32.const 0x838) (i64.const 22) (i32.const 2) (i32.const 1))
    (call $poll (i32.const 0x1020) (i32.const 2))
    (call $nl)

    ;; an unknown clock id: an event with EINVAL
    (call $sub_clock (i32.const 0x800) (i64.const 33) (i64.const 0) (i32.const 7) (i64.const 0) (i32.const 0))
    (call $poll (i32.const 0x1040) (i32.const 1))
    (call $nl)

    ;; ABSTIME 2 ms from now on MONOTONIC
    (local.set $t0 (call $now))
    (call $sub_clock (i32.const 0x800) (i64.const 44) (i64.const 0) (i32.const 1)
      (i64.add (local.get $t0) (i64.const 2000000)) (i32.const 1))
    (call $poll (i32.const 0x1060) (i32.const 1))
    (call $field (i32.const 0x1140) (i64.extend_i32_u (i64.ge_u (call $now) (i64.add (local.get $t0) (i64.const 2000000)))))
    (call $nl)

    (call $poll (i32.const 0x1080) (i32.const 0))
    (call $nl)))
