/* browser_fs: the browser test's guest (test/browser/browser.test.ts).
 *
 * Prints its arguments and $GREETING, reads /data/input.txt, lists /data/dir
 * sorted, creates /data/out.txt, writes it, reads it back, renames it to
 * /data/renamed.txt and stats it, reads stdin to EOF, and exits with code 3.
 * When $SLEEP_MS is set it also sleeps that long with nanosleep (poll_oneoff)
 * and reports whether at least that much monotonic time passed: a browser
 * page's main thread cannot block, so only the worker run sets it.
 */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static long long mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");

  char buf[256];
  long n = read_file("/data/input.txt", buf, sizeof buf);
  if (n < 0) print_err("read input.txt", errno);
  else printf("input.txt (%ld bytes): %s", n, buf);

  DIR *d = opendir("/data/dir");
  if (!d) {
    print_err("opendir /data/dir", errno);
  } else {
    char *names[32];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 32) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, cmp);
    printf("dir:");
    for (size_t i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
  }

  const char *msg = "written in the browser\n";
  int fd = open("/data/out.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) {
    print_err("create out.txt", errno);
  } else {
    CHECKV("write out.txt", write(fd, msg, strlen(msg)));
    CHECK("close out.txt", close(fd));
  }
  n = read_file("/data/out.txt", buf, sizeof buf);
  if (n < 0) print_err("read out.txt", errno);
  else printf("out.txt: %s", buf);
  CHECK("rename out.txt -> renamed.txt", rename("/data/out.txt", "/data/renamed.txt"));
  struct stat st;
  errno = 0;
  if (stat("/data/out.txt", &st) == 0) printf("stat out.txt: still exists\n");
  else print_err("stat out.txt", errno);
  if (stat("/data/renamed.txt", &st) != 0) print_err("stat renamed.txt", errno);
  else printf("stat renamed.txt: size %lld, regular %s\n", (long long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no");

  size_t total = 0;
  for (;;) {
    ssize_t r = read(0, buf + total, sizeof buf - 1 - total);
    if (r < 0) { print_err("read stdin", errno); break; }
    if (r == 0) break;
    total += (size_t)r;
    if (total == sizeof buf - 1) break;
  }
  buf[total] = 0;
  printf("stdin (%zu bytes): %s\n", total, buf);

  const char *sleep_ms = getenv("SLEEP_MS");
  if (sleep_ms) {
    long ms = atol(sleep_ms);
    struct timespec req = { ms / 1000, (ms % 1000) * 1000000L };
    long long t0 = mono_ms();
    int r = nanosleep(&req, NULL);
    long long took = mono_ms() - t0;
    if (r != 0) print_err("nanosleep", errno);
    else printf("slept %ldms: waited >= %ldms: %s\n", ms, ms, took >= ms ? "yes" : "no");
  }

  fprintf(stderr, "browser_fs: exiting with 3\n");
  return 3;
}
