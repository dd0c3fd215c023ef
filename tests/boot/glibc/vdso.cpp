/* A static glibc program, built for both bitnesses by
 * tests/boot/glibc/glibc.mk and booted on every row (tests/boot/cases.py:
 * glibc-vdso): what a Linux binary finds in Sysgate's vDSO and signal
 * frames, read with glibc's own code and headers rather than Sysgate's.
 *   - glibc finds the vDSO's time functions (by version) and never enters
 *     the kernel for the time;
 *   - its dl_iterate_phdr lists the vDSO with its PT_GNU_EH_FRAME;
 *   - signal() and sigaction() handlers return (on i386 glibc passes no
 *     restorer: the kernel returns them through the vDSO's trampolines),
 *     with glibc's ucontext_t and i386's old struct sigcontext;
 *   - i386: libgcc's _Unwind_Backtrace unwinds from a single-stepped
 *     instruction of __kernel_vsyscall back into the caller, with every
 *     argument register right (what Linux's selftest unwind_vdso checks).
 * It prints the in-guest suite's [RUN]/[OK]/[FAIL]/RESULT lines itself, so
 * /bin/runtests counts it like the suite's own programs. */
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/ucontext.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#define SYSGATE_STATS 1000 /* Sysgate's own call, the same number in both tables */
struct sysgate_stats_prefix {
    uint64_t calls[4]; /* the first field of struct sysgate_stats: calls per gate */
};

static int passed, failed, skipped, failed_now, skipped_now;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                                        \
            failed_now = 1;                                                                                            \
        }                                                                                                              \
    } while (0)

static void run(const char* name, void (*fn)(void)) {
    failed_now = skipped_now = 0;
    printf("[RUN] %s\n", name);
    fflush(stdout);
    fn();
    if (failed_now)
        failed++;
    else if (skipped_now)
        skipped++;
    else
        passed++;
    printf("[%s] %s\n", failed_now ? "FAIL" : skipped_now ? "SKIP" : "OK", name);
    fflush(stdout);
}

static void skip(const char* why) {
    printf("    skipped: %s\n", why);
    skipped_now = 1;
}

static void send_self(int sig) {
    syscall(SYS_kill, getpid(), sig);
}

/* ---------------------------------------------------------------- the vDSO */

static uint64_t kernel_entries(void) {
    struct sysgate_stats_prefix s;
    memset(&s, 0, sizeof s);
    if (syscall(SYSGATE_STATS, &s, sizeof s) < 0) return ~0ull;
    return s.calls[0] + s.calls[1] + s.calls[2] + s.calls[3];
}

static void time_without_the_kernel(void) {
    if (kernel_entries() == ~0ull) {
        skip("not on Sysgate (no sysgate_stats)");
        return;
    }
    /* The counters are the whole system's: up to five tries (another
     * process may make calls meanwhile); one of them must see only our own
     * sysgate_stats call. */
    uint64_t entered = 0;
    struct timespec a = {0, 0}, b = {0, 0};
    struct timeval tv = {0, 0};
    time_t t = 0;
    for (int attempt = 0; attempt < 5 && entered != 1; attempt++) {
        const struct timespec pause = {0, 20 * 1000 * 1000};
        syscall(SYS_nanosleep, &pause, 0);
        const uint64_t before = kernel_entries();
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < 1000; i++) {
            clock_gettime(CLOCK_MONOTONIC, &b);
            gettimeofday(&tv, 0);
            t = time(0);
        }
        entered = kernel_entries() - before;
    }
    printf("    kernel entries for 3000 time calls: %llu (the count itself: 1)\n", (unsigned long long)entered);
    CHECK(entered == 1);
    CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    CHECK(tv.tv_sec - t >= -1 && tv.tv_sec - t <= 1);
    struct timespec res;
    CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1);
}

static int vdso_seen, vdso_has_eh_frame;
static const char* vdso_name;

static int each_object(struct dl_phdr_info* info, size_t size, void* data) {
    (void)size, (void)data;
    if (!info->dlpi_name || strncmp(info->dlpi_name, "linux-", 6)) return 0;
    vdso_seen = 1;
    vdso_name = info->dlpi_name;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME) vdso_has_eh_frame = 1;
    return 0;
}

static void vdso_listed_with_unwind_tables(void) {
    dl_iterate_phdr(each_object, 0);
    CHECK(vdso_seen);
    CHECK(vdso_has_eh_frame);
    if (vdso_name) printf("    %s\n", vdso_name);
    CHECK(vdso_name && !strcmp(vdso_name, sizeof(void*) == 8 ? "linux-vdso.so.1" : "linux-gate.so.1"));
}

/* ---------------------------------------------------------------- handlers */

struct kernel_sigaction { /* what rt_sigaction reads and writes */
    unsigned long handler, flags, restorer;
    unsigned long long mask;
};
#define K_SA_RESTORER 0x04000000

static volatile int handled;

static void on_usr1(int sig) {
    (void)sig;
    handled++;
}

static void signal_handlers_return(void) {
    CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR);
    struct kernel_sigaction k;
    CHECK(syscall(SYS_rt_sigaction, SIGUSR1, 0, &k, 8) == 0);
#if defined(__x86_64__)
    CHECK((k.flags & K_SA_RESTORER) && k.restorer); /* x86_64 handlers must have one */
#else
    /* glibc leaves the restorer to the kernel when there is a vDSO. */
    CHECK(!(k.flags & K_SA_RESTORER));
    printf("    glibc's i386 handler flags %#lx, restorer %#lx\n", k.flags, k.restorer);
#endif
    handled = 0;
    for (int i = 0; i < 3; i++) send_self(SIGUSR1);
    CHECK(handled == 3);
    signal(SIGUSR1, SIG_DFL);
}

/* SIGILL at a ud2 the handler steps over, through glibc's ucontext_t. */
extern "C" void glibc_ud2(void);
__asm__(".text\nglibc_ud2: ud2\n ret\n");
#if defined(__x86_64__)
#define REG_PC REG_RIP
#else
#define REG_PC REG_EIP
#endif
static volatile greg_t fault_pc;

static void skip_ud2(int sig, siginfo_t* info, void* uc_void) {
    (void)sig, (void)info;
    ucontext_t* uc = static_cast<ucontext_t*>(uc_void);
    fault_pc = uc->uc_mcontext.gregs[REG_PC];
    uc->uc_mcontext.gregs[REG_PC] += 2;
    handled++;
}

static void siginfo_handlers_change_the_context(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = skip_ud2;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGILL, &sa, 0) == 0);
    handled = 0;
    glibc_ud2();
    CHECK(handled == 1);
    CHECK(fault_pc == (greg_t)(uintptr_t)glibc_ud2);
    signal(SIGILL, SIG_DFL);
}

#if !defined(__x86_64__)
/* i386's old convention: a handler without SA_SIGINFO finds the struct
 * sigcontext (<asm/sigcontext.h>: glibc's struct sigcontext) right after
 * its signal number, by value. */
static volatile unsigned long old_cs, old_ss, old_ds, old_eip, old_oldmask;
static void old_style(int sig, struct sigcontext sc) {
    (void)sig;
    old_cs = sc.cs, old_ss = sc.ss, old_ds = sc.ds, old_eip = sc.eip, old_oldmask = sc.oldmask;
    handled++;
}
#endif

static void old_frames_for_plain_handlers(void) {
#if defined(__x86_64__)
    skip("the old frame is i386's");
#else
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = (void (*)(int))(void (*)(void))old_style; /* the old convention: more than C says */
    CHECK(sigaction(SIGUSR2, &sa, 0) == 0);
    sigset_t block, before;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    sigprocmask(SIG_BLOCK, &block, &before);
    handled = 0;
    send_self(SIGUSR2);
    CHECK(handled == 1);
    CHECK(old_cs == 0x23 && old_ss == 0x2b && old_ds == 0x2b); /* Linux's selectors */
    CHECK(old_oldmask & (1ul << (SIGPIPE - 1)));               /* the mask before the handler */
    CHECK(old_eip != 0);
    sigprocmask(SIG_SETMASK, &before, 0);
    signal(SIGUSR2, SIG_DFL);
#endif
}

/* ---------------------------------------------------------------- unwinding */

#if !defined(__x86_64__)
static unsigned long sysinfo, return_address;
static volatile int traps, unwound, unwound_ok;

struct unwind_state {
    unsigned long ip;
    int found;
};

static _Unwind_Reason_Code at_frame(struct _Unwind_Context* ctx, void* opaque) {
    struct unwind_state* st = static_cast<struct unwind_state*>(opaque);
    const unsigned long ip = _Unwind_GetIP(ctx);
    if (!st->found) {
        if (ip != st->ip) return _URC_NO_REASON; /* the handler's own frames */
        st->found = 1;
    }
    if (ip != return_address) return _URC_NO_REASON;
    /* Back in the caller: the arguments as it passed them. */
    const unsigned long ebx = _Unwind_GetGR(ctx, 3), ecx = _Unwind_GetGR(ctx, 1), edx = _Unwind_GetGR(ctx, 2);
    const unsigned long esi = _Unwind_GetGR(ctx, 6), edi = _Unwind_GetGR(ctx, 7), ebp = _Unwind_GetGR(ctx, 5);
    unwound++;
    if (ebx == 1 && ecx == 2 && edx == 3 && esi == 4 && edi == 5 && ebp == 6) unwound_ok++;
    return _URC_NORMAL_STOP;
}

static void on_trap(int sig, siginfo_t* info, void* uc_void) {
    (void)sig, (void)info;
    ucontext_t* uc = static_cast<ucontext_t*>(uc_void);
    const unsigned long ip = uc->uc_mcontext.gregs[REG_EIP];
    if (!return_address && ip == sysinfo) return_address = *(unsigned long*)(uintptr_t)uc->uc_mcontext.gregs[REG_UESP];
    if (!return_address) return;
    if (ip == return_address) {
        uc->uc_mcontext.gregs[REG_EFL] &= ~0x100ul; /* done: TF off */
        return;
    }
    traps++;
    struct unwind_state st = {ip, 0};
    _Unwind_Backtrace(at_frame, &st);
}
#endif

static void unwinding_through_kernel_vsyscall(void) {
#if defined(__x86_64__)
    skip("64-bit glibc makes its calls with syscall, not through a vDSO");
#else
    sysinfo = getauxval(AT_SYSINFO);
    CHECK(sysinfo != 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGTRAP, &sa, 0) == 0);
    syscall(SYS_getpid); /* bound before TF is set */
    __asm__ volatile("pushf\n orl $0x100, (%%esp)\n popf" ::: "memory", "cc");
    syscall(SYS_getpid, 1, 2, 3, 4, 5, 6);
    unsigned long flags;
    __asm__ volatile("pushf\n pop %0" : "=r"(flags));
    CHECK(!(flags & 0x100));
    printf("    %d traps in __kernel_vsyscall, %d unwound to the caller, %d with every argument register\n", traps,
           unwound, unwound_ok);
    CHECK(return_address != 0); /* it went through AT_SYSINFO */
    CHECK(traps >= 1);
    CHECK(unwound == traps);
    CHECK(unwound_ok == traps);
    signal(SIGTRAP, SIG_DFL);
#endif
}

int main(void) {
    run("glibc reads the time from the vDSO, never entering the kernel", time_without_the_kernel);
    run("glibc's dl_iterate_phdr lists the vDSO with PT_GNU_EH_FRAME", vdso_listed_with_unwind_tables);
    run("signal() handlers return", signal_handlers_return);
    run("SA_SIGINFO handlers change glibc's ucontext_t", siginfo_handlers_change_the_context);
    run("i386 handlers without SA_SIGINFO get the old struct sigcontext", old_frames_for_plain_handlers);
    run("_Unwind_Backtrace through every instruction of __kernel_vsyscall", unwinding_through_kernel_vsyscall);
    printf("RESULT glibc-vdso%s: %d passed, %d failed, %d skipped\n", sizeof(void*) == 8 ? "" : "32", passed, failed,
           skipped);
    return failed ? 1 : 0;
}
