/* <sysgate.h>'s calls and names, and uname. */
#include <sys/utsname.h>
#include <sysgate.h>

#include "libc.h"

const char* sysgate_gate_name(int gate) {
    switch (gate) {
    case SYSGATE_GATE_INT80:
        return "int80";
    case SYSGATE_GATE_SYSENTER:
        return "sysenter";
    case SYSGATE_GATE_SYSCALL:
        return "syscall";
    case SYSGATE_GATE_VDSO_FALLBACK:
        return "vdso-fallback";
    case SYSGATE_GATE_VSYSCALL:
        return "vsyscall";
    }
    return "?";
}

long sysgate_stats(struct sysgate_stats* buf, unsigned long size) {
    return __sg_ret(sys_sysgate_stats(buf, size));
}
long sysgate_ctl(long op, long arg) {
    return __sg_ret(sys_sysgate_ctl(op, arg));
}

long sysgate_procs(struct sysgate_proc* buf, unsigned long count) {
    return __sg_ret(sys_sysgate_procs(buf, count));
}

int uname(struct utsname* u) {
    return (int)__sg_ret(sys_uname(u));
}
