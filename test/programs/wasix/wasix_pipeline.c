/*
 * WASIX two-process pipeline: `child p1 p2 | wc` built with posix_spawn and
 * a pipe, as a shell would.
 *
 * Usage: wasix_pipeline CHILD WC   (the paths of wasix_child and wasix_wc)
 *
 * stdout (exit 0):
 *   pipeline started yes
 *   lines=5
 *   producer exit 7
 *   filter exit 0
 *   no child left: ECHILD
 *
 * The producer (wasix_child, argv {"child", "p1", "p2"}, CHILD_VAR=pipe, an
 * empty stdin) writes 5 lines into the pipe; the filter (wasix_wc) reads
 * them from its stdin and prints `lines=5` on the stdout it inherits. The
 * parent closes its copies of the pipe (or the filter would never see end
 * of file), waits for both, and then finds no child left.
 */
#include "wasix_test.h"

#include <spawn.h>
#include <sys/wait.h>

static int exit_status(pid_t pid) {
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  CHECK(WIFEXITED(status), "child did not exit normally");
  return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
  CHECK(argc > 2, "usage: wasix_pipeline CHILD WC");
  setvbuf(stdout, NULL, _IOLBF, 0);
  int link[2], empty[2];
  CHECK(pipe(link) == 0 && pipe(empty) == 0, "pipe");
  close(empty[1]);

  posix_spawn_file_actions_t fa;
  CHECK(posix_spawn_file_actions_init(&fa) == 0, "file_actions_init");
  CHECK(posix_spawn_file_actions_adddup2(&fa, empty[0], 0) == 0, "adddup2");
  CHECK(posix_spawn_file_actions_adddup2(&fa, link[1], 1) == 0, "adddup2");
  CHECK(posix_spawn_file_actions_addclose(&fa, empty[0]) == 0, "addclose");
  CHECK(posix_spawn_file_actions_addclose(&fa, link[0]) == 0, "addclose");
  CHECK(posix_spawn_file_actions_addclose(&fa, link[1]) == 0, "addclose");
  char *const producer_argv[] = {"child", "p1", "p2", NULL};
  char *const producer_env[] = {"CHILD_VAR=pipe", NULL};
  pid_t producer = -1;
  int err = posix_spawn(&producer, argv[1], &fa, NULL, producer_argv, producer_env);
  CHECK(err == 0, "posix_spawn %s: %s", argv[1], errname(err));
  posix_spawn_file_actions_destroy(&fa);
  close(empty[0]);

  CHECK(posix_spawn_file_actions_init(&fa) == 0, "file_actions_init");
  CHECK(posix_spawn_file_actions_adddup2(&fa, link[0], 0) == 0, "adddup2");
  CHECK(posix_spawn_file_actions_addclose(&fa, link[0]) == 0, "addclose");
  CHECK(posix_spawn_file_actions_addclose(&fa, link[1]) == 0, "addclose");
  char *const filter_argv[] = {"wc", NULL};
  char *const filter_env[] = {NULL};
  printf("pipeline started yes\n");
  pid_t filter = -1;
  err = posix_spawn(&filter, argv[2], &fa, NULL, filter_argv, filter_env);
  CHECK(err == 0, "posix_spawn %s: %s", argv[2], errname(err));
  posix_spawn_file_actions_destroy(&fa);
  close(link[0]);
  close(link[1]);

  int filter_status = exit_status(filter);
  int producer_status = exit_status(producer);
  printf("producer exit %d\n", producer_status);
  printf("filter exit %d\n", filter_status);
  errno = 0;
  pid_t r = waitpid(-1, NULL, 0);
  printf("no child left: %s\n", r < 0 ? errname(errno) : "a child was left");
  return 0;
}
