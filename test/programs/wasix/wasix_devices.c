/*
 * The character devices a WASIX guest finds in /dev (as Wasmer gives
 * every guest): null, zero, full, random and urandom, opened by absolute
 * path and relative to /dev as the current directory, listed by readdir,
 * and used as a shell's redirection target; /dev/stdout and /dev/fd/N
 * open what those descriptors name (stdout must not be a regular file
 * natively, where opening /dev/stdout starts again at its beginning). Nothing here changes /dev
 * (the native run that makes the .expected file uses the real one).
 *
 * Kiln's test runs it with the root Kiln gives a WASIX guest (a preopen
 * at / holding dev and /sandbox), and with an empty directory the
 * embedder preopened at / instead.
 */
#include "wasix_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static int all_zero(const unsigned char *p, int n) {
  for (int i = 0; i < n; i++)
    if (p[i] != 0) return 0;
  return 1;
}

int main(void) {
  unsigned char buf[64], other[64];

  int fd = open("/dev/null", O_RDWR);
  CHECK(fd >= 0, "open /dev/null");
  printf("/dev/null: write 5 -> %d, read -> %d\n", (int)write(fd, "hello", 5), (int)read(fd, buf, sizeof buf));
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat /dev/null");
  printf("/dev/null: character device %s, a terminal %s\n", yesno(S_ISCHR(st.st_mode)), yesno(isatty(fd)));
  close(fd);

  fd = open("/dev/zero", O_RDONLY);
  CHECK(fd >= 0, "open /dev/zero");
  memset(buf, 0xff, sizeof buf);
  int n = (int)read(fd, buf, 16);
  printf("/dev/zero: read %d, all zero %s\n", n, yesno(all_zero(buf, 16)));
  close(fd);

  fd = open("/dev/full", O_RDWR);
  CHECK(fd >= 0, "open /dev/full");
  ssize_t w = write(fd, "x", 1);
  printf("/dev/full: write %s", w < 0 ? errname(errno) : "succeeded");
  memset(buf, 0xff, sizeof buf);
  n = (int)read(fd, buf, 4);
  printf(", read %d, all zero %s\n", n, yesno(all_zero(buf, 4)));
  close(fd);

  fd = open("/dev/urandom", O_RDONLY);
  CHECK(fd >= 0, "open /dev/urandom");
  n = (int)read(fd, buf, sizeof buf);
  int m = (int)read(fd, other, sizeof other);
  printf("/dev/urandom: read %d and %d, all zero %s, the same twice %s\n", n, m, yesno(all_zero(buf, n)), yesno(memcmp(buf, other, sizeof buf) == 0));
  close(fd);

  fd = open("/dev/random", O_RDONLY);
  CHECK(fd >= 0, "open /dev/random");
  printf("/dev/random: read %d\n", (int)read(fd, buf, 16));
  close(fd);

  DIR *d = opendir("/dev");
  CHECK(d != NULL, "opendir /dev");
  int seen = 0;
  const char *names[] = {"null", "zero", "full", "random", "urandom"};
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    for (int i = 0; i < 5; i++)
      if (strcmp(e->d_name, names[i]) == 0) seen |= 1 << i;
  closedir(d);
  printf("readdir /dev: null zero full random urandom all listed %s\n", yesno(seen == 31));

  CHECK(chdir("/dev") == 0, "chdir /dev");
  fd = open("null", O_WRONLY);
  printf("relative to /dev as the current directory: open null %s\n", fd >= 0 ? "OK" : errname(errno));
  if (fd >= 0) close(fd);
  CHECK(chdir("/") == 0, "chdir /");

  /* /dev/stdout and /dev/fd/N: what those descriptors name. */
  fflush(stdout);
  fd = open("/dev/stdout", O_WRONLY);
  CHECK(fd >= 0, "open /dev/stdout");
  const char *line = "written through /dev/stdout\n";
  CHECK(write(fd, line, strlen(line)) == (ssize_t)strlen(line), "write /dev/stdout");
  close(fd);
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  char name[32];
  snprintf(name, sizeof name, "/dev/fd/%d", p[1]);
  fd = open(name, O_WRONLY);
  CHECK(fd >= 0, "open /dev/fd/N");
  CHECK(write(fd, "via fd", 6) == 6, "write /dev/fd/N");
  close(fd);
  memset(buf, 0, sizeof buf);
  printf("/dev/fd/N of a pipe's write end: the read end got \"%.*s\"\n", (int)read(p[0], buf, sizeof buf), (char *)buf);
  close(p[0]);
  close(p[1]);

  /* A shell's `>/dev/null`: stdout onto the device, and back. */
  fflush(stdout);
  int saved = dup(1);
  fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0 && saved >= 0 && dup2(fd, 1) == 1, "redirect stdout");
  close(fd);
  printf("this line goes nowhere\n");
  fflush(stdout);
  CHECK(dup2(saved, 1) == 1, "restore stdout");
  close(saved);
  printf("stdout back after a redirection to /dev/null\n");
  return 0;
}
