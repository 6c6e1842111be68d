/*
 * Conformance: file I/O, offsets and sizes (suite tests file_seek_tell,
 * file_pread_pwrite, fd_flags_set, fd_advise, file_allocate,
 * file_unbuffered_write).
 */
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define WH(x) __WASI_WHENCE_##x

static void test_seek_tell(__wasi_fd_t root) {
  conf_section = "file_seek_tell";
  const char *tmp = "file_seek_tell_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("path_open(file, CREAT, READ|WRITE|SEEK|TELL)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                          R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL),
                          0, 0, &fd))) {
    __wasi_filesize_t pos;
    __wasi_size_t n;
    uint8_t buf[100];
    if (EXPECT_OK("fd_tell (new file)", __wasi_fd_tell(fd, &pos)))
      EXPECT_EQ("fd_tell == 0", pos, 0);
    memset(buf, 0, sizeof buf);
    if (EXPECT_OK("fd_write(100)", conf_write(fd, buf, 100, &n)))
      EXPECT_EQ("fd_write returns 100", n, 100);
    if (EXPECT_OK("fd_tell after write", __wasi_fd_tell(fd, &pos)))
      EXPECT_EQ("fd_tell == 100", pos, 100);
    if (EXPECT_OK("fd_seek(-50, CUR)", __wasi_fd_seek(fd, -50, WH(CUR), &pos)))
      EXPECT_EQ("fd_seek(-50, CUR) returns 50", pos, 50);
    if (EXPECT_OK("fd_seek(0, SET)", __wasi_fd_seek(fd, 0, WH(SET), &pos)))
      EXPECT_EQ("fd_seek(0, SET) returns 0", pos, 0);
    EXPECT_OK("fd_seek(1000, CUR) past EOF",
              __wasi_fd_seek(fd, 1000, WH(CUR), &pos));
    EXPECT_ERRNO("fd_seek(-2000, CUR)",
                 __wasi_fd_seek(fd, -2000, WH(CUR), &pos), E(INVAL));
    EXPECT_OK("fd_seek(0, SET) again", __wasi_fd_seek(fd, 0, WH(SET), &pos));
    if (EXPECT_OK("fd_read(100)", conf_read(fd, buf, 100, &n)))
      EXPECT_EQ("fd_read returns 100", n, 100);
    if (EXPECT_OK("fd_tell after read", __wasi_fd_tell(fd, &pos)))
      EXPECT_EQ("fd_tell == 100 after read", pos, 100);
    CLOSE(fd);
    EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_pread_pwrite(__wasi_fd_t root) {
  conf_section = "file_pread_pwrite";
  const char *tmp = "file_pread_pwrite_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (!EXPECT_OK("path_open(file, CREAT, READ|SEEK|WRITE)",
                 conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_SEEK) | R(FD_WRITE), 0, 0,
                           &fd))) {
    conf_tmp_dir_done(root, tmp, dir);
    return;
  }
  const uint8_t content[4] = {0, 1, 2, 3};
  uint8_t buf[4];
  __wasi_size_t n;

  if (EXPECT_OK("fd_pwrite([0,1,2,3], 0)", conf_pwrite(fd, content, 4, 0, &n)))
    EXPECT_EQ("fd_pwrite returns 4", n, 4);
  memset(buf, 0, 4);
  if (EXPECT_OK("fd_pread(4, 0)", conf_pread(fd, buf, 4, 0, &n)))
    EXPECT_TRUE("fd_pread(4, 0) returns [0,1,2,3]",
                n == 4 && !memcmp(buf, content, 4), "got %u bytes",
                (unsigned)n);

  /* Multi-iovec pwrite: 2 bytes plus the remainder, until all 4 are in. */
  {
    size_t off = 0;
    int ok = 1, rounds = 0;
    while (off < 4 && rounds++ < 16) {
      __wasi_ciovec_t iov[2];
      size_t cnt = 0, rem = 4 - off;
      const uint8_t *p = content + off;
      if (rem > 2) {
        iov[cnt++] = (__wasi_ciovec_t){p, 2};
        p += 2;
        rem -= 2;
      }
      iov[cnt++] = (__wasi_ciovec_t){p, rem};
      __wasi_errno_t e = __wasi_fd_pwrite(fd, iov, cnt, off, &n);
      if (e || n == 0) {
        conf_fail(conf_label("multi-iovec fd_pwrite"),
                  "got %s(%d) with %u bytes at offset %zu", conf_errname(e), e,
                  (unsigned)n, off);
        ok = 0;
        break;
      }
      off += n;
    }
    if (ok) EXPECT_EQ("multi-iovec fd_pwrite wrote 4 bytes", off, 4);
  }

  /* Multi-iovec pread: two 2-byte iovecs until a read returns 0. */
  {
    uint8_t got[4] = {0, 0, 0, 0};
    size_t off = 0;
    int ok = 1, rounds = 0;
    for (;;) {
      __wasi_iovec_t iov[2];
      size_t cnt = 0, rem = 4 - off;
      uint8_t *p = got + off;
      if (rem > 2) {
        iov[cnt++] = (__wasi_iovec_t){p, 2};
        p += 2;
        rem -= 2;
      }
      iov[cnt++] = (__wasi_iovec_t){p, rem};
      __wasi_errno_t e = __wasi_fd_pread(fd, iov, cnt, off, &n);
      if (e) {
        conf_errno_in("multi-iovec fd_pread", e,
                      (const int[]){E(SUCCESS)}, 1);
        ok = 0;
        break;
      }
      if (n == 0) break;
      off += n;
      if (++rounds > 16 || off > 4) break;
    }
    if (ok)
      EXPECT_TRUE("multi-iovec fd_pread read [0,1,2,3] then 0",
                  off == 4 && !memcmp(got, content, 4),
                  "got %zu bytes [%u,%u,%u,%u]", off, got[0], got[1], got[2],
                  got[3]);
  }

  memset(buf, 0, 4);
  if (EXPECT_OK("fd_pread(4, 2)", conf_pread(fd, buf, 4, 2, &n))) {
    EXPECT_EQ("fd_pread(4, 2) returns 2 (short read at EOF)", n, 2);
    EXPECT_TRUE("fd_pread(4, 2) content [2,3,0,0]",
                buf[0] == 2 && buf[1] == 3 && buf[2] == 0 && buf[3] == 0,
                "got [%u,%u,%u,%u]", buf[0], buf[1], buf[2], buf[3]);
  }
  const uint8_t patch[2] = {1, 0};
  if (EXPECT_OK("fd_pwrite([1,0], 2)", conf_pwrite(fd, patch, 2, 2, &n)))
    EXPECT_EQ("fd_pwrite([1,0], 2) returns 2", n, 2);
  memset(buf, 0xff, 4);
  if (EXPECT_OK("fd_pread(4, 0) after patch", conf_pread(fd, buf, 4, 0, &n)))
    EXPECT_TRUE("content is [0,1,1,0]",
                n == 4 && buf[0] == 0 && buf[1] == 1 && buf[2] == 1 &&
                    buf[3] == 0,
                "got %u bytes [%u,%u,%u,%u]", (unsigned)n, buf[0], buf[1],
                buf[2], buf[3]);
  CLOSE(fd);
  EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  conf_tmp_dir_done(root, tmp, dir);
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != v) return 0;
  return 1;
}

static void test_fd_flags_set(__wasi_fd_t root) {
  conf_section = "fd_flags_set";
  const char *f = "fd_flags_set_file.cleanup";
  __wasi_fd_t fd;
  if (!EXPECT_OK("path_open(CREAT, APPEND, READ|WRITE|SEEK|TELL|SET_FLAGS)",
                 conf_open(root, 0, f, __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) |
                               R(FD_TELL) | R(FD_FDSTAT_SET_FLAGS),
                           0, __WASI_FDFLAGS_APPEND, &fd)))
    return;
  uint8_t data[100], got[100];
  __wasi_size_t n;
  __wasi_filesize_t pos;

  memset(data, 0, 100);
  if (EXPECT_OK("append: fd_write(100 x 0x00)", conf_write(fd, data, 100, &n)))
    EXPECT_EQ("append: write returns 100", n, 100);
  EXPECT_OK("fd_seek(0, SET)", __wasi_fd_seek(fd, 0, WH(SET), &pos));
  memset(got, 0xee, 100);
  if (EXPECT_OK("fd_read(100)", conf_read(fd, got, 100, &n)))
    EXPECT_TRUE("read 100 zero bytes", n == 100 && all_bytes(got, 100, 0),
                "got %u bytes", (unsigned)n);
  EXPECT_OK("fd_seek(0, SET) before appending write",
            __wasi_fd_seek(fd, 0, WH(SET), &pos));
  memset(data, 1, 100);
  if (EXPECT_OK("append: fd_write(100 x 0x01) at offset 0",
                conf_write(fd, data, 100, &n)))
    EXPECT_EQ("append: write returns 100 (2)", n, 100);
  EXPECT_OK("fd_seek(100, SET)", __wasi_fd_seek(fd, 100, WH(SET), &pos));
  memset(got, 0xee, 100);
  if (EXPECT_OK("fd_read(100) at 100", conf_read(fd, got, 100, &n)))
    EXPECT_TRUE("bytes 100..200 are 0x01 (APPEND wrote at the end)",
                n == 100 && all_bytes(got, 100, 1), "got %u bytes, first %u",
                (unsigned)n, got[0]);

  EXPECT_OK("fd_fdstat_set_flags(0)", __wasi_fd_fdstat_set_flags(fd, 0));
  EXPECT_OK("fd_seek(0, SET) after clearing APPEND",
            __wasi_fd_seek(fd, 0, WH(SET), &pos));
  memset(data, 2, 100);
  if (EXPECT_OK("overwrite: fd_write(100 x 0x02)",
                conf_write(fd, data, 100, &n)))
    EXPECT_EQ("overwrite: write returns 100", n, 100);
  EXPECT_OK("fd_seek(0, SET) to check", __wasi_fd_seek(fd, 0, WH(SET), &pos));
  memset(got, 0xee, 100);
  if (EXPECT_OK("fd_read(100) at 0", conf_read(fd, got, 100, &n)))
    EXPECT_TRUE("bytes 0..100 are 0x02 (APPEND off)",
                n == 100 && all_bytes(got, 100, 2), "got %u bytes, first %u",
                (unsigned)n, got[0]);
  CLOSE(fd);
  __wasi_filestat_t st;
  if (EXPECT_OK("path_filestat_get", __wasi_path_filestat_get(root, 0, f, &st)))
    EXPECT_EQ("size is 200", st.size, 200);
  EXPECT_OK("unlink", __wasi_path_unlink_file(root, f));
}

static void test_fd_advise(__wasi_fd_t root) {
  conf_section = "fd_advise";
  const char *f = "fd_advise_file.cleanup";
  __wasi_fd_t fd;
  if (!EXPECT_OK("path_open(CREAT, READ|WRITE|ADVISE|FILESTAT_GET|SET_SIZE|"
                 "ALLOCATE)",
                 conf_open(root, 0, f, __WASI_OFLAGS_CREAT,
                           R(FD_READ) | R(FD_WRITE) | R(FD_ADVISE) |
                               R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) |
                               R(FD_ALLOCATE),
                           0, 0, &fd)))
    return;
  __wasi_filestat_t st;
  if (EXPECT_OK("fd_filestat_get", __wasi_fd_filestat_get(fd, &st)))
    EXPECT_EQ("size is 0", st.size, 0);
  EXPECT_OK("fd_filestat_set_size(100)", __wasi_fd_filestat_set_size(fd, 100));
  if (EXPECT_OK("fd_filestat_get after set_size",
                __wasi_fd_filestat_get(fd, &st)))
    EXPECT_EQ("size is 100", st.size, 100);
  EXPECT_OK("fd_advise(10, 50, NORMAL)",
            __wasi_fd_advise(fd, 10, 50, __WASI_ADVICE_NORMAL));
  if (EXPECT_OK("fd_filestat_get after advise",
                __wasi_fd_filestat_get(fd, &st)))
    EXPECT_EQ("size still 100", st.size, 100);
  int e = __wasi_fd_allocate(fd, 100, 100);
  if (conf_errno_in("fd_allocate(100, 100) is Ok or NOTSUP", e,
                    (const int[]){E(SUCCESS), E(NOTSUP)}, 2) &&
      e == 0 &&
      EXPECT_OK("fd_filestat_get after allocate",
                __wasi_fd_filestat_get(fd, &st)))
    EXPECT_EQ("size is 200 after allocate", st.size, 200);
  CLOSE(fd);
  EXPECT_OK("unlink", __wasi_path_unlink_file(root, f));
}

static void test_file_allocate(__wasi_fd_t root) {
  conf_section = "file_allocate";
  const char *tmp = "file_allocate_dir.cleanup";
  __wasi_fd_t dir, fd;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("path_open(file, CREAT, READ|WRITE|ALLOCATE|FILESTAT_GET)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT,
                          R(FD_READ) | R(FD_WRITE) | R(FD_ALLOCATE) |
                              R(FD_FILESTAT_GET),
                          0, 0, &fd))) {
    __wasi_filestat_t st;
    if (EXPECT_OK("fd_filestat_get", __wasi_fd_filestat_get(fd, &st)))
      EXPECT_EQ("size is 0", st.size, 0);
    int e = __wasi_fd_allocate(fd, 0, 100);
    if (conf_errno_in("fd_allocate(0, 100) is Ok or NOTSUP", e,
                      (const int[]){E(SUCCESS), E(NOTSUP)}, 2) &&
        e == 0) {
      if (EXPECT_OK("fd_filestat_get (1)", __wasi_fd_filestat_get(fd, &st)))
        EXPECT_EQ("size is 100", st.size, 100);
      EXPECT_OK("fd_allocate(10, 10)", __wasi_fd_allocate(fd, 10, 10));
      if (EXPECT_OK("fd_filestat_get (2)", __wasi_fd_filestat_get(fd, &st)))
        EXPECT_EQ("size still 100", st.size, 100);
      EXPECT_OK("fd_allocate(90, 20)", __wasi_fd_allocate(fd, 90, 20));
      if (EXPECT_OK("fd_filestat_get (3)", __wasi_fd_filestat_get(fd, &st)))
        EXPECT_EQ("size is 110", st.size, 110);
    }
    CLOSE(fd);
    EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

static void test_unbuffered_write(__wasi_fd_t root) {
  conf_section = "file_unbuffered_write";
  const char *tmp = "file_unbuffered_write_dir.cleanup";
  __wasi_fd_t dir, fr, fw;
  if (!conf_tmp_dir(root, tmp, &dir)) return;
  if (EXPECT_OK("path_open(file, CREAT, READ)",
                conf_open(dir, 0, "file", __WASI_OFLAGS_CREAT, R(FD_READ), 0,
                          0, &fr))) {
    if (EXPECT_OK("path_open(file, 0, WRITE)",
                  conf_open(dir, 0, "file", 0, R(FD_WRITE), 0, 0, &fw))) {
      __wasi_size_t n;
      const uint8_t one = 1;
      uint8_t got = 0;
      if (EXPECT_OK("fd_write(1 byte) through fd_w",
                    conf_write(fw, &one, 1, &n)))
        EXPECT_EQ("fd_write returns 1", n, 1);
      if (EXPECT_OK("fd_read(1) through fd_r", conf_read(fr, &got, 1, &n)))
        EXPECT_TRUE("fd_r sees the byte immediately", n == 1 && got == 1,
                    "got %u bytes, value %u", (unsigned)n, got);
      CLOSE(fw);
    }
    CLOSE(fr);
    EXPECT_OK("unlink file", __wasi_path_unlink_file(dir, "file"));
  }
  conf_tmp_dir_done(root, tmp, dir);
}

int main(void) {
  __wasi_fd_t root = conf_root();
  test_seek_tell(root);
  test_pread_pwrite(root);
  test_fd_flags_set(root);
  test_fd_advise(root);
  test_file_allocate(root);
  test_unbuffered_write(root);
  return conf_finish();
}
