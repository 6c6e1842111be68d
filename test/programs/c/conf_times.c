/*
 * Conformance: timestamps and sizes (suite tests fd_filestat_set,
 * fstflags_validate, path_filestat).
 *
 * mtim must be set and read back with nanosecond precision; atim is left
 * alone when ATIM is not in fst_flags; *_NOW with the explicit flag is INVAL.
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define FST(x) __WASI_FSTFLAGS_##x

static void test_fd_filestat_set(__wasi_fd_t root) {
  conf_section = "fd_filestat_set";
  const char *f = "fd_filestat_set_file.cleanup";
  __wasi_fd_t fd;
  if (!EXPECT_OK("path_open(CREAT, READ|WRITE|FILESTAT_GET|SET_SIZE|SET_TIMES)",
                 conf_open(root, 0, f, __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_WRITE) | R(FD_FILESTAT_GET) |
                               R(FD_FILESTAT_SET_SIZE) |
                               R(FD_FILESTAT_SET_TIMES),
                           0, 0, &fd)))
    return;
  __wasi_filestat_t st;
  if (EXPECT_OK("fd_filestat_get", __wasi_fd_filestat_get(fd, &st)))
    EXPECT_EQ("size is 0", st.size, 0);
  EXPECT_OK("fd_filestat_set_size(100)", __wasi_fd_filestat_set_size(fd, 100));
  if (EXPECT_OK("fd_filestat_get after set_size",
                __wasi_fd_filestat_get(fd, &st))) {
    EXPECT_EQ("size is 100", st.size, 100);
    __wasi_timestamp_t old_atim = st.atim;
    __wasi_timestamp_t new_mtim = st.mtim - 100;
    if (EXPECT_OK("fd_filestat_set_times(mtim - 100, MTIM)",
                  __wasi_fd_filestat_set_times(fd, new_mtim, new_mtim,
                                               FST(MTIM)))) {
      if (EXPECT_OK("fd_filestat_get after set_times",
                    __wasi_fd_filestat_get(fd, &st))) {
        EXPECT_EQ("size still 100", st.size, 100);
        EXPECT_EQ("mtim equals the new value exactly", st.mtim, new_mtim);
        EXPECT_EQ("atim unchanged (ATIM not set)", st.atim, old_atim);
      }
    }
  }
  CLOSE(fd);
  EXPECT_OK("path_unlink_file", __wasi_path_unlink_file(root, f));
}

static void test_fstflags_validate(__wasi_fd_t root) {
  conf_section = "fstflags_validate";
  const char *f = "fstflags_validate.cleanup";
  __wasi_fd_t fd;
  if (!EXPECT_OK("path_open(CREAT, READ|FILESTAT_SET_TIMES)",
                 conf_open(root, 0, f, __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_FILESTAT_SET_TIMES), 0, 0, &fd)))
    return;
  EXPECT_ERRNO("fd_filestat_set_times(MTIM|MTIM_NOW)",
               __wasi_fd_filestat_set_times(fd, 100, 200,
                                            FST(MTIM) | FST(MTIM_NOW)),
               E(INVAL));
  EXPECT_ERRNO("fd_filestat_set_times(ATIM|ATIM_NOW)",
               __wasi_fd_filestat_set_times(fd, 100, 200,
                                            FST(ATIM) | FST(ATIM_NOW)),
               E(INVAL));
  CLOSE(fd);
  /* The suite leaves this file for the runner's sweep; remove it here. */
  EXPECT_OK("path_unlink_file (cleanup)", __wasi_path_unlink_file(root, f));
}

static void test_path_filestat(__wasi_fd_t root) {
  conf_section = "path_filestat";
  const char *tmp = "path_filestat_dir.cleanup";
  __wasi_fd_t dir, fd = (__wasi_fd_t)-1;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  __wasi_fdstat_t ds;
  if (EXPECT_OK("fd_fdstat_get(dir)", __wasi_fd_fdstat_get(dir, &ds)))
    EXPECT_TRUE("dir base has PATH_FILESTAT_GET",
                ds.fs_rights_base & R(PATH_FILESTAT_GET), "got base %#llx",
                (unsigned long long)ds.fs_rights_base);

  const __wasi_rights_t rights =
      R(FD_READ) | R(FD_WRITE) | R(PATH_FILESTAT_GET);
  __wasi_fdflags_t flags = __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC;
  int e = conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT, rights, 0, flags,
                    &fd);
  if (e == E(NOTSUP)) {
    NOTE("path_filestat: APPEND|SYNC gave NOTSUP; retrying with APPEND");
    flags = __WASI_FDFLAGS_APPEND;
    e = conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT, rights, 0, flags, &fd);
  }
  if (!conf_errno_in("path_open(file, CREAT, APPEND|SYNC or APPEND)", e,
                     (const int[]){E(SUCCESS)}, 1)) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  __wasi_fdstat_t fs;
  if (EXPECT_OK("fd_fdstat_get(file)", __wasi_fd_fdstat_get(fd, &fs)))
    EXPECT_TRUE("fs_flags has the accepted flags", (fs.fs_flags & flags) ==
                                                       flags,
                "got fs_flags %#x expected %#x set", fs.fs_flags, flags);

  __wasi_filestat_t st;
  if (EXPECT_OK("path_filestat_get(file)",
                __wasi_path_filestat_get(dir, 0, "file", &st))) {
    EXPECT_EQ("size is 0", st.size, 0);
    __wasi_timestamp_t new_mtim = st.mtim - 100;
    if (EXPECT_OK("path_filestat_set_times(mtim - 100, MTIM)",
                  __wasi_path_filestat_set_times(dir, 0, "file", 0, new_mtim,
                                                 FST(MTIM))) &&
        EXPECT_OK("path_filestat_get after set_times",
                  __wasi_path_filestat_get(dir, 0, "file", &st)))
      EXPECT_EQ("mtim equals the new value exactly", st.mtim, new_mtim);
    __wasi_timestamp_t before = st.mtim;
    EXPECT_ERRNO("path_filestat_set_times(MTIM|MTIM_NOW)",
                 __wasi_path_filestat_set_times(dir, 0, "file", 0, new_mtim,
                                                FST(MTIM) | FST(MTIM_NOW)),
                 E(INVAL));
    if (EXPECT_OK("path_filestat_get after the INVAL",
                  __wasi_path_filestat_get(dir, 0, "file", &st)))
      EXPECT_EQ("mtim unchanged by the rejected call", st.mtim, before);
    EXPECT_ERRNO("path_filestat_set_times(ATIM|ATIM_NOW)",
                 __wasi_path_filestat_set_times(dir, 0, "file", 0, 0,
                                                FST(ATIM) | FST(ATIM_NOW)),
                 E(INVAL));
  }
  CLOSE(fd);
  EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_fd_filestat_set(root);
  test_fstflags_validate(root);
  test_path_filestat(root);
  return conf_finish();
}
