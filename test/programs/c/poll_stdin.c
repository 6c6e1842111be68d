/* poll_stdin: poll_oneoff and reads on stdin while a test drives it.
 *
 * The test writes to stdin only when told: after the line "waiting for
 * data" it writes exactly "hello\n" (6 bytes, one write); after "waiting
 * for end" it closes stdin. Everything else happens with stdin open and
 * empty. Subscriptions: userdata 1 = FD_READ stdin, 2 = a monotonic clock,
 * 3 = FD_WRITE stdout; events are printed sorted by userdata. */
#include "guest.h"

#define MS 1000000ull

static __wasi_subscription_t sub_stdin(void) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = 1;
  s.u.tag = __WASI_EVENTTYPE_FD_READ;
  s.u.u.fd_read.file_descriptor = 0;
  return s;
}

static __wasi_subscription_t sub_clock(uint64_t ns) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = 2;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = ns;
  return s;
}

static __wasi_subscription_t sub_stdout(void) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = 3;
  s.u.tag = __WASI_EVENTTYPE_FD_WRITE;
  s.u.u.fd_write.file_descriptor = 1;
  return s;
}

static uint64_t now_ns(void) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) return 0;
  return t;
}

/* One poll_oneoff call; prints the events sorted by userdata. */
static void poll_and_print(const char *label, __wasi_subscription_t *subs, size_t nsubs) {
  __wasi_event_t ev[3];
  __wasi_size_t n = 0;
  memset(ev, 0, sizeof ev);
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, nsubs, &n);
  if (e != 0) {
    printf("%s: poll_oneoff failed: %s (%d)\n", label, errname(e), e);
    return;
  }
  printf("%s: %u event(s)\n", label, (unsigned)n);
  for (__wasi_userdata_t ud = 1; ud <= 3; ud++) {
    for (__wasi_size_t i = 0; i < n; i++) {
      if (ev[i].userdata != ud) continue;
      if (ev[i].type == __WASI_EVENTTYPE_CLOCK) {
        printf("  userdata=%llu type=CLOCK error=%s\n", (unsigned long long)ud, errname(ev[i].error));
      } else if (ev[i].type == __WASI_EVENTTYPE_FD_READ) {
        printf("  userdata=%llu type=FD_READ error=%s nbytes=%llu flags=%s\n", (unsigned long long)ud,
               errname(ev[i].error), (unsigned long long)ev[i].fd_readwrite.nbytes,
               ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP ? "HANGUP" : "0");
      } else {
        printf("  userdata=%llu type=FD_WRITE error=%s flags=%s\n", (unsigned long long)ud,
               errname(ev[i].error),
               ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP ? "HANGUP" : "0");
      }
    }
  }
  fflush(stdout);
}

static void set_nonblock(int on) {
  __wasi_errno_t e = __wasi_fd_fdstat_set_flags(0, on ? __WASI_FDFLAGS_NONBLOCK : 0);
  if (e != 0) printf("fd_fdstat_set_flags(0, %s): %s (%d)\n", on ? "NONBLOCK" : "0", errname(e), e);
}

/* A raw fd_read of up to 64 bytes, printed. */
static void read_and_print(const char *label) {
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_read(0, &iov, 1, &n);
  if (e != 0) printf("%s: %s (%d)\n", label, errname(e), e);
  else if (n > 0 && buf[n - 1] == '\n') printf("%s: %u bytes: %.*s\n", label, (unsigned)n, (int)n - 1, buf);
  else printf("%s: %u bytes\n", label, (unsigned)n);
  fflush(stdout);
}

int main(void) {
  __wasi_subscription_t subs[3];

  /* Nothing written yet: a non-blocking read says EAGAIN, the clock fires. */
  set_nonblock(1);
  read_and_print("nonblocking read, nothing written");
  set_nonblock(0);
  subs[0] = sub_stdin();
  subs[1] = sub_clock(300 * MS);
  uint64_t t0 = now_ns();
  poll_and_print("stdin + 300ms clock, nothing written", subs, 2);
  printf("waited >= 300ms: %s\n", now_ns() - t0 >= 300 * MS ? "yes" : "no");

  /* Data arrives while poll_oneoff waits (the clock would take 10 s). */
  printf("waiting for data\n");
  fflush(stdout);
  subs[0] = sub_stdin();
  subs[1] = sub_clock(10000 * MS);
  t0 = now_ns();
  poll_and_print("stdin + 10s clock, data written", subs, 2);
  printf("returned within 5s: %s\n", now_ns() - t0 < 5000 * MS ? "yes" : "no");

  /* All three in one call: stdin and stdout are ready, the clock is not. */
  subs[0] = sub_stdin();
  subs[1] = sub_clock(10000 * MS);
  subs[2] = sub_stdout();
  poll_and_print("stdin + 10s clock + stdout, data buffered", subs, 3);

  set_nonblock(1);
  read_and_print("nonblocking read, data buffered");
  read_and_print("nonblocking read, drained");
  set_nonblock(0);

  /* Drained: the clock fires again. */
  subs[0] = sub_stdin();
  subs[1] = sub_clock(300 * MS);
  poll_and_print("stdin + 300ms clock, drained", subs, 2);

  /* End of input: hangup, and a read returns 0. */
  printf("waiting for end\n");
  fflush(stdout);
  subs[0] = sub_stdin();
  subs[1] = sub_clock(10000 * MS);
  t0 = now_ns();
  poll_and_print("stdin + 10s clock, stdin closed", subs, 2);
  printf("returned within 5s: %s\n", now_ns() - t0 < 5000 * MS ? "yes" : "no");
  subs[0] = sub_stdin();
  subs[1] = sub_clock(10000 * MS);
  subs[2] = sub_stdout();
  poll_and_print("stdin + 10s clock + stdout, at end", subs, 3);
  read_and_print("read at end");
  return 0;
}
