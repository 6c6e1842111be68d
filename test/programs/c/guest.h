/*
 * Shared helpers for Kiln's C guest test programs (included by every
 * every test/programs/c/NAME.c; not a program itself).
 *
 * Every program prints one line per check so that tests can compare the whole
 * transcript literally. Errors are printed as "NAME (number)" with wasi-libc's
 * errno numbering, which is WASI's (e.g. ENOENT (44), ENOTCAPABLE (76)).
 */
#ifndef KILN_GUEST_H
#define KILN_GUEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *const kiln_errno_names[] = {
    "OK", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT",
    "EAGAIN", "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD",
    "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ",
    "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM",
    "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR",
    "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG",
    "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
    "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG",
    "ENOPROTOOPT", "ENOSPC", "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY",
    "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY", "ENXIO", "EOVERFLOW",
    "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE",
    "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY",
    "EXDEV", "ENOTCAPABLE",
};

static inline const char *errname(int e) {
  if (e >= 0 && (size_t)e < sizeof kiln_errno_names / sizeof *kiln_errno_names)
    return kiln_errno_names[e];
  return "E?";
}

/* Prints "label: NAME (n)" for an errno value. */
static inline void print_err(const char *label, int e) {
  printf("%s: %s (%d)\n", label, errname(e), e);
}

/* libc call returning -1 + errno on failure: prints "ok" or the errno. */
#define CHECK(label, expr)                                                     \
  do {                                                                         \
    errno = 0;                                                                 \
    long long kiln_r_ = (long long)(expr);                                     \
    if (kiln_r_ < 0) print_err((label), errno);                                \
    else printf("%s: ok\n", (label));                                          \
  } while (0)

/* Same, but prints the (deterministic) return value on success. */
#define CHECKV(label, expr)                                                    \
  do {                                                                         \
    errno = 0;                                                                 \
    long long kiln_r_ = (long long)(expr);                                     \
    if (kiln_r_ < 0) print_err((label), errno);                                \
    else printf("%s: %lld\n", (label), kiln_r_);                               \
  } while (0)

/* Call returning an errno value directly (raw __wasi_* calls, posix_fallocate,
 * posix_fadvise): prints "OK (0)" or "NAME (n)". */
#define WASI(label, expr) print_err((label), (int)(expr))

/* Run a function that must not fail for the rest of the program to make sense;
 * on failure print the errno and exit 99 (an unexpected setup failure). */
#define MUST(expr)                                                             \
  do {                                                                         \
    errno = 0;                                                                 \
    if ((long long)(expr) < 0) {                                               \
      printf("setup failed at line %d: %s: %s (%d)\n", __LINE__, #expr,        \
             errname(errno), errno);                                           \
      exit(99);                                                                \
    }                                                                          \
  } while (0)

/* The scratch directory: argv[1] or "/sandbox". The test preopens a fresh,
 * empty host temp dir there. chdir() into it so paths below are relative. */
static inline const char *enter_sandbox(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/sandbox";
  if (chdir(dir) != 0) {
    printf("setup failed: chdir(%s): %s (%d)\n", dir, errname(errno), errno);
    exit(99);
  }
  return dir;
}

/* Writes a whole file (O_CREAT|O_TRUNC); exits 99 on failure. */
#include <fcntl.h>
static inline void write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  MUST(fd);
  size_t len = strlen(data);
  if (len) MUST(write(fd, data, len));
  MUST(close(fd));
}

/* Reads up to cap-1 bytes of a file into buf (NUL-terminated); returns the
 * byte count or -1 with errno. */
static inline long read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long n = read(fd, buf, cap - 1);
  int e = errno;
  close(fd);
  errno = e;
  if (n >= 0) buf[n] = 0;
  return n;
}

/* The first preopen, as wasi-libc numbers them: fd 3. */
#define PREOPEN_FD 3

#endif
