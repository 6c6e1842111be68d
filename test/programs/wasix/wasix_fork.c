/*
 * WASIX fork: the child gets a copy of the parent's memory (not shared),
 * its own pid with the parent as parent, and its exit status reaches
 * waitpid; fork also works from a thread other than the main one.
 *
 * stdout (exit 0):
 *   before fork
 *   child: fork returned 0 yes
 *   child: memory copied yes
 *   child: variable and buffer changed yes
 *   child: getppid is the parent yes
 *   child: getpid differs from the parent yes
 *   parent: waitpid returned the child yes
 *   parent: child exit 3
 *   parent: variable still 1 yes
 *   parent: buffer unchanged yes
 *   thread-child: fork returned 0 in the thread yes
 *   thread-child: memory copied yes
 *   parent: fork in a thread: child exit 5
 *   parent: variable still 1 after the thread's child yes
 *
 * The parent fills a global and a 1 MiB heap buffer before forking, the
 * child checks them and overwrites them and exits with 3; after waitpid the
 * parent still sees its own values. Then a second thread forks: the child
 * (running on that thread's stack) checks memory, writes its lines with
 * write() and _exits with 5; the thread waits for it and main joins the
 * thread. stdout is flushed before each fork.
 */
#include "wasix_test.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>

#define BUFFER_SIZE (1024 * 1024)

static volatile int variable = 1;
static unsigned char *buffer;
static pid_t parent_pid;

static int buffer_is(unsigned char base) {
  for (size_t i = 0; i < BUFFER_SIZE; i++)
    if (buffer[i] != (unsigned char)(base + i % 251)) return 0;
  return 1;
}

static void fill(unsigned char base) {
  for (size_t i = 0; i < BUFFER_SIZE; i++) buffer[i] = (unsigned char)(base + i % 251);
}

static void say(const char *line) {
  size_t len = strlen(line);
  CHECK(write(1, line, len) == (ssize_t)len, "write");
}

static void *fork_in_thread(void *arg) {
  (void)arg;
  int local = 11;
  pid_t pid = fork();
  if (pid == 0) {
    char line[128];
    snprintf(line, sizeof line, "thread-child: fork returned 0 in the thread %s\n", yesno(local == 11));
    say(line);
    snprintf(line, sizeof line, "thread-child: memory copied %s\n", yesno(variable == 1 && buffer_is(1)));
    say(line);
    variable = 9;
    fill(9);
    _exit(5);
  }
  if (pid < 0) return (void *)(intptr_t)-1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return (void *)(intptr_t)-2;
  return (void *)(intptr_t)WEXITSTATUS(status);
}

int main(void) {
  buffer = malloc(BUFFER_SIZE);
  CHECK(buffer != NULL, "malloc");
  fill(1);
  parent_pid = getpid();
  printf("before fork\n");
  fflush(stdout);

  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    printf("child: fork returned 0 yes\n");
    printf("child: memory copied %s\n", yesno(variable == 1 && buffer_is(1)));
    variable = 2;
    fill(2);
    printf("child: variable and buffer changed %s\n", yesno(variable == 2 && buffer_is(2)));
    printf("child: getppid is the parent %s\n", yesno(getppid() == parent_pid));
    printf("child: getpid differs from the parent %s\n", yesno(getpid() != parent_pid));
    fflush(stdout);
    return 3;
  }
  int status = 0;
  pid_t r = waitpid(pid, &status, 0);
  printf("parent: waitpid returned the child %s\n", yesno(r == pid));
  printf("parent: child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  printf("parent: variable still 1 %s\n", yesno(variable == 1));
  printf("parent: buffer unchanged %s\n", yesno(buffer_is(1)));
  fflush(stdout);

  pthread_t t;
  CHECK(pthread_create(&t, NULL, fork_in_thread, NULL) == 0, "pthread_create");
  void *result = NULL;
  CHECK(pthread_join(t, &result) == 0, "pthread_join");
  printf("parent: fork in a thread: child exit %d\n", (int)(intptr_t)result);
  printf("parent: variable still 1 after the thread's child %s\n", yesno(variable == 1 && buffer_is(1)));
  return 0;
}
