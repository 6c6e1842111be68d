/*
 * The filter of wasix_pipeline: counts the lines (newlines) it reads from
 * stdin until end of file, prints `lines=N`, and exits with 0 (1 on a read
 * error).
 *
 * stdout (exit 0), for 5 lines on stdin:
 *   lines=5
 */
#include "wasix_test.h"

int main(void) {
  char buf[512];
  long lines = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      printf("read error %s\n", errname(errno));
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] == '\n') lines++;
  }
  printf("lines=%ld\n", lines);
  return 0;
}
