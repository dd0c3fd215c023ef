/* ptrace (docs/ptrace.md), probed as a debugger and as an attacker would:
 * stops and wait statuses, registers and memory of the tracee, changed
 * and skipped calls, events, watchpoints, single steps, SEIZE and
 * INTERRUPT, process_vm_readv/writev; bad pointers in every copy
 * (EFAULT), bad offsets (EIO), forbidden tracees (EPERM), and hostile
 * registers that must hurt only the tracee. Built for 64- and 32-bit: the
 * 32-bit build uses the i386 layouts.
 *
 * `ptrace gates` is the program the trace boot case runs under /bin/trace:
 * one getppid() through each gate this CPU offers. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

enum {
    TRACEME = 0,
    PEEKTEXT = 1,
    PEEKDATA = 2,
    PEEKUSER = 3,
    POKETEXT = 4,
    POKEDATA = 5,
    POKEUSER = 6,
    CONT = 7,
    KILL = 8,
    SINGLESTEP = 9,
    GETREGS = 12,
    SETREGS = 13,
    GETFPREGS = 14,
    ATTACH = 16,
    DETACH = 17,
    SYSCALL_ = 24,
    SYSEMU = 31,
    SETOPTIONS = 0x4200,
    GETEVENTMSG = 0x4201,
    GETSIGINFO = 0x4202,
    SEIZE = 0x4206,
    INTERRUPT = 0x4207,
    GET_SYSCALL_INFO = 0x420e,
    O_TRACESYSGOOD = 1,
    O_TRACEFORK = 2,
    O_TRACEEXEC = 0x10,
    O_TRACEEXIT = 0x40,
    EVENT_FORK = 1,
    EVENT_EXEC = 4,
    EVENT_EXIT = 6,
    EVENT_STOP = 128,
};

#if defined(__x86_64__)
typedef uint64_t word;
/* user_regs_struct (arch/x86/include/asm/user_64.h) */
enum {
    R15,
    R14,
    R13,
    R12,
    RBP,
    RBX,
    R11,
    R10,
    R9,
    R8,
    RAX,
    RCX,
    RDX,
    RSI,
    RDI,
    ORIG_AX,
    IP,
    CS,
    FLAGS,
    SP,
    SS,
    FS_BASE,
    GS_BASE,
    DS,
    ES,
    FS,
    GS,
    NREGS
};
#define USER_SIZE 912
#define DEBUGREG 848
#define NR_getppid __NR64_getppid
#define NR_getpid __NR64_getpid
#define ARG0 RDI
#else
typedef uint32_t word;
/* the i386 user_regs_struct (user_32.h) */
enum { RBX, RCX, RDX, RSI, RDI, RBP, RAX, DS, ES, FS, GS, ORIG_AX, IP, CS, FLAGS, SP, SS, NREGS };
#define USER_SIZE 284
#define DEBUGREG 252
#define NR_getppid __NR32_getppid
#define NR_getpid __NR32_getpid
#define ARG0 RBX
#endif
#define WORD sizeof(word)
#define STOPPED(sig) (0x7f | (sig) << 8)
#define BAD_POINTER ((unsigned long)1)

static long pt(long request, long pid, unsigned long addr, unsigned long data) {
    return syscall(SYS_ptrace, request, pid, addr, data);
}

static int wait_for(pid_t pid) {
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    return status;
}

/* A child that asks to be traced and stops itself (SIGSTOP), then runs
 * fn and exits with its result. Returns its pid, stopped. */
static pid_t traced_child(int (*fn)(void)) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (pt(TRACEME, 0, 0, 0) != 0) _exit(90);
        kill(getpid(), SIGSTOP);
        _exit(fn());
    }
    CHECK_EQ(wait_for(pid), STOPPED(SIGSTOP));
    return pid;
}

static void finish(pid_t pid, int code) {
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EXITED(wait_for(pid), code);
}

static int do_nothing(void) {
    return 7;
}

/* ---------------------------------------------------------------- cases */

static volatile word shared_value = 1234;
static int report_value(void) {
    return shared_value == 0x55 ? 0 : 1;
}

static void peek_and_poke_memory(void) {
    const pid_t pid = traced_child(report_value);
    word w = 0;
    CHECK_EQ(pt(PEEKDATA, pid, (unsigned long)&shared_value, (unsigned long)&w), 0);
    CHECK_EQ(w, 1234);
    CHECK_EQ(pt(POKEDATA, pid, (unsigned long)&shared_value, 0x55), 0);
    /* text too: the tracee's private copy of a read-only page */
    word code = 0;
    CHECK_EQ(pt(PEEKTEXT, pid, (unsigned long)&do_nothing, (unsigned long)&code), 0);
    CHECK_EQ(pt(POKETEXT, pid, (unsigned long)&do_nothing, code), 0);
    finish(pid, 0);
    CHECK_EQ(shared_value, 1234); /* ours is untouched */
}

static void registers_of_a_stopped_tracee(void) {
    const pid_t pid = traced_child(do_nothing);
    word regs[NREGS];
    CHECK_EQ(pt(GETREGS, pid, 0, (unsigned long)regs), 0);
    word cs = 0;
    CHECK_EQ(pt(PEEKUSER, pid, CS * WORD, (unsigned long)&cs), 0);
    CHECK_EQ(cs, regs[CS]);
    CHECK_EQ(cs & 3, 3);
    word ip = 0;
    CHECK_EQ(pt(PEEKUSER, pid, IP * WORD, (unsigned long)&ip), 0);
    CHECK_EQ(ip, regs[IP]);
    /* SETREGS with what GETREGS gave changes nothing */
    CHECK_EQ(pt(SETREGS, pid, 0, (unsigned long)regs), 0);
    unsigned char fp[512];
    CHECK_EQ(pt(GETFPREGS, pid, 0, (unsigned long)fp), 0);
    finish(pid, 7);
}

static int call_getppid_and_report(void) {
    const long r = syscall(SYS_getppid);
    return r == 4242 ? 0 : 1;
}

static void syscall_stops_change_the_call(void) {
    const pid_t pid = traced_child(call_getppid_and_report);
    CHECK_EQ(pt(SETOPTIONS, pid, 0, O_TRACESYSGOOD), 0);
    for (int i = 0; i < 50; i++) {
        CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP | 0x80));
        word regs[NREGS];
        CHECK_EQ(pt(GETREGS, pid, 0, (unsigned long)regs), 0);
        if (regs[ORIG_AX] != NR_getppid) {
            CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0); /* to its exit stop */
            CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP | 0x80));
            continue;
        }
        CHECK_EQ((long)(intptr_t)regs[RAX], -ENOSYS); /* entry: rax is -ENOSYS, as on Linux */
        regs[ORIG_AX] = NR_getpid;                    /* the call made is the changed one */
        CHECK_EQ(pt(SETREGS, pid, 0, (unsigned long)regs), 0);
        CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP | 0x80));
        CHECK_EQ(pt(GETREGS, pid, 0, (unsigned long)regs), 0);
        CHECK_EQ(regs[RAX], pid); /* getpid's result */
        regs[RAX] = 4242;         /* and the result the tracee sees */
        CHECK_EQ(pt(SETREGS, pid, 0, (unsigned long)regs), 0);
        finish(pid, 0);
        return;
    }
    CHECK(!"no getppid entry stop");
    pt(KILL, pid, 0, 0);
    wait_for(pid);
}

static void orig_ax_minus_one_skips_the_call(void) {
    const pid_t pid = traced_child(call_getppid_and_report);
    for (int i = 0; i < 50; i++) {
        CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP)); /* without TRACESYSGOOD */
        word nr = 0;
        CHECK_EQ(pt(PEEKUSER, pid, ORIG_AX * WORD, (unsigned long)&nr), 0);
        if (nr != NR_getppid) {
            CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
            wait_for(pid);
            continue;
        }
        CHECK_EQ(pt(POKEUSER, pid, ORIG_AX * WORD, (word)-1), 0);
        CHECK_EQ(pt(POKEUSER, pid, RAX * WORD, 4242), 0);
        CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP)); /* a skipped call still has its exit stop */
        word ax = 0;
        CHECK_EQ(pt(PEEKUSER, pid, RAX * WORD, (unsigned long)&ax), 0);
        CHECK_EQ(ax, 4242);
        finish(pid, 0);
        return;
    }
    CHECK(!"no getppid entry stop");
}

static void sysemu_skips_every_call(void) {
    const pid_t pid = traced_child(call_getppid_and_report);
    for (int i = 0; i < 50; i++) {
        CHECK_EQ(pt(SYSEMU, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP));
        word nr = 0;
        CHECK_EQ(pt(PEEKUSER, pid, ORIG_AX * WORD, (unsigned long)&nr), 0);
        /* the tracer plays the kernel: 4242 for getppid, 0 for the rest (the exit is emulated too) */
        if (nr == NR_getppid) {
            CHECK_EQ(pt(POKEUSER, pid, RAX * WORD, 4242), 0);
            CHECK_EQ(pt(CONT, pid, 0, 0), 0);
            CHECK_EXITED(wait_for(pid), 0);
            return;
        }
        CHECK_EQ(pt(POKEUSER, pid, RAX * WORD, 0), 0);
    }
    CHECK(!"no getppid entry stop");
}

static void syscall_info_describes_the_stop(void) {
    struct {
        uint8_t op, pad[3];
        uint32_t arch;
        uint64_t ip, sp, nr, args[6];
    } info;
    const pid_t pid = traced_child(call_getppid_and_report);
    CHECK_EQ(pt(GET_SYSCALL_INFO, pid, sizeof info, (unsigned long)&info), 24); /* op NONE: a signal stop */
    CHECK_EQ(info.op, 0);
    CHECK_EQ(pt(SYSCALL_, pid, 0, 0), 0);
    wait_for(pid);
    CHECK_EQ(pt(GET_SYSCALL_INFO, pid, sizeof info, (unsigned long)&info), 80);
    CHECK_EQ(info.op, 1);
    CHECK_EQ(info.arch, sizeof(void*) == 8 ? 0xc000003eu : 0x40000003u);
    CHECK_ERRNO(pt(GET_SYSCALL_INFO, pid, sizeof info, BAD_POINTER), EFAULT);
    CHECK_EQ(pt(GET_SYSCALL_INFO, pid, 0, BAD_POINTER), 80); /* nothing copied: no fault */
    pt(KILL, pid, 0, 0);
    CHECK_KILLED(wait_for(pid), SIGKILL);
}

static void bad_pointers_are_efault(void) {
    const pid_t pid = traced_child(do_nothing);
    const unsigned long bad[] = {BAD_POINTER, (unsigned long)0xffffffff80000000ull, 4096};
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        const unsigned long p = bad[i];
        if (sizeof(long) == 4 && i == 1) continue;
        CHECK_ERRNO(pt(GETREGS, pid, 0, p), EFAULT);
        CHECK_ERRNO(pt(SETREGS, pid, 0, p), EFAULT);
        CHECK_ERRNO(pt(GETFPREGS, pid, 0, p), EFAULT);
        CHECK_ERRNO(pt(PEEKDATA, pid, (unsigned long)&shared_value, p), EFAULT);
        CHECK_ERRNO(pt(PEEKUSER, pid, 0, p), EFAULT);
        CHECK_ERRNO(pt(GETSIGINFO, pid, 0, p), EFAULT);
        CHECK_ERRNO(pt(GETEVENTMSG, pid, 0, p), EFAULT);
    }
    /* the tracee's side: addresses it has no page at are EIO, as on Linux */
    word w;
    CHECK_ERRNO(pt(PEEKDATA, pid, 8, (unsigned long)&w), EIO);
    CHECK_ERRNO(pt(POKEDATA, pid, 8, 0), EIO);
    if (sizeof(long) == 8) CHECK_ERRNO(pt(PEEKDATA, pid, (unsigned long)0xffffffff80000000ull, (unsigned long)&w), EIO);
    finish(pid, 7);
}

static void user_area_offsets(void) {
    const pid_t pid = traced_child(do_nothing);
    word w;
    CHECK_ERRNO(pt(PEEKUSER, pid, 3, (unsigned long)&w), EIO);         /* misaligned */
    CHECK_ERRNO(pt(PEEKUSER, pid, USER_SIZE, (unsigned long)&w), EIO); /* past struct user */
    CHECK_ERRNO(pt(PEEKUSER, pid, (unsigned long)-8, (unsigned long)&w), EIO);
    CHECK_ERRNO(pt(POKEUSER, pid, 1, 0), EIO);
    CHECK_EQ(pt(PEEKUSER, pid, DEBUGREG - WORD, (unsigned long)&w), 0); /* u_comm: reads 0 */
    CHECK_EQ(w, 0);
    CHECK_EQ(pt(PEEKUSER, pid, DEBUGREG + 6 * WORD, (unsigned long)&w), 0); /* DR6 */
    CHECK_EQ(w & 0xffff0ff0u, 0xffff0ff0u);
    CHECK_ERRNO(pt(POKEUSER, pid, DEBUGREG + 4 * WORD, 0), EIO); /* DR4 */
    finish(pid, 7);
}

static void forbidden_tracees_are_eperm(void) {
    CHECK_ERRNO(pt(ATTACH, getpid(), 0, 0), EPERM);
    CHECK_ERRNO(pt(SEIZE, getpid(), 0, 0), EPERM);
    CHECK_ERRNO(pt(ATTACH, 1, 0, 0), EPERM);
    CHECK_ERRNO(pt(ATTACH, 999999, 0, 0), ESRCH);
    /* requests for a process we do not trace */
    word w;
    CHECK_ERRNO(pt(PEEKDATA, getppid(), 0, (unsigned long)&w), ESRCH);
    CHECK_ERRNO(pt(CONT, getpid(), 0, 0), ESRCH);
    /* twice traced: TRACEME again and ATTACH to a traced child */
    const pid_t pid = traced_child(do_nothing);
    const pid_t other = fork();
    if (other == 0) _exit(pt(ATTACH, pid, 0, 0) == -1 && errno == EPERM ? 0 : 1);
    CHECK_EXITED(wait_for(other), 0);
    finish(pid, 7);
    const pid_t twice = fork();
    if (twice == 0) _exit(pt(TRACEME, 0, 0, 0) == 0 && pt(TRACEME, 0, 0, 0) == -1 && errno == EPERM ? 0 : 1);
    CHECK_EXITED(wait_for(twice), 0);
    CHECK_ERRNO(pt(12345, getppid(), 0, 0), ESRCH);
}

/* A tracer writes registers that no program may return with: the kernel
 * refuses them (EIO) or the tracee alone dies of them. */
static void hostile_registers_hurt_only_the_tracee(void) {
    struct {
        int reg;
        word value;
        int refused; /* EIO at POKEUSER */
        int signal;  /* else: the tracee's end */
    } cases[] = {
        {CS, 0, 1, 0},
        {CS, 0x08, 1, 0}, /* the kernel's code segment, RPL 0 */
        {SS, 0, 1, 0},
        {CS, 0x0b, 0, SIGSEGV}, /* RPL 3 on a DPL-0 descriptor: iret faults */
        {SS, 0x13, 0, SIGSEGV},
        {CS, 0xfffb, 0, SIGSEGV}, /* past the GDT */
        {DS, 0x10, 1, 0},
        {IP, (word)0xffffffff80001000ull, 0, SIGSEGV},     /* the kernel's text */
        {FLAGS, 0x3000 | 0x20000 | 0x4000 | 0x200, 0, -1}, /* IOPL, VM, NT, IF: ignored, it runs on */
#if defined(__x86_64__)
        {IP, 0x8000000000000000ull, 0, SIGSEGV}, /* non-canonical */
        {FS_BASE, 0xffff800000000000ull, 1, 0},
        {GS_BASE, 0x0000800000000000ull, 1, 0},
        {SP, 0xdead000000000000ull, 0, SIGSEGV},
#endif
    };
    for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
        const pid_t pid = traced_child(do_nothing);
        const long r = pt(POKEUSER, pid, (unsigned long)cases[i].reg * WORD, cases[i].value);
        if (cases[i].refused) {
            CHECK_EQ(r == -1 && errno == EIO, 1);
            finish(pid, 7);
            continue;
        }
        CHECK_EQ(r, 0);
        CHECK_EQ(pt(CONT, pid, 0, 0), 0);
        int status = wait_for(pid);
        if (cases[i].signal < 0) {
            CHECK_EXITED(status, 7);
            continue;
        }
        /* the fault is a signal-delivery stop first; pass it on */
        if ((status & 0xff) == 0x7f) {
            const int s = (status >> 8) & 0xff;
            CHECK(s == SIGSEGV || s == SIGBUS);
            CHECK_EQ(pt(CONT, pid, 0, (unsigned long)s), 0);
            status = wait_for(pid);
        }
        CHECK(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS));
        if (!WIFSIGNALED(status)) test_note("case %u: status %#x", i, status);
    }
}

static volatile uint16_t watched;
static int touch_watched(void) {
    watched = 1;
    return 3;
}

static void watchpoints_and_dr7_rules(void) {
    const pid_t pid = traced_child(touch_watched);
    const unsigned long dr = DEBUGREG;
    if (sizeof(long) == 8) CHECK_ERRNO(pt(POKEUSER, pid, dr, (unsigned long)-4096l), EINVAL); /* a kernel address */
    CHECK_EQ(pt(POKEUSER, pid, dr, (unsigned long)&watched), 0);
    CHECK_ERRNO(pt(POKEUSER, pid, dr + 7 * WORD, 1 | 2 << 16), EINVAL); /* an I/O breakpoint */
    CHECK_ERRNO(pt(POKEUSER, pid, dr + 7 * WORD, 1 | 3 << 18), EINVAL); /* execute, length 4 */
    CHECK_EQ(pt(POKEUSER, pid, dr + 1 * WORD, (unsigned long)&watched + 1), 0);
    CHECK_ERRNO(pt(POKEUSER, pid, dr + 7 * WORD, 4 | 1 << 20 | 1 << 22), EINVAL); /* DR1: 2 bytes, misaligned */
    CHECK_EQ(pt(POKEUSER, pid, dr + 7 * WORD, 2 | 1 << 16 | 1 << 18), 0);         /* DR0: write, 2 bytes */
    word dr7 = 0;
    CHECK_EQ(pt(PEEKUSER, pid, dr + 7 * WORD, (unsigned long)&dr7), 0);
    CHECK_EQ(dr7, 2 | 1 << 16 | 1 << 18);
    CHECK_ERRNO(pt(POKEUSER, pid, dr, (unsigned long)&watched + 1), EINVAL); /* now enabled: must stay aligned */
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP)); /* the write trapped */
    word dr6 = 0;
    CHECK_EQ(pt(PEEKUSER, pid, dr + 6 * WORD, (unsigned long)&dr6), 0);
    CHECK_EQ(dr6 & 0xf, 1); /* B0 */
    finish(pid, 3);
}

static int loop_a_little(void) {
    volatile int n = 0;
    for (int i = 0; i < 100; i++) n += i;
    return n == 4950 ? 5 : 6;
}

static void single_steps(void) {
    const pid_t pid = traced_child(loop_a_little);
    word ip0 = 0, ip = 0, flags = 0;
    CHECK_EQ(pt(PEEKUSER, pid, IP * WORD, (unsigned long)&ip0), 0);
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(pt(SINGLESTEP, pid, 0, 0), 0);
        CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP));
    }
    CHECK_EQ(pt(PEEKUSER, pid, IP * WORD, (unsigned long)&ip), 0);
    CHECK(ip != ip0);
    CHECK_EQ(pt(PEEKUSER, pid, FLAGS * WORD, (unsigned long)&flags), 0);
    CHECK_EQ(flags & 0x100, 0); /* TF the kernel set is hidden from the tracer */
    word dr6 = 0;
    CHECK_EQ(pt(PEEKUSER, pid, DEBUGREG + 6 * WORD, (unsigned long)&dr6), 0);
    CHECK(dr6 & 0x4000); /* BS */
    finish(pid, 5);
}

static int fork_a_grandchild(void) {
    const pid_t g = fork();
    if (g == 0) _exit(4);
    int status;
    return waitpid(g, &status, 0) == g && WIFEXITED(status) && WEXITSTATUS(status) == 4 ? 0 : 1;
}

static void fork_exec_and_exit_events(void) {
    const pid_t pid = traced_child(fork_a_grandchild);
    CHECK_EQ(pt(SETOPTIONS, pid, 0, O_TRACEFORK | O_TRACEEXIT), 0);
    CHECK_ERRNO(pt(SETOPTIONS, pid, 0, 1u << 30), EINVAL);
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP) | EVENT_FORK << 16);
    unsigned long grandchild = 0;
    CHECK_EQ(pt(GETEVENTMSG, pid, 0, (unsigned long)&grandchild), 0);
    CHECK(grandchild > 0);
    const unsigned long child_pid = grandchild;
    /* the grandchild is traced too, and starts stopped */
    CHECK_EQ(wait_for((pid_t)grandchild), STOPPED(SIGSTOP));
    CHECK_EQ(pt(CONT, (pid_t)grandchild, 0, 0), 0);
    CHECK_EQ(wait_for((pid_t)grandchild), STOPPED(SIGTRAP) | EVENT_EXIT << 16);
    CHECK_EQ(pt(GETEVENTMSG, (pid_t)grandchild, 0, (unsigned long)&grandchild), 0);
    CHECK_EQ(grandchild, 4 << 8);
    CHECK_EQ(pt(CONT, (pid_t)child_pid, 0, 0), 0); /* it ends; its parent (our tracee) reaps it */
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    int status = wait_for(pid);
    while (status == STOPPED(SIGCHLD)) { /* the grandchild's end, a signal for its parent: pass it on */
        CHECK_EQ(pt(CONT, pid, 0, SIGCHLD), 0);
        status = wait_for(pid);
    }
    CHECK_EQ(status, STOPPED(SIGTRAP) | EVENT_EXIT << 16); /* then its own exit event */
    finish(pid, 0);
}

static int exec_true(void) {
    char* const argv[] = {"/bin/true", 0};
    execv(argv[0], argv);
    return 1;
}

static void exec_event_and_classic_sigtrap(void) {
    pid_t pid = traced_child(exec_true);
    CHECK_EQ(pt(SETOPTIONS, pid, 0, O_TRACEEXEC), 0);
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP) | EVENT_EXEC << 16);
    unsigned long former = 0;
    CHECK_EQ(pt(GETEVENTMSG, pid, 0, (unsigned long)&former), 0);
    CHECK_EQ(former, pid);
    finish(pid, 0);
    pid = traced_child(exec_true); /* without the option: a SIGTRAP after the exec */
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP));
    finish(pid, 0);
}

static void seize_and_interrupt(void) {
    const pid_t pid = fork();
    if (pid == 0) {
        for (volatile unsigned long i = 0;; i++) {
        }
    }
    CHECK_ERRNO(pt(SEIZE, pid, 1, 0), EIO); /* addr must be 0 */
    CHECK_EQ(pt(SEIZE, pid, 0, O_TRACESYSGOOD), 0);
    word w;
    CHECK_ERRNO(pt(PEEKUSER, pid, 0, (unsigned long)&w), ESRCH); /* running: not stopped yet */
    CHECK_EQ(pt(INTERRUPT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGTRAP) | EVENT_STOP << 16);
    CHECK_EQ(pt(PEEKUSER, pid, 0, (unsigned long)&w), 0);
    CHECK_EQ(pt(KILL, pid, 0, 0), 0);
    CHECK_KILLED(wait_for(pid), SIGKILL);
}

static void signals_stop_a_tracee_first(void) {
    const pid_t pid = traced_child(do_nothing);
    kill(pid, SIGUSR1);
    CHECK_EQ(pt(CONT, pid, 0, 0), 0);
    CHECK_EQ(wait_for(pid), STOPPED(SIGUSR1));
    int info[32]; /* siginfo_t: 128 bytes */
    CHECK_EQ(pt(GETSIGINFO, pid, 0, (unsigned long)info), 0);
    CHECK_EQ(info[0], SIGUSR1);
    /* resumed without it: the signal never happens */
    finish(pid, 7);
    const pid_t again = traced_child(do_nothing);
    kill(again, SIGUSR1);
    CHECK_EQ(pt(CONT, again, 0, 0), 0);
    CHECK_EQ(wait_for(again), STOPPED(SIGUSR1));
    CHECK_EQ(pt(CONT, again, 0, SIGTERM), 0); /* the tracer picks another */
    CHECK_KILLED(wait_for(again), SIGTERM);
    CHECK_ERRNO(pt(CONT, getpid(), 0, 65), ESRCH);
}

static void detach_lets_it_go(void) {
    const pid_t pid = traced_child(do_nothing);
    CHECK_ERRNO(pt(DETACH, pid, 0, 100), EIO); /* not a signal */
    CHECK_EQ(pt(DETACH, pid, 0, 0), 0);
    CHECK_EXITED(wait_for(pid), 7);
}

struct iov {
    void* base;
    size_t len;
};

static char remote_buffer[64] = "the child's own text";
static int wait_for_write(void) {
    for (int i = 0; i < 100000 && remote_buffer[0] != 'X'; i++) sched_yield();
    return remote_buffer[0] == 'X' ? 0 : 1;
}

static void process_vm_readv_and_writev(void) {
    const pid_t pid = fork();
    if (pid == 0) _exit(wait_for_write());
    char got[64] = {0};
    struct iov local[2] = {{got, 4}, {got + 4, 60}}, remote = {remote_buffer, 64};
    CHECK_EQ(syscall(SYS_process_vm_readv, pid, local, 2, &remote, 1, 0), 64);
    CHECK_EQ(strcmp(got, "the child's own text"), 0);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, local, 2, &remote, 1, 1), EINVAL);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, (void*)BAD_POINTER, 1, &remote, 1, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, local, 2, (void*)BAD_POINTER, 1, 0), EFAULT);
    struct iov bad_local = {(void*)BAD_POINTER, 8}, bad_remote = {(void*)8, 8};
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, &bad_local, 1, &remote, 1, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, local, 1, &bad_remote, 1, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, 999999, local, 1, &remote, 1, 0), ESRCH);
    CHECK_ERRNO(syscall(SYS_process_vm_readv, pid, local, 2000, &remote, 1, 0), EINVAL);
    /* a remote range that runs into nothing: the part before it */
    const char x = 'X';
    struct iov one = {(void*)&x, 1};
    CHECK_EQ(syscall(SYS_process_vm_writev, pid, &one, 1, &remote, 1, 0), 1);
    CHECK_EXITED(wait_for(pid), 0);
}

/* ---------------------------------------------------------------- gates */

#if defined(__x86_64__)
struct regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};
extern void gate_int80_64(struct regs*);
extern void gate_sysenter_64(struct regs*);
extern void gate_syscall_64(struct regs*);
extern void gate_vdso_64(struct regs*);
extern uint64_t gate_vsyscall64;
#else
struct regs {
    uint32_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rflags;
};
extern void gate_int80_32(struct regs*);
extern void gate_sysenter_32(struct regs*);
extern void gate_syscall_32(struct regs*);
extern void gate_vdso_32(struct regs*);
extern uint32_t gate_vsyscall32;
#endif

static void through(void (*gate)(struct regs*), long nr) {
    struct regs r;
    memset(&r, 0, sizeof r);
    r.rax = nr;
    r.rflags = 0x202;
    gate(&r);
}

/* One getppid() per gate this CPU offers (no probing: a probe would be a
 * fault in the trace). Intel: sysenter from both modes; AMD: syscall from
 * compatibility mode. */
static int gates(void) {
    const int intel = test_vendor() == SYSGATE_VENDOR_INTEL;
#if defined(__x86_64__)
    gate_vsyscall64 = (uint64_t)(uintptr_t)sysgate_vdso_symbol("__kernel_vsyscall");
    through(gate_int80_64, __NR32_getppid);
    through(gate_syscall_64, __NR64_getppid);
    if (intel) through(gate_sysenter_64, __NR64_getppid);
    through(gate_vdso_64, __NR64_getppid);
    /* the legacy vsyscall page: time(NULL) */
    long (*legacy_time)(long*) = (long (*)(long*))0xffffffffff600400ull;
    legacy_time(0);
#else
    gate_vsyscall32 = (uint32_t)getauxval(AT_SYSINFO);
    through(gate_int80_32, __NR32_getppid);
    if (intel)
        through(gate_sysenter_32, __NR32_getppid);
    else
        through(gate_syscall_32, __NR32_getppid);
    through(gate_vdso_32, __NR32_getppid);
#endif
    return 0;
}

/* `ptrace only WORD` runs the cases whose name has WORD in it. */
static const char* only;
static void run(const char* name, void (*fn)(void)) {
    if (!only || strstr(name, only)) test_run(name, fn);
}
#define test_run run

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "gates") == 0) return gates();
    if (argc > 2 && strcmp(argv[1], "only") == 0) only = argv[2];
    set_program(argv[0]);
    test_run("PEEK/POKE of data and text", peek_and_poke_memory);
    test_run("GETREGS, PEEKUSER, SETREGS, GETFPREGS of a stopped tracee", registers_of_a_stopped_tracee);
    test_run("syscall stops: the tracer changes the number and the result", syscall_stops_change_the_call);
    test_run("orig_ax -1 skips a call, which still has its exit stop", orig_ax_minus_one_skips_the_call);
    test_run("SYSEMU skips every call", sysemu_skips_every_call);
    test_run("PTRACE_GET_SYSCALL_INFO", syscall_info_describes_the_stop);
    test_run("bad pointers in every copy are EFAULT", bad_pointers_are_efault);
    test_run("PEEKUSER/POKEUSER offsets: EIO out of range or misaligned", user_area_offsets);
    test_run("ourselves, init, twice: EPERM; not our tracee: ESRCH", forbidden_tracees_are_eperm);
    test_run("hostile registers hurt only the tracee", hostile_registers_hurt_only_the_tracee);
    test_run("a watchpoint, and Linux's DR7 rules", watchpoints_and_dr7_rules);
    test_run("single steps", single_steps);
    test_run("fork and exit events", fork_exec_and_exit_events);
    test_run("exec event, or the classic SIGTRAP", exec_event_and_classic_sigtrap);
    test_run("SEIZE and INTERRUPT", seize_and_interrupt);
    test_run("signal-delivery stops", signals_stop_a_tracee_first);
    test_run("DETACH", detach_lets_it_go);
    test_run("process_vm_readv/writev", process_vm_readv_and_writev);
    return test_summary(sizeof(void*) == 8 ? "ptrace" : "ptrace32");
}
