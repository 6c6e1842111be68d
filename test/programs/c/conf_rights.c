/*
 * Conformance: rights (suite tests fd_fdstat_set_rights, truncation_rights,
 * and the legacy path_open_read_without_rights), plus the checklist item on
 * masking requested rights.
 *
 * A runtime may either implement fd_fdstat_set_rights (shrink only; growing
 * gives NOTCAPABLE) or return NOTSUP for it; the suite then skips the
 * rights-dropping parts, as these checks do.
 */
#include "conf.h"

static void test_set_rights(__wasi_fd_t root) {
  conf_section = "fd_fdstat_set_rights";
  const char *tmp = "rights_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (!conf_supports_rights(dir)) {
    NOTE("fd_fdstat_set_rights: NOTSUP on the directory; skipped as the suite "
         "does");
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  const __wasi_rights_t rights =
      R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL);
  if (EXPECT_OK("path_open(file.cleanup, CREAT, READ|WRITE|SEEK|TELL)",
                conf_open(dir, 0, "file.cleanup", __WASI_OFLAGS_CREAT, rights,
                          0, 0, &fd))) {
    __wasi_size_t n;
    char buf[4];
    if (EXPECT_OK("fd_write(4)", conf_write(fd, "abcd", 4, &n)))
      EXPECT_EQ("fd_write returns 4", n, 4);
    __wasi_filesize_t pos;
    EXPECT_OK("fd_seek(0, SET)",
              __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    if (EXPECT_OK("fd_read(4)", conf_read(fd, buf, 4, &n)))
      EXPECT_TRUE("read back the 4 bytes", n == 4 && !memcmp(buf, "abcd", 4),
                  "got %u bytes", (unsigned)n);

    __wasi_fdstat_t st;
    if (EXPECT_OK("fd_fdstat_get(file)", __wasi_fd_fdstat_get(fd, &st)) &&
        EXPECT_OK("drop_rights(file, READ|WRITE, 0)",
                  __wasi_fd_fdstat_set_rights(
                      fd, st.fs_rights_base & ~(R(FD_READ) | R(FD_WRITE)),
                      st.fs_rights_inheriting))) {
      __wasi_fdstat_t st2;
      if (EXPECT_OK("fd_fdstat_get after drop",
                    __wasi_fd_fdstat_get(fd, &st2))) {
        EXPECT_TRUE("base lacks READ and WRITE, keeps SEEK",
                    !(st2.fs_rights_base & (R(FD_READ) | R(FD_WRITE))) &&
                        (st2.fs_rights_base & R(FD_SEEK)),
                    "got base %#llx", (unsigned long long)st2.fs_rights_base);
      }
      EXPECT_ERRNO("fd_read without FD_READ", conf_read(fd, buf, 4, &n),
                   __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
      EXPECT_ERRNO("fd_write without FD_WRITE", conf_write(fd, "abcd", 4, &n),
                   __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
      if (__wasi_fd_fdstat_get(fd, &st2) == 0)
        EXPECT_ERRNO("fd_fdstat_set_rights growing rights",
                     __wasi_fd_fdstat_set_rights(
                         fd, st2.fs_rights_base | rights,
                         st2.fs_rights_inheriting),
                     __WASI_ERRNO_NOTCAPABLE);
    }
    CLOSE(fd);
    EXPECT_OK("path_unlink_file(file.cleanup)",
              __wasi_path_unlink_file(dir, "file.cleanup"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_truncation_rights(__wasi_fd_t root) {
  conf_section = "truncation_rights";
  const char *tmp = "truncation_rights_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (!conf_create_file(dir, "file")) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  __wasi_fdstat_t st;
  if (EXPECT_OK("fd_fdstat_get(dir)", __wasi_fd_fdstat_get(dir, &st))) {
    EXPECT_EQ("dir filetype is DIRECTORY", st.fs_filetype,
              __WASI_FILETYPE_DIRECTORY);
    EXPECT_EQ("dir fs_flags == 0", st.fs_flags, 0);
    EXPECT_TRUE("dir base lacks FD_FILESTAT_SET_SIZE (never requested)",
                !(st.fs_rights_base & R(FD_FILESTAT_SET_SIZE)),
                "got base %#llx", (unsigned long long)st.fs_rights_base);
    if (!(st.fs_rights_base & R(PATH_FILESTAT_SET_SIZE))) {
      NOTE("truncation_rights: dir lacks PATH_FILESTAT_SET_SIZE; skipped as "
           "the suite does");
    } else {
      EXPECT_OK("path_open(file, TRUNC)",
                conf_try_open(dir, 0, "file", __WASI_OFLAGS_TRUNC, 0, 0, 0));
      __wasi_rights_t base = st.fs_rights_base;
      __wasi_rights_t inh = st.fs_rights_inheriting;
      if (inh & R(FD_FILESTAT_SET_SIZE)) {
        inh &= ~R(FD_FILESTAT_SET_SIZE);
        EXPECT_OK("fd_fdstat_set_rights(dir, inheriting - FD_FILESTAT_SET_SIZE)",
                  __wasi_fd_fdstat_set_rights(dir, base, inh));
        EXPECT_OK("path_open(file, TRUNC) without inherited FD_FILESTAT_SET_SIZE",
                  conf_try_open(dir, 0, "file", __WASI_OFLAGS_TRUNC, 0, 0, 0));
      }
      base &= ~R(PATH_FILESTAT_SET_SIZE);
      EXPECT_OK("fd_fdstat_set_rights(dir, base - PATH_FILESTAT_SET_SIZE)",
                __wasi_fd_fdstat_set_rights(dir, base, inh));
      __wasi_fdstat_t st2;
      if (EXPECT_OK("fd_fdstat_get(dir) after drop",
                    __wasi_fd_fdstat_get(dir, &st2)))
        EXPECT_TRUE("PATH_FILESTAT_SET_SIZE cleared",
                    !(st2.fs_rights_base & R(PATH_FILESTAT_SET_SIZE)),
                    "got base %#llx", (unsigned long long)st2.fs_rights_base);
      EXPECT_ERRNO("path_open(file, TRUNC) without PATH_FILESTAT_SET_SIZE",
                   conf_try_open(dir, 0, "file", __WASI_OFLAGS_TRUNC, 0, 0, 0),
                   __WASI_ERRNO_PERM, __WASI_ERRNO_NOTCAPABLE);
    }
  }
  EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  conf_tmp_dir_done(root, tmp, dir);
}

/* Legacy suite test (old tests/rust/src/bin only). */
static void test_read_without_rights(__wasi_fd_t root) {
  conf_section = "path_open_read_without_rights";
  const char *tmp = "path_open_read_without_rights_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (!conf_create_file(dir, "file")) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  __wasi_fdstat_t st;
  if (!conf_supports_rights(dir)) {
    NOTE("path_open_read_without_rights: fd_fdstat_set_rights NOTSUP; "
         "skipped");
  } else if (EXPECT_OK("fd_fdstat_get(dir)", __wasi_fd_fdstat_get(dir, &st)) &&
             EXPECT_OK("drop_rights(dir, FD_READ, FD_READ)",
                       __wasi_fd_fdstat_set_rights(
                           dir, st.fs_rights_base & ~R(FD_READ),
                           st.fs_rights_inheriting & ~R(FD_READ)))) {
    if (EXPECT_OK("path_open(file, rights 0)",
                  conf_open(dir, 0, "file", 0, 0, 0, 0, &fd))) {
      __wasi_fdstat_t fst;
      if (EXPECT_OK("fd_fdstat_get(file)", __wasi_fd_fdstat_get(fd, &fst)))
        EXPECT_TRUE("file base and inheriting lack FD_READ",
                    !(fst.fs_rights_base & R(FD_READ)) &&
                        !(fst.fs_rights_inheriting & R(FD_READ)),
                    "got base %#llx inheriting %#llx",
                    (unsigned long long)fst.fs_rights_base,
                    (unsigned long long)fst.fs_rights_inheriting);
      char buf[8];
      __wasi_size_t n;
      EXPECT_ERRNO("fd_read without FD_READ", conf_read(fd, buf, 8, &n),
                   __WASI_ERRNO_BADF);
      CLOSE(fd);
    }
  }
  EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  conf_tmp_dir_done(root, tmp, dir);
}

/* Checklist: requested rights are masked by the parent's inheriting rights;
 * asking for too many is never an error. */
static void test_masking(__wasi_fd_t root) {
  conf_section = "checklist: rights masking";
  const char *tmp = "rights_masking_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  __wasi_fdstat_t ds, fs;
  if (EXPECT_OK("fd_fdstat_get(dir)", __wasi_fd_fdstat_get(dir, &ds)) &&
      EXPECT_OK("path_open(file, CREAT, every right requested)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                          ~(__wasi_rights_t)0, ~(__wasi_rights_t)0, 0,
                          &fd))) {
    if (EXPECT_OK("fd_fdstat_get(file)", __wasi_fd_fdstat_get(fd, &fs))) {
      EXPECT_TRUE("file base is within the dir's inheriting rights",
                  !(fs.fs_rights_base & ~ds.fs_rights_inheriting),
                  "got extra bits %#llx",
                  (unsigned long long)(fs.fs_rights_base &
                                       ~ds.fs_rights_inheriting));
      EXPECT_TRUE("file inheriting is within the dir's inheriting rights",
                  !(fs.fs_rights_inheriting & ~ds.fs_rights_inheriting),
                  "got extra bits %#llx",
                  (unsigned long long)(fs.fs_rights_inheriting &
                                       ~ds.fs_rights_inheriting));
    }
    CLOSE(fd);
    EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_set_rights(root);
  test_truncation_rights(root);
  test_read_without_rights(root);
  test_masking(root);
  return conf_finish();
}
