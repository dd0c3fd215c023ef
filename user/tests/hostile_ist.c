/* Hostile user mode, class 1: the kernel's work on the way back to user
 * mode (schedule(), signal delivery) must not run on an IST stack.
 *
 * #DB arrives on its own interrupt stack (IST), shared by every process.
 * A process that single-steps takes one #DB per instruction; if the kernel
 * switches it out while its frame lives on that stack, the next process's
 * #DB overwrites the frame. Several processes single-step thousands of
 * instructions at once under a fast timer, so they are pre-empted in the
 * middle; each must see exactly as many SIGTRAPs as it executes
 * instructions, and the kernel must survive. Built for 64- and 32-bit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

/* step_loop(n): sets TF with popf, runs `dec; jnz` n times, clears TF
 * with popf. With TF set, every instruction from the first dec to the
 * popf that clears TF traps once: 2n + 3 traps.
 *
 * on_trap, the SIGTRAP handler (SA_NODEFER), counts each trap. Outside a
 * handler (depth 0) it also single-steps its own first instructions: it
 * sets TF with popf, so the very first thing it does after the kernel
 * delivered the signal is to trap again. That is what makes the kernel's
 * return-to-user work run on the #DB stack with a reschedule pending: a
 * timer tick that lands while the kernel writes the signal frame (with
 * interrupts on) asks for a switch, and the next entry, the nested #DB,
 * performs it. The nested traps (5 per outer one: nop, nop, pushf, and,
 * popf) reach on_trap at depth 1, which only counts them. So one
 * step_loop(n) makes (2n + 3) * 6 traps. */
#define NESTED_TRAPS 5
void step_loop(unsigned n);
void on_trap(int sig);
extern volatile unsigned long traps;
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl step_loop\n"
        "step_loop:\n"
        "    mov %edi, %ecx\n"
        "    pushfq\n"
        "    orq $0x100, (%rsp)\n"
        "    popfq\n"
        "1:  dec %ecx\n"
        "    jnz 1b\n"
        "    pushfq\n"
        "    andq $~0x100, (%rsp)\n"
        "    popfq\n"
        "    ret\n"
        ".globl on_trap\n"
        "on_trap:\n"
        "    incq traps(%rip)\n"
        "    cmpl $0, trap_depth(%rip)\n"
        "    jne 2f\n"
        "    movl $1, trap_depth(%rip)\n"
        "    pushfq\n"
        "    orq $0x100, (%rsp)\n"
        "    popfq\n"
        "    nop\n"
        "    nop\n"
        "    pushfq\n"
        "    andq $~0x100, (%rsp)\n"
        "    popfq\n"
        "    movl $0, trap_depth(%rip)\n"
        "2:  ret\n"
        ".bss\n"
        ".globl traps\n"
        "traps: .quad 0\n"
        "trap_depth: .long 0\n"
        ".text\n");
#else
__asm__(".text\n"
        ".globl step_loop\n"
        "step_loop:\n"
        "    mov 4(%esp), %ecx\n"
        "    pushfl\n"
        "    orl $0x100, (%esp)\n"
        "    popfl\n"
        "1:  dec %ecx\n"
        "    jnz 1b\n"
        "    pushfl\n"
        "    andl $~0x100, (%esp)\n"
        "    popfl\n"
        "    ret\n"
        ".globl on_trap\n"
        "on_trap:\n"
        "    incl traps\n"
        "    cmpl $0, trap_depth\n"
        "    jne 2f\n"
        "    movl $1, trap_depth\n"
        "    pushfl\n"
        "    orl $0x100, (%esp)\n"
        "    popfl\n"
        "    nop\n"
        "    nop\n"
        "    pushfl\n"
        "    andl $~0x100, (%esp)\n"
        "    popfl\n"
        "    movl $0, trap_depth\n"
        "2:  ret\n"
        ".bss\n"
        ".globl traps\n"
        "traps: .long 0\n"
        "trap_depth: .long 0\n"
        ".text\n");
#endif

static unsigned long expected_traps(unsigned n) {
    return (2ul * n + 3) * (1 + NESTED_TRAPS);
}

static void install_trap_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_trap;
    sa.sa_flags = SA_NODEFER;
    CHECK_EQ(sigaction(SIGTRAP, &sa, 0), 0);
}

static unsigned long count_steps(unsigned n) {
    traps = 0;
    step_loop(n);
    return traps;
}

/* ---------------------------------------------------------------- cases */

static void one_process_steps_exactly(void) {
    install_trap_handler();
    const unsigned long a = count_steps(10), b = count_steps(100);
    test_note("single-stepping 10 and 100 loop iterations: %lu and %lu traps", a, b);
    CHECK_EQ(a, expected_traps(10));
    CHECK_EQ(b, expected_traps(100));
}

/* Each stepper repeats rounds of ITERATIONS until the time is up (at
 * least one): as many chances as the emulator's speed allows, in a time
 * that does not depend on it. */
enum { STEPPERS = 4, ITERATIONS = 100, HZ = 10000 };
#define STEPPING_NS (1500ull * 1000 * 1000)

/* A pipe nobody writes to: reading it returns 0 (end of file) once the
 * parent closes its write end, so every stepper starts at once. The
 * child's exit status is the number of rounds it made (at most 99). */
struct stepper {
    int go_fd, go_write_fd;
};

static int stepper(void* arg) {
    const struct stepper* s = arg;
    install_trap_handler();
    close(s->go_write_fd);
    char c;
    while (read(s->go_fd, &c, 1) < 0 && errno == EINTR) {
    }
    const uint64_t end = monotonic_ns() + STEPPING_NS;
    int rounds = 0, wrong = 0;
    do {
        const unsigned long got = count_steps(ITERATIONS);
        if (got != expected_traps(ITERATIONS)) {
            if (!wrong) CHILD_CHECK_EQ(got, expected_traps(ITERATIONS));
            wrong++;
        }
        rounds++;
    } while (monotonic_ns() < end && rounds < 98);
    if (wrong) dprintf(1, "    (child %d) %d of %d rounds miscounted\n", (int)getpid(), wrong, rounds);
    return rounds;
}

static void many_processes_step_under_a_fast_timer(void) {
    int go[2];
    CHECK_EQ(pipe(go), 0);
    const long old_hz = set_timer_hz(HZ);
    CHECK(old_hz > 0);
    const long hz = timer_hz();
    struct stepper s = {go[0], go[1]};
    pid_t pids[STEPPERS];
    for (int i = 0; i < STEPPERS; i++) pids[i] = start_child(stepper, &s);
    close(go[0]);
    close(go[1]); /* every stepper starts now */
    const uint64_t start = monotonic_ns();
    int rounds = 0;
    for (int i = 0; i < STEPPERS; i++) {
        if (pids[i] <= 0) continue;
        const int status = reap(pids[i]);
        if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) >= 1 && WEXITSTATUS(status) < CHILD_FAILED)
            rounds += WEXITSTATUS(status);
        else
            CHECK_EXITED(status, 1); /* a failed check, or killed: shows what happened */
    }
    const uint64_t ms = (monotonic_ns() - start) / 1000000;
    if (old_hz > 0) set_timer_hz(old_hz);
    test_note("%d processes took %d rounds of %lu SIGTRAPs in all at %ld Hz in %llu ms", STEPPERS, rounds,
              expected_traps(ITERATIONS), hz, (unsigned long long)ms);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    hostile_run("one process single-steps: one SIGTRAP per instruction", one_process_steps_exactly);
    hostile_run("several processes single-step at once under a fast timer", many_processes_step_under_a_fast_timer);
    return test_summary(sizeof(void*) == 8 ? "hostile_ist" : "hostile_ist32");
}
