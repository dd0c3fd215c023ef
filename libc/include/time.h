#ifndef SYSGATE_TIME_H
#define SYSGATE_TIME_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

/* The kernel's layout for the calls this libc makes: two longs (on i386
   this is the 32-bit "old" timespec of clock_gettime 265 and nanosleep 162). */
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};

__SG_BEGIN_DECLS
/* x86_64: through the vDSO's __vdso_clock_gettime when there is one. */
int clock_gettime(clockid_t clock, struct timespec* ts);
time_t time(time_t* t);
int nanosleep(const struct timespec* req, struct timespec* rem);
__SG_END_DECLS

#endif
