/* Signals through the kernel's rt_sigaction ABI. */
#include <signal.h>
#include <stddef.h>
#include <string.h>
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

/* libc/arch/<arch>/sigreturn.S: makes rt_sigreturn when a handler returns. */
void __restore_rt(void);

#ifndef __x86_64__
/* An i386 handler installed without SA_SIGINFO gets the old-style signal
   frame, which only the old sigreturn (119) can unwind; the tables have
   only rt_sigreturn. So every i386 handler is installed with SA_SIGINFO (a
   void(int) handler ignores the two extra arguments), and this remembers
   which ones the program asked for it, to report flags faithfully. */
static sigset_t siginfo_requested;
#endif

int sigaction(int sig, const struct sigaction* __restrict act, struct sigaction* __restrict old) {
    struct kernel_sigaction k, kold;
    if (act) {
        k.handler = (unsigned long)act->sa_handler;
        k.flags = (unsigned long)act->sa_flags | SA_RESTORER;
        k.restorer = (unsigned long)__restore_rt;
        k.mask = act->sa_mask;
#ifndef __x86_64__
        k.flags |= SA_SIGINFO;
#endif
    }
    long r = sys_rt_sigaction(sig, act ? &k : NULL, old ? &kold : NULL, sizeof(sigset_t));
    if (__sg_ret(r) < 0) return -1;
#ifndef __x86_64__
    sigset_t bit = sig > 0 && sig < NSIG ? 1ULL << (sig - 1) : 0;
    int had_siginfo = (siginfo_requested & bit) != 0;
    if (act) {
        if (act->sa_flags & SA_SIGINFO)
            siginfo_requested |= bit;
        else
            siginfo_requested &= ~bit;
    }
    if (old && !had_siginfo) kold.flags &= ~(unsigned long)SA_SIGINFO;
#endif
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
