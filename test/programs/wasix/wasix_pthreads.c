/*
 * WASIX pthreads: mutexes, condition variables, thread-local storage, join
 * values, detached threads and many threads in a row.
 *
 * stdout (exit 0):
 *   mutex counter=80000
 *   condvar items=100 sum=5050
 *   tls thread 0 kept 0 yes
 *   tls thread 1 kept 1 yes
 *   tls thread 2 kept 2 yes
 *   tls thread 3 kept 3 yes
 *   tls main kept -1 yes
 *   join 0 returned 100
 *   join 1 returned 101
 *   join 2 returned 102 (pthread_exit)
 *   detached thread done yes
 *   many threads=50 joined=50 sum=1225
 *
 * 1. 8 threads add 1 to a mutex-protected counter 10000 times each.
 * 2. A producer hands 1..100 to a consumer through a 4-slot buffer guarded
 *    by a mutex and two condition variables; main prints the count and sum.
 * 3. 4 threads store their index in a __thread variable, yield and sleep,
 *    and read it back; main's own copy keeps its initial -1.
 * 4. pthread_join hands back what the start routine returned (threads 0, 1)
 *    or passed to pthread_exit (thread 2).
 * 5. A detached thread sets a flag under a mutex and signals a condition
 *    variable that main waits on.
 * 6. 50 threads are created (all alive at once) and then joined; each
 *    returns its index, and main sums them (0+...+49).
 */
#include "wasix_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

/* 1. mutex counter */
#define COUNTER_THREADS 8
#define COUNTER_ROUNDS 10000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg) {
  (void)arg;
  for (int i = 0; i < COUNTER_ROUNDS; i++) {
    pthread_mutex_lock(&counter_lock);
    counter++;
    pthread_mutex_unlock(&counter_lock);
  }
  return NULL;
}

/* 2. producer/consumer */
#define ITEMS 100
#define SLOTS 4
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS];
static int queue_head, queue_len;

static void *produce(void *arg) {
  (void)arg;
  for (int item = 1; item <= ITEMS; item++) {
    pthread_mutex_lock(&queue_lock);
    while (queue_len == SLOTS) pthread_cond_wait(&not_full, &queue_lock);
    queue[(queue_head + queue_len) % SLOTS] = item;
    queue_len++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&queue_lock);
  }
  return NULL;
}

struct consumed {
  int items;
  long sum;
};

static void *consume(void *arg) {
  struct consumed *c = arg;
  for (int n = 0; n < ITEMS; n++) {
    pthread_mutex_lock(&queue_lock);
    while (queue_len == 0) pthread_cond_wait(&not_empty, &queue_lock);
    int item = queue[queue_head];
    queue_head = (queue_head + 1) % SLOTS;
    queue_len--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&queue_lock);
    c->items++;
    c->sum += item;
  }
  return NULL;
}

/* 3. thread-local storage */
#define TLS_THREADS 4
static __thread int tls_index = -1;

static void *tls_check(void *arg) {
  int index = (int)(intptr_t)arg;
  int before = tls_index; /* every thread starts from the initial value */
  tls_index = index;
  sched_yield();
  usleep(10000);
  sched_yield();
  return (void *)(intptr_t)(before == -1 && tls_index == index);
}

/* 4. join values */
static void *returns(void *arg) {
  return (void *)(intptr_t)(100 + (int)(intptr_t)arg);
}

static void *exits(void *arg) {
  pthread_exit((void *)(intptr_t)(100 + (int)(intptr_t)arg));
  return NULL;
}

/* 5. detached thread */
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done;

static void *detached(void *arg) {
  (void)arg;
  usleep(20000);
  pthread_mutex_lock(&done_lock);
  done = 1;
  pthread_cond_signal(&done_cond);
  pthread_mutex_unlock(&done_lock);
  return NULL;
}

/* 6. many threads */
#define MANY 50
static void *identity(void *arg) { return arg; }

int main(void) {
  pthread_t t[MANY];

  for (int i = 0; i < COUNTER_THREADS; i++)
    CHECK(pthread_create(&t[i], NULL, count_up, NULL) == 0, "create counter thread %d", i);
  for (int i = 0; i < COUNTER_THREADS; i++) CHECK(pthread_join(t[i], NULL) == 0, "join counter thread %d", i);
  printf("mutex counter=%ld\n", counter);

  struct consumed c = {0, 0};
  CHECK(pthread_create(&t[0], NULL, consume, &c) == 0, "create consumer");
  CHECK(pthread_create(&t[1], NULL, produce, NULL) == 0, "create producer");
  CHECK(pthread_join(t[1], NULL) == 0, "join producer");
  CHECK(pthread_join(t[0], NULL) == 0, "join consumer");
  printf("condvar items=%d sum=%ld\n", c.items, c.sum);

  tls_index = -1;
  for (int i = 0; i < TLS_THREADS; i++)
    CHECK(pthread_create(&t[i], NULL, tls_check, (void *)(intptr_t)i) == 0, "create tls thread %d", i);
  for (int i = 0; i < TLS_THREADS; i++) {
    void *ok = NULL;
    CHECK(pthread_join(t[i], &ok) == 0, "join tls thread %d", i);
    printf("tls thread %d kept %d %s\n", i, i, yesno(ok != NULL));
  }
  printf("tls main kept -1 %s\n", yesno(tls_index == -1));

  CHECK(pthread_create(&t[0], NULL, returns, (void *)(intptr_t)0) == 0, "create join thread 0");
  CHECK(pthread_create(&t[1], NULL, returns, (void *)(intptr_t)1) == 0, "create join thread 1");
  CHECK(pthread_create(&t[2], NULL, exits, (void *)(intptr_t)2) == 0, "create join thread 2");
  for (int i = 0; i < 3; i++) {
    void *value = NULL;
    CHECK(pthread_join(t[i], &value) == 0, "join thread %d", i);
    printf("join %d returned %d%s\n", i, (int)(intptr_t)value, i == 2 ? " (pthread_exit)" : "");
  }

  pthread_attr_t attr;
  CHECK(pthread_attr_init(&attr) == 0, "attr init");
  CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0, "setdetachstate");
  pthread_t d;
  CHECK(pthread_create(&d, &attr, detached, NULL) == 0, "create detached thread");
  pthread_attr_destroy(&attr);
  pthread_mutex_lock(&done_lock);
  while (!done) pthread_cond_wait(&done_cond, &done_lock);
  pthread_mutex_unlock(&done_lock);
  printf("detached thread done %s\n", yesno(done));

  int created = 0, joined = 0;
  long sum = 0;
  for (int i = 0; i < MANY; i++) {
    CHECK(pthread_create(&t[i], NULL, identity, (void *)(intptr_t)i) == 0, "create thread %d of %d", i, MANY);
    created++;
  }
  for (int i = 0; i < created; i++) {
    void *value = NULL;
    CHECK(pthread_join(t[i], &value) == 0, "join thread %d of %d", i, MANY);
    joined++;
    sum += (int)(intptr_t)value;
  }
  printf("many threads=%d joined=%d sum=%ld\n", created, joined, sum);
  return 0;
}
