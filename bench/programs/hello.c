/* Startup benchmark: the smallest useful command. Prints "hello\n". */
#include <stdio.h>

int main(void) {
  fputs("hello\n", stdout);
  return 0;
}
