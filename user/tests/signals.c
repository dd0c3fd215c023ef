/* Signals ("Processes, files and a shell"): SIG_DFL, SIG_IGN and user
 * handlers for SIGINT, SIGTERM, SIGKILL, SIGCHLD, SIGSEGV, SIGILL, SIGFPE
 * and SIGPIPE; rt_sigaction, rt_sigprocmask and rt_sigreturn with Linux's
 * 64-bit frame (test "signals") and i386's rt and old frames, sigreturn
 * and sigaction ("signals32"): siginfo, the ucontext a handler may change,
 * every register, the selectors and the FPU state restored, the vDSO's
 * trampolines for handlers without SA_RESTORER, no stale kernel bytes.
 * `signals exec-dispositions` is what the execve case runs. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>
#include <sysgate/syscalls.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define BIT(sig) (1ull << ((sig)-1))

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

static void set_handler(int sig, void (*fn)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    CHECK_EQ(sigaction(sig, &sa, 0), 0);
}

static void set_siginfo_handler(int sig, void (*fn)(int, siginfo_t*, void*), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = flags | SA_SIGINFO;
    CHECK_EQ(sigaction(sig, &sa, 0), 0);
}

static sigset_t current_mask(void) {
    sigset_t mask = 0;
    sigprocmask(SIG_BLOCK, 0, &mask);
    return mask;
}

/* ---- the ucontext a handler receives (Linux's layouts): uc_flags,
 * uc_link, uc_stack, then the sigcontext, then uc_sigmask. */
#if defined(__x86_64__)
typedef uint64_t greg;
#define MCONTEXT_OFFSET 40
#define SIGMASK_OFFSET (40 + 256)
enum { REG_CX = 14, REG_IP = 16, REG_TRAPNO = 20, REG_CR2 = 22 };
#else
typedef uint32_t greg;
#define MCONTEXT_OFFSET 20
#define SIGMASK_OFFSET (20 + 88)
enum { REG_CX = 10, REG_IP = 14, REG_TRAPNO = 12, REG_CR2 = 21 };
#endif
static greg* gregs(void* uc) {
    return (greg*)((char*)uc + MCONTEXT_OFFSET);
}
static uint64_t uc_sigmask(void* uc) {
    uint64_t mask;
    memcpy(&mask, (char*)uc + SIGMASK_OFFSET, sizeof mask);
    return mask;
}

/* Instructions that fault, at addresses the handlers know. */
void sig_fault_ud2(void);
int sig_fault_divide(void);       /* 42 / ecx with ecx = 0 */
int sig_fault_load(const int* p); /* *p */
extern char sig_fault_divide_insn[], sig_fault_load_insn[];
#if defined(__x86_64__)
__asm__(".text\n"
        "sig_fault_ud2: ud2\n ret\n"
        "sig_fault_divide: mov $42, %eax\n cltd\n xor %ecx, %ecx\n"
        "sig_fault_divide_insn: idiv %ecx\n ret\n"
        "sig_fault_load: mov %rdi, %rcx\n"
        "sig_fault_load_insn: mov (%rcx), %eax\n ret\n");
#else
__asm__(".text\n"
        "sig_fault_ud2: ud2\n ret\n"
        "sig_fault_divide: mov $42, %eax\n cltd\n xor %ecx, %ecx\n"
        "sig_fault_divide_insn: idiv %ecx\n ret\n"
        "sig_fault_load: mov 4(%esp), %ecx\n"
        "sig_fault_load_insn: mov (%ecx), %eax\n ret\n");
#endif

static const int shell_signals[] = {SIGINT, SIGTERM, SIGKILL, SIGCHLD, SIGSEGV, SIGILL, SIGFPE, SIGPIPE};
#define SHELL_SIGNALS (int)(sizeof shell_signals / sizeof shell_signals[0])

/* ---------------------------------------------------------------- SIG_DFL */

static int raise_it(void* arg) {
    raise(*(int*)arg);
    return 0; /* reached only if the signal is ignored */
}

static void default_actions(void) {
    for (int i = 0; i < SHELL_SIGNALS; i++) {
        int sig = shell_signals[i];
        const int status = run_child(raise_it, &sig);
        if (sig == SIGCHLD)
            CHECK_EXITED(status, 0); /* its default is to ignore */
        else
            CHECK_KILLED(status, sig);
    }
}

/* ---------------------------------------------------------------- SIG_IGN */

static int ignore_and_raise(void* arg) {
    const int sig = *(int*)arg;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    CHILD_CHECK_EQ(sigaction(sig, &sa, 0), 0);
    CHILD_CHECK_EQ(sigaction(sig, 0, &old), 0);
    CHILD_CHECK(old.sa_handler == SIG_IGN);
    CHILD_CHECK_EQ(raise(sig), 0);
    return 0;
}

static int ignore_kill(void* arg) {
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    CHILD_CHECK_EQ(sigaction(SIGKILL, &sa, 0), -1);
    CHILD_CHECK_EQ(errno, EINVAL);
    CHILD_CHECK_EQ(sigaction(SIGSTOP, &sa, 0), -1);
    CHILD_CHECK_EQ(errno, EINVAL);
    raise(SIGKILL);
    return 0;
}

/* A fault cannot be ignored or blocked away: the process dies of it. */
struct fault_case {
    int sig;
    int block; /* blocked rather than ignored */
};
static int ignored_fault(void* arg) {
    const struct fault_case* c = arg;
    if (c->block) {
        const sigset_t set = BIT(c->sig);
        sigprocmask(SIG_BLOCK, &set, 0);
    } else {
        signal(c->sig, SIG_IGN);
    }
    if (c->sig == SIGSEGV) return sig_fault_load(UNMAPPED_ADDRESS);
    if (c->sig == SIGFPE) return sig_fault_divide();
    sig_fault_ud2();
    return 0;
}

static void ignored_signals(void) {
    for (int i = 0; i < SHELL_SIGNALS; i++) {
        int sig = shell_signals[i];
        if (sig == SIGKILL) continue;
        CHECK_EXITED(run_child(ignore_and_raise, &sig), 0);
    }
    CHECK_KILLED(run_child(ignore_kill, 0), SIGKILL);
    static const int faults[] = {SIGSEGV, SIGFPE, SIGILL};
    for (int i = 0; i < 3; i++)
        for (int block = 0; block < 2; block++) {
            struct fault_case c = {faults[i], block};
            CHECK_KILLED(run_child(ignored_fault, &c), faults[i]);
        }
}

/* ---------------------------------------------------------------- handlers */

static volatile int handled_sig, handled_count, handled_info_signo;

static void record(int sig, siginfo_t* info, void* uc) {
    (void)uc;
    handled_sig = sig;
    handled_info_signo = info->si_signo;
    handled_count++;
}

static void user_handlers_run(void) {
    for (int i = 0; i < SHELL_SIGNALS; i++) {
        const int sig = shell_signals[i];
        if (sig == SIGKILL) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = record;
            sa.sa_flags = SA_SIGINFO;
            CHECK_ERRNO(sigaction(SIGKILL, &sa, 0), EINVAL);
            continue;
        }
        struct sigaction old;
        CHECK_EQ(sigaction(sig, 0, &old), 0);
        set_siginfo_handler(sig, record, 0);
        handled_sig = handled_count = handled_info_signo = 0;
        CHECK_EQ(raise(sig), 0); /* the handler runs before raise returns */
        CHECK_EQ(handled_count, 1);
        CHECK_EQ(handled_sig, sig);
        CHECK_EQ(handled_info_signo, sig);
        sigaction(sig, &old, 0);
    }
}

static int exit_after(void* arg) {
    sleep_ms(*(int*)arg);
    return 4;
}

static void sigchld_handler_and_wait4(void) {
    /* No SA_RESTART: the handler interrupts, yet wait4 must still reap
     * the child whose exit woke it (as Linux does), not fail with EINTR. */
    set_siginfo_handler(SIGCHLD, record, 0);
    handled_count = 0;
    int delay = 20;
    const pid_t child = start_child(exit_after, &delay);
    int status = 0;
    const long reaped = syscall(SYS_wait4, child, &status, 0, 0);
    CHECK_EQ(reaped, child);
    CHECK_EXITED(reaped == child ? status : reap(child), 4);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_sig, SIGCHLD);
    set_handler(SIGCHLD, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- faults to handlers */

static volatile greg fault_ip, fault_trapno, fault_cr2;
static volatile uintptr_t fault_addr;
static volatile uint64_t fault_uc_mask;
static const int good_value = 0x5a5a;

static void on_fault(int sig, siginfo_t* info, void* uc) {
    greg* r = gregs(uc);
    handled_sig = sig;
    handled_info_signo = info->si_signo;
    handled_count++;
    fault_ip = r[REG_IP];
    fault_trapno = r[REG_TRAPNO];
    fault_cr2 = r[REG_CR2];
    fault_addr = (uintptr_t)info->si_addr;
    fault_uc_mask = uc_sigmask(uc);                         /* the mask rt_sigreturn will restore */
    if (sig == SIGILL) r[REG_IP] += 2;                      /* skip ud2 */
    if (sig == SIGFPE) r[REG_CX] = 2;                       /* retry 42 / 2 */
    if (sig == SIGSEGV) r[REG_CX] = (uintptr_t)&good_value; /* retry the load elsewhere */
}

static void faults_reach_handlers(void) {
    set_siginfo_handler(SIGILL, on_fault, 0);
    set_siginfo_handler(SIGFPE, on_fault, 0);
    set_siginfo_handler(SIGSEGV, on_fault, 0);

    handled_count = 0;
    sig_fault_ud2(); /* returns: the handler moved the instruction pointer past ud2 */
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_info_signo, SIGILL);
    CHECK_EQ(fault_ip, (uintptr_t)sig_fault_ud2);
    CHECK_EQ(fault_trapno, 6); /* #UD */

    handled_count = 0;
    CHECK_EQ(sig_fault_divide(), 21); /* the handler changed ecx to 2 */
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_info_signo, SIGFPE);
    CHECK_EQ(fault_ip, (uintptr_t)sig_fault_divide_insn);
    CHECK_EQ(fault_trapno, 0); /* #DE */

    handled_count = 0;
    int* bad = (int*)((char*)UNMAPPED_ADDRESS + 0x1230);
    CHECK_EQ(sig_fault_load(bad), good_value); /* the handler pointed ecx elsewhere */
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_info_signo, SIGSEGV);
    CHECK_EQ(fault_ip, (uintptr_t)sig_fault_load_insn);
    CHECK_EQ(fault_trapno, 14); /* #PF */
    CHECK_EQ(fault_cr2, (uintptr_t)bad);
    CHECK_EQ(fault_addr, (uintptr_t)bad); /* siginfo's si_addr */
    CHECK_EQ(fault_uc_mask, current_mask());

    set_handler(SIGILL, SIG_DFL, 0);
    set_handler(SIGFPE, SIG_DFL, 0);
    set_handler(SIGSEGV, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- rt_sigreturn restores everything */

#if defined(__x86_64__)
struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};
typedef uint64_t word;
#define NREGS 15
extern void gate_int80_64(struct regs*);
extern void gate_syscall_64(struct regs*);
#else
struct regs {
    uint32_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rflags;
};
typedef uint32_t word;
#define NREGS 7
extern void gate_int80_32(struct regs*);
#endif
#define ARITH_FLAGS 0x8d5u /* CF PF AF ZF SF OF */

static void clobbering_handler(int sig) {
    handled_sig = sig;
    handled_count++;
    /* Wreck what the interrupted code had in its registers and FPU
     * control words; rt_sigreturn must bring it all back. */
    const uint16_t cw = 0x0c7f; /* x87: round toward zero */
    __asm__ volatile("fldcw %0" ::"m"(cw));
    const uint32_t mxcsr = 0x7f80; /* SSE: round toward zero, FTZ off, exceptions masked */
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
#if defined(__x86_64__)
    __asm__ volatile("mov $-1, %%rax\n mov $-1, %%rcx\n mov $-1, %%rdx\n mov $-1, %%rsi\n"
                     "mov $-1, %%rdi\n mov $-1, %%r8\n mov $-1, %%r9\n mov $-1, %%r10\n"
                     "mov $-1, %%r11\n clc\n" ::
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc");
#else
    __asm__ volatile("mov $-1, %%eax\n mov $-1, %%ecx\n mov $-1, %%edx\n clc\n" ::: "eax", "ecx", "edx", "cc");
#endif
}

static uint16_t read_fpu_cw(void) {
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}
static uint32_t read_mxcsr(void) {
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void check_one_gate(void (*gate)(struct regs*), word nr, int int80, const char* name) {
    struct regs before, r;
    word* w = (word*)&before;
    for (int i = 0; i < NREGS; i++) w[i] = (word)(0x1234000u + 0x111u * (unsigned)i);
    before.rflags = 0x202 | 0x1 | 0x80; /* IF, CF, SF */
    before.rax = nr;
#if defined(__x86_64__)
    if (int80)
        before.rbx = (word)getpid(), before.rcx = SIGUSR1;
    else
        before.rdi = (word)getpid(), before.rsi = SIGUSR1;
#else
    (void)int80;
    before.rbx = (word)getpid(), before.rcx = SIGUSR1;
#endif
    r = before;
    handled_count = 0;
    /* Our own FPU control words, which the handler changes. */
    const uint16_t cw = 0x037f & ~0x0300; /* single precision */
    __asm__ volatile("fldcw %0" ::"m"(cw));
    const uint32_t mxcsr = 0x1f80 | 0x2000; /* round down */
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    gate(&r);
    const uint16_t cw_after = read_fpu_cw();
    const uint32_t mxcsr_after = read_mxcsr();
    const uint16_t default_cw = 0x037f;
    const uint32_t default_mxcsr = 0x1f80;
    __asm__ volatile("fldcw %0" ::"m"(default_cw));
    __asm__ volatile("ldmxcsr %0" ::"m"(default_mxcsr));

    CHECK_EQ(handled_count, 1);
    CHECK_EQ(r.rax, 0); /* kill's result */
    const word* a = (const word*)&r;
    for (int i = 1; i < NREGS; i++) {
#if defined(__x86_64__)
        if (!int80 && (i == 2 || i == 10)) continue; /* syscall's rcx and r11 */
#endif
        if (a[i] != w[i]) {
            char what[64];
            snprintf(what, sizeof what, "%s: register #%d after the handler", name, i);
            check_failed_values(__FILE__, __LINE__, what, (long long)a[i], (long long)w[i]);
        }
    }
    CHECK_EQ(r.rflags & ARITH_FLAGS, before.rflags & ARITH_FLAGS);
    CHECK_EQ(cw_after, cw);
    CHECK_EQ(mxcsr_after & 0xffbf, mxcsr); /* DAZ (bit 6) may read either way */
}

static void clobbering_siginfo_handler(int sig, siginfo_t* info, void* uc) {
    (void)info, (void)uc;
    clobbering_handler(sig);
}

/* Both frame kinds: a handler without SA_SIGINFO gets the old frame on
 * i386 (sigreturn), the rt frame on x86_64; with it, the rt frame. */
static void sigreturn_restores_everything(void) {
    for (int siginfo = 0; siginfo < 2; siginfo++) {
        if (siginfo)
            set_siginfo_handler(SIGUSR1, clobbering_siginfo_handler, 0);
        else
            set_handler(SIGUSR1, clobbering_handler, 0);
#if defined(__x86_64__)
        check_one_gate(gate_int80_64, __NR32_kill, 1, siginfo ? "int $0x80, SA_SIGINFO" : "int $0x80");
        check_one_gate(gate_syscall_64, __NR64_kill, 0, siginfo ? "syscall, SA_SIGINFO" : "syscall");
#else
        check_one_gate(gate_int80_32, __NR32_kill, 1, siginfo ? "int $0x80, rt frame" : "int $0x80, old frame");
#endif
    }
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- masks */

static void on_usr(int sig) {
    handled_sig = sig;
    handled_count++;
}

static int unblock_in_child(void* arg) {
    (void)arg;
    CHILD_CHECK(current_mask() & BIT(SIGUSR1)); /* the mask is inherited */
    handled_count = 0;
    const sigset_t set = BIT(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    CHILD_CHECK_EQ(handled_count, 0); /* the parent's pending signal is not */
    return 0;
}

static void sigprocmask_blocks_and_releases(void) {
    set_handler(SIGUSR1, on_usr, 0);
    handled_count = 0;
    sigset_t set = BIT(SIGUSR1), old = 0;
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
    CHECK_EQ(old & BIT(SIGUSR1), 0);
    raise(SIGUSR1);
    raise(SIGUSR1); /* pending signals do not queue */
    CHECK_EQ(handled_count, 0);
    CHECK(current_mask() & BIT(SIGUSR1));
    CHECK_EXITED(run_child(unblock_in_child, 0), 0);
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, 0), 0); /* delivered before this returns */
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_sig, SIGUSR1);

    /* SIGKILL and SIGSTOP cannot be blocked; SIG_SETMASK replaces. */
    sigset_t all = ~0ull;
    CHECK_EQ(sigprocmask(SIG_SETMASK, &all, &old), 0);
    const sigset_t now = current_mask();
    CHECK_EQ(now & (BIT(SIGKILL) | BIT(SIGSTOP)), 0);
    CHECK_EQ(now | BIT(SIGKILL) | BIT(SIGSTOP), ~0ull);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &old, 0), 0);
    CHECK_EQ(current_mask(), old);

    /* The failure paths. */
    CHECK_ERRNO(sigprocmask(3, &set, 0), EINVAL);
    CHECK_ERRNO(sigprocmask(SIG_BLOCK, (sigset_t*)UNMAPPED_ADDRESS, 0), EFAULT);
    CHECK_ERRNO(sigprocmask(SIG_BLOCK, 0, (sigset_t*)KERNEL_ADDRESS), EFAULT);
    CHECK_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 4), EINVAL); /* sigsetsize */
    CHECK_EQ(current_mask(), old);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

static volatile sigset_t mask_in_handler;
static volatile int depth, max_depth;

static void nesting_handler(int sig) {
    mask_in_handler = current_mask();
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (depth == 1 && handled_count == 0) raise(sig); /* nests only with SA_NODEFER */
    depth--;
    handled_count++;
}

static void sigaction_flags_and_mask(void) {
    /* The old action comes back as it was set. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nesting_handler;
    sa.sa_mask = BIT(SIGUSR2);
    sa.sa_flags = SA_RESTART;
    CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
    CHECK_EQ(sigaction(SIGUSR1, 0, &old), 0);
    CHECK(old.sa_handler == nesting_handler);
    CHECK_EQ(old.sa_mask, BIT(SIGUSR2));
    CHECK_EQ(old.sa_flags & (SA_RESTART | SA_SIGINFO | SA_NODEFER), SA_RESTART);

    /* During the handler: its own signal and sa_mask blocked; after: not. */
    const sigset_t before = current_mask();
    depth = max_depth = handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 2); /* the raise inside ran after the first returned */
    CHECK_EQ(max_depth, 1);
    CHECK_EQ(mask_in_handler & (BIT(SIGUSR1) | BIT(SIGUSR2)), BIT(SIGUSR1) | BIT(SIGUSR2));
    CHECK_EQ(current_mask(), before);

    /* SA_NODEFER: the handler can be interrupted by its own signal. */
    sa.sa_flags = SA_NODEFER;
    sa.sa_mask = 0;
    CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
    depth = max_depth = handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 2);
    CHECK_EQ(max_depth, 2);
    CHECK_EQ(current_mask(), before);

    /* SA_RESETHAND: one delivery, then SIG_DFL again. */
    sa.sa_handler = on_usr;
    sa.sa_flags = SA_RESETHAND;
    CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
    handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(sigaction(SIGUSR1, 0, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);

    /* The failure paths. */
    CHECK_ERRNO(sigaction(0, &sa, 0), EINVAL);
    CHECK_ERRNO(sigaction(65, &sa, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, UNMAPPED_ADDRESS, 0, 8), EFAULT);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, 0, KERNEL_ADDRESS, 8), EFAULT);
    CHECK_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, 0, &old, 4), EINVAL);
    CHECK_EQ(sigaction(SIGKILL, 0, &old), 0); /* reading SIGKILL's action is fine */
    CHECK(old.sa_handler == SIG_DFL);
}

/* ---------------------------------------------------------------- SIGPIPE */

static int write_to_closed_pipe(void* arg) {
    const int mode = *(int*)arg; /* 0 default, 1 SIG_IGN, 2 handler */
    int fds[2];
    CHILD_CHECK_EQ(pipe(fds), 0);
    close(fds[0]);
    if (mode == 1) signal(SIGPIPE, SIG_IGN);
    if (mode == 2) set_handler(SIGPIPE, on_usr, 0);
    handled_count = 0;
    errno = 0;
    CHILD_CHECK_EQ(write(fds[1], "x", 1), -1); /* not reached with the default action */
    CHILD_CHECK_EQ(errno, EPIPE);
    CHILD_CHECK_EQ(handled_count, mode == 2 ? 1 : 0);
    return 0;
}

static void sigpipe_three_ways(void) {
    int mode = 0;
    CHECK_KILLED(run_child(write_to_closed_pipe, &mode), SIGPIPE);
    mode = 1;
    CHECK_EXITED(run_child(write_to_closed_pipe, &mode), 0);
    mode = 2;
    CHECK_EXITED(run_child(write_to_closed_pipe, &mode), 0);
}

static int signal_parent_later(void* arg) {
    (void)arg;
    sleep_ms(30); /* the parent is asleep in read by now */
    kill(getppid(), SIGUSR1);
    return 0;
}

static void blocking_read_interrupted(void) {
    /* A handler without SA_RESTART ends a blocking read with EINTR. */
    set_handler(SIGUSR1, on_usr, 0);
    handled_count = 0;
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    const pid_t child = start_child(signal_parent_later, 0);
    char c;
    CHECK_ERRNO(read(fds[0], &c, 1), EINTR);
    CHECK_EQ(handled_count, 1);
    CHECK_EXITED(reap(child), 0);
    CHECK_EQ(write(fds[1], "z", 1), 1); /* the pipe is none the worse */
    CHECK_EQ(read(fds[0], &c, 1), 1);
    close(fds[0]);
    close(fds[1]);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* SA_RESTART: after the handler the read is made again, whichever gate it
 * came through: the kernel puts the number back in eax and the return
 * address back on the gate's instruction (arch/x86/entry/gates.cpp,
 * rewind_to_gate; for sysenter, the vDSO keeps a sysenter right before its
 * landing pad). The vDSO path is syscall on 64-bit, sysenter (Intel) or
 * compat syscall (AMD) on 32-bit. */
static int signal_then_write_later(void* arg) {
    const int fd = *(int*)arg;
    sleep_ms(30); /* the parent is asleep in read by now */
    kill(getppid(), SIGUSR1);
    sleep_ms(30);
    return write(fd, "r", 1) == 1 ? 0 : 1;
}

static long read_through_vdso(int fd, char* buf, long n) {
    return sys_read(fd, buf, n);
}

static long read_through_int80(int fd, char* buf, long n) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(__NR32_read), "b"(fd), "c"(buf), "d"(n) : "memory");
    return r;
}

static void sa_restart_makes_the_call_again(void) {
    static char buf[4]; /* static: below 4 GiB, as int $0x80's 32-bit pointers need */
    long (*const readers[])(int, char*, long) = {read_through_vdso, read_through_int80};
    for (int i = 0; i < 2; i++) {
        set_handler(SIGUSR1, on_usr, SA_RESTART);
        handled_count = 0;
        int fds[2];
        CHECK_EQ(pipe(fds), 0);
        const pid_t child = start_child(signal_then_write_later, &fds[1]);
        buf[0] = 0;
        CHECK_EQ(readers[i](fds[0], buf, 1), 1); /* not -EINTR */
        CHECK_EQ(buf[0], 'r');
        CHECK_EQ(handled_count, 1);
        CHECK_EXITED(reap(child), 0);
        close(fds[0]);
        close(fds[1]);
    }
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- fork and execve */

static int handler_survives_fork(void* arg) {
    (void)arg;
    handled_count = 0;
    raise(SIGTERM);
    CHILD_CHECK_EQ(handled_count, 1);
    return 0;
}

static int exec_with_dispositions(void* arg) {
    (void)arg;
    set_handler(SIGTERM, on_usr, 0);
    signal(SIGINT, SIG_IGN);
    const sigset_t set = BIT(SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, 0);
    char* const argv[] = {(char*)program_path(), "exec-dispositions", 0};
    execv(program_path(), argv);
    return 127;
}

/* `signals exec-dispositions`: after execve, a handled signal is back
 * to SIG_DFL; an ignored one stays ignored; the mask is kept. */
static int exec_dispositions(void) {
    struct sigaction sa;
    if (sigaction(SIGTERM, 0, &sa) || sa.sa_handler != SIG_DFL) return 10;
    if (sigaction(SIGINT, 0, &sa) || sa.sa_handler != SIG_IGN) return 11;
    if (!(current_mask() & BIT(SIGUSR2))) return 12;
    return 0;
}

static void fork_keeps_exec_resets(void) {
    set_handler(SIGTERM, on_usr, 0);
    CHECK_EXITED(run_child(handler_survives_fork, 0), 0);
    set_handler(SIGTERM, SIG_DFL, 0);
    CHECK_EXITED(run_child(exec_with_dispositions, 0), 0);
}

/* ---------------------------------------------------------------- broken frames and handlers */

/* kill(pid, sig) made with the stack pointer at an unmapped address, so
 * the kernel cannot write a handler frame there. */
static void kill_with_bad_stack(int pid, int sig) {
#if defined(__x86_64__)
    long nr = __NR64_kill;
    __asm__ volatile("mov %%rsp, %%r12\n mov $16, %%rsp\n syscall\n mov %%r12, %%rsp"
                     : "+a"(nr)
                     : "D"((long)pid), "S"((long)sig)
                     : "rcx", "r11", "r12", "memory");
#else
    long nr = __NR32_kill;
    __asm__ volatile("mov %%esp, %%esi\n mov $16, %%esp\n int $0x80\n mov %%esi, %%esp"
                     : "+a"(nr)
                     : "b"(pid), "c"(sig)
                     : "esi", "memory");
#endif
}

static void exit_42(int sig) {
    (void)sig;
    _exit(42);
}

static int frame_on_bad_stack(void* arg) {
    const int use_altstack = *(int*)arg;
    static char stack[16384] __attribute__((aligned(16)));
    const stack_t ss = {stack, 0, sizeof stack};
    sigaltstack(&ss, 0);
    set_handler(SIGUSR1, exit_42, use_altstack ? SA_ONSTACK : 0);
    kill_with_bad_stack(getpid(), SIGUSR1);
    return 1; /* not reached either way */
}

/* A handler address the program cannot run: the process dies, the
 * kernel does not (an iretq to a non-canonical address would fault in
 * ring 0). */
static int raise_with_handler_at(void* arg) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = (void (*)(int)) * (uintptr_t*)arg;
    sigaction(SIGUSR1, &sa, 0);
    raise(SIGUSR1);
    return 1;
}

/* rt_sigreturn with no signal delivered: whatever lies on the stack is
 * taken for a frame. */
static uintptr_t forged[1024] __attribute__((aligned(16)));
void sig_exit_7(void);
#if defined(__x86_64__)
__asm__(".text\nsig_exit_7: mov $60, %eax\n mov $7, %edi\n syscall\n ud2\n");
#define FORGED_IP (1 + 5 + 16) /* pretcode, uc header (5 words), rip in the sigcontext */
#define FORGED_SP (1 + 5 + 15)
#define FORGED_SELECTORS (1 + 5 + 18) /* cs, gs, fs, ss: 16 bits each */
static void forge_selectors(uintptr_t* frame, unsigned cs, unsigned ss) {
    frame[FORGED_SELECTORS] = cs | (uintptr_t)ss << 48;
}
static void sigreturn_on(uintptr_t* stack) {
    __asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall" ::"r"(stack + 1) : "memory");
}
#else
__asm__(".text\nsig_exit_7: mov $1, %eax\n mov $7, %ebx\n int $0x80\n ud2\n");
#define FORGED_IP (4 + 32 + 5 + 14) /* pretcode, sig, pinfo, puc, siginfo, uc header, eip */
#define FORGED_SP (4 + 32 + 5 + 7)
static void forge_selectors(uintptr_t* frame, unsigned cs, unsigned ss) {
    frame[4 + 32 + 5 + 15] = cs;
    frame[4 + 32 + 5 + 18] = ss;
}
static void sigreturn_on(uintptr_t* stack) {
    __asm__ volatile("mov %0, %%esp\n mov $173, %%eax\n int $0x80" ::"r"(stack + 1) : "memory");
}
#endif

struct forgery {
    uintptr_t ip, sp;
    unsigned cs, ss; /* 0: the program's own */
};
static int forged_sigreturn(void* arg) {
    const struct forgery* f = arg;
    memset(forged, 0, sizeof forged);
    forged[FORGED_IP] = f->ip;
    forged[FORGED_SP] = f->sp;
    unsigned short cs, ss;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    forge_selectors(forged, f->cs ? f->cs : cs, f->ss ? f->ss : ss);
    sigreturn_on(forged);
    return 1;
}

static void broken_frames_and_handlers(void) {
    /* The frame cannot be written: SIGSEGV. On the sigaltstack it can. */
    int altstack = 0;
    CHECK_KILLED(run_child(frame_on_bad_stack, &altstack), SIGSEGV);
    altstack = 1;
    CHECK_EXITED(run_child(frame_on_bad_stack, &altstack), 42);

#if defined(__x86_64__)
    static const uintptr_t bad_handlers[] = {0x10, 0x00007ffffffff000ul, 0x0000800000000000ul, 0xffff800000000000ul,
                                             0xffffffffffffff00ul};
#else
    static const uintptr_t bad_handlers[] = {0x10, 0xfffff000u, 0xffffff00u};
#endif
    for (unsigned i = 0; i < sizeof bad_handlers / sizeof bad_handlers[0]; i++) {
        uintptr_t handler = bad_handlers[i];
        CHECK_KILLED(run_child(raise_with_handler_at, &handler), SIGSEGV);
    }

    /* Forged frames: a bad instruction pointer is a SIGSEGV; a good one
     * runs (whatever the stack pointer it comes with); selectors are the
     * frame's, so a null CS (an all-zero frame's) cannot be returned to,
     * nor a null SS, except on x86_64 where a frame without
     * UC_STRICT_RESTORE_SS (all zero: no flags) gets the user data
     * selector instead, as on Linux. */
    struct forgery f = {0x1234, (uintptr_t)(forged + 512), 0, 0};
    CHECK_KILLED(run_child(forged_sigreturn, &f), SIGSEGV);
    f.ip = (uintptr_t)sig_exit_7;
    CHECK_EXITED(run_child(forged_sigreturn, &f), 7);
    f.cs = 3; /* null, RPL 3 */
    CHECK_KILLED(run_child(forged_sigreturn, &f), SIGSEGV);
    f.cs = 0;
    f.ss = 3;
#if defined(__x86_64__)
    CHECK_EXITED(run_child(forged_sigreturn, &f), 7);
#else
    CHECK_KILLED(run_child(forged_sigreturn, &f), SIGSEGV);
#endif
    f.ss = 0;
#if defined(__x86_64__)
    f.ip = 0x0000800000000000ul; /* non-canonical */
    CHECK_KILLED(run_child(forged_sigreturn, &f), SIGSEGV);
    f.ip = 0xffffffff80000000ul; /* the kernel's */
    CHECK_KILLED(run_child(forged_sigreturn, &f), SIGSEGV);
    f.ip = (uintptr_t)sig_exit_7;
    f.sp = 0x0000800000000000ul; /* a non-canonical stack: exits before touching it, or dies */
    const int status = run_child(forged_sigreturn, &f);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 7) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV));
#endif
}

/* ---------------------------------------------------------------- the kernel's restorers, i386 frames */

/* rt_sigaction made directly, with no restorer unless one is given: what
 * glibc does on i386 whenever there is a vDSO. */
struct raw_sigaction {
    unsigned long handler, flags, restorer;
    unsigned long long mask;
};
static long raw_rt_sigaction(int sig, const void* handler, unsigned long flags, const void* restorer) {
    struct raw_sigaction k = {(unsigned long)handler, flags, (unsigned long)restorer, 0};
    return syscall(SYS_rt_sigaction, sig, &k, 0, 8);
}

#if defined(__x86_64__)
static int raise_without_restorer(void* arg) {
    (void)arg;
    raw_rt_sigaction(SIGUSR1, (const void*)on_usr, SA_SIGINFO, 0);
    raise(SIGUSR1);
    return 1; /* the kernel does not run the handler: there is nowhere to return */
}
#else
/* The i386 layouts (Linux's struct rt_sigframe_ia32 and sigframe_ia32). */
#define RT_FRAME_UC 144                      /* pretcode, sig, pinfo, puc, siginfo */
#define RT_FRAME_RETCODE (RT_FRAME_UC + 116) /* after the ucontext */
#define OLD_FRAME_SC 8                       /* pretcode, sig */
#define OLD_FRAME_EXTRAMASK (8 + 88 + 624)   /* after the sigcontext and the unused fpstate */
#define OLD_FRAME_RETCODE (OLD_FRAME_EXTRAMASK + 4)
static const unsigned char rt_sigreturn_code[8] = {0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0};
static const unsigned char sigreturn_code[8] = {0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80};
static uintptr_t seen_return, seen_pretcode;
static unsigned char seen_retcode[8];
static int seen_sig_on_stack;

/* The old frame around a handler's argument: pretcode right below it, the
 * sigcontext right above. (Through an integer, so that the compiler does
 * not take the frame for the 4-byte argument.) */
static unsigned char* old_frame_of(int* sig) {
    uintptr_t a = (uintptr_t)sig - 4;
    __asm__("" : "+r"(a));
    return (unsigned char*)a;
}

static void rt_frame_handler(int sig, siginfo_t* info, void* uc) {
    (void)info;
    const unsigned char* frame = (const unsigned char*)uc - RT_FRAME_UC;
    seen_return = (uintptr_t)__builtin_return_address(0);
    memcpy(&seen_pretcode, frame, 4);
    memcpy(seen_retcode, frame + RT_FRAME_RETCODE, 8);
    memcpy(&seen_sig_on_stack, frame + 4, 4);
    handled_sig = sig;
    handled_count++;
}

/* A handler without SA_SIGINFO gets the old frame: the signal number is
 * its argument, the sigcontext right above it. */
static void old_frame_handler(int sig) {
    const unsigned char* frame = old_frame_of(&sig);
    seen_return = (uintptr_t)__builtin_return_address(0);
    memcpy(&seen_pretcode, frame, 4);
    memcpy(seen_retcode, frame + OLD_FRAME_RETCODE, 8);
    memcpy(&seen_sig_on_stack, frame + 4, 4);
    handled_sig = sig;
    handled_count++;
}

void sig_test_restorer(void);
__asm__(".text\nsig_test_restorer: mov $173, %eax\n int $0x80\n ud2\n");

struct old_sigaction32 { /* i386's struct old_sigaction */
    uint32_t handler, mask, flags, restorer;
};
#endif

static void handlers_return_through_the_vdso(void) {
#if defined(__x86_64__)
    /* x86_64 has no kernel trampoline: a handler without SA_RESTORER could
     * not return, and the kernel does not run it (nor does Linux). */
    CHECK_KILLED(run_child(raise_without_restorer, 0), SIGSEGV);
#else
    const uintptr_t rt = (uintptr_t)sysgate_vdso_vsym("LINUX_2.5", "__kernel_rt_sigreturn");
    const uintptr_t old = (uintptr_t)sysgate_vdso_vsym("LINUX_2.5", "__kernel_sigreturn");
    CHECK(rt != 0 && old != 0);
    if (!rt || !old) return;

    /* SA_SIGINFO: the rt frame, back through __kernel_rt_sigreturn. */
    CHECK_EQ(raw_rt_sigaction(SIGUSR1, (const void*)rt_frame_handler, SA_SIGINFO, 0), 0);
    handled_count = 0;
    seen_return = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(seen_return, rt);
    CHECK_EQ(seen_pretcode, rt);
    CHECK_EQ(seen_sig_on_stack, SIGUSR1);
    CHECK(!memcmp(seen_retcode, rt_sigreturn_code, 8)); /* still there, for debuggers */

    /* No SA_SIGINFO: the old frame, back through __kernel_sigreturn
     * (sigreturn 119); installed with rt_sigaction, then with sigaction 67. */
    for (int how = 0; how < 2; how++) {
        if (how == 0) {
            CHECK_EQ(raw_rt_sigaction(SIGUSR1, (const void*)old_frame_handler, 0, 0), 0);
        } else {
            const struct old_sigaction32 a = {(uint32_t)(uintptr_t)old_frame_handler, 0, 0, 0};
            CHECK_EQ(syscall(SYS_sigaction, SIGUSR1, &a, 0), 0);
        }
        handled_count = 0;
        seen_return = 0;
        raise(SIGUSR1);
        CHECK_EQ(handled_count, 1);
        CHECK_EQ(seen_return, old);
        CHECK_EQ(seen_sig_on_stack, SIGUSR1);
        CHECK(!memcmp(seen_retcode, sigreturn_code, 8));
    }

    /* SA_RESTORER: the program's own restorer. */
    CHECK_EQ(raw_rt_sigaction(SIGUSR1, (const void*)rt_frame_handler, SA_SIGINFO | SA_RESTORER,
                              (const void*)sig_test_restorer),
             0);
    handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(seen_return, (uintptr_t)sig_test_restorer);

    /* The libc does as glibc: no restorer of its own when there is a vDSO. */
    set_handler(SIGUSR1, old_frame_handler, 0);
    handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(seen_return, old);
    set_handler(SIGUSR1, SIG_DFL, 0);
#endif
}

#if !defined(__x86_64__)
/* An old-frame handler may change the sigcontext that follows the signal
 * number; sigreturn (119) applies it, with the mask, both halves of it. */
static volatile uint64_t mask_in_old_handler;
static void old_frame_skip_ud2(int sig) {
    uint32_t* sc = (uint32_t*)(old_frame_of(&sig) + OLD_FRAME_SC);
    sc[14] += 2; /* eip: past the ud2 */
    mask_in_old_handler = current_mask();
    handled_sig = sig;
    handled_count++;
}
#endif

static void old_frames_restore_the_sigcontext(void) {
#if defined(__x86_64__)
    test_skip("the old frame is i386's");
#else
    set_handler(SIGILL, old_frame_skip_ud2, 0);
    /* A real-time signal in the high half of the mask, SIGUSR2 in the low. */
    const sigset_t blocked = BIT(40) | BIT(SIGUSR2);
    sigset_t before;
    CHECK_EQ(sigprocmask(SIG_BLOCK, &blocked, &before), 0);
    const sigset_t expected = current_mask();
    handled_count = 0;
    sig_fault_ud2(); /* returns: the handler moved eip past ud2 */
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(handled_sig, SIGILL);
    CHECK_EQ(mask_in_old_handler, expected | BIT(SIGILL));
    CHECK_EQ(current_mask(), expected);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &before, 0), 0);
    set_handler(SIGILL, SIG_DFL, 0);
#endif
}

/* ---------------------------------------------------------------- sigaction (67) */

static void old_sigaction_call(void) {
#if defined(__x86_64__)
    test_skip("sigaction (67) is i386's");
#else
    struct old_sigaction32 a = {(uint32_t)(uintptr_t)on_usr, (uint32_t)(BIT(SIGUSR2) | BIT(SIGINT)), SA_RESTART,
                                0x1234};
    struct old_sigaction32 o;
    CHECK_EQ(syscall(SYS_sigaction, SIGUSR1, &a, 0), 0);
    memset(&o, 0x55, sizeof o);
    CHECK_EQ(syscall(SYS_sigaction, SIGUSR1, 0, &o), 0);
    CHECK_EQ(o.handler, a.handler);
    CHECK_EQ(o.mask, a.mask);
    CHECK_EQ(o.flags, a.flags);
    CHECK_EQ(o.restorer, a.restorer);
    struct raw_sigaction k;
    CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, 0, &k, 8), 0); /* the same action, in the new struct */
    CHECK_EQ(k.handler, a.handler);
    CHECK_EQ(k.mask, a.mask);
    CHECK_EQ(k.flags, a.flags);
    CHECK_EQ(k.restorer, a.restorer);

    /* 32 bits of mask: more set with rt_sigaction read back cut; setting
     * through 67 clears the high half. The old action comes back while a
     * new one is set. */
    k.mask = BIT(40) | BIT(SIGUSR2);
    CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, &k, 0, 8), 0);
    a.mask = 0;
    a.restorer = 0;
    a.flags = 0;
    CHECK_EQ(syscall(SYS_sigaction, SIGUSR1, &a, &o), 0);
    CHECK_EQ(o.mask, (uint32_t)BIT(SIGUSR2));
    CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, 0, &k, 8), 0);
    CHECK_EQ(k.mask, 0);

    /* The handler runs (old frame, the vDSO's __kernel_sigreturn). */
    handled_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);

    /* The failure paths. */
    CHECK_ERRNO(syscall(SYS_sigaction, 0, &a, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_sigaction, 65, &a, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_sigaction, SIGKILL, &a, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_sigaction, SIGSTOP, &a, 0), EINVAL);
    CHECK_EQ(syscall(SYS_sigaction, SIGKILL, 0, &o), 0); /* reading it is fine */
    CHECK_EQ(o.handler, 0);
    CHECK_ERRNO(syscall(SYS_sigaction, SIGUSR1, UNMAPPED_ADDRESS, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_sigaction, SIGUSR1, 0, KERNEL_ADDRESS), EFAULT);
    set_handler(SIGUSR1, SIG_DFL, 0);
#endif
}

/* ---------------------------------------------------------------- sigreturn and the selectors */

/* sigreturn returns to the CS and SS the frame holds (with RPL 3), as
 * Linux's: a handler may send the program to the other bitness, or to a
 * stack segment of its choice; one that cannot be loaded makes the return
 * fault, and the program gets a SIGSEGV it can catch, never a kernel
 * fault. (Linux's selftest sigreturn.c is the model.) */
struct selector_case {
    unsigned cs, ss;    /* what the SIGUSR1 handler puts in the frame; 0: leave it */
    uintptr_t ip;       /* likewise */
    int clear_strict;   /* 64-bit: clear UC_STRICT_RESTORE_SS in uc_flags too */
    unsigned expect_ss; /* where the return works: SS afterwards */
};
static struct selector_case selector_request;
static unsigned original_cs, original_ss;

#if defined(__x86_64__)
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
enum { REG_CSGSFS = 18 };
static unsigned frame_cs(void* uc) {
    return (uint16_t)gregs(uc)[REG_CSGSFS];
}
static unsigned frame_ss(void* uc) {
    return (uint16_t)(gregs(uc)[REG_CSGSFS] >> 48);
}
static void set_frame_selectors(void* uc, unsigned cs, unsigned ss) {
    greg* r = &gregs(uc)[REG_CSGSFS];
    if (cs) *r = (*r & ~0xffffull) | cs;
    if (ss) *r = (*r & ~(0xffffull << 48)) | (uint64_t)ss << 48;
}
/* 32-bit code a 64-bit program returns to: exit(23) through int $0x80
 * (these encodings mean the same in both modes). */
void sig_exit_code_other(void);
__asm__(".text\nsig_exit_code_other: mov $1, %eax\n mov $23, %ebx\n int $0x80\n ud2\n");
#define OTHER_CS 0x23 /* Linux's user CS32 */
#define OTHER_EXIT 23
#else
enum { REG_CS = 15, REG_SS = 18 };
static unsigned frame_cs(void* uc) {
    return gregs(uc)[REG_CS] & 0xffff;
}
static unsigned frame_ss(void* uc) {
    return gregs(uc)[REG_SS] & 0xffff;
}
static void set_frame_selectors(void* uc, unsigned cs, unsigned ss) {
    if (cs) gregs(uc)[REG_CS] = cs;
    if (ss) gregs(uc)[REG_SS] = ss;
}
/* 64-bit code a 32-bit program returns to: exit(33) through syscall
 * (mov $60, %eax; mov $33, %edi; syscall: the same bytes in both modes). */
void sig_exit_code_other(void);
__asm__(".text\nsig_exit_code_other: mov $60, %eax\n mov $33, %edi\n syscall\n ud2\n");
#define OTHER_CS 0x33 /* Linux's user CS64 */
#define OTHER_EXIT 33
#endif

static void rewrite_selectors(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info;
    set_frame_selectors(uc, selector_request.cs, selector_request.ss);
    if (selector_request.ip) gregs(uc)[REG_IP] = (greg)selector_request.ip;
#if defined(__x86_64__)
    if (selector_request.clear_strict) *(uint64_t*)uc &= ~(uint64_t)UC_STRICT_RESTORE_SS;
#endif
}

/* The SIGSEGV of a return that could not load the frame: a #GP whose
 * sigcontext holds what the program asked to return to. Exit 42 if so. */
static void check_bad_return(int sig, siginfo_t* info, void* uc) {
    (void)info;
    const struct selector_case* c = &selector_request;
    int ok = sig == SIGSEGV && gregs(uc)[REG_TRAPNO] == 13;
    ok = ok && frame_cs(uc) == ((c->cs ? c->cs : original_cs) | 3);
    ok = ok && frame_ss(uc) == ((c->ss ? c->ss : original_ss) | 3);
    ok = ok && (!c->ip || gregs(uc)[REG_IP] == (greg)c->ip);
#if defined(__x86_64__)
    /* UC_STRICT_RESTORE_SS tells whether the signal came from 64-bit code. */
    const uint64_t flags = *(uint64_t*)uc;
    ok = ok && (flags & UC_SIGCONTEXT_SS) && !(flags & UC_STRICT_RESTORE_SS) == (frame_cs(uc) != 0x33);
#endif
    _exit(ok ? 42 : 44);
}

static unsigned read_ss(void) {
    unsigned short ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    return ss;
}

/* Child: SIGUSR1 with the request; exit 0 if the program carried on with
 * the expected SS, 10 if with another. */
static int sigreturn_with_selectors(void* arg) {
    selector_request = *(const struct selector_case*)arg;
    unsigned short cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    original_cs = cs;
    original_ss = read_ss();
    set_siginfo_handler(SIGUSR1, rewrite_selectors, 0);
    set_siginfo_handler(SIGSEGV, check_bad_return, 0);
    set_siginfo_handler(SIGBUS, check_bad_return, 0);
    raise(SIGUSR1);
    return read_ss() == selector_request.expect_ss ? 0 : 10;
}

static int selector_case(unsigned cs, unsigned ss, uintptr_t ip, int clear_strict, unsigned expect_ss) {
    struct selector_case c = {cs, ss, ip, clear_strict, expect_ss};
    return run_child(sigreturn_with_selectors, &c);
}

static void sigreturn_honours_cs_and_ss(void) {
    const unsigned data = 0x2b, other_data = 0x3b; /* Linux's __USER_DS; Sysgate's second user data descriptor */
    /* Another usable stack segment: kept. */
    CHECK_EXITED(selector_case(0, other_data, 0, 0, other_data), 0);
    /* The other bitness: its CS and code there. */
    CHECK_EXITED(selector_case(OTHER_CS, 0, (uintptr_t)sig_exit_code_other, 0, 0), OTHER_EXIT);
    /* Selectors the return cannot load: a SIGSEGV the program catches. */
    const unsigned bad_ss[] = {OTHER_CS /* a code segment */, 0x47 /* in an LDT there is none of */, 3 /* null */};
    for (unsigned i = 0; i < sizeof bad_ss / sizeof bad_ss[0]; i++)
        CHECK_EXITED(selector_case(0, bad_ss[i], 0, 0, 0), 42);
    const unsigned bad_cs[] = {3 /* null */, 0x43 /* the TSS */, data /* data, not code */};
    for (unsigned i = 0; i < sizeof bad_cs / sizeof bad_cs[0]; i++)
        CHECK_EXITED(selector_case(bad_cs[i], 0, 0, 0, 0), 42);
#if defined(__x86_64__)
    /* Without UC_STRICT_RESTORE_SS, a return to 64-bit code with an SS
     * that cannot be loaded gets the user data selector instead (for
     * DOSEMU and CRIU, as Linux); with it, the SS is kept (just above). */
    CHECK_EXITED(selector_case(0, OTHER_CS, 0, 1, data), 0);
    CHECK_EXITED(selector_case(0, 3, 0, 1, data), 0);
    CHECK_EXITED(selector_case(0, other_data, 0, 1, other_data), 0);
    /* Non-canonical RIPs: the return faults (never a fast return, which
     * would fault in the kernel on Intel): a SIGSEGV with that RIP. */
    CHECK_EXITED(selector_case(0, 0, 1ull << 47, 0, 0), 42);
    CHECK_EXITED(selector_case(0, 0, 1ull << 63, 0, 0), 42);
#endif
}

/* ---------------------------------------------------------------- i386: the data segments */

#if !defined(__x86_64__)
/* kill(pid, sig) with int $0x80, then DS, ES and FS as the return left
 * them (read before anything uses them), then the program's own back. */
void sig_kill_and_read_segments(int pid, int sig, uint32_t* out);
__asm__(".text\nsig_kill_and_read_segments:\n"
        " push %ebx\n push %esi\n push %edi\n"
        " mov 16(%esp), %ebx\n mov 20(%esp), %ecx\n mov 24(%esp), %esi\n"
        " mov %fs, %edi\n"             /* the program's FS */
        " mov $37, %eax\n int $0x80\n" /* kill: the handler runs before it returns */
        " mov %ds, %edx\n mov %edx, %ss:0(%esi)\n"
        " mov %es, %edx\n mov %edx, %ss:4(%esi)\n"
        " mov %fs, %edx\n mov %edx, %ss:8(%esi)\n"
        " push %ss\n pop %ds\n push %ss\n pop %es\n mov %edi, %fs\n"
        " pop %edi\n pop %esi\n pop %ebx\n ret\n");

static volatile uint32_t handler_ds, handler_es;
static uint32_t segments_for_return[3];

static void rewrite_data_segments(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info;
    uint32_t ds, es;
    __asm__ volatile("mov %%ds, %0; mov %%es, %1" : "=r"(ds), "=r"(es));
    handler_ds = ds, handler_es = es;
    gregs(uc)[3] = segments_for_return[0]; /* ds */
    gregs(uc)[2] = segments_for_return[1]; /* es */
    gregs(uc)[1] = segments_for_return[2]; /* fs */
}
#endif

static void sigreturn_loads_the_data_segments(void) {
#if defined(__x86_64__)
    test_skip("64-bit frames carry no DS or ES, and FS and GS as 0 (as Linux)");
#else
    set_siginfo_handler(SIGUSR1, rewrite_data_segments, 0);
    /* Null DS and ES, the user data selector in FS. A null selector may
     * read back with RPL 3 or, after iret cleared it, as 0. */
    segments_for_return[0] = 0, segments_for_return[1] = 0, segments_for_return[2] = 0x2b;
    uint32_t after[3];
    sig_kill_and_read_segments(getpid(), SIGUSR1, after);
    CHECK_EQ(handler_ds, 0x2b); /* the handler runs with the user data selector */
    CHECK_EQ(handler_es, 0x2b);
    CHECK_EQ(after[0] & ~3u, 0);
    CHECK_EQ(after[1] & ~3u, 0);
    CHECK_EQ(after[2], 0x2b);
    /* A selector that cannot be loaded gives null, not a kernel fault. */
    segments_for_return[0] = 0x2b, segments_for_return[1] = 0x47, segments_for_return[2] = 0x43 /* the TSS */;
    sig_kill_and_read_segments(getpid(), SIGUSR1, after);
    CHECK_EQ(after[0], 0x2b);
    CHECK_EQ(after[1] & ~3u, 0);
    CHECK_EQ(after[2] & ~3u, 0);
    set_handler(SIGUSR1, SIG_DFL, 0);
#endif
}

/* ---------------------------------------------------------------- the FPU state in the frame */

#if !defined(__x86_64__)
/* i386's fpstate (struct _fpstate_32): the FSAVE-format header (cw, sw,
 * tag, ipoff, cssel, dataoff, datasel: 32 bits each; 8 registers of 10
 * bytes), status, magic; then the FXSAVE image. */
#define FP32_STATUS 108
#define FP32_MAGIC 110
#define FP32_FX 112
static void* frame_fpstate(void* uc) {
    return (void*)(uintptr_t)gregs(uc)[19];
}
#else
static void* frame_fpstate(void* uc) {
    return (void*)(uintptr_t)gregs(uc)[23];
}
#endif

static volatile int fp_ok;
static volatile uint32_t fp_seen_tag, fp_seen_cw, fp_seen_magic;
static int fp_rewrite; /* 0: look only; 1: rewrite the state; 2: null fpstate; 3: bad MXCSR */

static void fpu_frame_handler(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info;
    unsigned char* fp = frame_fpstate(uc);
    handled_count++;
#if defined(__x86_64__)
    unsigned char* fx = fp;
    fp_ok = ((uintptr_t)fx & 63) == 0;
#else
    unsigned char* fx = fp + FP32_FX;
    uint32_t cw, sw, tag, fx_mxcsr;
    uint16_t status, magic, fx_cw, fx_sw;
    memcpy(&cw, fp, 4), memcpy(&sw, fp + 4, 4), memcpy(&tag, fp + 8, 4);
    memcpy(&status, fp + FP32_STATUS, 2), memcpy(&magic, fp + FP32_MAGIC, 2);
    memcpy(&fx_cw, fx, 2), memcpy(&fx_sw, fx + 2, 2), memcpy(&fx_mxcsr, fx + 24, 4);
    fp_seen_tag = tag, fp_seen_cw = cw, fp_seen_magic = magic;
    /* One value on the x87 stack (1.0): ST(0) in the header, 10 bytes. */
    static const unsigned char one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    fp_ok = ((uintptr_t)fx & 63) == 0 && magic == 0 /* FXSR data follows */ && cw == (0xffff0000u | fx_cw) &&
            sw == (0xffff0000u | fx_sw) && status == fx_sw && !memcmp(fp + 28, one, 10) && fx_mxcsr == 0x3f80;
#endif
    if (fp_rewrite == 1) {
#if defined(__x86_64__)
        const uint16_t cw = 0x0c7f;
        memcpy(fx, &cw, 2);
#else
        /* The header's x87 state wins over the image's (as on Linux): a
         * new control word and ST(0) = 2.0 in the header, another control
         * word in the image. */
        const uint32_t cw = 0xffff0c7f;
        const uint16_t image_cw = 0x027f;
        static const unsigned char two[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x40};
        memcpy(fp, &cw, 4);
        memcpy(fp + 28, two, 10);
        memcpy(fx, &image_cw, 2);
#endif
        const uint32_t mxcsr = 0x7f80; /* MXCSR comes from the image: round toward zero */
        memcpy(fx + 24, &mxcsr, 4);
    } else if (fp_rewrite == 2) {
        gregs(uc)[sizeof(void*) == 8 ? 23 : 19] = 0; /* no state: the FPU as a new program has it */
    } else if (fp_rewrite == 3) {
        const uint32_t mxcsr = 0x11f80; /* bit 16: reserved */
        memcpy(fx + 24, &mxcsr, 4);
    }
}

static int fpu_with_bad_mxcsr(void* arg) {
    (void)arg;
    fp_rewrite = 3;
    set_siginfo_handler(SIGUSR1, fpu_frame_handler, 0);
    raise(SIGUSR1); /* sigreturn refuses the frame: SIGSEGV */
    return 1;
}

static void frames_carry_the_fpu_state(void) {
    set_siginfo_handler(SIGUSR1, fpu_frame_handler, 0);
    const uint16_t cw0 = 0x037f;
    const uint32_t mxcsr0 = 0x3f80; /* round down: a value the handler can recognise */
    __asm__ volatile("fldcw %0" ::"m"(cw0));
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr0));
    double top = 0;

    /* Look only: the layout. */
    fp_rewrite = 0;
    handled_count = 0;
    __asm__ volatile("fld1" ::: "memory");
    raise(SIGUSR1);
    __asm__ volatile("fstpl %0" : "=m"(top)::"memory");
    CHECK_EQ(handled_count, 1);
    CHECK(fp_ok);
#if !defined(__x86_64__)
    CHECK_EQ(fp_seen_magic, 0);
    CHECK_EQ(fp_seen_tag, 0xffff3fff); /* physical register 7 (ST0 after one push) valid, the rest empty */
    CHECK_EQ(fp_seen_cw, 0xffff037f);
#endif
    CHECK(top == 1.0);

    /* Rewritten: restored as the handler left it. */
    fp_rewrite = 1;
    __asm__ volatile("fld1" ::: "memory");
    raise(SIGUSR1);
    __asm__ volatile("fstpl %0" : "=m"(top)::"memory");
    CHECK_EQ(read_fpu_cw(), 0x0c7f);
    CHECK_EQ(read_mxcsr() & 0xffbf, 0x7f80);
#if !defined(__x86_64__)
    CHECK(top == 2.0);
#endif

    /* A null fpstate: the initial state. */
    fp_rewrite = 2;
    raise(SIGUSR1);
    CHECK_EQ(read_fpu_cw(), 0x037f);
    CHECK_EQ(read_mxcsr() & 0xffbf, 0x1f80);

    /* MXCSR bits the CPU does not have: a bad frame (SIGSEGV), as on Linux. */
    CHECK_KILLED(run_child(fpu_with_bad_mxcsr, 0), SIGSEGV);

    const uint32_t default_mxcsr = 0x1f80;
    __asm__ volatile("fldcw %0" ::"m"(cw0));
    __asm__ volatile("ldmxcsr %0" ::"m"(default_mxcsr));
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- no stale kernel bytes */

/* With the kernel stack filled with a pattern before every system call
 * (sysgate_ctl SYSGATE_CTL_POISON_STACK), a frame built on the way back
 * from kill must not hold four pattern bytes in a row anywhere: each byte
 * is written from the program's state or zero. */
#define POISON 0xa5
static volatile int poisoned_runs;
static size_t frame_bytes;

static int count_runs(const unsigned char* p, size_t n) {
    int runs = 0;
    for (size_t i = 0; i + 4 <= n; i++)
        if (p[i] == POISON && p[i + 1] == POISON && p[i + 2] == POISON && p[i + 3] == POISON) runs++;
    return runs;
}

static void scan_rt_frame(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info;
    /* The frame starts with pretcode, before the siginfo and ucontext. */
#if defined(__x86_64__)
    const unsigned char* start = (const unsigned char*)uc - 8;
    const size_t fp_size = 512;
#else
    const unsigned char* start = (const unsigned char*)uc - 144;
    const size_t fp_size = 624;
#endif
    poisoned_runs = count_runs(start, frame_bytes) + count_runs(frame_fpstate(uc), fp_size);
    handled_count++;
}

#if !defined(__x86_64__)
static void scan_old_frame(int sig) {
    const unsigned char* start = old_frame_of(&sig);
    uint32_t fpstate;
    memcpy(&fpstate, start + 8 + 76, 4);
    poisoned_runs = count_runs(start, frame_bytes) + count_runs((const unsigned char*)(uintptr_t)fpstate, 624);
    handled_count++;
}
#endif

static void frames_hold_no_kernel_bytes(void) {
    const long old = sysgate_ctl(SYSGATE_CTL_POISON_STACK, POISON);
    CHECK(old >= 0);
    if (old < 0) return;
    set_siginfo_handler(SIGUSR1, scan_rt_frame, 0);
    frame_bytes = sizeof(void*) == 8 ? 440 : 268;
    handled_count = 0;
    poisoned_runs = -1;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 1);
    CHECK_EQ(poisoned_runs, 0);
#if !defined(__x86_64__)
    set_handler(SIGUSR1, scan_old_frame, 0);
    frame_bytes = 732;
    poisoned_runs = -1;
    raise(SIGUSR1);
    CHECK_EQ(handled_count, 2);
    CHECK_EQ(poisoned_runs, 0);
#endif
    sysgate_ctl(SYSGATE_CTL_POISON_STACK, old);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* ---------------------------------------------------------------- sigaltstack */

static char altstack[16384] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static volatile int altstack_flags;

static void on_altstack(int sig) {
    int local;
    stack_t ss;
    handler_sp = (uintptr_t)&local;
    sigaltstack(0, &ss);
    altstack_flags = ss.ss_flags;
    handled_sig = sig;
}

static void handlers_on_the_alternate_stack(void) {
    stack_t ss = {altstack, 0, sizeof altstack}, old;
    CHECK_EQ(sigaltstack(&ss, &old), 0);
    set_handler(SIGUSR2, on_altstack, SA_ONSTACK);
    handler_sp = 0;
    raise(SIGUSR2);
    CHECK(handler_sp > (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack);
    CHECK_EQ(altstack_flags, SS_ONSTACK);
    set_handler(SIGUSR2, on_altstack, 0); /* without SA_ONSTACK: the normal stack */
    handler_sp = 0;
    raise(SIGUSR2);
    CHECK(handler_sp != 0);
    CHECK(handler_sp < (uintptr_t)altstack || handler_sp >= (uintptr_t)altstack + sizeof altstack);
    CHECK_EQ(altstack_flags, 0);
    set_handler(SIGUSR2, SIG_DFL, 0);
    stack_t small = {altstack, 0, 1024};
    CHECK_ERRNO(sigaltstack(&small, 0), ENOMEM); /* below MINSIGSTKSZ */
    CHECK_EQ(sigaltstack(&old, 0), 0);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "exec-dispositions")) return exec_dispositions();
    test_run("SIG_DFL ends the process for each shell signal, ignores SIGCHLD", default_actions);
    test_run("SIG_IGN discards signals; SIGKILL and faults cannot be ignored", ignored_signals);
    test_run("user handlers run with the signal number and siginfo", user_handlers_run);
    test_run("a SIGCHLD handler runs and wait4 still reaps the child", sigchld_handler_and_wait4);
    test_run("faults reach handlers; the ucontext they change is honoured", faults_reach_handlers);
    test_run("sigreturn and rt_sigreturn restore every register and the FPU controls", sigreturn_restores_everything);
    test_run("rt_sigprocmask blocks, reports and releases signals", sigprocmask_blocks_and_releases);
    test_run("sigaction: old action, sa_mask, SA_NODEFER, SA_RESETHAND", sigaction_flags_and_mask);
    test_run("SIGPIPE: default, SIG_IGN (EPIPE) and a handler", sigpipe_three_ways);
    test_run("a handler interrupts a blocking read: EINTR", blocking_read_interrupted);
    test_run("SA_RESTART makes the read again, through the vDSO and int $0x80", sa_restart_makes_the_call_again);
    test_run("fork keeps handlers; execve resets them, keeps SIG_IGN and the mask", fork_keeps_exec_resets);
    test_run("SA_ONSTACK handlers run on the sigaltstack", handlers_on_the_alternate_stack);
    test_run("unwritable frames, bad handlers, forged sigreturns kill only the caller", broken_frames_and_handlers);
    test_run("handlers without SA_RESTORER return through the vDSO's trampolines", handlers_return_through_the_vdso);
    test_run("old-frame handlers: sigreturn (119) applies the sigcontext and the mask",
             old_frames_restore_the_sigcontext);
    test_run("sigaction (67): struct old_sigaction, a 32-bit mask", old_sigaction_call);
    test_run("sigreturn returns to the frame's CS and SS, or the program gets SIGSEGV", sigreturn_honours_cs_and_ss);
    test_run("sigreturn loads the frame's DS, ES and FS", sigreturn_loads_the_data_segments);
    test_run("frames carry the FPU state in Linux's layout; sigreturn restores it", frames_carry_the_fpu_state);
    test_run("signal frames hold no stale kernel stack bytes", frames_hold_no_kernel_bytes);
    return test_summary(sizeof(void*) == 8 ? "signals" : "signals32");
}
