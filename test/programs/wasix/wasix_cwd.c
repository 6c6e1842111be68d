/*
 * WASIX working directory: getcwd, chdir, and relative paths resolved
 * against the working directory, inside a base directory.
 *
 * Usage: wasix_cwd [BASE]   (BASE: an existing, writable, empty directory
 * given as an absolute path without symbolic links; default /sandbox).
 * Paths under BASE are printed with BASE in place of the base itself.
 *
 * stdout (exit 0):
 *   start: getcwd absolute yes
 *   mkdir BASE/sub: ok
 *   chdir BASE/sub: ok
 *   cwd=BASE/sub
 *   wrote rel.txt: ok
 *   chdir ..: ok
 *   cwd=BASE
 *   sub/rel.txt: relative line
 *   stat sub is a directory yes
 *   chdir missing: ENOENT
 *   cwd after failed chdir=BASE
 *   chdir sub/rel.txt: ENOTDIR
 *   removed sub/rel.txt and sub: ok
 */
#include "wasix_test.h"

#include <limits.h>
#include <sys/stat.h>

static const char *base;

/** Prints `label=cwd`, with BASE for the base directory. */
static void print_cwd(const char *label) {
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
  size_t n = strlen(base);
  if (strncmp(cwd, base, n) == 0 && (cwd[n] == 0 || cwd[n] == '/'))
    printf("%s=BASE%s\n", label, cwd + n);
  else
    printf("%s=%s (outside BASE)\n", label, cwd);
}

int main(int argc, char **argv) {
  base = argc > 1 ? argv[1] : "/sandbox";
  char path[PATH_MAX];
  char cwd[PATH_MAX];

  printf("start: getcwd absolute %s\n", yesno(getcwd(cwd, sizeof cwd) != NULL && cwd[0] == '/'));

  snprintf(path, sizeof path, "%s/sub", base);
  CHECK(mkdir(path, 0755) == 0, "mkdir %s", path);
  printf("mkdir BASE/sub: ok\n");
  CHECK(chdir(path) == 0, "chdir %s", path);
  printf("chdir BASE/sub: ok\n");
  print_cwd("cwd");

  FILE *f = fopen("rel.txt", "w");
  CHECK(f != NULL, "fopen rel.txt for writing");
  CHECK(fputs("relative line\n", f) >= 0 && fclose(f) == 0, "write rel.txt");
  printf("wrote rel.txt: ok\n");

  CHECK(chdir("..") == 0, "chdir ..");
  printf("chdir ..: ok\n");
  print_cwd("cwd");

  char line[128] = "";
  f = fopen("sub/rel.txt", "r");
  CHECK(f != NULL, "fopen sub/rel.txt");
  CHECK(fgets(line, sizeof line, f) != NULL, "read sub/rel.txt");
  fclose(f);
  line[strcspn(line, "\n")] = 0;
  printf("sub/rel.txt: %s\n", line);

  struct stat st;
  printf("stat sub is a directory %s\n", yesno(stat("sub", &st) == 0 && S_ISDIR(st.st_mode)));

  errno = 0;
  int r = chdir("missing");
  printf("chdir missing: %s\n", r < 0 ? errname(errno) : "no error");
  print_cwd("cwd after failed chdir");
  errno = 0;
  r = chdir("sub/rel.txt");
  printf("chdir sub/rel.txt: %s\n", r < 0 ? errname(errno) : "no error");

  CHECK(unlink("sub/rel.txt") == 0, "unlink sub/rel.txt");
  CHECK(rmdir("sub") == 0, "rmdir sub");
  printf("removed sub/rel.txt and sub: ok\n");
  return 0;
}
