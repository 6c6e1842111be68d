/* N x clock_time_get(MONOTONIC). Usage: clock [N=1000000]. */
#include "common.h"

int main(int argc, char **argv) {
  unsigned long n = arg_count(argc, argv, 1, 1000000);
  __wasi_timestamp_t prev = 0, first = 0, t = 0;
  unsigned long backwards = 0;
  for (unsigned long i = 0; i < n; i++) {
    __wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    if (err != 0) die_errno("clock_time_get", err);
    if (i == 0) first = t;
    else if (t < prev) backwards++;
    prev = t;
  }
  printf("clock: calls=%lu monotonic=%s advanced=%s\n", n,
         backwards == 0 ? "yes" : "NO", (n < 2 || prev > first) ? "yes" : "NO");
  return backwards == 0 ? 0 : 1;
}
