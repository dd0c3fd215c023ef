/* Hostile user mode, class 8: a flood of events must not flood the log.
 *
 * The kernel prints a line for each user fault ([fault] ...) and for each
 * unexpected interrupt ([trap] ...). Under heavy traffic with a fast timer
 * (Bochs then also delivers spurious IRQ 7s), thousands of such lines slow
 * the machine to a crawl. Here 8 processes make 1000 page faults in all,
 * at once, under a 2 kHz timer (or the fastest the CPU sustains, if
 * slower: Bochs's); each catches its own and checks it got
 * every one. What the log may show is checked by the boot case
 * hostile-flood (tests/boot/cases.py): after 10 messages of one kind in a
 * second, the kernel counts the rest and says so once, in a line ending
 * "N more messages suppressed", so far fewer [fault] lines than faults.
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

enum { FLOODERS = 8, FAULTS_EACH = 125 };

unsigned long flood_read(unsigned long address);
#if defined(__x86_64__)
__asm__(".text\n.globl flood_read\nflood_read:\n    mov (%rdi), %rax\n    ret\n");
#else
__asm__(".text\n.globl flood_read\nflood_read:\n    mov 4(%esp), %ecx\n    mov (%ecx), %eax\n    ret\n");
#endif

static jmp_buf recover;
static volatile int caught;
static void on_segv(int sig) {
    (void)sig;
    caught++;
    longjmp(recover, 1);
}

static int flooder(void* arg) {
    const int go_fd = ((const int*)arg)[0];
    close(((const int*)arg)[1]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    char c;
    while (read(go_fd, &c, 1) < 0 && errno == EINTR) {
    }
    for (volatile int i = 0; i < FAULTS_EACH; i++)
        if (setjmp(recover) == 0) flood_read(0x20ul + 8ul * (unsigned long)i);
    CHILD_CHECK_EQ(caught, FAULTS_EACH);
    return 0;
}

static int one_more_fault(void) {
    caught = 0;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old);
    if (setjmp(recover) == 0) flood_read(0x18);
    sigaction(SIGSEGV, &old, 0);
    return caught;
}

static void many_processes_fault_at_once(void) {
    int go[2];
    CHECK_EQ(pipe(go), 0);
    const long old_hz = set_timer_hz(2000);
    CHECK(old_hz > 0);
    const long hz = timer_hz();
    pid_t pids[FLOODERS];
    for (int i = 0; i < FLOODERS; i++) pids[i] = start_child(flooder, go);
    const uint64_t start = monotonic_ns();
    close(go[0]);
    close(go[1]); /* go */
    for (int i = 0; i < FLOODERS; i++)
        if (pids[i] > 0) CHECK_EXITED(reap(pids[i]), 0);
    const uint64_t ms = (monotonic_ns() - start) / 1000000;
    if (old_hz > 0) set_timer_hz(old_hz);
    test_note("%d processes took %d page faults each (SIGSEGV, handled) in %llu ms under a %ld Hz timer", FLOODERS,
              FAULTS_EACH, (unsigned long long)ms, hz);
    /* One more fault once a second has passed: a kernel that reports
     * what it suppressed when the next message comes says it now. */
    sleep_ms(1100);
    CHECK_EQ(one_more_fault(), 1);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    hostile_run("8 processes fault 1000 times at once; every fault is delivered", many_processes_fault_at_once);
    return test_summary(sizeof(void*) == 8 ? "hostile_flood" : "hostile_flood32");
}
