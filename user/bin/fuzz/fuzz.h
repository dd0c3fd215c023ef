/* The system-call fuzzer: shared declarations.
 *
 *   main.c      the command line and the master: starts workers, replaces
 *               the ones that die or hang, sends them signals, counts,
 *               checks the kernel's memory balance at the end
 *   worker.c    one worker: sets itself up, runs the generated calls,
 *               recovers from the faults they cause, reports progress
 *   gen.c       the generator: a seeded PRNG, the system-call tables with
 *               argument kinds, the pools of interesting values
 *   gates64.asm, gates32.asm   the call itself, through each gate
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
typedef uint64_t word;
#define FZ_NREGS 15
#define FZ_BITS 64
#else
typedef uint32_t word;
#define FZ_NREGS 7
#define FZ_BITS 32
#endif

/* Register indexes in fz_regs.r (64-bit code has all fifteen). */
enum { R_AX, R_BX, R_CX, R_DX, R_SI, R_DI, R_BP, R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15 };

/* One call as the gate helper loads it (gates64.asm / gates32.asm). */
struct fz_regs {
    word r[FZ_NREGS];
    word rflags;
    word sp;                     /* with FZ_HOSTILE_SP: rsp at the gate (rbp for sysenter) */
    uint16_t ds, es, fs, gs, ss; /* loaded when the FZ_LOAD_* bit is set */
    uint16_t pad;
    uint32_t gate; /* FZ_ASM_* */
    uint32_t flags;
#if defined(__x86_64__)
    word target;         /* FZ_ASM_VSYSCALL: the address called in the legacy vsyscall page */
    word fsbase, gsbase; /* written with wrfsbase/wrgsbase before the call (FZ_WRFSBASE, FZ_WRGSBASE) */
#else
    uint32_t r14, r15; /* put there through the 64-bit code segment */
#endif
};
#if defined(__x86_64__)
_Static_assert(offsetof(struct fz_regs, rflags) == 120 && offsetof(struct fz_regs, sp) == 128 &&
                   offsetof(struct fz_regs, ds) == 136 && offsetof(struct fz_regs, ss) == 144 &&
                   offsetof(struct fz_regs, gate) == 148 && offsetof(struct fz_regs, flags) == 152 &&
                   offsetof(struct fz_regs, target) == 160 && offsetof(struct fz_regs, fsbase) == 168 &&
                   offsetof(struct fz_regs, gsbase) == 176 && sizeof(struct fz_regs) == 184,
               "gates64.asm offsets");
#else
_Static_assert(offsetof(struct fz_regs, rflags) == 28 && offsetof(struct fz_regs, sp) == 32 &&
                   offsetof(struct fz_regs, ds) == 36 && offsetof(struct fz_regs, ss) == 44 &&
                   offsetof(struct fz_regs, gate) == 48 && offsetof(struct fz_regs, flags) == 52 &&
                   offsetof(struct fz_regs, r14) == 56 && sizeof(struct fz_regs) == 64,
               "gates32.asm offsets");
#endif

enum {
    FZ_ASM_INT80,
    FZ_ASM_SYSENTER,
    FZ_ASM_SYSCALL,
    FZ_ASM_VDSO,
    FZ_ASM_SYSENTER_BADSP,
    FZ_ASM_SYSCALL_BADSP,
    FZ_ASM_VSYSCALL, /* 64-bit: call fz_regs.target, in the legacy vsyscall page */
};
#define FZ_ASM_FORK 8 /* | a gate: the call may return 0 in a child, which exits at once */
enum {
    FZ_HOSTILE_SP = 2,
    FZ_LOAD_DS = 4,
    FZ_LOAD_ES = 8,
    FZ_LOAD_FS = 16,
    FZ_LOAD_GS = 32,
    FZ_LOAD_SS = 64,
    FZ_WRFSBASE = 128, /* 64-bit, where FSGSBASE is on */
    FZ_WRGSBASE = 256,
};

extern struct fz_regs fz_in, fz_out;
/* The harness's alternate signal stack (every fault handler runs on it). */
#define FZ_ALTSTACK_SIZE 65536
extern uint8_t fz_altstack[FZ_ALTSTACK_SIZE];
extern word fz_vsyscall;
int fz_enter(void); /* 0: returned; 1: resumed after a fault; 2: a crafted sigreturn landed */
void fz_recover(void);
void fz_sigreturn_landing(void);
void fz_sigreturn_landing32(void); /* 64-bit workers: where an i386 frame returns in 32-bit mode */
extern char fz_enter_end[];
long fz_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
long fz_raw_nostack(long nr, long a1, long a2, long a3); /* with the stack pointer 0 */

/* The gates, as the summary counts them. */
enum { G_INT80, G_SYSCALL, G_SYSENTER, G_VDSO, G_VSYSCALL, G_COUNT }; /* vsyscall: the legacy page, 64-bit */
extern const char* const fz_gate_names[G_COUNT];

/* Things a run can be told to leave out (--avoid), to get past a known
 * kernel crash while it is being fixed; the default exercises everything. */
enum {
    AV_TF = 1 << 0,        /* the trap flag at entry */
    AV_NT = 1 << 1,        /* the nested-task flag */
    AV_AC = 1 << 2,        /* the alignment-check flag */
    AV_DF = 1 << 3,        /* the direction flag */
    AV_STACK = 1 << 4,     /* hostile stack pointers at the gate */
    AV_SEG = 1 << 5,       /* segment selector loads */
    AV_SIGRETURN = 1 << 6, /* crafted rt_sigreturn frames */
    AV_FORK = 1 << 7,      /* fork, vfork, clone */
    AV_EXEC = 1 << 8,      /* execve */
    AV_MEM = 1 << 9,       /* mmap, munmap, mprotect, brk */
    AV_SIGNALS = 1 << 10,  /* signals from the master */
    AV_TLS = 1 << 11,      /* set_thread_area, arch_prctl */
    AV_INT80 = 1 << 12,
    AV_SYSCALL = 1 << 13,
    AV_SYSENTER = 1 << 14,
    AV_VDSO = 1 << 15,
    AV_BADNR = 1 << 16, /* numbers outside the table */
    AV_PIPE = 1 << 17,  /* pipe, pipe2 */
    AV_TTY = 1 << 18,   /* /dev/console */
    AV_FSGS = 1 << 19,  /* FS and GS selector loads only (seg: all of them) */
    AV_SS = 1 << 20,    /* SS loads only */
    AV_DSES = 1 << 21,  /* DS and ES loads only */
    /* checks (FUZZ-CHECK lines) a run can leave out while a known bug stands */
    AV_FPLEAK = 1 << 22,    /* kernel bytes in a signal frame's FPU state */
    AV_FAULTINFO = 1 << 23, /* fault details in a signal no fault raised */
    AV_PIPELOSS = 1 << 24,  /* a pipe read failing with EFAULT loses data */
    AV_REGS = 1 << 25,      /* registers preserved across a call */
    AV_VSYSCALL = 1 << 26,  /* the legacy vsyscall page */
    AV_FSGSBASE = 1 << 27,  /* wrfsbase/wrgsbase */
};
/* Parses "tf,seg,..." into AV_* bits; -1 on an unknown name. */
long fz_parse_avoid(const char* list);
extern const char fz_avoid_names[];

/* ---- the PRNG (xorshift64*, seeded through splitmix64) */
struct rng {
    uint64_t s;
};
uint64_t fz_splitmix(uint64_t* state);
void rng_seed(struct rng* r, uint64_t seed);
uint64_t rng_next(struct rng* r);
uint32_t rng_below(struct rng* r, uint32_t n); /* 0..n-1 */
int rng_pct(struct rng* r, uint32_t percent);  /* true with that probability */
uint64_t fz_worker_seed(uint64_t master_seed, uint32_t index);

/* ---- the arena: pages at a fixed address for every pointer argument */
#define ARENA 0x20000000ul
#define ARENA_PAGES 32
#define PAGE 4096u
#define ARENA_END (ARENA + ARENA_PAGES * PAGE)
/* Layout: pages 0-23 read-write scratch, 24 PROT_NONE, 25 read-write,
 * 26 read-only, 27 unmapped, 28-29 read-write, 30-31 unmapped. */
#define ARENA_SCRATCH_PAGES 24
#define ARENA_NONE_PAGE 24
#define ARENA_RW_PAGE 25
#define ARENA_RO_PAGE 26
#define ARENA_HOLE_PAGE 27
#define ARENA_RW2_PAGE 28
#define ARENA_MAPPED_PAGES 30
int arena_writable(uint64_t address);

/* ---- the user selectors, as the kernel's GDT has them (read from the
 * process's own registers and set_thread_area: the layout is the kernel's
 * business, and has changed). */
struct selectors {
    uint16_t cs32, cs64, ds, ds2; /* ds2: the second user data descriptor (sysexitq's SS) */
    uint16_t tls_first;           /* the first set_thread_area entry */
};
extern struct selectors fz_sel;
void fz_detect_selectors(void);

/* ---- the generator */
enum { ABI_I386, ABI_X86_64 };

struct sc; /* a table entry (gen.c) */

/* Repairs the harness makes after a call (decided by the generator, so a
 * replay makes the same ones). */
enum {
    RP_ARENA = 1,    /* rebuild the arena */
    RP_SIGACT = 2,   /* reinstall the harness handler of repair_sig */
    RP_ALTSTACK = 4, /* the harness's alternate signal stack again */
    RP_MASK = 8,     /* unblock every signal */
    RP_PIPE_CLOSE = 16,
    RP_PIPE_NONBLOCK = 32,
    RP_ARENA_ALL = 64, /* rebuild all of it, whatever the call did: an earlier call left it damaged */
};

struct call {
    uint32_t index;
    int gate; /* G_* */
    int abi;
    const struct sc* entry; /* the table entry of the number's low 32 bits, or 0 */
    uint64_t nr;
    uint64_t arg[6];
    struct fz_regs regs;
    uint32_t repair;
    int repair_sig;
    int fork_like;
    int sigreturn_frame;        /* rsp points at a crafted rt_sigreturn frame */
    int console_open;           /* opens /dev/console: its fd gets tracked */
    int check_regs;             /* the registers must come back as the ABI says */
    uint64_t mem_addr, mem_len; /* a memory call's range, as the kernel sees it */
    int mem_full;               /* ... or "anything" (brk) */
    int vsyscall;               /* G_VSYSCALL: 0 gettimeofday, 1 time, 2 getcpu, 3 another offset */
};

struct gen {
    struct rng r;
    uint64_t seed;
    uint32_t avoid;
    int vendor_intel; /* which fast gates the CPU offers */
    int fsgsbase;     /* wrfsbase/wrgsbase allowed in user mode (AT_HWCAP2) */
    int self_pid, master_pid;
    int arena_ok;          /* the arena is as built: struct arguments can be written */
    int console_path;      /* this call's path is /dev/console */
    uint16_t tls_selector; /* the selector of the TLS slot this call's user_desc names */
    uint32_t futex_value;  /* the value this call's futex word was given */
};

void gen_init(struct gen* g, uint64_t seed, uint32_t avoid, int vendor_intel, int fsgsbase, int self_pid,
              int master_pid);
void gen_call(struct gen* g, struct call* c, uint32_t index);
/* "sysenter write(0x3, 0x20001000, 0x10)" into buf. */
void gen_describe(const struct call* c, char* buf, size_t size);
int gen_fd_args(const struct call* c, int which); /* the fd in argument `which`, or -1 */
const char* gen_name(const struct call* c);
int gen_is(const struct call* c, const char* name);
int gen_has_flag(const struct call* c, unsigned flag);
/* table entry flags */
enum {
    F_FORK = 1 << 0,
    F_EXIT = 1 << 1,
    F_EXEC = 1 << 2,
    F_MEM = 1 << 3,
    F_SIGACT = 1 << 4,
    F_ALTSTK = 1 << 5,
    F_MASK = 1 << 6,
    F_SIGRET = 1 << 7,
    F_PIPE = 1 << 8,
    F_OPEN = 1 << 9,
    F_KILL = 1 << 10,
    F_CTL = 1 << 11,
    F_WRITE = 1 << 12,
    F_DUP = 1 << 13,
    F_CLOSE = 1 << 14,
    F_TLS = 1 << 15,
};

/* The harness's fds, which no generated call may name. */
#define FD_LOG 62  /* the console, for the worker's own lines */
#define FD_BEAT 63 /* the heartbeat pipe to the master */

/* Worker -> master, every BEAT_EVERY calls and at the end (32 bytes:
 * pipe writes of it are atomic). */
#define BEAT_EVERY 32
struct beat {
    uint8_t slot;      /* the worker's index, mod 256 */
    uint8_t kind;      /* BEAT_* */
    uint8_t signals;   /* received since the last beat (saturated) */
    uint8_t recovered; /* faults resumed */
    uint16_t gates[G_COUNT];
    uint16_t calls;
    uint16_t failures; /* register checks, leaks and probes that failed (FUZZ-CHECK lines) */
    uint32_t index;
    uint32_t reserved[2];
};
_Static_assert(sizeof(struct beat) == 32, "beat size");
enum { BEAT_READY = 0, BEAT_PROGRESS = 1, BEAT_DONE = 2 }; /* READY: set up, handlers installed */

/* Exit statuses of a worker. */
#define WORKER_DONE 90         /* its calls made */
#define WORKER_HARNESS 91      /* a fuzzed call broke the worker itself (its stack, its code) */
#define WORKER_SETUP_FAILED 92 /* could not set itself up */
#define WORKER_NO_MEMORY 93    /* could not start for want of memory (ENOMEM from the arena's mmap, or exec) */

/* worker.c */
struct worker_args {
    uint32_t index;
    uint64_t seed;
    uint32_t calls;
    int master_pid;
    uint32_t avoid;
    int list; /* print the calls instead of making them */
};
int worker_main(const struct worker_args* a);

/* A line straight to an fd with fz_raw: the worker uses no stdio (no
 * malloc, no vDSO), only snprintf, which formats into a buffer. */
void fz_write_fd(int fd, const char* s);

#endif
