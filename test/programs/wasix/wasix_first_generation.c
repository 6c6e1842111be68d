/*
 * The calls of WASIX's first generations (2022 to May 2023) whose meaning
 * differs from the current ones, made as those binaries make them: through
 * `wasix_32v1` imports declared here (a program built today links the
 * current forms). Kiln answers them as Wasmer does.
 *
 * stdout (exit 7: the exec'd child's status):
 *   renumber onto a closed number: OK
 *   through the renumbered end: moved
 *   absolute path from a directory descriptor: OK regular yes
 *   preview 1's, the same absolute path: OK regular yes
 *   a registered command: OK regular yes
 *   accept with the peer's address: OK, family INET4 yes, the client's port yes, 127.0.0.1 yes, nothing past 20 bytes yes
 *   join: OK, pid is the child's yes, exit code 7
 *   join with no child left: ECHILD, exit code ECHILD yes, pid all ones yes
 *   thread ended: 1 destructor call, user data yes, value yes
 *   key destroyed: the named export called 1 time with main's value yes, then get EINVAL yes
 *   exec of a missing command: exit code 45
 *   child argv[0]=child
 *   child argv[1]=by-name
 *   child CHILD_VAR=(unset)
 *   child stdin: (empty)
 *
 * 1. fd_renumber moves a descriptor onto a number that is not open (Wasmer
 *    allows it; that generation's dup2 is close + renumber).
 * 2. path_filestat_get takes an absolute guest path with any directory
 *    descriptor (that generation's libc passes its root preopen with
 *    absolute paths), and so does preview 1's in a WASIX module (a
 *    preview 1 module's refuses one: conformance). A command the embedder
 *    registered (run with --command /bin/registered=...) is a file there.
 * 3. sock_accept(fd, flags, fd_out, addr_out): four arguments, the peer's
 *    address in the first generation's 20-byte addr_port_t (run with
 *    --net loopback).
 * 4. proc_join(pid*, exit_code*): two arguments, the exit code itself;
 *    2^32 - 1 waits for any child, and with none ECHILD is the result and
 *    the exit code.
 * 6. Thread locals (thread_local_create/set/get/destroy): as in Wasmer, a
 *    value gets a call of the destructor export (`_thread_local_destroy`,
 *    or the one callback_thread_local_destroy names) with the key's user
 *    data, when its thread ends or its key is destroyed. (Checked before 5.)
 * 5. proc_exec(name, args) has no result: a bare name is searched in PATH,
 *    and a program that cannot start ends the process with status 45
 *    (ENOEXEC) — checked in a spawned copy of this program ("missing" as
 *    its argument) — else the program replaces this one.
 *
 * Arguments: this program's own path under /sandbox; PATH names the
 * directory where `child` (wasix_child) is.
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/socket.h>

#define FIRST_GENERATION(name) __attribute__((__import_module__("wasix_32v1"), __import_name__(#name)))

int32_t old_fd_renumber(int32_t fd, int32_t to) FIRST_GENERATION(fd_renumber);
int32_t old_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len, void *out) FIRST_GENERATION(path_filestat_get);
int32_t old_proc_join(uint32_t *pid, uint32_t *exit_code) FIRST_GENERATION(proc_join);
int32_t old_sock_accept(int32_t fd, int32_t flags, int32_t *fd_out, uint8_t *addr_out) FIRST_GENERATION(sock_accept);
void old_proc_exec(const char *name, int32_t len, const char *args, int32_t args_len) FIRST_GENERATION(proc_exec);
int32_t old_thread_local_create(uint64_t user_data, uint32_t *key) FIRST_GENERATION(thread_local_create);
int32_t old_thread_local_destroy(uint32_t key) FIRST_GENERATION(thread_local_destroy);
int32_t old_thread_local_set(uint32_t key, uint64_t value) FIRST_GENERATION(thread_local_set);
int32_t old_thread_local_get(uint32_t key, uint64_t *value) FIRST_GENERATION(thread_local_get);
void old_callback_thread_local_destroy(const char *name, int32_t len) FIRST_GENERATION(callback_thread_local_destroy);

/* The destructor exports: the default name, and one callback_thread_local_destroy names. */
static volatile int destroyed, renamed;
static volatile uint64_t destroyed_user, destroyed_value, renamed_value;
static uint64_t joined(int32_t lo, int32_t hi) { return (uint64_t)(uint32_t)lo | (uint64_t)(uint32_t)hi << 32; }
__attribute__((export_name("_thread_local_destroy"))) void default_destroy(int32_t user_lo, int32_t user_hi, int32_t lo, int32_t hi) {
  destroyed_user = joined(user_lo, user_hi);
  destroyed_value = joined(lo, hi);
  destroyed++;
}
__attribute__((export_name("renamed_destroy"))) void renamed_destroy(int32_t user_lo, int32_t user_hi, int32_t lo, int32_t hi) {
  (void)user_lo, (void)user_hi;
  renamed_value = joined(lo, hi);
  renamed++;
}

static uint32_t key;
static void *set_and_end(void *arg) {
  (void)arg;
  CHECK(old_thread_local_set(key, 0x700000007ULL) == 0, "thread_local_set");
  return NULL;
}
int32_t p1_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len, void *out)
  __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_filestat_get")));

/** WASI errno values (not the libc's). */
enum { WASI_ECHILD = 12, WASI_EINVAL = 28 };
/** filestat's filetype byte and the regular-file type. */
enum { FILESTAT_FILETYPE = 16, FILETYPE_REGULAR = 4 };

static void exec_by_name(const char *name, const char *args) {
  fflush(stdout);
  old_proc_exec(name, (int32_t)strlen(name), args, (int32_t)strlen(args));
}

int main(int argc, char **argv) {
  CHECK(argc >= 2, "usage: first_generation SELF | missing");
  if (strcmp(argv[1], "missing") == 0) {
    exec_by_name("no-such-command", "no-such-command\n");
    printf("not reached\n");
    return 0;
  }
  const char *self = argv[1];

  /* 1. */
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  int target = p[1] + 10;
  int32_t e = old_fd_renumber(p[1], target);
  printf("renumber onto a closed number: %s\n", e == 0 ? "OK" : "failed");
  CHECK(write(target, "moved", 5) == 5, "write through the renumbered end");
  char buf[16] = {0};
  CHECK(read(p[0], buf, sizeof buf - 1) == 5, "read");
  printf("through the renumbered end: %s\n", buf);
  close(p[0]);
  close(target);

  /* 2. */
  int dir = open("/sandbox", O_RDONLY | O_DIRECTORY);
  CHECK(dir >= 0, "open /sandbox");
  uint8_t stat[64];
  e = old_path_filestat_get(dir, 1, self, (int32_t)strlen(self), stat);
  printf("absolute path from a directory descriptor: %s regular %s\n", e == 0 ? "OK" : "failed", yesno(e == 0 && stat[FILESTAT_FILETYPE] == FILETYPE_REGULAR));
  memset(stat, 0, sizeof stat);
  e = p1_path_filestat_get(dir, 1, self, (int32_t)strlen(self), stat);
  printf("preview 1's, the same absolute path: %s regular %s\n", e == 0 ? "OK" : "failed", yesno(e == 0 && stat[FILESTAT_FILETYPE] == FILETYPE_REGULAR));
  const char *registered = "/bin/registered";
  memset(stat, 0, sizeof stat);
  e = old_path_filestat_get(dir, 1, registered, (int32_t)strlen(registered), stat);
  printf("a registered command: %s regular %s\n", e == 0 ? "OK" : "failed", yesno(e == 0 && stat[FILESTAT_FILETYPE] == FILETYPE_REGULAR));
  close(dir);

  /* 3. */
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(listener >= 0, "socket");
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof at;
  CHECK(bind(listener, (struct sockaddr *)&at, sizeof at) == 0, "bind");
  CHECK(listen(listener, 1) == 0, "listen");
  CHECK(getsockname(listener, (struct sockaddr *)&at, &len) == 0, "getsockname");
  int client = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(client >= 0 && connect(client, (struct sockaddr *)&at, sizeof at) == 0, "connect");
  struct sockaddr_in mine;
  len = sizeof mine;
  CHECK(getsockname(client, (struct sockaddr *)&mine, &len) == 0, "getsockname client");
  uint8_t addr[24];
  memset(addr, 0xee, sizeof addr);
  int32_t accepted = -1;
  e = old_sock_accept(listener, 0, &accepted, addr);
  uint16_t port = (uint16_t)(addr[2] | addr[3] << 8);
  printf("accept with the peer's address: %s, family INET4 %s, the client's port %s, 127.0.0.1 %s, nothing past 20 bytes %s\n",
         e == 0 && accepted >= 0 ? "OK" : "failed", yesno(addr[0] == 1), yesno(port == ntohs(mine.sin_port)),
         yesno(addr[4] == 127 && addr[5] == 0 && addr[6] == 0 && addr[7] == 1), yesno(addr[20] == 0xee && addr[23] == 0xee));
  close(accepted);
  close(client);
  close(listener);

  /* 4. */
  pid_t child;
  char *child_argv[] = {"child", NULL};
  posix_spawn_file_actions_t quiet; /* its lines are not this program's */
  CHECK(posix_spawn_file_actions_init(&quiet) == 0, "file_actions_init");
  CHECK(posix_spawn_file_actions_addclose(&quiet, 1) == 0, "addclose");
  CHECK(posix_spawnp(&child, "child", &quiet, NULL, child_argv, NULL) == 0, "posix_spawnp child");
  posix_spawn_file_actions_destroy(&quiet);
  uint32_t pid = (uint32_t)child, code = 0;
  e = old_proc_join(&pid, &code);
  printf("join: %s, pid is the child's %s, exit code %u\n", e == 0 ? "OK" : "failed", yesno(pid == (uint32_t)child), code);
  pid = UINT32_MAX;
  e = old_proc_join(&pid, &code);
  printf("join with no child left: %s, exit code ECHILD %s, pid all ones %s\n", e == WASI_ECHILD ? "ECHILD" : "other",
         yesno(code == WASI_ECHILD), yesno(pid == UINT32_MAX));

  /* 6. */
  CHECK(old_thread_local_create(0x2a0000002aULL, &key) == 0, "thread_local_create");
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, set_and_end, NULL) == 0, "pthread_create");
  CHECK(pthread_join(thread, NULL) == 0, "pthread_join");
  /* The call comes as the thread ends, which may be just after the join. */
  for (int i = 0; i < 5000 && destroyed == 0; i++) usleep(1000);
  printf("thread ended: %d destructor call, user data %s, value %s\n", destroyed,
         yesno(destroyed_user == 0x2a0000002aULL), yesno(destroyed_value == 0x700000007ULL));
  CHECK(old_thread_local_set(key, 9) == 0, "thread_local_set");
  const char *name = "renamed_destroy";
  old_callback_thread_local_destroy(name, (int32_t)strlen(name));
  CHECK(old_thread_local_destroy(key) == 0, "thread_local_destroy");
  uint64_t value;
  printf("key destroyed: the named export called %d time with main's value %s, then get EINVAL %s\n", renamed,
         yesno(renamed_value == 9), yesno(old_thread_local_get(key, &value) == WASI_EINVAL));

  /* 5. */
  char *copy_argv[] = {"first_generation", "missing", NULL};
  CHECK(posix_spawn(&child, self, NULL, NULL, copy_argv, NULL) == 0, "posix_spawn self");
  pid = UINT32_MAX;
  CHECK(old_proc_join(&pid, &code) == 0, "join the copy");
  printf("exec of a missing command: exit code %u\n", code);
  exec_by_name("child", "child\nby-name\n");
  printf("not reached\n");
  return 1;
}
