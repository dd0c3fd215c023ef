/* The gates, from user mode (docs/gates.md): every gate this CPU
 * offers, bare and through the vDSO; register preservation; bad numbers;
 * bad pointers; unsafe sysret returns; entry flags; the gate window; bad
 * sysenter stacks; the vendor rules. Built for 64- and 32-bit. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define ENOSYS_RESULT (-38)
#define EFAULT_RESULT (-14)
#define FLAG_CF 0x001ul
#define FLAG_TF 0x100ul
#define FLAG_IF 0x200ul
#define FLAG_DF 0x400ul
#define FLAG_NT 0x4000ul
#define FLAG_AC 0x40000ul

static const char message[] = "  (hello from a test, through a gate)\n";

enum gate { INT80, SYSENTER, SYSCALL, VDSO };
static const char* const gate_names[] = {"int80", "sysenter", "syscall", "vdso"};

/* How a bare gate is expected to behave here. The emulator exceptions are
 * the ones docs/testing.md lists: QEMU TCG runs compat-mode syscall with an
 * Intel vendor; Bochs runs long-mode sysenter on its AMD models. */
enum expectation { WORKS, FAULTS, EITHER };

#if defined(__x86_64__)

struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};
typedef uint64_t word;
extern void gate_int80_64(struct regs*);
extern void gate_sysenter_64(struct regs*);
extern void gate_syscall_64(struct regs*);
extern void gate_vdso_64(struct regs*);
extern uint64_t gate_vsyscall64;
static void (*const gate_fn[])(struct regs*) = {gate_int80_64, gate_sysenter_64, gate_syscall_64, gate_vdso_64};
#define NREGS 15
#define RAX(r) ((r)->rax)

static enum expectation expect(enum gate g) {
    if (g == SYSENTER) {
        if (test_vendor() == SYSGATE_VENDOR_INTEL) return WORKS;
        return strcmp(test_emulator(), "bochs") == 0 ? EITHER : FAULTS;
    }
    return WORKS;
}
/* int $0x80 takes i386 numbers even from 64-bit code. */
static long nr(enum gate g, long nr32, long nr64) {
    return g == INT80 ? nr32 : nr64;
}
/* The registers a gate may change for this ABI. */
static int may_change(enum gate g, int index) {
    if (index == 0) return 1;         /* rax: the result */
    if (g == INT80) return 0;         /* int $0x80 changes only eax */
    return index == 2 || index == 10; /* syscall ABI: rcx, r11 */
}
/* Argument registers: i386 order for int $0x80, x86_64 order otherwise. */
static void set_args(struct regs* r, enum gate g, word a1, word a2, word a3) {
    if (g == INT80) {
        r->rbx = a1, r->rcx = a2, r->rdx = a3;
    } else {
        r->rdi = a1, r->rsi = a2, r->rdx = a3;
    }
}

#else /* 32-bit */

struct regs {
    uint32_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rflags;
};
typedef uint32_t word;
extern void gate_int80_32(struct regs*);
extern void gate_sysenter_32(struct regs*);
extern void gate_syscall_32(struct regs*);
extern void gate_vdso_32(struct regs*);
extern uint32_t gate_vsyscall32;
extern void sysenter32_bad_stack(uint32_t number, uint32_t bogus_ebp);
extern uint32_t high_registers_across(uint32_t gate, uint32_t number, uint64_t out[8]);
static void (*const gate_fn[])(struct regs*) = {gate_int80_32, gate_sysenter_32, gate_syscall_32, gate_vdso_32};
#define NREGS 7
#define RAX(r) ((r)->rax)

static enum expectation expect(enum gate g) {
    const int intel = test_vendor() == SYSGATE_VENDOR_INTEL;
    if (g == SYSENTER) {
        if (intel) return WORKS;
        return strcmp(test_emulator(), "qemu") == 0 || strcmp(test_emulator(), "bochs") == 0 ? EITHER : FAULTS;
    }
    if (g == SYSCALL) {
        if (!intel) return WORKS;
        return strcmp(test_emulator(), "qemu") == 0 ? EITHER : FAULTS;
    }
    return WORKS;
}
static long nr(enum gate g, long nr32, long nr64) {
    (void)g, (void)nr64;
    return nr32;
}
/* Every 32-bit gate preserves all but eax: the vDSO and the bare
 * sequences restore ecx/edx/ebp that sysexit and sysret clobber. */
static int may_change(enum gate g, int index) {
    (void)g;
    return index == 0;
}
static void set_args(struct regs* r, enum gate g, word a1, word a2, word a3) {
    (void)g;
    r->rbx = a1, r->rcx = a2, r->rdx = a3;
}

#endif

static void fill(struct regs* r) {
    word* w = (word*)r;
    for (int i = 0; i < NREGS; i++)
        w[i] = (word)(0x5a5a0000u + 0x1111u * (unsigned)i) | ((word)1 << (sizeof(word) * 8 - 2));
    r->rflags = FLAG_IF | 2;
}

/* Runs one call through gate g; returns 0 or the signal that stopped it. */
struct call {
    enum gate gate;
    struct regs regs;
};
static void do_call(void* arg) {
    struct call* c = arg;
    gate_fn[c->gate](&c->regs);
}
static int call_gate(enum gate g, struct regs* r) {
    struct call c = {g, *r};
    long ax = 0;
    const int sig = run_catching(do_call, &c, &ax);
    *r = c.regs;
    if (sig) RAX(r) = (word)ax;
    return sig;
}

/* True if the gate is usable here; records a skip or a failure otherwise. */
static int gate_usable(enum gate g) {
    struct regs r;
    fill(&r);
    r.rax = (word)nr(g, __NR32_getppid, __NR64_getppid);
    const int sig = call_gate(g, &r);
    const enum expectation e = expect(g);
    if (!sig) {
        if (e == FAULTS) check_failed(__FILE__, __LINE__, gate_names[g], "this CPU should raise #UD (SIGILL) here");
        return 1;
    }
    if (e == WORKS) {
        check_failed_values(__FILE__, __LINE__, "the gate raised a signal", sig, 0);
        return 0;
    }
    CHECK_EQ(sig, SIGILL);
    return 0;
}

/* ---------------------------------------------------------------- cases */

static void each_gate_calls_and_preserves(void) {
    const long ppid = getppid();
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) {
            test_note("%s: not offered by this CPU (SIGILL as the vendor rules say)", gate_names[g]);
            continue;
        }
        struct regs before, r;
        fill(&before);
        before.rax = (word)nr(g, __NR32_getppid, __NR64_getppid);
        r = before;
        CHECK_EQ(call_gate(g, &r), 0);
        CHECK_EQ((long)r.rax, ppid);
        const word* b = (const word*)&before;
        const word* a = (const word*)&r;
        for (int i = 1; i < NREGS; i++)
            if (!may_change(g, i) && a[i] != b[i]) {
                char what[64];
                snprintf(what, sizeof what, "%s changed register #%d", gate_names[g], i);
                check_failed_values(__FILE__, __LINE__, what, (long long)a[i], (long long)b[i]);
            }
#if defined(__x86_64__)
        if (g == SYSCALL || g == VDSO) CHECK_EQ(r.r11 & ~0x10000ul, before.rflags); /* syscall saved RFLAGS in r11 */
#endif
        test_note("%s: getppid() = %ld, registers preserved", gate_names[g], (long)r.rax);
    }
}

/* Every call through a gate is counted under it, on the fast path too;
 * the TSC ticks only while cycle accounting is switched on. */
static int stats_gate(int g) {
    return g == INT80 ? SYSGATE_GATE_INT80 : g == SYSENTER ? SYSGATE_GATE_SYSENTER : SYSGATE_GATE_SYSCALL;
}

static void gates_count_and_cycle_accounting_switches(void) {
    struct sysgate_stats a, b;
    CHECK_EQ(sysgate_stats(&a, sizeof a), (long)sizeof a);
    CHECK_EQ(a.cycle_accounting, 0u); /* off unless syscall_cycles=1 */
    for (int on = 0; on <= 1; on++) {
        CHECK_EQ(sysgate_ctl(SYSGATE_CTL_CYCLE_ACCOUNTING, on), 0);
        for (int g = INT80; g <= SYSCALL; g++) {
            if (!gate_usable(g)) continue;
            /* Other processes (runtests) may make calls meanwhile: at
             * least ours are counted; ticks move only while on. */
            sysgate_stats(&a, sizeof a);
            for (int i = 0; i < 100; i++) {
                struct regs r;
                fill(&r);
                r.rax = (word)nr(g, __NR32_getppid, __NR64_getppid);
                CHECK_EQ(call_gate(g, &r), 0);
            }
            sysgate_stats(&b, sizeof b);
            const int k = stats_gate(g);
            CHECK(b.calls[k] - a.calls[k] >= 100);
            CHECK_EQ(b.cycle_accounting, (uint32_t)on);
            if (on)
                CHECK(b.tsc_ticks[k] > a.tsc_ticks[k]);
            else
                CHECK_EQ(b.tsc_ticks[k], a.tsc_ticks[k]);
        }
    }
    CHECK_EQ(sysgate_ctl(SYSGATE_CTL_CYCLE_ACCOUNTING, 0), 1);
    sysgate_stats(&a, sizeof a);
    CHECK_EQ(a.cycle_accounting, 0u);
}

static void each_gate_writes(void) {
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) continue;
        struct regs r;
        fill(&r);
        r.rax = (word)nr(g, __NR32_write, __NR64_write);
        set_args(&r, g, 1, (word)(uintptr_t)message, sizeof message - 1);
        CHECK_EQ(call_gate(g, &r), 0);
        CHECK_EQ((long)r.rax, (long)(sizeof message - 1));
    }
}

static void bad_numbers_return_enosys(void) {
    const word size32 = __NR32_syscalls; /* the table sizes, generated from the .tbl files */
#if defined(__x86_64__)
    const word size64 = __NR64_syscalls;
#endif
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) continue;
#if defined(__x86_64__)
        const word size = g == INT80 ? size32 : size64;
#else
        const word size = size32;
#endif
        const word bad[] = {(word)-1, size, 0x7fffffff, (word)0x80000000u, (word)0xffffffffu, 5000};
        for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct regs r;
            fill(&r);
            r.rax = bad[i];
            CHECK_EQ(call_gate(g, &r), 0);
            CHECK_EQ((int)r.rax, ENOSYS_RESULT);
        }
#if defined(__x86_64__)
        /* Only the low 32 bits are the number: an int on x86_64 (as on
         * Linux), eax zero-extended on i386. */
        struct regs r;
        fill(&r);
        r.rax = (0xdeadbeefull << 32) | (word)nr(g, __NR32_getpid, __NR64_getpid);
        CHECK_EQ(call_gate(g, &r), 0);
        CHECK_EQ((long)r.rax, (long)getpid());
#endif
    }
}

static void bad_pointers_return_efault(void) {
#if defined(__x86_64__)
    const word bad[] = {0x10,
                        0xffff800000000000ul,
                        0xffffffff80000000ul,
                        0x0000800000000000ul,
                        0x7ffffffff000ul - 4,
                        0xfffffffffffffff0ul};
#else
    const word bad[] = {0x10, 0xfffff000u, 0xfffffffcu};
#endif
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) continue;
        for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct regs r;
            fill(&r);
            r.rax = (word)nr(g, __NR32_write, __NR64_write);
            set_args(&r, g, 1, bad[i], 16);
            CHECK_EQ(call_gate(g, &r), 0);
            /* int $0x80 from 64-bit code sees only the low 32 bits of a pointer. */
            CHECK_EQ((int)r.rax, EFAULT_RESULT);
            fill(&r);
            r.rax = (word)nr(g, __NR32_uname, __NR64_uname);
            set_args(&r, g, bad[i], 0, 0);
            CHECK_EQ(call_gate(g, &r), 0);
            CHECK_EQ((int)r.rax, EFAULT_RESULT);
        }
    }
    /* The system call checks; the vDSO's clock_gettime would simply fault
     * in user mode, as on Linux. */
    CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (struct timespec*)0x1), -1);
    CHECK_EQ(errno, EFAULT);
}

static void int80_zero_extends_pointers(void) {
#if defined(__x86_64__)
    /* The i386 ABI is 32-bit: garbage in the upper half of a 64-bit
     * register must not matter: i386 arguments, pointers included, are
     * zero-extended from 32 bits. */
    struct regs r;
    fill(&r);
    r.rax = __NR32_write;
    r.rbx = (0xffffffffull << 32) | 1;
    r.rcx = (0x12345678ull << 32) | (uintptr_t)message;
    r.rdx = (0xabcdull << 32) | (sizeof message - 1);
    CHECK_EQ(call_gate(INT80, &r), 0);
    CHECK_EQ((long)r.rax, (long)(sizeof message - 1));
#else
    test_skip("64-bit registers only");
#endif
}

/* RFLAGS bits a program may set with popf keep their value across every
 * gate, and the call still works (docs/gates.md, entry flags). */
static volatile int traps;
static void on_trap(int sig) {
    (void)sig;
    traps++;
}

static void entry_flags_survive(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_trap;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGTRAP, &sa, &old);
    const long ppid = getppid();
    const word flags[] = {FLAG_AC, FLAG_NT, FLAG_DF, FLAG_CF, FLAG_TF, FLAG_AC | FLAG_NT | FLAG_TF};
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) continue;
        for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
            struct regs r;
            fill(&r);
            r.rflags |= flags[i];
            r.rax = (word)nr(g, __NR32_getppid, __NR64_getppid);
            traps = 0;
            CHECK_EQ(call_gate(g, &r), 0);
            CHECK_EQ((long)r.rax, ppid);
            CHECK_EQ(r.rflags & flags[i], flags[i]);
            if (flags[i] & FLAG_TF) CHECK(traps > 0); /* single-stepping went on in user mode */
        }
    }
    sigaction(SIGTRAP, &old, 0);
}

/* ---- a return that is unsafe for sysret must come back exactly */

#if defined(__x86_64__)
static void on_usr1_rewrite(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    uint64_t* mc = (uint64_t*)((char*)context + 40); /* sigcontext: r8 at 0 ... rcx at 14 */
    mc[14] = 0x1111222233334444ull;                  /* rcx != rip: sysret would lose it */
    mc[3] = 0x5555666677778888ull;                   /* r11 != rflags */
}
#endif

static void unsafe_sysret_returns_exactly(void) {
#if defined(__x86_64__)
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1_rewrite;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, &old);
    /* kill(getpid(), SIGUSR1) through syscall: the handler runs on the
     * way out, rewrites rcx and r11, and rt_sigreturn (also a syscall)
     * must then leave through iretq to honour them. */
    struct regs r;
    fill(&r);
    r.rax = __NR64_kill;
    r.rdi = (uint64_t)getpid();
    r.rsi = SIGUSR1;
    CHECK_EQ(call_gate(SYSCALL, &r), 0);
    CHECK_EQ((long)r.rax, 0);
    CHECK_EQ(r.rcx, 0x1111222233334444ull);
    CHECK_EQ(r.r11, 0x5555666677778888ull);
    sigaction(SIGUSR1, &old, 0);
#else
    test_skip("sysret is a 64-bit return path");
#endif
}

#if defined(__x86_64__)
static void on_usr1_noncanonical(int sig, siginfo_t* info, void* context) {
    (void)sig, (void)info;
    uint64_t* mc = (uint64_t*)((char*)context + 40);
    mc[16] = 0x0000800000000000ull; /* rip: not canonical */
}
#endif

static void noncanonical_return_is_a_segfault(void) {
#if defined(__x86_64__)
    const pid_t child = fork();
    if (child == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_usr1_noncanonical;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, 0);
        kill(getpid(), SIGUSR1);
        _exit(0); /* not reached: the return must not happen */
    }
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGSEGV);
#else
    test_skip("canonical addresses are a 64-bit matter");
#endif
}

/* ---- the gate window: int $0x80 with a hostile GS base under a fast timer */

static void gate_window_survives_hostile_gs(void) {
#if defined(__x86_64__)
    struct sysgate_stats before, after;
    sysgate_stats(&before, sizeof before);
    const long old_hz = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, SYSGATE_TIMER_HZ_FASTEST);
    CHECK(old_hz > 0);
    struct sysgate_stats fast;
    sysgate_stats(&fast, sizeof fast);
    /* A user GS base that would wreck the kernel if an interrupt used it. */
    CHECK_EQ(syscall(SYS_arch_prctl, 0x1001 /*ARCH_SET_GS*/, 0x1000), 0);
    const long pid = getpid();
    long wrong = 0;
    for (int i = 0; i < 200000; i++) {
        long result;
        __asm__ volatile("int $0x80" : "=a"(result) : "a"(__NR32_getpid) : "memory");
        if (result != pid) wrong++;
    }
    CHECK_EQ(syscall(SYS_arch_prctl, 0x1001, 0), 0);
    sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, old_hz);
    sysgate_stats(&after, sizeof after);
    CHECK_EQ(wrong, 0);
    test_note("200000 int $0x80 calls at %u Hz with GS base 0x1000: %llu interrupts arrived in the window",
              fast.timer_hz, (unsigned long long)(after.gs_window_hits - before.gs_window_hits));
#else
    test_skip("GS bases are set with arch_prctl from 64-bit code");
#endif
}

/* ---- FSGSBASE: any base a program writes */

#if defined(__x86_64__)
static void write_gs_base(uint64_t v) {
    __asm__ volatile("wrgsbase %0" ::"r"(v));
}
static uint64_t read_gs_base(void) {
    uint64_t v;
    __asm__ volatile("rdgsbase %0" : "=r"(v));
    return v;
}
static void write_fs_base(uint64_t v) {
    __asm__ volatile("wrfsbase %0" ::"r"(v));
}
static uint64_t read_fs_base(void) {
    uint64_t v;
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}
#endif

static void fsgsbase_any_base_survives(void) {
#if defined(__x86_64__)
    if (!(getauxval(AT_HWCAP2) & 2)) { /* HWCAP2_FSGSBASE */
        test_skip("the kernel did not enable FSGSBASE (the CPU lacks it)");
        return;
    }
    /* Bases that look like the kernel's: the entry code must not take
     * them for its per-CPU area, in the gate window or anywhere else. */
    const uint64_t bases[] = {0xffff800000000000ull, 0xffffffff80000000ull, 0x1000, 0};
    const long old_hz = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, SYSGATE_TIMER_HZ_FASTEST);
    const uint64_t saved_fs = read_fs_base(), saved_gs = read_gs_base();
    const long pid = getpid();
    long wrong = 0;
    for (unsigned b = 0; b < sizeof bases / sizeof bases[0]; b++) {
        write_gs_base(bases[b]);
        for (int i = 0; i < 20000; i++) {
            long result;
            __asm__ volatile("int $0x80" : "=a"(result) : "a"(__NR32_getpid) : "memory");
            if (result != pid) wrong++;
            if (i % 1000 == 0) sched_yield(); /* a context switch saves and restores the base */
        }
        CHECK_EQ(read_gs_base(), bases[b]);
    }
    /* FS too, across a switch to another process. */
    write_gs_base(saved_gs);
    const uint64_t fs_value = 0x7f0000001000ull;
    write_fs_base(fs_value);
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_EQ(read_fs_base(), fs_value);
    write_fs_base(saved_fs);
    sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, old_hz);
    CHECK_EQ(wrong, 0);
#else
    test_skip("RDGSBASE and friends exist in 64-bit mode only");
#endif
}

/* ---- bad user stacks at sysenter */

#if !defined(__x86_64__)
static void bad_stack_getppid(void* arg) {
    sysenter32_bad_stack(__NR32_getppid, (uint32_t)(uintptr_t)arg);
}
static void bad_stack_mmap2(void* arg) {
    sysenter32_bad_stack(__NR32_mmap2, (uint32_t)(uintptr_t)arg);
}
#endif

/* The sixth i386 argument of a sysenter call is at [ebp] (the vDSO puts
 * its stack pointer there): read only by the calls that take six, which
 * fail with -EFAULT if it cannot be read; the others do not look. Either
 * way the landing pad's pops then fault in user mode, and the handler
 * sees eax. */
static void sysenter_bad_stack_gives_efault(void) {
#if !defined(__x86_64__)
    if (!gate_usable(SYSENTER)) {
        test_skip("sysenter is not offered here");
        return;
    }
    const uint32_t bogus[] = {0xfffff000u, 0x10, 0xffffffffu};
    for (unsigned i = 0; i < 3; i++) {
        long ax = 0;
        int sig = run_catching(bad_stack_mmap2, (void*)(uintptr_t)bogus[i], &ax);
        CHECK_EQ(sig, SIGSEGV);
        CHECK_EQ((int)ax, EFAULT_RESULT); /* mmap2 takes six: its pgoff is unreadable */
        ax = 0;
        sig = run_catching(bad_stack_getppid, (void*)(uintptr_t)bogus[i], &ax);
        CHECK_EQ(sig, SIGSEGV);
        CHECK_EQ((int)ax, (int)getppid()); /* getppid takes none: made, and answered */
    }
#else
    test_skip("the sixth argument is on the stack only for 32-bit callers");
#endif
}

/* ---- r8-r15 across the 32-bit gates: zero or preserved, never kernel data */

#if !defined(__x86_64__)
struct high_call {
    enum gate gate;
    uint64_t out[8];
    uint32_t result;
};
static void do_high_call(void* arg) {
    struct high_call* c = arg;
    c->result = high_registers_across((uint32_t)c->gate, __NR32_getppid, c->out);
}
#endif

static void high_registers_survive_32bit_gates(void) {
#if !defined(__x86_64__)
    const long ppid = getppid();
    for (int g = INT80; g <= VDSO; g++) {
        if (!gate_usable(g)) continue;
        struct high_call c = {(enum gate)g, {0}, 0};
        CHECK_EQ(run_catching(do_high_call, &c, 0), 0);
        CHECK_EQ((long)c.result, ppid);
        for (int i = 0; i < 8; i++) {
            static const uint64_t expected[] = {0x0808080808080808ull, 0x0909090909090909ull, 0x1010101010101010ull,
                                                0x1111111111111111ull, 0x1212121212121212ull, 0x1313131313131313ull,
                                                0x1414141414141414ull, 0x1515151515151515ull};
            /* Preserved, or zero (a kernel may clear them); anything else leaked.
             * One exception: syscall itself writes RFLAGS into r11 (SDM Vol. 2B
             * SYSCALL) before the kernel runs, and sysretl reloads RFLAGS from it,
             * so after a compat-mode syscall r11 holds the caller's own flags. */
            const int syscall_path = g == SYSCALL || (g == VDSO && test_vendor() == SYSGATE_VENDOR_AMD);
            const int own_flags = syscall_path && i == 3 && (c.out[i] & 0x202) == 0x202 && c.out[i] < 0x400000;
            if (c.out[i] != expected[i] && c.out[i] != 0 && !own_flags) {
                char what[48];
                snprintf(what, sizeof what, "%s: r%d after the call", gate_names[g], 8 + i);
                check_failed_values(__FILE__, __LINE__, what, (long long)c.out[i], (long long)expected[i]);
            }
        }
    }
#else
    test_skip("a property of the 32-bit gates (checked from 32-bit code)");
#endif
}

/* ---- the vDSO page */

static void vdso_is_mapped_and_chosen(void) {
    const unsigned char* ehdr = (const unsigned char*)getauxval(AT_SYSINFO_EHDR);
    CHECK(ehdr != 0);
    if (!ehdr) return;
    CHECK(ehdr[0] == 0x7f && ehdr[1] == 'E' && ehdr[2] == 'L' && ehdr[3] == 'F');
    void* vsyscall = sysgate_vdso_symbol("__kernel_vsyscall");
    CHECK(vsyscall != 0);
#if !defined(__x86_64__)
    CHECK_EQ((uintptr_t)getauxval(AT_SYSINFO), (uintptr_t)vsyscall);
#endif
    struct sysgate_stats s;
    sysgate_stats(&s, sizeof s);
    const char* gate = s.vdso_gate32 == SYSGATE_GATE_SYSENTER  ? "sysenter"
                       : s.vdso_gate32 == SYSGATE_GATE_SYSCALL ? "syscall"
                                                               : "int80";
    test_note("vDSO at %p, 32-bit gate %s, CPU vendor %d", (void*)ehdr, gate, (int)s.cpu_vendor);
    /* Writing to it must fault: it is mapped read-only. */
}

/* Calls into the kernel since `a`, all gates together. */
static uint64_t calls_since(const struct sysgate_stats* a, const struct sysgate_stats* b) {
    uint64_t n = 0;
    for (int g = 0; g < SYSGATE_GATES; g++) n += b->calls[g] - a->calls[g];
    return n;
}

/* The time functions of this bitness's vDSO (docs/gates.md: both have
 * them; the 32-bit one also __vdso_clock_gettime64, with a 64-bit
 * timespec), found by name and version as glibc finds them, answer from
 * the data page: a thousand rounds of every one make no system call. A
 * clock the page does not keep goes to the kernel through the fallback,
 * which the kernel counts as "vdso-fallback". */
struct timespec64 {
    int64_t tv_sec;
    long long tv_nsec;
};
static void vdso_time_without_entering(void) {
    int (*vgettime)(int, struct timespec*) =
        (int (*)(int, struct timespec*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_clock_gettime");
    int (*vgettod)(struct timeval*, void*) =
        (int (*)(struct timeval*, void*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_gettimeofday");
    long (*vtime)(long*) = (long (*)(long*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_time");
    int (*vgetres)(int, struct timespec*) =
        (int (*)(int, struct timespec*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_clock_getres");
#if defined(__x86_64__)
    int (*vgettime64)(int, struct timespec64*) = 0; /* timespec is 64-bit already */
#else
    int (*vgettime64)(int, struct timespec64*) =
        (int (*)(int, struct timespec64*))sysgate_vdso_vsym("LINUX_2.6", "__vdso_clock_gettime64");
    CHECK(vgettime64 != 0);
    if (!vgettime64) return;
#endif
    CHECK(vgettime && vgettod && vtime && vgetres);
    if (!vgettime || !vgettod || !vtime || !vgetres) return;
    /* Another version is another symbol. */
    CHECK(sysgate_vdso_vsym("LINUX_2.5", "__vdso_clock_gettime") == 0);

    struct sysgate_stats a, b;
    struct timespec t0, t1, sys, res;
    struct timespec64 t64 = {0, 0};
    struct timeval tv;
    long seconds = 0;
    /* The counters are the whole system's: another process (runtests,
     * copying this test's output) may make calls meanwhile. So the count
     * is taken up to five times, after a pause; it must be exactly our one
     * call at least once (a vDSO that entered would add 1000 each time). */
    uint64_t entered = 0;
    int attempt = 0;
    for (; attempt < 5 && entered != 1; attempt++) {
        const struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, 0);
        sysgate_stats(&a, sizeof a);
        CHECK_EQ(vgettime(CLOCK_MONOTONIC, &t0), 0);
        for (int i = 0; i < 1000; i++) {
            CHECK_EQ(vgettime(CLOCK_MONOTONIC, &t1), 0);
            if (vgettime64) CHECK_EQ(vgettime64(CLOCK_REALTIME, &t64), 0);
            CHECK_EQ(vgettod(&tv, 0), 0);
            seconds = vtime(0);
            CHECK_EQ(vgetres(CLOCK_MONOTONIC, &res), 0);
        }
        sysgate_stats(&b, sizeof b);
        entered = calls_since(&a, &b);
    }
    if (attempt > 1) test_note("measured %d times: other processes' calls fell into the window", attempt);
    CHECK_EQ(entered, 1); /* only the first sysgate_stats call itself */
    if (entered != 1)
        test_note("calls by gate: int80 %llu, sysenter %llu, syscall %llu, vdso-fallback %llu",
                  (unsigned long long)(b.calls[0] - a.calls[0]), (unsigned long long)(b.calls[1] - a.calls[1]),
                  (unsigned long long)(b.calls[2] - a.calls[2]), (unsigned long long)(b.calls[3] - a.calls[3]));
    CHECK(t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec));
    CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &sys), 0);
    const long long d = (sys.tv_sec - t1.tv_sec) * 1000000000ll + (sys.tv_nsec - t1.tv_nsec);
    CHECK(d >= 0 && d < 1000000000ll); /* the kernel reads the same clock, later */
    /* The realtime answers agree with each other and with the kernel. */
    CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &sys), 0);
    CHECK(sys.tv_sec - seconds >= 0 && sys.tv_sec - seconds <= 1);
    CHECK(sys.tv_sec - tv.tv_sec >= 0 && sys.tv_sec - tv.tv_sec <= 1);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    if (vgettime64) {
        CHECK(sys.tv_sec - t64.tv_sec >= 0 && sys.tv_sec - t64.tv_sec <= 1);
        CHECK(t64.tv_nsec >= 0 && t64.tv_nsec < 1000000000ll);
    }
    CHECK(res.tv_sec == 0 && res.tv_nsec == 1); /* nanoseconds from the TSC */
    CHECK_EQ(vgetres(CLOCK_REALTIME, 0), 0);    /* no timespec asked for: fine */

    /* A clock the data page cannot answer falls back into the kernel. */
    sysgate_stats(&b, sizeof b);
    CHECK(vgettime(11 /*CLOCK_TAI*/, &t1) == -22); /* the vDSO returns -EINVAL raw */
    if (vgettime64) CHECK(vgettime64(11, &t64) == -22);
    struct sysgate_stats c;
    sysgate_stats(&c, sizeof c);
    CHECK_EQ(c.calls[SYSGATE_GATE_VDSO_FALLBACK] - b.calls[SYSGATE_GATE_VDSO_FALLBACK], vgettime64 ? 2 : 1);
}

int main(void) {
#if defined(__x86_64__)
    gate_vsyscall64 = (uint64_t)(uintptr_t)sysgate_vdso_symbol("__kernel_vsyscall");
#else
    gate_vsyscall32 = (uint32_t)getauxval(AT_SYSINFO);
#endif
    test_run("each gate calls and preserves registers", each_gate_calls_and_preserves);
    test_run("each gate writes", each_gate_writes);
    test_run("every call is counted; cycle accounting switches on and off", gates_count_and_cycle_accounting_switches);
    test_run("bad numbers return -ENOSYS", bad_numbers_return_enosys);
    test_run("bad pointers return -EFAULT", bad_pointers_return_efault);
    test_run("int $0x80 zero-extends 32-bit arguments", int80_zero_extends_pointers);
    test_run("TF, NT, AC, DF set by popf survive every gate", entry_flags_survive);
    test_run("a return unsafe for sysret comes back exactly", unsafe_sysret_returns_exactly);
    test_run("a non-canonical return address is a SIGSEGV", noncanonical_return_is_a_segfault);
    test_run("int $0x80 hammered with a hostile GS base", gate_window_survives_hostile_gs);
    test_run("FSGSBASE: any FS/GS base survives the gate window and switches", fsgsbase_any_base_survives);
    test_run("sysenter with a bad user stack: -EFAULT for a call that takes six", sysenter_bad_stack_gives_efault);
    test_run("r8-r15 survive the 32-bit gates", high_registers_survive_32bit_gates);
    test_run("the vDSO is mapped and has __kernel_vsyscall", vdso_is_mapped_and_chosen);
    test_run("vDSO time never enters the kernel", vdso_time_without_entering);
    return test_summary(sizeof(void*) == 8 ? "gates" : "gates32");
}
