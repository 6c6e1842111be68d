/* N x 16-byte fd_write to fd 1 (the harness points stdout at /dev/null).
 * Usage: write_stdout [N=1000000]. The summary goes to stderr. */
#include "common.h"

int main(int argc, char **argv) {
  unsigned long n = arg_count(argc, argv, 1, 1000000);
  static const char line[16] = "0123456789abcde\n";
  __wasi_ciovec_t iov = { .buf = (const uint8_t *)line, .buf_len = sizeof line };
  unsigned long long total = 0;
  for (unsigned long i = 0; i < n; i++) {
    __wasi_size_t nw = 0;
    __wasi_errno_t err = __wasi_fd_write(1, &iov, 1, &nw);
    if (err != 0) die_errno("fd_write", err);
    total += nw;
  }
  fprintf(stderr, "write_stdout: calls=%lu bytes=%llu\n", n, total);
  return 0;
}
