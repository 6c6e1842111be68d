/*
 * WASIX pipe writes: a blocking write larger than the pipe goes in whole
 * while a reader drains it; a non-blocking one stops with EAGAIN when the
 * pipe is full; a write with the reader gone fails with EPIPE and raises
 * SIGPIPE (handled, ignored, and the default action, which ends a child).
 *
 * Usage: wasix_sigpipe SELF   (SELF: the path of this program, run again
 *                              as the child of (e) with the argument "child")
 *
 * stdout (exit 0):
 *   (a) one blocking write of 262144 bytes: 262144
 *   (a) the reader got 262144 bytes, in order yes
 *   (b) a non-blocking write into a full pipe: EAGAIN
 *   (b) the pipe held at least 4096 bytes yes
 *   (c) write with the reader gone: EPIPE
 *   (c) SIGPIPE handler ran 1 time
 *   (d) SIGPIPE ignored: EPIPE
 *   (d) handler still ran 1 time
 *   (e) the child ended at the write, by the default action yes
 *   (f) a child ended during a blocked read, which went on to its data yes
 *
 * (a) A thread reads the pipe 1000 bytes at a time, sleeping 1 ms between
 *     reads, while main writes 256 KiB in one write(2) call, then closes.
 * (b) With O_NONBLOCK set, 4096-byte writes go in until one fails.
 * (c) signal(SIGPIPE, handler); the read end closed; write fails.
 * (d) signal(SIGPIPE, SIG_IGN); the same write fails, no handler runs.
 * (e) The child (default action) writes to a pipe whose read end it closed
 *     and would print a line after. On Linux it ends by SIGPIPE; wasix-libc
 *     runs the default action itself (its handler prints "Program recieved
 *     termination signal: Broken pipe" on stderr and exits with 127), which
 *     is taken too.
 * (f) A child (run with "exit": it sleeps 50 ms and exits) ends while the
 *     parent is blocked in a read of a pipe that a thread writes to 300 ms
 *     later: SIGCHLD, ignored by default, must not make the read fail.
 */
#include "wasix_test.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#define BIG (256 * 1024)

static unsigned char big[BIG];
static volatile sig_atomic_t handled;

static void on_sigpipe(int sig) {
  if (sig == SIGPIPE) handled++;
}

struct drain { int fd; size_t got; int in_order; };

static void *drain(void *arg) {
  struct drain *d = arg;
  unsigned char buf[1000];
  d->in_order = 1;
  for (;;) {
    ssize_t n = read(d->fd, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) if (buf[i] != (unsigned char)((d->got + (size_t)i) % 251)) d->in_order = 0;
    d->got += (size_t)n;
    usleep(1000);
  }
  return NULL;
}

/** The child of (e): the default action for SIGPIPE ends it at the write. */
static int child(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  ssize_t n = write(p[1], "x", 1);
  printf("the child is still running after the write (%d, %s)\n", (int)n, errname(errno));
  return 0;
}

static void *write_later(void *arg) {
  usleep(300000);
  CHECK(write(*(int *)arg, "late", 4) == 4, "write");
  return NULL;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "child") == 0) return child();
  if (argc == 2 && strcmp(argv[1], "exit") == 0) {
    usleep(50000);
    return 0;
  }
  CHECK(argc == 2, "usage: wasix_sigpipe SELF");
  int p[2];

  /* (a) */
  for (size_t i = 0; i < BIG; i++) big[i] = (unsigned char)(i % 251);
  CHECK(pipe(p) == 0, "pipe");
  struct drain d = {p[0], 0, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, drain, &d) == 0, "pthread_create");
  ssize_t wrote = write(p[1], big, BIG);
  printf("(a) one blocking write of %d bytes: %d\n", BIG, (int)wrote);
  close(p[1]);
  CHECK(pthread_join(t, NULL) == 0, "pthread_join");
  close(p[0]);
  printf("(a) the reader got %d bytes, in order %s\n", (int)d.got, yesno(d.in_order));

  /* (b) */
  CHECK(pipe(p) == 0, "pipe");
  CHECK(fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK) == 0, "O_NONBLOCK");
  size_t held = 0;
  for (;;) {
    ssize_t n = write(p[1], big, 4096);
    if (n < 0) break;
    held += (size_t)n;
    CHECK(held <= 16 * BIG, "a non-blocking pipe that never fills");
  }
  printf("(b) a non-blocking write into a full pipe: %s\n", errname(errno));
  printf("(b) the pipe held at least 4096 bytes %s\n", yesno(held >= 4096));
  close(p[0]);
  close(p[1]);

  /* (c) */
  CHECK(signal(SIGPIPE, on_sigpipe) != SIG_ERR, "signal");
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  errno = 0;
  ssize_t n = write(p[1], "x", 1);
  printf("(c) write with the reader gone: %s\n", n < 0 ? errname(errno) : "no error");
  printf("(c) SIGPIPE handler ran %d time\n", (int)handled);

  /* (d) */
  CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
  errno = 0;
  n = write(p[1], "x", 1);
  printf("(d) SIGPIPE ignored: %s\n", n < 0 ? errname(errno) : "no error");
  printf("(d) handler still ran %d time\n", (int)handled);
  close(p[1]);
  CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR, "signal");

  /* (e) */
  fflush(stdout);
  pid_t pid;
  char *child_argv[] = {argv[1], "child", NULL};
  char *child_env[] = {NULL};
  CHECK(posix_spawn(&pid, argv[1], NULL, NULL, child_argv, child_env) == 0, "posix_spawn");
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  int by_signal = WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
  int by_libc = WIFEXITED(status) && WEXITSTATUS(status) == 127;
  printf("(e) the child ended at the write, by the default action %s\n", yesno(by_signal || by_libc));

  /* (f) */
  fflush(stdout);
  CHECK(pipe(p) == 0, "pipe");
  char *exit_argv[] = {argv[1], "exit", NULL};
  CHECK(posix_spawn(&pid, argv[1], NULL, NULL, exit_argv, child_env) == 0, "posix_spawn");
  CHECK(pthread_create(&t, NULL, write_later, &p[1]) == 0, "pthread_create");
  char got[8] = {0};
  errno = 0;
  ssize_t r = read(p[0], got, sizeof got - 1);
  printf("(f) a child ended during a blocked read, which went on to its data %s\n", yesno(r == 4 && strcmp(got, "late") == 0));
  CHECK(pthread_join(t, NULL) == 0, "pthread_join");
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  return 0;
}
