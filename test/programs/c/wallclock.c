/* wallclock: prints the wall-clock time exactly (seconds and nanoseconds),
 * for tests that replace the clock (a preview 1 `clocks` option, or a
 * component's wasi:clocks/wall-clock interface). */
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_REALTIME, &t) != 0) { perror("clock_gettime"); return 1; }
  printf("realtime: %lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
  return 0;
}
