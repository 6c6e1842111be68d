/*
 * Pipe throughput between two processes: the parent posix_spawns CHILD
 * (this same program) with its stdout on a pipe; the child writes M MiB
 * (default 16) in 64 KiB writes and exits; the parent reads the pipe to end
 * of file in 64 KiB reads, counts the bytes, checks the pattern and waits
 * for the child (exit 0).
 *
 * Usage: wasix_bench_pipe M CHILD       (the parent; CHILD: this program's path)
 *        wasix_bench_pipe --write M     (the child: M MiB to stdout)
 *   stdout (exit 0): "wasix_bench_pipe: bytes=B child=0\n"
 *   stderr: "wasix_bench_pipe: ns=T timed=B2\n": the time from the end of
 *   the parent's first read to end of file, and the B2 bytes read in it (the
 *   child's start-up is not in T). A write the child's pipe answers with
 *   EAGAIN is retried after poll(POLLOUT), and the child then says so on
 *   stderr: "wasix_bench_pipe: child: K write(s) answered EAGAIN ...".
 */
#include "wasix_bench.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>

static const char *const NAME = "wasix_bench_pipe";
#define CHUNK (64 * 1024)
static unsigned char buf[CHUNK];

extern char **environ;

static int child(long mib) {
  for (int i = 0; i < CHUNK; i++) buf[i] = (unsigned char)(i * 7);
  long long left = (long long)mib << 20;
  long eagain = 0;
  while (left > 0) {
    size_t want = left < CHUNK ? (size_t)left : CHUNK;
    size_t at = 0;
    while (at < want) {
      ssize_t n = write(1, buf + at, want - at);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          /* A blocking pipe should not say this; wait until it takes more. */
          eagain++;
          struct pollfd p = {.fd = 1, .events = POLLOUT, .revents = 0};
          poll(&p, 1, -1);
          continue;
        }
        bench_fail(NAME, "child write: %s", bench_errname(errno));
      }
      at += (size_t)n;
    }
    left -= (long long)want;
  }
  if (eagain) {
    int nonblock = (fcntl(1, F_GETFL) & O_NONBLOCK) != 0;
    fprintf(stderr, "%s: child: %ld write(s) answered EAGAIN (stdout O_NONBLOCK: %s)\n", NAME, eagain, nonblock ? "yes" : "no");
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--write") == 0) return child(bench_count(NAME, argc, argv, 2, 16));
  if (argc < 3) bench_fail(NAME, "usage: %s M CHILD | --write M", NAME);
  long mib = bench_count(NAME, argc, argv, 1, 16);
  const char *path = argv[2];

  int fds[2];
  if (pipe(fds) != 0) bench_fail(NAME, "pipe: %s", bench_errname(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char mib_arg[32];
  snprintf(mib_arg, sizeof mib_arg, "%ld", mib);
  char *const child_argv[] = {(char *)path, "--write", mib_arg, NULL};
  pid_t pid = -1;
  int err = posix_spawn(&pid, path, &fa, NULL, child_argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) bench_fail(NAME, "posix_spawn %s: %s", path, bench_errname(err));
  close(fds[1]);

  long long total = 0, timed = 0, t0 = 0;
  long long pos = 0; /* where in the 64 KiB pattern the next byte is */
  int first = 1, bad = 0;
  for (;;) {
    ssize_t n = read(fds[0], buf, CHUNK);
    if (n < 0) {
      if (errno == EINTR) continue;
      bench_fail(NAME, "read: %s", bench_errname(errno));
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i += 4093) bad |= buf[i] != (unsigned char)(((pos + i) % CHUNK) * 7);
    pos += n;
    total += n;
    if (first) {
      first = 0;
      t0 = bench_now_ns();
    } else {
      timed += n;
    }
  }
  long long ns = bench_now_ns() - t0;
  close(fds[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) bench_fail(NAME, "waitpid: %s", bench_errname(errno));
  if (bad) bench_fail(NAME, "the bytes read differ from what the child wrote");
  printf("%s: bytes=%lld child=%d\n", NAME, total, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  fflush(stdout);
  fprintf(stderr, "%s: ns=%lld timed=%lld\n", NAME, ns, timed);
  return 0;
}
