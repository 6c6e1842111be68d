/*
 * An HTTP client (test/networking.test.ts runs it against a Node server):
 * looks up argv[1], connects to port argv[2], sends "GET argv[3]" and
 * prints the response's status line and body. A failure prints the step
 * and its errno name and exits 2.
 */
#include "wasix_test.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  CHECK(argc == 4, "usage: http_get HOST PORT PATH");
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
  int r = getaddrinfo(argv[1], argv[2], &hints, &res);
  if (r != 0) {
    printf("lookup %s: failed\n", argv[1]);
    return 2;
  }
  int s = socket(res->ai_family, SOCK_STREAM, 0);
  CHECK(s >= 0, "socket");
  if (connect(s, res->ai_addr, res->ai_addrlen) != 0) {
    printf("connect: %s\n", errname(errno));
    return 2;
  }
  freeaddrinfo(res);
  char req[1200];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3], argv[1]);
  CHECK(send(s, req, (size_t)n, 0) == n, "send");
  static char resp[1 << 20];
  size_t got = read_all(s, resp, sizeof resp);
  char *status_end = strstr(resp, "\r\n");
  char *body = strstr(resp, "\r\n\r\n");
  CHECK(status_end != NULL && body != NULL, "a response (%zu bytes)", got);
  printf("%.*s\n%s\n", (int)(status_end - resp), resp, body + 4);
  return 0;
}
