/* async_clock_random: prints the raw realtime and monotonic clock values,
 * the realtime resolution, and 8 bytes of random_get, so that a test can
 * give the process its own clocks and random source (e.g. on the caller's
 * thread, reached through the worker mode's host bridge) and check the
 * exact values. */
#include "guest.h"

int main(void) {
  __wasi_timestamp_t t = 0, m = 0, r = 0;
  WASI("clock_time_get REALTIME", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
  WASI("clock_time_get MONOTONIC", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &m));
  WASI("clock_res_get REALTIME", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &r));
  printf("realtime %llu, monotonic %llu, resolution %llu\n",
         (unsigned long long)t, (unsigned long long)m, (unsigned long long)r);
  unsigned char b[8] = {0};
  WASI("random_get 8", __wasi_random_get(b, sizeof b));
  printf("random");
  for (size_t i = 0; i < sizeof b; i++) printf(" %02x", b[i]);
  printf("\n");
  return 0;
}
