/* Recursively walk a directory tree with opendir/readdir and fstatat on
 * every entry. Usage: walk_tree ROOT. Prints dir/file counts and the sum of
 * regular-file sizes. */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>

static unsigned long dirs, files, others;
static unsigned long long bytes;

static void walk(const char *path) {
  DIR *d = opendir(path);
  if (!d) { perror(path); exit(1); }
  int dfd = dirfd(d);
  struct dirent *e;
  for (;;) {
    errno = 0;
    e = readdir(d);
    if (!e) {
      if (errno) { perror("readdir"); exit(1); }
      break;
    }
    const char *name = e->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) { perror(name); exit(1); }
    if (S_ISDIR(st.st_mode)) {
      dirs++;
      size_t len = strlen(path) + 1 + strlen(name) + 1;
      char *child = malloc(len);
      if (!child) { perror("malloc"); exit(1); }
      snprintf(child, len, "%s/%s", path, name);
      walk(child);
      free(child);
    } else if (S_ISREG(st.st_mode)) {
      files++;
      bytes += (unsigned long long)st.st_size;
    } else {
      others++;
    }
  }
  closedir(d);
}

int main(int argc, char **argv) {
  const char *root = arg_str(argc, argv, 1, "/data/tree");
  walk(root);
  printf("walk_tree: dirs=%lu files=%lu other=%lu bytes=%llu\n", dirs, files, others, bytes);
  return 0;
}
