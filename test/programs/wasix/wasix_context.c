/*
 * WASIX contexts (wasix/context.h): call stacks of their own on one
 * thread, switched by the program.
 *
 * stdout (exit 0), where contexts are available:
 *   created two contexts: distinct, not main
 *   ping 0
 *   pong 1
 *   ping 2
 *   pong 3
 *   ping 4
 *   pong 5
 *   ping 6
 *   main: back, counter 7
 *   switch to itself: 0
 *   destroy main: EINVAL
 *   switch to an unknown context: EINVAL
 *   create with a non-function: EINVAL
 *   create with a function that takes arguments: EINVAL
 *   destroy pong: 0
 *   switch to a destroyed context: EINVAL
 *   destroy it again: 0
 *   ping 7
 *   main: counter 8
 *   thread: its own main context, a context in it ran: yes
 *
 * Where they are not (an engine without stack switching), the first line
 * is "contexts: not supported (ENOTSUP)" and the program exits 0.
 *
 * With the argument "return", a context's entrypoint returns, which ends
 * the context and resumes main with a trap (the program traps). With
 * "exit", a context calls exit(3): the process ends with status 3.
 *
 * 1. Two contexts take turns (ping, pong) through a shared counter until
 *    ping hands control back to main; the stacks of both stay suspended
 *    where they switched.
 * 2. The errors of the API: main cannot be destroyed, an unknown or
 *    destroyed context cannot be resumed, an entrypoint must be a function
 *    of no arguments; destroying a deleted context does nothing.
 * 3. ping resumes where it left off (its loop), once more.
 * 4. A second thread has a context-switching environment of its own.
 *
 * The contexts' functions keep nothing on the shadow stack while they are
 * suspended (the host does not give a context a stack of its own; a
 * program that needs one sets its stack pointer itself, as with Wasmer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasix/context.h>

static wasix_context_id_t ping_id, pong_id;
static int counter;

static void pong(void) {
  for (;;) {
    printf("pong %d\n", counter++);
    wasix_context_switch(ping_id);
  }
}

static void ping(void) {
  for (;;) {
    printf("ping %d\n", counter++);
    wasix_context_switch(counter >= 6 ? wasix_context_main : pong_id);
  }
}

static void returns(void) {
  printf("the entrypoint returns\n");
}

static void exits(void) {
  printf("exit(3) in a context\n");
  exit(3);
}

static void takes_argument(int x) {
  printf("never %d\n", x);
}

static const char *errno_name(int result) {
  if (result == 0) return "0";
  return errno == EINVAL ? "EINVAL" : errno == ENOTSUP ? "ENOTSUP" : strerror(errno);
}

static wasix_context_id_t thread_main_id, thread_ctx_id;
static int thread_ctx_ran;

static void in_thread_context(void) {
  thread_ctx_ran = 1;
  wasix_context_switch(thread_main_id);
}

static void *thread_body(void *arg) {
  (void)arg;
  thread_main_id = wasix_context_main;
  if (wasix_context_create(&thread_ctx_id, in_thread_context) != 0) return (void *)1;
  if (wasix_context_switch(thread_ctx_id) != 0) return (void *)2;
  return thread_ctx_ran ? (void *)0 : (void *)3;
}

int main(int argc, char **argv) {
  if (argc > 1) { /* "return" or "exit": a context that ends */
    wasix_context_id_t id;
    if (wasix_context_create(&id, strcmp(argv[1], "exit") == 0 ? exits : returns) != 0) return 2;
    wasix_context_switch(id);
    printf("main resumed\n");
    return 1;
  }
  if (wasix_context_create(&ping_id, ping) != 0) {
    int error = errno;
    printf("contexts: not supported (%s)\n", errno_name(-1));
    return error == ENOTSUP ? 0 : 1;
  }
  if (wasix_context_create(&pong_id, pong) != 0) return 1;
  printf("created two contexts: %s\n",
         ping_id != pong_id && ping_id != wasix_context_main && pong_id != wasix_context_main ? "distinct, not main" : "SAME");
  fflush(stdout);
  wasix_context_switch(ping_id);
  printf("main: back, counter %d\n", counter);
  printf("switch to itself: %s\n", errno_name(wasix_context_switch(wasix_context_main)));
  printf("destroy main: %s\n", errno_name(wasix_context_destroy(wasix_context_main)));
  printf("switch to an unknown context: %s\n", errno_name(wasix_context_switch(99)));
  wasix_context_id_t bad;
  printf("create with a non-function: %s\n", errno_name(wasix_context_create(&bad, (void (*)(void))(unsigned long)100000)));
  printf("create with a function that takes arguments: %s\n",
         errno_name(wasix_context_create(&bad, (void (*)(void))(void *)takes_argument)));
  printf("destroy pong: %s\n", errno_name(wasix_context_destroy(pong_id)));
  printf("switch to a destroyed context: %s\n", errno_name(wasix_context_switch(pong_id)));
  printf("destroy it again: %s\n", errno_name(wasix_context_destroy(pong_id)));
  wasix_context_switch(ping_id);
  printf("main: counter %d\n", counter);
  pthread_t thread;
  void *result = (void *)9;
  if (pthread_create(&thread, NULL, thread_body, NULL) != 0 || pthread_join(thread, &result) != 0) return 1;
  printf("thread: its own main context, a context in it ran: %s\n", result == (void *)0 ? "yes" : "no");
  return 0;
}
