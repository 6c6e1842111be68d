/*
 * WASIX vfork: a child that only calls _exit, and a child that execs.
 *
 * Usage: wasix_vfork CHILD   (CHILD: the path of wasix_child)
 *
 * stdout (exit 0):
 *   vfork child 1: exit 10
 *   vfork child 2: exit 11
 *   vfork child 3: exit 0
 *   vfork + execve:
 *   child argv[0]=child
 *   child argv[1]=vforked
 *   child CHILD_VAR=vfork
 *   child stdin: (empty)
 *   vfork + execve: exit 7
 *   vfork + execve of a missing file: exit 127
 *
 * The children do nothing but _exit or execve (then _exit(127) if execve
 * fails), as vfork allows. For the exec, the parent first points its own
 * stdin at an empty pipe (restored afterwards), so the child inherits it.
 */
#include "wasix_test.h"

#include <sys/wait.h>

static int exit_status(pid_t pid) {
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  CHECK(WIFEXITED(status), "child did not exit normally");
  return WEXITSTATUS(status);
}

static char *const child_argv[] = {"child", "vforked", NULL};
static char *const child_env[] = {"CHILD_VAR=vfork", NULL};

static pid_t vfork_exec(const char *path) {
  pid_t pid = vfork();
  if (pid == 0) {
    execve(path, child_argv, child_env);
    _exit(127);
  }
  return pid;
}

static pid_t vfork_exit(int code) {
  pid_t pid = vfork();
  if (pid == 0) _exit(code);
  return pid;
}

int main(int argc, char **argv) {
  CHECK(argc > 1, "usage: wasix_vfork CHILD");
  const int codes[] = {10, 11, 0};
  for (int i = 0; i < 3; i++) {
    pid_t pid = vfork_exit(codes[i]);
    CHECK(pid > 0, "vfork");
    printf("vfork child %d: exit %d\n", i + 1, exit_status(pid));
  }

  int empty[2];
  CHECK(pipe(empty) == 0, "pipe");
  close(empty[1]);
  int saved_stdin = dup(0);
  CHECK(saved_stdin >= 0 && dup2(empty[0], 0) == 0, "stdin onto an empty pipe");
  close(empty[0]);

  printf("vfork + execve:\n");
  fflush(stdout);
  pid_t pid = vfork_exec(argv[1]);
  CHECK(pid > 0, "vfork");
  printf("vfork + execve: exit %d\n", exit_status(pid));
  pid = vfork_exec("/no/such/program");
  CHECK(pid > 0, "vfork");
  printf("vfork + execve of a missing file: exit %d\n", exit_status(pid));

  CHECK(dup2(saved_stdin, 0) == 0, "restore stdin");
  close(saved_stdin);
  return 0;
}
