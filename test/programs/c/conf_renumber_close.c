/*
 * Conformance: fd_renumber and fd_close (suite tests renumber,
 * overwrite_preopen, close_preopen, stdio).
 *
 * These tests change the descriptor table destructively (fd 3 closed or
 * replaced, stdio moved away), so each runs in its own process, as in the
 * suite: the single argument names the section.
 *
 *   conf_renumber_close renumber | overwrite_preopen | close_preopen | stdio
 */
#include "conf.h"

static void test_renumber(__wasi_fd_t root) {
  conf_section = "renumber";
  const char *tmp = "renumber_dir.cleanup";
  __wasi_fd_t dir, from, to;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  EXPECT_TRUE("dir_fd > 3", dir > 3, "got %u", dir);
  const __wasi_rights_t rw = R(FD_READ) | R(FD_WRITE);
  if (EXPECT_OK("path_open(file1, CREAT, READ|WRITE)",
                conf_open(dir, 0, "file1", __WASI_OFLAGS_CREAT, rw, 0, 0,
                          &from)) &&
      EXPECT_OK("path_open(file2, CREAT, READ|WRITE)",
                conf_open(dir, 0, "file2", __WASI_OFLAGS_CREAT, rw, 0, 0,
                          &to))) {
    __wasi_fdstat_t before, after;
    EXPECT_OK("fd_fdstat_get(fd_from)", __wasi_fd_fdstat_get(from, &before));
    if (EXPECT_OK("fd_renumber(fd_from, fd_to)", __wasi_fd_renumber(from, to))) {
      EXPECT_ERRNO("fd_close(fd_from) after renumber", __wasi_fd_close(from),
                   __WASI_ERRNO_BADF);
      if (EXPECT_OK("fd_fdstat_get(fd_to)", __wasi_fd_fdstat_get(to, &after)))
        EXPECT_TRUE("fd_to has fd_from's fdstat",
                    after.fs_filetype == before.fs_filetype &&
                        after.fs_flags == before.fs_flags &&
                        after.fs_rights_base == before.fs_rights_base &&
                        after.fs_rights_inheriting ==
                            before.fs_rights_inheriting,
                    "got type %u flags %u base %#llx inh %#llx expected type "
                    "%u flags %u base %#llx inh %#llx",
                    after.fs_filetype, after.fs_flags,
                    (unsigned long long)after.fs_rights_base,
                    (unsigned long long)after.fs_rights_inheriting,
                    before.fs_filetype, before.fs_flags,
                    (unsigned long long)before.fs_rights_base,
                    (unsigned long long)before.fs_rights_inheriting);
      EXPECT_ERRNO("fd_renumber(fd_to, closed fd_from)",
                   __wasi_fd_renumber(to, from), __WASI_ERRNO_BADF);
    } else {
      CLOSE(from);
    }
    CLOSE(to);
  }
  EXPECT_OK("path_unlink_file(file1)", __wasi_path_unlink_file(dir, "file1"));
  EXPECT_OK("path_unlink_file(file2)", __wasi_path_unlink_file(dir, "file2"));
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_overwrite_preopen(__wasi_fd_t root) {
  conf_section = "overwrite_preopen";
  const char *tmp = "overwrite_preopen_dir.cleanup";
  const __wasi_fd_t pre = 3;
  __wasi_fd_t dir;
  EXPECT_EQ("the \"/\" preopen is fd 3", conf_preopen_fd, 3);
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  EXPECT_TRUE("dir_fd > 3", dir > 3, "got %u", dir);
  __wasi_filestat_t want, got;
  SETUP("fd_filestat_get(dir_fd)", __wasi_fd_filestat_get(dir, &want));
  if (EXPECT_OK("fd_renumber(dir_fd, preopen fd 3)",
                __wasi_fd_renumber(dir, pre))) {
    if (EXPECT_OK("fd_filestat_get(3)", __wasi_fd_filestat_get(pre, &got)))
      EXPECT_TRUE("fd 3 is now the tmp dir (same dev and ino)",
                  got.dev == want.dev && got.ino == want.ino,
                  "got dev %llu ino %llu expected dev %llu ino %llu",
                  (unsigned long long)got.dev, (unsigned long long)got.ino,
                  (unsigned long long)want.dev, (unsigned long long)want.ino);
    __wasi_fdstat_t st;
    EXPECT_ERRNO("fd_fdstat_get(dir_fd) after renumber",
                 __wasi_fd_fdstat_get(dir, &st), __WASI_ERRNO_BADF);
    EXPECT_OK("fd_close(3)", __wasi_fd_close(pre));
  } else {
    CLOSE(dir);
  }
  EXPECT_OK("path_remove_directory(root, tmp dir)",
            __wasi_path_remove_directory(root, tmp));
}

static void test_close_preopen(__wasi_fd_t root) {
  conf_section = "close_preopen";
  const __wasi_fd_t pre = 3;
  EXPECT_EQ("the \"/\" preopen is fd 3", conf_preopen_fd, 3);
  EXPECT_TRUE("dir_fd > 3", root > 3, "got %u", root);
  EXPECT_OK("fd_close(preopen fd 3)", __wasi_fd_close(pre));
  __wasi_fdstat_t st;
  if (EXPECT_OK("fd_fdstat_get(dir_fd) still works",
                __wasi_fd_fdstat_get(root, &st)))
    EXPECT_EQ("dir_fd filetype is DIRECTORY", st.fs_filetype,
              __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERRNO("fd_fdstat_get(3) after close", __wasi_fd_fdstat_get(pre, &st),
               __WASI_ERRNO_BADF);
}

static void write_fd(__wasi_fd_t fd, const char *s) {
  conf_write_all(fd, s, strlen(s));
}

static void test_stdio(__wasi_fd_t root) {
  conf_section = "stdio";
  const char *tmp = "stdio_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  for (__wasi_fd_t from = 0; from <= 2; from++) {
    char what[128];
    __wasi_fd_t to;
    snprintf(what, sizeof what, "fd %u: path_open(file.cleanup, CREAT)", from);
    if (!EXPECT_OK(what, conf_open(dir, 0, "file.cleanup", __WASI_OFLAGS_CREAT,
                                   0, 0, 0, &to)))
      break;
    /* The suite prints "{from} => {to}" to stderr before renumbering. */
    char line[64];
    snprintf(line, sizeof line, "%u => %u\n", from, to);
    write_fd(2, line);
    snprintf(what, sizeof what, "fd_renumber(%u, %u)", from, to);
    if (!EXPECT_OK(what, __wasi_fd_renumber(from, to))) {
      CLOSE(to);
      (void)__wasi_path_unlink_file(dir, "file.cleanup");
      break;
    }
    /* stdout now lives at `to`: keep reporting there. */
    if (from == conf_out_fd) conf_out_fd = to;
    __wasi_fdstat_t st;
    snprintf(what, sizeof what, "fd_fdstat_get(%u) (new number)", to);
    EXPECT_OK(what, __wasi_fd_fdstat_get(to, &st));
    snprintf(what, sizeof what, "fd_fdstat_get(%u) (old number) fails", from);
    int e = __wasi_fd_fdstat_get(from, &st);
    EXPECT_TRUE(what, e != 0, "got SUCCESS expected an error");
    snprintf(what, sizeof what, "fd %u: path_unlink_file while open", from);
    EXPECT_OK(what, __wasi_path_unlink_file(dir, "file.cleanup"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  __wasi_fd_t root = conf_root();
  if (!strcmp(mode, "renumber")) test_renumber(root);
  else if (!strcmp(mode, "overwrite_preopen")) test_overwrite_preopen(root);
  else if (!strcmp(mode, "close_preopen")) test_close_preopen(root);
  else if (!strcmp(mode, "stdio")) test_stdio(root);
  else {
    conf_fail("usage", "got mode \"%s\" expected renumber, overwrite_preopen, "
                       "close_preopen or stdio", mode);
  }
  return conf_finish();
}
