/* Files from two threads of one process, on the preopened directory at
 * fd 3 (raw WASI calls: threads use no libc stdio or malloc, see
 * kthread.h). A spawned thread reads "input.txt"; then the main thread
 * reads "dir/b.txt", creates "out.txt" and writes a line into it, and lists
 * the directory's entry count. Output (stdout):
 *   thread read 18 bytes: hello from memory
 *   main read 3 bytes: bee
 *   main wrote 16 bytes to out.txt
 * A failing call prints "FAIL: <call>: errno N" and exits 1. The tests run
 * it on an asynchronous filesystem (Promises) with the kernel's channel
 * server replaying the calls that waited. */
#include <wasi/api.h>
#include "kthread.h"

static int read_file(const char *who, const char *path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e != 0) { kt_print("FAIL: %s path_open %s: errno %d\n", who, path, (int)e); return 1; }
  char buf[64];
  __wasi_iovec_t iov = { .buf = (uint8_t *)buf, .buf_len = sizeof buf - 1 };
  __wasi_size_t n = 0;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  if (e != 0) { kt_print("FAIL: %s fd_read: errno %d\n", who, (int)e); return 1; }
  buf[n] = 0;
  if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
  kt_print("%s read %u bytes: %s\n", who, (unsigned)n, buf);
  (void)__wasi_fd_close(fd);
  return 0;
}

static volatile int32_t thread_failed;

static void reader(void *arg) {
  (void)arg;
  thread_failed = read_file("thread", "input.txt");
}

int main(void) {
  kthread_join(kthread_create(reader, 0));
  if (thread_failed) return 1;
  if (read_file("main", "dir/b.txt")) return 1;
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, 0, "out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                      __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e != 0) { kt_print("FAIL: path_open out.txt: errno %d\n", (int)e); return 1; }
  static const char line[] = "written by main\n";
  __wasi_ciovec_t iov = { .buf = (const uint8_t *)line, .buf_len = sizeof line - 1 };
  __wasi_size_t n = 0;
  e = __wasi_fd_write(fd, &iov, 1, &n);
  if (e != 0) { kt_print("FAIL: fd_write: errno %d\n", (int)e); return 1; }
  (void)__wasi_fd_close(fd);
  kt_print("main wrote %u bytes to out.txt\n", (unsigned)n);
  return 0;
}
