/*
 * WASIX sockets on one network, in one single-threaded process: TCP over
 * IPv4 and IPv6 (listen on port 0, connect, accept, exact bytes both ways,
 * peer and local addresses, MSG_PEEK, shutdown and end of stream, a
 * non-blocking accept and connect with poll), UDP (datagrams with their
 * sender, boundaries kept), name lookup of localhost, and the errors a
 * socket gives: a refused connect, an address in use, accept on a socket
 * that does not listen, getpeername unconnected, send on a file; and a
 * socketpair (stream and datagram), which reaches no network.
 * Every address is a loopback one and every port the system's choice, so
 * the output is the same on Linux, under `kiln run --net loopback` and
 * under `--net host`. (A stream socket's address is read after listen:
 * Kiln, as Wasmer, binds it on the host then.)
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

static int port_of(const struct sockaddr_storage *a) {
  if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)a)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
}

static const char *ip_of(const struct sockaddr_storage *a, char *buf, size_t len) {
  if (a->ss_family == AF_INET) return inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, buf, len);
  return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, buf, len);
}

/** A socket of `family` bound to its loopback address on a free port; the address in *out. */
static int bound_socket(int family, int type, struct sockaddr_storage *out) {
  int s = socket(family, type, 0);
  CHECK(s >= 0, "socket");
  memset(out, 0, sizeof *out);
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  }
  CHECK(bind(s, (struct sockaddr *)out, len) == 0, "bind");
  return s;
}

static socklen_t len_of(int family) {
  return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static void tcp(int family, const char *name) {
  struct sockaddr_storage addr;
  int server = bound_socket(family, SOCK_STREAM, &addr);
  socklen_t len = sizeof addr;
  CHECK(getsockname(server, (struct sockaddr *)&addr, &len) == 0, "getsockname");
  int bound_port = port_of(&addr);
  printf("%s: port 0 chosen at bind: %s\n", name, yesno(bound_port > 0));
  CHECK(listen(server, 8) == 0, "listen");
  len = sizeof addr;
  CHECK(getsockname(server, (struct sockaddr *)&addr, &len) == 0, "getsockname");
  printf("%s: listening on the port bind chose: %s\n", name, yesno(port_of(&addr) == bound_port));

  int client = socket(family, SOCK_STREAM, 0);
  CHECK(client >= 0, "socket");
  CHECK(connect(client, (struct sockaddr *)&addr, len_of(family)) == 0, "connect");
  struct sockaddr_storage peer, local;
  len = sizeof peer;
  int conn = accept(server, (struct sockaddr *)&peer, &len);
  CHECK(conn >= 0, "accept");
  len = sizeof local;
  CHECK(getsockname(client, (struct sockaddr *)&local, &len) == 0, "getsockname client");
  char a[64], b[64];
  printf("%s: accepted peer is the client: %s\n", name,
         yesno(port_of(&peer) == port_of(&local) && strcmp(ip_of(&peer, a, sizeof a), ip_of(&local, b, sizeof b)) == 0));
  len = sizeof peer;
  CHECK(getpeername(client, (struct sockaddr *)&peer, &len) == 0, "getpeername");
  printf("%s: client's peer is the server: %s (%s)\n", name, yesno(port_of(&peer) == port_of(&addr)), ip_of(&peer, a, sizeof a));

  const char *msg = "hello over tcp";
  CHECK(send(client, msg, strlen(msg), 0) == (ssize_t)strlen(msg), "send");
  char buf[256];
  ssize_t n = recv(conn, buf, 5, MSG_PEEK);
  CHECK(n == 5, "peek");
  printf("%s: peeked '%.5s'\n", name, buf);
  size_t got = 0;
  while (got < strlen(msg)) {
    n = recv(conn, buf + got, sizeof buf - got, 0);
    CHECK(n > 0, "recv");
    got += (size_t)n;
  }
  printf("%s: server got '%.*s'\n", name, (int)got, buf);
  for (size_t i = 0; i < got; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
  CHECK(write(conn, buf, got) == (ssize_t)got, "write");
  CHECK(shutdown(conn, SHUT_WR) == 0, "shutdown");
  got = 0;
  while ((n = read(client, buf + got, sizeof buf - got)) > 0) got += (size_t)n;
  CHECK(n == 0, "read to end");
  printf("%s: client got '%.*s', then end of stream\n", name, (int)got, buf);
  close(conn);
  close(client);

  // A non-blocking accept with nothing queued, then a connect that poll sees through.
  int fl = fcntl(server, F_GETFL);
  CHECK(fcntl(server, F_SETFL, fl | O_NONBLOCK) == 0, "fcntl");
  errno = 0;
  printf("%s: non-blocking accept with nothing queued: %s\n", name, errname(accept(server, NULL, NULL) < 0 ? errno : 0));
  client = socket(family, SOCK_STREAM, 0);
  CHECK(fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK) == 0, "fcntl client");
  int r = connect(client, (struct sockaddr *)&addr, len_of(family));
  CHECK(r == 0 || errno == EINPROGRESS, "non-blocking connect");
  struct pollfd p = { .fd = client, .events = POLLOUT };
  CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "poll connect");
  p = (struct pollfd){ .fd = server, .events = POLLIN };
  CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll accept");
  conn = accept(server, NULL, NULL);
  printf("%s: non-blocking connect completed, accepted: %s\n", name, yesno(conn >= 0));
  close(conn);
  close(client);
  close(server);
}

static void udp(void) {
  struct sockaddr_storage a_addr, b_addr;
  int a = bound_socket(AF_INET, SOCK_DGRAM, &a_addr);
  int b = bound_socket(AF_INET, SOCK_DGRAM, &b_addr);
  socklen_t len = sizeof a_addr;
  CHECK(getsockname(a, (struct sockaddr *)&a_addr, &len) == 0, "getsockname a");
  len = sizeof b_addr;
  CHECK(getsockname(b, (struct sockaddr *)&b_addr, &len) == 0, "getsockname b");
  CHECK(sendto(a, "one", 3, 0, (struct sockaddr *)&b_addr, sizeof(struct sockaddr_in)) == 3, "sendto");
  CHECK(sendto(a, "second", 6, 0, (struct sockaddr *)&b_addr, sizeof(struct sockaddr_in)) == 6, "sendto");
  char buf[64];
  struct sockaddr_storage from;
  for (int i = 0; i < 2; i++) {
    len = sizeof from;
    ssize_t n = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    CHECK(n >= 0, "recvfrom");
    printf("udp: datagram '%.*s' from the sender: %s\n", (int)n, buf, yesno(port_of(&from) == port_of(&a_addr)));
  }
  CHECK(connect(b, (struct sockaddr *)&a_addr, sizeof(struct sockaddr_in)) == 0, "udp connect");
  CHECK(send(b, "reply", 5, 0) == 5, "send");
  ssize_t n = recv(a, buf, sizeof buf, 0);
  printf("udp: connected reply '%.*s'\n", (int)n, buf);
  close(a);
  close(b);
}

static void errors(void) {
  struct sockaddr_storage addr;
  int s = bound_socket(AF_INET, SOCK_STREAM, &addr);
  CHECK(listen(s, 1) == 0, "listen");
  socklen_t len = sizeof addr;
  CHECK(getsockname(s, (struct sockaddr *)&addr, &len) == 0, "getsockname");
  int t = socket(AF_INET, SOCK_STREAM, 0);
  errno = 0;
  printf("errors: a second bind of a listener's port: %s\n", errname(bind(t, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)) < 0 ? errno : 0));
  close(t);
  close(s);
  t = socket(AF_INET, SOCK_STREAM, 0);
  errno = 0;
  printf("errors: connect to the closed port: %s\n", errname(connect(t, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)) < 0 ? errno : 0));
  close(t);
  t = socket(AF_INET, SOCK_STREAM, 0);
  errno = 0;
  printf("errors: accept on a socket that does not listen: %s\n", errname(accept(t, NULL, NULL) < 0 ? errno : 0));
  errno = 0;
  len = sizeof addr;
  printf("errors: getpeername unconnected: %s\n", errname(getpeername(t, (struct sockaddr *)&addr, &len) < 0 ? errno : 0));
  close(t);
  errno = 0;
  printf("errors: accept on a file: %s\n", errname(accept(1, NULL, NULL) < 0 ? errno : 0));
  int type = 0;
  len = sizeof type;
  t = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(getsockopt(t, SOL_SOCKET, SO_TYPE, &type, &len) == 0, "SO_TYPE");
  printf("errors: SO_TYPE of a UDP socket is SOCK_DGRAM: %s\n", yesno(type == SOCK_DGRAM));
  close(t);
}

static void pair(int type, const char *name) {
  int sv[2];
  CHECK(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair");
  char buf[16];
  CHECK(write(sv[0], "ping", 4) == 4, "write");
  ssize_t n = read(sv[1], buf, sizeof buf);
  CHECK(n == 4, "read");
  CHECK(write(sv[1], "pong", 4) == 4, "write back");
  ssize_t m = read(sv[0], buf + 4, sizeof buf - 4);
  printf("%s pair: '%.4s' one way, '%.*s' back\n", name, buf, (int)m, buf + 4);
  close(sv[0]);
  if (type == SOCK_STREAM) {
    n = read(sv[1], buf, sizeof buf);
    printf("%s pair: end of stream once the other end closed: %s\n", name, yesno(n == 0));
  }
  close(sv[1]);
}

static void lookup(void) {
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
  int r = getaddrinfo("localhost", "80", &hints, &res);
  CHECK(r == 0 && res != NULL, "getaddrinfo localhost (%d)", r);
  char a[64];
  printf("lookup: localhost is %s\n", inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, a, sizeof a));
  freeaddrinfo(res);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  tcp(AF_INET, "tcp4");
  tcp(AF_INET6, "tcp6");
  udp();
  errors();
  pair(SOCK_STREAM, "stream");
  pair(SOCK_DGRAM, "datagram");
  lookup();
  return 0;
}
