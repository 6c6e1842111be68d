/*
 * WASIX terminals: isatty on the standard descriptors and, when stdout is a
 * terminal, termios (ECHO off and back on) and the window size.
 *
 * stdout (exit 0), with no terminal (stdin, stdout and stderr pipes or files):
 *   isatty 0 no
 *   isatty 1 no
 *   isatty 2 no
 *   stdout not a terminal: tcgetattr ENOTTY
 *   no terminal: open /dev/tty ENXIO
 * (natively, run without a controlling terminal: setsid); with stdout a
 * terminal (whatever stdin and stderr are: lines 1 and 3 follow them; Kiln
 * gives a /dev/tty where stdin and stdout both are one):
 *   isatty 0 yes
 *   isatty 1 yes
 *   isatty 2 yes
 *   written to /dev/tty
 *   /dev/tty isatty yes
 *   tcgetattr ok
 *   ECHO off after tcsetattr yes
 *   ECHO back on after tcsetattr yes
 *   window size rows>0 yes cols>0 yes
 * (test/programs/wasix/wasix_tty.tty.expected: all three a terminal.)
 * The terminal's settings are restored before the program ends.
 *
 * With the argument `leave-echo-off` (stdout a terminal), it turns ECHO off,
 * prints `echo left off` and exits with 3 without restoring anything: the
 * runtime must put the terminal back as it found it.
 */
#include "wasix_test.h"

#include <fcntl.h>
#include <string.h>

#include <sys/ioctl.h>
#include <termios.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "leave-echo-off") == 0) {
    struct termios off;
    CHECK(tcgetattr(1, &off) == 0, "tcgetattr");
    off.c_lflag &= ~(tcflag_t)ECHO;
    CHECK(tcsetattr(1, TCSANOW, &off) == 0, "tcsetattr");
    printf("echo left off\n");
    fflush(stdout);
    _exit(3);
  }
  for (int fd = 0; fd < 3; fd++) printf("isatty %d %s\n", fd, yesno(isatty(fd)));
  fflush(stdout);
  struct termios saved, t;
  if (!isatty(1)) {
    errno = 0;
    int r = tcgetattr(1, &saved);
    printf("stdout not a terminal: tcgetattr %s\n", r < 0 ? errname(errno) : "succeeded");
    int tty = open("/dev/tty", O_RDWR);
    printf("no terminal: open /dev/tty %s\n", tty < 0 ? errname(errno) : "succeeded");
    return 0;
  }
  int tty = open("/dev/tty", O_RDWR);
  CHECK(tty >= 0, "open /dev/tty");
  const char *line = "written to /dev/tty\n";
  CHECK(write(tty, line, strlen(line)) == (ssize_t)strlen(line), "write /dev/tty");
  printf("/dev/tty isatty %s\n", yesno(isatty(tty)));
  close(tty);
  CHECK(tcgetattr(1, &saved) == 0, "tcgetattr");
  printf("tcgetattr ok\n");
  fflush(stdout);
  t = saved;
  t.c_lflag &= ~(tcflag_t)ECHO;
  CHECK(tcsetattr(1, TCSANOW, &t) == 0, "tcsetattr ECHO off");
  CHECK(tcgetattr(1, &t) == 0, "tcgetattr");
  int off = !(t.c_lflag & ECHO);
  t.c_lflag |= ECHO;
  CHECK(tcsetattr(1, TCSANOW, &t) == 0, "tcsetattr ECHO on");
  CHECK(tcgetattr(1, &t) == 0, "tcgetattr");
  int on = (t.c_lflag & ECHO) != 0;
  CHECK(tcsetattr(1, TCSANOW, &saved) == 0, "tcsetattr restore");
  printf("ECHO off after tcsetattr %s\n", yesno(off));
  printf("ECHO back on after tcsetattr %s\n", yesno(on));
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0, "ioctl TIOCGWINSZ");
  printf("window size rows>0 %s cols>0 %s\n", yesno(ws.ws_row > 0), yesno(ws.ws_col > 0));
  return 0;
}
