/* N x 16-byte fd_write to a regular file under a preopened directory.
 * Usage: write_file PATH [N=1000000]. */
#include "common.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *path = arg_str(argc, argv, 1, "/out/write_file.bin");
  unsigned long n = arg_count(argc, argv, 2, 1000000);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { perror(path); return 1; }
  static const char line[16] = "0123456789abcde\n";
  __wasi_ciovec_t iov = { .buf = (const uint8_t *)line, .buf_len = sizeof line };
  unsigned long long total = 0;
  for (unsigned long i = 0; i < n; i++) {
    __wasi_size_t nw = 0;
    __wasi_errno_t err = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &nw);
    if (err != 0) die_errno("fd_write", err);
    total += nw;
  }
  if (close(fd) != 0) { perror("close"); return 1; }
  printf("write_file: calls=%lu bytes=%llu\n", n, total);
  return 0;
}
