/*
 * Shared helpers for Kiln's WASIX test programs (included first by every
 * test/programs/wasix/wasix_*.c; not a program itself).
 *
 * The programs build both for WASIX (wasix-libc) and natively on Linux
 * (gcc -pthread), so they name errors by comparing errno with the constants
 * (never by number, never through strerror) and print only relations, never
 * pids, addresses or times. A failed check prints "FAIL: <file>:<line>: ..."
 * on stderr and exits with status 1.
 */
#ifndef KILN_WASIX_TEST_H
#define KILN_WASIX_TEST_H

/* vfork, usleep, eventfd, epoll: beyond POSIX in both libcs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** The name of an errno value, compared with the constants. */
static inline const char *errname(int e) {
  static char other[32];
  switch (e) {
    case 0: return "OK";
    case E2BIG: return "E2BIG";
    case EACCES: return "EACCES";
    case EADDRINUSE: return "EADDRINUSE";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EINPROGRESS: return "EINPROGRESS";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTSUP: return "ENOTSUP";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    case EMFILE: return "EMFILE";
    case ENOENT: return "ENOENT";
    case ENOEXEC: return "ENOEXEC";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTTY: return "ENOTTY";
    case ENXIO: return "ENXIO";
    case EPERM: return "EPERM";
    case EPIPE: return "EPIPE";
    case ESPIPE: return "ESPIPE";
    case ESRCH: return "ESRCH";
    default:
      snprintf(other, sizeof other, "errno %d", e);
      return other;
  }
}

static inline const char *yesno(int b) { return b ? "yes" : "no"; }

/** Fails the program (stderr, exit 1) unless `cond` holds. */
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      int check_errno_ = errno;                                   \
      fprintf(stderr, "FAIL: %s:%d: ", __FILE__, __LINE__);       \
      fprintf(stderr, __VA_ARGS__);                               \
      fprintf(stderr, " (errno: %s)\n", errname(check_errno_));   \
      exit(1);                                                    \
    }                                                             \
  } while (0)

/** Reads `fd` to end of file into `buf` (NUL-terminated, at most size - 1 bytes); returns the byte count. */
static inline size_t read_all(int fd, char *buf, size_t size) {
  size_t got = 0;
  for (;;) {
    CHECK(got < size - 1, "more than %zu bytes on fd %d", size - 1, fd);
    ssize_t n = read(fd, buf + got, size - 1 - got);
    CHECK(n >= 0, "read fd %d", fd);
    if (n == 0) break;
    got += (size_t)n;
  }
  buf[got] = 0;
  return got;
}

#endif