/* Clocks. The vDSO's time functions (Sysgate's and Linux's, both
   bitnesses) read the time without entering the kernel; they return the
   raw result (-errno on failure), like a system call. Without a vDSO the
   calls go to the kernel. On i386, time_t, struct timespec and struct
   timeval are the 32-bit "old" ones of <time.h>: the i386 vDSO's
   __vdso_clock_gettime, __vdso_gettimeofday and __vdso_time use the same
   (clock_gettime 265 too). i386 has no __vdso_getcpu (Linux's neither). */
#include <sched.h>
#include <sys/time.h>
#include <sysgate.h>
#include <time.h>

#include "libc.h"

/* The types of Linux's vDSO (arch/x86/entry/vdso/vclock_gettime.c): the
   int results matter, the upper half of rax is not defined. */
static int (*vdso_clock_gettime)(clockid_t, struct timespec*);
static int (*vdso_gettimeofday)(struct timeval*, void*);
static time_t (*vdso_time)(time_t*);
#ifdef __x86_64__
static long (*vdso_getcpu)(unsigned*, unsigned*, void*);
#endif

/* By name and version, as glibc asks for them (LINUX_2.6). */
void __sg_time_init(void) {
    vdso_clock_gettime = (int (*)(clockid_t, struct timespec*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_clock_gettime");
    vdso_gettimeofday = (int (*)(struct timeval*, void*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_gettimeofday");
    vdso_time = (time_t(*)(time_t*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_time");
#ifdef __x86_64__
    vdso_getcpu = (long (*)(unsigned*, unsigned*, void*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_getcpu");
#endif
}

int clock_gettime(clockid_t clock, struct timespec* ts) {
    if (vdso_clock_gettime) return (int)__sg_ret(vdso_clock_gettime(clock, ts));
    return (int)__sg_ret(sys_clock_gettime(clock, ts));
}

int gettimeofday(struct timeval* __restrict tv, void* __restrict tz) {
    if (vdso_gettimeofday) return (int)__sg_ret(vdso_gettimeofday(tv, tz));
    return (int)__sg_ret(sys_gettimeofday(tv, tz));
}

time_t time(time_t* t) {
    if (vdso_time) return (time_t)__sg_ret(vdso_time(t));
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
