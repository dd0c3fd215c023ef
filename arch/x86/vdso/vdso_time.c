/* The vDSO's time functions, one source compiled twice: for the 64-bit
 * vDSO and (with -m32) for the 32-bit one. They answer from the data page
 * the kernel maps right below the code (vdso_data.h), without entering the
 * kernel; a clock the page does not keep goes to the kernel through
 * __sysgate_vdso_fallback (vdso64.S, vdso32.S), which the kernel counts
 * and traces as "vdso-fallback". Names, types and results are Linux's
 * (arch/x86/entry/vdso/vclock_gettime.c): 0 or -errno, like the system
 * call, so programs and libcs find and use them alike.
 *
 *   64-bit:  __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time,
 *            __vdso_clock_getres, __vdso_getcpu (and the plain names, weak)
 *   32-bit:  __vdso_clock_gettime (32-bit timespec), __vdso_clock_gettime64
 *            (64-bit timespec: past 2038), __vdso_gettimeofday,
 *            __vdso_time, __vdso_clock_getres (32-bit timespec)
 *
 * `long` is the ABI's word: 64 bits in one build, 32 in the other, which
 * gives each ABI its "old" timespec, timeval and time_t. */
#include <stdint.h>
#include <sysgate/syscall_nr.h>

#include "arch/x86/vdso/vdso_data.h"

/* The same layout for both builds (i386 aligns uint64_t to 4 only). */
_Static_assert(__builtin_offsetof(struct vdso_data, seq) == 0 && __builtin_offsetof(struct vdso_data, tsc_at_boot) == 8 &&
                   __builtin_offsetof(struct vdso_data, ns_mult) == 16 && /* vdso32_time.S reads these */
                   __builtin_offsetof(struct vdso_data, tsc_hz) == 32 && sizeof(struct vdso_data) == 40,
               "vdso_data layout");

struct old_timespec { /* struct __kernel_old_timespec; old_timespec32 on i386 */
    long tv_sec, tv_nsec;
};
struct timespec64 { /* struct __kernel_timespec */
    int64_t tv_sec;
    long long tv_nsec;
};
struct old_timeval { /* struct __kernel_old_timeval */
    long tv_sec, tv_usec;
};
struct vdso_timezone {
    int tz_minuteswest, tz_dsttime;
};

/* Both resolved by the linker script and the assembler, position-
 * independently: no relocations. */
extern const volatile struct vdso_data vdso_data __attribute__((visibility("hidden")));
long __sysgate_vdso_fallback(long number, long a1, long a2) __attribute__((visibility("hidden")));

enum {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7
};

/* The calls the fallback makes, by Linux's numbers. clock_getres is not
 * in Sysgate's tables yet: for a clock the page does not keep, the kernel
 * answers -ENOSYS. */
#ifdef __x86_64__
#define NR_CLOCK_GETTIME __NR64_clock_gettime
#define NR_CLOCK_GETRES 229
#else
#define NR_CLOCK_GETTIME32 __NR32_clock_gettime /* 265: 32-bit timespec */
#define NR_CLOCK_GETTIME64 __NR32_clock_gettime64
#define NR_CLOCK_GETRES32 266
#endif

#define NSEC_PER_SEC 1000000000u

static inline uint64_t rdtsc_ordered(void) {
    uint32_t lo, hi;
    /* lfence keeps rdtsc from running ahead of the seqlock read. */
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

/* Is `clock` one the page keeps? 1 realtime, 0 monotonic, -1 neither. */
static int clock_kind(int clock) {
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return 1;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        return 0;
    default:
        return -1;
    }
}

/* Nanoseconds on a clock the page keeps (clock_kind >= 0). The seqlock
 * loop only reads (the parameters and the TSC, all consistent once the
 * sequence number is even and unchanged); the arithmetic comes after it.
 * Inlined, and with `realtime` a constant in each copy (the callers below
 * test the clock's kind first): on i386, where GCC is short of registers
 * for 64-bit arithmetic, that saves about a tenth of clock_gettime's
 * instructions. */
static inline __attribute__((always_inline)) uint64_t read_ns(int realtime) {
    uint32_t seq;
    uint64_t tsc, boot, mult, offset;
    do {
        seq = vdso_data.seq;
        __asm__ volatile("" ::: "memory");
        boot = vdso_data.tsc_at_boot;
        mult = vdso_data.ns_mult;
        offset = realtime ? (uint64_t)vdso_data.realtime_offset_ns : 0;
        tsc = rdtsc_ordered();
        __asm__ volatile("" ::: "memory");
    } while ((seq & 1) || seq != vdso_data.seq);
    struct vdso_data d;
    d.tsc_at_boot = boot;
    d.ns_mult = mult;
    return vdso_tsc_to_ns(&d, tsc) + offset;
}

/* The same, out of line, for the functions that only read the wall clock
 * (gettimeofday, time), so that the image stays small. */
static __attribute__((noinline)) uint64_t realtime_ns(void) {
    return read_ns(1);
}

/* Seconds and the nanoseconds left over. On i386 a 64-bit division would
 * be a call into libgcc, which the vDSO does not have: two 32-bit divl
 * instead (the second quotient fits 32 bits, its dividend's high half
 * being a remainder below the divisor). */
static inline __attribute__((always_inline)) uint64_t split_ns(uint64_t ns, uint32_t* nsec) {
#ifdef __x86_64__
    *nsec = (uint32_t)(ns % NSEC_PER_SEC);
    return ns / NSEC_PER_SEC;
#else
    uint32_t q_hi, q_lo, r;
    __asm__("divl %4" : "=a"(q_hi), "=d"(r) : "a"((uint32_t)(ns >> 32)), "d"(0u), "rm"(NSEC_PER_SEC));
    __asm__("divl %4" : "=a"(q_lo), "=d"(r) : "a"((uint32_t)ns), "d"(r), "rm"(NSEC_PER_SEC));
    *nsec = r;
    return (uint64_t)q_hi << 32 | q_lo;
#endif
}


/* CLOCK_MONOTONIC, the clock programs time themselves with, is tested
 * first and read inline; the other clocks after it. */
#ifdef __x86_64__
int __vdso_clock_gettime(int clock, struct old_timespec* ts) {
    uint32_t nsec;
    if (__builtin_expect(clock == CLOCK_MONOTONIC, 1)) {
        ts->tv_sec = (long)split_ns(read_ns(0), &nsec);
        ts->tv_nsec = nsec;
        return 0;
    }
    const int kind = clock_kind(clock);
    if (kind < 0) return (int)__sysgate_vdso_fallback(NR_CLOCK_GETTIME, clock, (long)ts);
    ts->tv_sec = (long)split_ns(kind ? read_ns(1) : read_ns(0), &nsec);
    ts->tv_nsec = nsec;
    return 0;
}
#else
/* CLOCK_MONOTONIC is answered in vdso32_time.S, by hand; these take the
 * other clocks (and a multiplier wider than 32 bits). */
int vdso_clock_gettime_general(int clock, struct old_timespec* ts) __attribute__((visibility("hidden")));
int vdso_clock_gettime_general(int clock, struct old_timespec* ts) {
    const int kind = clock_kind(clock);
    if (kind < 0) return (int)__sysgate_vdso_fallback(NR_CLOCK_GETTIME32, clock, (long)ts);
    uint32_t nsec;
    ts->tv_sec = (long)split_ns(kind ? read_ns(1) : read_ns(0), &nsec); /* wraps in 2038, as the system call's */
    ts->tv_nsec = (long)nsec;
    return 0;
}

int vdso_clock_gettime64_general(int clock, struct timespec64* ts) __attribute__((visibility("hidden")));
int vdso_clock_gettime64_general(int clock, struct timespec64* ts) {
    const int kind = clock_kind(clock);
    if (kind < 0) return (int)__sysgate_vdso_fallback(NR_CLOCK_GETTIME64, clock, (long)ts);
    uint32_t nsec;
    ts->tv_sec = (int64_t)split_ns(kind ? read_ns(1) : read_ns(0), &nsec);
    ts->tv_nsec = nsec;
    return 0;
}
#endif

int __vdso_gettimeofday(struct old_timeval* tv, struct vdso_timezone* tz) {
    if (tv) {
        uint32_t nsec;
        tv->tv_sec = (long)split_ns(realtime_ns(), &nsec);
        tv->tv_usec = (long)(nsec / 1000);
    }
    if (tz) tz->tz_minuteswest = tz->tz_dsttime = 0;
    return 0;
}

long __vdso_time(long* t) {
    uint32_t nsec;
    const long seconds = (long)split_ns(realtime_ns(), &nsec);
    if (t) *t = seconds;
    return seconds;
}

/* Every clock the page keeps is read from the TSC at nanosecond
 * resolution, the coarse ones too. */
int __vdso_clock_getres(int clock, struct old_timespec* res) {
#ifdef __x86_64__
    if (clock_kind(clock) < 0) return (int)__sysgate_vdso_fallback(NR_CLOCK_GETRES, clock, (long)res);
#else
    if (clock_kind(clock) < 0) return (int)__sysgate_vdso_fallback(NR_CLOCK_GETRES32, clock, (long)res);
#endif
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = 1;
    }
    return 0;
}

#ifdef __x86_64__
long __vdso_getcpu(unsigned* cpu, unsigned* node, void* unused) {
    (void)unused;
    if (cpu) *cpu = vdso_data.cpu;
    if (node) *node = 0;
    return 0;
}

/* Linux's 64-bit vDSO also exports the plain names, weakly (its 32-bit one
 * does not: arch/x86/entry/vdso/vdso32/vdso32.lds.S). */
int clock_gettime(int, struct old_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct old_timeval*, struct vdso_timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct old_timespec*) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
#endif
