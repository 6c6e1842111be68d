/*
 * The child that wasix_spawn, wasix_pipeline and wasix_exec start: prints
 * its arguments and CHILD_VAR, then reads all of stdin and prints it
 * upper-cased, and exits with status 7.
 *
 * stdout (exit 7), for argv {"child", "one"}, CHILD_VAR=x and "abc\n" on stdin:
 *   child argv[0]=child
 *   child argv[1]=one
 *   child CHILD_VAR=x
 *   child stdin: ABC
 * `child pid is EXPECT_PID yes|no` when EXPECT_PID is set (a parent that
 * execs it checks that exec keeps the pid); `child CHILD_VAR=(unset)` without the variable; `child stdin: (empty)`
 * when stdin is at end of file at once. Input that does not end with a
 * newline gets one. A read error prints `child stdin: read error NAME`.
 */
#include "wasix_test.h"

#include <ctype.h>

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("child argv[%d]=%s\n", i, argv[i]);
  const char *v = getenv("CHILD_VAR");
  printf("child CHILD_VAR=%s\n", v ? v : "(unset)");
  /* Set by a parent that execs this program: exec keeps the pid. */
  const char *expect = getenv("EXPECT_PID");
  if (expect != NULL) printf("child pid is EXPECT_PID %s\n", atoi(expect) == (int)getpid() ? "yes" : "no");
  fflush(stdout);

  static char in[4096];
  size_t got = 0;
  for (;;) {
    if (got == sizeof in) break;
    ssize_t n = read(0, in + got, sizeof in - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      printf("child stdin: read error %s\n", errname(errno));
      return 7;
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  for (size_t i = 0; i < got; i++) in[i] = (char)toupper((unsigned char)in[i]);
  if (got == 0) printf("child stdin: (empty)\n");
  else printf("child stdin: %.*s%s", (int)got, in, in[got - 1] == '\n' ? "" : "\n");
  return 7;
}
