/*
 * WASIX eventfd: counter semantics, EFD_SEMAPHORE and EFD_NONBLOCK.
 *
 * stdout (exit 0):
 *   write 3, write 4, read 7
 *   counter reset: EAGAIN
 *   semaphore reads: 1 1 1
 *   semaphore empty: EAGAIN
 *   nonblock read on zero: EAGAIN
 *   initial value 5 read 5
 *   short read: EINVAL
 *
 * 1. A counter eventfd adds what is written (3 + 4) and a read returns the
 *    sum and resets it to 0 (seen through a non-blocking second eventfd read:
 *    the first one is switched to O_NONBLOCK with fcntl).
 * 2. An EFD_SEMAPHORE eventfd created with 3 returns 1 per read, three
 *    times, and then (EFD_NONBLOCK) EAGAIN.
 * 3. A read on an EFD_NONBLOCK eventfd at 0 fails with EAGAIN.
 * 4. The initial value counts; a read into fewer than 8 bytes is EINVAL.
 */
#include "wasix_test.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>

static void put(int fd, uint64_t v) {
  CHECK(write(fd, &v, sizeof v) == (ssize_t)sizeof v, "eventfd write %llu", (unsigned long long)v);
}

/** Reads the counter; -1 with errno set when the read fails. */
static long long take(int fd) {
  uint64_t v = 0;
  ssize_t n = read(fd, &v, sizeof v);
  if (n < 0) return -1;
  CHECK(n == (ssize_t)sizeof v, "eventfd read size %d", (int)n);
  return (long long)v;
}

int main(void) {
  int fd = eventfd(0, 0);
  CHECK(fd >= 0, "eventfd(0, 0)");
  put(fd, 3);
  put(fd, 4);
  printf("write 3, write 4, read %lld\n", take(fd));
  int fl = fcntl(fd, F_GETFL);
  CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK");
  errno = 0;
  long long again = take(fd);
  printf("counter reset: %s\n", again < 0 ? errname(errno) : "read a value");
  close(fd);

  fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
  CHECK(fd >= 0, "eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK)");
  long long a = take(fd), b = take(fd), c = take(fd);
  printf("semaphore reads: %lld %lld %lld\n", a, b, c);
  errno = 0;
  again = take(fd);
  printf("semaphore empty: %s\n", again < 0 ? errname(errno) : "read a value");
  close(fd);

  fd = eventfd(0, EFD_NONBLOCK);
  CHECK(fd >= 0, "eventfd(0, EFD_NONBLOCK)");
  errno = 0;
  again = take(fd);
  printf("nonblock read on zero: %s\n", again < 0 ? errname(errno) : "read a value");
  close(fd);

  fd = eventfd(5, EFD_NONBLOCK);
  CHECK(fd >= 0, "eventfd(5, EFD_NONBLOCK)");
  char small[4];
  errno = 0;
  ssize_t n = read(fd, small, sizeof small);
  long long v = take(fd);
  printf("initial value 5 read %lld\n", v);
  printf("short read: %s\n", n < 0 ? errname(errno) : "read bytes");
  close(fd);
  return 0;
}
