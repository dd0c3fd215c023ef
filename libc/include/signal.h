/* Signals with Linux's x86 numbers and flags (arch/x86/include/uapi/asm/
   signal.h). Handlers return as glibc's do (libc/src/signal.c): x86_64
   through __restore_rt (libc/arch/x86_64/sigreturn.S, rt_sigreturn); i386
   through the vDSO's __kernel_rt_sigreturn (SA_SIGINFO) or
   __kernel_sigreturn, or the libc's own where there is no vDSO. */
#ifndef SYSGATE_SIGNAL_H
#define SYSGATE_SIGNAL_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT SIGABRT
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPOLL SIGIO
#define SIGPWR 30
#define SIGSYS 31
#define NSIG 65 /* signals 1..64; 32..64 are real-time */
#define _NSIG NSIG

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000 /* set by sigaction() itself */
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

typedef void (*sighandler_t)(int);
#define SIG_DFL ((sighandler_t)0)
#define SIG_IGN ((sighandler_t)1)
#define SIG_ERR ((sighandler_t)-1)

/* The kernel's 64-signal mask: bit (sig - 1) stands for signal sig. */
typedef unsigned long long sigset_t;

typedef int sig_atomic_t;

/* The kernel's siginfo (include/uapi/asm-generic/siginfo.h), 128 bytes; the
   fields for kill(), child and fault signals. */
typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    union {
        int __pad[128 / sizeof(int) - 3 - (sizeof(long) == 8)];
        struct { /* kill, SIGCHLD */
            pid_t si_pid;
            uid_t si_uid;
            int si_status; /* SIGCHLD only */
        };
        void* si_addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
    };
} __attribute__((__aligned__(sizeof(long)))) siginfo_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t*, void*);
    };
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void); /* ignored: sigaction() chooses (see above) */
};

__SG_BEGIN_DECLS
sighandler_t signal(int sig, sighandler_t handler);
int sigaction(int sig, const struct sigaction* __restrict act, struct sigaction* __restrict old);

/* An alternate stack for handlers installed with SA_ONSTACK (the kernel's
   stack_t: the same fields in either ABI's word size). */
typedef struct {
    void* ss_sp;
    int ss_flags;
    size_t ss_size;
} stack_t;
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192
int sigaltstack(const stack_t* __restrict stack, stack_t* __restrict old);
int sigprocmask(int how, const sigset_t* __restrict set, sigset_t* __restrict old);
int sigemptyset(sigset_t* set);
int sigfillset(sigset_t* set);
int sigaddset(sigset_t* set, int sig);
int sigdelset(sigset_t* set, int sig);
int sigismember(const sigset_t* set, int sig);
int kill(pid_t pid, int sig);
int raise(int sig);
char* strsignal(int sig);
__SG_END_DECLS

#endif
