/* Thread creation cost: spawns and joins N threads (default 100), BATCH at a
 * time (default 1: one after another); each thread bumps a counter.
 * Usage: threads_spawn_join [N=100] [BATCH=1] (BATCH <= 64).
 *   stdout (exit 0): "threads_spawn_join: threads=N batch=B ran=N\n"
 *   e.g. "threads_spawn_join: threads=100 batch=1 ran=100"
 * With KTHREAD_TIMING=1 in the environment, stderr gets
 * "threads_spawn_join: ns=T", the time of all spawns and joins. */
#include "kthread.h"

static volatile int32_t ran;

static void bump(void *arg) {
  (void)arg;
  __atomic_fetch_add(&ran, 1, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv) {
  int n = (int)kt_arg_num(argc, argv, 1, 100);
  int batch = (int)kt_arg_num(argc, argv, 2, 1);
  if (batch < 1 || batch > KTHREAD_MAX) kt_fail("BATCH must be 1..%d\n", KTHREAD_MAX);
  int timing = kt_timing_wanted();
  kthread_t *threads[KTHREAD_MAX];
  int64_t t0 = kt_now_ns();
  for (int done = 0; done < n;) {
    int k = n - done < batch ? n - done : batch;
    for (int i = 0; i < k; i++) threads[i] = kthread_create(bump, NULL);
    for (int i = 0; i < k; i++) kthread_join(threads[i]);
    done += k;
  }
  int64_t ns = kt_now_ns() - t0;
  if (kt_load(&ran) != n) kt_fail("%d threads ran, %d spawned\n", (int)kt_load(&ran), n);
  kt_print("threads_spawn_join: threads=%d batch=%d ran=%d\n", n, batch, (int)kt_load(&ran));
  if (timing) kt_print_fd(2, "threads_spawn_join: ns=%lld\n", (long long)ns);
  return 0;
}
