/*
 * A pre-threaded HTTP server (test/networking.test.ts drives it with real
 * clients): listens on 127.0.0.1 (port argv[2], 0 for a free one), prints
 * "listening PORT", and serves with argv[3] threads, each accepting on the
 * one listening socket, until argv[1] requests were answered; then it
 * prints "served N" and exits 0. Each response's body is "hello PATH".
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

static int listener;
static int wanted;
static atomic_int served;

static void serve(int conn) {
  char req[4096];
  size_t got = 0;
  while (got < sizeof req - 1) {
    ssize_t n = recv(conn, req + got, sizeof req - 1 - got, 0);
    if (n <= 0) break;
    got += (size_t)n;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n") != NULL) break;
  }
  req[got] = 0;
  char path[1024] = "?";
  sscanf(req, "GET %1023s", path);
  char body[1100];
  int blen = snprintf(body, sizeof body, "hello %s", path);
  char resp[1400];
  int rlen = snprintf(resp, sizeof resp,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
  for (int off = 0; off < rlen;) {
    ssize_t n = send(conn, resp + off, (size_t)(rlen - off), 0);
    CHECK(n > 0, "send");
    off += (int)n;
  }
  shutdown(conn, SHUT_WR);
  // Drain until the client closes, so it reads the whole response.
  while (recv(conn, req, sizeof req, 0) > 0) {}
  close(conn);
  if (atomic_fetch_add(&served, 1) + 1 == wanted) {
    printf("served %d\n", wanted);
    exit(0);
  }
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    int conn = accept(listener, NULL, NULL);
    CHECK(conn >= 0, "accept");
    serve(conn);
  }
  return NULL;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  CHECK(argc == 4, "usage: http_server REQUESTS PORT THREADS");
  wanted = atoi(argv[1]);
  int threads = atoi(argv[3]);
  listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(listener >= 0, "socket");
  int on = 1;
  CHECK(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0, "SO_REUSEADDR");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(listener, (struct sockaddr *)&a, sizeof a) == 0, "bind");
  CHECK(listen(listener, 256) == 0, "listen");
  socklen_t len = sizeof a;
  CHECK(getsockname(listener, (struct sockaddr *)&a, &len) == 0, "getsockname");
  printf("listening %d\n", ntohs(a.sin_port));
  for (int i = 1; i < threads; i++) {
    pthread_t t;
    CHECK(pthread_create(&t, NULL, worker, NULL) == 0, "pthread_create");
    pthread_detach(t);
  }
  worker(NULL);
  return 0;
}
