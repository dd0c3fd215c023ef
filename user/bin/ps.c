/* ps: every process, from the kernel's table (the sysgate_procs call copies
 * it out, with what /proc does not show: the gate). STAT is R running or
 * runnable, S sleeping, Z zombie; GATE is the way its last system call
 * entered the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysgate.h>

static int by_pid(const void* a, const void* b) {
    const struct sysgate_proc *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

int main(void) {
    /* The table may grow between two calls: ask until it fits. */
    struct sysgate_proc* procs = NULL;
    long n = 16, capacity = 0;
    while (n > capacity) {
        capacity = n + 8;
        procs = realloc(procs, (size_t)capacity * sizeof(*procs));
        if (!procs) {
            fputs("ps: out of memory\n", stderr);
            return 1;
        }
        n = sysgate_procs(procs, (unsigned long)capacity);
        if (n < 0) {
            perror("ps: sysgate_procs");
            return 1;
        }
    }
    qsort(procs, (size_t)n, sizeof(*procs), by_pid);
    printf("%5s %5s %4s %4s %-8s %s\n", "PID", "PPID", "STAT", "BITS", "GATE", "NAME");
    for (long i = 0; i < n; i++) {
        const struct sysgate_proc* p = &procs[i];
        printf("%5d %5d %4c %4u %-8s %.*s\n", (int)p->pid, (int)p->ppid, p->state, (unsigned)p->bits,
               sysgate_gate_name((int)p->gate), (int)sizeof(p->name), p->name);
    }
    free(procs);
    return 0;
}
