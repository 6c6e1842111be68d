/*
 * Conformance: path_open (suite tests path_open_create_existing,
 * path_open_dirfd_not_dir, path_open_missing, path_open_nonblock,
 * path_open_preopen, path_open_read_write, file_truncation, isatty).
 */
#include <unistd.h>

#include "conf.h"

static void test_create_existing(__wasi_fd_t root) {
  conf_section = "path_open_create_existing";
  const char *tmp = "path_open_create_existing_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (conf_create_file(dir, "file")) {
    EXPECT_ERRNO("path_open(file, CREAT|EXCL)",
                 conf_try_open(dir, 0, "file",
                               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0,
                               0),
                 __WASI_ERRNO_EXIST);
    EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_dirfd_not_dir(__wasi_fd_t root) {
  conf_section = "path_open_dirfd_not_dir";
  const char *tmp = "path_open_dirfd_not_dir_dir.cleanup";
  __wasi_fd_t dir, file;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("path_open(file, CREAT)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT, 0, 0, 0,
                          &file))) {
    EXPECT_ERRNO("path_open(file fd, \"foo\", CREAT)",
                 conf_try_open(file, 0, "foo", __WASI_OFLAGS_CREAT, 0, 0, 0),
                 __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE);
    EXPECT_OK("fd_close(file)", __wasi_fd_close(file));
    EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_missing(__wasi_fd_t root) {
  conf_section = "path_open_missing";
  const char *tmp = "path_open_missing_dir.cleanup";
  __wasi_fd_t dir;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  EXPECT_ERRNO("path_open(missing file, oflags 0)",
               conf_try_open(dir, 0, "file", 0, 0, 0, 0), __WASI_ERRNO_NOENT);
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_nonblock(__wasi_fd_t root) {
  conf_section = "path_open_nonblock";
  EXPECT_OK("path_open(root, \".\", oflags 0, fdflags NONBLOCK)",
            conf_try_open(root, 0, ".", 0, 0, 0, __WASI_FDFLAGS_NONBLOCK));
}

static void test_preopen(void) {
  conf_section = "path_open_preopen";
  int pre = conf_preopen_fd;
  __wasi_prestat_t ps;
  if (!EXPECT_OK("fd_prestat_get(preopen)", __wasi_fd_prestat_get(pre, &ps)))
    return;
  EXPECT_EQ("prestat tag is DIR", ps.tag, __WASI_PREOPENTYPE_DIR);
  char name[64] = {0};
  size_t len = ps.u.dir.pr_name_len < 63 ? ps.u.dir.pr_name_len : 63;
  EXPECT_OK("fd_prestat_dir_name(preopen, pr_name_len)",
            __wasi_fd_prestat_dir_name(pre, (uint8_t *)name, len));
  __wasi_fdstat_t st;
  SETUP("fd_fdstat_get(preopen)", __wasi_fd_fdstat_get(pre, &st));
  NOTE("preopen dir: \"%s\" base %llu inheriting %llu", name,
       (unsigned long long)st.fs_rights_base,
       (unsigned long long)st.fs_rights_inheriting);

  const __wasi_rights_t base_req =
      R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) |
      R(PATH_LINK_TARGET) | R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) |
      R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_SYMLINK) |
      R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) | R(PATH_FILESTAT_GET) |
      R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) |
      R(FD_FILESTAT_SET_TIMES);
  const __wasi_rights_t inh_req =
      base_req | R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) |
      R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) | R(FD_WRITE) |
      R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE) |
      R(POLL_FD_READWRITE);
  EXPECT_TRUE("fs_rights_base has every required right",
              (st.fs_rights_base & base_req) == base_req,
              "got base %#llx, missing bits %#llx",
              (unsigned long long)st.fs_rights_base,
              (unsigned long long)(base_req & ~st.fs_rights_base));
  EXPECT_TRUE("fs_rights_inheriting has every required right",
              (st.fs_rights_inheriting & inh_req) == inh_req,
              "got inheriting %#llx, missing bits %#llx",
              (unsigned long long)st.fs_rights_inheriting,
              (unsigned long long)(inh_req & ~st.fs_rights_inheriting));

  EXPECT_OK("path_open(pre, \".\", oflags 0, its base and inheriting)",
            conf_try_open(pre, 0, ".", 0, st.fs_rights_base,
                          st.fs_rights_inheriting, 0));
  EXPECT_OK("path_open(pre, \".\", oflags 0, no rights)",
            conf_try_open(pre, 0, ".", 0, 0, 0, 0));
  EXPECT_OK("path_open(pre, \".\", DIRECTORY, no rights)",
            conf_try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0));
  EXPECT_OK("path_open(pre, \".\", DIRECTORY, FD_READ)",
            conf_try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ), 0,
                          0));
  EXPECT_ERRNO("path_open(pre, \".\", DIRECTORY, FD_READ|FD_WRITE)",
               conf_try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY,
                             R(FD_READ) | R(FD_WRITE), 0, 0),
               __WASI_ERRNO_ISDIR);
}

static void test_read_write(__wasi_fd_t root) {
  conf_section = "path_open_read_write";
  const char *f = "file.cleanup";
  if (!conf_create_file(root, f)) return;
  char buf[100];
  memset(buf, 'x', sizeof buf);
  __wasi_size_t n;
  __wasi_fd_t fd;
  __wasi_fdstat_t st;

  /* Read-only. */
  if (EXPECT_OK("read-only: path_open(READ)",
                conf_open(root, 0, f, 0, R(FD_READ), 0, 0, &fd))) {
    if (EXPECT_OK("read-only: fd_fdstat_get", __wasi_fd_fdstat_get(fd, &st))) {
      EXPECT_TRUE("read-only: base has FD_READ",
                  st.fs_rights_base & R(FD_READ), "got base %#llx",
                  (unsigned long long)st.fs_rights_base);
      EXPECT_TRUE("read-only: base lacks FD_WRITE",
                  !(st.fs_rights_base & R(FD_WRITE)), "got base %#llx",
                  (unsigned long long)st.fs_rights_base);
    }
    if (EXPECT_OK("read-only: fd_read(100)", conf_read(fd, buf, 100, &n)))
      EXPECT_EQ("read-only: fd_read returns 0 (empty file)", n, 0);
    EXPECT_ERRNO("read-only: fd_write(50)", conf_write(fd, buf, 50, &n),
                 __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE,
                 __WASI_ERRNO_ACCES);
    CLOSE(fd);
  }

  /* Write-only. */
  if (EXPECT_OK("write-only: path_open(WRITE)",
                conf_open(root, 0, f, 0, R(FD_WRITE), 0, 0, &fd))) {
    if (EXPECT_OK("write-only: fd_fdstat_get",
                  __wasi_fd_fdstat_get(fd, &st))) {
      EXPECT_TRUE("write-only: base lacks FD_READ",
                  !(st.fs_rights_base & R(FD_READ)), "got base %#llx",
                  (unsigned long long)st.fs_rights_base);
      EXPECT_TRUE("write-only: base has FD_WRITE",
                  st.fs_rights_base & R(FD_WRITE), "got base %#llx",
                  (unsigned long long)st.fs_rights_base);
    }
    EXPECT_ERRNO("write-only: fd_read(100)", conf_read(fd, buf, 100, &n),
                 __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE,
                 __WASI_ERRNO_ACCES);
    if (EXPECT_OK("write-only: fd_write(50)", conf_write(fd, buf, 50, &n)))
      EXPECT_EQ("write-only: fd_write returns 50", n, 50);
    CLOSE(fd);
  }

  /* Read-write. */
  if (EXPECT_OK("read-write: path_open(READ|WRITE|FILESTAT_GET)",
                conf_open(root, 0, f, 0,
                          R(FD_READ) | R(FD_WRITE) | R(FD_FILESTAT_GET), 0, 0,
                          &fd))) {
    if (EXPECT_OK("read-write: fd_fdstat_get",
                  __wasi_fd_fdstat_get(fd, &st)))
      EXPECT_TRUE("read-write: base has FD_READ and FD_WRITE",
                  (st.fs_rights_base & (R(FD_READ) | R(FD_WRITE))) ==
                      (R(FD_READ) | R(FD_WRITE)),
                  "got base %#llx", (unsigned long long)st.fs_rights_base);
    if (EXPECT_OK("read-write: fd_read(100)", conf_read(fd, buf, 100, &n)))
      EXPECT_EQ("read-write: fd_read returns 50", n, 50);
    if (EXPECT_OK("read-write: fd_write(25)", conf_write(fd, buf, 25, &n)))
      EXPECT_EQ("read-write: fd_write returns 25", n, 25);
    __wasi_filestat_t fs;
    if (EXPECT_OK("read-write: fd_filestat_get",
                  __wasi_fd_filestat_get(fd, &fs)))
      EXPECT_EQ("read-write: size is 75", fs.size, 75);
    CLOSE(fd);
  }
  EXPECT_OK("path_unlink_file(file.cleanup)",
            __wasi_path_unlink_file(root, f));
}

static void test_truncation(__wasi_fd_t root) {
  conf_section = "file_truncation";
  const char *tmp = "file_truncation_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  __wasi_size_t n;
  if (EXPECT_OK("path_open(test.txt, CREAT, FD_WRITE)",
                conf_open(dir, 0, "test.txt", __WASI_OFLAGS_CREAT,
                          R(FD_WRITE), 0, 0, &fd))) {
    const char *text = "Hello, World! This is 31 bytes.";
    if (EXPECT_OK("fd_write(31 bytes)", conf_write(fd, text, 31, &n)))
      EXPECT_EQ("fd_write returns 31", n, 31);
    CLOSE(fd);
    if (EXPECT_OK("path_open(test.txt, CREAT|TRUNC, READ|WRITE)",
                  conf_open(dir, 0, "test.txt",
                            __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                            R(FD_WRITE) | R(FD_READ), 0, 0, &fd))) {
      char buf[64];
      if (EXPECT_OK("fd_read after truncation",
                    conf_read(fd, buf, sizeof buf, &n)))
        EXPECT_EQ("fd_read returns 0 (truncated)", n, 0);
      CLOSE(fd);
    }
    EXPECT_OK("path_unlink_file(test.txt)",
              __wasi_path_unlink_file(dir, "test.txt"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_isatty(__wasi_fd_t root) {
  conf_section = "isatty";
  const char *tmp = "isatty_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("path_open(file, CREAT, no rights)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT, 0, 0, 0,
                          &fd))) {
    EXPECT_EQ("isatty(file) == 0", isatty((int)fd), 0);
    CLOSE(fd);
    EXPECT_OK("path_unlink_file(file)", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_create_existing(root);
  test_dirfd_not_dir(root);
  test_missing(root);
  test_nonblock(root);
  test_preopen();
  test_read_write(root);
  test_truncation(root);
  test_isatty(root);
  return conf_finish();
}
