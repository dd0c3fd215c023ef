/* The legacy vsyscall page at 0xffffffffff600000 (kernel/vsyscall_page.h):
 * gettimeofday, time and getcpu called at their fixed addresses are
 * emulated and counted as the "vsyscall" gate, whatever the mode but none;
 * anything else in the page is a SIGSEGV; the page reads as Linux's code
 * in emulate mode and not at all otherwise. 64-bit programs only. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define PAGE 0xffffffffff600000ull

#if defined(__x86_64__)
typedef long (*gtod_fn)(struct timeval*, void*);
typedef long (*time_fn)(long*);
typedef long (*getcpu_fn)(unsigned*, unsigned*, void*);

static struct sysgate_stats stats(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    sysgate_stats(&s, sizeof s);
    return s;
}

static void call_at(void* arg) {
    ((long (*)(void))arg)();
}
static void read_at(void* arg) {
    (void)*(volatile unsigned char*)arg;
}
static void gtod_bad_buffer(void* arg) {
    (void)arg;
    ((gtod_fn)PAGE)((struct timeval*)UNMAPPED_ADDRESS, 0);
}
#endif

static void the_three_calls_are_emulated(void) {
#if defined(__x86_64__)
    const struct sysgate_stats before = stats();
    if (before.vsyscall_page == SYSGATE_VSYSCALL_NONE) {
        test_skip("booted with vsyscall=none: there is no page (checked below)");
        return;
    }
    struct timeval tv = {0, 0}, now;
    CHECK_EQ(((gtod_fn)PAGE)(&tv, 0), 0);
    gettimeofday(&now, 0);
    CHECK(tv.tv_sec > 1600000000 && now.tv_sec - tv.tv_sec <= 1);
    long t = 0;
    const long r = ((time_fn)(PAGE + 0x400))(&t);
    CHECK_EQ(r, t);
    CHECK(t >= tv.tv_sec && t <= now.tv_sec + 1);
    unsigned cpu = 99, node = 99;
    CHECK_EQ(((getcpu_fn)(PAGE + 0x800))(&cpu, &node, 0), 0);
    CHECK_EQ(cpu, 0);
    CHECK_EQ(node, 0);
    const struct sysgate_stats after = stats();
    CHECK_EQ(after.calls[SYSGATE_GATE_VSYSCALL] - before.calls[SYSGATE_GATE_VSYSCALL], 3);
#else
    test_skip("32-bit programs have no vsyscall page");
#endif
}

static void the_rest_of_the_page_is_a_segfault(void) {
#if defined(__x86_64__)
    const uint32_t mode = stats().vsyscall_page;
    long ax;
    /* Not an entry: jumping into the middle of the page. */
    CHECK_EQ(run_catching(call_at, (void*)(PAGE + 0x10), &ax), SIGSEGV);
    CHECK_EQ(run_catching(call_at, (void*)(PAGE + 0xc00), &ax), SIGSEGV);
    /* A bad buffer is the caller's SIGSEGV, as on Linux. */
    if (mode != SYSGATE_VSYSCALL_NONE) CHECK_EQ(run_catching(gtod_bad_buffer, 0, &ax), SIGSEGV);
    /* Reading: Linux's historical code in emulate mode, else a fault. */
    if (mode == SYSGATE_VSYSCALL_EMULATE) {
        CHECK_EQ(run_catching(read_at, (void*)PAGE, &ax), 0);
        const unsigned char* code = (const unsigned char*)PAGE;
        const unsigned char gtod[] = {0x48, 0xc7, 0xc0, 96, 0, 0, 0, 0x0f, 0x05, 0xc3};
        CHECK(memcmp(code, gtod, sizeof gtod) == 0);
        CHECK_EQ(code[0x400 + 3], 201);
        CHECK_EQ(code[0x10], 0xcc);
    } else {
        CHECK_EQ(run_catching(read_at, (void*)PAGE, &ax), SIGSEGV);
    }
    /* vsyscall=none: the entries are as absent as the rest. */
    if (mode == SYSGATE_VSYSCALL_NONE) CHECK_EQ(run_catching(call_at, (void*)PAGE, &ax), SIGSEGV);
    test_note("mode %s", mode == SYSGATE_VSYSCALL_EMULATE ? "emulate"
                         : mode == SYSGATE_VSYSCALL_NONE  ? "none"
                                                          : "xonly");
#else
    test_skip("32-bit programs have no vsyscall page");
#endif
}

int main(int argc, char** argv) {
    (void)argc;
    set_program(argv[0]);
    test_run("gettimeofday, time and getcpu at their fixed addresses", the_three_calls_are_emulated);
    test_run("the rest of the vsyscall page is a SIGSEGV", the_rest_of_the_page_is_a_segfault);
    return test_summary(sizeof(void*) == 8 ? "vsyscall" : "vsyscall32");
}
