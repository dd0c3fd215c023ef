/* The 64-bit vDSO's time functions: answered from the data page the
 * kernel maps right below the code, without entering the kernel. Same
 * names and ABI as Linux's vDSO, so programs and libcs find them alike. */
#include <stdint.h>

#include "arch/x86/vdso/vdso_data.h"

struct vdso_timespec {
    int64_t tv_sec, tv_nsec;
};
struct vdso_timeval {
    int64_t tv_sec, tv_usec;
};
struct vdso_timezone {
    int tz_minuteswest, tz_dsttime;
};

/* Both resolved by the linker script, PC-relative: no relocations. */
extern const volatile struct vdso_data vdso_data __attribute__((visibility("hidden")));
long __sysgate_vdso_fallback(long number, long a1, long a2) __attribute__((visibility("hidden")));

enum { CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
       CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7 };
enum { NR_clock_gettime = 228, NR_gettimeofday = 96 };

static inline uint64_t rdtsc_ordered(void) {
    uint32_t lo, hi;
    /* lfence keeps rdtsc from running ahead of the seqlock read. */
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

/* Nanoseconds on `clock`, or -1 for a clock the page cannot answer. */
static int64_t read_clock(int clock) {
    int realtime;
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE: realtime = 1; break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: realtime = 0; break;
    default: return -1;
    }
    uint32_t seq;
    int64_t ns;
    do {
        seq = vdso_data.seq;
        __asm__ volatile("" ::: "memory");
        ns = (int64_t)vdso_tsc_to_ns((const struct vdso_data*)&vdso_data, rdtsc_ordered());
        if (realtime) ns += vdso_data.realtime_offset_ns;
        __asm__ volatile("" ::: "memory");
    } while ((seq & 1) || seq != vdso_data.seq);
    return ns;
}

int __vdso_clock_gettime(int clock, struct vdso_timespec* ts) {
    const int64_t ns = read_clock(clock);
    if (ns < 0) return (int)__sysgate_vdso_fallback(NR_clock_gettime, clock, (long)ts);
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
    return 0;
}

int __vdso_gettimeofday(struct vdso_timeval* tv, struct vdso_timezone* tz) {
    if (tv) {
        const int64_t ns = read_clock(CLOCK_REALTIME);
        tv->tv_sec = ns / 1000000000;
        tv->tv_usec = ns % 1000000000 / 1000;
    }
    if (tz) tz->tz_minuteswest = tz->tz_dsttime = 0;
    return 0;
}

int64_t __vdso_time(int64_t* t) {
    const int64_t seconds = read_clock(CLOCK_REALTIME) / 1000000000;
    if (t) *t = seconds;
    return seconds;
}

long __vdso_getcpu(unsigned* cpu, unsigned* node, void* unused) {
    (void)unused;
    if (cpu) *cpu = vdso_data.cpu;
    if (node) *node = 0;
    return 0;
}

/* Linux also exports the plain names, weakly. */
int clock_gettime(int, struct vdso_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval*, struct vdso_timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t*) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
