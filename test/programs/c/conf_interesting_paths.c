/*
 * Conformance: path resolution (suite test interesting_paths).
 *
 * The scratch directory is opened with the test's own reduced rights. The
 * sandbox is relative to the dirfd passed in: ".." may not climb above it,
 * even when the result would still be inside the preopen.
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x

static __wasi_errno_t open_len(__wasi_fd_t dir, const char *path, size_t len) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  int32_t e = conf_raw_path_open((int32_t)dir, 0, (int32_t)(intptr_t)path,
                                 (int32_t)len, 0, 0, 0, 0,
                                 (int32_t)(intptr_t)&fd);
  if (e == 0) CLOSE(fd);
  return (__wasi_errno_t)e;
}

static void test_interesting_paths(__wasi_fd_t root) {
  conf_section = "interesting_paths";
  const char *tmp = "interesting_paths_dir.cleanup";
  const __wasi_rights_t base =
      R(FD_FILESTAT_GET) | R(FD_READDIR) | R(PATH_CREATE_FILE) |
      R(PATH_CREATE_DIRECTORY) | R(PATH_REMOVE_DIRECTORY) | R(PATH_OPEN) |
      R(PATH_UNLINK_FILE);
  const __wasi_rights_t inh =
      R(FD_READ) | R(FD_WRITE) | R(FD_READDIR) | R(FD_FILESTAT_GET) |
      R(FD_SEEK);
  __wasi_fd_t dir;
  if (!EXPECT_OK("mkdir tmp dir", __wasi_path_create_directory(root, tmp)))
    return;
  if (!EXPECT_OK("path_open(tmp dir, DIRECTORY, reduced rights)",
                 conf_open(root, 0, tmp, __WASI_OFLAGS_DIRECTORY, base, inh,
                           0, &dir))) {
    (void)__wasi_path_remove_directory(root, tmp);
    return;
  }

  if (EXPECT_OK("mkdir dir", __wasi_path_create_directory(dir, "dir")) &&
      EXPECT_OK("mkdir dir/nested",
                __wasi_path_create_directory(dir, "dir/nested")) &&
      conf_create_file(dir, "dir/nested/file")) {
    EXPECT_ERRNO("path_open(\"/dir/nested/file\") (absolute)",
                 conf_try_open(dir, 0, "/dir/nested/file", 0, 0, 0, 0),
                 E(PERM), E(NOTCAPABLE));
    EXPECT_OK("path_open(\"dir/.//nested/../../dir/nested/../nested///./file\")",
              conf_try_open(dir, 0,
                            "dir/.//nested/../../dir/nested/../nested///./file",
                            0, 0, 0, 0));
    static const char with_nul[] = "dir/nested/file\0";
    EXPECT_ERRNO("path_open(\"dir/nested/file\\0\") (embedded NUL)",
                 open_len(dir, with_nul, sizeof with_nul - 1), E(INVAL),
                 E(ILSEQ), E(NOENT));
    EXPECT_ERRNO("path_open(\"dir/nested/file/\")",
                 conf_try_open(dir, 0, "dir/nested/file/", 0, 0, 0, 0),
                 E(NOTDIR), E(NOENT));
    EXPECT_ERRNO("path_open(\"dir/nested/file///\")",
                 conf_try_open(dir, 0, "dir/nested/file///", 0, 0, 0, 0),
                 E(NOTDIR), E(NOENT));
    EXPECT_OK("path_open(\"dir/nested/\", oflags 0, rights 0)",
              conf_try_open(dir, 0, "dir/nested/", 0, 0, 0, 0));
    EXPECT_OK("path_open(\"dir/nested///\", oflags 0, rights 0)",
              conf_try_open(dir, 0, "dir/nested///", 0, 0, 0, 0));
    EXPECT_ERRNO("path_open(\"dir/nested/../../../dir/nested/file\") "
                 "(escapes the dirfd)",
                 conf_try_open(dir, 0, "dir/nested/../../../dir/nested/file",
                               0, 0, 0, 0),
                 E(PERM), E(NOTCAPABLE));
    EXPECT_OK("unlink dir/nested/file",
              __wasi_path_unlink_file(dir, "dir/nested/file"));
  }
  EXPECT_OK("rmdir dir/nested",
            __wasi_path_remove_directory(dir, "dir/nested"));
  EXPECT_OK("rmdir dir", __wasi_path_remove_directory(dir, "dir"));
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_interesting_paths(root);
  return conf_finish();
}
