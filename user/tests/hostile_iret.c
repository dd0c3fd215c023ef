/* Hostile user mode, class 2: a return to user mode that faults.
 *
 * A program loads SS with its own TLS descriptor (set_thread_area), then
 * makes that descriptor not present, or clears it, with a system call.
 * The return from that call reloads SS from the frame: iretq then raises
 * #SS (not present) or #GP (not a data segment) in ring 0, on the way
 * out. As on Linux (arch/x86/entry/entry_64.S and fixup_bad_iret in
 * arch/x86/kernel/traps.c), the fault must reach the program as a signal
 * at the address it was returning to, with the exception's trap number and
 * error code, as if its own instruction had faulted; never a kernel fault.
 *
 * syscall and sysenter return with sysret and sysexit, which load SS from
 * an MSR without looking at the descriptor, so those paths replace the
 * user's SS with the kernel's user data selector and nothing faults (as on
 * Linux, whose fast paths push __USER_DS as the saved SS). A signal
 * handler's return (rt_sigreturn) may either restore the saved SS and
 * fault the same way, or replace it: both are Linux behaviours (64-bit
 * Linux replaces an unusable SS unless UC_STRICT_RESTORE_SS is set; 32-bit
 * Linux restores it), but the kernel must survive either.
 *
 * Each case runs in a child process, so a fault kills only the child.
 * The other selector registers (DS, ES, FS, GS) are not loaded by iretq
 * in 64-bit mode; the kernel reloads them at a context switch: that is
 * hostile_segments. Built for 64- and 32-bit. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall_nr.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

#define TRAP_NP 11
#define TRAP_SS 12
#define TRAP_GP 13

/* ss_call_GATE(selector, desc, &ss_after): loads SS with `selector`,
 * makes the set_thread_area(desc) call through GATE, stores the SS it
 * came back with in *ss_after, restores the SS it had on entry, and
 * returns the call's result. ss_int80_return is the instruction after
 * int $0x80: where a faulting return must report the fault. */
typedef long (*ss_call_fn)(unsigned selector, struct tls_desc* desc, unsigned* ss_after);
long ss_call_int80(unsigned selector, struct tls_desc* desc, unsigned* ss_after);
long ss_call_syscall(unsigned selector, struct tls_desc* desc, unsigned* ss_after);
long ss_call_sysenter(unsigned selector, struct tls_desc* desc, unsigned* ss_after);
long ss_call_vdso(unsigned selector, struct tls_desc* desc, unsigned* ss_after);
/* ss_load(selector): mov to SS in user mode (the reference fault). */
void ss_load(unsigned selector);
/* ss_kill_self(selector, pid, sig): kill(pid, sig) through int $0x80
 * with SS = selector; restores SS afterwards. */
long ss_kill_self(unsigned selector, long pid, long sig);
extern char ss_int80_return[], ss_load_insn[], ss_kill_return[];

#if defined(__x86_64__)
extern uint64_t gate_vsyscall64; /* user/tests/lib/gates64.asm */
__asm__(".text\n"
        /* int $0x80 from 64-bit code: i386 number 243, pointer in ebx */
        ".globl ss_call_int80\n"
        "ss_call_int80:\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %ss, %r12d\n"
        "    mov %rdx, %r13\n"
        "    mov %rsi, %rbx\n"
        "    mov $243, %eax\n"
        "    mov %di, %ss\n"
        "    int $0x80\n"
        ".globl ss_int80_return\n"
        "ss_int80_return:\n"
        "    mov %ss, %ecx\n"
        "    mov %r12w, %ss\n"
        "    movzwl %cx, %ecx\n"
        "    mov %ecx, (%r13)\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    ret\n"
        /* syscall: x86_64 number 205, pointer in rdi */
        ".globl ss_call_syscall\n"
        "ss_call_syscall:\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %ss, %r12d\n"
        "    mov %rdx, %r13\n"
        "    mov %edi, %r8d\n"
        "    mov %rsi, %rdi\n"
        "    mov $205, %eax\n"
        "    mov %r8w, %ss\n"
        "    syscall\n"
        "    mov %ss, %ecx\n"
        "    mov %r12w, %ss\n"
        "    movzwl %cx, %ecx\n"
        "    mov %ecx, (%r13)\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    ret\n"
        /* sysenter from 64-bit code (Intel), the vDSO's protocol: rdx and
         * rbp pushed, the stack pointer in rbp; the kernel returns to the
         * vDSO's landing pad, which pops them and returns to our call. */
        ".globl ss_call_sysenter\n"
        "ss_call_sysenter:\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    mov %ss, %r12d\n"
        "    mov %rdx, %r13\n"
        "    mov %edi, %r8d\n"
        "    mov %rsi, %rdi\n"
        "    mov $205, %eax\n"
        "    mov %r8w, %ss\n"
        "    call 1f\n"
        "    jmp 2f\n"
        "1:  push %rdx\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    sysenter\n"
        "2:  mov %ss, %ecx\n"
        "    mov %r12w, %ss\n"
        "    movzwl %cx, %ecx\n"
        "    mov %ecx, (%r13)\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    ret\n"
        /* __kernel_vsyscall: x86_64 number, pointer in rdi */
        ".globl ss_call_vdso\n"
        "ss_call_vdso:\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    mov %ss, %r12d\n"
        "    mov %rdx, %r13\n"
        "    mov %edi, %r8d\n"
        "    mov %rsi, %rdi\n"
        "    mov $205, %eax\n"
        "    mov %r8w, %ss\n"
        "    call *gate_vsyscall64(%rip)\n"
        "    mov %ss, %ecx\n"
        "    mov %r12w, %ss\n"
        "    movzwl %cx, %ecx\n"
        "    mov %ecx, (%r13)\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    ret\n"
        ".globl ss_load\n"
        "ss_load:\n"
        ".globl ss_load_insn\n"
        "ss_load_insn:\n"
        "    mov %di, %ss\n"
        "    ret\n"
        /* kill through int $0x80 (i386 number 37: ebx pid, ecx signal) */
        ".globl ss_kill_self\n"
        "ss_kill_self:\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    mov %ss, %r12d\n"
        "    mov %rsi, %rbx\n"
        "    mov %rdx, %rcx\n"
        "    mov $37, %eax\n"
        "    mov %di, %ss\n"
        "    int $0x80\n"
        ".globl ss_kill_return\n"
        "ss_kill_return:\n"
        "    mov %r12w, %ss\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    ret\n");
#else
extern uint32_t gate_vsyscall32; /* user/tests/lib/gates32.asm */
/* Each: esi keeps the SS to restore, edi the ss_after pointer (both
 * preserved by every gate). Arguments at 20(%esp) after four pushes. */
#define SS_CALL32(name, gate)                                                                                          \
    ".globl " name "\n" name ":\n"                                                                                     \
    "    push %ebx\n"                                                                                                  \
    "    push %esi\n"                                                                                                  \
    "    push %edi\n"                                                                                                  \
    "    push %ebp\n"                                                                                                  \
    "    mov %ss, %esi\n"                                                                                              \
    "    mov 28(%esp), %edi\n"                                                                                         \
    "    mov 24(%esp), %ebx\n"                                                                                         \
    "    mov 20(%esp), %edx\n"                                                                                         \
    "    mov $243, %eax\n"                                                                                             \
    "    mov %dx, %ss\n" gate "    mov %ss, %ecx\n"                                                                    \
    "    mov %si, %ss\n"                                                                                               \
    "    movzwl %cx, %ecx\n"                                                                                           \
    "    mov %ecx, (%edi)\n"                                                                                           \
    "    pop %ebp\n"                                                                                                   \
    "    pop %edi\n"                                                                                                   \
    "    pop %esi\n"                                                                                                   \
    "    pop %ebx\n"                                                                                                   \
    "    ret\n"
__asm__(".text\n" SS_CALL32("ss_call_int80", "    int $0x80\n"
                                             ".globl ss_int80_return\n"
                                             "ss_int80_return:\n")
            SS_CALL32("ss_call_vdso", "    call *gate_vsyscall32\n")
        /* bare sysenter (Intel): ecx, edx, ebp pushed, esp in ebp */
        SS_CALL32("ss_call_sysenter", "    call 1f\n"
                                      "    jmp 2f\n"
                                      "1:  push %ecx\n"
                                      "    push %edx\n"
                                      "    push %ebp\n"
                                      "    mov %esp, %ebp\n"
                                      "    sysenter\n"
                                      "2:\n")
        /* bare compat-mode syscall (AMD): ecx travels in ebp */
        SS_CALL32("ss_call_syscall", "    push %ebp\n"
                                     "    mov %ecx, %ebp\n"
                                     "    syscall\n"
                                     "    mov %ebp, %ecx\n"
                                     "    pop %ebp\n") ".globl ss_load\n"
                                                       "ss_load:\n"
                                                       "    mov 4(%esp), %eax\n"
                                                       ".globl ss_load_insn\n"
                                                       "ss_load_insn:\n"
                                                       "    mov %ax, %ss\n"
                                                       "    ret\n"
                                                       ".globl ss_kill_self\n"
                                                       "ss_kill_self:\n"
                                                       "    push %ebx\n"
                                                       "    push %esi\n"
                                                       "    mov %ss, %esi\n"
                                                       "    mov 12(%esp), %edx\n"
                                                       "    mov 16(%esp), %ebx\n"
                                                       "    mov 20(%esp), %ecx\n"
                                                       "    mov $37, %eax\n"
                                                       "    mov %dx, %ss\n"
                                                       "    int $0x80\n"
                                                       ".globl ss_kill_return\n"
                                                       "ss_kill_return:\n"
                                                       "    mov %si, %ss\n"
                                                       "    pop %esi\n"
                                                       "    pop %ebx\n"
                                                       "    ret\n");
#endif

/* ---------------------------------------------------------------- catching the fault */

struct caught {
    int signo;
    unsigned long ip, trapno, err, addr;
};
static volatile struct caught caught;
static void forget_caught(void) {
    caught.signo = 0;
    caught.ip = caught.trapno = caught.err = caught.addr = 0;
}
static jmp_buf recover;

static void on_fault(int sig, siginfo_t* info, void* uc) {
    caught.signo = sig;
    caught.ip = uc_get(uc, UC_IP);
    caught.trapno = uc_get(uc, UC_TRAPNO);
    caught.err = uc_get(uc, UC_ERR);
    caught.addr = (unsigned long)info->si_addr;
    longjmp(recover, 1);
}

/* Each returns 1 if the call ended in a caught fault (in `caught`). */
static int try_ss_call(ss_call_fn fn, unsigned sel, struct tls_desc* d, unsigned* ss_after, long* result) {
    forget_caught();
    if (setjmp(recover)) return 1;
    *result = fn(sel, d, ss_after);
    return 0;
}
static int try_ss_load(unsigned sel) {
    forget_caught();
    if (setjmp(recover)) return 1;
    ss_load(sel);
    return 0;
}
static int try_kill_self(unsigned sel, long* result) {
    forget_caught();
    if (setjmp(recover)) return 1;
    *result = ss_kill_self(sel, getpid(), SIGUSR1);
    return 0;
}

static void catch_faults(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGBUS, &sa, 0);
    sigaction(SIGILL, &sa, 0);
}

static const char* state_name(enum tls_state s) {
    return s == TLS_ABSENT ? "not present" : s == TLS_CLEARED ? "cleared" : "present";
}

/* The signal the kernel sends for the fault a ring-3 `mov` to SS raises
 * with this descriptor state (Linux: SIGBUS for #SS, SIGSEGV for #GP;
 * the kernel may map #SS to SIGSEGV instead; the faulting iretq must
 * give the program the same signal as its own instruction would). */
static int reference_signal(unsigned entry, enum tls_state state, unsigned long* trapno) {
    CHILD_CHECK_EQ(tls_set_state(entry, state), 0);
    CHILD_CHECK_EQ(try_ss_load(tls_selector(entry)), 1);
    CHILD_CHECK_EQ(caught.ip, (unsigned long)ss_load_insn);
    *trapno = caught.trapno;
    CHILD_CHECK_EQ(tls_set_state(entry, TLS_PRESENT), 0);
    return caught.signo;
}

/* The exception an iretq raises for the SS descriptor: #GP(selector) if
 * it is no writable data segment; if it is not present, #NP(selector) in
 * the SDM's list of IRET's exceptions and in QEMU, #SS(selector) in the
 * SDM's pseudo-code: either is accepted. */
static void check_trap(unsigned long trapno, enum tls_state state) {
    if (state == TLS_ABSENT)
        CHILD_CHECK(trapno == TRAP_NP || trapno == TRAP_SS);
    else
        CHILD_CHECK_EQ(trapno, TRAP_GP);
}

/* ---------------------------------------------------------------- the cases */

enum gate { INT80, SYSCALL, SYSENTER, VDSO };
static const char* const gate_names[] = {"int $0x80", "syscall", "sysenter", "__kernel_vsyscall"};
static const ss_call_fn gate_calls[] = {ss_call_int80, ss_call_syscall, ss_call_sysenter, ss_call_vdso};

/* Whether this CPU offers the bare gate to this program's bitness (the
 * vendor rules: 64-bit sysenter and 32-bit sysenter on Intel only,
 * compat-mode syscall on AMD only). */
static int gate_offered(enum gate g) {
    const int intel = test_vendor() == SYSGATE_VENDOR_INTEL;
    if (g == SYSENTER) return intel;
#if !defined(__x86_64__)
    if (g == SYSCALL) return !intel;
#endif
    return 1;
}

struct ss_case {
    enum gate gate;
    enum tls_state state;
};

/* The descriptor for the call: static, so that int $0x80 from 64-bit
 * code, which sees only the low 32 bits of a pointer, can read it. */
static struct tls_desc call_desc;

static int ss_return_child(void* arg) {
    const struct ss_case* c = arg;
    catch_faults();
    const unsigned user_ds = read_ss();
    const int entry = tls_new_flat();
    CHILD_CHECK(entry >= 9);
    if (entry < 0) return CHILD_FAILED;
    const unsigned sel = tls_selector((unsigned)entry);
    if (c->state == TLS_ABSENT && tls_absent_refused((unsigned)entry)) {
        dprintf(1, "    %s, descriptor not present: set_thread_area refuses such a descriptor (EINVAL, as Linux)\n",
                gate_names[c->gate]);
        return 0;
    }
    unsigned long want_trap = 0;
    const int want_sig = reference_signal((unsigned)entry, c->state, &want_trap);
    CHILD_CHECK(want_sig == SIGSEGV || want_sig == SIGBUS);
    CHILD_CHECK_EQ(want_trap, c->state == TLS_ABSENT ? TRAP_SS : TRAP_GP);

    /* The SS this gate returns with after a harmless call (the program's
     * own SS in, the descriptor left present): sysexitq, for one, loads
     * its own selector. */
    unsigned normal_ss = 0, ss_after = 0;
    long result = -1;
    tls_describe(&call_desc, (unsigned)entry, TLS_PRESENT);
    CHILD_CHECK_EQ(try_ss_call(gate_calls[c->gate], user_ds, &call_desc, &normal_ss, &result), 0);
    CHILD_CHECK_EQ(result, 0);

    tls_describe(&call_desc, (unsigned)entry, c->state);
    result = -1;
    try_ss_call(gate_calls[c->gate], sel, &call_desc, &ss_after, &result);
    if (c->gate == INT80) {
        /* iretq reloads the selector: the fault, reported at the return address. */
        dprintf(1, "    %s, descriptor %s: %s %d, trap %lu, error %#lx at %#lx\n", gate_names[c->gate],
                state_name(c->state), caught.signo ? "signal" : "no signal; returned",
                caught.signo ? caught.signo : (int)result, caught.trapno, caught.err, caught.ip);
        CHILD_CHECK_EQ(caught.signo, want_sig);
        check_trap(caught.trapno, c->state);
        CHILD_CHECK_EQ(caught.err, sel & ~3u); /* #NP/#SS(selector), #GP(selector) */
        CHILD_CHECK_EQ(caught.ip, (unsigned long)ss_int80_return);
        CHILD_CHECK_EQ(caught.addr, 0);
    } else {
        /* sysret / sysexit load the selector their MSR names. */
        dprintf(1, "    %s, descriptor %s: returned %ld with SS %#x (%#x after a harmless call), signal %d\n",
                gate_names[c->gate], state_name(c->state), result, ss_after, normal_ss, caught.signo);
        CHILD_CHECK_EQ(caught.signo, 0);
        CHILD_CHECK_EQ(result, 0);
        CHILD_CHECK_EQ(ss_after, normal_ss);
        CHILD_CHECK(ss_after != sel);
    }
    /* The program goes on normally afterwards. */
    CHILD_CHECK_EQ(read_ss(), user_ds);
    CHILD_CHECK(getppid() > 0);
    return 0;
}

static void run_ss_case(enum gate g, enum tls_state state) {
    if (!gate_offered(g)) {
        test_note("%s: not offered to %d-bit code by this CPU", gate_names[g], (int)sizeof(void*) * 8);
        return;
    }
    struct ss_case c = {g, state};
    CHECK_EXITED(run_child(ss_return_child, &c), 0);
}

static void fast_returns_replace_ss(void) {
    for (int g = SYSCALL; g <= VDSO; g++) {
        run_ss_case((enum gate)g, TLS_CLEARED);
        run_ss_case((enum gate)g, TLS_ABSENT);
    }
}

static void iret_with_absent_ss(void) {
    run_ss_case(INT80, TLS_ABSENT);
}

static void iret_with_cleared_ss(void) {
    run_ss_case(INT80, TLS_CLEARED);
}

/* ---- rt_sigreturn with the saved SS gone */

static volatile int sig_entry;
static void on_usr1_invalidate(int sig, siginfo_t* info, void* uc) {
    (void)sig, (void)info, (void)uc;
    tls_set_state((unsigned)sig_entry, TLS_CLEARED);
}

static int sigreturn_child(void* arg) {
    (void)arg;
    catch_faults();
    const unsigned user_ds = read_ss();
    sig_entry = tls_new_flat();
    CHILD_CHECK(sig_entry >= 9);
    if (sig_entry < 0) return CHILD_FAILED;
    unsigned long want_trap = 0;
    const int want_sig = reference_signal((unsigned)sig_entry, TLS_CLEARED, &want_trap);
    (void)want_trap;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1_invalidate;
    sa.sa_flags = SA_SIGINFO;
    CHILD_CHECK_EQ(sigaction(SIGUSR1, &sa, 0), 0);
    long r = -1;
    /* The handler runs on the way out of kill, with the saved SS =
     * the TLS selector, clears the descriptor and returns. */
    try_kill_self(tls_selector((unsigned)sig_entry), &r);
    if (caught.signo) {
        dprintf(1, "    rt_sigreturn restored the saved SS: signal %d, trap %lu at %#lx\n", caught.signo, caught.trapno,
                caught.ip);
        CHILD_CHECK_EQ(caught.signo, want_sig);
        check_trap(caught.trapno, TLS_CLEARED);
        CHILD_CHECK_EQ(caught.ip, (unsigned long)ss_kill_return);
    } else {
        dprintf(1, "    rt_sigreturn replaced the saved SS: kill returned %ld\n", r);
        CHILD_CHECK_EQ(r, 0);
    }
    CHILD_CHECK_EQ(read_ss(), user_ds);
    return 0;
}

static void sigreturn_with_absent_ss(void) {
    CHECK_EXITED(run_child(sigreturn_child, 0), 0);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
#if defined(__x86_64__)
    gate_vsyscall64 = (uint64_t)(uintptr_t)sysgate_vdso_symbol("__kernel_vsyscall");
#else
    gate_vsyscall32 = (uint32_t)getauxval(AT_SYSINFO);
#endif
    /* The cases that cannot crash today's kernel first. */
    hostile_run("sysret and sysexit replace an SS whose descriptor is gone", fast_returns_replace_ss);
    hostile_run("rt_sigreturn to a saved SS whose descriptor is gone", sigreturn_with_absent_ss);
    hostile_run("iretq to a not-present SS: the program gets the #NP or #SS (or no such SS)", iret_with_absent_ss);
    hostile_run("iretq to a cleared SS descriptor: the program gets the #GP", iret_with_cleared_ss);
    return test_summary(sizeof(void*) == 8 ? "hostile_iret" : "hostile_iret32");
}
