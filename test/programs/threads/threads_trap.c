/* A trap in one thread while another waits: the whole process must end with
 * the trap (`kiln run` prints it and exits 134, like wasmtime).
 *
 * threads_trap [thread]   (default) main blocks forever on a futex; a thread
 *                         prints, then executes `unreachable`.
 *   stdout: "main: waiting\nthread: trapping\n"   then the trap
 *
 * threads_trap main       a thread blocks forever on a futex; main waits until
 *                         it runs, prints, then executes `unreachable`.
 *   stdout: "thread: waiting\nmain: trapping\n"   then the trap
 *
 * Any other argument: "usage: ..." on stderr, exit 2. */
#include "kthread.h"

static volatile int32_t started;

__attribute__((noinline)) static void crash(void) { __builtin_trap(); }

static void trapper(void *arg) {
  (void)arg;
  kt_print("thread: trapping\n");
  crash();
}

static void waiter(void *arg) {
  (void)arg;
  kt_print("thread: waiting\n");
  kt_store(&started, 1);
  kt_futex_wake(&started, 1);
  kt_block_forever();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "thread";
  if (strcmp(mode, "thread") == 0) {
    kt_print("main: waiting\n");
    kthread_create(trapper, NULL);
    kt_block_forever();
  }
  if (strcmp(mode, "main") == 0) {
    kthread_create(waiter, NULL);
    kt_wait_until(&started, 1);
    kt_print("main: trapping\n");
    crash();
  }
  kt_print_fd(2, "usage: threads_trap [thread|main]\n");
  return 2;
}
