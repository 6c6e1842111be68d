/*
 * Shared helpers for Kiln's own WASI preview 1 conformance programs
 * (test/programs/c/conf_*.c). Not a program itself.
 *
 * The programs re-check, against the raw <wasi/api.h> calls, what the
 * official WASI test suite (WebAssembly/wasi-testsuite, preview 1 tests)
 * expects, test by test, with the same accepted errno sets (its permissive
 * mode: every platform's alternative is accepted). Each check prints exactly
 * one line:
 *
 *   ok <check>
 *   FAIL <check>: got <what> expected <what>
 *
 * Other lines start with "# " (notes, skips). conf_finish() prints the
 * summary "# N passed, M failed" and returns the exit status for main: 1 if
 * any check failed, 0 otherwise. Output goes through raw fd_write (no stdio
 * buffering) to conf_out_fd, which a program may move when it renumbers
 * stdout away.
 *
 * Errno values are WASI's (0 SUCCESS, 8 BADF, 44 NOENT, 76 NOTCAPABLE, ...),
 * printed as NAME(number).
 */
#ifndef KILN_CONF_H
#define KILN_CONF_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* Every helper is static and may be unused by a given program. */
#define CONF_API __attribute__((unused)) static

/* ------------------------------------------------------------------------ */
/* Output                                                                    */

CONF_API __wasi_fd_t conf_out_fd = 1;
CONF_API int conf_failed = 0;
CONF_API int conf_passed = 0;

CONF_API void conf_write_all(__wasi_fd_t fd, const char *p, size_t n) {
  while (n > 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)p, n};
    __wasi_size_t done = 0;
    if (__wasi_fd_write(fd, &iov, 1, &done) != 0 || done == 0) return;
    p += done;
    n -= done;
  }
}

__attribute__((format(printf, 1, 2))) CONF_API void conf_printf(const char *fmt,
                                                              ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  conf_write_all(conf_out_fd, buf, (size_t)n);
}

CONF_API const char *const conf_errno_names[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT",
    "AGAIN", "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD",
    "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM",
    "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ",
    "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE",
    "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET",
    "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK",
    "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN",
    "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
    "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
    "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE",
    "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE",
};

CONF_API const char *conf_errname(int e) {
  if (e >= 0 && (size_t)e < sizeof conf_errno_names / sizeof *conf_errno_names)
    return conf_errno_names[e];
  return "?";
}

/* Formats an errno set as "{NOTDIR(54), NOENT(44)}". */
CONF_API void conf_fmt_set(char *out, size_t cap, const int *set, size_t n) {
  size_t len = 0;
  out[0] = 0;
  len += snprintf(out + len, cap - len, "{");
  for (size_t i = 0; i < n && len < cap; i++)
    len += snprintf(out + len, cap - len, "%s%s(%d)", i ? ", " : "",
                    conf_errname(set[i]), set[i]);
  if (len < cap) snprintf(out + len, cap - len, "}");
}

CONF_API void conf_pass(const char *check) {
  conf_passed++;
  conf_printf("ok %s\n", check);
}

__attribute__((format(printf, 2, 3))) CONF_API void conf_fail(const char *check,
                                                            const char *fmt,
                                                            ...) {
  char buf[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  conf_failed++;
  conf_printf("FAIL %s: %s\n", check, buf);
}

/* Prints a non-check note (skips, information). Never starts with ok/FAIL. */
#define NOTE(...)                                                              \
  do {                                                                         \
    conf_printf("# ");                                                         \
    conf_printf(__VA_ARGS__);                                                  \
    conf_printf("\n");                                                         \
  } while (0)

/* Check labels are built from a section name and a description. */
CONF_API const char *conf_section = "";
CONF_API char conf_label_buf[512];
CONF_API const char *conf_label(const char *what) {
  if (conf_section[0])
    snprintf(conf_label_buf, sizeof conf_label_buf, "%s: %s", conf_section,
             what);
  else
    snprintf(conf_label_buf, sizeof conf_label_buf, "%s", what);
  return conf_label_buf;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */

/* got must be one of set[0..n). Returns 1 on a pass. */
CONF_API int conf_errno_in(const char *what, int got, const int *set, size_t n) {
  const char *check = conf_label(what);
  for (size_t i = 0; i < n; i++)
    if (set[i] == got) {
      conf_pass(check);
      return 1;
    }
  char s[256];
  conf_fmt_set(s, sizeof s, set, n);
  conf_fail(check, "got %s(%d) expected %s", conf_errname(got), got, s);
  return 0;
}

/* EXPECT_ERRNO(what, expr, E1, E2, ...): the errno returned by expr must be
 * one of the listed values (list SUCCESS explicitly where Ok is accepted).
 * Evaluates to 1 on a pass. */
#define EXPECT_ERRNO(what, expr, ...)                                          \
  ({                                                                           \
    const int conf_set_[] = {__VA_ARGS__};                                     \
    int conf_e_ = (int)(expr);                                                 \
    conf_errno_in((what), conf_e_, conf_set_,                                  \
                  sizeof conf_set_ / sizeof *conf_set_);                       \
  })

/* The call must succeed. Evaluates to 1 on a pass. */
#define EXPECT_OK(what, expr) EXPECT_ERRNO((what), (expr), __WASI_ERRNO_SUCCESS)

/* A boolean condition; on failure prints got/expected (printf formats). */
#define EXPECT_TRUE(what, cond, ...)                                           \
  ({                                                                           \
    int conf_c_ = !!(cond);                                                    \
    if (conf_c_) conf_pass(conf_label(what));                                  \
    else conf_fail(conf_label(what), __VA_ARGS__);                             \
    conf_c_;                                                                   \
  })

/* Unsigned 64-bit equality. */
#define EXPECT_EQ(what, got, expected)                                         \
  ({                                                                           \
    unsigned long long conf_g_ = (unsigned long long)(got);                    \
    unsigned long long conf_x_ = (unsigned long long)(expected);               \
    EXPECT_TRUE((what), conf_g_ == conf_x_, "got %llu expected %llu",          \
                conf_g_, conf_x_);                                             \
  })

/* Signed 64-bit equality (lseek results, libc return values). */
#define EXPECT_EQ_S(what, got, expected)                                       \
  ({                                                                           \
    long long conf_g_ = (long long)(got);                                      \
    long long conf_x_ = (long long)(expected);                                 \
    EXPECT_TRUE((what), conf_g_ == conf_x_, "got %lld expected %lld", conf_g_, \
                conf_x_);                                                      \
  })

/* A step the rest of a section depends on: must succeed, else the section
 * is abandoned (the failure is reported; the caller returns). */
#define SETUP(what, expr)                                                      \
  do {                                                                         \
    if (!EXPECT_OK((what), (expr))) return;                                    \
  } while (0)

CONF_API int conf_finish(void) {
  conf_printf("# %d passed, %d failed\n", conf_passed, conf_failed);
  return conf_failed ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Rights and helpers the suite's Rust library uses                          */

#define R(x) ((__wasi_rights_t)__WASI_RIGHTS_##x)

/* fd_close whose result is not a check. */
#define CLOSE(fd) ((void)__wasi_fd_close(fd))

/* create_tmp_dir rights (base, inheriting). */
#define CONF_TMP_BASE                                                          \
  (R(FD_FILESTAT_GET) | R(FD_READDIR) | R(PATH_CREATE_FILE) |                  \
   R(PATH_CREATE_DIRECTORY) | R(PATH_REMOVE_DIRECTORY) | R(PATH_OPEN) |        \
   R(PATH_UNLINK_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) |           \
   R(PATH_READLINK) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) |          \
   R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) |                          \
   R(PATH_FILESTAT_SET_TIMES) | R(PATH_SYMLINK))
#define CONF_TMP_INH                                                           \
  (R(FD_READ) | R(FD_WRITE) | R(FD_READDIR) | R(FD_FILESTAT_GET) |             \
   R(FD_SEEK) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) |     \
   R(PATH_UNLINK_FILE) | R(PATH_FILESTAT_GET) | R(FD_FDSTAT_SET_FLAGS) |       \
   R(FD_SYNC) | R(FD_TELL) | R(FD_ADVISE) | R(FD_ALLOCATE) |                   \
   R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES))

/* Finds the directory preopen whose name is exactly `name`, scanning from
 * fd 3 and stopping at the first fd_prestat_get error (as the suite's
 * root_directory() does). Returns the fd or -1. */
CONF_API int conf_find_preopen(const char *name) {
  size_t want = strlen(name);
  for (__wasi_fd_t fd = 3;; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) return -1;
    if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    size_t len = ps.u.dir.pr_name_len;
    if (len != want || len > 4096) continue;
    char buf[4097];
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != 0) continue;
    if (memcmp(buf, name, len) == 0) return (int)fd;
  }
}

/* The preopen fd that conf_root() used (normally 3). */
CONF_API int conf_preopen_fd = -1;

/* root_directory(): finds the preopen named `name` and reopens it with
 * path_open(".", OFLAGS_DIRECTORY, its own base and inheriting rights).
 * Reports both steps as checks; exits 1 if there is no usable root. */
CONF_API __wasi_fd_t conf_root_named(const char *name) {
  const char *saved = conf_section;
  conf_section = "root_directory";
  int pre = conf_find_preopen(name);
  char what[128];
  snprintf(what, sizeof what, "preopen named \"%s\" found from fd 3", name);
  if (!EXPECT_TRUE(what, pre >= 0, "got none expected a DIR preopen")) {
    exit(conf_finish());
  }
  conf_preopen_fd = pre;
  __wasi_fdstat_t st;
  if (!EXPECT_OK("fd_fdstat_get(preopen)", __wasi_fd_fdstat_get(pre, &st)))
    exit(conf_finish());
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  if (!EXPECT_OK("path_open(preopen, \".\", DIRECTORY, preopen rights)",
                 __wasi_path_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY,
                                  st.fs_rights_base, st.fs_rights_inheriting,
                                  0, &fd)))
    exit(conf_finish());
  conf_section = saved;
  return fd;
}

CONF_API __wasi_fd_t conf_root(void) { return conf_root_named("/"); }

/* create_tmp_dir(base, name): mkdir + open with the suite's rights.
 * Returns 1 and sets *out on success (reporting failures as checks). */
CONF_API int conf_tmp_dir(__wasi_fd_t base, const char *name, __wasi_fd_t *out) {
  if (!EXPECT_OK("create_tmp_dir: path_create_directory",
                 __wasi_path_create_directory(base, name)))
    return 0;
  return EXPECT_OK("create_tmp_dir: path_open(DIRECTORY)",
                   __wasi_path_open(base, 0, name, __WASI_OFLAGS_DIRECTORY,
                                    CONF_TMP_BASE, CONF_TMP_INH, 0, out));
}

/* Closes the tmp dir fd and removes it: path_remove_directory must succeed
 * (everything created inside has to be removable). */
CONF_API void conf_tmp_dir_done(__wasi_fd_t base, const char *name,
                              __wasi_fd_t dir) {
  EXPECT_OK("fd_close(tmp dir)", __wasi_fd_close(dir));
  EXPECT_OK("path_remove_directory(tmp dir)",
            __wasi_path_remove_directory(base, name));
}

/* create_file(dir, name): path_open(CREAT, no rights); fd must be > 2. */
CONF_API int conf_create_file(__wasi_fd_t dir, const char *name) {
  __wasi_fd_t fd = 0;
  char what[256];
  snprintf(what, sizeof what, "create_file(%s)", name);
  if (!EXPECT_OK(what, __wasi_path_open(dir, 0, name, __WASI_OFLAGS_CREAT, 0,
                                        0, 0, &fd)))
    return 0;
  snprintf(what, sizeof what, "create_file(%s) fd > 2", name);
  EXPECT_TRUE(what, fd > 2, "got fd %u expected > 2", fd);
  CLOSE(fd);
  return 1;
}

/* supports_rights(fd): false only if setting the same rights gives NOTSUP. */
CONF_API int conf_supports_rights(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(fd, &st) != 0) return 1;
  return __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base,
                                     st.fs_rights_inheriting) !=
         __WASI_ERRNO_NOTSUP;
}

/* Single-buffer read/write helpers; return errno, store the count. */
CONF_API __wasi_errno_t conf_read(__wasi_fd_t fd, void *buf, size_t len,
                                __wasi_size_t *n) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  *n = 0;
  return __wasi_fd_read(fd, &iov, 1, n);
}
CONF_API __wasi_errno_t conf_write(__wasi_fd_t fd, const void *buf, size_t len,
                                 __wasi_size_t *n) {
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  *n = 0;
  return __wasi_fd_write(fd, &iov, 1, n);
}
CONF_API __wasi_errno_t conf_pread(__wasi_fd_t fd, void *buf, size_t len,
                                 __wasi_filesize_t off, __wasi_size_t *n) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  *n = 0;
  return __wasi_fd_pread(fd, &iov, 1, off, n);
}
CONF_API __wasi_errno_t conf_pwrite(__wasi_fd_t fd, const void *buf, size_t len,
                                  __wasi_filesize_t off, __wasi_size_t *n) {
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  *n = 0;
  return __wasi_fd_pwrite(fd, &iov, 1, off, n);
}

/* Opens with rights (base = inheriting = 0 unless given) and fdflags. */
CONF_API __wasi_errno_t conf_open(__wasi_fd_t dir, __wasi_lookupflags_t lf,
                                const char *path, __wasi_oflags_t of,
                                __wasi_rights_t base, __wasi_rights_t inh,
                                __wasi_fdflags_t ff, __wasi_fd_t *out) {
  *out = (__wasi_fd_t)-1;
  return __wasi_path_open(dir, lf, path, of, base, inh, ff, out);
}

/* Closes an fd if it was opened (fd != -1). */
CONF_API void conf_close(__wasi_fd_t *fd) {
  if (*fd != (__wasi_fd_t)-1) CLOSE(*fd);
  *fd = (__wasi_fd_t)-1;
}

/* path_open for checks that expect an error: returns the errno and closes
 * the fd if the open unexpectedly succeeded. */
CONF_API __wasi_errno_t conf_try_open(__wasi_fd_t dir, __wasi_lookupflags_t lf,
                                      const char *path, __wasi_oflags_t of,
                                      __wasi_rights_t base,
                                      __wasi_rights_t inh,
                                      __wasi_fdflags_t ff) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open(dir, lf, path, of, base, inh, ff, &fd);
  if (e == 0) CLOSE(fd);
  return e;
}

/* The path_open import itself, for paths with an explicit length (an
 * embedded NUL byte). */
int32_t conf_raw_path_open(int32_t fd, int32_t dirflags, int32_t path,
                           int32_t path_len, int32_t oflags, int64_t base,
                           int64_t inh, int32_t fdflags, int32_t retptr)
    __attribute__((__import_module__("wasi_snapshot_preview1"),
                   __import_name__("path_open")));

#endif
