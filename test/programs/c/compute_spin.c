/* compute_spin: computes without any system call for a while, then prints
 * the result. argv[1] is the number of iterations of a xorshift64 step
 * (about a nanosecond each); the worker-mode test sizes it to about a
 * second and checks that the caller's event loop keeps running meanwhile.
 */
#include "guest.h"

int main(int argc, char **argv) {
  unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ULL;
  uint64_t x = 88172645463325252ULL;
  for (unsigned long long i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  printf("%llu iterations: %llu\n", n, (unsigned long long)x);
  return 0;
}
