/*
 * Conformance: fd_readdir (suite test fd_readdir).
 *
 * Buffer of 256 bytes; a call is EOF iff bufused < 256; a trailing partial
 * entry is dropped, so when more entries remain the runtime must fill the
 * buffer completely. Cookies resume "after" an entry (d_next).
 */
#include "conf.h"

#define BUF_LEN 256
#define MAX_ENTRIES 64

typedef struct {
  __wasi_dirent_t d;
  char name[256];
} entry_t;

/* One fd_readdir call parsed like the suite does. Returns the errno. */
static __wasi_errno_t readdir_page(__wasi_fd_t fd, __wasi_dircookie_t cookie,
                                   entry_t *out, size_t max, size_t *count,
                                   int *eof) {
  static uint8_t buf[BUF_LEN];
  __wasi_size_t used = 0;
  *count = 0;
  *eof = 0;
  __wasi_errno_t e = __wasi_fd_readdir(fd, buf, BUF_LEN, cookie, &used);
  if (e) return e;
  if (used > BUF_LEN) used = BUF_LEN;
  *eof = used < BUF_LEN;
  size_t off = 0;
  while (used - off >= sizeof(__wasi_dirent_t)) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    off += sizeof d;
    if (used - off < d.d_namlen) break;
    if (*count < max) {
      out[*count].d = d;
      size_t n = d.d_namlen < 255 ? d.d_namlen : 255;
      memcpy(out[*count].name, buf + off, n);
      out[*count].name[n] = 0;
    }
    (*count)++;
    off += d.d_namlen;
  }
  return 0;
}

static const entry_t *find(const entry_t *e, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(e[i].name, name) == 0) return &e[i];
  return NULL;
}

static void test_fd_readdir(__wasi_fd_t root) {
  conf_section = "fd_readdir";
  const char *tmp = "fd_readdir_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;

  entry_t ents[MAX_ENTRIES];
  size_t n;
  int eof;

  /* Empty directory: exactly "." and "..". */
  __wasi_filestat_t dst;
  SETUP("fd_filestat_get(dir)", __wasi_fd_filestat_get(dir, &dst));
  if (EXPECT_OK("empty dir: fd_readdir(cookie 0)",
                readdir_page(dir, 0, ents, MAX_ENTRIES, &n, &eof))) {
    EXPECT_TRUE("empty dir: eof (bufused < 256)", eof, "got a full buffer");
    EXPECT_EQ("empty dir: entry count", n, 2);
    const entry_t *dot = find(ents, n, ".");
    const entry_t *dotdot = find(ents, n, "..");
    if (EXPECT_TRUE("empty dir: has \".\"", dot, "got no \".\" entry")) {
      EXPECT_EQ("\".\" d_type", dot->d.d_type, __WASI_FILETYPE_DIRECTORY);
      EXPECT_EQ("\".\" d_ino == fd_filestat_get(dir).ino", dot->d.d_ino,
                dst.ino);
      EXPECT_EQ("\".\" d_namlen", dot->d.d_namlen, 1);
    }
    if (EXPECT_TRUE("empty dir: has \"..\"", dotdot, "got no \"..\" entry"))
      EXPECT_EQ("\"..\" d_type", dotdot->d.d_type, __WASI_FILETYPE_DIRECTORY);
  }

  /* One file. */
  __wasi_fd_t f;
  SETUP("path_open(file, CREAT, READ|WRITE|READDIR|FILESTAT_GET)",
        conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                  R(FD_READ) | R(FD_WRITE) | R(FD_READDIR) |
                      R(FD_FILESTAT_GET),
                  0, 0, &f));
  __wasi_filestat_t fst;
  EXPECT_OK("fd_filestat_get(file)", __wasi_fd_filestat_get(f, &fst));
  CLOSE(f);

  if (EXPECT_OK("one file: fd_readdir(cookie 0)",
                readdir_page(dir, 0, ents, MAX_ENTRIES, &n, &eof))) {
    EXPECT_TRUE("one file: eof", eof, "got a full buffer");
    if (EXPECT_EQ("one file: entry count", n, 3)) {
      __wasi_dircookie_t cookie = ents[1].d.d_next;
      char last_name[256];
      strcpy(last_name, ents[2].name);
      const entry_t *fe = find(ents, n, "file");
      if (EXPECT_TRUE("one file: has \"file\"", fe, "got no \"file\" entry")) {
        EXPECT_EQ("\"file\" d_type", fe->d.d_type,
                  __WASI_FILETYPE_REGULAR_FILE);
        EXPECT_EQ("\"file\" d_ino == filestat ino", fe->d.d_ino, fst.ino);
      }
      EXPECT_TRUE("one file: has \".\" and \"..\"",
                  find(ents, n, ".") && find(ents, n, ".."),
                  "got a listing without them");
      entry_t rest[MAX_ENTRIES];
      size_t rn;
      int reof;
      if (EXPECT_OK("resume at entries[1].d_next",
                    readdir_page(dir, cookie, rest, MAX_ENTRIES, &rn,
                                 &reof))) {
        EXPECT_TRUE("resume: eof", reof, "got a full buffer");
        if (EXPECT_EQ("resume: exactly one entry", rn, 1))
          EXPECT_TRUE("resume: the entry is entries[2]",
                      strcmp(rest[0].name, last_name) == 0,
                      "got \"%s\" expected \"%s\"", rest[0].name, last_name);
      }
    }
  }
  EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));

  /* 1000 files, paged through with cookies. */
  enum { NFILES = 1000 };
  int created = 0;
  for (int i = 0; i < NFILES; i++) {
    char name[32];
    snprintf(name, sizeof name, "file.%d", i);
    __wasi_errno_t e = conf_open(dir, 0, name, __WASI_OFLAGS_CREAT,
                                 R(FD_READ) | R(FD_WRITE) | R(FD_READDIR) |
                                     R(FD_FILESTAT_GET),
                                 0, 0, &f);
    if (e) {
      conf_errno_in("lots: create file.N", e,
                    (const int[]){__WASI_ERRNO_SUCCESS}, 1);
      break;
    }
    CLOSE(f);
    created++;
  }
  if (created == NFILES) conf_pass(conf_label("lots: create 1000 files"));

  static unsigned char seen[NFILES];
  memset(seen, 0, sizeof seen);
  size_t total = 0, dups = 0, strays = 0, dots = 0;
  __wasi_dircookie_t cookie = 0;
  int calls = 0, ok = 1;
  for (;;) {
    __wasi_errno_t e = readdir_page(dir, cookie, ents, MAX_ENTRIES, &n, &eof);
    if (e) {
      conf_errno_in("lots: fd_readdir page", e,
                    (const int[]){__WASI_ERRNO_SUCCESS}, 1);
      ok = 0;
      break;
    }
    if (n > MAX_ENTRIES) n = MAX_ENTRIES;
    total += n;
    for (size_t i = 0; i < n; i++) {
      int k;
      char tail;
      if (!strcmp(ents[i].name, ".") || !strcmp(ents[i].name, ".."))
        dots++;
      else if (sscanf(ents[i].name, "file.%d%c", &k, &tail) == 1 && k >= 0 &&
               k < NFILES) {
        if (seen[k]) dups++;
        seen[k] = 1;
      } else
        strays++;
    }
    if (eof) break;
    if (n == 0) {
      conf_fail(conf_label("lots: progress"),
                "got a full buffer without a complete entry at cookie %llu",
                (unsigned long long)cookie);
      ok = 0;
      break;
    }
    cookie = ents[n - 1].d.d_next;
    if (++calls > 10 * NFILES) {
      conf_fail(conf_label("lots: terminates"),
                "got more than %d calls without EOF", 10 * NFILES);
      ok = 0;
      break;
    }
  }
  if (ok) {
    EXPECT_EQ("lots: total entries over all pages == 1002", total,
              NFILES + 2);
    size_t missing = 0;
    for (int i = 0; i < created; i++) missing += !seen[i];
    EXPECT_TRUE("lots: no duplicates, gaps or strays",
                dups == 0 && missing == 0 && strays == 0 && dots == 2,
                "got %zu duplicates, %zu missing, %zu strays, %zu dot entries",
                dups, missing, strays, dots);
  }

  int unlinked = 0;
  for (int i = 0; i < created; i++) {
    char name[32];
    snprintf(name, sizeof name, "file.%d", i);
    __wasi_errno_t e = __wasi_path_unlink_file(dir, name);
    if (e) {
      conf_errno_in("lots: unlink file.N", e,
                    (const int[]){__WASI_ERRNO_SUCCESS}, 1);
      break;
    }
    unlinked++;
  }
  if (created && unlinked == created)
    conf_pass(conf_label("lots: unlink all files"));

  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_fd_readdir(root);
  return conf_finish();
}
