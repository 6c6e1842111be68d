/*
 * The socket limit (test/networking.test.ts runs it with --max-sockets 4
 * on --net loopback): sockets open until EMFILE, an accept past the limit
 * fails with EMFILE and leaves the connection queued for a later accept,
 * a socketpair needs room for both ends, and a dup names the same socket
 * (it does not count twice).
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const char *outcome(int r) { return errname(r < 0 ? errno : 0); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int s[8];
  int n = 0;
  while (n < 8 && (s[n] = socket(AF_INET, SOCK_DGRAM, 0)) >= 0) n++;
  printf("opened %d sockets, then %s\n", n, errname(errno));
  CHECK(n == 4, "the limit");

  int d = dup(s[0]);
  printf("dup of a socket: %s\n", outcome(d));
  CHECK(d >= 0, "dup");
  close(d);

  // Two left open; a listener and a client make four.
  close(s[3]);
  close(s[2]);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(l >= 0, "listener");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8000) };
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 4) == 0, "bind/listen");
  int c = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(c >= 0, "client");
  CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
  printf("accept past the limit: %s\n", outcome(accept(l, NULL, NULL)));

  close(s[1]);
  int pair[2];
  printf("socketpair with room for one: %s\n", outcome(socketpair(AF_UNIX, SOCK_STREAM, 0, pair)));
  int conn = accept(l, NULL, NULL);
  printf("accept with room for one: %s\n", outcome(conn));
  CHECK(conn >= 0, "accept");
  CHECK(send(c, "hi", 2, 0) == 2, "send");
  char buf[4] = {0};
  printf("the queued connection works: %s\n", recv(conn, buf, sizeof buf, 0) == 2 && memcmp(buf, "hi", 2) == 0 ? "yes" : "no");

  close(s[0]);
  close(conn);
  printf("socketpair with room for two: %s\n", outcome(socketpair(AF_UNIX, SOCK_STREAM, 0, pair)));
  return 0;
}
