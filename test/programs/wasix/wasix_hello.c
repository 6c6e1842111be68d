/*
 * WASIX hello: start-up, arguments, the environment and the process ids.
 *
 * stdout (exit 0), for `wasix_hello one "two words"` with KILN_TEST=kiln:
 *   hello
 *   argv[1]=one
 *   argv[2]=two words
 *   KILN_TEST=kiln
 *   getpid>0 yes
 *   getppid>=0 yes
 *   getpid!=getppid yes
 * One argv line per argument after the program name; `KILN_TEST=(unset)`
 * when the variable is not set. No pid is printed, only these relations.
 */
#include "wasix_test.h"

int main(int argc, char **argv) {
  printf("hello\n");
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *v = getenv("KILN_TEST");
  printf("KILN_TEST=%s\n", v ? v : "(unset)");
  pid_t pid = getpid(), ppid = getppid();
  printf("getpid>0 %s\n", yesno(pid > 0));
  printf("getppid>=0 %s\n", yesno(ppid >= 0));
  printf("getpid!=getppid %s\n", yesno(pid != ppid));
  return 0;
}
