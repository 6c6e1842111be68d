/* sock_echo: accepts one connection on the preopened listening socket (fd 3,
 * or argv[1]), echoes every line uppercased until the peer closes, then
 * shuts the connection down and exits 0. Uses accept, recv and send (the
 * sock_* calls); a trailing partial line is echoed at EOF. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, 0);
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  int listener = argc > 1 ? atoi(argv[1]) : 3;
  struct sockaddr_storage addr;
  socklen_t addrlen = sizeof addr;
  int conn = accept(listener, (struct sockaddr *)&addr, &addrlen);
  if (conn < 0) {
    fprintf(stderr, "accept: %s\n", strerror(errno));
    return 1;
  }
  char line[4096];
  size_t len = 0;
  for (;;) {
    char buf[1024];
    ssize_t n = recv(conn, buf, sizeof buf, 0);
    if (n < 0) {
      fprintf(stderr, "recv: %s\n", strerror(errno));
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) {
      line[len++] = (char)toupper((unsigned char)buf[i]);
      if (buf[i] == '\n' || len == sizeof line) {
        if (send_all(conn, line, len) < 0) {
          fprintf(stderr, "send: %s\n", strerror(errno));
          return 1;
        }
        len = 0;
      }
    }
  }
  if (len > 0 && send_all(conn, line, len) < 0) {
    fprintf(stderr, "send: %s\n", strerror(errno));
    return 1;
  }
  if (shutdown(conn, SHUT_RDWR) < 0) {
    fprintf(stderr, "shutdown: %s\n", strerror(errno));
    return 1;
  }
  close(conn);
  return 0;
}
