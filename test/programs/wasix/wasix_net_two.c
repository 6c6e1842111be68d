/*
 * Two processes over one network: starts argv[1] (the HTTP server,
 * wasix_http_server) as a child serving one request on 127.0.0.1:7070,
 * connects to it (retrying while it is not listening yet), fetches
 * /from-parent and prints the response, then the child's exit status.
 * Run with `--net loopback`: neither process touches a host socket.
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  CHECK(argc == 2, "usage: net_two SERVER");
  pid_t child;
  char *child_argv[] = { argv[1], "1", "7070", "1", NULL };
  int pipefd[2];
  CHECK(pipe(pipefd) == 0, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1); // the child's "listening"/"served" lines, kept out of ours
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  CHECK(posix_spawn(&child, argv[1], &fa, NULL, child_argv, environ) == 0, "posix_spawn");
  close(pipefd[1]);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7070) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int s = -1;
  for (int tries = 0; tries < 500; tries++) {
    s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0, "socket");
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) break;
    CHECK(errno == ECONNREFUSED, "connect");
    close(s);
    s = -1;
    usleep(10000);
  }
  CHECK(s >= 0, "the server never listened");
  const char *req = "GET /from-parent HTTP/1.0\r\n\r\n";
  CHECK(send(s, req, strlen(req), 0) == (ssize_t)strlen(req), "send");
  char resp[2048];
  read_all(s, resp, sizeof resp);
  close(s);
  char *body = strstr(resp, "\r\n\r\n");
  CHECK(body != NULL, "a response");
  printf("parent got: %s\n", body + 4);
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child, "waitpid");
  char lines[256];
  read_all(pipefd[0], lines, sizeof lines);
  printf("child said: %s", lines);
  printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
