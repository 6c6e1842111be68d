/*
 * WASIX posix_spawn: arguments and environment, file actions that connect
 * the child's stdin and stdout to pipes, waitpid with and without WNOHANG,
 * and a program that does not exist.
 *
 * Usage: wasix_spawn CHILD   (CHILD: the path of wasix_child)
 *
 * stdout (exit 0):
 *   (a) spawning
 *   child argv[0]=child
 *   child argv[1]=alpha
 *   child argv[2]=beta gamma
 *   child CHILD_VAR=from-parent
 *   child stdin: (empty)
 *   (a) waitpid returned the child yes
 *   (a) exit 7
 *   (b) spawned yes
 *   from child: child argv[0]=child
 *   from child: child argv[1]=piped
 *   from child: child CHILD_VAR=(unset)
 *   from child: child stdin: ABC
 *   (b) exit 7
 *   (c) WNOHANG while the child waits for input: 0
 *   (c) WNOHANG returned the child after input yes
 *   (c) from child: child argv[0]=child
 *   (c) from child: child argv[1]=late
 *   (c) from child: child CHILD_VAR=(unset)
 *   (c) from child: child stdin: XYZ
 *   (c) exit 7
 *   (d) missing program: ENOENT
 *
 * (a) argv {"child", "alpha", "beta gamma"}, envp {"CHILD_VAR=from-parent"};
 *     the child's stdin is a pipe that the parent closes at once, its stdout
 *     is the parent's (its lines come before the parent's next one, which is
 *     printed after waitpid).
 * (b) file actions: dup2 of one pipe onto the child's stdin (the parent
 *     writes "abc\n" and closes it) and of another onto its stdout (the
 *     parent reads it to end of file and prints each line prefixed).
 * (c) like (b), but the parent polls waitpid(WNOHANG), gets 0 while the
 *     child blocks reading stdin, then writes "xyz\n", closes, and polls
 *     (10 ms steps, at most 10 s) until waitpid returns the child.
 * (d) posix_spawn of a path that does not exist returns ENOENT.
 */
#include "wasix_test.h"

#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

static char *const no_env[] = {NULL};

/** posix_spawn with the child's stdin (and, if out_pipe, stdout) on pipes. */
static pid_t spawn_child(const char *path, char *const argv[], char *const envp[], int in_pipe[2], int out_pipe[2]) {
  posix_spawn_file_actions_t fa;
  CHECK(posix_spawn_file_actions_init(&fa) == 0, "file_actions_init");
  CHECK(posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0) == 0, "adddup2 stdin");
  CHECK(posix_spawn_file_actions_addclose(&fa, in_pipe[0]) == 0, "addclose");
  CHECK(posix_spawn_file_actions_addclose(&fa, in_pipe[1]) == 0, "addclose");
  if (out_pipe) {
    CHECK(posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1) == 0, "adddup2 stdout");
    CHECK(posix_spawn_file_actions_addclose(&fa, out_pipe[0]) == 0, "addclose");
    CHECK(posix_spawn_file_actions_addclose(&fa, out_pipe[1]) == 0, "addclose");
  }
  pid_t pid = -1;
  int err = posix_spawn(&pid, path, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  CHECK(err == 0, "posix_spawn %s: %s", path, errname(err));
  close(in_pipe[0]);
  if (out_pipe) close(out_pipe[1]);
  return pid;
}

/** Reads fd to end of file and prints each line with `prefix`. */
static void print_lines(int fd, const char *prefix) {
  static char buf[4096];
  read_all(fd, buf, sizeof buf);
  close(fd);
  for (char *line = buf, *nl; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    if (!nl) {
      printf("%s%s (no newline)\n", prefix, line);
      break;
    }
    printf("%s%.*s\n", prefix, (int)(nl - line), line);
  }
}

static int exit_status(pid_t pid) {
  int status = 0;
  pid_t r = waitpid(pid, &status, 0);
  CHECK(r == pid, "waitpid");
  CHECK(WIFEXITED(status), "child did not exit normally");
  return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
  CHECK(argc > 1, "usage: wasix_spawn CHILD");
  const char *child = argv[1];
  setvbuf(stdout, NULL, _IOLBF, 0);
  int in[2], out[2];

  /* (a) */
  char *const argv_a[] = {"child", "alpha", "beta gamma", NULL};
  char *const envp_a[] = {"CHILD_VAR=from-parent", NULL};
  CHECK(pipe(in) == 0, "pipe");
  printf("(a) spawning\n");
  fflush(stdout);
  pid_t pid = spawn_child(child, argv_a, envp_a, in, NULL);
  close(in[1]);
  int status = 0;
  pid_t r = waitpid(pid, &status, 0);
  printf("(a) waitpid returned the child %s\n", yesno(r == pid));
  printf("(a) exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  /* (b) */
  char *const argv_b[] = {"child", "piped", NULL};
  CHECK(pipe(in) == 0 && pipe(out) == 0, "pipe");
  pid = spawn_child(child, argv_b, no_env, in, out);
  printf("(b) spawned yes\n");
  CHECK(write(in[1], "abc\n", 4) == 4, "write to the child");
  close(in[1]);
  print_lines(out[0], "from child: ");
  printf("(b) exit %d\n", exit_status(pid));

  /* (c) */
  char *const argv_c[] = {"child", "late", NULL};
  CHECK(pipe(in) == 0 && pipe(out) == 0, "pipe");
  pid = spawn_child(child, argv_c, no_env, in, out);
  usleep(50000);
  r = waitpid(pid, &status, WNOHANG);
  printf("(c) WNOHANG while the child waits for input: %d\n", (int)r);
  CHECK(write(in[1], "xyz\n", 4) == 4, "write to the child");
  close(in[1]);
  r = 0;
  for (int waited = 0; r == 0 && waited < 10000; waited += 10) {
    r = waitpid(pid, &status, WNOHANG);
    if (r == 0) usleep(10000);
  }
  printf("(c) WNOHANG returned the child after input %s\n", yesno(r == pid));
  print_lines(out[0], "(c) from child: ");
  printf("(c) exit %d\n", r == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  /* (d) */
  char *const argv_d[] = {"missing", NULL};
  pid = -1;
  int err = posix_spawn(&pid, "/no/such/program", NULL, NULL, argv_d, environ);
  if (err == 0) {
    /* glibc before 2.24 and fork-based spawns report exec failure as exit 127 */
    printf("(d) missing program: spawned, exit %d\n", exit_status(pid));
  } else {
    printf("(d) missing program: %s\n", errname(err));
  }
  return 0;
}
