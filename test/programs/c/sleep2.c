/* sleep2: sleeps 2 s without using the CPU.
 * usage: sleep2 [nanosleep | poll]
 *   nanosleep (default)  nanosleep() for 2 s (wasi-libc: a poll_oneoff clock)
 *   poll                 one raw poll_oneoff with a 2 s monotonic clock
 * Prints "slept 2s: yes" when at least 2 s of monotonic time passed. */
#include "guest.h"
#include <time.h>

static uint64_t now_ns(void) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) return 0;
  return t;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "nanosleep";
  const uint64_t want = 2000000000ull;
  uint64_t start = now_ns();
  if (strcmp(mode, "nanosleep") == 0) {
    struct timespec ts = {2, 0};
    if (nanosleep(&ts, NULL) != 0) {
      print_err("nanosleep", errno);
      return 1;
    }
  } else if (strcmp(mode, "poll") == 0) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = 7;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s.u.u.clock.timeout = want;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(&s, &ev, 1, &n);
    if (e != 0) {
      print_err("poll_oneoff", e);
      return 1;
    }
    printf("poll_oneoff: %u event(s), userdata=%llu type=%s error=%u\n", (unsigned)n,
           (unsigned long long)ev.userdata, ev.type == __WASI_EVENTTYPE_CLOCK ? "CLOCK" : "other",
           (unsigned)ev.error);
  } else {
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  printf("slept 2s: %s\n", now_ns() - start >= want ? "yes" : "no");
  return 0;
}
