/*
 * Conformance: removing files and directories (suite tests
 * remove_directory_trailing_slashes, remove_nonempty_directory,
 * unlink_file_trailing_slashes, dangling_fd, and dangling_fd's older form
 * that unlinks/removes while the fd is still open).
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x

static void test_rmdir_trailing_slashes(__wasi_fd_t root) {
  conf_section = "remove_directory_trailing_slashes";
  const char *d = "dir.cleanup", *f = "file.cleanup";
  if (EXPECT_OK("mkdir dir.cleanup", __wasi_path_create_directory(root, d)))
    EXPECT_OK("rmdir dir.cleanup", __wasi_path_remove_directory(root, d));
  if (EXPECT_OK("mkdir dir.cleanup again",
                __wasi_path_create_directory(root, d))) {
    int e = __wasi_path_remove_directory(root, "dir.cleanup/");
    conf_errno_in("rmdir dir.cleanup/", e,
                  (const int[]){E(SUCCESS), E(ACCES), E(INVAL)}, 3);
    if (e != 0)
      EXPECT_OK("rmdir dir.cleanup after the trailing-slash error",
                __wasi_path_remove_directory(root, d));
  }
  if (conf_create_file(root, f)) {
    EXPECT_ERRNO("rmdir file.cleanup", __wasi_path_remove_directory(root, f),
                 E(NOTDIR));
    EXPECT_ERRNO("rmdir file.cleanup/",
                 __wasi_path_remove_directory(root, "file.cleanup/"),
                 E(NOTDIR), E(NOENT));
    EXPECT_OK("unlink file.cleanup", __wasi_path_unlink_file(root, f));
  }
}

static void test_remove_nonempty(__wasi_fd_t root) {
  conf_section = "remove_nonempty_directory";
  const char *tmp = "remove_nonempty_directory_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("mkdir dir", __wasi_path_create_directory(dir, "dir"))) {
    if (EXPECT_OK("mkdir dir/nested",
                  __wasi_path_create_directory(dir, "dir/nested"))) {
      EXPECT_ERRNO("rmdir dir (not empty)",
                   __wasi_path_remove_directory(dir, "dir"), E(NOTEMPTY));
      EXPECT_OK("rmdir dir/nested",
                __wasi_path_remove_directory(dir, "dir/nested"));
    }
    EXPECT_OK("rmdir dir", __wasi_path_remove_directory(dir, "dir"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_unlink_trailing_slashes(__wasi_fd_t root) {
  conf_section = "unlink_file_trailing_slashes";
  const char *tmp = "unlink_file_trailing_slashes_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("mkdir dir", __wasi_path_create_directory(dir, "dir"))) {
    EXPECT_ERRNO("unlink dir", __wasi_path_unlink_file(dir, "dir"), E(PERM),
                 E(ISDIR), E(ACCES));
    EXPECT_ERRNO("unlink dir/", __wasi_path_unlink_file(dir, "dir/"),
                 E(PERM), E(ISDIR), E(ACCES));
    EXPECT_OK("rmdir dir", __wasi_path_remove_directory(dir, "dir"));
  }
  if (conf_create_file(dir, "file")) {
    int e = __wasi_path_unlink_file(dir, "file/");
    conf_errno_in("unlink file/", e, (const int[]){E(NOTDIR), E(NOENT)}, 2);
    if (e != 0)
      EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_dangling_fd(__wasi_fd_t root, int keep_open) {
  conf_section = keep_open ? "dangling_fd (older form, fd kept open)"
                           : "dangling_fd";
  const char *f = "dangling_fd_file.cleanup";
  const char *d = "dangling_fd_subdir.cleanup";
  __wasi_fd_t fd, fd2;

  if (EXPECT_OK("path_open(file, CREAT)",
                conf_open(root, 0, f, __WASI_OFLAGS_CREAT, 0, 0, 0, &fd))) {
    CLOSE(fd);
    if (EXPECT_OK("path_open(file, 0)", conf_open(root, 0, f, 0, 0, 0, 0, &fd))) {
      EXPECT_TRUE("file fd > 2", fd > 2, "got %u", fd);
      if (!keep_open) CLOSE(fd);
      EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(root, f));
      if (EXPECT_OK("path_open(file, CREAT) again",
                    conf_open(root, 0, f, __WASI_OFLAGS_CREAT, 0, 0, 0,
                              &fd2))) {
        CLOSE(fd2);
        EXPECT_OK("path_unlink_file(file) again",
                  __wasi_path_unlink_file(root, f));
      }
      if (keep_open) CLOSE(fd);
    }
  }

  if (EXPECT_OK("mkdir subdir", __wasi_path_create_directory(root, d))) {
    if (EXPECT_OK("path_open(subdir, DIRECTORY)",
                  conf_open(root, 0, d, __WASI_OFLAGS_DIRECTORY, 0, 0, 0,
                            &fd))) {
      EXPECT_TRUE("subdir fd > 2", fd > 2, "got %u", fd);
      if (!keep_open) CLOSE(fd);
      EXPECT_OK("rmdir subdir", __wasi_path_remove_directory(root, d));
      EXPECT_OK("mkdir subdir again", __wasi_path_create_directory(root, d));
      if (keep_open) CLOSE(fd);
    }
    /* The suite leaves the directory for the runner's *.cleanup sweep; these
     * programs remove everything they created. */
    EXPECT_OK("rmdir subdir (cleanup)", __wasi_path_remove_directory(root, d));
  }
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_rmdir_trailing_slashes(root);
  test_remove_nonempty(root);
  test_unlink_trailing_slashes(root);
  test_dangling_fd(root, 0);
  test_dangling_fd(root, 1);
  return conf_finish();
}
