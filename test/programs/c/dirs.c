/* directories: mkdir/rmdir, readdir (libc and raw fd_readdir with a small
 * buffer), a 500-entry directory, rename of files and directories. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static int cmpstr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *dtype(unsigned char t) {
  switch (t) {
  case DT_REG: return "file";
  case DT_DIR: return "dir";
  case DT_LNK: return "symlink";
  case DT_UNKNOWN: return "unknown";
  default: return "other";
  }
}

/* Lists a directory with libc readdir: prints whether "." and ".." were
 * present, then the other entries sorted by name with their type. */
static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) { print_err("opendir", errno); return; }
  char *names[64];
  int n = 0, dot = 0, dotdot = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".")) { dot++; continue; }
    if (!strcmp(e->d_name, "..")) { dotdot++; continue; }
    char line[300];
    snprintf(line, sizeof line, "%s %s", e->d_name, dtype(e->d_type));
    if (n < 64) names[n++] = strdup(line);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmpstr);
  printf("list %s: %d entries\n", path, n);
  for (int i = 0; i < n; i++) { printf("  %s\n", names[i]); free(names[i]); }
  printf("list %s: '.' x%d '..' x%d\n", path, dot, dotdot);
}

#define BIG 500
static int seen[BIG];

static void reset_seen(void) { memset(seen, 0, sizeof seen); }

/* Records a name like "f123"; returns 0 for anything else. */
static int note(const char *name, size_t len) {
  if (len == 4 && name[0] == 'f') {
    int k = (name[1] - '0') * 100 + (name[2] - '0') * 10 + (name[3] - '0');
    if (k >= 0 && k < BIG) { seen[k]++; return 1; }
  }
  return 0;
}

static void report_seen(const char *label, int others) {
  int once = 0, dup = 0, missing = 0;
  for (int i = 0; i < BIG; i++) {
    if (seen[i] == 1) once++;
    else if (seen[i] == 0) missing++;
    else dup++;
  }
  printf("%s: once=%d duplicated=%d missing=%d other=%d\n", label, once, dup, missing, others);
}

/* Reads a directory with raw fd_readdir and a small buffer, following
 * d_next cookies, re-reading entries that were cut off at the buffer end. */
static void raw_readdir(int fd, size_t bufsize, const char *label) {
  uint8_t *buf = malloc(bufsize);
  __wasi_dircookie_t cookie = 0;
  int others = 0, rounds = 0;
  reset_seen();
  for (;;) {
    __wasi_size_t used = 0;
    __wasi_errno_t err = __wasi_fd_readdir(fd, buf, bufsize, cookie, &used);
    if (err) { print_err(label, err); free(buf); return; }
    if (++rounds > 10000) { printf("%s: no progress\n", label); free(buf); return; }
    size_t off = 0;
    int progressed = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t ent;
      memcpy(&ent, buf + off, sizeof ent);
      if (off + sizeof ent + ent.d_namlen > used) break; /* name cut off */
      const char *name = (const char *)buf + off + sizeof ent;
      int is_dot = (ent.d_namlen == 1 && name[0] == '.') ||
                   (ent.d_namlen == 2 && name[0] == '.' && name[1] == '.');
      if (!is_dot && !note(name, ent.d_namlen)) others++;
      cookie = ent.d_next;
      off += sizeof ent + ent.d_namlen;
      progressed = 1;
    }
    if (used < bufsize) break; /* end of directory */
    if (!progressed) { printf("%s: buffer too small for one entry\n", label); free(buf); return; }
  }
  report_seen(label, others);
  free(buf);
}

int main(int argc, char **argv) {
  enter_sandbox(argc, argv);
  struct stat st;

  /* --- mkdir / rmdir / unlink errors --- */
  CHECK("mkdir a", mkdir("a", 0755));
  CHECK("mkdir a again", mkdir("a", 0755));
  CHECK("mkdir in missing parent", mkdir("nope/x", 0755));
  write_file("f", "file\n");
  CHECK("mkdir over a file", mkdir("f", 0755));
  CHECK("mkdir under a file", mkdir("f/x", 0755));
  CHECK("stat a is dir", (stat("a", &st) == 0 && S_ISDIR(st.st_mode)) ? 0 : -1);
  write_file("a/inner.txt", "inner\n");
  CHECK("rmdir non-empty", rmdir("a"));
  CHECK("rmdir a file", rmdir("f"));
  CHECK("rmdir missing", rmdir("missing"));
  CHECK("unlink a directory", unlink("a"));
  CHECK("unlink a/inner.txt", unlink("a/inner.txt"));
  CHECK("rmdir now empty", rmdir("a"));
  CHECK("stat removed dir", stat("a", &st));
  CHECK("mkdir trailing slash", mkdir("b/", 0755));
  CHECK("rmdir trailing slash", rmdir("b/"));

  /* --- listing --- */
  MUST(mkdir("list", 0755));
  write_file("list/zeta.txt", "z");
  write_file("list/alpha.txt", "a");
  write_file("list/Mid.txt", "m");
  MUST(mkdir("list/sub", 0755));
  MUST(symlink("alpha.txt", "list/link"));
  list("list");
  MUST(mkdir("empty", 0755));
  list("empty");

  /* telldir/seekdir: resume from a saved position. */
  DIR *d = opendir("list");
  struct dirent *e;
  int before = 0;
  while (before < 3 && (e = readdir(d)) != NULL) before++;
  long pos = telldir(d);
  char rest1[512] = "", rest2[512] = "";
  while ((e = readdir(d)) != NULL) { strcat(rest1, e->d_name); strcat(rest1, "/"); }
  seekdir(d, pos);
  while ((e = readdir(d)) != NULL) { strcat(rest2, e->d_name); strcat(rest2, "/"); }
  printf("seekdir replays the same entries: %s\n", !strcmp(rest1, rest2) && rest1[0] ? "yes" : "no");
  rewinddir(d);
  int count = 0;
  while ((e = readdir(d)) != NULL) count++;
  closedir(d);
  int rest_n = 0;
  for (char *q = rest1; *q; q++) if (*q == '/') rest_n++;
  printf("rewinddir sees all again: %s\n", count == before + rest_n ? "yes" : "no");

  /* --- a large directory --- */
  MUST(mkdir("big", 0755));
  char name[32];
  for (int i = 0; i < BIG; i++) {
    snprintf(name, sizeof name, "big/f%03d", i);
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    MUST(fd);
    close(fd);
  }
  reset_seen();
  int others = 0;
  d = opendir("big");
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !note(e->d_name, strlen(e->d_name)))
      others++;
  closedir(d);
  report_seen("readdir big", others);

  int bigfd = open("big", O_RDONLY | O_DIRECTORY);
  MUST(bigfd);
  raw_readdir(bigfd, 128, "fd_readdir big, 128-byte buffer");
  raw_readdir(bigfd, 29, "fd_readdir big, 29-byte buffer");
  raw_readdir(bigfd, 65536, "fd_readdir big, 64 KiB buffer");
  /* A cookie past the end yields nothing. */
  uint8_t small[64];
  __wasi_size_t used = 12345;
  WASI("fd_readdir cookie past end", __wasi_fd_readdir(bigfd, small, sizeof small, 100000, &used));
  printf("fd_readdir cookie past end bufused=%u\n", (unsigned)used);
  close(bigfd);
  int ffd = open("f", O_RDONLY);
  WASI("fd_readdir on a file fd", __wasi_fd_readdir(ffd, small, sizeof small, 0, &used));
  close(ffd);

  /* --- rename --- */
  write_file("r1", "one\n");
  write_file("r2", "two\n");
  CHECK("rename file over file", rename("r1", "r2"));
  char buf[64];
  long n = read_file("r2", buf, sizeof buf);
  printf("r2 now: %ld %s", n, buf);
  CHECK("old name gone", open("r1", O_RDONLY));
  MUST(mkdir("dst", 0755));
  CHECK("rename file into dir", rename("r2", "dst/r2"));
  CHECK("rename missing", rename("nothing", "x"));
  MUST(mkdir("dsrc", 0755));
  write_file("dsrc/x", "x\n");
  MUST(mkdir("dempty", 0755));
  CHECK("rename dir over empty dir", rename("dsrc", "dempty"));
  CHECK("moved content visible", stat("dempty/x", &st));
  MUST(mkdir("dsrc2", 0755));
  CHECK("rename dir over non-empty dir", rename("dsrc2", "dempty"));
  CHECK("rename file over dir", rename("f", "dsrc2"));
  CHECK("rename dir over file", rename("dsrc2", "f"));
  CHECK("rename dir into itself", rename("dempty", "dempty/sub"));
  CHECK("rename to same name", rename("f", "f"));
  CHECK("rename dir", rename("dsrc2", "renamed"));
  list(".");
  return 0;
}
