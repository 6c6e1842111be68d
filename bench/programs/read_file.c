/* Read a whole file with 64 KiB fd_read calls. Usage: read_file PATH.
 * Prints the number of bytes read. */
#include "common.h"
#include <fcntl.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
static uint8_t buf[CHUNK];

int main(int argc, char **argv) {
  const char *path = arg_str(argc, argv, 1, "/data/big.bin");
  int fd = open(path, O_RDONLY);
  if (fd < 0) { perror(path); return 1; }
  __wasi_iovec_t iov = { .buf = buf, .buf_len = CHUNK };
  unsigned long long total = 0;
  for (;;) {
    __wasi_size_t nr = 0;
    __wasi_errno_t err = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &nr);
    if (err != 0) die_errno("fd_read", err);
    if (nr == 0) break;
    total += nr;
  }
  close(fd);
  printf("read_file: bytes=%llu\n", total);
  return 0;
}
