/*
 * WASIX execve: a failed execve returns ENOENT, a forked child execs, and
 * the process itself is replaced by another program (whose exit status
 * becomes the process's).
 *
 * Usage: wasix_exec CHILD   (CHILD: the path of wasix_child)
 *
 * stdout (exit 7, wasix_child's status):
 *   exec: execve of a missing file: ENOENT
 *   exec: forked child execs
 *   child argv[0]=child
 *   child argv[1]=forked
 *   child CHILD_VAR=fork-exec
 *   child stdin: (empty)
 *   exec: forked child exit 7
 *   exec: replacing this process
 *   child argv[0]=child
 *   child argv[1]=from-exec
 *   child argv[2]=two words
 *   child CHILD_VAR=exec-env
 *   child pid is EXPECT_PID yes
 *   child stdin: (empty)
 *
 * stdin is first pointed at an empty pipe, so both children read end of
 * file at once. stdout is flushed before each fork and execve.
 */
#include "wasix_test.h"

#include <sys/wait.h>

int main(int argc, char **argv) {
  CHECK(argc > 1, "usage: wasix_exec CHILD");
  int empty[2];
  CHECK(pipe(empty) == 0, "pipe");
  close(empty[1]);
  CHECK(dup2(empty[0], 0) == 0, "stdin onto an empty pipe");
  close(empty[0]);

  char *const missing_argv[] = {"missing", NULL};
  char *const no_env[] = {NULL};
  errno = 0;
  int r = execve("/no/such/program", missing_argv, no_env);
  printf("exec: execve of a missing file: %s\n", r < 0 ? errname(errno) : "returned");

  printf("exec: forked child execs\n");
  fflush(stdout);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    char *const child_argv[] = {"child", "forked", NULL};
    char *const child_env[] = {"CHILD_VAR=fork-exec", NULL};
    execve(argv[1], child_argv, child_env);
    _exit(127);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  printf("exec: forked child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  printf("exec: replacing this process\n");
  fflush(stdout);
  char *const exec_argv[] = {"child", "from-exec", "two words", NULL};
  static char expect_pid[32];
  snprintf(expect_pid, sizeof expect_pid, "EXPECT_PID=%d", (int)getpid());
  char *const exec_env[] = {"CHILD_VAR=exec-env", expect_pid, NULL};
  execve(argv[1], exec_argv, exec_env);
  CHECK(0, "execve %s", argv[1]);
  return 1;
}
