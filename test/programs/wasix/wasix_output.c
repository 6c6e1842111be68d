/*
 * Output that must land whole and in order, however the program ends:
 * writes to stdout and stderr interleaved (both may be one file), then an
 * ending chosen by argv[1].
 *
 * Usage: wasix_output [exit|trap|spin|thread]
 *
 * stdout and stderr (exit 0, no argument; both to one file, in this order):
 *   out 1
 *   err 1
 *   out 2
 *   err 2
 *   ... up to 200 of each, then
 *   done
 *
 * exit: _exit(3) right after the lines (no stdio flush: every line is a
 *   write(2) of its own); trap: __builtin_trap() after them; spin: loops
 *   for ever after them (the host stops it); thread: a second thread
 *   writes "thread N" lines to stdout while main writes "main N" lines, each
 *   under one mutex, and both count the lines written so far: each line
 *   carries its place, so the file shows whether the writes kept the order
 *   the mutex gave them.
 */
#include "wasix_test.h"

#include <pthread.h>

static void say(int fd, const char *what, int n) {
  char line[64];
  int len = snprintf(line, sizeof line, "%s %d\n", what, n);
  CHECK(write(fd, line, (size_t)len) == len, "write");
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int order;

static void *other(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; i++) {
    pthread_mutex_lock(&lock);
    say(1, "thread", ++order);
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *end = argc > 1 ? argv[1] : "";
  if (strcmp(end, "thread") == 0) {
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other, NULL) == 0, "pthread_create");
    for (int i = 0; i < 200; i++) {
      pthread_mutex_lock(&lock);
      say(1, "main", ++order);
      pthread_mutex_unlock(&lock);
    }
    CHECK(pthread_join(t, NULL) == 0, "pthread_join");
    say(1, "done", order);
    return 0;
  }
  for (int i = 1; i <= 200; i++) {
    say(1, "out", i);
    say(2, "err", i);
  }
  if (strcmp(end, "exit") == 0) _exit(3);
  if (strcmp(end, "trap") == 0) __builtin_trap();
  if (strcmp(end, "spin") == 0) for (volatile int spin = 0;; spin++) {}
  say(1, "done", 0);
  return 0;
}
