/* clocks: clock_getres/clock_gettime for REALTIME, MONOTONIC and
 * PROCESS_CPUTIME; nanosleep. Prints only deterministic facts. */
#include "guest.h"
#include <time.h>
#include <sys/time.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static void res(const char *label, clockid_t id) {
  struct timespec r;
  errno = 0;
  if (clock_getres(id, &r) != 0) { print_err(label, errno); return; }
  long long v = ns(r);
  printf("%s: %s\n", label, (v > 0 && v <= 10000000LL) ? "ok (0 < res <= 10ms)" : "out of range");
}

int main(void) {
  struct timespec t, u;
  res("clock_getres REALTIME", CLOCK_REALTIME);
  res("clock_getres MONOTONIC", CLOCK_MONOTONIC);

  CHECK("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &t));
  /* 2024-01-01 .. 2100-01-01 */
  printf("realtime in a sane range: %s\n",
         (t.tv_sec >= 1704067200LL && t.tv_sec < 4102444800LL) ? "yes" : "no");
  printf("realtime tv_nsec in [0, 1e9): %s\n", (t.tv_nsec >= 0 && t.tv_nsec < 1000000000L) ? "yes" : "no");
  time_t now = time(NULL);
  printf("time() agrees with clock_gettime: %s\n", (now >= t.tv_sec && now <= t.tv_sec + 5) ? "yes" : "no");
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("gettimeofday agrees: %s\n", (tv.tv_sec >= t.tv_sec && tv.tv_sec <= t.tv_sec + 5) ? "yes" : "no");

  CHECK("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &t));
  long long prev = ns(t), backwards = 0;
  for (int i = 0; i < 1000; i++) {
    clock_gettime(CLOCK_MONOTONIC, &u);
    if (ns(u) < prev) backwards++;
    prev = ns(u);
  }
  printf("monotonic never goes backwards over 1000 reads: %s\n", backwards ? "no" : "yes");

  struct timespec req = {0, 50000000}, a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  CHECK("nanosleep 50ms", nanosleep(&req, NULL));
  clock_gettime(CLOCK_MONOTONIC, &b);
  long long slept = ns(b) - ns(a);
  printf("nanosleep slept >= 50ms: %s\n", slept >= 50000000LL ? "yes" : "no");
  /* The same with 1 ms of slack, for hosts whose timers count whole
     milliseconds from a cached time (libuv's, under node:wasi): they may
     wake up to 1 ms early, but never sooner. */
  printf("nanosleep slept >= 49ms: %s\n", slept >= 49000000LL ? "yes" : "no");
  printf("nanosleep slept < 5s: %s\n", slept < 5000000000LL ? "yes" : "no");
  clock_gettime(CLOCK_MONOTONIC, &a);
  CHECK("usleep 20ms", usleep(20000));
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("usleep slept >= 20ms: %s\n", ns(b) - ns(a) >= 20000000LL ? "yes" : "no");
  printf("usleep slept >= 19ms: %s\n", ns(b) - ns(a) >= 19000000LL ? "yes" : "no");

  res("clock_getres PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
  struct timespec c0, c1;
  CHECK("clock_gettime PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0));
  /* Burn ~30ms of CPU; the process CPU clock must advance. */
  clock_gettime(CLOCK_MONOTONIC, &a);
  volatile unsigned long spin = 0;
  do {
    for (int i = 0; i < 100000; i++) spin += (unsigned long)i;
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while (ns(b) - ns(a) < 30000000LL);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  printf("process cputime advances while spinning: %s\n", ns(c1) > ns(c0) ? "yes" : "no");

  /* Raw calls with an invalid clock id. */
  __wasi_timestamp_t ts;
  WASI("clock_time_get bad id", __wasi_clock_time_get(99, 1, &ts));
  WASI("clock_res_get bad id", __wasi_clock_res_get(99, &ts));
  WASI("clock_time_get MONOTONIC raw", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &ts));
  return 0;
}
