/*
 * Conformance: path_rename (suite tests path_rename and
 * path_rename_dir_trailing_slashes). NO_RENAME_DIR_TO_EMPTY_DIR is never set
 * by the suite, so renaming over an empty directory must work.
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define ODIR __WASI_OFLAGS_DIRECTORY

static void test_path_rename(__wasi_fd_t root) {
  conf_section = "path_rename";
  const char *tmp = "path_rename_dir.cleanup";
  __wasi_fd_t dir;
  int e;
  if (!conf_tmp_dir(root, tmp, &dir)) return;

  /* Directory to a nonexistent name. */
  if (EXPECT_OK("dir->new: mkdir source",
                __wasi_path_create_directory(dir, "source"))) {
    if (EXPECT_OK("dir->new: rename(source, target)",
                  __wasi_path_rename(dir, "source", dir, "target"))) {
      EXPECT_ERRNO("dir->new: open(source, DIRECTORY)",
                   conf_try_open(dir, 0, "source", ODIR, 0, 0, 0), E(NOENT));
      EXPECT_OK("dir->new: open(target, DIRECTORY)",
                conf_try_open(dir, 0, "target", ODIR, 0, 0, 0));
      EXPECT_OK("dir->new: rmdir target",
                __wasi_path_remove_directory(dir, "target"));
    } else {
      (void)__wasi_path_remove_directory(dir, "source");
    }
  }

  /* Directory onto an existing empty directory. */
  if (EXPECT_OK("dir->empty dir: mkdir source",
                __wasi_path_create_directory(dir, "source")) &&
      EXPECT_OK("dir->empty dir: mkdir target",
                __wasi_path_create_directory(dir, "target"))) {
    if (EXPECT_OK("dir->empty dir: rename(source, target)",
                  __wasi_path_rename(dir, "source", dir, "target"))) {
      EXPECT_ERRNO("dir->empty dir: open(source, DIRECTORY)",
                   conf_try_open(dir, 0, "source", ODIR, 0, 0, 0), E(NOENT));
      EXPECT_OK("dir->empty dir: open(target, DIRECTORY)",
                conf_try_open(dir, 0, "target", ODIR, 0, 0, 0));
    } else {
      (void)__wasi_path_remove_directory(dir, "source");
    }
    EXPECT_OK("dir->empty dir: rmdir target",
              __wasi_path_remove_directory(dir, "target"));
  }

  /* Directory onto a non-empty directory, then onto a file. */
  if (EXPECT_OK("dir->nonempty: mkdir source",
                __wasi_path_create_directory(dir, "source")) &&
      EXPECT_OK("dir->nonempty: mkdir target",
                __wasi_path_create_directory(dir, "target")) &&
      conf_create_file(dir, "target/file")) {
    EXPECT_ERRNO("dir->nonempty: rename(source, target)",
                 __wasi_path_rename(dir, "source", dir, "target"),
                 E(NOTEMPTY), E(ACCES));
    e = __wasi_path_rename(dir, "source", dir, "target/file");
    conf_errno_in("dir->file: rename(source, target/file)", e,
                  (const int[]){E(SUCCESS), E(NOTDIR)}, 2);
    if (e == 0) {
      EXPECT_OK("dir->file: rmdir target/file (the moved directory)",
                __wasi_path_remove_directory(dir, "target/file"));
    } else {
      EXPECT_OK("dir->file: unlink target/file",
                __wasi_path_unlink_file(dir, "target/file"));
      EXPECT_OK("dir->file: rmdir source",
                __wasi_path_remove_directory(dir, "source"));
    }
    EXPECT_OK("dir->file: rmdir target",
              __wasi_path_remove_directory(dir, "target"));
  }

  /* File to a nonexistent name. */
  if (conf_create_file(dir, "source")) {
    if (EXPECT_OK("file->new: rename(source, target)",
                  __wasi_path_rename(dir, "source", dir, "target"))) {
      EXPECT_ERRNO("file->new: open(source)",
                   conf_try_open(dir, 0, "source", 0, 0, 0, 0), E(NOENT));
      EXPECT_OK("file->new: open(target)",
                conf_try_open(dir, 0, "target", 0, 0, 0, 0));
      EXPECT_OK("file->new: unlink target",
                __wasi_path_unlink_file(dir, "target"));
    } else {
      (void)__wasi_path_unlink_file(dir, "source");
    }
  }

  /* File onto an existing file. */
  if (conf_create_file(dir, "source") && conf_create_file(dir, "target")) {
    if (EXPECT_OK("file->file: rename(source, target)",
                  __wasi_path_rename(dir, "source", dir, "target"))) {
      EXPECT_ERRNO("file->file: open(source)",
                   conf_try_open(dir, 0, "source", 0, 0, 0, 0), E(NOENT));
      EXPECT_OK("file->file: open(target)",
                conf_try_open(dir, 0, "target", 0, 0, 0, 0));
    } else {
      (void)__wasi_path_unlink_file(dir, "source");
    }
    EXPECT_OK("file->file: unlink target",
              __wasi_path_unlink_file(dir, "target"));
  }

  /* File onto an empty directory. */
  if (conf_create_file(dir, "source") &&
      EXPECT_OK("file->dir: mkdir target",
                __wasi_path_create_directory(dir, "target"))) {
    e = __wasi_path_rename(dir, "source", dir, "target");
    conf_errno_in("file->dir: rename(source, target)", e,
                  (const int[]){E(ISDIR), E(ACCES)}, 2);
    if (e == 0) {
      (void)__wasi_path_unlink_file(dir, "target");
    } else {
      EXPECT_OK("file->dir: unlink source",
                __wasi_path_unlink_file(dir, "source"));
      EXPECT_OK("file->dir: rmdir target",
                __wasi_path_remove_directory(dir, "target"));
    }
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_trailing_slashes(__wasi_fd_t root) {
  conf_section = "path_rename_dir_trailing_slashes";
  const char *tmp = "path_rename_dir_trailing_slashes_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("mkdir source", __wasi_path_create_directory(dir, "source"))) {
    /* Each step needs the previous one; stop at the first failure. */
    (void)(EXPECT_OK("rename(source/, target)",
                     __wasi_path_rename(dir, "source/", dir, "target")) &&
           EXPECT_OK("rename(target, source/)",
                     __wasi_path_rename(dir, "target", dir, "source/")) &&
           EXPECT_OK("rename(source/, target/)",
                     __wasi_path_rename(dir, "source/", dir, "target/")) &&
           EXPECT_OK("rename(target, source)",
                     __wasi_path_rename(dir, "target", dir, "source")));
    /* Whatever name the directory ended up with, remove it. */
    if (!EXPECT_OK("rmdir source",
                   __wasi_path_remove_directory(dir, "source")))
      (void)__wasi_path_remove_directory(dir, "target");
  }
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_path_rename(root);
  test_trailing_slashes(root);
  return conf_finish();
}
