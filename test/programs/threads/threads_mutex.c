/* Producer/consumer over a bounded queue (8 slots) guarded by the kthread
 * futex mutex and two condition variables: 2 producers each push 1..N,
 * 2 consumers pop until they get a 0 (pushed by main once both producers are
 * done). Every value must be consumed exactly twice.
 * Usage: threads_mutex [N=10000] (N <= 100000).
 *
 * stdout for N = 10000 (exit 0):
 *   produced 20000
 *   consumed 20000
 *   sum 100010000
 *   items ok
 * (in general: 2N, 2N, N*(N+1), items ok). A failed check prints
 * "FAIL: ..." on stderr and exits 1. */
#include "kthread.h"

#define QCAP 8
#define MAXN 100000

static int32_t queue[QCAP];
static int head, tail, count;
static kt_mutex lock = KT_MUTEX_INIT;
static kt_cond not_empty = KT_COND_INIT;
static kt_cond not_full = KT_COND_INIT;
static int32_t seen[MAXN + 1]; /* how many times each value was consumed */
static int32_t n_items;

struct consumer {
  int64_t sum;
  int32_t count;
};
static struct consumer consumers[2];

static void push(int32_t v) {
  kt_mutex_lock(&lock);
  while (count == QCAP) kt_cond_wait(&not_full, &lock);
  queue[tail] = v;
  tail = (tail + 1) % QCAP;
  count++;
  kt_cond_signal(&not_empty);
  kt_mutex_unlock(&lock);
}

static int32_t pop(void) {
  kt_mutex_lock(&lock);
  while (count == 0) kt_cond_wait(&not_empty, &lock);
  int32_t v = queue[head];
  head = (head + 1) % QCAP;
  count--;
  kt_cond_signal(&not_full);
  kt_mutex_unlock(&lock);
  return v;
}

static void producer(void *arg) {
  (void)arg;
  for (int32_t i = 1; i <= n_items; i++) push(i);
}

static void consumer(void *arg) {
  struct consumer *c = arg;
  for (;;) {
    int32_t v = pop();
    if (v == 0) return;
    __atomic_fetch_add(&seen[v], 1, __ATOMIC_RELAXED);
    c->sum += v;
    c->count++;
  }
}

int main(int argc, char **argv) {
  n_items = (int32_t)kt_arg_num(argc, argv, 1, 10000);
  if (n_items < 1 || n_items > MAXN) kt_fail("N must be 1..%d\n", MAXN);
  kthread_t *c0 = kthread_create(consumer, &consumers[0]);
  kthread_t *c1 = kthread_create(consumer, &consumers[1]);
  kthread_t *p0 = kthread_create(producer, NULL);
  kthread_t *p1 = kthread_create(producer, NULL);
  kthread_join(p0);
  kthread_join(p1);
  kt_print("produced %d\n", (int)(2 * n_items));
  push(0);
  push(0);
  kthread_join(c0);
  kthread_join(c1);
  int64_t sum = consumers[0].sum + consumers[1].sum;
  int32_t got = consumers[0].count + consumers[1].count;
  kt_print("consumed %d\n", (int)got);
  kt_print("sum %lld\n", (long long)sum);
  for (int32_t v = 1; v <= n_items; v++)
    if (seen[v] != 2) kt_fail("value %d consumed %d times\n", (int)v, (int)seen[v]);
  if (got != 2 * n_items || sum != (int64_t)n_items * (n_items + 1)) kt_fail("counts are wrong\n");
  kt_print("items ok\n");
  return 0;
}
