/*
 * WASIX sleeping: nanosleep and usleep, measured with
 * clock_gettime(CLOCK_MONOTONIC), and sched_yield.
 *
 * stdout (exit 0):
 *   nanosleep returned 0
 *   nanosleep slept>=100ms yes
 *   usleep returned 0
 *   usleep slept>=100ms yes
 *   sleep(0) returned 0
 *   sched_yield returned 0
 *   monotonic clock never went back yes
 */
#include "wasix_test.h"

#include <sched.h>
#include <stdint.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void) {
  int64_t first = now_ns();

  int64_t t0 = now_ns();
  struct timespec req = {0, 100 * 1000 * 1000};
  int r = nanosleep(&req, NULL);
  int64_t t1 = now_ns();
  printf("nanosleep returned %d\n", r);
  printf("nanosleep slept>=100ms %s\n", yesno(t1 - t0 >= 100 * 1000 * 1000));

  t0 = now_ns();
  r = usleep(100 * 1000);
  t1 = now_ns();
  printf("usleep returned %d\n", r);
  printf("usleep slept>=100ms %s\n", yesno(t1 - t0 >= 100 * 1000 * 1000));

  printf("sleep(0) returned %u\n", sleep(0));
  printf("sched_yield returned %d\n", sched_yield());

  int monotonic = 1;
  int64_t prev = first;
  for (int i = 0; i < 1000; i++) {
    int64_t t = now_ns();
    if (t < prev) monotonic = 0;
    prev = t;
  }
  printf("monotonic clock never went back %s\n", yesno(monotonic && prev >= t1));
  return 0;
}
