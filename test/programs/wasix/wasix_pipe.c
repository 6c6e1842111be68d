/*
 * WASIX pipes: a pipe between two threads, dup/dup2 of stdout onto a pipe
 * and back, FD_CLOEXEC through fcntl, and end-of-file once the writer is
 * closed.
 *
 * stdout (exit 0):
 *   thread wrote 2 chunks
 *   read: first chunk|second chunk
 *   eof after writer closed: read=0
 *   dup of stdout >2 yes
 *   through the pipe: line written to fd 1
 *   stdout restored yes
 *   FD_CLOEXEC initially no
 *   FD_CLOEXEC after F_SETFD yes
 *   dup clears FD_CLOEXEC yes
 *   write end closed, read=0
 *   read end closed: EBADF
 *   two-way: p[1] read 4 bytes: back
 *   two-way: p[0] read 5 bytes: forth
 *   two-way: p[0] closed, p[1] reads 0
 *
 * 1. A thread writes two chunks into a pipe and closes the write end; main
 *    reads until end of file (read returns 0) and prints what it got.
 * 2. fd 1 is saved with dup, replaced with a pipe's write end (dup2), a line
 *    is printed to stdout, and fd 1 is restored (dup2 of the saved copy); the
 *    line is then read back from the pipe and printed with a prefix.
 * 3. fcntl(F_GETFD/F_SETFD) sets FD_CLOEXEC on a pipe end; a dup of a
 *    close-on-exec descriptor is not close-on-exec. (Clearing the flag with
 *    F_SETFD is not checked: wasix-libc's F_SETFD always sets it.)
 * 4. With its write end closed, reading a pipe returns 0; a closed
 *    descriptor gives EBADF.
 * 5. WASIX pipes are two-way (the witx: "Pipes are bidirectional"; Wasmer
 *    makes them so): what is written to either end is read from the other,
 *    and closing one end is end of file at the other.
 */
#include "wasix_test.h"

#include <fcntl.h>
#include <pthread.h>

static const char *chunks[] = {"first chunk", "|second chunk"};

static void *writer(void *arg) {
  int fd = *(int *)arg;
  intptr_t n = 0;
  for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
    size_t len = strlen(chunks[i]);
    if (write(fd, chunks[i], len) == (ssize_t)len) n++;
    usleep(10000);
  }
  close(fd);
  return (void *)n;
}

int main(void) {
  char buf[256];
  int p[2];

  /* 1. thread to main */
  CHECK(pipe(p) == 0, "pipe");
  pthread_t t;
  CHECK(pthread_create(&t, NULL, writer, &p[1]) == 0, "pthread_create");
  read_all(p[0], buf, sizeof buf);
  void *wrote = NULL;
  CHECK(pthread_join(t, &wrote) == 0, "pthread_join");
  printf("thread wrote %d chunks\n", (int)(intptr_t)wrote);
  printf("read: %s\n", buf);
  printf("eof after writer closed: read=%d\n", (int)read(p[0], buf, sizeof buf));
  close(p[0]);

  /* 2. stdout through a pipe */
  CHECK(pipe(p) == 0, "pipe");
  fflush(stdout);
  int saved = dup(1);
  CHECK(saved >= 0, "dup(1)");
  printf("dup of stdout >2 %s\n", yesno(saved > 2));
  fflush(stdout);
  CHECK(dup2(p[1], 1) == 1, "dup2(pipe, 1)");
  printf("line written to fd 1\n");
  fflush(stdout);
  CHECK(dup2(saved, 1) == 1, "dup2(saved, 1)");
  close(saved);
  close(p[1]);
  read_all(p[0], buf, sizeof buf);
  close(p[0]);
  size_t len = strlen(buf);
  if (len > 0 && buf[len - 1] == '\n') buf[len - 1] = 0;
  printf("through the pipe: %s\n", buf);
  printf("stdout restored yes\n");

  /* 3. FD_CLOEXEC */
  CHECK(pipe(p) == 0, "pipe");
  int flags = fcntl(p[0], F_GETFD);
  CHECK(flags >= 0, "F_GETFD");
  printf("FD_CLOEXEC initially %s\n", yesno(flags & FD_CLOEXEC));
  CHECK(fcntl(p[0], F_SETFD, flags | FD_CLOEXEC) == 0, "F_SETFD FD_CLOEXEC");
  flags = fcntl(p[0], F_GETFD);
  printf("FD_CLOEXEC after F_SETFD %s\n", yesno(flags >= 0 && (flags & FD_CLOEXEC)));
  int copy = dup(p[0]);
  CHECK(copy >= 0, "dup");
  int copy_flags = fcntl(copy, F_GETFD);
  printf("dup clears FD_CLOEXEC %s\n", yesno(copy_flags >= 0 && !(copy_flags & FD_CLOEXEC)));
  close(copy);

  /* 4. end of file, closed descriptor */
  close(p[1]);
  printf("write end closed, read=%d\n", (int)read(p[0], buf, sizeof buf));
  close(p[0]);
  errno = 0;
  ssize_t r = read(p[0], buf, sizeof buf);
  printf("read end closed: %s\n", r < 0 ? errname(errno) : "no error");

  /* 5. two-way: each end reads what the other writes */
  CHECK(pipe(p) == 0, "pipe");
  CHECK(write(p[0], "back", 4) == 4, "write to p[0]");
  CHECK(write(p[1], "forth", 5) == 5, "write to p[1]");
  memset(buf, 0, sizeof buf);
  ssize_t got1 = read(p[1], buf, sizeof buf - 1);
  printf("two-way: p[1] read %d bytes: %s\n", (int)got1, buf);
  memset(buf, 0, sizeof buf);
  ssize_t got0 = read(p[0], buf, sizeof buf - 1);
  printf("two-way: p[0] read %d bytes: %s\n", (int)got0, buf);
  close(p[0]);
  printf("two-way: p[0] closed, p[1] reads %d\n", (int)read(p[1], buf, sizeof buf));
  close(p[1]);
  return 0;
}
