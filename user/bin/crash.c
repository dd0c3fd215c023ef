/* crash HOW: dies on purpose, to show what the kernel and the shell do
 * with a faulting program: the kernel prints a "[fault]" line for a CPU
 * exception and stops the program with a signal; the shell prints that
 * signal, as a Linux shell would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* volatile: the compiler must not see through them (it would turn 1 / x
   into a comparison) */
static volatile int zero = 0, one = 1;

static void segv(void) {
    *(volatile int*)(long)zero = 1;
}

static void ill(void) {
    __asm__ volatile("ud2");
}

static void fpe(void) {
    printf("%d\n", one / zero);
}

static void gp(void) {
    __asm__ volatile("hlt");
}

static int recurse(volatile char* previous) {
    volatile char frame[1024];
    frame[0] = (char)(previous[0] + 1);
    return zero ? 0 : recurse(frame) + frame[0]; /* not a tail call */
}

static void stack(void) {
    volatile char start = 0;
    printf("%d\n", recurse(&start));
}

static const struct {
    const char* name;
    const char* what;
    void (*run)(void);
} ways[] = {
    {"segv", "write to address 0: page fault, SIGSEGV", segv},
    {"ill", "execute ud2: invalid opcode, SIGILL", ill},
    {"fpe", "divide by zero: divide error, SIGFPE", fpe},
    {"gp", "execute hlt in ring 3: general protection, SIGSEGV", gp},
    {"stack", "recurse forever: page fault below the stack, SIGSEGV", stack},
    {"abort", "call abort(): SIGABRT, no CPU exception", abort},
};

int main(int argc, char** argv) {
    for (size_t i = 0; argc == 2 && i < sizeof(ways) / sizeof(ways[0]); i++) {
        if (strcmp(argv[1], ways[i].name)) continue;
        printf("crash: %s\n", ways[i].what);
        fflush(stdout);
        ways[i].run();
        return 1; /* not reached */
    }
    fputs("usage: crash segv|ill|fpe|gp|stack|abort\n", stderr);
    return 2;
}
