/*
 * WASIX setjmp/longjmp: jumps back across function frames, with the value
 * passed (0 becomes 1), volatile locals kept, out of a recursion,
 * repeatedly to the same jmp_buf, and in a forked child to a jmp_buf the
 * parent filled before the fork (as Wasmer allows).
 *
 * stdout (exit 0):
 *   setjmp returned 0 first
 *   longjmp across 2 frames: setjmp returned 42
 *   volatile local kept 7 yes
 *   longjmp(env, 0): setjmp returned 1
 *   longjmp out of a recursion 10 deep: setjmp returned 10, depth reached 10
 *   5 jumps to one jmp_buf: count=5
 *   sigsetjmp/siglongjmp: returned 3
 *   longjmp in a forked child to the parent's setjmp: child exit 9
 */
#include "wasix_test.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

#if defined(__wasi__) && !defined(__wasm_exception_handling__)
/* wasix-libc's setjmp.h (asyncify build) defines sigjmp_buf but does not
 * declare these two, which libc.a has (sigsetjmp ignores the signal mask). */
int sigsetjmp(sigjmp_buf, int);
_Noreturn void siglongjmp(sigjmp_buf, int);
#endif

static jmp_buf env;
static volatile int depth_reached;

__attribute__((noinline)) static void inner(int value) { longjmp(env, value); }

__attribute__((noinline)) static void outer(int value) {
  inner(value);
  printf("not reached\n");
}

__attribute__((noinline)) static void recurse(int depth) {
  depth_reached = depth;
  if (depth >= 10) longjmp(env, depth);
  if (depth < 10) recurse(depth + 1);
  printf("not reached\n");
}

int main(void) {
  volatile int local = 0;
  int r = setjmp(env);
  if (r == 0) {
    printf("setjmp returned 0 first\n");
    local = 7;
    outer(42);
  }
  printf("longjmp across 2 frames: setjmp returned %d\n", r);
  printf("volatile local kept 7 %s\n", yesno(local == 7));

  r = setjmp(env);
  if (r == 0) outer(0);
  printf("longjmp(env, 0): setjmp returned %d\n", r);

  r = setjmp(env);
  if (r == 0) recurse(1);
  printf("longjmp out of a recursion 10 deep: setjmp returned %d, depth reached %d\n", r, depth_reached);

  volatile int count = 0;
  r = setjmp(env);
  if (count < 5) {
    count++;
    inner(count);
  }
  printf("5 jumps to one jmp_buf: count=%d\n", count);

  static sigjmp_buf senv;
  r = sigsetjmp(senv, 1);
  if (r == 0) siglongjmp(senv, 3);
  printf("sigsetjmp/siglongjmp: returned %d\n", r);

  /* A forked child longjmps to a jmp_buf its parent filled before the fork. */
  static jmp_buf before_fork;
  r = setjmp(before_fork);
  if (r != 0) _exit(r); /* the child, back from its longjmp */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) longjmp(before_fork, 9);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("longjmp in a forked child to the parent's setjmp: child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
