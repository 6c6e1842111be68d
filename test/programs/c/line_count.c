// Counts the newlines on stdin and prints `lines=N` (a preview 1 program:
// the WASIX pipeline test spawns it as a child of a WASIX process).
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buf[4096];
  long lines = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
  }
  printf("lines=%ld\n", lines);
  return 0;
}
