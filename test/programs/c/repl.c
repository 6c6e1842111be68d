/* repl: a line-at-a-time REPL on stdin.
 * usage: repl [fgets | read | once | none]
 *   fgets (default)  prompt "> ", read a line with fgets, answer
 *                    "echo: <line>"; at end of input print "bye".
 *   read             the same with read(2) on fd 0, one read per prompt
 *                    (each answer is what that read returned).
 *   once             answer one line, then exit 0 (stdin may stay open).
 *   none             print "not reading" and exit 0 without touching stdin. */
#include "guest.h"

static void prompt(void) {
  fputs("> ", stdout);
  fflush(stdout);
}

static int mode_fgets(int once) {
  char line[1024];
  for (;;) {
    prompt();
    if (fgets(line, sizeof line, stdin) == NULL) break;
    printf("echo: %s", line);
    if (line[strlen(line) - 1] != '\n') printf("\n");
    fflush(stdout);
    if (once) return 0;
  }
  if (ferror(stdin)) {
    printf("fgets failed: %s (%d)\n", errname(errno), errno);
    return 1;
  }
  printf("bye\n");
  return 0;
}

static int mode_read(void) {
  char buf[1024];
  for (;;) {
    prompt();
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      printf("read failed: %s (%d)\n", errname(errno), errno);
      return 1;
    }
    if (n == 0) break;
    printf("echo: %.*s", (int)n, buf);
    if (buf[n - 1] != '\n') printf("\n");
    fflush(stdout);
  }
  printf("bye\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "fgets";
  if (strcmp(mode, "fgets") == 0) return mode_fgets(0);
  if (strcmp(mode, "once") == 0) return mode_fgets(1);
  if (strcmp(mode, "read") == 0) return mode_read();
  if (strcmp(mode, "none") == 0) {
    printf("not reading\n");
    return 0;
  }
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}
