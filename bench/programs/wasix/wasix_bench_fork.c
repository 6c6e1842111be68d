/*
 * fork + wait round trip: N times (default 20), fork(); the child _exit(0)s
 * at once; the parent waitpid()s for it and checks its status.
 *
 * Usage: wasix_bench_fork [N=20]
 *   stdout (exit 0): "wasix_bench_fork: forks=N ok=N\n"
 *   stderr: "wasix_bench_fork: ns=T\n", the time of the N round trips.
 * When fork fails: "wasix_bench_fork: error: fork: ENOTSUP" (or the errno's
 * name) on stderr, exit 1.
 */
#include "wasix_bench.h"

#include <sys/wait.h>

static const char *const NAME = "wasix_bench_fork";

int main(int argc, char **argv) {
  long n = bench_count(NAME, argc, argv, 1, 20);
  long ok = 0;
  long long t0 = bench_now_ns();
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) bench_fail(NAME, "fork: %s", bench_errname(errno));
    if (pid == 0) _exit(0);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) bench_fail(NAME, "waitpid: %s", bench_errname(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ok++;
  }
  long long ns = bench_now_ns() - t0;
  printf("%s: forks=%ld ok=%ld\n", NAME, n, ok);
  fflush(stdout);
  fprintf(stderr, "%s: ns=%lld\n", NAME, ns);
  return ok == n ? 0 : 1;
}
