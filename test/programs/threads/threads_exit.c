/* proc_exit and exit while other threads run.
 *
 * threads_exit [thread]   (default) main blocks forever on a futex; a thread
 *                         sleeps 100 ms (a futex timeout, no syscall), then
 *                         calls proc_exit(7). The process must exit 7.
 *   stdout: "main: waiting\nthread: exiting with 7\n"     exit code 7
 *
 * threads_exit main       a thread spins forever without syscalls; main waits
 *                         until it runs, then calls exit(3).
 *   stdout: "thread: spinning\nmain: exiting with 3\n"     exit code 3
 *
 * Any other argument: "usage: ..." on stderr, exit 2. */
#include "kthread.h"

static volatile int32_t started;
static volatile uint32_t spins;

static void exiter(void *arg) {
  (void)arg;
  kt_sleep_ms(100);
  kt_print("thread: exiting with 7\n");
  _Exit(7); /* proc_exit(7), from this thread */
}

static void spinner(void *arg) {
  (void)arg;
  kt_print("thread: spinning\n");
  kt_store(&started, 1);
  kt_futex_wake(&started, 1);
  for (;;) spins++;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "thread";
  if (strcmp(mode, "thread") == 0) {
    kt_print("main: waiting\n");
    kthread_create(exiter, NULL);
    kt_block_forever();
  }
  if (strcmp(mode, "main") == 0) {
    kthread_create(spinner, NULL);
    kt_wait_until(&started, 1);
    kt_print("main: exiting with 3\n");
    exit(3);
  }
  kt_print_fd(2, "usage: threads_exit [thread|main]\n");
  return 2;
}
