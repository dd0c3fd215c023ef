/* The generator: from a seed, a sequence of system calls that depends on
 * nothing else (not on the results of earlier calls), so that the same
 * seed always gives the same calls and `fuzz --seed S --calls M --list`
 * prints what a worker made.
 *
 * Each call gets a gate, a number (mostly one of the table's, weighted;
 * sometimes an invalid, huge or negative one), arguments by kind, biased
 * towards interesting values (0, -1, kernel and non-canonical addresses,
 * the vDSO, the top user page, unmapped and page-crossing buffers, tiny
 * and huge lengths), random values in every other register, random entry
 * flags, sometimes a hostile stack pointer and segment selectors. Pointer
 * arguments point into the arena, a fixed range of pages with holes and
 * protections (fuzz.h), where structures the call reads are written just
 * before it. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysgate/abi.h>
#include <sysgate/syscall_nr.h>

#include "fuzz.h"

const char* const fz_gate_names[G_COUNT] = {"int80", "syscall", "sysenter", "vdso", "vsyscall"};

void fz_on_async(int sig, siginfo_t* info, void* context); /* worker.c */
void fz_on_fault(int sig, siginfo_t* info, void* context);
void __restore_rt(void); /* libc: makes rt_sigreturn */

/* ---------------------------------------------------------------- PRNG */

uint64_t fz_splitmix(uint64_t* state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(struct rng* r, uint64_t seed) {
    uint64_t s = seed;
    r->s = fz_splitmix(&s) | 1;
}

uint64_t rng_next(struct rng* r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

uint32_t rng_below(struct rng* r, uint32_t n) {
    return (uint32_t)(((uint64_t)(uint32_t)(rng_next(r) >> 32) * n) >> 32);
}

int rng_pct(struct rng* r, uint32_t percent) {
    return rng_below(r, 100) < percent;
}

uint64_t fz_worker_seed(uint64_t master_seed, uint32_t index) {
    if (!index) return master_seed; /* so that --seed S --calls M replays a worker printed with seed S */
    uint64_t s = master_seed ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull);
    return fz_splitmix(&s);
}

/* ---------------------------------------------------------------- --avoid */

static const struct {
    const char* name;
    uint32_t bit;
} avoid_table[] = {
    {"tf", AV_TF},
    {"nt", AV_NT},
    {"ac", AV_AC},
    {"df", AV_DF},
    {"stack", AV_STACK},
    {"seg", AV_SEG},
    {"sigreturn", AV_SIGRETURN},
    {"fork", AV_FORK},
    {"exec", AV_EXEC},
    {"mem", AV_MEM},
    {"signals", AV_SIGNALS},
    {"tls", AV_TLS},
    {"int80", AV_INT80},
    {"syscall", AV_SYSCALL},
    {"sysenter", AV_SYSENTER},
    {"vdso", AV_VDSO},
    {"badnr", AV_BADNR},
    {"fsgs", AV_FSGS},
    {"ss", AV_SS},
    {"dses", AV_DSES},
    {"fpleak", AV_FPLEAK},
    {"faultinfo", AV_FAULTINFO},
    {"pipeloss", AV_PIPELOSS},
    {"regs", AV_REGS},
    {"vsyscall", AV_VSYSCALL},
    {"fsgsbase", AV_FSGSBASE},
    {"pipe", AV_PIPE},
    {"tty", AV_TTY},
};
const char fz_avoid_names[] =
    "tf,nt,ac,df (entry flags), stack (hostile stack pointers), seg (selector loads), sigreturn (crafted frames), "
    "fork, exec, mem (mmap/munmap/mprotect/brk), signals (from the master), tls (set_thread_area, arch_prctl), "
    "int80, syscall, sysenter, vdso (gates), badnr (numbers outside the table), pipe, tty (/dev/console), "
    "fsgs (FS and GS loads only), ss (SS loads only), dses (DS and ES loads only); and checks: fpleak, faultinfo, "
    "pipeloss, regs; vsyscall (the legacy page), fsgsbase (wrfsbase/wrgsbase)";

long fz_parse_avoid(const char* list) {
    long bits = 0;
    while (*list) {
        const char* end = strchr(list, ',');
        size_t n = end ? (size_t)(end - list) : strlen(list);
        int found = 0;
        for (unsigned i = 0; i < sizeof avoid_table / sizeof avoid_table[0]; i++)
            if (strlen(avoid_table[i].name) == n && !strncmp(avoid_table[i].name, list, n)) {
                bits |= avoid_table[i].bit;
                found = 1;
            }
        if (!found && n) return -1;
        list += n + (end != 0);
    }
    return bits;
}

/* ---------------------------------------------------------------- the arena */

int arena_writable(uint64_t address) {
    if (address < ARENA || address >= ARENA_END) return 0;
    const uint32_t page = (uint32_t)(address - ARENA) / PAGE;
    return page < ARENA_SCRATCH_PAGES || page == ARENA_RW_PAGE || page == ARENA_RW2_PAGE || page == ARENA_RW2_PAGE + 1;
}

/* Writes what the call will read, skipping bytes the worker itself cannot
 * write (PROT_NONE, read-only, unmapped): a structure that crosses into
 * such a page is cut there, as the kernel will find it. */
static void put(struct gen* g, uint64_t address, const void* data, uint32_t size) {
    if (!g->arena_ok) return; /* a call changed the arena and it was left so: write nothing */
    const uint8_t* src = data;
    while (size) { /* page by page */
        uint32_t chunk = PAGE - (uint32_t)(address & (PAGE - 1));
        if (chunk > size) chunk = size;
        if (arena_writable(address)) memcpy((void*)(uintptr_t)address, src, chunk);
        address += chunk, src += chunk, size -= chunk;
    }
}

static void put_random(struct gen* g, uint64_t address, uint32_t size) {
    uint8_t bytes[64];
    if (size > sizeof bytes) size = sizeof bytes;
    for (uint32_t i = 0; i < size; i++) bytes[i] = (uint8_t)rng_next(&g->r);
    put(g, address, bytes, size);
}

/* ---------------------------------------------------------------- value pools */

#define PICK(pool) pool[rng_below(&g->r, sizeof pool / sizeof pool[0])]
#define P(n) (ARENA + (uint64_t)(n)*PAGE) /* an arena page */

static const uint64_t hostile64[] = {
    0,
    1,
    0x10,
    0xfff,
    0x1000,
    0x7ffffffff000,     /* the first address above user space */
    0x7fffffffeff8,     /* the top user page */
    0x7ffffffff000 - 1, /* page-crossing into the hole below 2^47 */
    0x7fffffffd000,     /* the vDSO */
    0x7fffffffc000,     /* its data page */
    0x7ffffffbbff0,     /* the top of the stack */
    0x00007fffffffffff,
    0x0000800000000000, /* non-canonical */
    0x8000000000000000,
    0xdead000000000000,
    0xffff800000000000, /* the kernel's direct map */
    0xffff800000100000,
    0xffffc00000000000, /* the kernel heap */
    0xffffc80000000000, /* kernel stacks */
    0xffffc80000007f00,
    0xffffffff80000000, /* the kernel image */
    0xffffffff80100000,
    0xfffffffffffff000,
    0xfffffffffffffff0,
    0xffffffffffffffff,
    0xfffff000,
    0xffffe000,
    P(ARENA_NONE_PAGE),
    P(ARENA_RO_PAGE),
    P(ARENA_HOLE_PAGE),
    P(ARENA_MAPPED_PAGES),
    0x400000, /* our own code: read-only */
    0x12345678,
};

static const uint64_t hostile32[] = {
    0,
    1,
    0x10,
    0xfff,
    0x1000,
    0xffffe000, /* the vDSO */
    0xffffeff8,
    0xffffd000, /* its data page */
    0xffffbff0, /* the top of the stack */
    0xffffc000,
    0xfffff000,
    0xfffffff0,
    0xfffffffc,
    0xffffffff,
    0xc0000000,
    0x80000000,
    0x7fffffff,
    0x08048000, /* our own code */
    P(ARENA_NONE_PAGE),
    P(ARENA_RO_PAGE),
    P(ARENA_HOLE_PAGE),
    P(ARENA_MAPPED_PAGES),
    0xdeadbeef,
};

static const uint64_t ints[] = {0,
                                1,
                                2,
                                3,
                                4,
                                7,
                                8,
                                16,
                                31,
                                32,
                                63,
                                64,
                                100,
                                127,
                                128,
                                255,
                                256,
                                1000,
                                1024,
                                4095,
                                4096,
                                4097,
                                0x7fff,
                                0x8000,
                                0xffff,
                                0x10000,
                                0x7fffffff,
                                0x80000000,
                                0xfffffffe,
                                0xffffffff,
                                0x100000000ull,
                                0x7fffffffffffffffull,
                                0x8000000000000000ull,
                                0xffffffffffffffffull,
                                0xfffffffffffffffeull,
                                0xfffffffffffff001ull, /* -4095 */
                                0xfffffffffffff000ull,
                                0xffffffffffffff9cull}; /* -100 */

static const uint64_t lengths[] = {0,
                                   1,
                                   2,
                                   3,
                                   4,
                                   7,
                                   8,
                                   15,
                                   16,
                                   17,
                                   31,
                                   32,
                                   63,
                                   64,
                                   100,
                                   255,
                                   256,
                                   511,
                                   512,
                                   1023,
                                   1024,
                                   2048,
                                   4095,
                                   4096,
                                   4097,
                                   8191,
                                   8192,
                                   12288,
                                   65535,
                                   65536,
                                   65537,
                                   1u << 20,
                                   1u << 24,
                                   0x7fffffff,
                                   0x80000000,
                                   0xfffffffe,
                                   0xffffffff,
                                   0x100000000ull,
                                   0x7fffffffffffffffull,
                                   0x8000000000000000ull,
                                   0xffffffffffffffffull,
                                   0xfffffffffffff000ull};

static uint64_t hostile_ptr(struct gen* g, int abi) {
    return abi == ABI_I386 ? PICK(hostile32) : PICK(hostile64);
}

/* Any value at all, for registers no argument uses and some arguments. */
static uint64_t any_value(struct gen* g, int abi) {
    switch (rng_below(&g->r, 8)) {
    case 0:
    case 1:
        return PICK(ints);
    case 2:
    case 3:
        return hostile_ptr(g, abi);
    case 4:
        return PICK(lengths);
    case 5:
        return ARENA + rng_below(&g->r, ARENA_PAGES * PAGE);
    case 6:
        return rng_next(&g->r) & 0xffffffffu;
    default:
        return rng_next(&g->r);
    }
}

/* Where a buffer of `size` bytes goes: mostly whole in the scratch pages,
 * sometimes across the edge into a PROT_NONE, read-only or unmapped page,
 * sometimes a hostile pointer. */
static uint64_t place(struct gen* g, int abi, uint32_t size, int hostile_percent) {
    if (size > ARENA_SCRATCH_PAGES * PAGE / 2) size = ARENA_SCRATCH_PAGES * PAGE / 2;
    const uint32_t r = rng_below(&g->r, 100);
    const uint32_t k = 1 + rng_below(&g->r, size < 64 ? 64 : size); /* bytes before the edge */
    if (r < (uint32_t)hostile_percent) return hostile_ptr(g, abi);
    if (r < 70) {
        uint32_t offset = rng_below(&g->r, ARENA_SCRATCH_PAGES * PAGE - size);
        if (rng_pct(&g->r, 85)) offset &= ~7u;
        return ARENA + offset;
    }
    if (r < 80) return P(ARENA_NONE_PAGE) - k;         /* into PROT_NONE */
    if (r < 86) return P(ARENA_RO_PAGE) - k;           /* into read-only */
    if (r < 90) return P(ARENA_RO_PAGE) + (k & 0xff8); /* read-only */
    if (r < 95) return P(ARENA_HOLE_PAGE) - k;         /* read-only into unmapped */
    return P(ARENA_MAPPED_PAGES) - k;                  /* into unmapped */
}

/* ---------------------------------------------------------------- argument kinds */

enum kind {
    K_NONE,
    K_INT,
    K_FD,
    K_DIRFD,
    K_INBUF,
    K_OUTBUF,
    K_LEN,
    K_COUNT,
    K_PATH,
    K_EXECPATH,
    K_ARGV,
    K_PID,
    K_SIG,
    K_OFLAGS,
    K_MODE,
    K_WHENCE,
    K_OFFSET,
    K_WAITOPT,
    K_STATUSP,
    K_IOCTL,
    K_FCNTL,
    K_FCNTLARG,
    K_ADDR,
    K_MLEN,
    K_PROT,
    K_MMAPFLAGS,
    K_MMAPARGS,
    K_CLONEFLAGS,
    K_STACK,
    K_TIDP,
    K_TIMESPEC,
    K_SIGACT,
    K_SIGSET,
    K_SIGSETSIZE,
    K_SIGHOW,
    K_STACKT,
    K_IOVEC,
    K_IOVCNT,
    K_USERDESC,
    K_CLOCK,
    K_ARCHCODE,
    K_ARCHADDR,
    K_CTLOP,
    K_CTLARG,
    K_PIPEFLAGS,
    K_DUPFLAGS,
    K_ATFLAGS,
    K_BRK,
    K_TIMESPEC64, /* struct __kernel_timespec: 64-bit fields from either ABI */
    K_FUTEXADDR,
    K_FUTEXOP,
    K_FUTEXVAL,
    K_ROBUST,
    K_RLIMRES,
    K_RLIMIT,   /* struct rlimit: the ABI's word size */
    K_RLIMIT64, /* struct rlimit64 (prlimit64) */
    K_PRCTL,
    K_NSFLAGS, /* clock_nanosleep: 0 or TIMER_ABSTIME */
};

struct sc {
    const char* name;
    int32_t nr;
    uint16_t weight;
    uint16_t flags;
    uint8_t kind[6];
};

#define E32(name, w, fl, ...)                                                                                          \
    {                                                                                                                  \
#name, __NR32_##name, w, fl, {                                                                                 \
            __VA_ARGS__                                                                                                \
        }                                                                                                              \
    }
#define E64(name, w, fl, ...)                                                                                          \
    {                                                                                                                  \
#name, __NR64_##name, w, fl, {                                                                                 \
            __VA_ARGS__                                                                                                \
        }                                                                                                              \
    }

/* The i386 table (int $0x80 from either bitness; every gate of 32-bit code). */
static const struct sc table32[] = {
    E32(exit, 1, F_EXIT, K_INT),
    E32(fork, 4, F_FORK),
    E32(read, 100, 0, K_FD, K_OUTBUF, K_LEN),
    E32(write, 100, F_WRITE, K_FD, K_INBUF, K_LEN),
    E32(open, 60, F_OPEN, K_PATH, K_OFLAGS, K_MODE),
    E32(close, 80, F_CLOSE, K_FD),
    E32(waitpid, 20, 0, K_PID, K_STATUSP, K_WAITOPT),
    E32(execve, 6, F_EXEC, K_EXECPATH, K_ARGV, K_ARGV),
    E32(chdir, 15, 0, K_PATH),
    E32(time, 15, 0, K_OUTBUF),
    E32(lseek, 30, 0, K_FD, K_OFFSET, K_WHENCE),
    E32(getpid, 20, 0),
    E32(getuid, 5, 0),
    E32(access, 20, 0, K_PATH, K_MODE),
    E32(kill, 40, F_KILL, K_PID, K_SIG),
    E32(dup, 30, F_DUP, K_FD),
    E32(pipe, 25, F_PIPE, K_OUTBUF),
    E32(brk, 20, F_MEM, K_BRK),
    E32(getgid, 5, 0),
    E32(geteuid, 5, 0),
    E32(getegid, 5, 0),
    E32(ioctl, 40, 0, K_FD, K_IOCTL, K_OUTBUF),
    E32(fcntl, 40, F_DUP, K_FD, K_FCNTL, K_FCNTLARG),
    E32(dup2, 30, F_DUP, K_FD, K_FD),
    E32(getppid, 15, 0),
    E32(gettimeofday, 15, 0, K_OUTBUF, K_OUTBUF),
    E32(readlink, 15, 0, K_PATH, K_OUTBUF, K_LEN),
    E32(mmap, 30, F_MEM, K_MMAPARGS),
    E32(munmap, 40, F_MEM, K_ADDR, K_MLEN),
    E32(wait4, 20, 0, K_PID, K_STATUSP, K_WAITOPT, K_OUTBUF),
    E32(clone, 4, F_FORK, K_CLONEFLAGS, K_STACK, K_TIDP, K_INT, K_TIDP),
    E32(uname, 15, 0, K_OUTBUF),
    E32(mprotect, 40, F_MEM, K_ADDR, K_MLEN, K_PROT),
    E32(_llseek, 20, 0, K_FD, K_INT, K_INT, K_OUTBUF, K_WHENCE),
    E32(writev, 40, F_WRITE, K_FD, K_IOVEC, K_IOVCNT),
    E32(sched_yield, 15, 0),
    E32(nanosleep, 15, 0, K_TIMESPEC, K_OUTBUF),
    E32(rt_sigreturn, 25, F_SIGRET),
    E32(rt_sigaction, 50, F_SIGACT, K_SIG, K_SIGACT, K_OUTBUF, K_SIGSETSIZE),
    E32(rt_sigprocmask, 40, F_MASK, K_SIGHOW, K_SIGSET, K_OUTBUF, K_SIGSETSIZE),
    E32(getcwd, 15, 0, K_OUTBUF, K_LEN),
    E32(sigaltstack, 30, F_ALTSTK, K_STACKT, K_OUTBUF),
    E32(vfork, 3, F_FORK),
    E32(mmap2, 40, F_MEM, K_ADDR, K_MLEN, K_PROT, K_MMAPFLAGS, K_FD, K_INT),
    E32(stat64, 20, 0, K_PATH, K_OUTBUF),
    E32(lstat64, 10, 0, K_PATH, K_OUTBUF),
    E32(fstat64, 20, 0, K_FD, K_OUTBUF),
    E32(getuid32, 3, 0),
    E32(getgid32, 3, 0),
    E32(geteuid32, 3, 0),
    E32(getegid32, 3, 0),
    E32(getdents64, 30, 0, K_FD, K_OUTBUF, K_LEN),
    E32(fcntl64, 20, F_DUP, K_FD, K_FCNTL, K_FCNTLARG),
    E32(gettid, 5, 0),
    E32(set_thread_area, 40, F_TLS, K_USERDESC),
    E32(get_thread_area, 20, F_TLS, K_USERDESC),
    E32(exit_group, 1, F_EXIT, K_INT),
    E32(set_tid_address, 10, 0, K_TIDP),
    E32(clock_gettime, 15, 0, K_CLOCK, K_OUTBUF),
    E32(openat, 40, F_OPEN, K_DIRFD, K_PATH, K_OFLAGS, K_MODE),
    E32(fstatat64, 20, 0, K_DIRFD, K_PATH, K_OUTBUF, K_ATFLAGS),
    E32(getcpu, 10, 0, K_OUTBUF, K_OUTBUF, K_OUTBUF),
    E32(dup3, 20, F_DUP, K_FD, K_FD, K_DUPFLAGS),
    E32(pipe2, 20, F_PIPE, K_OUTBUF, K_PIPEFLAGS),
    E32(arch_prctl, 20, F_TLS, K_ARCHCODE, K_ARCHADDR),
    E32(clock_gettime64, 10, 0, K_CLOCK, K_OUTBUF),
    E32(sysgate_stats, 10, 0, K_OUTBUF, K_LEN),
    E32(sysgate_ctl, 10, F_CTL, K_CTLOP, K_CTLARG),
    E32(sysgate_procs, 10, 0, K_OUTBUF, K_COUNT),
    E32(setrlimit, 10, 0, K_RLIMRES, K_RLIMIT),
    E32(getrlimit, 10, 0, K_RLIMRES, K_OUTBUF),
    E32(ugetrlimit, 10, 0, K_RLIMRES, K_OUTBUF),
    E32(prctl, 20, 0, K_PRCTL, K_INT, K_INT, K_INT, K_INT),
    E32(tkill, 20, F_KILL, K_PID, K_SIG),
    E32(tgkill, 20, F_KILL, K_PID, K_PID, K_SIG),
    E32(futex, 30, 0, K_FUTEXADDR, K_FUTEXOP, K_FUTEXVAL, K_TIMESPEC, K_FUTEXADDR, K_FUTEXVAL),
    E32(futex_time64, 15, 0, K_FUTEXADDR, K_FUTEXOP, K_FUTEXVAL, K_TIMESPEC64, K_FUTEXADDR, K_FUTEXVAL),
    E32(sched_setaffinity, 10, 0, K_PID, K_LEN, K_INBUF),
    E32(sched_getaffinity, 10, 0, K_PID, K_LEN, K_OUTBUF),
    E32(clock_nanosleep, 10, 0, K_CLOCK, K_NSFLAGS, K_TIMESPEC, K_OUTBUF),
    E32(clock_nanosleep_time64, 10, 0, K_CLOCK, K_NSFLAGS, K_TIMESPEC64, K_OUTBUF),
    E32(set_robust_list, 20, 0, K_ROBUST, K_LEN),
    E32(get_robust_list, 10, 0, K_PID, K_OUTBUF, K_OUTBUF),
    E32(prlimit64, 15, F_KILL, K_PID, K_RLIMRES, K_RLIMIT64, K_OUTBUF),
    E32(getrandom, 10, 0, K_OUTBUF, K_LEN, K_INT),
    E32(statx, 15, 0, K_DIRFD, K_PATH, K_ATFLAGS, K_INT, K_OUTBUF),
};

#if defined(__x86_64__)
/* The x86_64 table (syscall, sysenter and the vDSO from 64-bit code). */
static const struct sc table64[] = {
    E64(read, 100, 0, K_FD, K_OUTBUF, K_LEN),
    E64(write, 100, F_WRITE, K_FD, K_INBUF, K_LEN),
    E64(open, 60, F_OPEN, K_PATH, K_OFLAGS, K_MODE),
    E64(close, 80, F_CLOSE, K_FD),
    E64(stat, 20, 0, K_PATH, K_OUTBUF),
    E64(fstat, 20, 0, K_FD, K_OUTBUF),
    E64(lstat, 10, 0, K_PATH, K_OUTBUF),
    E64(lseek, 30, 0, K_FD, K_OFFSET, K_WHENCE),
    E64(mmap, 50, F_MEM, K_ADDR, K_MLEN, K_PROT, K_MMAPFLAGS, K_FD, K_OFFSET),
    E64(mprotect, 40, F_MEM, K_ADDR, K_MLEN, K_PROT),
    E64(munmap, 40, F_MEM, K_ADDR, K_MLEN),
    E64(brk, 20, F_MEM, K_BRK),
    E64(rt_sigaction, 50, F_SIGACT, K_SIG, K_SIGACT, K_OUTBUF, K_SIGSETSIZE),
    E64(rt_sigprocmask, 40, F_MASK, K_SIGHOW, K_SIGSET, K_OUTBUF, K_SIGSETSIZE),
    E64(rt_sigreturn, 25, F_SIGRET),
    E64(ioctl, 40, 0, K_FD, K_IOCTL, K_OUTBUF),
    E64(writev, 40, F_WRITE, K_FD, K_IOVEC, K_IOVCNT),
    E64(access, 20, 0, K_PATH, K_MODE),
    E64(pipe, 25, F_PIPE, K_OUTBUF),
    E64(sched_yield, 15, 0),
    E64(dup, 30, F_DUP, K_FD),
    E64(dup2, 30, F_DUP, K_FD, K_FD),
    E64(nanosleep, 15, 0, K_TIMESPEC, K_OUTBUF),
    E64(getpid, 20, 0),
    E64(clone, 4, F_FORK, K_CLONEFLAGS, K_STACK, K_TIDP, K_TIDP, K_INT),
    E64(fork, 4, F_FORK),
    E64(vfork, 3, F_FORK),
    E64(execve, 6, F_EXEC, K_EXECPATH, K_ARGV, K_ARGV),
    E64(exit, 1, F_EXIT, K_INT),
    E64(wait4, 20, 0, K_PID, K_STATUSP, K_WAITOPT, K_OUTBUF),
    E64(kill, 40, F_KILL, K_PID, K_SIG),
    E64(uname, 15, 0, K_OUTBUF),
    E64(fcntl, 40, F_DUP, K_FD, K_FCNTL, K_FCNTLARG),
    E64(getcwd, 15, 0, K_OUTBUF, K_LEN),
    E64(chdir, 15, 0, K_PATH),
    E64(readlink, 15, 0, K_PATH, K_OUTBUF, K_LEN),
    E64(gettimeofday, 15, 0, K_OUTBUF, K_OUTBUF),
    E64(getuid, 5, 0),
    E64(getgid, 5, 0),
    E64(geteuid, 5, 0),
    E64(getegid, 5, 0),
    E64(getppid, 15, 0),
    E64(sigaltstack, 30, F_ALTSTK, K_STACKT, K_OUTBUF),
    E64(arch_prctl, 30, F_TLS, K_ARCHCODE, K_ARCHADDR),
    E64(gettid, 5, 0),
    E64(time, 10, 0, K_OUTBUF),
    E64(set_thread_area, 40, F_TLS, K_USERDESC),
    E64(get_thread_area, 20, F_TLS, K_USERDESC),
    E64(getdents64, 30, 0, K_FD, K_OUTBUF, K_LEN),
    E64(set_tid_address, 10, 0, K_TIDP),
    E64(clock_gettime, 15, 0, K_CLOCK, K_OUTBUF),
    E64(exit_group, 1, F_EXIT, K_INT),
    E64(openat, 40, F_OPEN, K_DIRFD, K_PATH, K_OFLAGS, K_MODE),
    E64(newfstatat, 20, 0, K_DIRFD, K_PATH, K_OUTBUF, K_ATFLAGS),
    E64(dup3, 20, F_DUP, K_FD, K_FD, K_DUPFLAGS),
    E64(pipe2, 20, F_PIPE, K_OUTBUF, K_PIPEFLAGS),
    E64(getcpu, 10, 0, K_OUTBUF, K_OUTBUF, K_OUTBUF),
    E64(sysgate_stats, 10, 0, K_OUTBUF, K_LEN),
    E64(sysgate_ctl, 10, F_CTL, K_CTLOP, K_CTLARG),
    E64(sysgate_procs, 10, 0, K_OUTBUF, K_COUNT),
    E64(getrlimit, 10, 0, K_RLIMRES, K_OUTBUF),
    E64(setrlimit, 10, 0, K_RLIMRES, K_RLIMIT),
    E64(prctl, 20, 0, K_PRCTL, K_INT, K_INT, K_INT, K_INT),
    E64(tkill, 20, F_KILL, K_PID, K_SIG),
    E64(tgkill, 20, F_KILL, K_PID, K_PID, K_SIG),
    E64(futex, 40, 0, K_FUTEXADDR, K_FUTEXOP, K_FUTEXVAL, K_TIMESPEC64, K_FUTEXADDR, K_FUTEXVAL),
    E64(sched_setaffinity, 10, 0, K_PID, K_LEN, K_INBUF),
    E64(sched_getaffinity, 10, 0, K_PID, K_LEN, K_OUTBUF),
    E64(clock_nanosleep, 15, 0, K_CLOCK, K_NSFLAGS, K_TIMESPEC64, K_OUTBUF),
    E64(set_robust_list, 20, 0, K_ROBUST, K_LEN),
    E64(get_robust_list, 10, 0, K_PID, K_OUTBUF, K_OUTBUF),
    E64(prlimit64, 15, F_KILL, K_PID, K_RLIMRES, K_RLIMIT64, K_OUTBUF),
    E64(getrandom, 10, 0, K_OUTBUF, K_LEN, K_INT),
    E64(statx, 15, 0, K_DIRFD, K_PATH, K_ATFLAGS, K_INT, K_OUTBUF),
};
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct table {
    const struct sc* entries;
    unsigned count;
    uint32_t total_weight;
    int abi;
};
static struct table tables[2];

static void table_init(struct table* t, const struct sc* entries, unsigned count, int abi) {
    t->entries = entries;
    t->count = count;
    t->abi = abi;
    t->total_weight = 0;
    for (unsigned i = 0; i < count; i++) t->total_weight += entries[i].weight;
}

static const struct sc* lookup(int abi, uint32_t nr) {
    const struct table* t = &tables[abi];
    for (unsigned i = 0; i < t->count; i++)
        if ((uint32_t)t->entries[i].nr == nr) return &t->entries[i];
    return 0;
}

static unsigned arg_count(const struct sc* e) {
    unsigned n = 0;
    while (n < 6 && e->kind[n] != K_NONE) n++;
    return n;
}

/* ---------------------------------------------------------------- strings and structures */

static const char* const paths[] = {
    "/",
    "/bin",
    "/bin/",
    "/bin/true",
    "/bin/sh",
    "/bin/cat32",
    "/etc",
    "/etc/demo.sh",
    "/etc/demo.sh/x",
    "/dev",
    "/dev/null",
    "/dev/console",
    "/test",
    "/test/gates",
    "/nonexistent",
    "",
    ".",
    "..",
    "bin",
    "bin/true",
    "//bin//true",
    "/bin/true/",
    "/etc/../bin/true",
    "/./bin/./true",
    "/dev/null/..",
    "/initrd",
    "\x01\x02\xff",
    "/bin/true\n",
};

/* Programs a worker may become: short-lived ones only (a shell or a
 * benchmark would outlive the hang timeout), never fuzz or init. */
static const char* const exec_paths[] = {
    "/bin/true",    "/bin/true32",  "/bin/false", "/bin/false32", "/bin/echo", "/bin/echo32", "/bin/uname32",
    "/etc/demo.sh", "/nonexistent", "/bin",       "/dev/null",    "",          "/bin/true/",  "/test/initregs32",
};

/* A string at a place: whole, cut by a protected page, or without its
 * terminating zero up to a page edge. Returns its address. */
static uint64_t make_string(struct gen* g, int abi, const char* s) {
    const uint32_t n = (uint32_t)strlen(s) + 1;
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 4) { /* unterminated up to PROT_NONE */
        const uint32_t k = 1 + rng_below(&g->r, 300);
        const uint64_t a = P(ARENA_NONE_PAGE) - k;
        char fill[64];
        memset(fill, 'a', sizeof fill);
        for (uint32_t done = 0; done < k; done += sizeof fill)
            put(g, a + done, fill, k - done < sizeof fill ? k - done : (uint32_t)sizeof fill);
        return a;
    }
    const uint64_t a = place(g, abi, n, 3);
    put(g, a, s, n);
    return a;
}

static uint64_t make_path(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 6) return hostile_ptr(g, abi);
    if (r < 12) { /* long: 300 or 5000 bytes */
        static char longpath[5001];
        const uint32_t n = rng_pct(&g->r, 70) ? 300 : 5000;
        for (uint32_t i = 0; i < n; i++) longpath[i] = i % 2 ? 'a' : '/';
        longpath[n] = 0;
        const uint64_t a = ARENA + rng_below(&g->r, 8) * PAGE;
        put(g, a, longpath, n + 1);
        return a;
    }
    const char* s = PICK(paths);
    if ((g->avoid & AV_TTY) && !strcmp(s, "/dev/console")) s = "/dev/null";
    if (!strcmp(s, "/dev/console")) g->console_path = 1;
    return make_string(g, abi, s);
}

static int word_size(int abi) {
    return abi == ABI_I386 ? 4 : 8;
}

static void put_word(struct gen* g, int abi, uint64_t address, uint64_t value) {
    if (abi == ABI_I386) {
        const uint32_t v = (uint32_t)value;
        put(g, address, &v, 4);
    } else {
        put(g, address, &value, 8);
    }
}

static uint64_t make_argv(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 8) return 0;
    if (r < 16) return hostile_ptr(g, abi);
    const int ws = word_size(abi);
    const unsigned n = rng_pct(&g->r, 3) ? 300 : rng_below(&g->r, 5);
    const uint64_t a = place(g, abi, (uint32_t)(n + 1) * (uint32_t)ws, 0);
    static const char* const words[] = {"fuzz", "x", "", "--help", "-n"};
    for (unsigned i = 0; i < n; i++) {
        uint64_t p;
        const uint32_t what = rng_below(&g->r, 10);
        if (what < 8)
            p = make_string(g, abi, PICK(words));
        else if (what < 9)
            p = hostile_ptr(g, abi);
        else
            p = rng_next(&g->r);
        put_word(g, abi, a + (uint64_t)i * (uint64_t)ws, p);
    }
    if (rng_pct(&g->r, 90)) put_word(g, abi, a + (uint64_t)n * (uint64_t)ws, 0);
    return a;
}

/* Signal masks mostly leave the fault signals alone: a fault while its
 * signal is blocked ends the worker (the kernel's rule, and Linux's). */
#define FAULT_BITS                                                                                                     \
    ((1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) | (1ull << (SIGILL - 1)) | (1ull << (SIGTRAP - 1)) |             \
     (1ull << (SIGFPE - 1)))
static uint64_t spare_faults(struct gen* g, uint64_t mask) {
    return rng_pct(&g->r, 95) ? mask & ~FAULT_BITS : mask;
}

static const int async_signals[] = {SIGUSR1, SIGUSR2, SIGALRM,   SIGCHLD, SIGPIPE, SIGWINCH, SIGURG,
                                    SIGCONT, SIGHUP,  SIGINT,    SIGTERM, SIGQUIT, SIGTSTP,  SIGTTIN,
                                    SIGTTOU, SIGPROF, SIGVTALRM, SIGIO,   SIGPWR,  SIGSYS,   SIGSTKFLT,
                                    SIGXCPU, SIGXFSZ, SIGABRT,   34,      40,      50,       64};
static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE};

static uint64_t make_sig(struct gen* g) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 40) return (uint64_t)PICK(async_signals);
    if (r < 50) return 0;
    if (r < 80) return rng_below(&g->r, 66);
    if (r < 90) return (uint64_t)PICK(fault_signals);
    static const uint64_t bad[] = {0xffffffff, 65, 1000, 0x80000000, 0x80000001, 0x10000000a};
    return PICK(bad);
}

static uint64_t make_pid(struct gen* g) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 25) return (uint64_t)g->self_pid;
    if (r < 35) return 0;
    if (r < 45) return 0xffffffffffffffffull;
    if (r < 50) return 1;
    if (r < 75) return 2 + rng_below(&g->r, 200);
    if (r < 85) return (uint64_t)(g->master_pid + 1 + (int)rng_below(&g->r, 60));
    return PICK(ints);
}

static uint64_t make_fd(struct gen* g) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 60) return rng_below(&g->r, 10);
    if (r < 80) return 3 + rng_below(&g->r, 59);
    static const uint64_t bad[] = {0xffffffff, 0xffffff9c, 64, 65, 1024, 0x7fffffff, 0x80000000, 0x100000001ull};
    return PICK(bad);
}

/* A timespec for nanosleep: mostly short (the worker must keep moving),
 * sometimes invalid, rarely one that sleeps until a signal. */
static uint64_t make_timespec_sized(struct gen* g, int abi, int ws);
static uint64_t make_timespec(struct gen* g, int abi) {
    return make_timespec_sized(g, abi, word_size(abi));
}

static uint64_t make_timespec_sized(struct gen* g, int abi, int ws) {
    const uint32_t r = rng_below(&g->r, 1000);
    int64_t sec = 0, nsec;
    if (r < 50) return hostile_ptr(g, abi);
    if (r < 880)
        nsec = rng_below(&g->r, 2000000);
    else if (r < 990) {
        static const int64_t bad[][2] = {{0, 1000000000}, {-1, 0}, {0, -1}, {0x7fffffff, 1000000000}, {-0x7fffffff, 5}};
        const unsigned i = rng_below(&g->r, 5);
        sec = bad[i][0], nsec = bad[i][1];
    } else {
        sec = 0x7fffffff, nsec = 0; /* until a signal, or the hang timeout */
    }
    const uint64_t a = place(g, abi, (uint32_t)(2 * ws), 0);
    put_word(g, ws == 4 ? ABI_I386 : ABI_X86_64, a, (uint64_t)sec);
    put_word(g, ws == 4 ? ABI_I386 : ABI_X86_64, a + (uint64_t)ws, (uint64_t)nsec);
    return a;
}

static uint64_t handler_value(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 50) return (uint64_t)(uintptr_t)fz_on_async;
    if (r < 60) return 1; /* SIG_IGN */
    if (r < 70) return 0; /* SIG_DFL */
    if (r < 75) return (uint64_t)(uintptr_t)fz_on_fault;
    if (r < 85) return ARENA + rng_below(&g->r, ARENA_PAGES * PAGE); /* data: not executable */
    return hostile_ptr(g, abi);
}

static uint64_t make_sigaction(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 5) return 0;
    if (r < 15) return hostile_ptr(g, abi);
    uint64_t flags = 0;
    if (rng_pct(&g->r, 70)) flags |= SA_SIGINFO;
    if (rng_pct(&g->r, 85)) flags |= SA_RESTORER;
    if (rng_pct(&g->r, 60)) flags |= SA_ONSTACK;
    if (rng_pct(&g->r, 50)) flags |= SA_RESTART;
    if (rng_pct(&g->r, 20)) flags |= SA_NODEFER;
    if (rng_pct(&g->r, 10)) flags |= SA_RESETHAND;
    if (rng_pct(&g->r, 5)) flags |= SA_NOCLDSTOP | SA_NOCLDWAIT;
    if (rng_pct(&g->r, 5)) flags |= rng_next(&g->r) & 0xffffffffu;
    const uint64_t handler = handler_value(g, abi);
    const uint64_t restorer = rng_pct(&g->r, 85) ? (uint64_t)(uintptr_t)__restore_rt : hostile_ptr(g, abi);
    const uint64_t mask = spare_faults(g, rng_pct(&g->r, 50) ? 0 : rng_pct(&g->r, 60) ? rng_next(&g->r) : ~0ull);
    /* struct sigaction as the kernel reads it: handler, flags, restorer,
     * then the 8-byte mask (the compat one for i386: 4-byte fields). */
    const int ws = word_size(abi);
    const uint64_t a = place(g, abi, (uint32_t)(3 * ws + 8), 0);
    put_word(g, abi, a, handler);
    put_word(g, abi, a + (uint64_t)ws, flags);
    put_word(g, abi, a + 2 * (uint64_t)ws, restorer);
    put(g, a + 3 * (uint64_t)ws, &mask, 8);
    return a;
}

static uint64_t make_sigset(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 5) return 0;
    if (r < 15) return hostile_ptr(g, abi);
    uint64_t mask;
    const uint32_t how = rng_below(&g->r, 100);
    mask = spare_faults(g, how < 40 ? 0 : how < 70 ? rng_next(&g->r) : how < 85 ? ~0ull : 1ull << rng_below(&g->r, 64));
    const uint64_t a = place(g, abi, 8, 0);
    put(g, a, &mask, 8);
    return a;
}

static uint64_t make_stack_t(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 10) return 0;
    if (r < 20) return hostile_ptr(g, abi);
    const uint32_t where = rng_below(&g->r, 100);
    const uint64_t sp = where < 60   ? P(ARENA_RW2_PAGE)
                        : where < 80 ? ARENA + rng_below(&g->r, 8 * PAGE)
                                     : hostile_ptr(g, abi);
    static const int32_t flag_values[] = {0, 0, 0, 0, 0, 0, 2 /*SS_DISABLE*/, 2, 1 /*SS_ONSTACK*/, 3, 4, -1};
    const int32_t flags = PICK(flag_values);
    static const uint64_t sizes[] = {8192, 8192, 8192, 2047, 2048, 4096, 1 << 20, 0, 0xffffffff, 0xffffffffffffffffull};
    const uint64_t size = PICK(sizes);
    if (abi == ABI_I386) {
        const uint32_t s[3] = {(uint32_t)sp, (uint32_t)flags, (uint32_t)size};
        const uint64_t a = place(g, abi, sizeof s, 0);
        put(g, a, s, sizeof s);
        return a;
    }
    const struct {
        uint64_t sp;
        int32_t flags, pad;
        uint64_t size;
    } s = {sp, flags, 0, size};
    const uint64_t a = place(g, abi, sizeof s, 0);
    put(g, a, &s, sizeof s);
    return a;
}

static uint64_t make_len(struct gen* g) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 70) return PICK(lengths);
    if (r < 85) return rng_below(&g->r, 65);
    return rng_below(&g->r, 8192);
}

static uint64_t make_iovec(struct gen* g, int abi) {
    if (rng_pct(&g->r, 10)) return hostile_ptr(g, abi);
    const int ws = word_size(abi);
    const unsigned n = 8;
    const uint64_t a = place(g, abi, (uint32_t)(n * 2 * (unsigned)ws), 0);
    for (unsigned i = 0; i < n; i++) {
        const uint64_t base = place(g, abi, 64, 15);
        const uint64_t len = rng_pct(&g->r, 70) ? rng_below(&g->r, 300) : make_len(g);
        put_word(g, abi, a + (uint64_t)(2 * i) * (uint64_t)ws, base);
        put_word(g, abi, a + (uint64_t)(2 * i + 1) * (uint64_t)ws, len);
    }
    return a;
}

static uint64_t make_user_desc(struct gen* g, int abi) {
    if (rng_pct(&g->r, 8)) return hostile_ptr(g, abi);
    uint32_t d[4];
    const uint32_t r = rng_below(&g->r, 100);
    const uint32_t first = fz_sel.tls_first;
    d[0] = r < 40   ? 0xffffffffu
           : r < 85 ? first + rng_below(&g->r, 3)
           : r < 95 ? first - 3 + rng_below(&g->r, 8)
                    : (uint32_t)rng_next(&g->r);
    d[1] = rng_pct(&g->r, 40) ? 0 : rng_pct(&g->r, 50) ? (uint32_t)ARENA : (uint32_t)rng_next(&g->r);
    d[2] = rng_pct(&g->r, 50) ? 0xfffff : (uint32_t)rng_next(&g->r);
    const uint32_t f = rng_below(&g->r, 100);
    /* seg_32bit 1, contents 2-3, read_exec_only 8, limit_in_pages 16, seg_not_present 32, useable 64, lm 128 */
    d[3] = f < 50 ? 0x51 : f < 65 ? 0x28 /* empty */ : f < 75 ? 0x51 | 4 /* code: refused */ : rng_below(&g->r, 256);
    if (f >= 50 && f < 65) d[1] = d[2] = 0;
    if (d[0] >= first && d[0] < first + 3) g->tls_selector = (uint16_t)(d[0] * 8 + 3);
    const uint64_t a = place(g, abi, sizeof d, 0);
    put(g, a, d, sizeof d);
    return a;
}

/* i386's old mmap: six 32-bit words in memory. */
static uint64_t make_mmap_args(struct gen* g, int abi, uint64_t* address, uint64_t* length, uint64_t* flags);

/* The worker's own code and data, and its stack and vDSO: a munmap,
 * mprotect or fixed mmap over them ends the worker, which is allowed but
 * wasteful, so such a range is kept for one call in a hundred. A range that
 * wraps around the end of the address space is always kept: the kernel
 * must refuse it. */
static int hits_self(int abi, uint64_t address, uint64_t length) {
    if (abi == ABI_I386) address = (uint32_t)address, length = (uint32_t)length;
    const uint64_t end = address + ((length + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    if (end < address || end < length) return 0;
#if defined(__x86_64__)
    static const uint64_t self[][2] = {{0x400000, 0x1000000}, {0x7ff000000000ull, 0x800000000000ull}};
#else
    static const uint64_t self[][2] = {{0x8048000, 0x10000000}, {0xf0000000, 0x100000000ull}};
#endif
    for (unsigned i = 0; i < 2; i++)
        if (address < self[i][1] && end > self[i][0]) return 1;
    return 0;
}

static void spare_self(struct gen* g, int abi, uint64_t* address, uint64_t* length) {
    if (!hits_self(abi, *address, *length) || rng_below(&g->r, 100) == 0) return;
    *length = (uint64_t)(1 + rng_below(&g->r, 8)) * PAGE;
    if (hits_self(abi, *address, *length)) *address = P(rng_below(&g->r, ARENA_PAGES));
}

/* ---------------------------------------------------------------- memory arguments */

static uint64_t make_addr(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 65) return P(rng_below(&g->r, ARENA_PAGES));
    if (r < 70) return ARENA + rng_below(&g->r, ARENA_PAGES * PAGE); /* misaligned */
    if (r < 95) {
        static const uint64_t pages64[] = {0,
                                           0x1000,
                                           0x10000,
                                           0x7fffffffd000,
                                           0x7fffffffc000,
                                           0x7ffffffff000,
                                           0x7fffffffe000,
                                           0x0000800000000000,
                                           0xffff800000000000,
                                           0xfffffffffffff000,
                                           0x100000000ull,
                                           0x40000000,
                                           0x10000000};
        static const uint64_t pages32[] = {0,          0x1000,     0x10000,    0xffffe000, 0xffffd000,
                                           0xfffff000, 0xc0000000, 0x40000000, 0x10000000};
        if (rng_below(&g->r, 500) == 0) /* near the top of the stack: rarely survivable */
            return abi == ABI_I386 || FZ_BITS == 32 ? 0xffffa000 : 0x7ffffffba000;
        return abi == ABI_I386 ? PICK(pages32) : PICK(pages64);
    }
    return (uint64_t)rng_below(&g->r, 0x100000) * PAGE; /* anywhere below 4 GiB */
}

/* A length for munmap/mprotect/mmap at `address`: page multiples, and the
 * ones that wrap around the end of the address space from there. */
static uint64_t make_mlen(struct gen* g, uint64_t address) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 50) return (uint64_t)(1 + rng_below(&g->r, 8)) * PAGE;
    if (r < 58) {
        static const uint64_t small[] = {0, 1, 4095, 4097};
        return PICK(small);
    }
    if (r < 65) return ARENA_PAGES * PAGE;
    if (r < 85) {
        static const uint64_t delta[] = {0, PAGE, 2 * PAGE, (uint64_t)-PAGE};
        const uint64_t d = PICK(delta);
        switch (rng_below(&g->r, 3)) {
        case 0:
            return -address + d; /* address + length wraps to d */
        case 1:
            return 0x7ffffffff000ull - address + d; /* to the top of user space and beyond */
        default:
            return 0x100000000ull - address + d; /* to 4 GiB */
        }
    }
    static const uint64_t huge[] = {1ull << 30, 1ull << 40,         1ull << 47, 0x7fffffffffffffffull,
                                    ~0ull,      ~0ull - (PAGE - 1), 0xffffffff, 0x80000000};
    return PICK(huge);
}

static uint64_t make_mmap_flags(struct gen* g) {
    const uint32_t r = rng_below(&g->r, 100);
    if (r < 70) {
        uint64_t f = 0x02 | 0x20;              /* MAP_PRIVATE | MAP_ANONYMOUS */
        if (rng_pct(&g->r, 30)) f |= 0x10;     /* MAP_FIXED */
        if (rng_pct(&g->r, 10)) f |= 0x100000; /* MAP_FIXED_NOREPLACE */
        if (rng_pct(&g->r, 10)) f |= 0x4000;   /* MAP_NORESERVE */
        if (rng_pct(&g->r, 10)) f |= 0x20000;  /* MAP_STACK */
        if (rng_pct(&g->r, 10)) f |= 0x100;    /* MAP_GROWSDOWN */
        if (rng_pct(&g->r, 10)) f |= 0x8000;   /* MAP_POPULATE */
        return f;
    }
    if (r < 80) return 0x01 | 0x20; /* MAP_SHARED | MAP_ANONYMOUS */
    if (r < 85) return 0x02;        /* a file mapping */
    return rng_next(&g->r) & 0xffffffffu;
}

static uint64_t make_prot(struct gen* g) {
    return rng_pct(&g->r, 85) ? rng_below(&g->r, 8) : rng_next(&g->r) & 0xffffffffu;
}

static uint64_t make_mmap_args(struct gen* g, int abi, uint64_t* address, uint64_t* length, uint64_t* flags) {
    *address = make_addr(g, abi);
    *length = make_mlen(g, *address);
    *flags = make_mmap_flags(g);
    if (*flags & 0x10) spare_self(g, abi, address, length);
    if (rng_pct(&g->r, 8)) return hostile_ptr(g, abi);
    const uint32_t a[6] = {(uint32_t)*address,     (uint32_t)*length,
                           (uint32_t)make_prot(g), (uint32_t)*flags,
                           (uint32_t)make_fd(g),   rng_pct(&g->r, 80) ? 0 : (uint32_t)rng_next(&g->r)};
    const uint64_t p = place(g, abi, sizeof a, 0);
    put(g, p, a, sizeof a);
    return p;
}

/* True if [address, address + length) may touch the arena (or wraps). */
static int touches_arena(uint64_t address, uint64_t length) {
    const uint64_t end = address + ((length + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    if (end < address || end < length) return 1;
    return address < ARENA_END && end > ARENA;
}

/* ---------------------------------------------------------------- one argument */

static uint64_t make_arg(struct gen* g, struct call* c, enum kind k, unsigned i) {
    const int abi = c->abi;
    switch (k) {
    case K_NONE:
    case K_INT:
        return any_value(g, abi);
    case K_FD:
        return make_fd(g);
    case K_DIRFD:
        return rng_pct(&g->r, 50) ? 0xffffff9cull /* AT_FDCWD */ : make_fd(g);
    case K_INBUF: {
        const uint64_t a = place(g, abi, 256, 8);
        if (rng_pct(&g->r, 50)) put_random(g, a, 64);
        return a;
    }
    case K_OUTBUF:
    case K_STATUSP:
        if (rng_pct(&g->r, 10)) return 0;
        return place(g, abi, 512, 10);
    case K_LEN:
        return make_len(g);
    case K_COUNT:
        return rng_pct(&g->r, 60) ? rng_below(&g->r, 300) : make_len(g);
    case K_PATH:
        return make_path(g, abi);
    case K_EXECPATH:
        return rng_pct(&g->r, 10) ? hostile_ptr(g, abi) : make_string(g, abi, PICK(exec_paths));
    case K_ARGV:
        return make_argv(g, abi);
    case K_PID:
        return make_pid(g);
    case K_SIG:
        return make_sig(g);
    case K_OFLAGS: {
        static const uint64_t bits[] = {O_CREAT,     O_EXCL,     O_TRUNC,   O_APPEND, O_NONBLOCK,
                                        O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_NOCTTY, 0100000};
        uint64_t f = rng_below(&g->r, 4);
        for (unsigned b = 0; b < COUNT(bits); b++)
            if (rng_pct(&g->r, 12)) f |= bits[b];
        if (rng_pct(&g->r, 5)) f = rng_next(&g->r) & 0xffffffffu;
        return f;
    }
    case K_MODE: {
        static const uint64_t modes[] = {0, 1, 2, 4, 7, 0644, 0777, 07777, 0x80000000};
        return rng_pct(&g->r, 90) ? PICK(modes) : rng_next(&g->r);
    }
    case K_WHENCE:
        return rng_pct(&g->r, 80) ? rng_below(&g->r, 3) : PICK(ints);
    case K_OFFSET: {
        static const uint64_t offsets[] = {0,
                                           1,
                                           100,
                                           4096,
                                           0xffffffffffffffffull,
                                           0xfffffffffffff000ull,
                                           0x8000000000000000ull,
                                           0x7fffffffffffffffull,
                                           0x7fffffff,
                                           0x80000000};
        return rng_pct(&g->r, 85) ? PICK(offsets) : rng_next(&g->r);
    }
    case K_WAITOPT: {
        static const uint64_t options[] = {0, 1, 1, 2, 8, 3, 0x40000000, 0x80000000, 0xffffffff};
        return PICK(options);
    }
    case K_IOCTL: {
        static const uint64_t commands[] = {0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5414, 0x541b,
                                            0x5421, 0x540f, 0x5410, 0x540b, 0x5409, 0,      0xffffffff};
        return rng_pct(&g->r, 90) ? PICK(commands) : rng_next(&g->r);
    }
    case K_FCNTL: {
        static const uint64_t commands[] = {0, 1, 2, 3, 4, 1030, 5, 6, 7, 8, 9, 1024, 0xffffffff};
        return PICK(commands);
    }
    case K_FCNTLARG: {
        static const uint64_t args[] = {0, 1, O_NONBLOCK, O_APPEND, O_NONBLOCK | O_APPEND, 3, 10, 61, 64, 0xffffffff};
        return rng_pct(&g->r, 90) ? PICK(args) : rng_next(&g->r);
    }
    case K_ADDR:
        return make_addr(g, abi);
    case K_MLEN:
        return make_mlen(g, c->arg[0]);
    case K_PROT:
        return make_prot(g);
    case K_MMAPFLAGS:
        return make_mmap_flags(g);
    case K_MMAPARGS: {
        uint64_t address, length, flags;
        const uint64_t p = make_mmap_args(g, abi, &address, &length, &flags);
        if ((flags & 0x10) && touches_arena((uint32_t)address, (uint32_t)length)) c->repair |= RP_ARENA;
        c->mem_addr = (uint32_t)address, c->mem_len = (uint32_t)length;
        return p;
    }
    case K_CLONEFLAGS: {
        if (rng_pct(&g->r, 5)) return rng_next(&g->r);
        uint64_t f = rng_pct(&g->r, 80) ? SIGCHLD : rng_below(&g->r, 65);
        if (rng_pct(&g->r, 30)) {
            f |= 0x100;                          /* CLONE_VM */
            if (rng_pct(&g->r, 60)) f |= 0x4000; /* CLONE_VFORK */
        }
        if (rng_pct(&g->r, 20)) f |= 0x100000;  /* CLONE_PARENT_SETTID */
        if (rng_pct(&g->r, 20)) f |= 0x1000000; /* CLONE_CHILD_SETTID */
        if (rng_pct(&g->r, 20)) f |= 0x200000;  /* CLONE_CHILD_CLEARTID */
        if (rng_pct(&g->r, 10)) f |= rng_pct(&g->r, 50) ? 0x10000 /* CLONE_THREAD */ : 0x80000 /* CLONE_SETTLS */;
        return f;
    }
    case K_STACK: {
        const uint32_t r = rng_below(&g->r, 100);
        return r < 60 ? 0 : r < 80 ? place(g, abi, 64, 0) : hostile_ptr(g, abi);
    }
    case K_TIDP: {
        const uint32_t r = rng_below(&g->r, 100);
        return r < 30 ? 0 : r < 80 ? place(g, abi, 4, 0) : hostile_ptr(g, abi);
    }
    case K_TIMESPEC:
        return make_timespec(g, abi);
    case K_SIGACT:
        return make_sigaction(g, abi);
    case K_SIGSET:
        return make_sigset(g, abi);
    case K_SIGSETSIZE: {
        static const uint64_t sizes[] = {0, 4, 16, 0xffffffff, 0x100000008ull};
        return rng_pct(&g->r, 90) ? 8 : PICK(sizes);
    }
    case K_SIGHOW:
        return rng_pct(&g->r, 85) ? rng_below(&g->r, 3) : PICK(ints);
    case K_STACKT:
        return make_stack_t(g, abi);
    case K_IOVEC:
        return make_iovec(g, abi);
    case K_IOVCNT:
        return rng_pct(&g->r, 60) ? 1 + rng_below(&g->r, 8) : PICK(ints);
    case K_USERDESC:
        return make_user_desc(g, abi);
    case K_CLOCK:
        return rng_pct(&g->r, 80) ? rng_below(&g->r, 12) : PICK(ints);
    case K_ARCHCODE:
        return rng_pct(&g->r, 80) ? 0x1001 + rng_below(&g->r, 4) : PICK(ints);
    case K_ARCHADDR:
        return rng_pct(&g->r, 50) ? place(g, abi, 8, 0) : any_value(g, abi);
    case K_CTLOP:
        return rng_pct(&g->r, 80) ? 1 + rng_below(&g->r, 4) : PICK(ints);
    case K_CTLARG: {
        static const uint64_t values[] = {0, 1, 17, 18, 20000, 20001, 255, 256, 0xffffffffffffffffull};
        return rng_pct(&g->r, 40) ? 18 + rng_below(&g->r, 1983) : PICK(values);
    }
    case K_PIPEFLAGS: {
        static const uint64_t flags[] = {0, 0, O_NONBLOCK, O_CLOEXEC, O_NONBLOCK | O_CLOEXEC, 040000, 0xffffffff};
        return PICK(flags);
    }
    case K_DUPFLAGS:
        return rng_pct(&g->r, 80) ? (rng_pct(&g->r, 50) ? 0 : O_CLOEXEC) : rng_next(&g->r) & 0xffffffffu;
    case K_ATFLAGS: {
        static const uint64_t flags[] = {0, 0, 0x100, 0x1000, 0x400, 0x800, 0xffffffff};
        return PICK(flags);
    }
    case K_TIMESPEC64:
        return make_timespec_sized(g, abi, 8);
    case K_FUTEXADDR: {
        /* a futex word in the arena, its value written; sometimes misaligned or hostile */
        if (rng_pct(&g->r, 10)) return rng_pct(&g->r, 50) ? 0 : hostile_ptr(g, abi);
        const uint64_t a = place(g, abi, 4, 0) & ~(uint64_t)(rng_pct(&g->r, 90) ? 3 : 0);
        g->futex_value = rng_pct(&g->r, 50) ? 0 : (uint32_t)rng_next(&g->r);
        put(g, a, &g->futex_value, 4);
        return a;
    }
    case K_FUTEXOP: {
        /* WAIT, WAKE, FD, REQUEUE, CMP_REQUEUE, WAKE_OP, LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_BITSET, WAKE_BITSET... */
        static const uint64_t ops[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        uint64_t op = PICK(ops);
        if (rng_pct(&g->r, 50)) op |= 128; /* FUTEX_PRIVATE_FLAG */
        if (rng_pct(&g->r, 10)) op |= 256; /* FUTEX_CLOCK_REALTIME */
        return rng_pct(&g->r, 95) ? op : rng_next(&g->r) & 0xffffffffu;
    }
    case K_FUTEXVAL: /* the word's value (a wait that waits), or anything */
        return rng_pct(&g->r, 40) ? g->futex_value : rng_pct(&g->r, 50) ? rng_below(&g->r, 4) : PICK(ints);
    case K_ROBUST: {
        /* struct robust_list_head { next, futex_offset, list_op_pending }: a
         * list the kernel walks when the thread exits */
        if (rng_pct(&g->r, 10)) return rng_pct(&g->r, 50) ? 0 : hostile_ptr(g, abi);
        const int ws = word_size(abi);
        const uint64_t a = place(g, abi, (uint32_t)(3 * ws), 0);
        const uint32_t shape = rng_below(&g->r, 4);
        put_word(g, abi, a, shape == 0 ? a : shape == 1 ? place(g, abi, 16, 20) : any_value(g, abi)); /* next */
        put_word(g, abi, a + (uint64_t)ws, rng_pct(&g->r, 60) ? (uint64_t)(int64_t)-ws : any_value(g, abi));
        put_word(g, abi, a + 2 * (uint64_t)ws, rng_pct(&g->r, 50) ? 0 : place(g, abi, 8, 20));
        return a;
    }
    case K_RLIMRES:
        return rng_pct(&g->r, 85) ? rng_below(&g->r, 16) : PICK(ints);
    case K_RLIMIT:
    case K_RLIMIT64: {
        if (rng_pct(&g->r, 10)) return rng_pct(&g->r, 50) ? 0 : hostile_ptr(g, abi);
        const int ws = k == K_RLIMIT64 ? 8 : word_size(abi);
        static const uint64_t limits[] = {0, 1, 3, 16, 64, 4096, 1 << 20, 0x7fffffff, 0xffffffff, ~0ull};
        const uint64_t a = place(g, abi, (uint32_t)(2 * ws), 0);
        put_word(g, ws == 4 ? ABI_I386 : ABI_X86_64, a, PICK(limits));
        put_word(g, ws == 4 ? ABI_I386 : ABI_X86_64, a + (uint64_t)ws, PICK(limits));
        return a;
    }
    case K_PRCTL: {
        /* PDEATHSIG set/get, DUMPABLE get/set, SET_NAME/GET_NAME, TIMERSLACK,
         * CHILD_SUBREAPER, NO_NEW_PRIVS, and the rest */
        static const uint64_t options[] = {1, 2, 3, 4, 15, 16, 29, 30, 36, 37, 38, 39, 0, 0x59616d61};
        return rng_pct(&g->r, 90) ? PICK(options) : rng_next(&g->r) & 0xffffffffu;
    }
    case K_NSFLAGS:
        return rng_pct(&g->r, 85) ? rng_below(&g->r, 2) : PICK(ints);
    case K_BRK: {
        static const uint64_t breaks[] = {0,          1,
                                          0x00800000, 0x01000000,
                                          0x08100000, 0x10000000,
                                          ARENA,      ARENA + PAGE,
                                          0x40000000, 0x7ffffffff000,
                                          0xffffffff, 0xffff800000000000};
        return rng_pct(&g->r, 85) ? PICK(breaks) : hostile_ptr(g, abi);
    }
    }
    (void)i;
    return any_value(g, abi);
}

/* ---------------------------------------------------------------- crafted rt_sigreturn frames */

/* Usable selectors (null ones, the user segments, the TLS slots) and, now
 * and then, the others: kernel segments, the TSS, an LDT (there is none),
 * past the end of the GDT. */
static uint16_t random_selector(struct gen* g) {
    if (rng_pct(&g->r, 70)) {
        const uint16_t usable[] = {0,
                                   1,
                                   2,
                                   3,
                                   fz_sel.cs32,
                                   fz_sel.cs64,
                                   fz_sel.ds,
                                   fz_sel.ds2,
                                   (uint16_t)(fz_sel.tls_first * 8 + 3),
                                   (uint16_t)(fz_sel.tls_first * 8 + 11),
                                   (uint16_t)(fz_sel.tls_first * 8 + 19)};
        return PICK(usable);
    }
    static const uint16_t others[] = {0x08, 0x10, 0x18, 0x1b, 0x3b, 0x40, 0x43, 0x4b,   0x50,
                                      0x53, 0x5b, 0x7b, 0x07, 0x0f, 0x57, 0x4f, 0xfffb, 0xffff};
    return PICK(others);
}

static uint64_t landing_rip(struct gen* g, int abi) {
    const uint32_t r = rng_below(&g->r, 100);
#if defined(__x86_64__)
    if (r < 90) return (uint64_t)(uintptr_t)(abi == ABI_I386 ? fz_sigreturn_landing32 : fz_sigreturn_landing);
#else
    if (r < 90) return (uint64_t)(uintptr_t)fz_sigreturn_landing;
#endif
    if (r < 95) return ARENA + rng_below(&g->r, ARENA_PAGES * PAGE); /* not executable */
    return hostile_ptr(g, abi);
}

/* Builds a frame in the arena; returns its address (where pretcode is). */
static uint64_t make_sigreturn_frame(struct gen* g, int abi) {
    const uint64_t fpstate = rng_pct(&g->r, 40) ? 0 : rng_pct(&g->r, 66) ? place(g, abi, 512, 0) : hostile_ptr(g, abi);
    if (fpstate >= ARENA && fpstate < ARENA_END) put_random(g, fpstate, 64);
    const uint64_t mask = spare_faults(g, rng_pct(&g->r, 50) ? 0 : rng_next(&g->r));
    if (abi == ABI_X86_64) {
        uint64_t f[55]; /* pretcode, ucontext (flags, link, stack_t, sigcontext, mask), siginfo */
        for (unsigned i = 0; i < COUNT(f); i++) f[i] = any_value(g, abi);
        uint64_t* m = &f[1 + 5]; /* sigcontext: r8 .. r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags */
        m[16] = landing_rip(g, abi);
        m[17] = rng_next(&g->r) & 0xffffffffu;
        m[18] = (uint64_t)random_selector(g) | (uint64_t)random_selector(g) << 16 | (uint64_t)random_selector(g) << 32 |
                (uint64_t)random_selector(g) << 48;
        m[23] = fpstate;
        f[1 + 5 + 32] = mask;   /* uc_sigmask after the 256-byte sigcontext */
        if (rng_pct(&g->r, 90)) /* uc_stack: rt_sigreturn restores it; mostly the harness's own */
            f[3] = (uint64_t)(uintptr_t)fz_altstack, f[4] = 0, f[5] = FZ_ALTSTACK_SIZE;
        const uint64_t a = rng_pct(&g->r, 97) ? ARENA + (rng_below(&g->r, ARENA_SCRATCH_PAGES * PAGE - sizeof f) & ~15u)
                                              : P(ARENA_NONE_PAGE) - 8 * (1 + rng_below(&g->r, 55));
        put(g, a, f, sizeof f);
        return a;
    }
    uint32_t f[67]; /* pretcode, sig, pinfo, puc, siginfo (32 words), ucontext (5 + 22 + 2), retcode */
    for (unsigned i = 0; i < COUNT(f); i++) f[i] = (uint32_t)any_value(g, abi);
    uint32_t* m = &f[4 + 32 + 5]; /* sigcontext: gs, fs, es, ds (with their high halves), edi ... */
    m[0] = random_selector(g), m[1] = random_selector(g), m[2] = random_selector(g), m[3] = random_selector(g);
    m[14] = (uint32_t)landing_rip(g, abi); /* eip */
    m[15] = random_selector(g);            /* cs */
    m[16] = (uint32_t)rng_next(&g->r);     /* eflags */
    m[18] = random_selector(g);            /* ss */
    m[19] = (uint32_t)fpstate;
    f[4 + 32 + 5 + 22] = (uint32_t)mask;
    f[4 + 32 + 5 + 23] = (uint32_t)(mask >> 32);
    if (rng_pct(&g->r, 90)) /* uc_stack (sp, flags, size): rt_sigreturn restores it; mostly the harness's own */
        f[4 + 32 + 2] = (uint32_t)(uintptr_t)fz_altstack, f[4 + 32 + 3] = 0, f[4 + 32 + 4] = FZ_ALTSTACK_SIZE;
    const uint64_t a = rng_pct(&g->r, 97) ? ARENA + (rng_below(&g->r, ARENA_SCRATCH_PAGES * PAGE - sizeof f) & ~15u)
                                          : P(ARENA_NONE_PAGE) - 4 * (1 + rng_below(&g->r, 67));
    put(g, a, f, sizeof f);
    return a;
}

/* ---------------------------------------------------------------- gates and numbers */

static int choose_gate(struct gen* g) {
    uint32_t w[G_COUNT];
#if defined(__x86_64__)
    w[G_INT80] = 25, w[G_SYSCALL] = 30, w[G_VDSO] = 25;
    w[G_SYSENTER] = g->vendor_intel ? 20 : 2; /* AMD: #UD, a clean SIGILL */
    w[G_VSYSCALL] = 4;
#else
    w[G_VSYSCALL] = 0; /* 32-bit programs have no vsyscall page */
    w[G_INT80] = 30, w[G_VDSO] = 30;
    w[G_SYSENTER] = g->vendor_intel ? 30 : 3;
    w[G_SYSCALL] = g->vendor_intel ? 3 : 30; /* compat-mode syscall: AMD */
#endif
    if (g->avoid & AV_INT80) w[G_INT80] = 0;
    if (g->avoid & AV_SYSCALL) w[G_SYSCALL] = 0;
    if (g->avoid & AV_SYSENTER) w[G_SYSENTER] = 0;
    if (g->avoid & AV_VDSO) w[G_VDSO] = 0;
    if (g->avoid & AV_VSYSCALL) w[G_VSYSCALL] = 0;
    uint32_t total = 0;
    for (int i = 0; i < G_COUNT; i++) total += w[i];
    if (!total) return G_INT80;
    uint32_t x = rng_below(&g->r, total);
    for (int i = 0; i < G_COUNT; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return G_INT80;
}

static int avoided(const struct gen* g, const struct sc* e) {
    return ((e->flags & F_FORK) && (g->avoid & AV_FORK)) || ((e->flags & F_EXEC) && (g->avoid & AV_EXEC)) ||
           ((e->flags & F_MEM) && (g->avoid & AV_MEM)) || ((e->flags & F_SIGRET) && (g->avoid & AV_SIGRETURN)) ||
           ((e->flags & F_PIPE) && (g->avoid & AV_PIPE)) || ((e->flags & F_TLS) && (g->avoid & AV_TLS));
}

static const struct sc* weighted_entry(struct gen* g, int abi) {
    const struct table* t = &tables[abi];
    for (int tries = 0; tries < 20; tries++) {
        uint32_t x = rng_below(&g->r, t->total_weight);
        for (unsigned i = 0; i < t->count; i++) {
            if (x < t->entries[i].weight) {
                /* exit and execve end the worker: about one call in 5000 and 1000 */
                const uint16_t f = t->entries[i].flags;
                if ((f & F_EXIT) && rng_below(&g->r, 5)) break;
                if ((f & F_EXEC) && rng_below(&g->r, 2)) break;
                if (!avoided(g, &t->entries[i])) return &t->entries[i];
                break;
            }
            x -= t->entries[i].weight;
        }
    }
    return lookup(abi, abi == ABI_I386 ? __NR32_getpid : 39);
}

/* A number outside the table, or a table number with garbage above bit 31. */
static uint64_t bad_number(struct gen* g, int abi) {
    static const uint64_t numbers[] = {0xffffffff, 0xffffffffffffffffull,
                                       1003,       1010,
                                       1023,       1024,
                                       0x7fffffff, 0x80000000,
                                       0x10000,    5000,
                                       0xfffffffe, 0x40000000,
                                       0x40000001};
    switch (rng_below(&g->r, 5)) {
    case 0:
        return PICK(numbers);
    case 1:
        return rng_below(&g->r, 1100);
    case 2:
        return rng_next(&g->r) & 0xffffffffu;
    case 3:
        return abi == ABI_X86_64 ? (0x40000000u | rng_below(&g->r, 400)) : rng_below(&g->r, 500);
    default:
        return rng_next(&g->r);
    }
}

void gen_init(struct gen* g, uint64_t seed, uint32_t avoid, int vendor_intel, int fsgsbase, int self_pid,
              int master_pid) {
    rng_seed(&g->r, seed);
    g->seed = seed;
    g->avoid = avoid;
    g->vendor_intel = vendor_intel;
    g->fsgsbase = fsgsbase;
    g->self_pid = self_pid;
    g->master_pid = master_pid;
    g->arena_ok = 1;
    table_init(&tables[ABI_I386], table32, COUNT(table32), ABI_I386);
#if defined(__x86_64__)
    table_init(&tables[ABI_X86_64], table64, COUNT(table64), ABI_X86_64);
#endif
}

/* ---------------------------------------------------------------- the masks */

/* What a worker must not do, because it would end the test itself rather
 * than test the kernel: signal the master or init (or, when the master is
 * not init, every process), turn on strace (every later call would be
 * printed), set a timer rate that would slow every row to a crawl, or touch
 * the harness's two fds. Everything else is allowed: a worker may exit,
 * exec, kill itself or the other workers. */
static void apply_masks(struct gen* g, struct call* c) {
    const struct sc* e = c->entry;
    if (!e) return;
    if ((e->flags & F_MEM) && e->kind[0] == K_ADDR && (e->kind[3] != K_MMAPFLAGS || (c->arg[3] & 0x10)))
        spare_self(g, c->abi, &c->arg[0], &c->arg[1]);
    for (unsigned i = 0; i < 6; i++) {
        if (e->kind[i] != K_FD && e->kind[i] != K_DIRFD) continue;
        const int32_t fd = (int32_t)c->arg[i];
        if (fd == FD_LOG || fd == FD_BEAT) c->arg[i] = 61;
    }
    if (e->flags & F_KILL) /* kill, tkill, tgkill, prlimit64: every pid argument */
        for (unsigned i = 0; i < 6; i++) {
            if (e->kind[i] != K_PID) continue;
            const int32_t pid = (int32_t)c->arg[i];
            const int master_is_init = g->master_pid == 1;
            if (pid == 1 || pid == g->master_pid ||
                (!master_is_init && (pid <= 0 || (pid < g->master_pid && pid != g->self_pid))))
                c->arg[i] = 0x3ffffff0; /* nobody: ESRCH */
        }
    if (e->flags & F_CTL) {
        const int32_t op = (int32_t)c->arg[0];
        const int64_t arg = c->abi == ABI_I386 ? (int64_t)(int32_t)c->arg[1] : (int64_t)c->arg[1];
        if (op == SYSGATE_CTL_STRACE) c->arg[0] = 99;
        if (op == SYSGATE_CTL_SET_TIMER_HZ && arg > 2000 && arg <= 20000) c->arg[1] = 20001;
    }
}

/* ---------------------------------------------------------------- one call */

void gen_call(struct gen* g, struct call* c, uint32_t index) {
    memset(c, 0, sizeof *c);
    c->index = index;
    g->console_path = 0;
    g->tls_selector = 0;
    c->gate = choose_gate(g);
    c->abi = FZ_BITS == 64 && c->gate != G_INT80 ? ABI_X86_64 : ABI_I386;
    const int abi = c->abi;

    if (c->gate == G_VSYSCALL) {
        /* gettimeofday, time, getcpu at their fixed addresses; now and then
         * another offset in the page (a SIGSEGV) */
        const uint32_t r = rng_below(&g->r, 100);
        c->vsyscall = r < 90 ? (int)(r % 3) : 3;
    } else if (!(g->avoid & AV_BADNR) && rng_pct(&g->r, 8)) {
        c->nr = bad_number(g, abi);
        c->entry = lookup(abi, (uint32_t)c->nr);
        /* Calls that reach outside the worker (ptrace makes the fuzzer its
         * tracer or stops a sibling; process_vm_writev writes into any
         * process) or only a signal ends (pause): never, not even by number. */
        const uint32_t n = (uint32_t)c->nr;
        if (abi == ABI_I386 ? n == __NR32_ptrace || n == __NR32_process_vm_writev || n == __NR32_pause
                            : n == __NR64_ptrace || n == __NR64_process_vm_writev || n == __NR64_pause)
            c->nr = 5000;
        /* Keep the rare calls rare: an invalid number that names one is none. */
        if (c->entry && (c->entry->flags & (F_EXIT | F_EXEC | F_FORK) || avoided(g, c->entry))) {
            c->nr = 5000;
            c->entry = 0;
        }
    } else {
        c->entry = weighted_entry(g, abi);
        c->nr = (uint64_t)(uint32_t)c->entry->nr;
        if (abi == ABI_X86_64 && rng_pct(&g->r, 4)) c->nr |= rng_next(&g->r) << 32; /* only eax counts */
    }
    const struct sc* e = c->entry;

    for (unsigned i = 0; i < 6; i++) {
        const enum kind k = c->gate == G_VSYSCALL && i < 3 ? K_OUTBUF : e ? (enum kind)e->kind[i] : K_NONE;
        c->arg[i] = make_arg(g, c, k, i);
        if (k != K_NONE && rng_pct(&g->r, 6)) c->arg[i] = any_value(g, abi);
    }
    apply_masks(g, c);

    /* /dev/console: never blocking, and tracked (worker.c clamps writes). */
    if (e && (e->flags & F_OPEN) && g->console_path) {
        c->arg[e->kind[0] == K_PATH ? 1 : 2] |= O_NONBLOCK;
        c->console_open = 1;
    }

    /* Registers: everything random, then the call's. */
    struct fz_regs* r = &c->regs;
    for (int i = 0; i < FZ_NREGS; i++) r->r[i] = (word)any_value(g, abi);
    r->r[R_AX] = (word)c->nr;
    if (abi == ABI_I386) {
        static const int order[6] = {R_BX, R_CX, R_DX, R_SI, R_DI, R_BP};
        for (int i = 0; i < 6; i++) {
            uint64_t v = (uint32_t)c->arg[i];
            if (FZ_BITS == 64 && rng_pct(&g->r, 20)) v |= rng_next(&g->r) << 32; /* int $0x80 sees 32 bits */
            r->r[order[i]] = (word)v;
        }
    } else {
#if defined(__x86_64__)
        static const int order[6] = {R_DI, R_SI, R_DX, R_10, R_8, R_9};
        for (int i = 0; i < 6; i++) r->r[order[i]] = c->arg[i];
#endif
    }
#if defined(__x86_64__)
    r->r[R_14] = g->seed; /* for a kernel fault dump that shows the caller's registers */
    r->r[R_15] = index;
#else
    r->r14 = (uint32_t)g->seed;
    r->r15 = index;
#endif

    /* Entry flags: IF and bit 1, random arithmetic flags, sometimes TF,
     * DF, AC, NT; popf in ring 3 ignores IOPL and IF. */
    uint64_t fl = 0x202 | (rng_next(&g->r) & 0x8d5);
    if (!(g->avoid & AV_TF) && rng_pct(&g->r, 3)) fl |= 0x100;
    if (!(g->avoid & AV_DF) && rng_pct(&g->r, 6)) fl |= 0x400;
    if (!(g->avoid & AV_AC) && rng_pct(&g->r, 5)) fl |= 0x40000;
    if (!(g->avoid & AV_NT) && rng_pct(&g->r, 4)) fl |= 0x4000;
    if (rng_pct(&g->r, 2)) fl |= 0x3000 | 0x200000; /* IOPL (ignored), ID */
    if (rng_pct(&g->r, 2)) fl &= ~0x200ull;         /* IF (ignored) */
    r->rflags = (word)fl;

    /* The gate, and where the stack is. */
    static const int asm_gate[G_COUNT] = {FZ_ASM_INT80, FZ_ASM_SYSCALL, FZ_ASM_SYSENTER, FZ_ASM_VDSO, FZ_ASM_VSYSCALL};
    r->gate = (uint32_t)asm_gate[c->gate];
#if defined(__x86_64__)
    {
        static const uint64_t offsets[] = {0, 0x400, 0x800};
        static const uint64_t odd[] = {1, 0x10, 0x3ff, 0x401, 0xc00, 0xffe};
        r->target = 0xffffffffff600000ull + (c->vsyscall < 3 ? offsets[c->vsyscall] : PICK(odd));
    }
#endif
    uint64_t sp = 0;
    int hostile = 0;
    if (e && (e->flags & F_SIGRET) && rng_below(&g->r, 100) != 0) {
        /* The kernel reads the frame below the stack pointer it sees:
         * rsp - 8 (x86_64), esp - 4 (i386). Not through the vDSO, whose
         * call would move it. */
        if (c->gate == G_VDSO) {
            c->gate = FZ_BITS == 64 ? G_SYSCALL : G_INT80;
            c->abi = FZ_BITS == 64 ? ABI_X86_64 : ABI_I386;
            r->gate = (uint32_t)asm_gate[c->gate];
        }
        sp = make_sigreturn_frame(g, abi) + (abi == ABI_X86_64 ? 8 : 4);
        hostile = 1;
        c->sigreturn_frame = 1;
    } else if (!(g->avoid & AV_STACK) && rng_pct(&g->r, c->gate == G_VDSO || c->gate == G_VSYSCALL ? 1 : 7)) {
        static const uint64_t stacks64[] = {0,
                                            8,
                                            0x1000,
                                            P(ARENA_NONE_PAGE) + 64,
                                            P(ARENA_RO_PAGE) + 64,
                                            P(ARENA_HOLE_PAGE) + 64,
                                            P(ARENA_NONE_PAGE) + 3,
                                            P(1) + 3,
                                            0x7fffffffd040,
                                            0x7ffffffff000,
                                            0x7ffffffff008,
                                            0x00007fffffffffff,
                                            0x0000800000000000,
                                            0x0000800000000010,
                                            0xffff800000000000,
                                            0xffffffff80000000,
                                            0xffffc80000007f00,
                                            0xfffffffffffffff8,
                                            0xffffffff};
        static const uint64_t stacks32[] = {0,
                                            8,
                                            0x1000,
                                            P(ARENA_NONE_PAGE) + 64,
                                            P(ARENA_RO_PAGE) + 64,
                                            P(ARENA_HOLE_PAGE) + 64,
                                            P(1) + 3,
                                            0xffffe040,
                                            0xfffff000,
                                            0xfffffff8,
                                            0xffffffff,
                                            0xc0000000};
        sp = FZ_BITS == 64 ? PICK(stacks64) : PICK(stacks32);
        hostile = 1;
    }
    if (hostile) {
        r->sp = (word)sp;
        if (c->gate == G_SYSENTER)
            r->gate = FZ_ASM_SYSENTER_BADSP;
        else if (FZ_BITS == 32 && c->gate == G_SYSCALL)
            r->gate = FZ_ASM_SYSCALL_BADSP;
        else
            r->flags |= FZ_HOSTILE_SP;
    } else {
        r->sp = (word)any_value(g, abi);
    }

    /* Segment selectors: FS and GS anything (they stay loaded across later
     * calls and context switches); DS, ES and SS usable ones, since 32-bit
     * code runs on them. */
    if (!(g->avoid & AV_SEG)) {
        if (rng_pct(&g->r, 8)) r->flags |= FZ_LOAD_FS, r->fs = random_selector(g);
        if (rng_pct(&g->r, 8)) r->flags |= FZ_LOAD_GS, r->gs = random_selector(g);
        const uint16_t data32[] = {fz_sel.ds, fz_sel.ds2};
        /* set_thread_area about to change a slot: sometimes with that very
         * slot's selector loaded, so that the kernel goes back to user mode
         * (iretq, or a later context switch) with a selector whose
         * descriptor it has just changed. */
        if (g->tls_selector && gen_is(c, "set_thread_area") && rng_pct(&g->r, 40)) {
            const uint16_t sel = g->tls_selector;
            switch (rng_below(&g->r, 5)) {
            case 0:
                r->flags |= FZ_LOAD_FS, r->fs = sel;
                break;
            case 1:
                r->flags |= FZ_LOAD_GS, r->gs = sel;
                break;
            case 2:
                r->flags |= FZ_LOAD_DS, r->ds = sel;
                break;
            case 3:
                r->flags |= FZ_LOAD_ES, r->es = sel;
                break;
            default:
                /* Only int $0x80 returns (iretq) to the SS it came from:
                 * sysretl and sysexit load the user data selector, so a
                 * 32-bit stub's push before them and pop after would use
                 * two different stack segments (as on Linux). */
                if (FZ_BITS == 32 && c->gate != G_INT80)
                    r->flags |= FZ_LOAD_ES, r->es = sel;
                else
                    r->flags |= FZ_LOAD_SS, r->ss = sel;
                break;
            }
        }
        if (FZ_BITS == 64) {
            if (rng_pct(&g->r, 3)) r->flags |= FZ_LOAD_DS, r->ds = random_selector(g);
            if (rng_pct(&g->r, 3)) r->flags |= FZ_LOAD_ES, r->es = random_selector(g);
            if (rng_pct(&g->r, 1))
                r->flags |= FZ_LOAD_SS, r->ss = rng_pct(&g->r, 80) ? PICK(data32) : random_selector(g);
        } else {
            if (rng_pct(&g->r, 3)) r->flags |= FZ_LOAD_DS, r->ds = PICK(data32);
            if (rng_pct(&g->r, 3)) r->flags |= FZ_LOAD_ES, r->es = PICK(data32);
            if (rng_pct(&g->r, 1)) r->flags |= FZ_LOAD_SS, r->ss = PICK(data32);
        }
    }

#if defined(__x86_64__)
    /* FS and GS bases written directly, where the kernel allows it: any
     * value, kernel addresses included (the entry code must not take a
     * user GS base for its own). Drawn either way, so that a listing made
     * where FSGSBASE is off shows the same calls. */
    if (!(g->avoid & AV_FSGSBASE)) {
        if (rng_pct(&g->r, 3)) r->flags |= FZ_WRFSBASE, r->fsbase = any_value(g, ABI_X86_64);
        if (rng_pct(&g->r, 3)) r->flags |= FZ_WRGSBASE, r->gsbase = any_value(g, ABI_X86_64);
        if (!g->fsgsbase) r->flags &= ~(uint32_t)(FZ_WRFSBASE | FZ_WRGSBASE);
    }
#endif
    if (g->avoid & AV_FSGS) r->flags &= ~(uint32_t)(FZ_LOAD_FS | FZ_LOAD_GS);
    if (g->avoid & AV_SS) r->flags &= ~(uint32_t)FZ_LOAD_SS;
    if (g->avoid & AV_DSES) r->flags &= ~(uint32_t)(FZ_LOAD_DS | FZ_LOAD_ES);

    /* What the harness repairs afterwards (with a small chance not to: a
     * worker also lives on in the state the call left). The generator's
     * view of the arena follows the same decisions, so that a replay
     * writes the same bytes. */
    if (e) {
        c->fork_like = (e->flags & F_FORK) != 0;
        int touches = 0;
        if (e->flags & F_MEM) {
            if (e->kind[0] == K_MMAPARGS)
                touches = (c->repair & RP_ARENA) != 0; /* make_arg looked inside */
            else if (e->kind[0] == K_BRK)
                touches = c->arg[0] >= ARENA, c->mem_full = 1;
            else {
                /* what the kernel sees: 32 bits of each for the i386 ABI */
                c->mem_addr = abi == ABI_I386 ? (uint32_t)c->arg[0] : c->arg[0];
                c->mem_len = abi == ABI_I386 ? (uint32_t)c->arg[1] : c->arg[1];
                touches = (e->kind[3] != K_MMAPFLAGS || (c->arg[3] & 0x10)) && touches_arena(c->mem_addr, c->mem_len);
            }
            if (touches) c->repair |= RP_ARENA;
        }
        if (e->flags & F_SIGACT) c->repair |= RP_SIGACT, c->repair_sig = (int)(int32_t)c->arg[0];
        if (e->flags & (F_ALTSTK | F_SIGRET)) c->repair |= RP_ALTSTACK; /* rt_sigreturn restores uc_stack */
        if (e->flags & (F_MASK | F_SIGRET)) c->repair |= RP_MASK;
        if (e->flags & F_PIPE) c->repair |= rng_pct(&g->r, 55) ? RP_PIPE_CLOSE : RP_PIPE_NONBLOCK;
        if (rng_pct(&g->r, 4)) c->repair &= ~(uint32_t)(RP_SIGACT | RP_ALTSTACK | RP_MASK | RP_ARENA);
        if (touches && (c->repair & RP_ARENA) && !g->arena_ok) c->repair |= RP_ARENA_ALL;
        if (touches) g->arena_ok = (c->repair & RP_ARENA) != 0;
    }
    if (!g->arena_ok && rng_pct(&g->r, 3)) {
        c->repair |= RP_ARENA | RP_ARENA_ALL; /* rebuilt after this call, all of it */
        g->arena_ok = 1;
    }

    c->check_regs = !hostile && !c->fork_like && !(e && (e->flags & (F_SIGRET | F_EXIT))) && !c->sigreturn_frame;
}

/* ---------------------------------------------------------------- describing a call */

const char* gen_name(const struct call* c) {
    return c->entry ? c->entry->name : 0;
}

int gen_is(const struct call* c, const char* name) {
    return c->entry && !strcmp(c->entry->name, name);
}

int gen_has_flag(const struct call* c, unsigned flag) {
    return c->entry && (c->entry->flags & flag);
}

int gen_fd_args(const struct call* c, int which) {
    if (!c->entry || which < 0 || which > 5) return -1;
    const uint8_t k = c->entry->kind[which];
    return k == K_FD || k == K_DIRFD ? (int)(int32_t)c->arg[which] : -1;
}

void gen_describe(const struct call* c, char* buf, size_t size) {
    size_t n = 0;
#define OUT(...)                                                                                                       \
    do {                                                                                                               \
        if (n < size) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__);                                           \
    } while (0)
    OUT("#%u %s ", (unsigned)c->index, fz_gate_names[c->gate]);
    static const char* const vsyscalls[] = {"gettimeofday", "time", "getcpu", "(off an entry)"};
    const unsigned args = c->gate == G_VSYSCALL ? 3 : c->entry ? arg_count(c->entry) : 6;
    if (c->gate == G_VSYSCALL)
        OUT("%s(", vsyscalls[c->vsyscall]);
    else if (c->entry)
        OUT("%s(", c->entry->name);
    else
        OUT("syscall_%#llx(", (unsigned long long)c->nr);
    for (unsigned i = 0; i < args; i++) {
        const uint64_t v = c->abi == ABI_I386 ? (uint32_t)c->arg[i] : c->arg[i];
        OUT(i ? ", %#llx" : "%#llx", (unsigned long long)v);
    }
    OUT(")");
    if (c->entry && (c->nr >> 32)) OUT(" nr=%#llx", (unsigned long long)c->nr);
    OUT(" flags=%#lx", (unsigned long)c->regs.rflags);
    if (c->sigreturn_frame)
        OUT(" frame=%#llx", (unsigned long long)c->regs.sp);
    else if ((c->regs.flags & FZ_HOSTILE_SP) || (c->regs.gate & 7) == FZ_ASM_SYSENTER_BADSP ||
             (c->regs.gate & 7) == FZ_ASM_SYSCALL_BADSP)
        OUT(" sp=%#llx", (unsigned long long)c->regs.sp);
    if (c->regs.flags & FZ_LOAD_DS) OUT(" ds=%#x", c->regs.ds);
    if (c->regs.flags & FZ_LOAD_ES) OUT(" es=%#x", c->regs.es);
    if (c->regs.flags & FZ_LOAD_FS) OUT(" fs=%#x", c->regs.fs);
    if (c->regs.flags & FZ_LOAD_GS) OUT(" gs=%#x", c->regs.gs);
    if (c->regs.flags & FZ_LOAD_SS) OUT(" ss=%#x", c->regs.ss);
#if defined(__x86_64__)
    if (c->gate == G_VSYSCALL) OUT(" at %#llx", (unsigned long long)c->regs.target);
    if (c->regs.flags & FZ_WRFSBASE) OUT(" fsbase=%#llx", (unsigned long long)c->regs.fsbase);
    if (c->regs.flags & FZ_WRGSBASE) OUT(" gsbase=%#llx", (unsigned long long)c->regs.gsbase);
#endif
    if (c->repair) OUT(" repair=%#x", (unsigned)c->repair);
#undef OUT
}
