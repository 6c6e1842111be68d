/* args/env: argc/argv, environ, getenv, args_sizes_get/environ_sizes_get. */
#include "guest.h"

extern char **environ;

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
  printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");

  size_t n = 0;
  while (environ[n]) n++;
  printf("environ count=%zu\n", n);
  char **sorted = malloc((n + 1) * sizeof *sorted);
  memcpy(sorted, environ, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp);
  for (size_t i = 0; i < n; i++) printf("env: [%s]\n", sorted[i]);

  const char *names[] = {"GREETING", "EMPTY", "WITH_EQUALS", "UNICODE", "MISSING"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const char *v = getenv(names[i]);
    if (v) printf("getenv(%s)=[%s]\n", names[i], v);
    else printf("getenv(%s)=NULL\n", names[i]);
  }

  /* Raw size queries must agree with what args_get/environ_get produced. */
  __wasi_size_t count = 0, bufsize = 0;
  WASI("args_sizes_get", __wasi_args_sizes_get(&count, &bufsize));
  size_t want = 0;
  for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
  printf("args count=%u matches argc: %s; bufsize matches: %s\n", (unsigned)count,
         count == (unsigned)argc ? "yes" : "no", bufsize == want ? "yes" : "no");
  WASI("environ_sizes_get", __wasi_environ_sizes_get(&count, &bufsize));
  want = 0;
  for (size_t i = 0; i < n; i++) want += strlen(environ[i]) + 1;
  printf("environ count=%u bufsize=%u matches: %s\n", (unsigned)count, (unsigned)bufsize,
         (count == n && bufsize == want) ? "yes" : "no");

  /* Raw args_get into our own buffers. */
  WASI("args_sizes_get again", __wasi_args_sizes_get(&count, &bufsize));
  uint8_t **av = malloc((count + 1) * sizeof *av);
  uint8_t *buf = malloc(bufsize);
  WASI("args_get", __wasi_args_get(av, buf));
  int same = 1;
  for (unsigned i = 0; i < count; i++)
    if (strcmp((char *)av[i], argv[i]) != 0) same = 0;
  printf("raw args equal argv: %s\n", same ? "yes" : "no");
  return 0;
}
