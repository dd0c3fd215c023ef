/* Hostile user mode, class 5: the details of a fault belong to the
 * process that faulted, and to that fault's signal only.
 *
 * A fault's address, trap number and error code reach its handler in
 * siginfo (si_addr) and in the ucontext (cr2, trapno, err). They must not
 * be kept in one place for all processes: the kernel may switch to another
 * process between a fault and the delivery of its signal, and a process
 * killed by its fault never collects them. A signal that is not a fault
 * (kill) carries none: si_addr 0, trapno, err and cr2 0 (Linux clears
 * them: force_sig_fault fills si_addr only for faults, and the sigcontext
 * takes the thread's trap_nr/error_code/cr2, which only a fault sets).
 * Built for 64- and 32-bit. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

#define TRAP_PF 14
#define PF_USER 4 /* error code: a user-mode read of a page that is not present */

/* fault_read(address): reads a word there (fault_read_insn faults). */
unsigned long fault_read(unsigned long address);
extern char fault_read_insn[];
#if defined(__x86_64__)
__asm__(".text\n.globl fault_read\nfault_read:\n.globl fault_read_insn\nfault_read_insn:\n"
        "    mov (%rdi), %rax\n    ret\n");
#else
__asm__(".text\n.globl fault_read\nfault_read:\n    mov 4(%esp), %ecx\n.globl fault_read_insn\nfault_read_insn:\n"
        "    mov (%ecx), %eax\n    ret\n");
#endif

/* Unmapped addresses, different for each process of a test. */
static unsigned long fault_address(int who) {
    return 0x1000ul * (unsigned long)(16 + who) + 0x10ul * (unsigned long)(who + 1);
}

struct details {
    int signo;
    unsigned long addr, cr2, trapno, err, ip;
};

static void read_details(struct details* d, int sig, const siginfo_t* info, const void* uc) {
    d->signo = sig;
    d->addr = (unsigned long)info->si_addr;
    d->cr2 = uc_get(uc, UC_CR2);
    d->trapno = uc_get(uc, UC_TRAPNO);
    d->err = uc_get(uc, UC_ERR);
    d->ip = uc_get(uc, UC_IP);
}

static void install(int sig, void (*fn)(int, siginfo_t*, void*), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, 0);
}

/* ---- a kill() signal carries no fault details */

static volatile struct details usr1;
static void on_usr1(int sig, siginfo_t* info, void* uc) {
    struct details d;
    read_details(&d, sig, info, uc);
    usr1.signo = d.signo, usr1.addr = d.addr, usr1.cr2 = d.cr2, usr1.trapno = d.trapno, usr1.err = d.err;
}

static void expect_no_details(const char* after) {
    memset((void*)&usr1, 0, sizeof usr1);
    install(SIGUSR1, on_usr1, 0);
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(usr1.signo, SIGUSR1);
    if (usr1.addr || usr1.cr2 || usr1.trapno || usr1.err)
        test_note("SIGUSR1 from kill, %s: si_addr %#lx, cr2 %#lx, trapno %lu, err %#lx", after, usr1.addr, usr1.cr2,
                  usr1.trapno, usr1.err);
    CHECK_EQ(usr1.addr, 0);
    CHECK_EQ(usr1.cr2, 0);
    CHECK_EQ(usr1.trapno, 0);
    CHECK_EQ(usr1.err, 0);
    signal(SIGUSR1, SIG_DFL);
}

static int die_of_a_fault(void* arg) {
    (void)arg;
    fault_read(fault_address(7)); /* SIG_DFL: the process dies of it */
    return 0;
}

static void kill_signal_after_another_process_died_of_a_fault(void) {
    expect_no_details("before anything");
    const int status = run_child(die_of_a_fault, 0);
    CHECK_KILLED(status, SIGSEGV);
    char after[64];
    snprintf(after, sizeof after, "after a child died of a page fault at %#lx", fault_address(7));
    expect_no_details(after);
}

static jmp_buf own_recover;
static volatile struct details own;
static void on_own_fault(int sig, siginfo_t* info, void* uc) {
    struct details d;
    read_details(&d, sig, info, uc);
    own.signo = d.signo, own.addr = d.addr, own.cr2 = d.cr2, own.trapno = d.trapno, own.err = d.err, own.ip = d.ip;
    longjmp(own_recover, 1);
}
static void fault_once(unsigned long address) {
    if (setjmp(own_recover) == 0) fault_read(address);
}

static void kill_signal_after_own_handled_fault(void) {
    install(SIGSEGV, on_own_fault, SA_NODEFER);
    fault_once(fault_address(3));
    signal(SIGSEGV, SIG_DFL);
    CHECK_EQ(own.signo, SIGSEGV);
    CHECK_EQ(own.addr, fault_address(3));
    CHECK_EQ(own.cr2, fault_address(3));
    CHECK_EQ(own.trapno, TRAP_PF);
    CHECK_EQ(own.err, PF_USER);
    CHECK_EQ(own.ip, (unsigned long)fault_read_insn);
    expect_no_details("after our own handled page fault");
}

/* ---- several processes fault at once, each at its own address */

enum { FAULTERS = 3, FAULTS = 150 };

static jmp_buf recover;
static volatile int which;
static volatile int wrong, delivered;
static volatile struct details first_wrong;

static void on_fault(int sig, siginfo_t* info, void* uc) {
    struct details d;
    read_details(&d, sig, info, uc);
    const unsigned long a = fault_address(which);
    delivered++;
    if (d.addr != a || d.cr2 != a || d.trapno != TRAP_PF || d.err != PF_USER ||
        d.ip != (unsigned long)fault_read_insn) {
        if (!wrong++)
            first_wrong.addr = d.addr, first_wrong.cr2 = d.cr2, first_wrong.trapno = d.trapno, first_wrong.err = d.err;
    }
    /* Back to the loop without a system call (longjmp, not rt_sigreturn):
     * the next fault then follows the delivery at once. */
    longjmp(recover, 1);
}

static void fault_many(int who) {
    for (volatile int i = 0; i < FAULTS; i++)
        if (setjmp(recover) == 0) fault_read(fault_address(who));
}

static int faulter(void* arg) {
    which = *(const int*)arg;
    install(SIGSEGV, on_fault, SA_NODEFER);
    fault_many(which);
    if (wrong)
        dprintf(1,
                "    (child %d) %d of %d faults at %#lx arrived with another's details: si_addr %#lx cr2 %#lx "
                "trapno %lu err %#lx\n",
                (int)getpid(), wrong, delivered, fault_address(which), first_wrong.addr, first_wrong.cr2,
                first_wrong.trapno, first_wrong.err);
    CHILD_CHECK_EQ(delivered, FAULTS);
    CHILD_CHECK_EQ(wrong, 0);
    return 0;
}

/* Takes SIGUSR1s from the parent while the others fault; none may carry
 * a fault's details. */
static volatile int usr1_seen, usr1_wrong;
static volatile unsigned long usr1_wrong_addr, usr1_wrong_trap;
static void on_usr1_count(int sig, siginfo_t* info, void* uc) {
    struct details d;
    read_details(&d, sig, info, uc);
    usr1_seen++;
    if (d.addr || d.cr2 || d.trapno || d.err) {
        if (!usr1_wrong++) usr1_wrong_addr = d.addr, usr1_wrong_trap = d.trapno;
    }
}
static volatile int stop;
static void on_usr2_stop(int sig) {
    (void)sig;
    stop = 1;
}
static int receiver(void* arg) {
    const int ready_fd = *(const int*)arg;
    install(SIGUSR1, on_usr1_count, SA_NODEFER);
    signal(SIGUSR2, on_usr2_stop);
    CHILD_CHECK_EQ(write(ready_fd, "r", 1), 1);
    while (!stop) { /* user mode only: signals arrive on interrupts */
    }
    if (usr1_wrong)
        dprintf(1, "    (child %d) %d of %d SIGUSR1s carried fault details: si_addr %#lx trapno %lu\n", (int)getpid(),
                usr1_wrong, usr1_seen, usr1_wrong_addr, usr1_wrong_trap);
    CHILD_CHECK_EQ(usr1_wrong, 0);
    return 0;
}

static void faults_of_several_processes_stay_apart(void) {
    const long old_hz = set_timer_hz(10000);
    CHECK(old_hz > 0);
    const long hz = timer_hz();
    int ready[2];
    CHECK_EQ(pipe(ready), 0);
    const pid_t recv = start_child(receiver, &ready[1]);
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    int who[FAULTERS];
    pid_t pids[FAULTERS];
    for (int i = 0; i < FAULTERS; i++) {
        who[i] = i;
        pids[i] = start_child(faulter, &who[i]);
    }
    /* Signals for the receiver while the faulters run. */
    int sent = 0;
    for (int live = FAULTERS; live > 0;) {
        if (recv > 0 && kill(recv, SIGUSR1) == 0) sent++;
        live = 0;
        for (int i = 0; i < FAULTERS; i++) {
            if (pids[i] <= 0) continue;
            int status;
            const pid_t r = waitpid(pids[i], &status, WNOHANG);
            if (r == pids[i]) {
                CHECK_EXITED(status, 0);
                pids[i] = 0;
            } else {
                live++;
            }
        }
        sleep_ms(1);
    }
    if (recv > 0) {
        kill(recv, SIGUSR2);
        CHECK_EXITED(reap(recv), 0);
    }
    close(ready[0]);
    close(ready[1]);
    if (old_hz > 0) set_timer_hz(old_hz);
    test_note("%d processes made %d page faults each at %ld Hz; %d SIGUSR1s sent to a bystander", FAULTERS, FAULTS, hz,
              sent);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    hostile_run("a handled fault's details reach its handler; a later kill() has none",
                kill_signal_after_own_handled_fault);
    hostile_run("a kill() after another process died of a fault carries no details",
                kill_signal_after_another_process_died_of_a_fault);
    hostile_run("processes faulting at once under a fast timer each see their own fault's details",
                faults_of_several_processes_stay_apart);
    return test_summary(sizeof(void*) == 8 ? "hostile_faultinfo" : "hostile_faultinfo32");
}
