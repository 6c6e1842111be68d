/*
 * What a network policy lets through (test/networking.test.ts runs it with
 * and without --allow-connect / --allow-bind): listeners on fixed ports of
 * 127.0.0.1, then a bind, connects, a datagram, a multicast join (checked
 * as a bind of the group's address) and name lookups, each printed with
 * its outcome. Fixed ports are safe: it runs on Kiln's
 * in-memory loopback network.
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <wasi/api.h>

static struct sockaddr_in at(const char *ip, int port) {
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

static const char *outcome(int r) { return errname(r < 0 ? errno : 0); }

static void listener(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0, "socket");
  struct sockaddr_in a = at("127.0.0.1", port);
  int r = bind(s, (struct sockaddr *)&a, sizeof a);
  if (r == 0) r = listen(s, 4);
  printf("listen 127.0.0.1:%d: %s\n", port, outcome(r));
}

static void connect_to(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0, "socket");
  struct sockaddr_in a = at("127.0.0.1", port);
  errno = 0;
  printf("connect 127.0.0.1:%d: %s\n", port, outcome(connect(s, (struct sockaddr *)&a, sizeof a)));
  close(s);
}

static void lookup(const char *name) {
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
  int r = getaddrinfo(name, "80", &hints, &res);
  printf("lookup %s: %s\n", name, r == 0 ? "found" : "not found");
  if (r == 0) freeaddrinfo(res);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  listener(7000);
  listener(7001);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in any = at("0.0.0.0", 7002);
  errno = 0;
  printf("bind 0.0.0.0:7002: %s\n", outcome(bind(s, (struct sockaddr *)&any, sizeof any)));
  close(s);
  connect_to(7000);
  connect_to(7001);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = at("127.0.0.1", 7001);
  errno = 0;
  printf("sendto 127.0.0.1:7001: %s\n", outcome((int)sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to)));
  // wasix-libc's setsockopt has no IP_ADD_MEMBERSHIP: the call itself, on an unbound socket (port 0).
  int m = socket(AF_INET, SOCK_DGRAM, 0);
  __wasi_addr_ip4_t group = { 239, 1, 2, 3 }, iface = { 0, 0, 0, 0 };
  printf("join 239.1.2.3: %s\n", errname(__wasi_sock_join_multicast_v4(m, &group, &iface)));
  lookup("localhost");
  lookup("example.com");
  return 0;
}
