/*
 * kthread: a tiny threads library for Kiln's wasi-threads test programs
 * (test/programs/threads/NAME.c; not a program itself).
 *
 * Debian's wasi-libc has no threads build (no wasm32-wasi-threads sysroot, no
 * pthreads), so the programs are ordinary wasm32-wasi programs compiled with
 * -matomics -mbulk-memory and linked against a shared, imported memory (see
 * scripts/build-programs.mjs), plus:
 *
 *   - `thread-spawn`, the wasi-threads import, declared by hand;
 *   - `wasi_thread_start`, the entry point the host calls in a new thread's
 *     instance, in kthread_start.s: it switches `__stack_pointer` to the
 *     thread's own stack, gives the thread its own TLS block
 *     (`__wasm_init_tls`), calls kthread_entry() and then marks the thread
 *     done (atomic store + notify) without touching the stack again;
 *   - kthread_create / kthread_join (join = futex wait on the done flag);
 *   - a futex mutex and condition variable (memory.atomic.wait32/notify).
 *
 * wasi-libc is single-threaded: its objects are compiled without atomics, so
 * its "thread-local" errno is one global and malloc and stdio have no locks.
 * Threads therefore never call malloc or stdio: stacks and TLS blocks are
 * static, output goes through kt_print() (one write(2), i.e. one fd_write,
 * per call) with formatting done by snprintf into a local buffer (musl's
 * snprintf uses no global state). Only the main thread creates threads.
 */
#ifndef KILN_KTHREAD_H
#define KILN_KTHREAD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef KTHREAD_MAX
#define KTHREAD_MAX 64 /* threads that may exist at once */
#endif
#ifndef KTHREAD_STACK_SIZE
#define KTHREAD_STACK_SIZE (32 * 1024)
#endif
#define KTHREAD_TLS_SIZE 256

/* wasi-threads: starts a thread running wasi_thread_start(tid, arg).
 * Returns the new thread id (> 0), or a negated errno (EAGAIN = -6). */
__attribute__((import_module("wasi"), import_name("thread-spawn")))
int32_t __kiln_thread_spawn(int32_t arg);

typedef void (*kthread_fn)(void *arg);

/* The first three fields are read by kthread_start.s: keep their offsets. */
typedef struct kthread {
  uint32_t stack_top;  /* offset 0 */
  uint32_t tls_block;  /* offset 4 */
  volatile int32_t done; /* offset 8: set to 1 (and notified) when finished */
  int32_t in_use;
  int32_t spawn_tid;   /* what thread-spawn returned */
  int32_t start_tid;   /* what wasi_thread_start received */
  kthread_fn fn;
  void *arg;
} kthread_t;
_Static_assert(__builtin_offsetof(kthread_t, stack_top) == 0, "kthread_start.s reads stack_top at 0");
_Static_assert(__builtin_offsetof(kthread_t, tls_block) == 4, "kthread_start.s reads tls_block at 4");
_Static_assert(__builtin_offsetof(kthread_t, done) == 8, "kthread_start.s sets done at 8");

static kthread_t kthread_slots[KTHREAD_MAX];
static uint8_t kthread_stacks[KTHREAD_MAX][KTHREAD_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t kthread_tls[KTHREAD_MAX][KTHREAD_TLS_SIZE] __attribute__((aligned(16)));

/* ---------------------------------------------------------------- output -- */

/* One write(2) of the whole string, so lines from threads never interleave. */
__attribute__((unused)) static void kt_write(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= (size_t)w;
  }
}

__attribute__((format(printf, 2, 3)))
__attribute__((unused)) static void kt_print_fd(int fd, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  kt_write(fd, buf, (size_t)n);
}
#define kt_print(...) kt_print_fd(1, __VA_ARGS__)

/* Prints "FAIL: ..." to stderr and exits 1 (from any thread: proc_exit). */
#define kt_fail(...)                                                            \
  do {                                                                         \
    kt_print_fd(2, "FAIL: " __VA_ARGS__);                                      \
    _Exit(1);                                                                  \
  } while (0)

/* argv[i] as an unsigned number, or `fallback` when absent. */
__attribute__((unused)) static unsigned long kt_arg_num(int argc, char **argv, int i, unsigned long fallback) {
  if (argc <= i) return fallback;
  char *end = NULL;
  unsigned long v = strtoul(argv[i], &end, 10);
  if (end == argv[i] || *end != '\0') {
    kt_print_fd(2, "bad number argument: %s\n", argv[i]);
    _Exit(2);
  }
  return v;
}

/* ---------------------------------------------------------------- futexes - */

/* Waits while *addr == expected (or until the timeout, in ns; -1 = none).
 * Returns 0 (woken), 1 (*addr != expected) or 2 (timed out).
 *
 * Kept out of line on purpose: V8 11.3's baseline compiler (Liftoff; Node 20)
 * clobbers a register-held local of the function that executes
 * memory.atomic.wait32/wait64 (a local set before the wait reads back wrong
 * after it). In a function of its own nothing is live across the wait but
 * its result, so these programs behave the same before and after tier-up. */
__attribute__((noinline)) static int kt_futex_wait(volatile int32_t *addr, int32_t expected, int64_t timeout_ns) {
  return __builtin_wasm_memory_atomic_wait32((int32_t *)addr, expected, timeout_ns);
}

static inline unsigned kt_futex_wake(volatile int32_t *addr, unsigned count) {
  return __builtin_wasm_memory_atomic_notify((int32_t *)addr, count);
}

static inline int32_t kt_load(volatile int32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void kt_store(volatile int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

/* Waits until *addr == want (futex, no spinning). */
static inline void kt_wait_until(volatile int32_t *addr, int32_t want) {
  int32_t v;
  while ((v = kt_load(addr)) != want) kt_futex_wait(addr, v, -1);
}

/* Sleeps without a system call: a futex wait that nobody wakes. */
static inline void kt_sleep_ms(int64_t ms) {
  static volatile int32_t never;
  kt_futex_wait(&never, 0, ms * 1000000);
}

/* Blocks this thread forever. */
__attribute__((noreturn)) static inline void kt_block_forever(void) {
  static volatile int32_t never;
  for (;;) kt_futex_wait(&never, 0, -1);
}

/* ------------------------------------------------------------------ mutex -- */

/* 0 = unlocked, 1 = locked, 2 = locked with waiters (Drepper, "Futexes Are Tricky"). */
typedef struct { volatile int32_t state; } kt_mutex;
#define KT_MUTEX_INIT { 0 }

static inline void kt_mutex_lock(kt_mutex *m) {
  int32_t c = 0;
  if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  if (c != 2) c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    kt_futex_wait(&m->state, 2, -1);
    c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
  }
}

static inline void kt_mutex_unlock(kt_mutex *m) {
  if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
    __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
    kt_futex_wake(&m->state, 1);
  }
}

/* ------------------------------------------------------ condition variable - */

/* A sequence number: waiters sleep on its value, signals bump it. */
typedef struct { volatile int32_t seq; } kt_cond;
#define KT_COND_INIT { 0 }

static inline void kt_cond_wait(kt_cond *c, kt_mutex *m) {
  int32_t seq = kt_load(&c->seq);
  kt_mutex_unlock(m);
  kt_futex_wait(&c->seq, seq, -1);
  kt_mutex_lock(m);
}

static inline void kt_cond_signal(kt_cond *c) {
  __atomic_fetch_add(&c->seq, 1, __ATOMIC_SEQ_CST);
  kt_futex_wake(&c->seq, 1);
}

static inline void kt_cond_broadcast(kt_cond *c) {
  __atomic_fetch_add(&c->seq, 1, __ATOMIC_SEQ_CST);
  kt_futex_wake(&c->seq, UINT32_MAX);
}

/* ------------------------------------------------------------------ _start - */

/*
 * The programs are linked with -nostartfiles and this _start instead of
 * wasi-libc's crt1-command.o. That (2022) crt1 leaves static constructors and
 * destructors to wasm-ld, which then wraps *every* export of a command in
 * __wasm_call_ctors / __wasm_call_dtors, wasi_thread_start included: each
 * thread would re-run the constructors on entry and flush stdio and run the
 * atexit handlers on return. wasm-ld skips the wrapping when an object calls
 * __wasm_call_ctors itself, as this _start does (what newer crt1s do).
 */
void __wasm_call_ctors(void);
void __wasm_call_dtors(void);
int __original_main(void); /* wasi-libc: sets up argv, calls main */

__attribute__((export_name("_start"))) void _start(void) {
  __wasm_call_ctors();
  int r = __original_main();
  __wasm_call_dtors();
  if (r != 0) _Exit(r);
}

/* ---------------------------------------------------------------- threads -- */

/* Called by wasi_thread_start (kthread_start.s) on the thread's own stack. */
__attribute__((used)) void kthread_entry(int32_t tid, kthread_t *t) {
  t->start_tid = tid;
  t->fn(t->arg);
}

/*
 * Starts fn(arg) in a new thread. Returns the thread, or NULL with *err set
 * to what thread-spawn returned (a negated errno) or to 0 when all
 * KTHREAD_MAX slots are in use.
 */
__attribute__((unused)) static kthread_t *kthread_create_err(kthread_fn fn, void *arg, int32_t *err) {
  if (__builtin_wasm_tls_size() > KTHREAD_TLS_SIZE || __builtin_wasm_tls_align() > 16)
    kt_fail("TLS block too large: %u bytes\n", (unsigned)__builtin_wasm_tls_size());
  for (int i = 0; i < KTHREAD_MAX; i++) {
    kthread_t *t = &kthread_slots[i];
    int32_t free_slot = 0;
    if (!__atomic_compare_exchange_n(&t->in_use, &free_slot, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      continue;
    t->stack_top = (uint32_t)(uintptr_t)(kthread_stacks[i] + KTHREAD_STACK_SIZE);
    t->tls_block = (uint32_t)(uintptr_t)kthread_tls[i];
    t->fn = fn;
    t->arg = arg;
    t->start_tid = 0;
    kt_store(&t->done, 0);
    int32_t tid = __kiln_thread_spawn((int32_t)(uintptr_t)t);
    if (tid < 0) {
      kt_store(&t->in_use, 0);
      if (err) *err = tid;
      return NULL;
    }
    t->spawn_tid = tid;
    return t;
  }
  if (err) *err = 0;
  return NULL;
}

/* The calling thread's slot, found from its stack; NULL on the main thread. */
__attribute__((unused)) static kthread_t *kthread_self(void) {
  volatile uint8_t probe = 0;
  uint8_t *p = (uint8_t *)&probe;
  for (int i = 0; i < KTHREAD_MAX; i++) {
    if (p >= kthread_stacks[i] && p < kthread_stacks[i] + KTHREAD_STACK_SIZE) return &kthread_slots[i];
  }
  return NULL;
}

/* Starts fn(arg) in a new thread; any failure is fatal. */
__attribute__((unused)) static kthread_t *kthread_create(kthread_fn fn, void *arg) {
  int32_t err = 0;
  kthread_t *t = kthread_create_err(fn, arg, &err);
  if (!t) {
    if (err == 0) kt_fail("kthread_create: all %d thread slots in use\n", KTHREAD_MAX);
    kt_fail("thread-spawn returned %d\n", (int)err);
  }
  return t;
}

/* Waits for the thread to finish; its slot (stack, TLS) is free afterwards.
 * Returns the tid that wasi_thread_start received. */
__attribute__((unused)) static int32_t kthread_join(kthread_t *t) {
  kt_wait_until(&t->done, 1);
  int32_t tid = t->start_tid;
  kt_store(&t->in_use, 0);
  return tid;
}

/* ------------------------------------------------------------------ timing - */

static inline int64_t kt_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Benchmarks: with KTHREAD_TIMING set in the environment, a program reports
 * the time of its measured loop as "NAME: ns=N" on stderr (never otherwise,
 * so transcripts stay exact). getenv only from the main thread. */
static inline int kt_timing_wanted(void) {
  const char *v = getenv("KTHREAD_TIMING");
  return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

#endif
