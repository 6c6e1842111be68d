/*
 * Conformance: file operations on directory descriptors (suite tests
 * dir_fd_op_failures, directory_seek) and the checklist items on preopen
 * numbering and directory rights.
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define DIR_ERRS E(ISDIR), E(BADF), E(NOTCAPABLE)

static void test_dir_fd_op_failures(__wasi_fd_t root) {
  conf_section = "dir_fd_op_failures";
  __wasi_filestat_t st;
  if (EXPECT_OK("fd_filestat_get(root)", __wasi_fd_filestat_get(root, &st)))
    EXPECT_EQ("root filetype is DIRECTORY", st.filetype,
              __WASI_FILETYPE_DIRECTORY);

  /* First DIR preopen from fd 3. */
  int pre = -1;
  __wasi_prestat_t ps;
  for (__wasi_fd_t fd = 3; __wasi_fd_prestat_get(fd, &ps) == 0; fd++)
    if (ps.tag == __WASI_PREOPENTYPE_DIR) {
      pre = (int)fd;
      break;
    }
  if (EXPECT_TRUE("a DIR preopen exists", pre >= 0, "got none")) {
    uint8_t name[4200];
    EXPECT_ERRNO("fd_prestat_dir_name(pre, len 0)",
                 __wasi_fd_prestat_dir_name(pre, name, 0), E(INVAL),
                 E(NAMETOOLONG));
    if (ps.u.dir.pr_name_len < sizeof name)
      EXPECT_OK("fd_prestat_dir_name(pre, pr_name_len + 1)",
                __wasi_fd_prestat_dir_name(pre, name,
                                           ps.u.dir.pr_name_len + 1));
  }

  uint8_t buf[128];
  memset(buf, 'x', sizeof buf);
  __wasi_size_t n;
  __wasi_filesize_t pos;
  EXPECT_ERRNO("fd_read(dir, 128)", conf_read(root, buf, 128, &n), DIR_ERRS);
  EXPECT_ERRNO("fd_pread(dir, 128, 0)", conf_pread(root, buf, 128, 0, &n),
               DIR_ERRS);
  EXPECT_ERRNO("fd_write(dir, 128)", conf_write(root, buf, 128, &n),
               DIR_ERRS);
  EXPECT_ERRNO("fd_pwrite(dir, 128, 0)", conf_pwrite(root, buf, 128, 0, &n),
               DIR_ERRS);
  EXPECT_ERRNO("fd_seek(dir, 0, CUR)",
               __wasi_fd_seek(root, 0, __WASI_WHENCE_CUR, &pos), DIR_ERRS);
  EXPECT_ERRNO("fd_seek(dir, 0, SET)",
               __wasi_fd_seek(root, 0, __WASI_WHENCE_SET, &pos), DIR_ERRS);
  EXPECT_ERRNO("fd_seek(dir, 0, END)",
               __wasi_fd_seek(root, 0, __WASI_WHENCE_END, &pos), DIR_ERRS);
  EXPECT_ERRNO("fd_tell(dir)", __wasi_fd_tell(root, &pos), DIR_ERRS);
  EXPECT_ERRNO("fd_allocate(dir, 0, 1)", __wasi_fd_allocate(root, 0, 1),
               DIR_ERRS);
  EXPECT_ERRNO("fd_filestat_set_size(dir, 0)",
               __wasi_fd_filestat_set_size(root, 0), E(ISDIR), E(INVAL),
               E(BADF), E(NOTCAPABLE));
}

static void test_directory_seek(__wasi_fd_t root) {
  conf_section = "directory_seek";
  const char *d = "directory_seek_dir.cleanup";
  __wasi_fd_t fd;
  if (!EXPECT_OK("mkdir", __wasi_path_create_directory(root, d))) return;
  if (EXPECT_OK("path_open(DIRECTORY, base FD_SEEK)",
                conf_open(root, 0, d, __WASI_OFLAGS_DIRECTORY, R(FD_SEEK), 0,
                          0, &fd))) {
    __wasi_filesize_t pos;
    EXPECT_ERRNO("fd_seek(dir, 0, CUR)",
                 __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), E(ISDIR),
                 E(NOTCAPABLE), E(BADF));
    __wasi_fdstat_t st;
    if (EXPECT_OK("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &st))) {
      EXPECT_EQ("filetype is DIRECTORY", st.fs_filetype,
                __WASI_FILETYPE_DIRECTORY);
      EXPECT_TRUE("base lacks FD_SEEK", !(st.fs_rights_base & R(FD_SEEK)),
                  "got base %#llx", (unsigned long long)st.fs_rights_base);
    }
    CLOSE(fd);
  }
  EXPECT_OK("rmdir", __wasi_path_remove_directory(root, d));
}

/* Checklist items the Rust tests rely on (root_directory, create_tmp_dir). */
static void test_checklist(__wasi_fd_t root) {
  conf_section = "checklist";
  /* Preopens are contiguous from fd 3; the first fd after them gives BADF. */
  __wasi_prestat_t ps;
  __wasi_fd_t fd = 3;
  __wasi_errno_t e;
  while ((e = __wasi_fd_prestat_get(fd, &ps)) == 0 && fd < 1000) fd++;
  EXPECT_EQ("one --dir: the preopen is fd 3 and the scan stops at fd 4", fd,
            4);
  EXPECT_ERRNO("fd_prestat_get past the last preopen", e, E(BADF));

  /* Directory base rights never include FD_WRITE or FD_FILESTAT_SET_SIZE
   * (requesting FD_WRITE on a directory is ISDIR, see path_open_preopen). */
  const __wasi_rights_t bad = R(FD_WRITE) | R(FD_FILESTAT_SET_SIZE);
  __wasi_fdstat_t st;
  if (EXPECT_OK("fd_fdstat_get(preopen)",
                __wasi_fd_fdstat_get(conf_preopen_fd, &st)))
    EXPECT_TRUE("preopen base lacks FD_WRITE and FD_FILESTAT_SET_SIZE",
                !(st.fs_rights_base & bad), "got base %#llx",
                (unsigned long long)st.fs_rights_base);
  if (EXPECT_OK("fd_fdstat_get(reopened root)", __wasi_fd_fdstat_get(root, &st)))
    EXPECT_TRUE("reopened root base lacks FD_WRITE and FD_FILESTAT_SET_SIZE",
                !(st.fs_rights_base & bad), "got base %#llx",
                (unsigned long long)st.fs_rights_base);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_checklist(root);
  test_dir_fd_op_failures(root);
  test_directory_seek(root);
  return conf_finish();
}
