/* async_fs: file work on /data, the guest of the async-backend tests
 * (test/async-backend.test.ts), where /data is a filesystem whose methods
 * answer with Promises, served through the worker mode's host bridge or
 * the JSPI runner's replaying adapter. Prints one line per step.
 *
 * Reads input.txt; writes out.txt with stdio (several writes, some
 * gathered by libc into one writev) and reads it back; appends to it;
 * seeks from the end; lists /data/dir sorted; creates a directory, renames
 * a file into it, stats and unlinks it; reports the errors of a missing
 * file and of removing a non-empty directory.
 */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    print_err("opendir", errno);
    return;
  }
  char *names[64];
  size_t count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && count < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names[count++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof *names, cmp);
  printf("list %s:", path);
  for (size_t i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  char buf[512];
  long n = read_file("/data/input.txt", buf, sizeof buf);
  if (n < 0) print_err("read input.txt", errno);
  else printf("input.txt (%ld bytes): %s", n, buf);

  FILE *f = fopen("/data/out.txt", "w");
  if (!f) {
    print_err("fopen out.txt", errno);
  } else {
    for (int i = 1; i <= 3; i++) fprintf(f, "line %d of out.txt\n", i);
    fwrite("0123456789", 1, 10, f);
    fputc('\n', f);
    CHECK("fclose out.txt", fclose(f));
  }
  n = read_file("/data/out.txt", buf, sizeof buf);
  if (n < 0) print_err("read out.txt", errno);
  else printf("out.txt (%ld bytes):\n%s", n, buf);

  int fd = open("/data/out.txt", O_WRONLY | O_APPEND);
  if (fd < 0) {
    print_err("open append", errno);
  } else {
    CHECKV("append", write(fd, "appended\n", 9));
    CHECK("close append", close(fd));
  }
  fd = open("/data/out.txt", O_RDONLY);
  if (fd < 0) {
    print_err("open read", errno);
  } else {
    off_t end = lseek(fd, -9, SEEK_END);
    printf("seek end-9: %lld\n", (long long)end);
    ssize_t r = read(fd, buf, sizeof buf - 1);
    if (r < 0) print_err("read tail", errno);
    else { buf[r] = 0; printf("tail: %s", buf); }
    close(fd);
  }

  list("/data/dir");
  CHECK("mkdir /data/dir/new", mkdir("/data/dir/new", 0755));
  CHECK("rename out.txt -> dir/new/moved.txt", rename("/data/out.txt", "/data/dir/new/moved.txt"));
  list("/data/dir");
  list("/data/dir/new");
  struct stat st;
  if (stat("/data/dir/new/moved.txt", &st) != 0) print_err("stat moved.txt", errno);
  else printf("stat moved.txt: size %lld, regular %s\n", (long long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no");
  CHECK("stat out.txt", stat("/data/out.txt", &st));
  CHECK("rmdir dir/new (not empty)", rmdir("/data/dir/new"));
  CHECK("unlink moved.txt", unlink("/data/dir/new/moved.txt"));
  CHECK("rmdir dir/new", rmdir("/data/dir/new"));
  CHECK("open missing.txt", open("/data/missing.txt", O_RDONLY));
  list("/data");
  return 0;
}
