/*
 * Conformance: symbolic links (suite tests dangling_symlink, nofollow_errors,
 * symlink_create, symlink_filestat, symlink_loop,
 * path_symlink_trailing_slashes, readlink, path_exists).
 *
 * NO_DANGLING_FILESYSTEM is never set by the suite, so dangling symlinks are
 * tested.
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define ODIR __WASI_OFLAGS_DIRECTORY

static void test_dangling_symlink(__wasi_fd_t root) {
  conf_section = "dangling_symlink";
  const char *s = "dangling_symlink_symlink.cleanup";
  if (__wasi_path_symlink("target", root, s) != 0) {
    NOTE("dangling_symlink: path_symlink failed; the suite passes here");
    return;
  }
  EXPECT_ERRNO("path_open(dangling, nofollow, DIRECTORY)",
               conf_try_open(root, 0, s, ODIR, 0, 0, 0), E(NOTDIR), E(LOOP));
  EXPECT_ERRNO("path_open(dangling, nofollow, 0)",
               conf_try_open(root, 0, s, 0, 0, 0, 0), E(LOOP));
  EXPECT_OK("path_unlink_file(dangling)", __wasi_path_unlink_file(root, s));
}

static void test_nofollow_errors(__wasi_fd_t root) {
  conf_section = "nofollow_errors";
  const char *tmp = "nofollow_errors_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;

  /* Symlink to a directory. */
  if (EXPECT_OK("mkdir target", __wasi_path_create_directory(dir, "target"))) {
    if (EXPECT_OK("path_symlink(target, symlink) [dir]",
                  __wasi_path_symlink("target", dir, "symlink"))) {
      EXPECT_ERRNO("dir link: path_open(nofollow, DIRECTORY)",
                   conf_try_open(dir, 0, "symlink", ODIR, 0, 0, 0), E(LOOP),
                   E(NOTDIR));
      EXPECT_ERRNO("dir link: path_open(nofollow, 0)",
                   conf_try_open(dir, 0, "symlink", 0, 0, 0, 0), E(LOOP),
                   E(ACCES));
      EXPECT_OK("dir link: path_open(FOLLOW, DIRECTORY)",
                conf_try_open(dir, FOLLOW, "symlink", ODIR, 0, 0, 0));
      EXPECT_OK("unlink symlink [dir]",
                __wasi_path_unlink_file(dir, "symlink"));
    }
    EXPECT_OK("rmdir target", __wasi_path_remove_directory(dir, "target"));
  }

  /* Symlink to a file. */
  if (conf_create_file(dir, "target")) {
    if (EXPECT_OK("path_symlink(target, symlink) [file]",
                  __wasi_path_symlink("target", dir, "symlink"))) {
      EXPECT_ERRNO("file link: path_open(nofollow, DIRECTORY)",
                   conf_try_open(dir, 0, "symlink", ODIR, 0, 0, 0), E(LOOP),
                   E(NOTDIR));
      EXPECT_ERRNO("file link: path_open(nofollow, 0)",
                   conf_try_open(dir, 0, "symlink", 0, 0, 0, 0), E(LOOP));
      EXPECT_ERRNO("file link: path_open(FOLLOW, DIRECTORY)",
                   conf_try_open(dir, FOLLOW, "symlink", ODIR, 0, 0, 0),
                   E(NOTDIR));
      EXPECT_OK("unlink symlink [file]",
                __wasi_path_unlink_file(dir, "symlink"));
    }
    EXPECT_OK("unlink target", __wasi_path_unlink_file(dir, "target"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_symlink_create(__wasi_fd_t root) {
  conf_section = "symlink_create";
  const char *tmp = "symlink_create_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;

  if (conf_create_file(dir, "target")) {
    if (EXPECT_OK("path_symlink(target, symlink) [file]",
                  __wasi_path_symlink("target", dir, "symlink"))) {
      EXPECT_OK("path_open(FOLLOW, symlink, 0) [file]",
                conf_try_open(dir, FOLLOW, "symlink", 0, 0, 0, 0));
      EXPECT_OK("unlink symlink [file]",
                __wasi_path_unlink_file(dir, "symlink"));
    }
    EXPECT_OK("unlink target", __wasi_path_unlink_file(dir, "target"));
  }

  if (EXPECT_OK("mkdir target", __wasi_path_create_directory(dir, "target"))) {
    if (EXPECT_OK("path_symlink(target, symlink) [dir]",
                  __wasi_path_symlink("target", dir, "symlink"))) {
      EXPECT_OK("path_open(FOLLOW, symlink, DIRECTORY) [dir]",
                conf_try_open(dir, FOLLOW, "symlink", ODIR, 0, 0, 0));
      EXPECT_OK("path_unlink_file(symlink to a directory)",
                __wasi_path_unlink_file(dir, "symlink"));
    }
    EXPECT_OK("rmdir target", __wasi_path_remove_directory(dir, "target"));
  }

  int e = __wasi_path_symlink("/", dir, "symlink");
  EXPECT_TRUE("path_symlink(\"/\", symlink) is refused (absolute target)",
              e != 0, "got SUCCESS expected an error");
  if (e == 0) (void)__wasi_path_unlink_file(dir, "symlink");
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_symlink_filestat(__wasi_fd_t root) {
  conf_section = "symlink_filestat";
  const char *tmp = "symlink_filestat_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  __wasi_fdstat_t dst;
  if (EXPECT_OK("fd_fdstat_get(dir)", __wasi_fd_fdstat_get(dir, &dst)))
    EXPECT_TRUE("dir base has PATH_FILESTAT_GET",
                dst.fs_rights_base & R(PATH_FILESTAT_GET), "got base %#llx",
                (unsigned long long)dst.fs_rights_base);
  if (!EXPECT_OK("path_open(file, CREAT, READ|WRITE|PATH_FILESTAT_GET)",
                 conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_WRITE) | R(PATH_FILESTAT_GET), 0,
                           0, &fd))) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  __wasi_filestat_t file_stat, sym_stat, st;
  if (EXPECT_OK("path_filestat_get(file)",
                __wasi_path_filestat_get(dir, 0, "file", &file_stat)))
    EXPECT_EQ("file size is 0", file_stat.size, 0);
  if (EXPECT_OK("path_symlink(file, symlink)",
                __wasi_path_symlink("file", dir, "symlink"))) {
    if (EXPECT_OK("path_filestat_get(nofollow, symlink)",
                  __wasi_path_filestat_get(dir, 0, "symlink", &sym_stat))) {
      __wasi_timestamp_t new_mtim = sym_stat.mtim - 200;
      EXPECT_OK("path_filestat_set_times(nofollow, symlink, mtim - 200, MTIM)",
                __wasi_path_filestat_set_times(dir, 0, "symlink", 0, new_mtim,
                                               __WASI_FSTFLAGS_MTIM));
      if (EXPECT_OK("path_filestat_get(nofollow, symlink) again",
                    __wasi_path_filestat_get(dir, 0, "symlink", &st)))
        EXPECT_EQ("symlink's own mtim changed exactly", st.mtim, new_mtim);
      if (EXPECT_OK("path_filestat_get(file)",
                    __wasi_path_filestat_get(dir, 0, "file", &st)))
        EXPECT_EQ("file mtim unchanged", st.mtim, file_stat.mtim);
      if (EXPECT_OK("path_filestat_get(FOLLOW, symlink)",
                    __wasi_path_filestat_get(dir, FOLLOW, "symlink", &st)))
        EXPECT_EQ("FOLLOW stat shows the file's mtim", st.mtim,
                  file_stat.mtim);
      EXPECT_OK("path_filestat_set_times(FOLLOW, symlink, sym mtim, MTIM)",
                __wasi_path_filestat_set_times(dir, FOLLOW, "symlink", 0,
                                               sym_stat.mtim,
                                               __WASI_FSTFLAGS_MTIM));
      if (EXPECT_OK("path_filestat_get(file) after FOLLOW set",
                    __wasi_path_filestat_get(dir, 0, "file", &st)))
        EXPECT_EQ("file mtim == symlink's original mtim", st.mtim,
                  sym_stat.mtim);
    }
    EXPECT_OK("unlink symlink", __wasi_path_unlink_file(dir, "symlink"));
  }
  CLOSE(fd);
  EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_symlink_loop(__wasi_fd_t root) {
  conf_section = "symlink_loop";
  const char *tmp = "symlink_loop_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (__wasi_path_symlink("symlink", dir, "symlink") == 0) {
    EXPECT_ERRNO("path_open(self-loop, 0)",
                 conf_try_open(dir, 0, "symlink", 0, 0, 0, 0), E(LOOP));
    EXPECT_OK("unlink symlink", __wasi_path_unlink_file(dir, "symlink"));
  } else {
    NOTE("symlink_loop: path_symlink failed; the suite skips here");
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_symlink_trailing_slashes(__wasi_fd_t root) {
  conf_section = "path_symlink_trailing_slashes";
  const char *tmp = "path_symlink_trailing_slashes_dir.cleanup";
  __wasi_fd_t dir;
  int e;
  if (!conf_tmp_dir(root, tmp, &dir)) return;

  /* Dangling. */
  e = __wasi_path_symlink("source", dir, "target/");
  conf_errno_in("dangling: symlink(source, target/)", e,
                (const int[]){E(NOENT)}, 1);
  if (e == 0) (void)__wasi_path_unlink_file(dir, "target");
  if (__wasi_path_symlink("source", dir, "target") == 0)
    EXPECT_OK("dangling: unlink target",
              __wasi_path_unlink_file(dir, "target"));

  /* Target is a directory. */
  if (EXPECT_OK("mkdir target", __wasi_path_create_directory(dir, "target"))) {
    EXPECT_ERRNO("dir: symlink(source, target/)",
                 __wasi_path_symlink("source", dir, "target/"), E(EXIST),
                 E(NOENT));
    EXPECT_OK("rmdir target", __wasi_path_remove_directory(dir, "target"));
  }
  if (EXPECT_OK("mkdir target again",
                __wasi_path_create_directory(dir, "target"))) {
    EXPECT_ERRNO("dir: symlink(source, target)",
                 __wasi_path_symlink("source", dir, "target"), E(EXIST),
                 E(NOENT));
    EXPECT_OK("rmdir target again",
              __wasi_path_remove_directory(dir, "target"));
  }

  /* Target is a file. */
  if (conf_create_file(dir, "target")) {
    EXPECT_ERRNO("file: symlink(source, target/)",
                 __wasi_path_symlink("source", dir, "target/"), E(NOTDIR),
                 E(NOENT), E(EXIST));
    EXPECT_OK("unlink target", __wasi_path_unlink_file(dir, "target"));
  }
  if (conf_create_file(dir, "target")) {
    EXPECT_ERRNO("file: symlink(source, target)",
                 __wasi_path_symlink("source", dir, "target"), E(EXIST),
                 E(NOENT));
    EXPECT_OK("unlink target again", __wasi_path_unlink_file(dir, "target"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_readlink(__wasi_fd_t root) {
  conf_section = "readlink";
  const char *tmp = "readlink_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (conf_create_file(dir, "target")) {
    if (EXPECT_OK("path_symlink(target, symlink)",
                  __wasi_path_symlink("target", dir, "symlink"))) {
      uint8_t buf[10];
      memset(buf, 0xAA, sizeof buf);
      __wasi_size_t used = 0;
      if (EXPECT_OK("path_readlink(buf[10])",
                    __wasi_path_readlink(dir, "symlink", buf, 10, &used))) {
        EXPECT_EQ("returns 6", used, 6);
        EXPECT_TRUE("buffer holds \"target\"", !memcmp(buf, "target", 6),
                    "got \"%.6s\"", (const char *)buf);
        EXPECT_TRUE("bytes 6..10 untouched (no NUL)",
                    buf[6] == 0xAA && buf[7] == 0xAA && buf[8] == 0xAA &&
                        buf[9] == 0xAA,
                    "got %02x %02x %02x %02x", buf[6], buf[7], buf[8],
                    buf[9]);
      }
      uint8_t small[4];
      memset(small, 0xAA, sizeof small);
      if (EXPECT_OK("path_readlink(buf[4]) truncates without error",
                    __wasi_path_readlink(dir, "symlink", small, 4, &used))) {
        EXPECT_EQ("truncated readlink returns 4", used, 4);
        EXPECT_TRUE("truncated buffer holds \"targ\"",
                    !memcmp(small, "targ", 4), "got \"%.4s\"",
                    (const char *)small);
      }
      EXPECT_OK("unlink symlink", __wasi_path_unlink_file(dir, "symlink"));
    }
    EXPECT_OK("unlink target", __wasi_path_unlink_file(dir, "target"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void expect_type(const char *what, __wasi_fd_t dir,
                        __wasi_lookupflags_t lf, const char *path,
                        __wasi_filetype_t want) {
  __wasi_filestat_t st;
  char label[200];
  snprintf(label, sizeof label, "path_filestat_get(%s, %s)",
           lf ? "FOLLOW" : "nofollow", path);
  if (EXPECT_OK(label, __wasi_path_filestat_get(dir, lf, path, &st)))
    EXPECT_EQ(what, st.filetype, want);
}

static void test_path_exists(__wasi_fd_t root) {
  conf_section = "path_exists";
  const char *tmp = "path_exists_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (!EXPECT_OK("mkdir subdir", __wasi_path_create_directory(dir, "subdir"))) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  expect_type("subdir nofollow is DIRECTORY", dir, 0, "subdir",
              __WASI_FILETYPE_DIRECTORY);
  expect_type("subdir FOLLOW is DIRECTORY", dir, FOLLOW, "subdir",
              __WASI_FILETYPE_DIRECTORY);
  if (conf_create_file(dir, "subdir/file")) {
    expect_type("subdir/file nofollow is REGULAR_FILE", dir, 0, "subdir/file",
                __WASI_FILETYPE_REGULAR_FILE);
    expect_type("subdir/file FOLLOW is REGULAR_FILE", dir, FOLLOW,
                "subdir/file", __WASI_FILETYPE_REGULAR_FILE);
    if (EXPECT_OK("path_symlink(subdir/file, link1)",
                  __wasi_path_symlink("subdir/file", dir, "link1"))) {
      expect_type("link1 nofollow is SYMBOLIC_LINK", dir, 0, "link1",
                  __WASI_FILETYPE_SYMBOLIC_LINK);
      expect_type("link1 FOLLOW is REGULAR_FILE", dir, FOLLOW, "link1",
                  __WASI_FILETYPE_REGULAR_FILE);
      EXPECT_OK("unlink link1", __wasi_path_unlink_file(dir, "link1"));
    }
    EXPECT_OK("unlink subdir/file",
              __wasi_path_unlink_file(dir, "subdir/file"));
  }
  if (EXPECT_OK("path_symlink(subdir, link2)",
                __wasi_path_symlink("subdir", dir, "link2"))) {
    expect_type("link2 nofollow is SYMBOLIC_LINK", dir, 0, "link2",
                __WASI_FILETYPE_SYMBOLIC_LINK);
    expect_type("link2 FOLLOW is DIRECTORY", dir, FOLLOW, "link2",
                __WASI_FILETYPE_DIRECTORY);
    EXPECT_OK("unlink link2", __wasi_path_unlink_file(dir, "link2"));
  }
  EXPECT_OK("rmdir subdir", __wasi_path_remove_directory(dir, "subdir"));
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_dangling_symlink(root);
  test_nofollow_errors(root);
  test_symlink_create(root);
  test_symlink_filestat(root);
  test_symlink_loop(root);
  test_symlink_trailing_slashes(root);
  test_readlink(root);
  test_path_exists(root);
  return conf_finish();
}
