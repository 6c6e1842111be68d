/* Busy threads for the wall-clock limit: N threads (default 2) and main spin
 * forever in tight loops without system calls. Main waits until all N run,
 * prints one line, then spins; the program never ends by itself.
 * Usage: threads_spin [N=2] (N <= 64).
 *   stdout: "threads_spin: N threads spinning\n" (e.g. "threads_spin: 2 threads spinning")
 *   then nothing; no exit. */
#include "kthread.h"

static volatile int32_t started;
static volatile uint32_t spins[KTHREAD_MAX + 1];

static void spinner(void *arg) {
  volatile uint32_t *counter = arg;
  __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
  kt_futex_wake(&started, 1);
  for (;;) (*counter)++;
}

int main(int argc, char **argv) {
  int n = (int)kt_arg_num(argc, argv, 1, 2);
  if (n > KTHREAD_MAX) kt_fail("at most %d threads\n", KTHREAD_MAX);
  for (int i = 0; i < n; i++) kthread_create(spinner, (void *)&spins[i + 1]);
  int32_t s;
  while ((s = kt_load(&started)) != n) kt_futex_wait(&started, s, -1);
  kt_print("threads_spin: %d threads spinning\n", n);
  for (;;) spins[0]++;
}
