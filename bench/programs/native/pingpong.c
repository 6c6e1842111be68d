/* Native reference for the futex ping-pong benchmark (bench/threads.mjs):
 * the protocol of test/programs/threads/threads_pingpong.c with POSIX
 * threads and Linux futexes. Main and one thread take turns through one
 * word, N round trips, waiting with FUTEX_WAIT (no spinning).
 * Built by bench/build.mjs with `gcc -O2 -pthread`.
 * Usage: pingpong [N=10000]
 *   stdout: "pingpong: rounds=N"; stderr: "pingpong: ns=T" (the N round trips). */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int32_t word; /* odd: the thread's turn; even: main's */
static int32_t rounds;

static void futex_wait(_Atomic int32_t *addr, int32_t expected) {
  syscall(SYS_futex, (int32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic int32_t *addr) {
  syscall(SYS_futex, (int32_t *)addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void wait_until(int32_t want) {
  int32_t v;
  while ((v = atomic_load(&word)) != want) futex_wait(&word, v);
}

static void *ponger(void *arg) {
  (void)arg;
  for (int32_t i = 0; i < rounds; i++) {
    wait_until(2 * i + 1);
    atomic_store(&word, 2 * i + 2);
    futex_wake(&word);
  }
  return NULL;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  rounds = argc > 1 ? (int32_t)strtol(argv[1], NULL, 10) : 10000;
  if (rounds < 0) {
    fprintf(stderr, "usage: pingpong [N]\n");
    return 2;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, ponger, NULL) != 0) {
    perror("pthread_create");
    return 1;
  }
  int64_t t0 = now_ns();
  for (int32_t i = 0; i < rounds; i++) {
    atomic_store(&word, 2 * i + 1);
    futex_wake(&word);
    wait_until(2 * i + 2);
  }
  int64_t ns = now_ns() - t0;
  pthread_join(t, NULL);
  printf("pingpong: rounds=%d\n", (int)rounds);
  fprintf(stderr, "pingpong: ns=%lld\n", (long long)ns);
  return 0;
}
