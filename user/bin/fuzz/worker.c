/* One fuzz worker: started by the master as `fuzz --worker ...` (an exec,
 * so every worker begins from a fresh image), it sets itself up, makes its
 * generated calls, and reports to the master through the heartbeat pipe.
 *
 * The calls may break the worker itself: it repairs what the generator
 * says to (its signal handlers, its alternate stack, its signal mask, the
 * arena), resumes at fz_recover after a fault a call caused, and exits
 * when a call destroyed something it cannot live without (its code, its
 * stack). All of its own system calls go through fz_raw, never the libc
 * (which calls through the vDSO, which a call may have unmapped) and it
 * never allocates. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>

#include "fuzz.h"

#if defined(__x86_64__)
#define NR(name) __NR64_##name
/* struct sigcontext in the ucontext (libc/include/signal.h has no ucontext). */
#define MC_OFFSET 40
#define MC_IP 16
#define MC_FLAGS 17
#define MC_TRAPNO 20
#define MC_ERR 19
#define MC_CR2 22
#define MC_FPSTATE 23
#define MC_CSGSFS 18      /* cs, gs, fs, ss: 16 bits each */
#define SI_ADDR_OFFSET 16 /* si_addr in the kernel's siginfo */
#else
#define NR(name) __NR32_##name
#define MC_OFFSET 20
#define MC_IP 14
#define MC_FLAGS 16
#define MC_TRAPNO 12
#define MC_ERR 13
#define MC_CR2 21
#define MC_FPSTATE 19
#define MC_ES 2
#define MC_DS 3
#define MC_CS 15
#define MC_SS 18
#define SI_ADDR_OFFSET 12
#endif
#define RAW(name, a, b, c) fz_raw(NR(name), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static int my_pid, master_pid;
static uint32_t my_avoid;
static volatile uint32_t cur_index; /* the call being made (or just made) */
static uint32_t my_index;
static uint64_t my_seed;
static volatile int in_call;
static volatile uint32_t signals_received, faults_recovered, traps;
static word last_harness_fault_ip;
static uint64_t console_fds; /* fds that may be /dev/console (bit per fd): writes to them are cut short */

uint8_t fz_altstack[FZ_ALTSTACK_SIZE] __attribute__((aligned(16)));

struct kernel_sigaction {
    word handler, flags, restorer;
    uint64_t mask;
} __attribute__((packed));
static word my_flags[65]; /* the flags each harness handler was installed with */

void __restore_rt(void);

void fz_write_fd(int fd, const char* s) {
    fz_raw(NR(write), fd, (long)s, (long)strlen(s), 0, 0, 0);
}

static void log_line(const char* s) {
    fz_write_fd(FD_LOG, s);
}

/* ---------------------------------------------------------------- signals */

/* ---- oracles in the handlers: what the kernel wrote into a signal frame */

static int is_fault_signal(int sig);

static volatile uint32_t check_failures;
static volatile uint32_t kinds_reported; /* each kind of failure is printed once per worker */
static volatile int poison;              /* SYSGATE_CTL_POISON_STACK byte in force for us, 0: none */

enum { CHECK_REGISTER, CHECK_FAULT_INFO, CHECK_FPSTATE, CHECK_POISON, CHECK_PIPE, CHECK_MUNMAP, CHECK_MPROTECT };

static void report(unsigned kind, const char* what) {
    check_failures++;
    if (kinds_reported & (1u << kind)) return; /* the count says the rest */
    kinds_reported |= 1u << kind;
    char line[300];
    snprintf(line, sizeof line, "fuzz: FUZZ-CHECK %s: worker %u seed %#llx call #%u\n", what, (unsigned)my_index,
             (unsigned long long)my_seed, (unsigned)cur_index);
    log_line(line);
}

/* The 48 bytes at the end of the FXSAVE area that FXSAVE itself does not
 * write (SDM Vol. 1 Table 10-2, bytes 464-511): a kernel that builds the
 * frame in an uninitialised buffer leaks its stack there, which shows as
 * kernel addresses, or as the poison byte while SYSGATE_CTL_POISON_STACK
 * is on. (Linux puts a magic number of its own there: that is neither.) */
static void check_frame(const word* m) {
    const uint8_t* fp = (const uint8_t*)(uintptr_t)m[MC_FPSTATE];
    if (!fp || (my_avoid & AV_FPLEAK)) return;
#if !defined(__x86_64__)
    fp += 112; /* i386 frames (Linux's struct _fpstate_32): the FSAVE-format header, then the FXSAVE image */
#endif
    unsigned run = 0;
    uint64_t kernel_address = 0;
    for (unsigned i = 464; i < 512; i++) run = poison && fp[i] == (uint8_t)poison ? run + 1 : run >= 16 ? run : 0;
    for (unsigned i = 464; i < 512; i += 8) {
        uint64_t v;
        memcpy(&v, fp + i, 8);
        if ((v >> 47) == 0x1ffff && v != ~0ull) kernel_address = v;
    }
    if (run >= 16)
        report(CHECK_POISON, "uninitialised kernel stack bytes (the poison byte) in a signal frame's FPU state");
    if (kernel_address) {
        char what[160];
        snprintf(what, sizeof what,
                 "a kernel address (%#llx) in the unused bytes 464-511 of a signal frame's FPU state",
                 (unsigned long long)kernel_address);
        report(CHECK_FPSTATE, what);
    }
}

void fz_on_async(int sig, siginfo_t* info, void* context) {
    (void)sig;
    signals_received++;
    const word* m = (const word*)((const char*)context + MC_OFFSET);
    /* A signal nobody's fault caused carries no fault details: some other
     * process's would be a leak between tasks. */
    const word addr = *(const word*)((const char*)info + SI_ADDR_OFFSET);
    if (!is_fault_signal(sig) && !(my_avoid & AV_FAULTINFO) && (m[MC_TRAPNO] || m[MC_ERR] || m[MC_CR2] || addr)) {
        char what[160];
        snprintf(what, sizeof what,
                 "fault details in signal %d, which no fault raised: trapno %lu err %#lx cr2 %#lx si_addr %#lx", sig,
                 (unsigned long)m[MC_TRAPNO], (unsigned long)m[MC_ERR], (unsigned long)m[MC_CR2], (unsigned long)addr);
        report(CHECK_FAULT_INFO, what);
    }
    check_frame(m);
}

/* The code and stack segments the worker runs on, and those in a frame. */
static int harness_segments(const word* m) {
#if defined(__x86_64__)
    const uint64_t v = m[MC_CSGSFS];
    return (uint16_t)v == fz_sel.cs64 && (uint16_t)(v >> 48) == fz_sel.ds;
#else
    return (uint16_t)m[MC_CS] == fz_sel.cs32 && (uint16_t)m[MC_SS] == fz_sel.ds;
#endif
}

static void set_harness_segments(word* m) {
#if defined(__x86_64__)
    m[MC_CSGSFS] = (m[MC_CSGSFS] & 0x0000ffffffff0000ull) | fz_sel.cs64 | (uint64_t)fz_sel.ds << 48;
#else
    m[MC_CS] = fz_sel.cs32, m[MC_SS] = fz_sel.ds, m[MC_DS] = fz_sel.ds, m[MC_ES] = fz_sel.ds;
#endif
}

/* SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE. A fault in a call (in_call)
 * resumes at fz_recover; a single step (TF) just goes on; a signal sent
 * by kill (trap number 0) is ignored; a fault in the harness itself is
 * tried once more (it may have been sent) and then ends the worker. */
void fz_on_fault(int sig, siginfo_t* info, void* context) {
    (void)info;
    if (fz_raw(NR(getpid), 0, 0, 0, 0, 0, 0) != my_pid) /* a CLONE_VM child that faulted on a shared stack */
        fz_raw(NR(exit), 0, 0, 0, 0, 0, 0);
    word* m = (word*)((char*)context + MC_OFFSET);
    const word trapno = m[MC_TRAPNO], ip = m[MC_IP];
    check_frame(m);
    if (sig == SIGTRAP && trapno == 1) {
        traps++;
        return;
    }
    if (trapno == 0 && sig != SIGFPE) {
        signals_received++;
        return;
    }
    /* A crafted sigreturn frame gives the code it returns to any CS and SS
     * (Linux's restore_sigcontext takes them from the frame, RPL 3), and
     * one whose FPU state cannot be read raises SIGSEGV only after the
     * registers were restored: the fault may come from the landing code
     * run in the wrong mode or on a bad stack segment. That is no harm to
     * the worker: it resumes in its own segments. */
    const int own_segments = harness_segments(m);
    if (ip >= (word)(uintptr_t)fz_recover && ip < (word)(uintptr_t)fz_enter_end && own_segments) {
        /* The way back itself faults: a call took the worker's stack. */
        char line[160];
        snprintf(line, sizeof line, "fuzz: worker %u pid %d: its stack is gone (signal %d at %#lx): ending\n",
                 (unsigned)my_index, my_pid, sig, (unsigned long)ip);
        log_line(line);
        fz_raw(NR(exit_group), WORKER_HARNESS, 0, 0, 0, 0, 0);
    }
    if (!in_call) {
        if (ip == last_harness_fault_ip) {
            char line[160];
            snprintf(line, sizeof line, "fuzz: worker %u pid %d: signal %d at %#lx outside a call: ending\n",
                     (unsigned)my_index, my_pid, sig, (unsigned long)ip);
            log_line(line);
            fz_raw(NR(exit_group), WORKER_HARNESS, 0, 0, 0, 0, 0);
        }
        last_harness_fault_ip = ip;
        return;
    }
    m[MC_IP] = (word)(uintptr_t)fz_recover;
    m[MC_FLAGS] = 0x202;
    set_harness_segments(m);
    faults_recovered++;
}

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE};

static int is_fault_signal(int sig) {
    for (unsigned i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
        if (fault_signals[i] == sig) return 1;
    return 0;
}

static void install(int sig) {
    if (sig < 1 || sig > 64 || sig == SIGKILL || sig == SIGSTOP) return;
    struct kernel_sigaction k;
    k.handler = (word)(uintptr_t)(is_fault_signal(sig) ? fz_on_fault : fz_on_async);
    k.flags = my_flags[sig] | SA_SIGINFO | SA_RESTORER;
    k.restorer = (word)(uintptr_t)__restore_rt;
    k.mask = 0;
    fz_raw(NR(rt_sigaction), sig, (long)&k, 0, 8, 0, 0);
}

static void set_altstack(void) {
#if defined(__x86_64__)
    struct {
        uint64_t sp;
        int32_t flags, pad;
        uint64_t size;
    } s = {(uint64_t)(uintptr_t)fz_altstack, 0, 0, sizeof fz_altstack};
#else
    struct {
        uint32_t sp;
        int32_t flags;
        uint32_t size;
    } s = {(uint32_t)(uintptr_t)fz_altstack, 0, sizeof fz_altstack};
#endif
    /* From outside every alternate stack (a fuzzed one may cover ours:
     * then sigaltstack says EPERM to a caller on its own stack), with
     * every signal blocked, since no handler could run on a null stack. */
    const uint64_t all = ~0ull;
    uint64_t old = 0;
    fz_raw(NR(rt_sigprocmask), SIG_SETMASK, (long)&all, (long)&old, 8, 0, 0);
    fz_raw_nostack(NR(sigaltstack), (long)&s, 0, 0);
    fz_raw(NR(rt_sigprocmask), SIG_SETMASK, (long)&old, 0, 8, 0, 0);
}

static void unblock_all(void) {
    const uint64_t none = 0;
    fz_raw(NR(rt_sigprocmask), SIG_SETMASK, (long)&none, 0, 8, 0, 0);
}

/* Handlers for every signal: faults on the alternate stack; the others
 * with flags chosen once per worker (SA_RESTART, SA_ONSTACK, SA_NODEFER
 * in every mix, so that interrupted calls fail, restart, and nest). */
static void install_all(struct rng* setup) {
    for (int sig = 1; sig <= 64; sig++) {
        if (is_fault_signal(sig))
            my_flags[sig] = SA_ONSTACK;
        else
            my_flags[sig] = (rng_pct(setup, 95) ? SA_ONSTACK : 0) | (rng_pct(setup, 50) ? SA_RESTART : 0) |
                            (rng_pct(setup, 25) ? SA_NODEFER : 0);
        install(sig);
    }
}

/* ---------------------------------------------------------------- the arena */

/* 0, or the mmap's error (a negative errno). */
static long arena_build(void) {
    fz_raw(NR(munmap), (long)ARENA, ARENA_PAGES * PAGE, 0, 0, 0, 0);
#if defined(__x86_64__)
    const long a = fz_raw(NR(mmap), (long)ARENA, ARENA_MAPPED_PAGES * PAGE, 3, 0x32 /*PRIVATE|ANON|FIXED*/, -1, 0);
#else
    const long a = fz_raw(NR(mmap2), (long)ARENA, ARENA_MAPPED_PAGES * PAGE, 3, 0x32, -1, 0);
#endif
    if (a != (long)ARENA) return a < 0 && a > -4096 ? a : -1;
    uint8_t* ro = (uint8_t*)(uintptr_t)(ARENA + ARENA_RO_PAGE * PAGE);
    for (unsigned i = 0; i < PAGE; i++) ro[i] = (uint8_t)(0xa5 ^ i);
    fz_raw(NR(mprotect), (long)(ARENA + ARENA_NONE_PAGE * PAGE), PAGE, 0, 0, 0, 0);
    fz_raw(NR(mprotect), (long)(ARENA + ARENA_RO_PAGE * PAGE), PAGE, 1, 0, 0, 0);
    fz_raw(NR(munmap), (long)(ARENA + ARENA_HOLE_PAGE * PAGE), PAGE, 0, 0, 0, 0);
    return 0;
}

/* After a memory call that touched the arena: only the pages in its
 * range are made again (making all of them would cost a page fault on
 * each at its next use), unless the range wraps. */
static void arena_repair(const struct call* c) {
    const uint64_t a = c->mem_addr & ~(uint64_t)(PAGE - 1);
    const uint64_t end = c->mem_addr + ((c->mem_len + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    if (c->mem_full || end < c->mem_addr || end < c->mem_len) {
        arena_build();
        return;
    }
    const uint64_t lo = a > ARENA ? a : ARENA, hi = end < ARENA_END ? end : ARENA_END;
    if (lo >= hi) return;
    const uint64_t mapped_end = ARENA + ARENA_MAPPED_PAGES * PAGE;
    fz_raw(NR(munmap), (long)lo, (long)(hi - lo), 0, 0, 0, 0);
    if (lo < mapped_end) {
        const uint64_t top = hi < mapped_end ? hi : mapped_end;
#if defined(__x86_64__)
        fz_raw(NR(mmap), (long)lo, (long)(top - lo), 3, 0x32, -1, 0);
#else
        fz_raw(NR(mmap2), (long)lo, (long)(top - lo), 3, 0x32, -1, 0);
#endif
    }
    const uint64_t none = ARENA + ARENA_NONE_PAGE * PAGE, ro = ARENA + ARENA_RO_PAGE * PAGE,
                   hole = ARENA + ARENA_HOLE_PAGE * PAGE;
    if (none >= lo && none < hi) fz_raw(NR(mprotect), (long)none, PAGE, 0, 0, 0, 0);
    if (ro >= lo && ro < hi) {
        for (unsigned i = 0; i < PAGE; i++) ((uint8_t*)(uintptr_t)ro)[i] = (uint8_t)(0xa5 ^ i);
        fz_raw(NR(mprotect), (long)ro, PAGE, 1, 0, 0, 0);
    }
    if (hole >= lo && hole < hi) fz_raw(NR(munmap), (long)hole, PAGE, 0, 0, 0, 0);
}

/* ---------------------------------------------------------------- after a call */

static int arena_readable(uint64_t a, uint32_t n) {
    for (uint32_t i = 0; i < n; i += 4)
        if (!arena_writable(a + i) &&
            (a + i < ARENA + ARENA_RO_PAGE * PAGE || a + i >= ARENA + (ARENA_RO_PAGE + 1) * PAGE))
            return 0;
    return 1;
}

static int is_console(int fd) {
    return fd >= 0 && fd < 64 && (console_fds >> fd & 1);
}

/* The console's device number, from FD_LOG: an fd a call opened is
 * checked against it (a path pointer may name /dev/console in a string
 * an earlier call left in the arena). */
static uint64_t console_rdev;

static int opens_the_console(int fd) {
    struct stat st;
#if defined(__x86_64__)
    if (fz_raw(NR(fstat), fd, (long)&st, 0, 0, 0, 0) != 0) return 0;
#else
    if (fz_raw(NR(fstat64), fd, (long)&st, 0, 0, 0, 0) != 0) return 0;
#endif
    return S_ISCHR(st.st_mode) && (uint64_t)st.st_rdev == console_rdev;
}

static void track_fds(const struct call* c, long result) {
    const int r = (int)result;
    if (gen_has_flag(c, F_OPEN) && result >= 0 && r < 64 && (c->console_open || opens_the_console(r)))
        console_fds |= 1ull << r;
    if (gen_has_flag(c, F_CLOSE) && result == 0) {
        const int fd = gen_fd_args(c, 0);
        if (fd >= 0 && fd < 64) console_fds &= ~(1ull << fd);
    }
    if (gen_has_flag(c, F_DUP) && result >= 0 && r < 64) {
        const int from = gen_fd_args(c, 0);
        const int is_fcntl = gen_is(c, "fcntl") || gen_is(c, "fcntl64");
        if (is_fcntl && (uint32_t)c->arg[1] != 0 && (uint32_t)c->arg[1] != 1030) return; /* not F_DUPFD */
        if (is_console(from))
            console_fds |= 1ull << r;
        else
            console_fds &= ~(1ull << r);
    }
}

static void after_pipe(const struct call* c, long result) {
    if (result != 0 || !(c->repair & (RP_PIPE_CLOSE | RP_PIPE_NONBLOCK))) return;
    const uint64_t a = c->abi == ABI_I386 ? (uint32_t)c->arg[0] : c->arg[0];
    if (!arena_readable(a, 8)) return;
    const int32_t* fds = (const int32_t*)(uintptr_t)a;
    for (int i = 0; i < 2; i++) {
        const int fd = fds[i];
        if (fd < 3 || fd >= FD_LOG) continue;
        if (c->repair & RP_PIPE_CLOSE)
            fz_raw(NR(close), fd, 0, 0, 0, 0, 0);
        else
            fz_raw(NR(fcntl), fd, 4 /*F_SETFL*/, 04000 /*O_NONBLOCK*/, 0, 0, 0);
    }
}

static void reap(long pid) {
    for (int tries = 0; tries < 1000; tries++) {
        const long r = fz_raw(NR(wait4), pid, 0, 0, 0, 0, 0);
        if (r != -4 /*EINTR*/) return;
    }
}

static const char* const reg_names64[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                          "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char* const reg_names32[] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"};

/* The registers after a call that returned normally: all preserved but
 * the result, and for the 64-bit syscall ABI rcx and r11; TF, DF, AC and
 * NT as they were. A kernel that leaks or corrupts a register fails here. */
static unsigned check_registers(const struct call* c, const struct fz_regs* in, const struct fz_regs* out) {
    unsigned failures = 0;
    char line[400];
    for (int i = 1; i < FZ_NREGS; i++) {
        if (c->abi == ABI_X86_64 && (i == R_CX || i == R_11)) continue;
        /* a vsyscall entry is a function: only the callee-saved registers stay */
        if (c->gate == G_VSYSCALL && i != R_BX && i != R_BP && i < R_12) continue;
        if (in->r[i] == out->r[i]) continue;
        failures++;
        if (kinds_reported & (1u << CHECK_REGISTER)) continue; /* one call's worth of lines per worker */
        char what[200];
        gen_describe(c, what, sizeof what);
        snprintf(line, sizeof line, "fuzz: FUZZ-CHECK register: worker seed %#llx %s: %s %#llx -> %#llx\n",
                 (unsigned long long)my_seed, what, FZ_BITS == 64 ? reg_names64[i] : reg_names32[i],
                 (unsigned long long)in->r[i], (unsigned long long)out->r[i]);
        log_line(line);
    }
    const word kept = 0x100 | 0x400 | 0x40000 | 0x4000;
    if ((in->rflags ^ out->rflags) & kept) {
        failures++;
        if (!(kinds_reported & (1u << CHECK_REGISTER))) {
            char what[200];
            gen_describe(c, what, sizeof what);
            snprintf(line, sizeof line, "fuzz: FUZZ-CHECK register: worker seed %#llx %s: flags %#lx -> %#lx\n",
                     (unsigned long long)my_seed, what, (unsigned long)in->rflags, (unsigned long)out->rflags);
            log_line(line);
        }
    }
    if (failures) kinds_reported |= 1u << CHECK_REGISTER;
    return failures;
}

/* ---------------------------------------------------------------- reporting */

static struct beat beat;

static void send_beat(uint8_t kind, uint32_t index) {
    beat.slot = (uint8_t)my_index;
    beat.kind = kind;
    beat.signals = signals_received > 255 ? 255 : (uint8_t)signals_received;
    beat.recovered = faults_recovered > 255 ? 255 : (uint8_t)faults_recovered;
    beat.index = index;
    beat.failures += (uint16_t)check_failures;
    check_failures = 0;
    signals_received = 0;
    faults_recovered = 0;
    for (int tries = 0; tries < 100; tries++) {
        const long r = fz_raw(NR(write), FD_BEAT, (long)&beat, sizeof beat, 0, 0, 0);
        if (r != -4 /*EINTR*/) break;
    }
    memset(&beat, 0, sizeof beat);
}

/* ---------------------------------------------------------------- probes */

/* Every PROBE_EVERY calls, one small check of a property random calls
 * cannot see by themselves (the kernel does not fault, it just gets it
 * wrong): a pipe read that fails with EFAULT loses nothing; a munmap or
 * mprotect whose length wraps around the address space is refused and
 * changes nothing. */
#define PROBE_EVERY 512

static long make_pipe(int fds[2]) {
    return fz_raw(NR(pipe2), (long)fds, 04000 /*O_NONBLOCK*/, 0, 0, 0, 0);
}

static void close_pipe(const int fds[2]) {
    fz_raw(NR(close), fds[0], 0, 0, 0, 0, 0);
    fz_raw(NR(close), fds[1], 0, 0, 0, 0, 0);
}

static void probe_pipe_efault(void) {
    if (my_avoid & AV_PIPELOSS) return;
    int fds[2];
    if (make_pipe(fds) != 0) return;
    static const char data[8] = "fuzzdata";
    if (fz_raw(NR(write), fds[1], (long)data, 8, 0, 0, 0) == 8) {
        const long bad = fz_raw(NR(read), fds[0], (long)(ARENA + ARENA_NONE_PAGE * PAGE), 8, 0, 0, 0);
        char back[8] = {0};
        const long again = fz_raw(NR(read), fds[0], (long)back, 8, 0, 0, 0);
        if (bad == -14 && (again != 8 || memcmp(back, data, 8)))
            report(CHECK_PIPE, "a pipe read that failed with EFAULT lost the data");
    }
    close_pipe(fds);
}

#if defined(__x86_64__)
/* Is the arena's first page still mapped and readable? (The kernel reads it.) */
static int arena_page_readable(const int fds[2]) {
    const long n = fz_raw(NR(write), fds[1], (long)ARENA, 1, 0, 0, 0);
    char c;
    fz_raw(NR(read), fds[0], (long)&c, 1, 0, 0, 0);
    return n == 1;
}
#endif

static void probe_wrapping_lengths(int mprotect) {
#if defined(__x86_64__)
    int fds[2];
    if (make_pipe(fds) != 0) return;
    if (arena_page_readable(fds)) {
        const uint64_t length = 0 - (uint64_t)ARENA + PAGE; /* ARENA + length wraps to PAGE */
        const long r = mprotect ? fz_raw(NR(mprotect), (long)ARENA, (long)length, 0, 0, 0, 0)
                                : fz_raw(NR(munmap), (long)ARENA, (long)length, 0, 0, 0, 0);
        if (r == 0 || !arena_page_readable(fds))
            report(mprotect ? CHECK_MPROTECT : CHECK_MUNMAP,
                   mprotect ? "mprotect with a length that wraps around the address space did something"
                            : "munmap with a length that wraps around the address space did something");
        arena_build();
    }
    close_pipe(fds);
#else
    (void)mprotect;                                      /* 32-bit lengths cannot wrap the kernel's 64-bit arithmetic */
#endif
}

static void probe(uint32_t n) {
    switch (n % 3) {
    case 0:
        probe_pipe_efault();
        break;
    case 1:
        probe_wrapping_lengths(0);
        break;
    default:
        probe_wrapping_lengths(1);
        break;
    }
}

/* ---------------------------------------------------------------- main */

struct selectors fz_sel;
extern uint16_t user_ds_word;
extern struct {
    uint32_t offset;
    uint16_t selector;
} __attribute__((packed)) fz_far_set64, fz_far_back32, fz_far_landing;

void fz_detect_selectors(void) {
    uint16_t cs, ds;
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1" : "=r"(cs), "=r"(ds));
#if defined(__x86_64__)
    __asm__ volatile("mov %%ss, %0" : "=r"(ds)); /* DS may be null in 64-bit mode; SS is the user data segment */
    fz_sel.cs64 = cs, fz_sel.cs32 = (uint16_t)(cs - 16);
    fz_far_landing.selector = cs;
#else
    fz_sel.cs32 = cs, fz_sel.cs64 = (uint16_t)(cs + 16); /* Linux's order: 32-bit code, data, 64-bit code */
    fz_far_set64.selector = fz_sel.cs64;
    fz_far_back32.selector = cs;
    user_ds_word = ds;
#endif
    fz_sel.ds = ds;
    fz_sel.ds2 = (uint16_t)(fz_sel.cs64 + 8);
    /* An empty descriptor at "any free entry": nothing is installed, and
     * the kernel says which entry it chose, the first. */
    struct {
        uint32_t entry, base, limit, flags;
    } d = {0xffffffffu, 0, 0, 0x28};
    fz_sel.tls_first = fz_raw(NR(set_thread_area), (long)&d, 0, 0, 0, 0, 0) == 0 ? (uint16_t)d.entry : 12;
}

static int vendor_is_intel(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    if (fz_raw(NR(sysgate_stats), (long)&s, sizeof s, 0, 0, 0, 0) < 0) return 1;
    return s.cpu_vendor == SYSGATE_VENDOR_INTEL;
}

static word find_vsyscall(void) {
#if defined(__x86_64__)
    return (word)(uintptr_t)sysgate_vdso_symbol("__kernel_vsyscall");
#else
    return (word)getauxval(AT_SYSINFO);
#endif
}

static void run_one(struct gen* g, const struct call* c) {
    fz_in = c->regs;
    /* Junk written to the console would flood the serial log and break the
     * lines the test reads: a write to it writes nothing. */
    if (gen_has_flag(c, F_WRITE) && is_console(gen_fd_args(c, 0))) {
        const int fd_reg = c->abi == ABI_I386 ? R_BX : R_DI;
        if (gen_is(c, "writev"))
            fz_in.r[fd_reg] = 61;
        else
            fz_in.r[R_DX] = 0;
    }
    const struct fz_regs in = fz_in;
    if (c->fork_like) fz_in.gate |= FZ_ASM_FORK;
    in_call = 1;
    const int how = fz_enter();
    in_call = 0;
    long result = -1;
    if (how == 0) {
        result = c->abi == ABI_I386 ? (long)(int32_t)fz_out.r[R_AX] : (long)fz_out.r[R_AX];
        if (c->check_regs && !(my_avoid & AV_REGS)) beat.failures += (uint16_t)check_registers(c, &in, &fz_out);
    } else {
        unblock_all(); /* a handler frame left without its sigreturn keeps its mask */
    }
    if (c->fork_like && how == 0 && result > 0 && result < 0x400000) reap(result);
    track_fds(c, result);
    if (gen_has_flag(c, F_PIPE)) after_pipe(c, how == 0 ? result : -1);
    /* A munmap that failed changed nothing (if the kernel is right: if
     * not, the generator's next write into the arena faults, and the worker
     * says so); other memory calls get the arena rebuilt. A failed
     * mprotect may have changed the regions before the one it stopped at
     * (Linux's do_mprotect_pkey: ENOMEM at a hole, EACCES at a region that
     * may not have those rights), and a failed mmap(MAP_FIXED) may have
     * unmapped what was there, as on Linux. */
    const int failed = how == 0 && result < 0 && result > -4096 && gen_is(c, "munmap");
    if (c->repair & RP_ARENA_ALL)
        arena_build();
    else if ((c->repair & RP_ARENA) && !failed)
        arena_repair(c);
    if ((c->repair & RP_SIGACT) && c->repair_sig >= 1 && c->repair_sig <= 64) install(c->repair_sig);
    if (c->repair & RP_ALTSTACK) set_altstack();
    if (how == 0 && result >= 0 && gen_is(c, "sysgate_ctl") && (int32_t)c->arg[0] == SYSGATE_CTL_POISON_STACK)
        poison = (int)(uint8_t)c->arg[1];
    if (c->repair & RP_MASK) unblock_all();
    (void)g;
}

int worker_main(const struct worker_args* a) {
    my_index = a->index;
    my_seed = a->seed;
    my_avoid = a->avoid;
    master_pid = a->master_pid;
    my_pid = (int)fz_raw(NR(getpid), 0, 0, 0, 0, 0, 0);
    fz_detect_selectors();
    struct gen g;
#if defined(__x86_64__)
    const int fsgsbase = (getauxval(26 /*AT_HWCAP2*/) & 2 /*HWCAP2_FSGSBASE*/) != 0;
#else
    const int fsgsbase = 0;
#endif
    gen_init(&g, a->seed, a->avoid, vendor_is_intel(), fsgsbase, my_pid, a->master_pid);
    fz_vsyscall = find_vsyscall();
    if (!fz_vsyscall && !a->list) g.avoid |= AV_VDSO; /* (a list is what Sysgate would run) */
    const long arena = arena_build();
    if (arena < 0) {
        /* ENOMEM: the memory free now is too little (Sysgate refuses what
         * it could not give later), most likely held by the other workers'
         * mappings; the master starts this one again later. */
        struct sysgate_stats s;
        memset(&s, 0, sizeof s);
        fz_raw(NR(sysgate_stats), (long)&s, sizeof s, 0, 0, 0, 0);
        char line[160];
        snprintf(line, sizeof line, "fuzz: cannot map the arena (error %ld, %llu frames free)\n", arena,
                 (unsigned long long)s.free_frames);
        fz_write_fd(a->list ? 2 : FD_LOG, line);
        return arena == -12 && !a->list ? WORKER_NO_MEMORY : WORKER_SETUP_FAILED;
    }
    if (a->list) {
        char line[256];
        for (uint32_t i = 0; i < a->calls; i++) {
            struct call c;
            gen_call(&g, &c, i);
            gen_describe(&c, line, sizeof line - 1);
            strcat(line, "\n");
            fz_write_fd(1, line);
        }
        return 0;
    }

    char line[256];
    snprintf(line, sizeof line,
             "fuzz: worker %u pid %d seed %#llx (%d-bit, %u calls; replay: fuzz%s --seed %#llx --calls %u)\n",
             (unsigned)a->index, my_pid, (unsigned long long)a->seed, FZ_BITS, (unsigned)a->calls,
             FZ_BITS == 64 ? "" : "32", (unsigned long long)a->seed, (unsigned)a->calls);
    log_line(line);

    {
        struct stat st;
#if defined(__x86_64__)
        if (fz_raw(NR(fstat), FD_LOG, (long)&st, 0, 0, 0, 0) == 0) console_rdev = (uint64_t)st.st_rdev;
#else
        if (fz_raw(NR(fstat64), FD_LOG, (long)&st, 0, 0, 0, 0) == 0) console_rdev = (uint64_t)st.st_rdev;
#endif
    }
    /* stdin, stdout and stderr on /dev/null: the console is FD_LOG only. */
    const long null = fz_raw(NR(open), (long)"/dev/null", 2 /*O_RDWR*/, 0, 0, 0, 0);
    if (null >= 0) {
        for (int fd = 0; fd < 3; fd++)
            if (fd != null) fz_raw(NR(dup2), null, fd, 0, 0, 0, 0);
        if (null > 2) fz_raw(NR(close), null, 0, 0, 0, 0, 0);
    }
    for (int fd = 3; fd < 10; fd++) fz_raw(NR(close), fd, 0, 0, 0, 0, 0); /* the master's pipe ends */

    struct rng setup;
    rng_seed(&setup, a->seed ^ 0x5e7u);
    set_altstack();
    install_all(&setup);
    if (rng_below(&setup, 8) == 0 && fz_raw(NR(sysgate_ctl), SYSGATE_CTL_POISON_STACK, 0xa7, 0, 0, 0, 0) >= 0)
        poison = 0xa7; /* one worker in eight: uninitialised bytes show as 0xa7 */
    send_beat(BEAT_READY, 0);

    uint32_t since_beat = 0;
    for (uint32_t i = 0; i < a->calls; i++) {
        struct call c;
        gen_call(&g, &c, i);
        cur_index = i;
        run_one(&g, &c);
        beat.gates[c.gate]++;
        beat.calls++;
        if ((i + 1) % PROBE_EVERY == 0 && g.arena_ok) probe((i + 1) / PROBE_EVERY);
        if (++since_beat == BEAT_EVERY) {
            send_beat(BEAT_PROGRESS, i + 1);
            since_beat = 0;
        }
    }
    send_beat(BEAT_DONE, a->calls);
    fz_raw(NR(exit_group), WORKER_DONE, 0, 0, 0, 0, 0);
    return WORKER_DONE;
}
