/* malloc's two links to the system, apart from malloc.c so that the unit
   tests can supply their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libc.h"

/* Linux's brk returns the new break, or the old one if it cannot move
   it; brk(0) just reads it. */
void* __sg_heap_brk(void* addr) {
    return (void*)sys_brk(addr);
}

void __sg_heap_panic(const char* what, void* p) {
    char line[160];
    int n = snprintf(line, sizeof(line), "malloc: %s: %p\n", what, p);
    __sg_write_all(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    abort();
}
