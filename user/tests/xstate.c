/* The FPU and extended (XSAVE) state: AVX registers survive context
 * switches and signal handlers, signal frames carry Linux's xstate layout
 * (sw_reserved with FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2 after the area,
 * UC_FP_XSTATE), sigreturn checks the XSAVE header as Linux does, and
 * AT_MINSIGSTKSZ and sigaltstack follow the real frame size. Runs as
 * /test/xstate and /test/xstate32. Where the CPU or the kernel has no
 * XSAVE or AVX, the cases that need it are skipped with the reason. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define UC_FP_XSTATE 1
#define XFEATURE_YMM 4ull

#ifdef __x86_64__
#define NREGS 16
#define FSAVE_HEADER 0 /* fpstate points at the FXSAVE image */
#define UC_FPSTATE 224 /* uc_mcontext (40) + sigcontext's fpstate (184) */
#else
#define NREGS 8
#define FSAVE_HEADER 112 /* struct fregs_state in front of the FXSAVE image */
#define UC_FPSTATE 96    /* uc_mcontext (20) + sigcontext's fpstate (76) */
#endif

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* CPUID.1:ECX.OSXSAVE (the kernel set CR4.OSXSAVE), AVX, and XCR0 with SSE and AVX state. */
static int have_osxsave(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    return (r[2] >> 27) & 1;
}
static int have_avx(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    return have_osxsave() && ((r[2] >> 28) & 1) && (xgetbv0() & 6) == 6;
}
static int skip_without_avx(void) {
    if (have_avx()) return 0;
    test_skip(have_osxsave() ? "the CPU has no AVX" : "no OSXSAVE: the CPU has no XSAVE");
    return 1;
}

/* The area's size for XCR0 now, and where AVX's upper halves are (SDM Vol. 1 13.5.3). */
static uint32_t xsave_size(void) {
    uint32_t r[4];
    cpuid(0xd, 0, r);
    return r[1];
}
static uint32_t ymm_offset(void) {
    uint32_t r[4];
    cpuid(0xd, 2, r);
    return r[1];
}

/* ---- the YMM registers, loaded and stored around one system call in a
 * ---- single asm statement, so that nothing but the kernel can touch them */

typedef struct {
    uint8_t b[32];
} __attribute__((aligned(32))) ymm_t;

static void fill(ymm_t* regs, unsigned seed) {
    for (int i = 0; i < NREGS; i++)
        for (int j = 0; j < 32; j++) regs[i].b[j] = (uint8_t)(seed * 131 + i * 37 + j * 7 + (j >= 16 ? 0x55 : 0));
}

#define LOAD(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define STORE(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
#ifdef __x86_64__
#define LOAD_ALL                                                                                                       \
    LOAD(0)                                                                                                            \
    LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7) LOAD(8) LOAD(9) LOAD(10) LOAD(11) LOAD(12) LOAD(13)        \
        LOAD(14) LOAD(15)
#define STORE_ALL                                                                                                      \
    STORE(0)                                                                                                           \
    STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8) STORE(9) STORE(10) STORE(11) STORE(12)     \
        STORE(13) STORE(14) STORE(15)
#define YMM_CLOBBERS                                                                                                   \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",         \
        "xmm13", "xmm14", "xmm15"
#else
#define LOAD_ALL LOAD(0) LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7)
#define STORE_ALL STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
#endif

/* Loads `in`, makes system call `nr` (a, b), stores the registers to `out`. */
static long ymm_around_syscall(const ymm_t* in, ymm_t* out, long nr, long a, long b) {
    long ret;
#ifdef __x86_64__
    __asm__ volatile(LOAD_ALL "syscall\n\t" STORE_ALL
                     : "=a"(ret)
                     : [in] "r"(in), [out] "r"(out), "a"(nr), "D"(a), "S"(b)
                     : "rcx", "r11", "memory", YMM_CLOBBERS);
#else
    /* ebx is the PIC register: swap it around the call. */
    __asm__ volatile(LOAD_ALL "xchgl %%ebx, %%edi\n\tint $0x80\n\txchgl %%ebx, %%edi\n\t" STORE_ALL
                     : "=a"(ret)
                     : [in] "r"(in), [out] "r"(out), "a"(nr), "D"(a), "c"(b)
                     : "memory");
#endif
    return ret;
}

#ifdef __x86_64__
enum { NR_SCHED_YIELD = 24, NR_KILL = 62, NR_GETPID = 39 };
#else
enum { NR_SCHED_YIELD = 158, NR_KILL = 37, NR_GETPID = 20 };
#endif

static int compare_regs(const ymm_t* a, const ymm_t* b) {
    for (int i = 0; i < NREGS; i++)
        if (memcmp(a[i].b, b[i].b, 32)) return i;
    return -1;
}

/* Loops of sched_yield with the registers live; returns the first register
 * that came back different, or -1. */
static int yield_loop(unsigned seed, int rounds) {
    static ymm_t in[NREGS], out[NREGS];
    fill(in, seed);
    for (int r = 0; r < rounds; r++) {
        memset(out, 0, sizeof out);
        ymm_around_syscall(in, out, NR_SCHED_YIELD, 0, 0);
        const int bad = compare_regs(in, out);
        if (bad >= 0) return bad;
    }
    return -1;
}

static void ymm_survive_context_switches(void) {
    if (skip_without_avx()) return;
    const pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) _exit(yield_loop(2, 2000) < 0 ? 0 : 1);
    const int bad = yield_loop(1, 2000);
    CHECK_EQ(bad, -1);
    CHECK_EXITED(reap(child), 0);
}

/* ---- signals */

static volatile int handler_ran;
static volatile uint32_t seen_flags, seen_magic1, seen_magic2, seen_xstate_size, seen_extended;
static volatile uint64_t seen_xfeatures, seen_xstate_bv;
static volatile int frame_ymm_ok;
static const ymm_t* expected_regs;
static ymm_t clobber[NREGS];
/* What the handler does to the frame before returning. */
enum Edit { EDIT_NONE, EDIT_YMM1, EDIT_RESERVED, EDIT_XCOMP, EDIT_XSTATE_BV, EDIT_NO_MAGIC };
static volatile enum Edit edit;

static uint8_t* frame_fx(void* uc) {
    return (uint8_t*)(uintptr_t) * (unsigned long*)((char*)uc + UC_FPSTATE) + FSAVE_HEADER;
}

static void on_usr1(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info;
    handler_ran++;
    seen_flags = *(unsigned long*)uc;
    uint8_t* fx = frame_fx(uc);
    memcpy((void*)&seen_magic1, fx + 464, 4);
    memcpy((void*)&seen_extended, fx + 468, 4);
    memcpy((void*)&seen_xfeatures, fx + 472, 8);
    memcpy((void*)&seen_xstate_size, fx + 480, 4);
    memcpy((void*)&seen_xstate_bv, fx + 512, 8);
    if (seen_xstate_size >= 576 && seen_xstate_size <= 65536) memcpy((void*)&seen_magic2, fx + seen_xstate_size, 4);
    /* The frame's AVX area holds the upper halves of the interrupted registers. */
    frame_ymm_ok = 1;
    for (int i = 0; expected_regs && i < NREGS; i++)
        if (memcmp(fx + ymm_offset() + 16 * i, expected_regs[i].b + 16, 16)) frame_ymm_ok = 0;
    /* Clobber every register: sigreturn must bring the program's back. */
    const ymm_t* in = clobber;
    __asm__ volatile(LOAD_ALL ::[in] "r"(in)
                     : "memory"
#ifdef __x86_64__
                       ,
                       YMM_CLOBBERS
#endif
    );
    uint64_t v;
    switch (edit) {
    case EDIT_NONE:
        break;
    case EDIT_YMM1: /* a new upper half for ymm1: sigreturn loads it */
        memset(fx + ymm_offset() + 16, 0xa5, 16);
        break;
    case EDIT_RESERVED: /* as Linux's corrupt_xstate_header selftest */
        v = 0xfffffff;
        memcpy(fx + 512 + 16, &v, 8);
        break;
    case EDIT_XCOMP: /* the compacted format, which programs never get */
        v = 1ull << 63 | 7;
        memcpy(fx + 512 + 8, &v, 8);
        break;
    case EDIT_XSTATE_BV: /* a component the kernel did not enable */
        memcpy(&v, fx + 512, 8);
        v |= 1ull << 62;
        memcpy(fx + 512, &v, 8);
        break;
    case EDIT_NO_MAGIC: /* an FXSAVE-only frame: xmm0 changed, AVX to its initial state */
        memset(fx + 464, 0, 4);
        memset(fx + 160, 0x3c, 16);
        break;
    }
}

static void install_usr1(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
}

static ymm_t sig_in[NREGS], sig_out[NREGS];

static void raise_usr1_with_regs(void* arg) {
    (void)arg;
    memset(sig_out, 0, sizeof sig_out);
    ymm_around_syscall(sig_in, sig_out, NR_KILL, getpid(), SIGUSR1);
}

static void ymm_survive_signals(void) {
    if (skip_without_avx()) return;
    install_usr1();
    fill(sig_in, 5);
    for (int i = 0; i < NREGS; i++) memset(clobber[i].b, 0xee, 32);
    expected_regs = sig_in;
    edit = EDIT_NONE;
    handler_ran = 0;
    raise_usr1_with_regs(0);
    expected_regs = 0;
    CHECK_EQ(handler_ran, 1);
    CHECK(frame_ymm_ok);
    CHECK_EQ(compare_regs(sig_in, sig_out), -1);

    /* A handler that changes the frame changes the registers. */
    edit = EDIT_YMM1;
    raise_usr1_with_regs(0);
    ymm_t want[NREGS];
    memcpy(want, sig_in, sizeof want);
    memset(want[1].b + 16, 0xa5, 16);
    CHECK_EQ(compare_regs(want, sig_out), -1);
    signal(SIGUSR1, SIG_DFL);
}

static void frame_has_xstate_layout(void) {
    if (!have_osxsave()) {
        test_skip("no OSXSAVE: the CPU has no XSAVE");
        return;
    }
    install_usr1();
    edit = EDIT_NONE;
    handler_ran = 0;
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(handler_ran, 1);
    CHECK(seen_flags & UC_FP_XSTATE);
    CHECK_EQ(seen_magic1, MAGIC1);
    CHECK_EQ(seen_xfeatures, xgetbv0());
    CHECK_EQ(seen_xstate_size, xsave_size());
    CHECK_EQ(seen_extended, xsave_size() + 4 + FSAVE_HEADER);
    CHECK_EQ(seen_magic2, MAGIC2);
    CHECK((seen_xstate_bv & 3) == 3); /* x87 and SSE always announced (Linux) */
    CHECK((seen_xstate_bv & ~xgetbv0()) == 0);
    test_note("XCR0 %#llx, xstate_size %u, extended_size %u", (unsigned long long)seen_xfeatures,
              (unsigned)seen_xstate_size, (unsigned)seen_extended);
    signal(SIGUSR1, SIG_DFL);
}

static void raise_usr1(void* arg) {
    (void)arg;
    kill(getpid(), SIGUSR1);
}

static void corrupt_header_gives_sigsegv(void) {
    if (!have_osxsave()) {
        test_skip("no OSXSAVE: the CPU has no XSAVE");
        return;
    }
    install_usr1();
    static const enum Edit edits[] = {EDIT_RESERVED, EDIT_XCOMP, EDIT_XSTATE_BV};
    for (unsigned i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        edit = edits[i];
        handler_ran = 0;
        CHECK_EQ(run_catching(raise_usr1, 0, 0), SIGSEGV);
        CHECK_EQ(handler_ran, 1);
    }
    /* The program goes on with a working FPU. */
    edit = EDIT_NONE;
    CHECK_EQ(run_catching(raise_usr1, 0, 0), 0);
    volatile double x = 1.5;
    CHECK(x * 2 == 3.0);
    signal(SIGUSR1, SIG_DFL);
}

static void frame_without_magic_restores_fxsave_part(void) {
    if (skip_without_avx()) return;
    install_usr1();
    fill(sig_in, 9);
    edit = EDIT_NO_MAGIC;
    raise_usr1_with_regs(0);
    /* xmm0 from the frame's FXSAVE image; every upper half initial (zero). */
    ymm_t want[NREGS];
    memcpy(want, sig_in, sizeof want);
    memset(want[0].b, 0x3c, 16);
    for (int i = 0; i < NREGS; i++) memset(want[i].b + 16, 0, 16);
    CHECK_EQ(compare_regs(want, sig_out), -1);
    edit = EDIT_NONE;
    signal(SIGUSR1, SIG_DFL);
}

/* ---- the alternate stack */

static unsigned long linux_min_sigstksz(void) {
    /* Linux's get_sigframe_size: rt_sigframe (440) + 15 + the XSAVE area +
     * magic2 + the FSAVE header (112) + 63, rounded up to 16. */
    const unsigned long fp = have_osxsave() ? xsave_size() + 4 + 112 : 512 + 112;
    return (440 + 15 + fp + 63 + 15) & ~15ul;
}

static void minsigstksz_follows_frame_size(void) {
    const unsigned long at = getauxval(AT_MINSIGSTKSZ);
    test_note("AT_MINSIGSTKSZ %lu", at);
    CHECK_EQ(at, linux_min_sigstksz());
    /* sigaltstack takes any size from MINSIGSTKSZ (2048) up, as Linux 6.1
     * without AMX; a smaller one is ENOMEM. */
    char* mem = malloc(4096);
    CHECK(mem != 0);
    stack_t ss = {mem, 0, 2047}, old;
    CHECK_ERRNO(sigaltstack(&ss, &old), ENOMEM);
    ss.ss_size = 2048;
    CHECK_EQ(sigaltstack(&ss, &old), 0);
    ss.ss_flags = SS_DISABLE;
    CHECK_EQ(sigaltstack(&ss, 0), 0);
    free(mem);
}

static jmp_buf segv_jump;
static volatile int alt_handler_ran, segv_seen;
static void on_alrm(int sig) {
    (void)sig;
    alt_handler_ran = 1;
}
static void on_segv(int sig) {
    (void)sig;
    segv_seen = 1;
    longjmp(segv_jump, 1);
}

/* A frame that does not fit on the alternate stack: SIGSEGV, which a
 * handler on the normal stack takes (Linux: x86_64's "overflowed
 * sigaltstack" check, i386's fault writing below the stack). */
static void too_small_altstack_gives_sigsegv(void) {
    if (linux_min_sigstksz() <= 2049) {
        test_skip("the frame fits in MINSIGSTKSZ here");
        return;
    }
    /* Two pages with the first unmapped: nothing writable below the stack. */
    char* mem = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mem != MAP_FAILED);
    CHECK_EQ(munmap(mem, 4096), 0);
    stack_t ss = {mem + 4096, 0, 2049};
    CHECK_EQ(sigaltstack(&ss, 0), 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = SA_ONSTACK;
    CHECK_EQ(sigaction(SIGALRM, &sa, 0), 0);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    CHECK_EQ(sigaction(SIGSEGV, &sa, 0), 0);
    alt_handler_ran = segv_seen = 0;
    if (!setjmp(segv_jump)) kill(getpid(), SIGALRM);
    CHECK_EQ(segv_seen, 1);
    CHECK_EQ(alt_handler_ran, 0);
    /* A big enough one works. */
    char* big = mmap(0, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(big != MAP_FAILED);
    ss.ss_sp = big;
    ss.ss_size = getauxval(AT_MINSIGSTKSZ) + 16384;
    CHECK_EQ(sigaltstack(&ss, 0), 0);
    kill(getpid(), SIGALRM);
    CHECK_EQ(alt_handler_ran, 1);
    ss.ss_flags = SS_DISABLE;
    CHECK_EQ(sigaltstack(&ss, 0), 0);
    signal(SIGALRM, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
    munmap(mem + 4096, 4096);
    munmap(big, 65536);
}

int main(int argc, char** argv) {
    (void)argc;
    set_program(argv[0]);
    test_run("YMM registers survive context switches (two processes, sched_yield)", ymm_survive_context_switches);
    test_run("YMM registers survive a signal handler that clobbers them; the frame holds them", ymm_survive_signals);
    test_run("the signal frame: UC_FP_XSTATE, magic1, sizes, xfeatures, magic2", frame_has_xstate_layout);
    test_run("a corrupted XSAVE header makes sigreturn give SIGSEGV", corrupt_header_gives_sigsegv);
    test_run("a frame without magic1: the FXSAVE part restored, AVX initialised",
             frame_without_magic_restores_fxsave_part);
    test_run("AT_MINSIGSTKSZ is Linux's frame size; sigaltstack below MINSIGSTKSZ is ENOMEM",
             minsigstksz_follows_frame_size);
    test_run("an alternate stack too small for the frame: SIGSEGV", too_small_altstack_gives_sigsegv);
    return test_summary(sizeof(void*) == 8 ? "xstate" : "xstate32");
}
