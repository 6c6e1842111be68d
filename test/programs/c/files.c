/* files: open flags, read/write/pread/pwrite, lseek, ftruncate, fstat, sync,
 * fallocate/fadvise, fcntl flags, timestamps, and the errno of misuse. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

/* Prints a buffer with \n and non-printables escaped. */
static void show(const char *label, const char *buf, long n) {
  printf("%s: %ld \"", label, n);
  for (long i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == '\n') printf("\\n");
    else if (c < 32 || c > 126) printf("\\x%02x", c);
    else putchar(c);
  }
  printf("\"\n");
}

static void show_file(const char *label, const char *path) {
  char buf[256];
  long n = read_file(path, buf, sizeof buf);
  if (n < 0) print_err(label, errno);
  else show(label, buf, n);
}

static void show_fl(const char *label, int fd) {
  errno = 0;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) { print_err(label, errno); return; }
  int acc = fl & O_ACCMODE;
  printf("%s: %s%s%s\n", label,
         acc == O_RDWR ? "RDWR" : acc == O_WRONLY ? "WRONLY" : acc == O_RDONLY ? "RDONLY" : "?",
         (fl & O_APPEND) ? "|APPEND" : "", (fl & O_NONBLOCK) ? "|NONBLOCK" : "");
}

static void show_size(const char *label, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) print_err(label, errno);
  else printf("%s: size=%lld regular=%s nlink=%lu\n", label, (long long)st.st_size,
              S_ISREG(st.st_mode) ? "yes" : "no", (unsigned long)st.st_nlink);
}

static void show_times(const char *label, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) { print_err(label, errno); return; }
  printf("%s: atime=%lld.%09ld mtime=%lld.%09ld\n", label, (long long)st.st_atim.tv_sec,
         st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(int argc, char **argv) {
  enter_sandbox(argc, argv);
  char buf[256];

  /* --- creation and open errors --- */
  int fd = open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK("open O_CREAT|O_EXCL new", fd);
  CHECKV("write", write(fd, "hello world\n", 12));
  CHECKV("lseek SEEK_CUR after write", lseek(fd, 0, SEEK_CUR));
  CHECK("open O_CREAT|O_EXCL existing", open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644));
  CHECK("open missing", open("missing.txt", O_RDONLY));
  CHECK("open O_CREAT in missing dir", open("nodir/x.txt", O_WRONLY | O_CREAT, 0644));
  CHECK("open file as O_DIRECTORY", open("data.txt", O_RDONLY | O_DIRECTORY));
  CHECK("open O_CREAT under a file", open("data.txt/x", O_WRONLY | O_CREAT, 0644));

  /* --- pread/pwrite do not move the position --- */
  CHECKV("pwrite at 6", pwrite(fd, "WORLD", 5, 6));
  CHECKV("lseek SEEK_CUR after pwrite", lseek(fd, 0, SEEK_CUR));
  long n = pread(fd, buf, sizeof buf, 0);
  show("pread at 0", buf, n);
  n = pread(fd, buf, 4, 8);
  show("pread 4 at 8", buf, n);
  CHECKV("pread past EOF", pread(fd, buf, sizeof buf, 100));

  /* --- lseek --- */
  CHECKV("lseek SEEK_SET 0", lseek(fd, 0, SEEK_SET));
  n = read(fd, buf, 5);
  show("read 5", buf, n);
  CHECKV("lseek SEEK_CUR +1", lseek(fd, 1, SEEK_CUR));
  n = read(fd, buf, 5);
  show("read 5 more", buf, n);
  CHECKV("lseek SEEK_END -1", lseek(fd, -1, SEEK_END));
  n = read(fd, buf, sizeof buf);
  show("read to end", buf, n);
  CHECKV("read at EOF", read(fd, buf, sizeof buf));
  CHECK("lseek SEEK_SET -1", lseek(fd, -1, SEEK_SET));
  CHECK("lseek SEEK_CUR -100", lseek(fd, -100, SEEK_CUR));
  CHECK("lseek SEEK_END -13", lseek(fd, -13, SEEK_END));
  CHECK("lseek bad whence", lseek(fd, 0, 42));
  CHECKV("position unchanged after failed seeks", lseek(fd, 0, SEEK_CUR));
  CHECKV("lseek SEEK_END +4", lseek(fd, 4, SEEK_END));
  CHECKV("write after hole", write(fd, "!", 1));
  show_size("fstat after hole", fd);
  n = pread(fd, buf, sizeof buf, 10);
  show("pread hole", buf, n);

  /* --- 64-bit offsets (sparse) --- */
  CHECKV("pwrite at 5 GiB", pwrite(fd, "Z", 1, 5LL << 30));
  show_size("fstat 5 GiB", fd);
  n = pread(fd, buf, 4, (5LL << 30) - 2);
  show("pread around 5 GiB", buf, n);
  CHECKV("lseek SEEK_END 0 (64-bit)", lseek(fd, 0, SEEK_END));

  /* --- ftruncate --- */
  CHECK("ftruncate 5", ftruncate(fd, 5));
  show_size("fstat after ftruncate 5", fd);
  CHECK("ftruncate 100", ftruncate(fd, 100));
  show_size("fstat after ftruncate 100", fd);
  n = pread(fd, buf, 8, 2);
  show("pread after extend", buf, n);
  CHECK("ftruncate -1", ftruncate(fd, -1));

  /* --- sync, allocate, advise --- */
  CHECK("fsync", fsync(fd));
  CHECK("fdatasync", fdatasync(fd));
  WASI("posix_fallocate 0+4096", posix_fallocate(fd, 0, 4096));
  show_size("fstat after fallocate", fd);
  WASI("posix_fallocate within size", posix_fallocate(fd, 0, 10));
  show_size("fstat after small fallocate", fd);
  WASI("posix_fadvise SEQUENTIAL", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
  WASI("posix_fadvise DONTNEED", posix_fadvise(fd, 0, 100, POSIX_FADV_DONTNEED));
  WASI("posix_fadvise bad advice", posix_fadvise(fd, 0, 0, 99));
  CHECK("close", close(fd));
  CHECK("close again", close(fd));
  CHECK("read closed fd", read(fd, buf, 1));

  /* --- O_TRUNC --- */
  fd = open("data.txt", O_WRONLY | O_TRUNC);
  CHECK("open O_TRUNC", fd);
  show_size("fstat after O_TRUNC", fd);
  CHECK("read on O_WRONLY fd", read(fd, buf, 1));
  show_fl("F_GETFL write-only", fd);
  close(fd);

  /* --- O_APPEND --- */
  write_file("log.txt", "one\n");
  fd = open("log.txt", O_WRONLY | O_APPEND);
  CHECK("open O_APPEND", fd);
  CHECKV("lseek SEEK_SET 0 on append fd", lseek(fd, 0, SEEK_SET));
  CHECKV("append write", write(fd, "two\n", 4));
  CHECKV("position after append write", lseek(fd, 0, SEEK_CUR));
  show_fl("F_GETFL append", fd);
  close(fd);
  show_file("log after append", "log.txt");

  /* --- fcntl F_GETFL / F_SETFL --- */
  fd = open("log.txt", O_RDWR);
  show_fl("F_GETFL rdwr", fd);
  CHECK("F_SETFL APPEND|NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
  show_fl("F_GETFL after F_SETFL", fd);
  CHECKV("lseek SEEK_SET 0", lseek(fd, 0, SEEK_SET));
  CHECKV("write with F_SETFL APPEND", write(fd, "three\n", 6));
  CHECK("F_SETFL 0", fcntl(fd, F_SETFL, 0));
  show_fl("F_GETFL after clearing", fd);
  CHECKV("lseek SEEK_SET 0 again", lseek(fd, 0, SEEK_SET));
  CHECKV("overwrite at 0", write(fd, "ONE", 3));
  close(fd);
  show_file("log after fcntl", "log.txt");

  /* --- read-only fd --- */
  fd = open("log.txt", O_RDONLY);
  show_fl("F_GETFL read-only", fd);
  CHECK("write on O_RDONLY fd", write(fd, "x", 1));
  CHECK("pwrite on O_RDONLY fd", pwrite(fd, "x", 1, 0));
  n = read(fd, buf, 3);
  show("read on O_RDONLY fd", buf, n);
  close(fd);

  /* --- timestamps --- */
  /* Fractions that are exact in binary: a host that goes through
   * floating-point seconds (like Node's fs.futimes) can still be exact. */
  struct timespec ts[2] = {{1000000000, 500000000}, {1200000000, 250000000}};
  CHECK("utimensat explicit", utimensat(AT_FDCWD, "log.txt", ts, 0));
  show_times("stat after utimensat", "log.txt");
  fd = open("log.txt", O_RDWR);
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {1300000000, 750000000}};
  CHECK("futimens omit atime", futimens(fd, ts2));
  show_times("stat after futimens", "log.txt");
  struct timespec before, after;
  clock_gettime(CLOCK_REALTIME, &before);
  /* (wasi-libc's futimens rejects {UTIME_OMIT, UTIME_NOW} itself, so go raw.) */
  WASI("fd_filestat_set_times MTIM_NOW",
       __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  clock_gettime(CLOCK_REALTIME, &after);
  struct stat st;
  fstat(fd, &st);
  printf("mtime now within call window: %s\n",
         (st.st_mtim.tv_sec >= before.tv_sec - 1 && st.st_mtim.tv_sec <= after.tv_sec + 1) ? "yes" : "no");
  printf("atime still omitted: %s\n", st.st_atim.tv_sec == 1000000000 ? "yes" : "no");
  WASI("fd_filestat_set_times ATIM and ATIM_NOW together",
       __wasi_fd_filestat_set_times(fd, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  /* (This wasi-libc's futimens(fd, NULL) sets both times to 0, so go raw.) */
  WASI("fd_filestat_set_times ATIM_NOW|MTIM_NOW",
       __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
  fstat(fd, &st);
  printf("atime now within call window: %s\n",
         (st.st_atim.tv_sec >= before.tv_sec - 1 && st.st_atim.tv_sec <= after.tv_sec + 5) ? "yes" : "no");
  close(fd);
  CHECK("utimensat missing", utimensat(AT_FDCWD, "missing.txt", ts, 0));

  /* --- directories as files --- */
  MUST(mkdir("d", 0755));
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  CHECK("open dir O_DIRECTORY", dfd);
  CHECK("read on directory fd", read(dfd, buf, sizeof buf));
  close(dfd);
  CHECK("open dir O_WRONLY", open("d", O_WRONLY));
  CHECK("open dir O_RDONLY (no O_DIRECTORY)", (dfd = open("d", O_RDONLY)));
  if (dfd >= 0) close(dfd);

  /* --- unlink --- */
  CHECK("unlink data.txt", unlink("data.txt"));
  CHECK("open after unlink", open("data.txt", O_RDONLY));
  CHECK("unlink missing", unlink("data.txt"));
  printf("done\n");
  return 0;
}
