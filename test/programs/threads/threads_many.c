/* Spawns threads until thread-spawn fails (the thread limit), without
 * joining: every thread waits for a release flag. Then releases and joins
 * them all, and checks that a thread can be spawned again afterwards
 * (retrying for up to 5 s while the host retires the finished threads).
 * Usage: threads_many [CAP=64] (CAP <= 128): stop after CAP threads.
 *
 * stdout when thread-spawn failed after K threads (exit 0), e.g. K = 4:
 *   spawned 4
 *   thread-spawn returned -6        (-EAGAIN: the value thread-spawn returned)
 *   joined 4
 *   respawn ok
 * stdout when CAP threads were spawned without a failure (exit 2):
 *   spawned 64
 *   no failure before the cap
 *   joined 64
 *   respawn ok
 * If no thread can be spawned again within 5 s: "respawn failed: N" (N = the
 * last value thread-spawn returned) instead of "respawn ok", exit 1. */
#define KTHREAD_MAX 128
#define KTHREAD_STACK_SIZE (8 * 1024)
#include "kthread.h"

static volatile int32_t release;
static volatile int32_t ran;

static void holder(void *arg) {
  (void)arg;
  __atomic_fetch_add(&ran, 1, __ATOMIC_SEQ_CST);
  kt_wait_until(&release, 1);
}

static void nothing(void *arg) { (void)arg; }

int main(int argc, char **argv) {
  int cap = (int)kt_arg_num(argc, argv, 1, 64);
  if (cap < 1 || cap > KTHREAD_MAX) kt_fail("CAP must be 1..%d\n", KTHREAD_MAX);
  static kthread_t *threads[KTHREAD_MAX];
  int n = 0;
  int32_t err = 0;
  while (n < cap) {
    kthread_t *t = kthread_create_err(holder, NULL, &err);
    if (!t) break;
    threads[n++] = t;
  }
  kt_print("spawned %d\n", n);
  if (n < cap) {
    if (err == 0) kt_fail("out of kthread slots\n");
    kt_print("thread-spawn returned %d\n", (int)err);
  } else {
    kt_print("no failure before the cap\n");
  }
  kt_store(&release, 1);
  kt_futex_wake(&release, UINT32_MAX);
  for (int i = 0; i < n; i++) kthread_join(threads[i]);
  if (kt_load(&ran) != n) kt_fail("%d threads ran, %d spawned\n", (int)kt_load(&ran), n);
  kt_print("joined %d\n", n);
  int32_t last = 0;
  for (int attempt = 0; attempt < 500; attempt++) {
    kthread_t *t = kthread_create_err(nothing, NULL, &last);
    if (t) {
      kthread_join(t);
      kt_print("respawn ok\n");
      return n < cap ? 0 : 2;
    }
    kt_sleep_ms(10);
  }
  kt_print("respawn failed: %d\n", (int)last);
  return 1;
}
