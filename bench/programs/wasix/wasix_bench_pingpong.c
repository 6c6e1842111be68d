/*
 * Ping-pong between the main thread and one other thread through a pthread
 * mutex and condition variable: N round trips (default 10000). In each,
 * main hands the turn over and waits for it back; the other thread waits
 * for its turn and hands it back. Both sides block in
 * pthread_cond_wait, so every round trip is two futex waits and two wakes.
 *
 * Usage: wasix_bench_pingpong [N=10000]
 *   stdout (exit 0): "wasix_bench_pingpong: rounds=N\n"
 *   stderr: "wasix_bench_pingpong: ns=T\n", the time of the N round trips.
 */
#include "wasix_bench.h"

#include <pthread.h>

static const char *const NAME = "wasix_bench_pingpong";
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long turn; /* odd: the other thread's turn; even: main's */
static long rounds;

static void *ponger(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (long i = 0; i < rounds; i++) {
    while (turn != 2 * i + 1) pthread_cond_wait(&cv, &mu);
    turn = 2 * i + 2;
    pthread_cond_signal(&cv);
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(int argc, char **argv) {
  rounds = bench_count(NAME, argc, argv, 1, 10000);
  pthread_t t;
  int err = pthread_create(&t, NULL, ponger, NULL);
  if (err != 0) bench_fail(NAME, "pthread_create: %s", bench_errname(err));
  long long t0 = bench_now_ns();
  pthread_mutex_lock(&mu);
  for (long i = 0; i < rounds; i++) {
    turn = 2 * i + 1;
    pthread_cond_signal(&cv);
    while (turn != 2 * i + 2) pthread_cond_wait(&cv, &mu);
  }
  pthread_mutex_unlock(&mu);
  long long ns = bench_now_ns() - t0;
  err = pthread_join(t, NULL);
  if (err != 0) bench_fail(NAME, "pthread_join: %s", bench_errname(err));
  printf("%s: rounds=%ld\n", NAME, rounds);
  fflush(stdout);
  fprintf(stderr, "%s: ns=%lld\n", NAME, ns);
  return 0;
}
