/*
 * Conformance: sock_shutdown errors (C suite tests sock_shutdown-invalid_fd,
 * sock_shutdown-not_sock). Must run with NO preopens at all: fd 3 must not
 * exist.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"

#define E(x) __WASI_ERRNO_##x

int main(void) {
  conf_section = "no preopens";
  __wasi_prestat_t ps;
  EXPECT_ERRNO("fd_prestat_get(3)", __wasi_fd_prestat_get(3, &ps), E(BADF));

  conf_section = "sock_shutdown-invalid_fd";
  errno = 0;
  int r = shutdown(3, SHUT_RD);
  EXPECT_TRUE("shutdown(3, SHUT_RD) fails with EBADF", r == -1 && errno == EBADF,
              "got %d errno %s(%d)", r, conf_errname(errno), errno);
  EXPECT_ERRNO("sock_shutdown(3, RD)", __wasi_sock_shutdown(3, __WASI_SDFLAGS_RD),
               E(BADF));

  conf_section = "sock_shutdown-not_sock";
  errno = 0;
  r = shutdown(STDOUT_FILENO, SHUT_RD);
  EXPECT_TRUE("shutdown(stdout, SHUT_RD) fails with ENOTSOCK",
              r == -1 && errno == ENOTSOCK, "got %d errno %s(%d)", r,
              conf_errname(errno), errno);
  EXPECT_ERRNO("sock_shutdown(1, RD)", __wasi_sock_shutdown(1, __WASI_SDFLAGS_RD),
               E(NOTSOCK));
  return conf_finish();
}
