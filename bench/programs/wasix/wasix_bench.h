/*
 * Shared helpers for the WASIX benchmark programs (bench/programs/wasix/;
 * built by bench/wasix.mjs with wasix-libc, and wasix_bench_syscall also
 * with wasi-libc for preview 1). Not a program itself.
 *
 * Each program times its measured loop with clock_gettime(CLOCK_MONOTONIC)
 * and prints a deterministic summary on stdout (or stderr, where stdout is
 * the thing measured) and "NAME: ns=T ..." on stderr. A failed check prints
 * "NAME: error: ..." on stderr (with the errno's name where there is one)
 * and exits with status 1.
 */
#ifndef KILN_WASIX_BENCH_H
#define KILN_WASIX_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/** The name of the errno values the benchmarks can meet; a number otherwise. */
static inline const char *bench_errname(int e) {
  static char other[32];
  switch (e) {
    case 0: return "OK";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOSYS: return "ENOSYS";
    case ENOTSUP: return "ENOTSUP";
    case EPERM: return "EPERM";
    case EPIPE: return "EPIPE";
    default:
      snprintf(other, sizeof other, "errno %d", e);
      return other;
  }
}

/** Prints "NAME: error: ..." on stderr and exits with 1. */
static inline void bench_fail(const char *name, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: error: ", name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

/** argv[i] as a positive count, or `fallback` when absent. */
static inline long bench_count(const char *name, int argc, char **argv, int i, long fallback) {
  if (argc <= i) return fallback;
  char *end = NULL;
  long v = strtol(argv[i], &end, 10);
  if (end == argv[i] || *end != '\0' || v <= 0) bench_fail(name, "bad count argument: %s", argv[i]);
  return v;
}

/** CLOCK_MONOTONIC in nanoseconds. */
static inline long long bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
