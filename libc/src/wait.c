/* wait and waitpid: wait4 on x86_64 (which has no waitpid), waitpid on i386. */
#include <sys/wait.h>

#include "libc.h"

pid_t waitpid(pid_t pid, int* status, int options) {
    long r;
    do {
#ifdef __x86_64__
        r = sys_wait4(pid, status, options, 0);
#else
        r = sys_waitpid(pid, status, options);
#endif
    } while (r == -EINTR);
    return (pid_t)__sg_ret(r);
}

pid_t wait(int* status) {
    return waitpid(-1, status, 0);
}
