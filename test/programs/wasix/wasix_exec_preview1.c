/*
 * WASIX execve of a preview 1 program (a module that defines its own
 * memory, as single-threaded builds and 2023's cowsay are), in a forked
 * child and in place of the process itself.
 *
 * Usage: wasix_exec_preview1 PROGRAM   (PROGRAM: the path of line_count,
 * which prints `lines=N` for the newlines on its stdin)
 *
 * stdout (exit 0, line_count's status):
 *   exec_preview1: forked child execs
 *   lines=2
 *   exec_preview1: forked child exit 0
 *   exec_preview1: replacing this process
 *   lines=3
 */
#include "wasix_test.h"

#include <sys/wait.h>

/** Points stdin at a pipe that holds `text` and then ends. */
static void stdin_from(const char *text) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  CHECK(write(p[1], text, strlen(text)) == (ssize_t)strlen(text), "write");
  close(p[1]);
  CHECK(dup2(p[0], 0) == 0, "dup2");
  close(p[0]);
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: wasix_exec_preview1 PROGRAM");
  char *const child_argv[] = {"lc", NULL};

  stdin_from("one\ntwo\n");
  printf("exec_preview1: forked child execs\n");
  fflush(stdout);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    execv(argv[1], child_argv);
    fprintf(stderr, "execv: %s\n", errname(errno));
    _exit(99);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  printf("exec_preview1: forked child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  stdin_from("a\nb\nc\n");
  printf("exec_preview1: replacing this process\n");
  fflush(stdout);
  execv(argv[1], child_argv);
  CHECK(0, "execv %s", argv[1]);
  return 1;
}
