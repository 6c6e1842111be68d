/* wasi-threads basics: 4 threads add 1..1000 to one atomic counter, 1000
 * times each, then report in a fixed order (a turn variable); main joins them
 * and checks the total, the thread ids, the stacks and thread-local storage.
 *
 * stdout (exit 0):
 *   thread 0: added 500500000
 *   thread 1: added 500500000
 *   thread 2: added 500500000
 *   thread 3: added 500500000
 *   total 2002000000
 *   tids ok
 *   stacks ok
 *   tls ok
 * stderr: "threads_basic: tids A B C D" (the ids thread-spawn returned).
 * Any failed check prints "FAIL: ..." on stderr and exits 1. */
#include "kthread.h"

#define THREADS 4
#define ROUNDS 1000
#define TOP 1000

static volatile int64_t counter;
static volatile int32_t turn;
static _Thread_local int32_t my_index = -1;

struct work {
  int32_t index;
  int32_t stack_ok;
  int32_t tls_ok;
  int64_t added;
};
static struct work works[THREADS];
static kthread_t *threads[THREADS];

static void worker(void *arg) {
  struct work *w = arg;
  kthread_t *self = kthread_self(); /* the slot whose stack we are on */
  w->stack_ok = self != NULL && self->arg == w;
  w->tls_ok = my_index == -1; /* a fresh TLS block has the initial value */
  my_index = w->index;
  int64_t added = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int k = 1; k <= TOP; k++) {
      __atomic_fetch_add(&counter, k, __ATOMIC_SEQ_CST);
      added += k;
    }
  }
  w->added = added;
  w->tls_ok = w->tls_ok && my_index == w->index;
  kt_wait_until(&turn, w->index);
  kt_print("thread %d: added %lld\n", (int)w->index, (long long)added);
  kt_store(&turn, w->index + 1);
  kt_futex_wake(&turn, UINT32_MAX);
}

int main(void) {
  int32_t tids[THREADS];
  my_index = 99;
  for (int i = 0; i < THREADS; i++) {
    works[i].index = i;
    threads[i] = kthread_create(worker, &works[i]);
    tids[i] = threads[i]->spawn_tid;
  }
  int ok = 1;
  for (int i = 0; i < THREADS; i++) {
    int32_t got = kthread_join(threads[i]);
    if (got != tids[i]) {
      kt_print_fd(2, "FAIL: thread %d: thread-spawn returned %d, wasi_thread_start got %d\n", i, (int)tids[i], (int)got);
      ok = 0;
    }
  }
  kt_print("total %lld\n", (long long)counter);
  if (counter != (int64_t)THREADS * ROUNDS * (TOP * (TOP + 1) / 2)) kt_fail("total is wrong\n");
  kt_print_fd(2, "threads_basic: tids %d %d %d %d\n", (int)tids[0], (int)tids[1], (int)tids[2], (int)tids[3]);
  for (int i = 0; i < THREADS; i++) {
    if (tids[i] <= 0) {
      kt_print_fd(2, "FAIL: tid %d is not positive\n", (int)tids[i]);
      ok = 0;
    }
    for (int j = 0; j < i; j++) {
      if (tids[i] == tids[j]) {
        kt_print_fd(2, "FAIL: tid %d given twice\n", (int)tids[i]);
        ok = 0;
      }
    }
  }
  if (!ok) return 1;
  kt_print("tids ok\n");
  for (int i = 0; i < THREADS; i++)
    if (!works[i].stack_ok) kt_fail("thread %d does not run on its own stack\n", i);
  kt_print("stacks ok\n");
  for (int i = 0; i < THREADS; i++)
    if (!works[i].tls_ok) kt_fail("thread %d: thread-local storage is not its own\n", i);
  if (my_index != 99) kt_fail("main: thread-local storage changed by another thread\n");
  kt_print("tls ok\n");
  return 0;
}
