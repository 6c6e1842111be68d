/*
 * WASIX signals between processes: kill() to a forked child runs the
 * child's handler, the child's end raises SIGCHLD in the parent, and a
 * signal that arrives while a thread sleeps ends the sleep with EINTR.
 *
 * stdout (exit 0):
 *   child: SIGUSR1 handled yes
 *   parent: child exit 4
 *   parent: SIGCHLD handled yes
 *   read of an empty pipe interrupted by SIGUSR2: EINTR
 *
 * The child installs its handler before the fork (the handler table is
 * part of the copied memory) and waits for the signal in a sleep loop; the
 * parent sends SIGUSR1 once the child said it is ready through a pipe. For
 * EINTR a second thread sends SIGUSR2 to the process while main blocks
 * reading an empty pipe (the handler installed without SA_RESTART).
 * (wasix-libc's nanosleep reports any error of its poll as ENOTSUP, so a
 * read shows the EINTR.)
 */
#include "wasix_test.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t usr1_seen, chld_seen, usr2_seen;

static void on_usr1(int sig) { (void)sig; usr1_seen = 1; }
static void on_chld(int sig) { (void)sig; chld_seen = 1; }
static void on_usr2(int sig) { (void)sig; usr2_seen = 1; }

static void *send_usr2(void *arg) {
  (void)arg;
  usleep(200000);
  kill(getpid(), SIGUSR2);
  return NULL;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1");
  sa.sa_handler = on_chld;
  CHECK(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction SIGCHLD");

  int ready[2];
  CHECK(pipe(ready) == 0, "pipe");
  fflush(stdout);
  pid_t child = fork();
  CHECK(child >= 0, "fork");
  if (child == 0) {
    close(ready[0]);
    CHECK(write(ready[1], "r", 1) == 1, "child: write");
    for (int waited = 0; !usr1_seen && waited < 5000; waited += 10) usleep(10000);
    printf("child: SIGUSR1 handled %s\n", yesno(usr1_seen));
    fflush(stdout);
    _exit(4);
  }
  close(ready[1]);
  char c;
  CHECK(read(ready[0], &c, 1) == 1, "parent: read");
  CHECK(kill(child, SIGUSR1) == 0, "kill");
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child, "waitpid");
  printf("parent: child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  for (int waited = 0; !chld_seen && waited < 2000; waited += 10) usleep(10000);
  printf("parent: SIGCHLD handled %s\n", yesno(chld_seen));

  sa.sa_handler = on_usr2;
  sa.sa_flags = 0; /* no SA_RESTART: the sleep ends with EINTR */
  CHECK(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction SIGUSR2");
  int empty[2];
  CHECK(pipe(empty) == 0, "pipe");
  pthread_t t;
  CHECK(pthread_create(&t, NULL, send_usr2, NULL) == 0, "pthread_create");
  errno = 0;
  ssize_t r = read(empty[0], &c, 1);
  printf("read of an empty pipe interrupted by SIGUSR2: %s\n", r < 0 ? errname(errno) : "not interrupted");
  pthread_join(t, NULL);
  return usr2_seen ? 0 : 1;
}
