/* limit_malloc: allocates 64 KiB blocks until malloc fails, touching each,
 * then frees them and allocates once more. Under a memory limit malloc
 * must return NULL at the cap (memory.grow fails in the guest: sbrk then
 * reports ENOMEM) and the program goes on normally. Prints the number of
 * blocks and KiB allocated and the linear memory size in 64 KiB pages.
 */
#include "guest.h"

#define BLOCK (64 * 1024)
#define MAX_BLOCKS 65536

static void *blocks[MAX_BLOCKS];

int main(void) {
  size_t count = 0;
  errno = 0;
  while (count < MAX_BLOCKS) {
    void *p = malloc(BLOCK);
    if (p == NULL) break;
    memset(p, (int)(count & 0xff), BLOCK);
    blocks[count++] = p;
  }
  printf("blocks: %zu (%zu KiB)\n", count, count * (BLOCK / 1024));
  if (count == MAX_BLOCKS) {
    printf("no limit reached\n");
  } else {
    printf("malloc: NULL\n");
    errno = 0;
    void *brk = sbrk(BLOCK);
    if (brk == (void *)-1) print_err("sbrk", errno);
    else printf("sbrk: ok\n");
  }
  printf("memory pages: %zu\n", (size_t)__builtin_wasm_memory_size(0));
  for (size_t i = 0; i < count; i++) free(blocks[i]);
  void *again = malloc(BLOCK);
  printf("after free: %s\n", again != NULL ? "malloc ok" : "malloc failed");
  free(again);
  return 0;
}
