/* random: getentropy, arc4random_buf, raw random_get. */
#define _BSD_SOURCE
#include "guest.h"

static int all_zero(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) if (b[i]) return 0;
  return 1;
}

int main(void) {
  static unsigned char a[1024], b[1024];
  CHECK("getentropy 256", getentropy(a, 256));
  printf("getentropy 256 not all zero: %s\n", all_zero(a, 256) ? "no" : "yes");
  CHECK("getentropy 257", getentropy(a, 257));
  CHECK("getentropy 0", getentropy(a, 0));

  arc4random_buf(a, sizeof a);
  arc4random_buf(b, sizeof b);
  printf("arc4random_buf 1 KiB not all zero: %s\n", all_zero(a, sizeof a) ? "no" : "yes");
  printf("two arc4random_buf calls differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");

  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  WASI("random_get 1 KiB", __wasi_random_get(a, sizeof a));
  WASI("random_get 1 KiB again", __wasi_random_get(b, sizeof b));
  printf("random_get not all zero: %s\n", all_zero(a, sizeof a) ? "no" : "yes");
  printf("two random_get calls differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
  WASI("random_get 0 bytes", __wasi_random_get(a, 0));

  /* 1 MiB in one call: every byte value should show up. */
  size_t big = 1u << 20;
  unsigned char *m = malloc(big);
  memset(m, 0, big);
  WASI("random_get 1 MiB", __wasi_random_get(m, big));
  int seen[256] = {0}, distinct = 0;
  for (size_t i = 0; i < big; i++) seen[m[i]] = 1;
  for (int i = 0; i < 256; i++) distinct += seen[i];
  printf("random_get 1 MiB: all 256 byte values seen: %s\n", distinct == 256 ? "yes" : "no");
  printf("random_get 1 MiB: last KiB not all zero: %s\n", all_zero(m + big - 1024, 1024) ? "no" : "yes");
  free(m);
  return 0;
}
