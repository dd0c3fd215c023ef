/* bench: the cost of one system-call round trip through each gate, as in
 * the classic "int 0x80 vs sysenter" table: 100000 getppid() calls per
 * run, several runs, min and median TSC ticks per call.
 *
 *   bench [-n CALLS] [-r RUNS]
 *
 * Under QEMU -icount shift=0 (scripts/boot --icount) and in Bochs the TSC
 * advances once per guest instruction, so the ticks column is the length
 * of the software path. Under plain QEMU TCG it is emulated time: compare
 * gates within one run only. The same static binary runs on Linux, where
 * it uses the native instructions and estimates the TSC rate itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static long calls = 100000;
static int runs = 7;
static void* vsyscall; /* __kernel_vsyscall */
static int (*vdso_clock_gettime)(int, struct timespec*);

/* One timed loop per gate: `calls` round trips, ticks per call. Each loop
 * is its own function so the compiler cannot merge or hoist the calls. */
#if defined(__x86_64__)
static void loop_syscall(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("syscall" : "=a"(r) : "a"(__NR64_getppid) : "rcx", "r11", "memory");
    }
}
static void loop_int80(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(__NR32_getppid) : "memory");
    }
}
static void loop_sysenter(long n) {
    /* Sysgate's 64-bit sysenter protocol (Intel): rdx and rbp saved, our
     * stack in rbp; the kernel returns to the vDSO's landing pad, which
     * pops them and returns after the call. */
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("call 1f\n\t"
                         "jmp 2f\n"
                         "1: push %%rdx\n\t"
                         "push %%rbp\n\t"
                         "mov %%rsp, %%rbp\n\t"
                         "sysenter\n"
                         "2:"
                         : "=a"(r)
                         : "a"(__NR64_getppid)
                         : "rcx", "r11", "memory");
    }
}
static void loop_vdso(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("call *%1" : "=a"(r) : "r"(vsyscall), "a"(__NR64_getppid) : "rcx", "r11", "memory");
    }
}
#else
static void loop_int80(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(__NR32_getppid) : "memory");
    }
}
static void loop_sysenter(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("call 1f\n\t"
                         "jmp 2f\n"
                         "1: push %%ecx\n\t"
                         "push %%edx\n\t"
                         "push %%ebp\n\t"
                         "mov %%esp, %%ebp\n\t"
                         "sysenter\n"
                         "2:"
                         : "=a"(r)
                         : "a"(__NR32_getppid)
                         : "memory");
    }
}
static void loop_syscall(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("push %%ebp\n\t"
                         "mov %%ecx, %%ebp\n\t"
                         "syscall\n\t"
                         "mov %%ebp, %%ecx\n\t"
                         "pop %%ebp"
                         : "=a"(r)
                         : "a"(__NR32_getppid)
                         : "ecx", "memory");
    }
}
static void loop_vdso(long n) {
    for (long i = 0; i < n; i++) {
        long r;
        __asm__ volatile("call *%1" : "=a"(r) : "r"(vsyscall), "a"(__NR32_getppid) : "memory");
    }
}
#endif
static void loop_clock_gettime(long n) {
    struct timespec ts;
    for (long i = 0; i < n; i++) vdso_clock_gettime(CLOCK_MONOTONIC, &ts);
}
static void loop_empty(long n) {
    for (long i = 0; i < n; i++) __asm__ volatile("" ::: "memory");
}

static int by_value(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

struct row {
    const char* name;
    void (*loop)(long);
    int available;
    const char* why_not;
};

static double tsc_hz;
static int ticks_are_instructions; /* then nanoseconds mean nothing */

static void measure(const struct row* r) {
    if (!r->available) {
        printf("%-34s %12s %12s %12s   (%s)\n", r->name, "-", "-", "-", r->why_not);
        return;
    }
    double per_call[64];
    r->loop(calls / 10 + 1); /* warm the caches and the TLB */
    for (int i = 0; i < runs; i++) {
        const uint64_t start = rdtsc();
        r->loop(calls);
        per_call[i] = (double)(rdtsc() - start) / (double)calls;
    }
    qsort(per_call, (size_t)runs, sizeof per_call[0], by_value);
    const double median = per_call[runs / 2];
    if (ticks_are_instructions)
        printf("%-34s %12.1f %12.1f %12s\n", r->name, per_call[0], median, "-");
    else
        printf("%-34s %12.1f %12.1f %12.1f\n", r->name, per_call[0], median, median * 1e9 / tsc_hz);
    fflush(stdout);
}

/* What the ticks column means where we run: CPUID's hypervisor leaf, and
 * SYSGATE_CLOCK=icount, which scripts/boot sets under -icount and Bochs. */
static const char* environment(void) {
    const char* clock = getenv("SYSGATE_CLOCK");
    const int icount = clock && !strcmp(clock, "icount");
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 31)))
        return icount ? "Bochs: ticks are guest instructions (the software path's length)"
                      : "no hypervisor: ticks are TSC cycles";
    char sig[13];
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
    memcpy(sig, &b, 4), memcpy(sig + 4, &c, 4), memcpy(sig + 8, &d, 4);
    sig[12] = 0;
    if (!strcmp(sig, "TCGTCGTCGTCG"))
        return icount ? "QEMU TCG with -icount shift=0: ticks are guest instructions (deterministic)"
                      : "QEMU TCG: ticks are emulated time (compare gates within this run only)";
    if (!strcmp(sig, "KVMKVMKVM")) return "KVM: ticks are CPU cycles";
    return "a hypervisor: ticks are TSC cycles as it presents them";
}

int main(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-n"))
            calls = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "-r"))
            runs = atoi(argv[i + 1]);
    }
    if (calls < 1) calls = 1;
    if (runs < 1) runs = 1;
    if (runs > 64) runs = 64;

    struct sysgate_stats stats;
    memset(&stats, 0, sizeof stats);
    const int on_sysgate = sysgate_stats(&stats, sizeof stats) > 0;
    int intel, amd;
    if (on_sysgate) {
        tsc_hz = (double)stats.tsc_hz;
        intel = stats.cpu_vendor == SYSGATE_VENDOR_INTEL;
        amd = stats.cpu_vendor == SYSGATE_VENDOR_AMD;
    } else { /* Linux: estimate the TSC rate against CLOCK_MONOTONIC */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        const uint64_t c0 = rdtsc();
        do clock_gettime(CLOCK_MONOTONIC, &t1);
        while ((t1.tv_sec - t0.tv_sec) * 1000000000l + (t1.tv_nsec - t0.tv_nsec) < 100000000l);
        tsc_hz =
            (double)(rdtsc() - c0) * 1e9 / (double)((t1.tv_sec - t0.tv_sec) * 1000000000l + (t1.tv_nsec - t0.tv_nsec));
        uint32_t a, b, c, d;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
        intel = b == 0x756e6547; /* "Genu" */
        amd = b == 0x68747541;   /* "Auth" */
    }
    (void)amd; /* only the 32-bit table has an AMD-only row */
    const char* clock = getenv("SYSGATE_CLOCK");
    ticks_are_instructions = clock && !strcmp(clock, "icount");
    vsyscall = sysgate_vdso_symbol("__kernel_vsyscall");
    vdso_clock_gettime = (int (*)(int, struct timespec*))sysgate_vdso_symbol("__vdso_clock_gettime");

    printf("Sysgate bench (%d-bit) on %s: %ld x getppid() per run, %d runs\n", (int)sizeof(void*) * 8,
           on_sysgate ? "Sysgate" : "a foreign kernel (Linux?)", calls, runs);
    printf("environment: %s\n", environment());
    printf("TSC %.1f MHz%s\n", tsc_hz / 1e6, on_sysgate ? " (the kernel's calibration)" : " (estimated)");
    printf("%-34s %12s %12s %12s\n", "gate", "min ticks", "median ticks", "ns/call");
    const char* gate32 = stats.vdso_gate32 == SYSGATE_GATE_SYSENTER  ? "sysenter"
                         : stats.vdso_gate32 == SYSGATE_GATE_SYSCALL ? "syscall"
                                                                     : "int80";
    (void)gate32;
#if defined(__x86_64__)
    char vdso_name[64];
    snprintf(vdso_name, sizeof vdso_name, "vdso __kernel_vsyscall (%s)",
             stats.vdso_gate64 == SYSGATE_GATE_SYSENTER ? "sysenter" : "syscall");
    const struct row rows[] = {
        {"syscall", loop_syscall, 1, ""},
        {"int $0x80 (i386 numbers)", loop_int80, 1, ""},
        {"sysenter (64-bit, Intel only)", loop_sysenter, on_sysgate && intel && vsyscall != 0,
         on_sysgate ? "AMD CPUs raise #UD" : "a Sysgate extension"},
        {vdso_name, loop_vdso, vsyscall != 0, "no __kernel_vsyscall in this vDSO"},
        {"__vdso_clock_gettime (no entry)", loop_clock_gettime, vdso_clock_gettime != 0, "no vDSO"},
        {"loop only (the timing overhead)", loop_empty, 1, ""},
    };
#else
    char vdso_name[64];
    snprintf(vdso_name, sizeof vdso_name, "vdso __kernel_vsyscall (%s)", on_sysgate ? gate32 : "the kernel's choice");
    const struct row rows[] = {
        {"int $0x80", loop_int80, 1, ""},
        {"sysenter", loop_sysenter, intel && vsyscall != 0 && on_sysgate,
         !on_sysgate ? "bare: needs Sysgate's landing pad" : "AMD raises #UD in compat mode"},
        {"syscall (compat, AMD only)", loop_syscall, amd && on_sysgate,
         !on_sysgate ? "bare: needs Sysgate's entry protocol" : "Intel raises #UD in compat mode"},
        {vdso_name, loop_vdso, vsyscall != 0, "no AT_SYSINFO"},
        {"__vdso_clock_gettime (no entry)", loop_clock_gettime, vdso_clock_gettime != 0,
         "Sysgate's 32-bit vDSO has no time functions"},
        {"loop only (the timing overhead)", loop_empty, 1, ""},
    };
#endif
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) measure(&rows[i]);
    printf("bench: done\n");
    return 0;
}
