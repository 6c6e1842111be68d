/* proc: exit codes, return from main, proc_raise, sched_yield.
 * usage: proc MODE  (exit0 | exit3 | exit255 | ret7 | exit-flushes |
 *                    _exit-no-flush | raise | raise-ignored | yield) */
#include "guest.h"
#include <sched.h>

/* wasi-libc does not declare proc_raise (it is deprecated), import it. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
uint16_t raw_proc_raise(uint8_t sig);

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "exit0")) { puts("exit(0)"); exit(0); }
  if (!strcmp(mode, "exit3")) { puts("exit(3)"); exit(3); }
  if (!strcmp(mode, "exit255")) { puts("exit(255)"); exit(255); }
  if (!strcmp(mode, "ret7")) { puts("return 7"); return 7; }
  if (!strcmp(mode, "exit-flushes")) {
    /* No newline and no fflush: exit() must flush stdio buffers. */
    printf("buffered, no newline");
    fprintf(stderr, "to stderr, no newline");
    exit(5);
  }
  if (!strcmp(mode, "_exit-no-flush")) {
    /* wasi-libc's stdout starts line-buffered and switches to full
     * buffering on its first flush when fd 1 is not a terminal (here: a
     * pipe). So the first line is written, the second stays in the buffer,
     * and _Exit does not flush it. */
    printf("first line\n");
    printf("second line, lost\n");
    if (write(2, "raw write shown\n", 16) != 16) return 1;
    _Exit(6);
  }
  if (!strcmp(mode, "raise")) {
    /* WASI signal 15 is SIGTERM, whose default action ends the process
     * (status 128 + 15). wasmtime instead answers ENOTSUP (58). */
    print_err("proc_raise(SIGTERM)", raw_proc_raise(15));
    puts("still running");
    return 0;
  }
  if (!strcmp(mode, "raise-ignored")) {
    /* WASI signal 27 is SIGWINCH, ignored by default. */
    print_err("proc_raise(SIGWINCH)", raw_proc_raise(27));
    puts("still running");
    return 0;
  }
  if (!strcmp(mode, "yield")) {
    CHECKV("sched_yield", sched_yield());
    WASI("raw sched_yield", __wasi_sched_yield());
    return 0;
  }
  fprintf(stderr, "unknown mode '%s'\n", mode);
  return 2;
}
