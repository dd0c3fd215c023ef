/* Hostile user mode, class 3: the segment registers a context switch
 * restores.
 *
 * A program may load DS, ES, FS or GS with its own TLS selector
 * (set_thread_area) and then make the descriptor not present, or clear
 * it. Nothing checks the register until it is loaded again, which the
 * kernel does when it switches back to the program: a plain `mov` there
 * faults in ring 0. Linux loads user selectors with an exception fixup
 * (loadsegment() in arch/x86/include/asm/segment.h) that puts the null
 * selector in instead, so the program finds 0 in the register afterwards
 * (as it does after set_thread_area itself, which reloads the registers
 * that use the slot). DS and ES must also be kept per process: one
 * program's DS must not show up in another's. Built for 64- and 32-bit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

/* seg_sleep_REG(selector): loads REG with the selector, makes the
 * set_thread_area(&seg_desc) call and a nanosleep(&seg_sleep) (so the
 * kernel switches to another task and back), reads REG, puts its old
 * value back and returns what it read. Everything between the load and
 * the restore is in registers: in 32-bit code a null DS or ES would make
 * any memory access fault. Both calls go through int $0x80, whose
 * pointers are 32-bit, so their arguments are static. The results of the
 * two calls land in seg_results[0] and [1]. */
unsigned seg_sleep_ds(unsigned selector);
unsigned seg_sleep_es(unsigned selector);
unsigned seg_sleep_fs(unsigned selector);
unsigned seg_sleep_gs(unsigned selector);
struct tls_desc seg_desc;
int seg_results[2];
const int seg_sleep[2] = {0, 3 * 1000 * 1000}; /* struct timespec of i386: 3 ms */

#if defined(__x86_64__)
#define SEG_SLEEP(reg)                                                                                                 \
    ".globl seg_sleep_" #reg "\n"                                                                                      \
    "seg_sleep_" #reg ":\n"                                                                                            \
    "    push %rbx\n"                                                                                                  \
    "    push %r12\n"                                                                                                  \
    "    push %r13\n"                                                                                                  \
    "    mov %" #reg ", %r12d\n"                                                                                       \
    "    mov %di, %" #reg "\n"                                                                                         \
    "    mov $243, %eax\n"                                                                                             \
    "    mov $seg_desc, %ebx\n"                                                                                        \
    "    int $0x80\n"                                                                                                  \
    "    mov %eax, %r13d\n"                                                                                            \
    "    mov $162, %eax\n"                                                                                             \
    "    mov $seg_sleep, %ebx\n"                                                                                       \
    "    xor %ecx, %ecx\n"                                                                                             \
    "    int $0x80\n"                                                                                                  \
    "    mov %" #reg ", %edx\n"                                                                                        \
    "    mov %r12w, %" #reg "\n"                                                                                       \
    "    mov %r13d, seg_results(%rip)\n"                                                                               \
    "    mov %eax, seg_results+4(%rip)\n"                                                                              \
    "    movzwl %dx, %eax\n"                                                                                           \
    "    pop %r13\n"                                                                                                   \
    "    pop %r12\n"                                                                                                   \
    "    pop %rbx\n"                                                                                                   \
    "    ret\n"
#else
#define SEG_SLEEP(reg)                                                                                                 \
    ".globl seg_sleep_" #reg "\n"                                                                                      \
    "seg_sleep_" #reg ":\n"                                                                                            \
    "    push %ebx\n"                                                                                                  \
    "    push %esi\n"                                                                                                  \
    "    push %edi\n"                                                                                                  \
    "    mov 16(%esp), %edx\n"                                                                                         \
    "    mov %" #reg ", %esi\n"                                                                                        \
    "    mov %dx, %" #reg "\n"                                                                                         \
    "    mov $243, %eax\n"                                                                                             \
    "    mov $seg_desc, %ebx\n"                                                                                        \
    "    int $0x80\n"                                                                                                  \
    "    mov %eax, %edi\n"                                                                                             \
    "    mov $162, %eax\n"                                                                                             \
    "    mov $seg_sleep, %ebx\n"                                                                                       \
    "    xor %ecx, %ecx\n"                                                                                             \
    "    int $0x80\n"                                                                                                  \
    "    mov %" #reg ", %edx\n"                                                                                        \
    "    mov %si, %" #reg "\n"                                                                                         \
    "    mov %edi, seg_results\n"                                                                                      \
    "    mov %eax, seg_results+4\n"                                                                                    \
    "    movzwl %dx, %eax\n"                                                                                           \
    "    pop %edi\n"                                                                                                   \
    "    pop %esi\n"                                                                                                   \
    "    pop %ebx\n"                                                                                                   \
    "    ret\n"
#endif
__asm__(".text\n" SEG_SLEEP(ds) SEG_SLEEP(es) SEG_SLEEP(fs) SEG_SLEEP(gs));

enum reg { DS, ES, FS, GS };
static const char* const reg_names[] = {"DS", "ES", "FS", "GS"};
static unsigned (*const seg_sleep_fn[])(unsigned) = {seg_sleep_ds, seg_sleep_es, seg_sleep_fs, seg_sleep_gs};

static const char* state_name(enum tls_state s) {
    return s == TLS_ABSENT ? "made not present" : s == TLS_CLEARED ? "cleared" : "left present";
}

struct seg_case {
    enum reg reg;
    enum tls_state state;
};

static int seg_child(void* arg) {
    const struct seg_case* c = arg;
    const int entry = tls_new_flat();
    CHILD_CHECK(entry >= 9);
    if (entry < 0) return CHILD_FAILED;
    const unsigned sel = tls_selector((unsigned)entry);
    if (c->state == TLS_ABSENT && tls_absent_refused((unsigned)entry)) {
        dprintf(1, "    %s: set_thread_area refuses a not-present descriptor (EINVAL, as Linux)\n", reg_names[c->reg]);
        return 0;
    }
    tls_describe(&seg_desc, (unsigned)entry, c->state);
    const unsigned after = seg_sleep_fn[c->reg](sel);
    dprintf(1, "    %s = %#x, descriptor %s, a context switch: %s reads %#x\n", reg_names[c->reg], sel,
            state_name(c->state), reg_names[c->reg], after);
    CHILD_CHECK_EQ(seg_results[0], 0); /* set_thread_area */
    CHILD_CHECK_EQ(seg_results[1], 0); /* nanosleep */
    /* A present descriptor keeps the selector; a gone one leaves the null selector. */
    const unsigned want = c->state == TLS_PRESENT ? sel : 0;
    CHILD_CHECK_EQ(after, want);
    CHILD_CHECK(getppid() > 0); /* the program goes on */
    return 0;
}

static void run_seg_cases(enum reg first, enum reg last, enum tls_state state) {
    for (int r = (int)first; r <= (int)last; r++) {
        struct seg_case c = {(enum reg)r, state};
        CHECK_EXITED(run_child(seg_child, &c), 0);
    }
}

static void present_selectors_survive(void) {
    run_seg_cases(DS, GS, TLS_PRESENT);
}
static void ds_es_absent(void) {
    run_seg_cases(DS, ES, TLS_ABSENT);
}
static void ds_es_cleared(void) {
    run_seg_cases(DS, ES, TLS_CLEARED);
}
static void fs_absent(void) {
    run_seg_cases(FS, FS, TLS_ABSENT);
}
static void fs_cleared(void) {
    run_seg_cases(FS, FS, TLS_CLEARED);
}
static void gs_absent(void) {
    run_seg_cases(GS, GS, TLS_ABSENT);
}
static void gs_cleared(void) {
    run_seg_cases(GS, GS, TLS_CLEARED);
}

/* ---- DS and ES belong to each process */

static void load_ds_es(unsigned sel) {
    __asm__ volatile("mov %0, %%ds\n mov %0, %%es" ::"r"(sel) : "memory");
}

enum { SWITCHES = 20 };

/* The child loads its TLS selector (a flat data segment, so 32-bit code
 * keeps working) into DS and ES, then sleeps and checks it again, while
 * the parent does the same with its own values. */
static int own_ds_child(void* arg) {
    const int go_fd = *(const int*)arg;
    const int entry = tls_new_flat();
    CHILD_CHECK(entry >= 9);
    if (entry < 0) return CHILD_FAILED;
    const unsigned sel = tls_selector((unsigned)entry);
    load_ds_es(sel);
    CHILD_CHECK_EQ(write(go_fd, "g", 1), 1);
    int wrong = 0;
    for (int i = 0; i < SWITCHES; i++) {
        sleep_ms(1);
        if (read_ds() != sel || read_es() != sel) wrong++;
    }
    CHILD_CHECK_EQ(wrong, 0);
    return 0;
}

static void ds_and_es_are_per_process(void) {
    const unsigned ds = read_ds(), es = read_es();
    int go[2];
    CHECK_EQ(pipe(go), 0);
    const pid_t child = start_child(own_ds_child, &go[1]);
    char c;
    CHECK_EQ(read(go[0], &c, 1), 1); /* the child has loaded its selector */
    int wrong = 0;
    unsigned seen_ds = ds, seen_es = es;
    for (int i = 0; i < SWITCHES; i++) {
        sleep_ms(1);
        if (read_ds() != ds || read_es() != es) {
            if (!wrong) seen_ds = read_ds(), seen_es = read_es();
            wrong++;
        }
        load_ds_es(ds); /* put ours back, in case it was lost */
        __asm__ volatile("mov %0, %%es" ::"r"(es));
    }
    if (child > 0) CHECK_EXITED(reap(child), 0);
    close(go[0]);
    close(go[1]);
    if (wrong)
        test_note("our DS/ES (%#x/%#x) read %#x/%#x after a switch (%d of %d times)", ds, es, seen_ds, seen_es, wrong,
                  SWITCHES);
    CHECK_EQ(wrong, 0);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    /* Those that cannot crash today's kernel first. */
    hostile_run("TLS selectors in DS, ES, FS, GS survive a context switch", present_selectors_survive);
    hostile_run("DS and ES belong to each process", ds_and_es_are_per_process);
    hostile_run("DS, ES with a not-present descriptor (if allowed) read 0 after a switch", ds_es_absent);
    hostile_run("DS, ES with a cleared descriptor read 0 after a switch", ds_es_cleared);
    hostile_run("FS with a not-present descriptor (if allowed): reloaded as 0 at a switch", fs_absent);
    hostile_run("FS with a cleared descriptor: reloaded as 0 at a switch", fs_cleared);
    hostile_run("GS with a not-present descriptor (if allowed): reloaded as 0 at a switch", gs_absent);
    hostile_run("GS with a cleared descriptor: reloaded as 0 at a switch", gs_cleared);
    return test_summary(sizeof(void*) == 8 ? "hostile_segments" : "hostile_segments32");
}
