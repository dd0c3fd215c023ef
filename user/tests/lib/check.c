#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysgate.h>

static const char* current;
static int failed_now, skipped_now;
static int passed, failed, skipped;

void check_failed(const char* file, int line, const char* expression, const char* details) {
    printf("    %s:%d: CHECK(%s) failed%s%s\n", file, line, expression, details ? ": " : "", details ? details : "");
    failed_now = 1;
}

void check_failed_values(const char* file, int line, const char* expression, long long a, long long b) {
    char details[96];
    snprintf(details, sizeof details, "%lld (%#llx) vs %lld (%#llx)", a, (unsigned long long)a, b,
             (unsigned long long)b);
    check_failed(file, line, expression, details);
}

void test_skip(const char* reason) {
    printf("    skipped: %s\n", reason);
    skipped_now = 1;
}

void test_note(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    printf("    ");
    vprintf(format, ap);
    printf("\n");
    va_end(ap);
}

void test_run(const char* name, void (*fn)(void)) {
    current = name;
    failed_now = skipped_now = 0;
    printf("[RUN] %s\n", name);
    fflush(stdout);
    fn();
    if (failed_now) {
        failed++;
        printf("[FAIL] %s\n", name);
    } else if (skipped_now) {
        skipped++;
        printf("[SKIP] %s\n", name);
    } else {
        passed++;
        printf("[OK] %s\n", name);
    }
    fflush(stdout);
}

int test_summary(const char* program) {
    printf("RESULT %s: %d passed, %d failed, %d skipped\n", program, passed, failed, skipped);
    fflush(stdout);
    return failed ? 1 : 0;
}

int test_vendor(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    sysgate_stats(&s, sizeof s);
    return (int)s.cpu_vendor;
}

const char* test_emulator(void) {
    const char* e = getenv("SYSGATE_EMULATOR");
    return e ? e : "unknown";
}

/* ---- catching faults */

static jmp_buf catch_point;
static volatile int caught_signal;
static volatile long caught_ax;

static void on_fault(int sig, siginfo_t* info, void* context) {
    (void)info;
    caught_signal = sig;
    /* The accumulator from the ucontext the kernel built (Linux's layout:
     * uc_flags, uc_link, uc_stack, then the sigcontext). */
#if defined(__x86_64__)
    caught_ax = (long)((uint64_t*)((char*)context + 40))[13];
#else
    caught_ax = (long)((uint32_t*)((char*)context + 20))[11];
#endif
    longjmp(catch_point, 1);
}

int run_catching(void (*fn)(void* arg), void* arg, long* ax) {
    static const int signals[] = {SIGILL, SIGSEGV, SIGFPE, SIGBUS};
    enum { COUNT = sizeof signals / sizeof signals[0] };
    struct sigaction sa, old[COUNT];
    /* On an alternate stack: the fault may be a bad stack pointer. */
    static char altstack[16384] __attribute__((aligned(16)));
    const stack_t ss = {altstack, 0, sizeof altstack};
    sigaltstack(&ss, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    for (int i = 0; i < COUNT; i++) sigaction(signals[i], &sa, &old[i]);
    caught_signal = 0;
    caught_ax = 0;
    if (setjmp(catch_point) == 0) fn(arg);
    for (int i = 0; i < COUNT; i++) sigaction(signals[i], &old[i], 0);
    if (ax) *ax = caught_ax;
    return caught_signal;
}
