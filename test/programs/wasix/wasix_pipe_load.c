/*
 * Pipes under load, between processes and between threads: what a guest
 * thread that moves a pipe's bytes itself (Kiln's shared-memory pipe
 * rings) must keep exactly as the kernel does.
 *
 * Usage: wasix_pipe_load SELF   (SELF: this program's path, for the child)
 *        wasix_pipe_load --write SEED BYTES   (the child: a pattern to stdout)
 *
 * 1. Between processes: a posix_spawn'ed child writes 3 MiB of a pattern
 *    to its stdout (a pipe) in writes of 1 byte to 150 000 bytes; the
 *    parent reads it in reads of 1 byte to 100 000 bytes and checks every
 *    byte, then end of file and the child's exit status.
 * 2. Between threads: four threads write 1 500 records each of 1 to
 *    PIPE_BUF bytes into one pipe; no record is torn (PIPE_BUF writes go
 *    in whole) and each writer's records arrive in order.
 * 3. NONBLOCK: an empty pipe's read is EAGAIN; writes fill the pipe to at
 *    least 64 KiB and then answer EAGAIN; once a page's worth is read, a
 *    write larger than PIPE_BUF takes what fits (a page, as Linux does).
 * 4. A read blocked on an empty pipe ends with EINTR when a signal
 *    (handler, no SA_RESTART) comes for its thread; one blocked while
 *    the last writer closes returns end of file; a writer blocked on a
 *    full pipe goes on when a reader makes room.
 * 5. With the read end closed, a write is EPIPE (SIGPIPE ignored).
 */
#include "wasix_test.h"

#include <fcntl.h>
#include <limits.h>

#ifndef PIPE_BUF
#define PIPE_BUF 4096 /* POSIX requires it; wasix-libc's limits.h leaves it out */
#endif
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/wait.h>

extern char **environ;

#define PROCESS_BYTES (3 * 1024 * 1024)

/** A small deterministic generator (xorshift32). */
static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/** The pattern's byte at `at`. */
static unsigned char pattern(long at) { return (unsigned char)((at * 131) ^ (at >> 9)); }

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t k = write(fd, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static int child(uint32_t seed, long bytes) {
  static unsigned char buf[150000];
  long at = 0;
  while (at < bytes) {
    long n = 1 + (long)(next_random(&seed) % sizeof buf);
    if (n > bytes - at) n = bytes - at;
    for (long i = 0; i < n; i++) buf[i] = pattern(at + i);
    CHECK(write_all(1, buf, (size_t)n) == 0, "child write");
    at += n;
  }
  return 7;
}

static void between_processes(const char *self) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  posix_spawn_file_actions_addclose(&fa, p[1]);
  char bytes[32];
  snprintf(bytes, sizeof bytes, "%d", PROCESS_BYTES);
  char *const argv[] = {(char *)self, "--write", "12345", bytes, NULL};
  pid_t pid;
  int err = posix_spawn(&pid, self, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  CHECK(err == 0, "posix_spawn: %s", errname(err));
  close(p[1]);

  static unsigned char buf[100000];
  uint32_t seed = 777;
  long at = 0, bad = 0, reads = 0;
  for (;;) {
    size_t want = 1 + next_random(&seed) % sizeof buf;
    ssize_t n = read(p[0], buf, want);
    if (n < 0 && errno == EINTR) continue;
    CHECK(n >= 0, "read");
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) bad += buf[i] != pattern(at + i);
    at += n;
    reads++;
  }
  close(p[0]);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  printf("processes: %ld bytes read, %ld differ, child exit %d, more than one read %s\n", at, bad,
         WIFEXITED(status) ? WEXITSTATUS(status) : -1, yesno(reads > 1));
}

#define WRITERS 4
#define RECORDS 1500

static int record_pipe[2];

/** A record: length (2 bytes), writer, sequence (2 bytes), then filler derived from them. */
static void *record_writer(void *arg) {
  int id = (int)(intptr_t)arg;
  uint32_t seed = 1000u + (uint32_t)id;
  static unsigned char bufs[WRITERS][PIPE_BUF];
  unsigned char *buf = bufs[id];
  for (int seq = 0; seq < RECORDS; seq++) {
    int len = 5 + (int)(next_random(&seed) % (PIPE_BUF - 5 + 1));
    buf[0] = (unsigned char)(len & 0xff);
    buf[1] = (unsigned char)(len >> 8);
    buf[2] = (unsigned char)id;
    buf[3] = (unsigned char)(seq & 0xff);
    buf[4] = (unsigned char)(seq >> 8);
    for (int i = 5; i < len; i++) buf[i] = (unsigned char)(id * 37 + seq + i);
    ssize_t n;
    do n = write(record_pipe[1], buf, (size_t)len); while (n < 0 && errno == EINTR);
    if (n != len) return (void *)1; /* a PIPE_BUF write goes in whole */
  }
  return NULL;
}

static int read_exact(int fd, unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t k = read(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static void between_threads(void) {
  CHECK(pipe(record_pipe) == 0, "pipe");
  pthread_t t[WRITERS];
  for (int i = 0; i < WRITERS; i++) CHECK(pthread_create(&t[i], NULL, record_writer, (void *)(intptr_t)i) == 0, "pthread_create");
  int next_seq[WRITERS] = {0};
  long torn = 0, out_of_order = 0, records = 0;
  static unsigned char buf[PIPE_BUF];
  while (records < (long)WRITERS * RECORDS) {
    CHECK(read_exact(record_pipe[0], buf, 5) == 0, "record header");
    int len = buf[0] | (buf[1] << 8), id = buf[2], seq = buf[3] | (buf[4] << 8);
    CHECK(len >= 5 && len <= PIPE_BUF && id < WRITERS, "record header: len %d id %d", len, id);
    CHECK(read_exact(record_pipe[0], buf + 5, (size_t)len - 5) == 0, "record body");
    for (int i = 5; i < len; i++) torn += buf[i] != (unsigned char)(id * 37 + seq + i);
    out_of_order += seq != next_seq[id];
    next_seq[id] = seq + 1;
    records++;
  }
  int failed = 0;
  for (int i = 0; i < WRITERS; i++) {
    void *r;
    pthread_join(t[i], &r);
    failed += r != NULL;
  }
  close(record_pipe[1]);
  unsigned char extra;
  ssize_t eof = read(record_pipe[0], &extra, 1);
  close(record_pipe[0]);
  printf("threads: %ld records from %d writers, %ld torn bytes, %ld out of order, short writes %d, then read=%d\n", records,
         WRITERS, torn, out_of_order, failed, (int)eof);
}

static void nonblocking(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
  static unsigned char block[5000];
  ssize_t r = read(p[0], block, 1);
  printf("nonblocking: empty read %s\n", r < 0 ? errname(errno) : "returned");
  long filled = 0;
  for (;;) {
    ssize_t n = write(p[1], block, 4096);
    if (n < 0) {
      CHECK(errno == EAGAIN, "filling write");
      break;
    }
    filled += n;
  }
  ssize_t one = write(p[1], block, 1);
  printf("nonblocking: filled at least 64 KiB %s, then 1 byte %s\n", yesno(filled >= 65536), one < 0 ? errname(errno) : "written");
  CHECK(read(p[0], block, 4096) == 4096, "make room");
  ssize_t part = write(p[1], block, 5000);
  one = write(p[1], block, 1);
  printf("nonblocking: 4096 bytes read, then 5000 written: %d taken, then 1 byte %s\n", (int)part, one < 0 ? errname(errno) : "written");
  close(p[0]);
  close(p[1]);
}

static int blocked_pipe[2];
static volatile sig_atomic_t handled;

static void on_usr1(int sig) {
  (void)sig;
  handled = 1;
}

struct blocked_read {
  ssize_t result;
  int error;
};

static void *blocked_reader(void *arg) {
  struct blocked_read *out = arg;
  unsigned char c;
  out->result = read(blocked_pipe[0], &c, 1);
  out->error = errno;
  return NULL;
}

static void *room_maker(void *arg) {
  (void)arg;
  usleep(100000);
  static unsigned char sink[10000];
  ssize_t n = read(blocked_pipe[0], sink, sizeof sink);
  return (void *)(intptr_t)n;
}

static void blocking(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = 0; /* no SA_RESTART: the read ends with EINTR */
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");

  CHECK(pipe(blocked_pipe) == 0, "pipe");
  struct blocked_read br = {0, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, blocked_reader, &br) == 0, "pthread_create");
  usleep(100000);
  CHECK(pthread_kill(t, SIGUSR1) == 0, "pthread_kill");
  pthread_join(t, NULL);
  printf("blocked read, signal: %s, handler ran %s\n", br.result < 0 ? errname(br.error) : "returned", yesno(handled));

  br.result = -1;
  CHECK(pthread_create(&t, NULL, blocked_reader, &br) == 0, "pthread_create");
  usleep(100000);
  close(blocked_pipe[1]);
  pthread_join(t, NULL);
  printf("blocked read, writer closed: read=%d\n", (int)br.result);
  close(blocked_pipe[0]);

  CHECK(pipe(blocked_pipe) == 0, "pipe");
  CHECK(fcntl(blocked_pipe[1], F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
  static unsigned char block[4096];
  while (write(blocked_pipe[1], block, sizeof block) > 0) {}
  CHECK(fcntl(blocked_pipe[1], F_SETFL, 0) == 0, "blocking again");
  CHECK(pthread_create(&t, NULL, room_maker, NULL) == 0, "pthread_create");
  ssize_t n = write(blocked_pipe[1], block, sizeof block); /* waits for the room the thread makes */
  void *made;
  pthread_join(t, &made);
  printf("blocked write into a full pipe: wrote %d once %d bytes were read\n", (int)n, (int)(intptr_t)made);
  close(blocked_pipe[0]);
  close(blocked_pipe[1]);
}

static void reader_closed(void) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  ssize_t n = write(p[1], "x", 1);
  printf("reader closed: write %s\n", n < 0 ? errname(errno) : "succeeded");
  close(p[1]);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--write") == 0) return child((uint32_t)strtoul(argv[2], NULL, 10), strtol(argv[3], NULL, 10));
  CHECK(argc == 2, "usage: wasix_pipe_load SELF");
  between_processes(argv[1]);
  between_threads();
  nonblocking();
  blocking();
  reader_closed();
  return 0;
}
