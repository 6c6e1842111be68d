/*
 * WASIX signals: sigaction and signal handlers, raise, kill to the process
 * itself, SIGPIPE ignored (EPIPE instead), and an interval timer.
 *
 * stdout (exit 0):
 *   SIGUSR1 handled yes (signo matches yes)
 *   SIGUSR2 handled yes
 *   previous SIGUSR2 disposition was SIG_DFL yes
 *   write to pipe without reader: EPIPE
 *   setitimer(50 ms, every 50 ms) returned 0
 *   SIGALRM fired yes
 *   timer cancelled, SIGALRM not fired since yes
 *   a thread waiting on a condition variable ran its SIGUSR1 handler yes
 *   it then woke for the condition yes
 *
 * raise(SIGUSR1) runs its sigaction handler before raise returns; the
 * handlers for kill(getpid(), SIGUSR2) and SIGALRM are waited for in a
 * sleep loop (at most 5 s; the process has no pause()). The timer is a
 * repeating setitimer: wasix-libc's setitimer() hands the kernel only
 * it_interval (proc_raise_interval), so its alarm() never fires. Last, a
 * thread blocked in pthread_cond_wait (a futex wait) gets SIGUSR1 from
 * pthread_kill: its handler runs on that thread while it waits (the wait
 * may end early, so it waits in a loop), then the condition is signalled.
 */
#include "wasix_test.h"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t usr1_signo, usr2_count, alarm_count;

static void on_usr1(int signo) { usr1_signo = signo; }
static void on_usr2(int signo) { (void)signo; usr2_count++; }
static void on_alarm(int signo) { (void)signo; alarm_count++; }

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready, waiting;
static pthread_t waiter_thread;
static volatile sig_atomic_t handled_in_waiter;

static void on_usr1_in_waiter(int signo) {
  (void)signo;
  if (pthread_equal(pthread_self(), waiter_thread)) handled_in_waiter = 1;
}

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  waiting = 1;
  while (!ready) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  return (void *)1;
}

/** Sleeps in 10 ms steps until *flag is set or `ms` have passed. */
static void wait_flag(volatile sig_atomic_t *flag, int ms) {
  for (int waited = 0; !*flag && waited < ms; waited += 10) usleep(10000);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1");
  CHECK(raise(SIGUSR1) == 0, "raise SIGUSR1");
  printf("SIGUSR1 handled %s (signo matches %s)\n", yesno(usr1_signo != 0), yesno(usr1_signo == SIGUSR1));

  void (*previous)(int) = signal(SIGUSR2, on_usr2);
  CHECK(previous != SIG_ERR, "signal SIGUSR2");
  CHECK(kill(getpid(), SIGUSR2) == 0, "kill SIGUSR2");
  wait_flag(&usr2_count, 5000);
  printf("SIGUSR2 handled %s\n", yesno(usr2_count == 1));
  printf("previous SIGUSR2 disposition was SIG_DFL %s\n", yesno(previous == SIG_DFL));

  CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal SIGPIPE");
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  close(p[0]);
  errno = 0;
  ssize_t n = write(p[1], "x", 1);
  printf("write to pipe without reader: %s\n", n < 0 ? errname(errno) : "no error");
  close(p[1]);

  CHECK(signal(SIGALRM, on_alarm) != SIG_ERR, "signal SIGALRM");
  struct itimerval every = { .it_interval = { 0, 50000 }, .it_value = { 0, 50000 } };
  printf("setitimer(50 ms, every 50 ms) returned %d\n", setitimer(ITIMER_REAL, &every, NULL));
  wait_flag(&alarm_count, 5000);
  printf("SIGALRM fired %s\n", yesno(alarm_count >= 1));

  struct itimerval off = { { 0, 0 }, { 0, 0 } };
  CHECK(setitimer(ITIMER_REAL, &off, NULL) == 0, "setitimer off");
  usleep(20000); /* a signal already on its way is handled at the next call */
  alarm_count = 0;
  usleep(200000);
  printf("timer cancelled, SIGALRM not fired since %s\n", yesno(alarm_count == 0));

  CHECK(signal(SIGUSR1, on_usr1_in_waiter) != SIG_ERR, "signal SIGUSR1");
  CHECK(pthread_create(&waiter_thread, NULL, waiter, NULL) == 0, "pthread_create");
  for (int i = 0; i < 500; i++) {
    pthread_mutex_lock(&lock);
    int w = waiting;
    pthread_mutex_unlock(&lock);
    if (w) break;
    usleep(10000);
  }
  usleep(50000); /* the thread is inside pthread_cond_wait */
  CHECK(pthread_kill(waiter_thread, SIGUSR1) == 0, "pthread_kill");
  wait_flag(&handled_in_waiter, 5000);
  printf("a thread waiting on a condition variable ran its SIGUSR1 handler %s\n", yesno(handled_in_waiter));
  pthread_mutex_lock(&lock);
  ready = 1;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
  void *ret = NULL;
  CHECK(pthread_join(waiter_thread, &ret) == 0, "pthread_join");
  printf("it then woke for the condition %s\n", yesno(ret == (void *)1));
  return 0;
}
