/* limit_fds: opens argv[1] again and again until open fails, then closes
 * one and opens again. Under a descriptor limit the failure is EMFILE.
 */
#include "guest.h"
#include <fcntl.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int fds[4096];
  int count = 0;
  errno = 0;
  while (count < 4096) {
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) break;
    fds[count++] = fd;
  }
  int e = errno;
  printf("opened: %d, last fd %d\n", count, count > 0 ? fds[count - 1] : -1);
  print_err("open", e);
  CHECK("close one", close(fds[count - 1]));
  int fd = open(argv[1], O_RDONLY);
  printf("open again: %s\n", fd >= 0 ? "ok" : errname(errno));
  return 0;
}
