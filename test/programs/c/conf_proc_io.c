/*
 * Conformance: stdout writes and process exit (suite tests
 * fd_write-to-invalid-fd, fd_write-to-stdout, proc_exit-failure,
 * proc_exit-success). No preopens.
 *
 *   conf_proc_io           fd_write on a bogus fd (-31337) must be BADF,
 *                          checked before the (null, empty) iovec list.
 *   conf_proc_io hello     writes exactly "hello" (nwritten 5) and nothing
 *                          else; the test compares the whole stdout.
 *   conf_proc_io exit33    proc_exit(33): the exit status must be 33.
 *   conf_proc_io exit0     proc_exit(0): the exit status must be 0.
 */
#include "conf.h"

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "hello")) {
    __wasi_ciovec_t iov = {(const uint8_t *)"hello", 5};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(1, &iov, 1, &n);
    /* Only a failure adds output (on stderr, so stdout stays comparable). */
    if (e != 0 || n != 5) {
      char msg[128];
      int len = snprintf(msg, sizeof msg,
                         "FAIL fd_write(1, \"hello\"): got %s(%d), nwritten "
                         "%u expected SUCCESS, 5\n",
                         conf_errname(e), e, (unsigned)n);
      conf_write_all(2, msg, (size_t)len);
      return 1;
    }
    return 0;
  }
  if (!strcmp(mode, "exit33")) __wasi_proc_exit(33);
  if (!strcmp(mode, "exit0")) __wasi_proc_exit(0);
  if (mode[0]) {
    conf_fail("usage", "got mode \"%s\" expected hello, exit33 or exit0",
              mode);
    return conf_finish();
  }

  conf_section = "fd_write-to-invalid-fd";
  __wasi_size_t n = 0;
  EXPECT_ERRNO("fd_write(-31337, iovs NULL, 0)",
               __wasi_fd_write((__wasi_fd_t)-31337, NULL, 0, &n),
               __WASI_ERRNO_BADF);
  return conf_finish();
}
