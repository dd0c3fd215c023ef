/* A tiny test framework for the in-guest suite: one line per case on the
 * serial console ([RUN] / [OK] / [FAIL] / [SKIP]), a RESULT line per
 * program, and the exit status as the verdict (0 = all passed). */
#ifndef SYSGATE_TEST_CHECK_H
#define SYSGATE_TEST_CHECK_H

#include <stdint.h>

void check_failed(const char* file, int line, const char* expression, const char* details);
void check_failed_values(const char* file, int line, const char* expression, long long a, long long b);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) check_failed(__FILE__, __LINE__, #cond, 0);                                                       \
    } while (0)
#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                                \
        if (check_a_ != check_b_) check_failed_values(__FILE__, __LINE__, #a " == " #b, check_a_, check_b_);           \
    } while (0)

void test_run(const char* name, void (*fn)(void));
void test_skip(const char* reason);      /* inside a test: mark it skipped */
void test_note(const char* format, ...); /* an informational line under the current test */
int test_summary(const char* program);   /* prints RESULT, returns the exit status */

/* What the suite runs on, so expectations can follow known emulator
 * deviations from hardware (docs/testing.md lists them). */
int test_vendor(void);           /* SYSGATE_VENDOR_* from sysgate_stats */
const char* test_emulator(void); /* $SYSGATE_EMULATOR: qemu, kvm, bochs, or "unknown" */

/* Runs fn(arg) and catches SIGILL, SIGSEGV, SIGFPE or SIGBUS:
 * returns 0 if fn returned, else the signal; *ax gets eax/rax at the
 * signal (from the ucontext). */
int run_catching(void (*fn)(void* arg), void* arg, long* ax);

#endif
