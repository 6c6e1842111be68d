/*
 * Thread spawn + join: N threads (default 100), each created with
 * pthread_create, running a one-line function and joined with pthread_join
 * before the next is created.
 *
 * Usage: wasix_bench_threads [N=100]
 *   stdout (exit 0): "wasix_bench_threads: threads=N ran=N\n"
 *   stderr: "wasix_bench_threads: ns=T\n", the time of the N create + join.
 */
#include "wasix_bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

static const char *const NAME = "wasix_bench_threads";
static atomic_int ran;

static void *body(void *arg) {
  atomic_fetch_add(&ran, 1);
  return arg;
}

int main(int argc, char **argv) {
  long n = bench_count(NAME, argc, argv, 1, 100);
  long long t0 = bench_now_ns();
  for (long i = 0; i < n; i++) {
    pthread_t t;
    int err = pthread_create(&t, NULL, body, (void *)(intptr_t)(i + 1));
    if (err != 0) bench_fail(NAME, "pthread_create %ld: %s", i, bench_errname(err));
    void *ret = NULL;
    err = pthread_join(t, &ret);
    if (err != 0) bench_fail(NAME, "pthread_join %ld: %s", i, bench_errname(err));
    if (ret != (void *)(intptr_t)(i + 1)) bench_fail(NAME, "thread %ld returned the wrong value", i);
  }
  long long ns = bench_now_ns() - t0;
  printf("%s: threads=%ld ran=%d\n", NAME, n, atomic_load(&ran));
  fflush(stdout);
  fprintf(stderr, "%s: ns=%lld\n", NAME, ns);
  return 0;
}
