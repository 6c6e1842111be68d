/*
 * A process tree that never ends by itself: a forked child, a spawned
 * grandchild of the same program (argv[1] "child" marks it) and a second
 * thread, all sleeping. Used to check that a time limit or a signal ends
 * the whole tree and leaves nothing running.
 *
 * stdout: "tree up" once every process and thread is running, then
 * nothing (it is stopped from outside).
 */
#include "wasix_test.h"

#include <pthread.h>
#include <spawn.h>
#include <string.h>

extern char **environ;

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) sleep(1);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    for (;;) sleep(1);
  }
  pthread_t t;
  CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0, "pthread_create");
  fflush(stdout);
  pid_t forked = fork();
  CHECK(forked >= 0, "fork");
  if (forked == 0) {
    for (;;) sleep(1);
  }
  if (argc > 1) {
    pid_t spawned;
    char *child_argv[] = { argv[1], "child", NULL };
    CHECK(posix_spawn(&spawned, argv[1], NULL, NULL, child_argv, environ) == 0, "posix_spawn %s", argv[1]);
  }
  printf("tree up\n");
  fflush(stdout);
  for (;;) sleep(1);
}
