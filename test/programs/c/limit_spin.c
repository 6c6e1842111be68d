/* limit_spin: opens argv[1] (a file in a preopened directory) for writing,
 * writes "opened\n" to it and to stdout, then spins forever without a
 * system call: only a time limit stops it. The test checks that the host
 * descriptor of the file is closed after the guest is stopped.
 */
#include "guest.h"
#include <fcntl.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    print_err("open", errno);
    return 1;
  }
  if (write(fd, "opened\n", 7) != 7) print_err("write", errno);
  printf("opened %s\n", argv[1]);
  fflush(stdout);
  volatile unsigned long long spins = 0;
  for (;;) spins++;
}
