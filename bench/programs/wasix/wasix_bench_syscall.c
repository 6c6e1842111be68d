/*
 * System call cost: N clock_gettime(CLOCK_MONOTONIC) calls, then N write()s
 * of 16 bytes to fd 1 (the harness points stdout at a sink: /dev/null or a
 * discarding stream), each loop timed on its own. Plain POSIX, so the same
 * source builds for WASIX (wasix-libc) and for preview 1 (wasi-libc), where
 * these are clock_time_get and fd_write.
 *
 * Usage: wasix_bench_syscall [N=100000]
 *   stderr (exit 0): "wasix_bench_syscall: calls=N monotonic=yes bytes=16N\n"
 *   then "wasix_bench_syscall: clock_ns=T1 write_ns=T2\n".
 */
#include "wasix_bench.h"

static const char *const NAME = "wasix_bench_syscall";

int main(int argc, char **argv) {
  long n = bench_count(NAME, argc, argv, 1, 100000);
  static const char line[16] = "0123456789abcde\n";

  struct timespec ts, prev = {0, 0};
  long backwards = 0;
  long long t0 = bench_now_ns();
  for (long i = 0; i < n; i++) {
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) bench_fail(NAME, "clock_gettime: %s", bench_errname(errno));
    if (ts.tv_sec < prev.tv_sec || (ts.tv_sec == prev.tv_sec && ts.tv_nsec < prev.tv_nsec)) backwards++;
    prev = ts;
  }
  long long t1 = bench_now_ns();
  long long bytes = 0;
  for (long i = 0; i < n; i++) {
    ssize_t w = write(1, line, sizeof line);
    if (w < 0) bench_fail(NAME, "write: %s", bench_errname(errno));
    bytes += w;
  }
  long long t2 = bench_now_ns();
  fprintf(stderr, "%s: calls=%ld monotonic=%s bytes=%lld\n", NAME, n, backwards ? "NO" : "yes", bytes);
  fprintf(stderr, "%s: clock_ns=%lld write_ns=%lld\n", NAME, t1 - t0, t2 - t1);
  return backwards ? 1 : 0;
}
