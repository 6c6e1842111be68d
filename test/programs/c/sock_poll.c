/* sock_poll: the listening socket at fd 3 and its connections — NONBLOCK
 * accept (EAGAIN), poll_oneoff on the listener and on a connection, peek,
 * waitall, fd_read/fd_write on a connection, shutdown, a reset peer, and
 * the errno of socket calls on the wrong kind of socket.
 *
 * It drives a test client through stdout: after printing a line ending in
 * "->", it waits for the client to act (the line says what it expects). */
#include "guest.h"
#include <fcntl.h>
#include <sys/socket.h>

#define LISTENER 3

static void step(const char *what) {
  printf("-> %s\n", what);
  fflush(stdout);
}

static __wasi_subscription_t fd_read_sub(__wasi_userdata_t ud, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_FD_READ;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static __wasi_subscription_t fd_write_sub(__wasi_userdata_t ud, __wasi_fd_t fd) {
  __wasi_subscription_t s = fd_read_sub(ud, fd);
  s.u.tag = __WASI_EVENTTYPE_FD_WRITE;
  s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static __wasi_subscription_t timeout_sub(__wasi_userdata_t ud, __wasi_timestamp_t ns) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = ns;
  return s;
}

/* Polls and prints each event: userdata, type, error, hangup (and nbytes when asked). */
static void poll_print(const char *label, __wasi_subscription_t *subs, size_t n, int show_nbytes) {
  __wasi_event_t ev[4];
  __wasi_size_t count = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, n, &count);
  if (e != 0) { print_err(label, e); return; }
  printf("%s: %u event(s)\n", label, (unsigned)count);
  for (__wasi_size_t i = 0; i < count; i++) {
    const char *type = ev[i].type == __WASI_EVENTTYPE_CLOCK ? "CLOCK"
                     : ev[i].type == __WASI_EVENTTYPE_FD_READ ? "FD_READ" : "FD_WRITE";
    printf("  %llu %s %s", (unsigned long long)ev[i].userdata, type, errname(ev[i].error));
    if (ev[i].type != __WASI_EVENTTYPE_CLOCK) {
      printf(" hangup=%d", (ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) ? 1 : 0);
      if (show_nbytes) printf(" nbytes=%llu", (unsigned long long)ev[i].fd_readwrite.nbytes);
    }
    printf("\n");
  }
}

static int do_accept(int flags) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  return accept4(LISTENER, (struct sockaddr *)&addr, &len, flags);
}

int main(void) {
  __wasi_fdstat_t st;
  WASI("fdstat listener", __wasi_fd_fdstat_get(LISTENER, &st));
  printf("listener filetype SOCKET_STREAM: %d\n", st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);

  /* No connection is pending yet. */
  CHECK("accept4 SOCK_NONBLOCK", do_accept(SOCK_NONBLOCK));
  MUST(fcntl(LISTENER, F_SETFL, O_NONBLOCK));
  CHECK("accept on O_NONBLOCK listener", do_accept(0));
  MUST(fcntl(LISTENER, F_SETFL, 0));
  __wasi_subscription_t s1[2] = {fd_read_sub(1, LISTENER), timeout_sub(2, 20000000)};
  poll_print("poll listener, nothing pending", s1, 2, 0);
  char b[16];
  CHECK("recv on listener", recv(LISTENER, b, sizeof b, 0));
  int fd;
  WASI("sock_accept on stdout", __wasi_sock_accept(1, 0, &fd));
  WASI("sock_accept bad flags", __wasi_sock_accept(LISTENER, __WASI_FDFLAGS_APPEND, &fd));

  step("connect");
  /* Blocks (no timeout) until the client's connection is pending. */
  __wasi_subscription_t s2[1] = {fd_read_sub(1, LISTENER)};
  poll_print("poll listener, blocking", s2, 1, 0);
  int conn = do_accept(0);
  MUST(conn);
  printf("accepted fd: %d\n", conn);
  WASI("fdstat conn", __wasi_fd_fdstat_get(conn, &st));
  printf("conn filetype SOCKET_STREAM: %d\n", st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  WASI("sock_accept on a connection", __wasi_sock_accept(conn, 0, &fd));
  __wasi_subscription_t s3[2] = {fd_read_sub(1, conn), fd_write_sub(2, conn)};
  poll_print("poll conn, nothing received", s3, 2, 0);
  MUST(fcntl(conn, F_SETFL, O_NONBLOCK));
  CHECK("recv on O_NONBLOCK conn", recv(conn, b, sizeof b, 0));
  MUST(fcntl(conn, F_SETFL, 0));

  step("send ping");
  __wasi_subscription_t s4[1] = {fd_read_sub(1, conn)};
  poll_print("poll conn, blocking", s4, 1, 1);
  memset(b, 0, sizeof b);
  CHECKV("recv MSG_PEEK", recv(conn, b, sizeof b, MSG_PEEK));
  printf("peeked: %s\n", b);
  memset(b, 0, sizeof b);
  CHECKV("recv MSG_WAITALL 4", recv(conn, b, 4, MSG_WAITALL));
  printf("received: %s\n", b);
  CHECKV("write pong", write(conn, "pong", 4));

  step("expect pong, send tail, then end");
  memset(b, 0, sizeof b);
  CHECKV("recv MSG_WAITALL 8 (peer ends after 4)", recv(conn, b, 8, MSG_WAITALL));
  printf("received: %s\n", b);
  CHECKV("read at EOF", read(conn, b, sizeof b));
  poll_print("poll conn after peer FIN", s4, 1, 1);
  CHECKV("send after peer FIN", send(conn, "bye", 3, 0));
  CHECK("shutdown SHUT_WR", shutdown(conn, SHUT_WR));
  CHECK("send after SHUT_WR", send(conn, "x", 1, 0));
  CHECK("shutdown SHUT_RD", shutdown(conn, SHUT_RD));
  CHECKV("recv after SHUT_RD", recv(conn, b, sizeof b, 0));
  CHECK("close conn", close(conn));

  step("connect again");
  conn = do_accept(0);
  MUST(conn);
  step("reset");
  __wasi_subscription_t s5[1] = {fd_read_sub(1, conn)};
  poll_print("poll reset conn", s5, 1, 0);
  CHECK("recv on reset conn", recv(conn, b, sizeof b, 0));
  CHECK("send on reset conn", send(conn, "x", 1, 0));
  CHECK("close reset conn", close(conn));
  CHECK("close listener", close(LISTENER));
  CHECK("accept on closed listener", do_accept(0));
  return 0;
}
