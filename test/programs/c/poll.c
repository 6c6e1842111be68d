/* poll: raw __wasi_poll_oneoff with clock and fd subscriptions.
 * usage: poll [DIR [clocks|absolute|fds]] */
#include "guest.h"
#include <fcntl.h>

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
  else s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static const char *etype(__wasi_eventtype_t t) {
  return t == __WASI_EVENTTYPE_CLOCK ? "CLOCK" : t == __WASI_EVENTTYPE_FD_READ ? "FD_READ"
       : t == __WASI_EVENTTYPE_FD_WRITE ? "FD_WRITE" : "?";
}

/* Polls, then prints the events sorted by userdata. The wait is measured
 * from `since` (a monotonic time taken before an absolute deadline was
 * computed from it), or from now when it is 0. */
static void run_since(const char *label, __wasi_subscription_t *subs, size_t n, int show_nbytes,
                      long long min_ms, long long max_ms, __wasi_timestamp_t since) {
  __wasi_event_t ev[8];
  __wasi_size_t nev = 0;
  __wasi_timestamp_t t0 = since ? since : mono();
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, n, &nev);
  long long ms = (long long)((mono() - t0) / 1000000);
  if (e) { print_err(label, e); return; }
  printf("%s: %u event(s)", label, (unsigned)nev);
  if (min_ms >= 0) printf(", waited >= %lldms: %s", min_ms, ms >= min_ms ? "yes" : "no");
  if (max_ms >= 0) printf(", returned within %lldms: %s", max_ms, ms < max_ms ? "yes" : "no");
  printf("\n");
  for (size_t i = 1; i < nev; i++)
    for (size_t j = i; j > 0 && ev[j - 1].userdata > ev[j].userdata; j--) {
      __wasi_event_t tmp = ev[j]; ev[j] = ev[j - 1]; ev[j - 1] = tmp;
    }
  for (size_t i = 0; i < nev; i++) {
    printf("  userdata=%llu type=%s error=%u", (unsigned long long)ev[i].userdata,
           etype(ev[i].type), ev[i].error);
    if (show_nbytes && ev[i].type == __WASI_EVENTTYPE_FD_READ)
      printf(" nbytes=%llu", (unsigned long long)ev[i].fd_readwrite.nbytes);
    printf("\n");
  }
}

static void run(const char *label, __wasi_subscription_t *subs, size_t n, int show_nbytes,
                long long min_ms, long long max_ms) {
  run_since(label, subs, n, show_nbytes, min_ms, max_ms, 0);
}

int main(int argc, char **argv) {
  enter_sandbox(argc, argv);
  const char *group = argc > 2 ? argv[2] : "clocks";
  __wasi_subscription_t s[4];

  if (!strcmp(group, "clocks")) {
    s[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 50000000, 0);
    run("relative monotonic 50ms", s, 1, 0, 50, 5000);

    /* Two clocks: only the shorter one fires. */
    s[0] = clock_sub(21, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0);
    s[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 20000000, 0);
    run("clocks 5s and 20ms", s, 2, 0, 20, 4000);

    /* A relative REALTIME clock is a plain timeout too. */
    s[0] = clock_sub(61, __WASI_CLOCKID_REALTIME, 30000000, 0);
    run("relative realtime 30ms", s, 1, 0, 30, 5000);
    s[0] = clock_sub(62, __WASI_CLOCKID_REALTIME, 30000000, 0);
    s[1] = clock_sub(63, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0);
    run("relative realtime 30ms + monotonic 5s", s, 2, 0, 30, 4000);

    __wasi_event_t ev[1];
    __wasi_size_t nev = 77;
    WASI("poll_oneoff with 0 subscriptions", __wasi_poll_oneoff(s, ev, 0, &nev));
  } else if (!strcmp(group, "absolute")) {
    /* Measured from the very time the deadline is computed from: a thread
     * preempted between the two reads would otherwise see less than 50 ms. */
    __wasi_timestamp_t base = mono();
    s[0] = clock_sub(13, __WASI_CLOCKID_MONOTONIC, base + 50000000,
                     __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    run_since("absolute monotonic now+50ms", s, 1, 0, 50, 5000, base);
    s[0] = clock_sub(14, __WASI_CLOCKID_MONOTONIC, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    run("absolute monotonic in the past", s, 1, 0, -1, 1000);
  } else if (!strcmp(group, "fds")) {
    /* A regular file is always readable; nbytes = bytes left after the
     * current position (10 - 3). */
    write_file("ten.txt", "0123456789");
    int fd = open("ten.txt", O_RDONLY);
    MUST(fd);
    char buf[3];
    MUST(read(fd, buf, 3));
    s[0] = fd_sub(31, __WASI_EVENTTYPE_FD_READ, (__wasi_fd_t)fd);
    s[1] = clock_sub(32, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0);
    run("fd_read on a file + 5s clock", s, 2, 1, -1, 4000);

    s[0] = clock_sub(41, __WASI_CLOCKID_MONOTONIC, 0, 0);
    s[1] = fd_sub(42, __WASI_EVENTTYPE_FD_READ, (__wasi_fd_t)fd);
    run("zero clock + fd_read on a file", s, 2, 1, -1, 4000);

    s[0] = fd_sub(51, __WASI_EVENTTYPE_FD_WRITE, 1);
    s[1] = clock_sub(52, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0);
    run("fd_write on stdout + 5s clock", s, 2, 0, -1, 4000);
    close(fd);
  } else {
    printf("unknown group %s\n", group);
    return 2;
  }
  return 0;
}
