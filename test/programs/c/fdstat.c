/* fdstat/rights: fd_fdstat_get, preopen enumeration with fd_prestat_get /
 * fd_prestat_dir_name, fd_fdstat_set_rights, fd_renumber, fd_close, fd_tell. */
#include "guest.h"
#include <fcntl.h>

static const char *ftname(__wasi_filetype_t t) {
  switch (t) {
  case __WASI_FILETYPE_UNKNOWN: return "UNKNOWN";
  case __WASI_FILETYPE_BLOCK_DEVICE: return "BLOCK_DEVICE";
  case __WASI_FILETYPE_CHARACTER_DEVICE: return "CHARACTER_DEVICE";
  case __WASI_FILETYPE_DIRECTORY: return "DIRECTORY";
  case __WASI_FILETYPE_REGULAR_FILE: return "REGULAR_FILE";
  case __WASI_FILETYPE_SOCKET_DGRAM: return "SOCKET_DGRAM";
  case __WASI_FILETYPE_SOCKET_STREAM: return "SOCKET_STREAM";
  case __WASI_FILETYPE_SYMBOLIC_LINK: return "SYMBOLIC_LINK";
  default: return "?";
  }
}

static void fdstat(const char *label, __wasi_fd_t fd) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
  if (e) { print_err(label, e); return; }
  printf("%s: filetype=%s flags=%u read=%s write=%s\n", label, ftname(st.fs_filetype),
         st.fs_flags, (st.fs_rights_base & __WASI_RIGHTS_FD_READ) ? "yes" : "no",
         (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? "yes" : "no");
}

static __wasi_fd_t open_raw(const char *path, __wasi_oflags_t of, __wasi_rights_t rights) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t e = __wasi_path_open(PREOPEN_FD, 0, path, of, rights, 0, 0, &fd);
  if (e) { print_err("setup path_open", e); exit(99); }
  return fd;
}

static void read_show(const char *label, __wasi_fd_t fd) {
  char buf[16];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
  if (e) print_err(label, e);
  else printf("%s: %u \"%.*s\"\n", label, (unsigned)n, (int)n, buf);
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n;
  return __wasi_fd_write(fd, &iov, 1, &n);
}

int main(void) {
  /* --- stdio (the test runs us with pipes on all three) --- */
  fdstat("fdstat stdin", 0);
  fdstat("fdstat stdout", 1);
  fdstat("fdstat stderr", 2);
  printf("isatty(1): %d\n", isatty(1));
  fdstat("fdstat fd 99", 99);

  /* --- preopens: fd 3 upwards until EBADF --- */
  for (__wasi_fd_t fd = 3; fd < 16; fd++) {
    __wasi_prestat_t ps;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e) {
      printf("fd_prestat_get(%u): %s (%d)\n", fd, errname(e), e);
      break;
    }
    char name[256] = {0};
    size_t len = ps.u.dir.pr_name_len;
    e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len);
    printf("fd_prestat_get(%u): tag=%u name_len=%zu name=\"%.*s\" (%s)\n", fd, ps.tag, len,
           (int)len, name, errname(e));
    char label[64];
    snprintf(label, sizeof label, "fdstat preopen %u", fd);
    fdstat(label, fd);
  }
  __wasi_prestat_t ps;
  print_err("fd_prestat_get(1)", __wasi_fd_prestat_get(1, &ps));

  /* --- a regular file --- */
  __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                       __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |
                       __WASI_RIGHTS_FD_FILESTAT_GET;
  __wasi_fd_t f = open_raw("file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, rw);
  fdstat("fdstat file", f);
  WASI("write hello", write_str(f, "hello"));
  __wasi_filesize_t pos = 0;
  WASI("fd_tell", __wasi_fd_tell(f, &pos));
  printf("fd_tell position: %llu\n", (unsigned long long)pos);
  __wasi_filesize_t np;
  WASI("fd_seek SET 2", __wasi_fd_seek(f, 2, __WASI_WHENCE_SET, &np));
  WASI("fd_tell", __wasi_fd_tell(f, &pos));
  printf("fd_tell position: %llu\n", (unsigned long long)pos);
  WASI("fd_tell stdout", __wasi_fd_tell(1, &pos));
  WASI("fd_seek stdout", __wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &np));

  /* --- dropping rights --- */
  __wasi_fdstat_t st;
  (void)__wasi_fd_fdstat_get(f, &st);
  WASI("fd_fdstat_set_rights drop FD_WRITE",
       __wasi_fd_fdstat_set_rights(f, st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, st.fs_rights_inheriting));
  fdstat("fdstat after drop", f);
  WASI("write after dropping FD_WRITE", write_str(f, "x"));
  WASI("fd_seek SET 0", __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &np));
  read_show("read still allowed", f);
  WASI("fd_fdstat_set_rights add FD_WRITE back",
       __wasi_fd_fdstat_set_rights(f, st.fs_rights_base, st.fs_rights_inheriting));
  WASI("write after trying to add it back", write_str(f, "x"));
  WASI("fd_fdstat_set_rights on fd 99", __wasi_fd_fdstat_set_rights(99, 0, 0));

  /* --- fd_renumber --- */
  __wasi_fd_t a = open_raw("a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, rw);
  __wasi_fd_t b = open_raw("b.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, rw);
  WASI("write AAA", write_str(a, "AAA"));
  WASI("write BBB", write_str(b, "BBB"));
  WASI("fd_renumber a -> b", __wasi_fd_renumber(a, b));
  WASI("fd_seek b SET 0", __wasi_fd_seek(b, 0, __WASI_WHENCE_SET, &np));
  read_show("read b (now a.txt)", b);
  WASI("fd_close a (moved away)", __wasi_fd_close(a));
  WASI("fd_renumber from closed fd", __wasi_fd_renumber(a, b));
  WASI("fd_renumber b -> b", __wasi_fd_renumber(b, b));

  /* --- fd_close --- */
  WASI("fd_close b", __wasi_fd_close(b));
  WASI("fd_close b again", __wasi_fd_close(b));
  WASI("fd_close file", __wasi_fd_close(f));
  WASI("fd_fdstat_get closed", __wasi_fd_fdstat_get(f, &st));
  /* A preopen can be closed like any fd; it is then gone. */
  WASI("fd_close preopen 3", __wasi_fd_close(3));
  print_err("fd_prestat_get(3) after close", __wasi_fd_prestat_get(3, &ps));
  return 0;
}
