/* Shared helpers for the Kiln benchmark programs (wasm32-wasi, wasi-libc). */
#ifndef KILN_BENCH_COMMON_H
#define KILN_BENCH_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* argv[i] parsed as an unsigned count, or `fallback` when absent. */
static inline unsigned long arg_count(int argc, char **argv, int i, unsigned long fallback) {
  if (argc <= i) return fallback;
  char *end = NULL;
  unsigned long v = strtoul(argv[i], &end, 10);
  if (end == argv[i] || *end != '\0') {
    fprintf(stderr, "bad count argument: %s\n", argv[i]);
    exit(2);
  }
  return v;
}

static inline const char *arg_str(int argc, char **argv, int i, const char *fallback) {
  return argc > i ? argv[i] : fallback;
}

static inline void die_errno(const char *what, __wasi_errno_t err) {
  fprintf(stderr, "%s failed: wasi errno %u\n", what, (unsigned)err);
  exit(1);
}
#endif
