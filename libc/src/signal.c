/* Signals through the kernel's rt_sigaction ABI. */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sysgate.h>
#include <unistd.h>

#include "libc.h"

/* The structure rt_sigaction reads and writes (arch/x86/include/asm/
   signal.h, struct sigaction, and the compat one for i386): handler,
   flags, restorer, then the 8-byte mask at offset 24 (x86_64) or 12. */
struct kernel_sigaction {
    unsigned long handler;
    unsigned long flags;
    unsigned long restorer;
    sigset_t mask;
};
_Static_assert(offsetof(struct kernel_sigaction, mask) == 3 * sizeof(long), "kernel sigaction");

/* libc/arch/<arch>/sigreturn.S: where a handler returns when the libc
   gives the kernel a restorer (SA_RESTORER): rt_sigreturn after an rt
   frame; on i386 also __restore, sigreturn (119) after the old frame that
   a handler without SA_SIGINFO gets. */
void __restore_rt(void);
#ifndef __x86_64__
void __restore(void);

/* As glibc's i386 sigaction (sysdeps/unix/sysv/linux/i386/libc_sigaction.c):
   with a vDSO, no restorer at all; the kernel returns handlers through the
   vDSO's __kernel_sigreturn and __kernel_rt_sigreturn, which debuggers and
   unwinders know. Without one (no AT_SYSINFO_EHDR), the libc's own. */
static int kernel_restores(void) {
    static int known, answer;
    if (!known) {
        answer = sysgate_vdso_symbol("__kernel_rt_sigreturn") && sysgate_vdso_symbol("__kernel_sigreturn");
        known = 1;
    }
    return answer;
}
#endif

int sigaction(int sig, const struct sigaction* __restrict act, struct sigaction* __restrict old) {
    struct kernel_sigaction k, kold;
    if (act) {
        k.handler = (unsigned long)act->sa_handler;
        k.flags = (unsigned long)act->sa_flags;
        k.restorer = 0;
        k.mask = act->sa_mask;
#ifdef __x86_64__
        k.flags |= SA_RESTORER; /* x86_64 handlers must have one */
        k.restorer = (unsigned long)__restore_rt;
#else
        if (!kernel_restores()) {
            k.flags |= SA_RESTORER;
            k.restorer = (unsigned long)((act->sa_flags & SA_SIGINFO) ? __restore_rt : __restore);
        }
#endif
    }
    long r = sys_rt_sigaction(sig, act ? &k : NULL, old ? &kold : NULL, sizeof(sigset_t));
    if (__sg_ret(r) < 0) return -1;
    if (old) {
        memset(old, 0, sizeof(*old));
        old->sa_handler = (void (*)(int))kold.handler;
        old->sa_flags = (int)(kold.flags & ~(unsigned long)SA_RESTORER);
        old->sa_mask = kold.mask;
    }
    return 0;
}

/* BSD semantics, as glibc: the handler stays installed and interrupted
   calls restart. */
sighandler_t signal(int sig, sighandler_t handler) {
    struct sigaction act = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
    if (sigaction(sig, &act, &old) < 0) return SIG_ERR;
    return old.sa_handler;
}

int sigprocmask(int how, const sigset_t* __restrict set, sigset_t* __restrict old) {
    return (int)__sg_ret(sys_rt_sigprocmask(how, set, old, sizeof(sigset_t)));
}

static int valid(int sig) {
    return sig > 0 && sig < NSIG;
}

int sigemptyset(sigset_t* set) {
    *set = 0;
    return 0;
}

int sigfillset(sigset_t* set) {
    *set = ~0ULL;
    return 0;
}

int sigaddset(sigset_t* set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set |= 1ULL << (sig - 1);
    return 0;
}

int sigdelset(sigset_t* set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    *set &= ~(1ULL << (sig - 1));
    return 0;
}

int sigismember(const sigset_t* set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    return (*set >> (sig - 1)) & 1;
}

int kill(pid_t pid, int sig) {
    return (int)__sg_ret(sys_kill(pid, sig));
}

/* One thread per process, so the process is the thread. */
int raise(int sig) {
    return kill(getpid(), sig);
}

int sigaltstack(const stack_t* stack, stack_t* old) {
    return (int)__sg_ret(sys_sigaltstack(stack, old));
}
