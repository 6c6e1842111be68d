/* cat: copies each file named on the command line to stdout, or standard
 * input when none is named; a file that cannot be opened is reported on
 * stderr and makes the exit status 1. It is the `app.wasm` that the
 * examples in README.md and docs/ run when test/package.test.ts executes
 * them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(FILE *in) {
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, n, stdout) != n) return -1;
  }
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return copy(stdin) == 0 ? 0 : 1;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (f == NULL) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (copy(f) != 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    fclose(f);
  }
  return status;
}
