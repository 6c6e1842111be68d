/*
 * proc_spawn, WASIX's older interface for starting a program (Rust's
 * std::process::Command in cargo-wasix binaries): arguments as lines, the
 * child's stdin and stdout on pipes the parent gets the other ends of, its
 * stderr inherited; then a program that does not exist. Built natively, the
 * same steps are posix_spawn with pipes.
 *
 * Usage: wasix_proc_spawn CHILD   (CHILD: the path of wasix_child)
 *
 * stdout (exit 0):
 *   spawned yes
 *   from child: child argv[0]=/sandbox/bin/child
 *   from child: child argv[1]=one
 *   from child: child argv[2]=two words
 *   from child: child CHILD_VAR=(unset)
 *   from child: child stdin: PIPED IN
 *   exit 7
 *   missing program: ENOENT
 *
 * The parent writes "piped in\n" to the child's stdin and closes it, reads
 * the child's stdout to end of file (each line printed with a prefix), and
 * waits for it (wasix_child exits with 7). CHILD is printed as given, so
 * the native run passes /sandbox/bin/child through a symbolic link.
 */
#include "wasix_test.h"

#include <sys/wait.h>
#ifdef __wasi__
#include <wasi/api_wasix.h>
#else
#include <spawn.h>
extern char **environ;
#endif

/** Starts `path` with arguments "one" and "two words", its stdin and stdout on pipes; 0 or an errno. */
static int start(const char *path, int *to_child, int *from_child, pid_t *pid) {
#ifdef __wasi__
  __wasi_process_handles_t h;
  __wasi_errno_t e = __wasi_proc_spawn(path, __WASI_BOOL_FALSE, "one\ntwo words\n", "", __WASI_STDIO_MODE_PIPED,
                                       __WASI_STDIO_MODE_PIPED, __WASI_STDIO_MODE_INHERIT, ".", &h);
  if (e != 0) return e;
  /* stdin, stdout and stderr after the pid (stdio.h's macros hide the field names). */
  const __wasi_option_fd_t *io = (const __wasi_option_fd_t *)((const char *)&h + sizeof h.pid);
  CHECK(io[0].tag == __WASI_OPTION_SOME && io[1].tag == __WASI_OPTION_SOME && io[2].tag == __WASI_OPTION_NONE, "handles");
  *to_child = (int)io[0].u.some;
  *from_child = (int)io[1].u.some;
  *pid = (pid_t)h.pid;
  return 0;
#else
  int in[2], out[2];
  CHECK(pipe(in) == 0 && pipe(out) == 0, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {(char *)path, "one", "two words", NULL};
  int e = posix_spawn(pid, path, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (e != 0) {
    close(in[1]);
    close(out[0]);
    return e;
  }
  *to_child = in[1];
  *from_child = out[0];
  return 0;
#endif
}

int main(int argc, char **argv) {
  CHECK(argc == 2, "usage: wasix_proc_spawn CHILD");
  int to_child, from_child;
  pid_t pid;
  int e = start(argv[1], &to_child, &from_child, &pid);
  CHECK(e == 0, "spawn: %s", errname(e));
  printf("spawned %s\n", yesno(pid > 0));
  CHECK(write(to_child, "piped in\n", 9) == 9, "write");
  close(to_child);
  char buf[1024];
  read_all(from_child, buf, sizeof buf);
  close(from_child);
  for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) printf("from child: %s\n", line);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  e = start("/sandbox/bin/no-such-program", &to_child, &from_child, &pid);
  printf("missing program: %s\n", errname(e));
  return 0;
}
