/*
 * Conformance: poll_oneoff on stdio (suite test poll_oneoff_stdio).
 *
 * Run with stdin an open pipe that is never written (as the suite's runner
 * does) and stdout/stderr pipes. No preopens are needed.
 *
 * Phase 1: [clock 200 ms, FD_READ stdin] must return >= 1 event, each either
 * the clock (SUCCESS) or stdin readiness (SUCCESS); an error event fails.
 * Phase 2: FD_WRITE on fds 1 and 2 plus the clock, resubscribing the pending
 * ones until both are seen; any clock event fails.
 */
#include "conf.h"

#define CLOCK_ID 0x012345678ull
#define STDIN_ID 0x876543210ull
#define TIMEOUT_NS (200ull * 1000 * 1000)

static __wasi_subscription_t clock_sub(void) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = CLOCK_ID;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = TIMEOUT_NS;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_eventtype_t type, __wasi_fd_t fd,
                                    __wasi_userdata_t ud) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
  else s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static void phase1(void) {
  conf_section = "poll_oneoff_stdio phase 1 (clock + stdin read)";
  __wasi_subscription_t subs[2] = {
      clock_sub(), fd_sub(__WASI_EVENTTYPE_FD_READ, 0, STDIN_ID)};
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  memset(ev, 0, sizeof ev);
  if (!EXPECT_OK("poll_oneoff", __wasi_poll_oneoff(subs, ev, 2, &n))) return;
  EXPECT_TRUE("nevents >= 1", n >= 1 && n <= 2, "got %u", (unsigned)n);
  if (n > 2) n = 2;
  for (__wasi_size_t i = 0; i < n; i++) {
    char what[96];
    snprintf(what, sizeof what, "event %u is a clock or stdin-read event "
                                "with error SUCCESS",
             (unsigned)i);
    int good = (ev[i].type == __WASI_EVENTTYPE_CLOCK &&
                ev[i].error == __WASI_ERRNO_SUCCESS &&
                ev[i].userdata == CLOCK_ID) ||
               (ev[i].type == __WASI_EVENTTYPE_FD_READ &&
                ev[i].error == __WASI_ERRNO_SUCCESS &&
                ev[i].userdata == STDIN_ID);
    NOTE("phase 1 event %u: %s, error %s", (unsigned)i,
         ev[i].type == __WASI_EVENTTYPE_CLOCK     ? "clock"
         : ev[i].type == __WASI_EVENTTYPE_FD_READ ? "stdin read"
                                                  : "other",
         conf_errname(ev[i].error));
    EXPECT_TRUE(what, good, "got type %u error %s(%u) userdata %#llx",
                ev[i].type, conf_errname(ev[i].error), ev[i].error,
                (unsigned long long)ev[i].userdata);
  }
}

static void phase2(void) {
  conf_section = "poll_oneoff_stdio phase 2 (stdout/stderr writable)";
  int pending[3] = {0, 1, 1};
  int clock_events = 0, bad = 0, rounds = 0;
  while ((pending[1] || pending[2]) && rounds < 50) {
    rounds++;
    __wasi_subscription_t subs[3];
    size_t ns = 0;
    for (int fd = 1; fd <= 2; fd++)
      if (pending[fd])
        subs[ns++] = fd_sub(__WASI_EVENTTYPE_FD_WRITE, (__wasi_fd_t)fd,
                            (__wasi_userdata_t)fd);
    subs[ns++] = clock_sub();
    __wasi_event_t ev[3];
    memset(ev, 0, sizeof ev);
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, ns, &n);
    if (e) {
      conf_errno_in("poll_oneoff", e, (const int[]){__WASI_ERRNO_SUCCESS}, 1);
      return;
    }
    if (n > ns) n = ns;
    for (__wasi_size_t i = 0; i < n; i++) {
      if (ev[i].type == __WASI_EVENTTYPE_CLOCK) {
        clock_events++;
        continue;
      }
      if (ev[i].type != __WASI_EVENTTYPE_FD_WRITE ||
          ev[i].error != __WASI_ERRNO_SUCCESS ||
          (ev[i].userdata != 1 && ev[i].userdata != 2)) {
        conf_fail(conf_label("FD_WRITE event with error SUCCESS"),
                  "got type %u error %s(%u) userdata %#llx", ev[i].type,
                  conf_errname(ev[i].error), ev[i].error,
                  (unsigned long long)ev[i].userdata);
        bad++;
        continue;
      }
      pending[ev[i].userdata] = 0;
    }
    if (clock_events || bad) break;
  }
  EXPECT_EQ("no clock event (stdout/stderr ready within 200 ms)",
            clock_events, 0);
  EXPECT_TRUE("FD_WRITE events seen for fds 1 and 2",
              !pending[1] && !pending[2] && !bad,
              "got pending fd1=%d fd2=%d after %d rounds", pending[1],
              pending[2], rounds);
  NOTE("writable subs: {1, 2} seen in %d round(s)", rounds);
}

int main(void) {
  phase1();
  phase2();
  return conf_finish();
}
