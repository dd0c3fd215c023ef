#ifndef SYSGATE_SYS_TIME_H
#define SYSGATE_SYS_TIME_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>
#include <time.h>

struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};

struct timezone {
    int tz_minuteswest;
    int tz_dsttime;
};

__SG_BEGIN_DECLS
/* x86_64: through the vDSO's __vdso_gettimeofday when there is one. */
int gettimeofday(struct timeval* __restrict tv, void* __restrict tz);
__SG_END_DECLS

#endif
