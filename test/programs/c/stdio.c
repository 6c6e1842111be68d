/* stdio: stdout/stderr writes, a 1 MiB write, stdin echo.
 * usage: stdio out | wrongway | big | mixed | echo */
#include "guest.h"

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      fprintf(stderr, "write failed: %s (%d)\n", errname(errno), errno);
      exit(98);
    }
    buf += n;
    len -= (size_t)n;
  }
}

static int mode_out(void) {
  printf("printf to stdout %d %s\n", 42, "ok");
  fputs("fputs to stderr\n", stderr);
  puts("puts line");
  fflush(stdout);
  /* Unicode passes through as bytes. */
  printf("unicode: h\xc3\xa9llo \xe2\x9c\x93\n");
  fflush(stdout);

  /* Raw fd_write with several iovecs; short writes are legal, so loop. */
  __wasi_ciovec_t iov[3] = {
      {(const uint8_t *)"iov-a ", 6},
      {(const uint8_t *)"", 0},
      {(const uint8_t *)"iov-b\n", 6},
  };
  size_t total = 0;
  int idx = 0;
  while (idx < 3) {
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(1, &iov[idx], 3 - idx, &n);
    if (e != 0) { print_err("fd_write iovecs", e); return 1; }
    total += n;
    while (idx < 3 && n >= iov[idx].buf_len) { n -= iov[idx].buf_len; idx++; }
    if (idx < 3) { iov[idx].buf += n; iov[idx].buf_len -= n; }
  }
  printf("fd_write iovecs total: %zu\n", total);

  CHECKV("write 0 bytes to stdout", write(1, "", 0));
  CHECKV("write to stderr", write(2, "raw stderr\n", 11));
  fflush(stdout);
  CHECK("lseek stdout", lseek(1, 0, SEEK_CUR));
  printf("done\n");
  return 0;
}

/* Using the standard streams the wrong way round. */
static int mode_wrongway(void) {
  char c;
  __wasi_iovec_t rv = {(uint8_t *)&c, 1};
  __wasi_size_t nr;
  WASI("fd_read from stdout", __wasi_fd_read(1, &rv, 1, &nr));
  WASI("fd_read from stderr", __wasi_fd_read(2, &rv, 1, &nr));
  WASI("fd_write to stdin", __wasi_fd_write(0, (const __wasi_ciovec_t[]){{(const uint8_t *)"x", 1}}, 1, &nr));
  return 0;
}

static int mode_big(void) {
  size_t len = 1u << 20;
  char *buf = malloc(len);
  for (size_t i = 0; i < len; i++)
    buf[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i % 26));
  write_all(1, buf, len);
  fprintf(stderr, "wrote %zu bytes\n", len);
  free(buf);
  return 0;
}

/* Small and large writes in turn: each lands in the order written. */
static int mode_mixed(void) {
  size_t len = 9000;
  char *buf = malloc(len);
  for (int round = 0; round < 3; round++) {
    char small[16];
    int n = snprintf(small, sizeof small, "small %d\n", round);
    write_all(1, small, (size_t)n);
    memset(buf, 'A' + round, len - 1);
    buf[len - 1] = '\n';
    write_all(1, buf, len);
  }
  write_all(1, "end\n", 4);
  free(buf);
  return 0;
}

static int mode_echo(void) {
  /* Small reads on purpose: exercises many fd_read calls on stdin. */
  char buf[7];
  size_t total = 0;
  uint32_t hash = 2166136261u; /* FNV-1a */
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      fprintf(stderr, "read failed: %s (%d)\n", errname(errno), errno);
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) hash = (hash ^ (uint8_t)buf[i]) * 16777619u;
    write_all(1, buf, (size_t)n);
    total += (size_t)n;
  }
  /* A read after EOF keeps returning 0. */
  ssize_t again = read(0, buf, sizeof buf);
  fprintf(stderr, "stdin bytes=%zu fnv1a=%08x again=%zd\n", total, hash, again);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "out";
  if (!strcmp(mode, "out")) return mode_out();
  if (!strcmp(mode, "wrongway")) return mode_wrongway();
  if (!strcmp(mode, "big")) return mode_big();
  if (!strcmp(mode, "mixed")) return mode_mixed();
  if (!strcmp(mode, "echo")) return mode_echo();
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}
