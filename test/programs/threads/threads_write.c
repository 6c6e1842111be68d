/* N 16-byte fd_writes ("0123456789abcde\n") to a descriptor, from a secondary
 * thread (default) or from the main thread; tests and the benchmark
 * (bench/threads.mjs) use it.
 * Usage: threads_write [N=1000] [thread|main] [FD=1]
 *
 * The descriptor gets N lines of "0123456789abcde\n"; then main prints on
 * stderr (exit 0):
 *   threads_write: where=thread fd=1 calls=N bytes=16N
 * e.g. "threads_write: where=thread fd=1 calls=1000 bytes=16000".
 * With KTHREAD_TIMING=1 in the environment, a second stderr line
 * "threads_write: ns=T" gives the time of the write loop alone (measured in
 * the writing thread with clock_time_get(MONOTONIC)).
 * A failed fd_write: "threads_write: fd_write failed: errno E" on stderr,
 * exit 1. A bad argument: usage on stderr, exit 2. */
#include <wasi/api.h>
#include "kthread.h"

struct job {
  uint32_t fd;
  unsigned long calls;
  uint64_t bytes;
  int64_t ns;
  int32_t err;
};

static void write_loop(void *arg) {
  struct job *j = arg;
  static const char line[16] = "0123456789abcde\n";
  __wasi_ciovec_t iov = { .buf = (const uint8_t *)line, .buf_len = sizeof line };
  int64_t t0 = kt_now_ns();
  for (unsigned long i = 0; i < j->calls; i++) {
    __wasi_size_t nw = 0;
    __wasi_errno_t e = __wasi_fd_write(j->fd, &iov, 1, &nw);
    if (e != 0) {
      j->err = e;
      break;
    }
    j->bytes += nw;
  }
  j->ns = kt_now_ns() - t0;
}

int main(int argc, char **argv) {
  static struct job job;
  job.calls = kt_arg_num(argc, argv, 1, 1000);
  const char *where = argc > 2 ? argv[2] : "thread";
  job.fd = (uint32_t)kt_arg_num(argc, argv, 3, 1);
  int timing = kt_timing_wanted();
  if (strcmp(where, "thread") == 0) {
    kthread_join(kthread_create(write_loop, &job));
  } else if (strcmp(where, "main") == 0) {
    write_loop(&job);
  } else {
    kt_print_fd(2, "usage: threads_write [N] [thread|main] [FD]\n");
    return 2;
  }
  if (job.err != 0) {
    kt_print_fd(2, "threads_write: fd_write failed: errno %d\n", (int)job.err);
    return 1;
  }
  kt_print_fd(2, "threads_write: where=%s fd=%u calls=%lu bytes=%llu\n", where, (unsigned)job.fd, job.calls,
              (unsigned long long)job.bytes);
  if (timing) kt_print_fd(2, "threads_write: ns=%lld\n", (long long)job.ns);
  return 0;
}
