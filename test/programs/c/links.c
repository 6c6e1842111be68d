/* symlinks and hard links: symlink/readlink, lstat vs stat, dangling links,
 * loops, links in the middle of a path, trailing slashes, link()/nlink. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>

static const char *ftype(mode_t m) {
  return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void show_stat(const char *label, const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r != 0) print_err(label, errno);
  else if (S_ISDIR(st.st_mode)) printf("%s: %s\n", label, ftype(st.st_mode));
  else printf("%s: %s size=%lld nlink=%lu\n", label, ftype(st.st_mode), (long long)st.st_size,
              (unsigned long)st.st_nlink);
}

static void show_readlink(const char *label, const char *path, size_t cap) {
  char buf[128];
  errno = 0;
  ssize_t n = readlink(path, buf, cap);
  if (n < 0) print_err(label, errno);
  else printf("%s: %zd \"%.*s\"\n", label, n, (int)n, buf);
}

static void show_content(const char *label, const char *path) {
  char buf[128];
  long n = read_file(path, buf, sizeof buf);
  if (n < 0) print_err(label, errno);
  else printf("%s: \"%.*s\"\n", label, (int)(n && buf[n - 1] == '\n' ? n - 1 : n), buf);
}

int main(int argc, char **argv) {
  enter_sandbox(argc, argv);
  write_file("target.txt", "target data\n");

  /* --- symlink + readlink --- */
  CHECK("symlink link -> target.txt", symlink("target.txt", "link"));
  show_readlink("readlink link", "link", 128);
  show_readlink("readlink link, 4-byte buffer", "link", 4);
  show_readlink("readlink regular file", "target.txt", 128);
  show_readlink("readlink missing", "missing", 128);
  CHECK("symlink over existing name", symlink("whatever", "link"));
  show_stat("lstat link", "link", 0);
  show_stat("stat link", "link", 1);
  show_content("read through link", "link");

  /* --- dangling --- */
  CHECK("symlink dangling -> missing.txt", symlink("missing.txt", "dangling"));
  show_stat("stat dangling", "dangling", 1);
  show_stat("lstat dangling", "dangling", 0);
  CHECK("open dangling", open("dangling", O_RDONLY));
  show_readlink("readlink dangling", "dangling", 128);

  /* --- loops and O_NOFOLLOW --- */
  MUST(symlink("loop2", "loop1"));
  MUST(symlink("loop1", "loop2"));
  CHECK("open loop", open("loop1", O_RDONLY));
  show_stat("stat loop", "loop1", 1);
  show_stat("lstat loop", "loop1", 0);
  MUST(symlink("self", "self"));
  CHECK("open self-loop", open("self", O_RDONLY));
  CHECK("open link O_NOFOLLOW", open("link", O_RDONLY | O_NOFOLLOW));
  int fd = open("target.txt", O_RDONLY | O_NOFOLLOW);
  CHECK("open regular O_NOFOLLOW", fd);
  if (fd >= 0) close(fd);

  /* --- symlinks to directories, in the middle of a path --- */
  MUST(mkdir("realdir", 0755));
  write_file("realdir/inner.txt", "inner\n");
  CHECK("symlink dirlink -> realdir", symlink("realdir", "dirlink"));
  show_content("read dirlink/inner.txt", "dirlink/inner.txt");
  show_stat("stat dirlink", "dirlink", 1);
  show_stat("lstat dirlink", "dirlink", 0);
  show_stat("lstat dirlink/ (trailing slash follows)", "dirlink/", 0);
  MUST(symlink("realdir/../target.txt", "dotdot_link"));
  show_content("read dotdot_link", "dotdot_link");
  MUST(mkdir("realdir/deeper", 0755));
  /* The target is resolved relative to the link's own directory, so this
   * one stays inside the sandbox. */
  CHECK("symlink realdir/deeper/up -> ../../target.txt", symlink("../../target.txt", "realdir/deeper/up"));
  show_content("read through dirlink/deeper/up", "dirlink/deeper/up");
  MUST(symlink("link", "chain"));
  show_content("read chain -> link -> target.txt", "chain");
  write_file("dirlink/created.txt", "created\n");
  show_content("created through dirlink, read via realdir", "realdir/created.txt");

  /* --- trailing slashes --- */
  CHECK("open file with trailing slash", open("target.txt/", O_RDONLY));
  show_stat("stat file with trailing slash", "target.txt/", 1);
  show_stat("stat symlink-to-file with trailing slash", "link/", 1);
  show_stat("stat dir with trailing slash", "realdir/", 1);
  fd = open("realdir/", O_RDONLY | O_DIRECTORY);
  CHECK("open dir with trailing slash", fd);
  if (fd >= 0) close(fd);

  /* --- removing links --- */
  CHECK("rmdir symlink to dir", rmdir("dirlink"));
  CHECK("unlink symlink to dir", unlink("dirlink"));
  show_stat("realdir still there", "realdir", 1);
  CHECK("unlink dangling", unlink("dangling"));
  CHECK("unlink link", unlink("link"));
  show_stat("target still there", "target.txt", 1);

  /* --- hard links --- */
  CHECK("link hard -> target.txt", link("target.txt", "hard"));
  show_stat("stat target after link", "target.txt", 1);
  show_stat("stat hard", "hard", 1);
  struct stat a, b;
  stat("target.txt", &a);
  stat("hard", &b);
  printf("same inode: %s\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "yes" : "no");
  fd = open("hard", O_WRONLY | O_APPEND);
  MUST(fd);
  MUST(write(fd, "more\n", 5));
  close(fd);
  show_content("target sees write via hard", "target.txt");
  CHECK("link onto existing name", link("target.txt", "hard"));
  CHECK("link missing source", link("missing", "hard2"));
  CHECK("link a directory", link("realdir", "dirhard"));
  CHECK("unlink target.txt", unlink("target.txt"));
  show_stat("stat hard after unlink", "hard", 1);
  show_content("hard content intact", "hard");
  return 0;
}
