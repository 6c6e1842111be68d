/*
 * WASIX epoll over two pipes, A and B: readiness, the registered user data,
 * EPOLL_CTL_MOD and EPOLL_CTL_DEL, their errors, and EPOLLHUP.
 *
 * stdout (exit 0):
 *   nothing ready: 0
 *   after writing B: 1 event: B EPOLLIN=yes
 *   after draining B: 0
 *   after EPOLL_CTL_MOD of B: 1 event: B2 EPOLLIN=yes
 *   both written: 2 events: A B2
 *   after EPOLL_CTL_DEL of A: 1 event: B2
 *   EPOLL_CTL_ADD again: EEXIST
 *   EPOLL_CTL_DEL of A again: ENOENT
 *   EPOLL_CTL_MOD of A: ENOENT
 *   writer of B closed: 1 event: B2 EPOLLHUP=yes EPOLLIN=no
 *   writer of A closed, A not registered: 0
 *
 * An epoll_ctl error is -1 with errno on Linux; wasix-libc's epoll_ctl
 * returns the error number itself (a positive value), and both are taken.
 *
 * Pipe A's read end is registered for EPOLLIN with user data 0xA, B's with
 * 0xB; EPOLL_CTL_MOD changes B's to 0xB2. Waits that should find nothing
 * use a 50 ms timeout; the others 1000 ms (they return at once). Events
 * are named by their user data (A, B, B2), sorted.
 */
#include "wasix_test.h"

#include <stdint.h>
#include <sys/epoll.h>

#define DATA_A 0xAu
#define DATA_B 0xBu
#define DATA_B2 0xB2u

static const char *data_name(uint64_t d) {
  return d == DATA_A ? "A" : d == DATA_B ? "B" : d == DATA_B2 ? "B2" : "?";
}

static struct epoll_event events[8];

static int wait_for(int ep, int timeout) {
  memset(events, 0, sizeof events);
  int n = epoll_wait(ep, events, 8, timeout);
  CHECK(n >= 0, "epoll_wait");
  /* sort by user data */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && events[j - 1].data.u64 > events[j].data.u64; j--) {
      struct epoll_event tmp = events[j];
      events[j] = events[j - 1];
      events[j - 1] = tmp;
    }
  return n;
}

static void drain(int fd) {
  char buf[64];
  CHECK(read(fd, buf, sizeof buf) > 0, "drain");
}

static void reg(int ep, int op, int fd, uint64_t data) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = data;
  CHECK(epoll_ctl(ep, op, fd, &ev) == 0, "epoll_ctl(%d) %s", op, data_name(data));
}

static const char *ctl_error(int ep, int op, int fd) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  errno = 0;
  int r = epoll_ctl(ep, op, fd, &ev);
  return r == 0 ? "no error" : errname(r < 0 ? errno : r);
}

int main(void) {
  int a[2], b[2];
  CHECK(pipe(a) == 0 && pipe(b) == 0, "pipe");
  int ep = epoll_create1(0);
  CHECK(ep >= 0, "epoll_create1");
  reg(ep, EPOLL_CTL_ADD, a[0], DATA_A);
  reg(ep, EPOLL_CTL_ADD, b[0], DATA_B);

  printf("nothing ready: %d\n", wait_for(ep, 50));

  CHECK(write(b[1], "b", 1) == 1, "write B");
  int n = wait_for(ep, 1000);
  printf("after writing B: %d event%s", n, n == 1 ? "" : "s");
  for (int i = 0; i < n; i++)
    printf(": %s EPOLLIN=%s", data_name(events[i].data.u64), yesno(events[i].events & EPOLLIN));
  printf("\n");

  drain(b[0]);
  printf("after draining B: %d\n", wait_for(ep, 50));

  reg(ep, EPOLL_CTL_MOD, b[0], DATA_B2);
  CHECK(write(b[1], "b", 1) == 1, "write B");
  n = wait_for(ep, 1000);
  printf("after EPOLL_CTL_MOD of B: %d event%s", n, n == 1 ? "" : "s");
  for (int i = 0; i < n; i++)
    printf(": %s EPOLLIN=%s", data_name(events[i].data.u64), yesno(events[i].events & EPOLLIN));
  printf("\n");

  CHECK(write(a[1], "a", 1) == 1, "write A");
  n = wait_for(ep, 1000);
  printf("both written: %d events:", n);
  for (int i = 0; i < n; i++) printf(" %s", data_name(events[i].data.u64));
  printf("\n");

  reg(ep, EPOLL_CTL_DEL, a[0], 0);
  n = wait_for(ep, 1000);
  printf("after EPOLL_CTL_DEL of A: %d event%s:", n, n == 1 ? "" : "s");
  for (int i = 0; i < n; i++) printf(" %s", data_name(events[i].data.u64));
  printf("\n");

  printf("EPOLL_CTL_ADD again: %s\n", ctl_error(ep, EPOLL_CTL_ADD, b[0]));
  printf("EPOLL_CTL_DEL of A again: %s\n", ctl_error(ep, EPOLL_CTL_DEL, a[0]));
  printf("EPOLL_CTL_MOD of A: %s\n", ctl_error(ep, EPOLL_CTL_MOD, a[0]));

  drain(b[0]);
  close(b[1]);
  n = wait_for(ep, 1000);
  printf("writer of B closed: %d event%s", n, n == 1 ? "" : "s");
  for (int i = 0; i < n; i++)
    printf(": %s EPOLLHUP=%s EPOLLIN=%s", data_name(events[i].data.u64), yesno(events[i].events & EPOLLHUP),
           yesno(events[i].events & EPOLLIN));
  printf("\n");

  /* A still holds its byte and is no longer registered; B (registered, hung
   * up) is removed first so that only A could report. */
  reg(ep, EPOLL_CTL_DEL, b[0], 0);
  close(a[1]);
  printf("writer of A closed, A not registered: %d\n", wait_for(ep, 50));

  close(a[0]);
  close(b[0]);
  close(ep);
  return 0;
}
