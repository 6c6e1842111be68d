/*
 * WASIX UDP multicast on one network, in one single-threaded process: two
 * UDP sockets bound to one port on 0.0.0.0 (SO_REUSEADDR) join 239.77.1.2
 * on the loopback interface; a datagram a third socket sends to the group
 * reaches both, exact bytes and the sender's address; once one leaves,
 * the next reaches only the other (the one that left gets the next
 * datagram of a second group it stays in instead). Then the errors, for
 * IPv4 and IPv6: joining twice (EADDRINUSE), leaving a group not joined
 * (EADDRNOTAVAIL), a group that is not multicast (EINVAL; leaving one is
 * EADDRNOTAVAIL for IPv4, EINVAL for IPv6), and a TCP socket (EPROTO).
 *
 * Under WASIX the program calls sock_join/leave_multicast_v4/v6 itself:
 * wasix-libc's setsockopt answers ENOSYS for IPPROTO_IP and IPPROTO_IPV6.
 * Natively it uses setsockopt, and sets two options WASIX does not have
 * and Kiln's loopback network does without: IP_MULTICAST_IF 127.0.0.1 on
 * the sender (so the datagram leaves through the interface the group was
 * joined on), and IP_MULTICAST_ALL off on the members (by default Linux
 * gives a socket bound to the port every group any socket joined on the
 * interface: the member that left would still receive). The output is the
 * same on Linux and under `kiln run --net loopback`.
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

#define GROUP "239.77.1.2"
#define SECOND_GROUP "239.77.1.3"
#define GROUP6 "ff15::7701"

/** errname, and the errnos only this program meets. */
static const char *err(int e) {
  switch (e) {
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EPROTO: return "EPROTO";
    case ENODEV: return "ENODEV";
    default: return errname(e);
  }
}

/** The errno of a call that returned `r` (OK for 0). */
static const char *outcome(int r) { return err(r < 0 ? errno : 0); }

/** Joins (or leaves) the IPv4 `group` on the interface with address `iface`. */
static int membership4(int s, int join, const char *group, const char *iface) {
  struct in_addr g, i;
  CHECK(inet_pton(AF_INET, group, &g) == 1 && inet_pton(AF_INET, iface, &i) == 1, "inet_pton");
#ifdef __wasi__
  __wasi_addr_ip4_t wg, wi;
  memcpy(&wg, &g, 4);
  memcpy(&wi, &i, 4);
  __wasi_errno_t e = join ? __wasi_sock_join_multicast_v4(s, &wg, &wi) : __wasi_sock_leave_multicast_v4(s, &wg, &wi);
  if (e != 0) { errno = e; return -1; }
  return 0;
#else
  struct ip_mreq m = { .imr_multiaddr = g, .imr_interface = i };
  return setsockopt(s, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
#endif
}

/** Joins (or leaves) the IPv6 `group` on the interface with index `index`. */
static int membership6(int s, int join, const char *group, unsigned index) {
  struct in6_addr g;
  CHECK(inet_pton(AF_INET6, group, &g) == 1, "inet_pton");
#ifdef __wasi__
  __wasi_addr_ip6_t wg;
  memset(&wg, 0, sizeof wg);
  memcpy(&wg, &g, 16);
  __wasi_errno_t e = join ? __wasi_sock_join_multicast_v6(s, &wg, index) : __wasi_sock_leave_multicast_v6(s, &wg, index);
  if (e != 0) { errno = e; return -1; }
  return 0;
#else
  struct ipv6_mreq m = { .ipv6mr_multiaddr = g, .ipv6mr_interface = index };
  return setsockopt(s, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m);
#endif
}

/** A UDP socket on 0.0.0.0:`port` (0: a free one) that shares its port, waiting at most 5 s for a datagram. */
static int member(int port) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(s >= 0, "socket");
  int one = 1;
  CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
  struct timeval tv = { .tv_sec = 5 };
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO");
#ifndef __wasi__
  int off = 0;
  CHECK(setsockopt(s, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off) == 0, "IP_MULTICAST_ALL");
#endif
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY) };
  CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  return s;
}

static int port_of(int s) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0, "getsockname");
  return ntohs(a.sin_port);
}

/** Sends `msg` from `s` to `group`:`port`. */
static void send_to_group(int s, const char *msg, const char *group, int port) {
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  CHECK(inet_pton(AF_INET, group, &to.sin_addr) == 1, "inet_pton");
  CHECK(sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)strlen(msg), "sendto %s", group);
}

/** Receives one datagram on `s` and prints it, with whether it came from 127.0.0.1 at `from_port`. */
static void receive(const char *name, int s, int from_port) {
  char buf[64];
  struct sockaddr_in from;
  socklen_t len = sizeof from;
  ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
  CHECK(n >= 0, "recvfrom %s", name);
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
  printf("%s got '%.*s' (%zd bytes) from %s, the sender's port: %s\n", name, (int)n, buf, n, ip, yesno(ntohs(from.sin_port) == from_port));
}

static void delivery(void) {
  int a = member(0);
  int port = port_of(a);
  int b = member(port);
  printf("two sockets share a port: %s\n", yesno(port_of(b) == port));
  printf("a joins %s: %s\n", GROUP, outcome(membership4(a, 1, GROUP, "127.0.0.1")));
  printf("a joins %s: %s\n", SECOND_GROUP, outcome(membership4(a, 1, SECOND_GROUP, "127.0.0.1")));
  printf("b joins %s: %s\n", GROUP, outcome(membership4(b, 1, GROUP, "127.0.0.1")));

  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(sender >= 0, "socket");
  struct sockaddr_in here = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  CHECK(bind(sender, (struct sockaddr *)&here, sizeof here) == 0, "bind sender");
#ifndef __wasi__
  struct in_addr lo = { .s_addr = htonl(INADDR_LOOPBACK) };
  CHECK(setsockopt(sender, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo) == 0, "IP_MULTICAST_IF");
#endif
  int sender_port = port_of(sender);

  send_to_group(sender, "hello, group", GROUP, port);
  receive("a", a, sender_port);
  receive("b", b, sender_port);

  printf("a leaves %s: %s\n", GROUP, outcome(membership4(a, 0, GROUP, "127.0.0.1")));
  send_to_group(sender, "after a left", GROUP, port);
  send_to_group(sender, "second group", SECOND_GROUP, port);
  receive("b", b, sender_port);
  receive("a", a, sender_port);
  struct pollfd p = { .fd = b, .events = POLLIN };
  printf("b gets nothing of the second group: %s\n", yesno(poll(&p, 1, 100) == 0));
  close(a);
  close(b);
  close(sender);
}

static void errors4(void) {
  int s = member(0);
  printf("v4: join: %s\n", outcome(membership4(s, 1, GROUP, "127.0.0.1")));
  printf("v4: join again: %s\n", outcome(membership4(s, 1, GROUP, "127.0.0.1")));
  printf("v4: leave a group not joined: %s\n", outcome(membership4(s, 0, SECOND_GROUP, "127.0.0.1")));
  printf("v4: join a unicast address: %s\n", outcome(membership4(s, 1, "10.1.2.3", "127.0.0.1")));
  printf("v4: leave a unicast address: %s\n", outcome(membership4(s, 0, "10.1.2.3", "127.0.0.1")));
  printf("v4: leave: %s\n", outcome(membership4(s, 0, GROUP, "127.0.0.1")));
  printf("v4: leave again: %s\n", outcome(membership4(s, 0, GROUP, "127.0.0.1")));
  close(s);
  int t = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(t >= 0, "socket");
  printf("v4: join on a TCP socket: %s\n", outcome(membership4(t, 1, GROUP, "127.0.0.1")));
  printf("v4: leave on a TCP socket: %s\n", outcome(membership4(t, 0, GROUP, "127.0.0.1")));
  close(t);
}

static void errors6(void) {
#ifdef __wasi__
  unsigned lo = 1; // Kiln's loopback network has one interface: every index names it.
#else
  unsigned lo = if_nametoindex("lo");
  CHECK(lo > 0, "if_nametoindex lo");
#endif
  int s = socket(AF_INET6, SOCK_DGRAM, 0);
  CHECK(s >= 0, "socket");
  printf("v6: join: %s\n", outcome(membership6(s, 1, GROUP6, lo)));
  printf("v6: join again: %s\n", outcome(membership6(s, 1, GROUP6, lo)));
  printf("v6: leave a group not joined: %s\n", outcome(membership6(s, 0, "ff15::7702", lo)));
  printf("v6: join a unicast address: %s\n", outcome(membership6(s, 1, "::1", lo)));
  printf("v6: leave a unicast address: %s\n", outcome(membership6(s, 0, "::1", lo)));
  printf("v6: leave: %s\n", outcome(membership6(s, 0, GROUP6, lo)));
  close(s);
  int t = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(t >= 0, "socket");
  printf("v6: join on a TCP socket: %s\n", outcome(membership6(t, 1, GROUP6, lo)));
  close(t);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  delivery();
  errors4();
  errors6();
  return 0;
}
