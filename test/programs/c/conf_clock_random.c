/*
 * Conformance: clocks, randomness, sched_yield (suite tests big_random_buf,
 * clock_time_get, sched_yield, random_get-non-zero-length,
 * random_get-zero-length, and the C tests clock_getres-monotonic,
 * clock_getres-realtime, clock_gettime-monotonic, clock_gettime-realtime).
 * No preopens.
 *
 * clock_gettime-monotonic requires two back-to-back reads to be strictly
 * increasing. The suite checks one pair per run; this checks 1000 pairs so
 * an occasional equal pair shows up deterministically.
 */
#include <time.h>

#include "conf.h"

#define E(x) __WASI_ERRNO_##x

static void test_random(void) {
  conf_section = "random_get";
  static uint8_t big[1024];
  memset(big, 0, sizeof big);
  if (EXPECT_OK("big_random_buf: random_get(1024)",
                __wasi_random_get(big, sizeof big))) {
    int nonzero = 0;
    for (size_t i = 0; i < sizeof big; i++) nonzero |= big[i];
    EXPECT_TRUE("big_random_buf: some byte is nonzero", nonzero,
                "got 1024 zero bytes");
  }
  uint8_t small[32];
  EXPECT_OK("random_get(32)", __wasi_random_get(small, sizeof small));
  EXPECT_OK("random_get(ptr, 0)", __wasi_random_get(small, 0));
}

static void test_clock_time_get(void) {
  conf_section = "clock_time_get";
  __wasi_timestamp_t t1 = 0, t2 = 0;
  EXPECT_OK("clock_time_get(MONOTONIC, precision 1)",
            __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
  EXPECT_OK("clock_time_get(MONOTONIC, precision 0)",
            __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2));
  EXPECT_TRUE("t1 <= t2", t1 <= t2, "got t1 %llu t2 %llu",
              (unsigned long long)t1, (unsigned long long)t2);
}

static void test_sched_yield(void) {
  conf_section = "sched_yield";
  EXPECT_OK("sched_yield()", __wasi_sched_yield());
}

static void test_c_clocks(void) {
  conf_section = "C clocks";
  __wasi_timestamp_t res;
  EXPECT_OK("clock_res_get(MONOTONIC)",
            __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  EXPECT_OK("clock_res_get(REALTIME)",
            __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &res));
  struct timespec ts;
  EXPECT_EQ_S("clock_getres(CLOCK_MONOTONIC) == 0",
              clock_getres(CLOCK_MONOTONIC, &ts), 0);
  EXPECT_EQ_S("clock_getres(CLOCK_REALTIME) == 0",
              clock_getres(CLOCK_REALTIME, &ts), 0);
  EXPECT_EQ_S("clock_gettime(CLOCK_REALTIME) == 0",
              clock_gettime(CLOCK_REALTIME, &ts), 0);

  int bad = 0, errors = 0;
  struct timespec a, b, first_a = {0}, first_b = {0};
  for (int i = 0; i < 1000; i++) {
    if (clock_gettime(CLOCK_MONOTONIC, &a) != 0 ||
        clock_gettime(CLOCK_MONOTONIC, &b) != 0) {
      errors++;
      continue;
    }
    int increasing = a.tv_sec == b.tv_sec ? a.tv_nsec < b.tv_nsec
                                          : a.tv_sec < b.tv_sec;
    if (!increasing && bad++ == 0) {
      first_a = a;
      first_b = b;
    }
  }
  EXPECT_EQ("clock_gettime(CLOCK_MONOTONIC) succeeds", errors, 0);
  EXPECT_TRUE("clock_gettime(CLOCK_MONOTONIC) strictly increases over 1000 "
              "back-to-back pairs",
              bad == 0,
              "got %d non-increasing pairs, first %lld.%09ld then %lld.%09ld",
              bad, (long long)first_a.tv_sec, first_a.tv_nsec,
              (long long)first_b.tv_sec, first_b.tv_nsec);
}

int main(void) {
  test_random();
  test_clock_time_get();
  test_sched_yield();
  test_c_clocks();
  return conf_finish();
}
