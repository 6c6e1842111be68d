/* Futex ping-pong: main and one thread take turns through one word, N round
 * trips (default 10000), waiting with memory.atomic.wait32 (no spinning).
 * Usage: threads_pingpong [N=10000]
 *   stdout (exit 0): "threads_pingpong: rounds=N\n"
 * With KTHREAD_TIMING=1 in the environment, stderr gets
 * "threads_pingpong: ns=T", the time of the N round trips.
 * Same protocol as bench/programs/native/pingpong.c. */
#include "kthread.h"

static volatile int32_t word; /* odd: the thread's turn; even: main's */
static int32_t rounds;

static void ponger(void *arg) {
  (void)arg;
  for (int32_t i = 0; i < rounds; i++) {
    kt_wait_until(&word, 2 * i + 1);
    kt_store(&word, 2 * i + 2);
    kt_futex_wake(&word, 1);
  }
}

int main(int argc, char **argv) {
  rounds = (int32_t)kt_arg_num(argc, argv, 1, 10000);
  int timing = kt_timing_wanted();
  kthread_t *t = kthread_create(ponger, NULL);
  int64_t t0 = kt_now_ns();
  for (int32_t i = 0; i < rounds; i++) {
    kt_store(&word, 2 * i + 1);
    kt_futex_wake(&word, 1);
    kt_wait_until(&word, 2 * i + 2);
  }
  int64_t ns = kt_now_ns() - t0;
  kthread_join(t);
  kt_print("threads_pingpong: rounds=%d\n", (int)rounds);
  if (timing) kt_print_fd(2, "threads_pingpong: ns=%lld\n", (long long)ns);
  return 0;
}
