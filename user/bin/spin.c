/* spin [SECONDS]: burns the CPU in user mode, forever or for SECONDS
 * (a load for watching the scheduler: `spin & spin & ps`). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec;
}

int main(int argc, char** argv) {
    char* rest = NULL;
    const long seconds = argc == 2 ? strtol(argv[1], &rest, 10) : 0;
    if (argc > 2 || (argc == 2 && (seconds <= 0 || *rest))) {
        fprintf(stderr, "usage: spin [SECONDS]\n");
        return 2;
    }
    const long end = seconds ? now() + seconds : 0;
    for (volatile unsigned long i = 0;; i++)
        if (end && (i & 0xfffff) == 0 && now() >= end) return 0;
}
