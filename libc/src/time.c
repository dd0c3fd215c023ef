/* Clocks. On x86_64 the vDSO's functions (Sysgate's and Linux's) read the
   time without entering the kernel; they return the raw result (-errno on
   failure), like a system call. The i386 vDSO is not used for time: the
   calls go to the kernel (clock_gettime 265, with the 32-bit timespec of
   <time.h>). */
#include <sched.h>
#include <sys/time.h>
#include <sysgate.h>
#include <time.h>

#include "libc.h"

#ifdef __x86_64__
/* The types of Linux's x86_64 vDSO (arch/x86/entry/vdso/): the int
   results matter, the upper half of rax is not defined. */
static int (*vdso_clock_gettime)(clockid_t, struct timespec*);
static int (*vdso_gettimeofday)(struct timeval*, void*);
static time_t (*vdso_time)(time_t*);
static long (*vdso_getcpu)(unsigned*, unsigned*, void*);
#endif

void __sg_time_init(void) {
#ifdef __x86_64__
    vdso_clock_gettime = (int (*)(clockid_t, struct timespec*))sysgate_vdso_symbol("__vdso_clock_gettime");
    vdso_gettimeofday = (int (*)(struct timeval*, void*))sysgate_vdso_symbol("__vdso_gettimeofday");
    vdso_time = (time_t(*)(time_t*))sysgate_vdso_symbol("__vdso_time");
    vdso_getcpu = (long (*)(unsigned*, unsigned*, void*))sysgate_vdso_symbol("__vdso_getcpu");
#endif
}

int clock_gettime(clockid_t clock, struct timespec* ts) {
#ifdef __x86_64__
    if (vdso_clock_gettime) return (int)__sg_ret(vdso_clock_gettime(clock, ts));
#endif
    return (int)__sg_ret(sys_clock_gettime(clock, ts));
}

int gettimeofday(struct timeval* __restrict tv, void* __restrict tz) {
#ifdef __x86_64__
    if (vdso_gettimeofday) return (int)__sg_ret(vdso_gettimeofday(tv, tz));
#endif
    return (int)__sg_ret(sys_gettimeofday(tv, tz));
}

time_t time(time_t* t) {
#ifdef __x86_64__
    if (vdso_time) return (time_t)__sg_ret(vdso_time(t));
#endif
    return (time_t)__sg_ret(sys_time(t));
}

int nanosleep(const struct timespec* req, struct timespec* rem) {
    return (int)__sg_ret(sys_nanosleep(req, rem));
}

int getcpu(unsigned* cpu, unsigned* node) {
#ifdef __x86_64__
    if (vdso_getcpu) return (int)__sg_ret(vdso_getcpu(cpu, node, NULL));
#endif
    return (int)__sg_ret(sys_getcpu(cpu, node, NULL));
}

int sched_getcpu(void) {
    unsigned cpu;
    return getcpu(&cpu, NULL) < 0 ? -1 : (int)cpu;
}
