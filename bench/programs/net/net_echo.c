/*
 * The TCP echo server of bench/net.mjs: built for WASIX (run by Kiln with
 * --net host) and natively with gcc, from this one source. Listens on
 * 127.0.0.1 (a free port), prints "listening PORT", then serves one
 * connection at a time, echoing everything until the client closes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) { perror("socket"); return 1; }
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0) { perror("bind/listen"); return 1; }
  socklen_t len = sizeof a;
  getsockname(s, (struct sockaddr *)&a, &len);
  printf("listening %d\n", ntohs(a.sin_port));
  static char buf[1 << 16];
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) { perror("accept"); return 1; }
    int on = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    for (;;) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = send(c, buf + off, (size_t)(n - off), 0);
        if (w <= 0) { n = -1; break; }
        off += w;
      }
      if (n < 0) break;
    }
    close(c);
  }
}
