/* Threads: clone with pthread_create's flags, thread groups (getpid and
 * gettid, exit and exit_group, signals to a process and to one task,
 * execve from a thread, a leader that ends first), futexes, robust lists
 * and CLONE_SETTLS. Raw system calls only: Sysgate's libc has no pthreads
 * (a static glibc program covers them: tests/boot/glibc/). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
/* glibc's pthread_create, less CLONE_SETTLS. */
#define THREAD_FLAGS                                                                                                   \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |          \
     CLONE_CHILD_CLEARTID)

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u

#define STACK_SIZE 16384
static char stacks[4][STACK_SIZE] __attribute__((aligned(16)));
static void* stack_top(int i) {
    return stacks[i] + STACK_SIZE;
}

static long futex(volatile int* word, int op, int value, const struct timespec* timeout, volatile int* word2,
                  int value3) {
    return syscall(SYS_futex, word, op, value, timeout, word2, value3);
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
    }
}

/* Waits until the kernel clears *tid (CLONE_CHILD_CLEARTID) and wakes us:
 * what pthread_join does. */
static void join(volatile int* tid) {
    for (int value; (value = *tid) != 0;) futex(tid, FUTEX_WAIT, value, 0, 0, 0);
}

static long start_thread(int slot, volatile int* tid, int (*fn)(void*), void* arg) {
    *tid = -1;
    return test_clone(THREAD_FLAGS, stack_top(slot), (int*)tid, (int*)tid, fn, arg);
}

/* ---------------------------------------------------------------- identity */

struct identity {
    volatile long pid, tid, ppid;
    volatile int shared;
};

static int report_identity(void* arg) {
    struct identity* id = arg;
    id->pid = getpid();
    id->tid = gettid();
    id->ppid = getppid();
    id->shared = 42;
    return 0;
}

static void a_thread_shares_the_process(void) {
    struct identity id = {0, 0, 0, 0};
    static volatile int tid;
    const long t = start_thread(0, &tid, report_identity, &id);
    CHECK(t > 0);
    if (t <= 0) return;
    join(&tid);                 /* CLONE_CHILD_CLEARTID: 0 and a wake-up at its end */
    CHECK_EQ(id.shared, 42);    /* one memory */
    CHECK_EQ(id.pid, getpid()); /* one process */
    CHECK_EQ(id.tid, t);        /* its own task id, which clone returned... */
    CHECK(id.tid != getpid());
    CHECK_EQ(id.ppid, getppid());                 /* ...and the process's parent */
    CHECK_ERRNO(waitpid(-1, 0, WNOHANG), ECHILD); /* a thread is not a child */
    CHECK_EQ(gettid(), getpid());                 /* the leader's tid is the pid */
}

static void thread_flags_follow_linuxs_rules(void) {
    CHECK_EQ(test_clone(CLONE_VM | CLONE_THREAD | SIGCHLD, stack_top(0), 0, 0, report_identity, 0), -EINVAL);
    CHECK_EQ(test_clone(CLONE_SIGHAND | SIGCHLD, stack_top(0), 0, 0, report_identity, 0), -EINVAL);
    CHECK_EQ(test_clone(CLONE_VM | 0x20000000 /*CLONE_NEWUTS*/ | SIGCHLD, stack_top(0), 0, 0, report_identity, 0),
             -EINVAL);
    CHECK_ERRNO(waitpid(-1, 0, WNOHANG), ECHILD); /* nothing was created */
}

/* ---------------------------------------------------------------- futex */

static volatile int futex_word;

static int wake_later(void* arg) {
    (void)arg;
    sleep_ms(20);
    futex_word = 1;
    return futex(&futex_word, FUTEX_WAKE, 1, 0, 0, 0) == 1 ? 0 : 1;
}

static void futex_wait_and_wake(void) {
    futex_word = 5;
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT, 6, 0, 0, 0), EAGAIN); /* the word is not what we expect */
    struct timespec short_wait = {0, 20 * 1000000};
    const uint64_t start = monotonic_ns();
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &short_wait, 0, 0), ETIMEDOUT);
    CHECK(monotonic_ns() - start >= 15 * 1000000ull);
    CHECK_EQ(futex(&futex_word, FUTEX_WAKE, 10, 0, 0, 0), 0); /* nobody sleeps */
    CHECK_ERRNO(futex((volatile int*)UNMAPPED_ADDRESS, FUTEX_WAIT, 0, 0, 0, 0), EFAULT);
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT_BITSET, 5, 0, 0, 0), EINVAL); /* an empty bitset */
    struct timespec bad = {0, 2000000000};
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT, 5, &bad, 0, 0), EINVAL);

    /* A sleeper woken by another task. */
    static volatile int tid;
    futex_word = 0;
    CHECK(start_thread(0, &tid, wake_later, 0) > 0);
    while (futex_word == 0) futex(&futex_word, FUTEX_WAIT, 0, 0, 0, 0);
    CHECK_EQ(futex_word, 1);
    join(&tid);
}

/* FUTEX_WAKE with a count of 0 still wakes one sleeper, as on Linux
 * (Linux's fsgsbase selftest hands work between threads that way). */
static int wake_with_zero(void* arg) {
    (void)arg;
    sleep_ms(20);
    futex_word = 1;
    return futex(&futex_word, FUTEX_WAKE, 0, 0, 0, 0) == 1 ? 0 : 1;
}

static void futex_wake_zero_wakes_one(void) {
    static volatile int tid;
    futex_word = 0;
    CHECK(start_thread(0, &tid, wake_with_zero, 0) > 0);
    const uint64_t start = monotonic_ns();
    while (futex_word == 0 && monotonic_ns() - start < 5000000000ull) {
        struct timespec limit = {5, 0};
        futex(&futex_word, FUTEX_WAIT, 0, &limit, 0, 0);
    }
    CHECK_EQ(futex_word, 1);
    CHECK(monotonic_ns() - start < 4000000000ull); /* woken, not timed out */
    join(&tid);
}

static void futex_wait_bitset_absolute_timeout(void) {
    futex_word = 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_nsec += 20 * 1000000;
    if (now.tv_nsec >= 1000000000) now.tv_sec++, now.tv_nsec -= 1000000000;
    const uint64_t start = monotonic_ns();
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT_BITSET, 0, &now, 0, -1), ETIMEDOUT);
    CHECK(monotonic_ns() - start >= 15 * 1000000ull);
    struct timespec past = {0, 0}; /* an absolute time long gone: at once */
    CHECK_ERRNO(futex(&futex_word, FUTEX_WAIT_BITSET, 0, &past, 0, -1), ETIMEDOUT);
}

static volatile int sleepers_ready, requeue_word, requeue_target;
static int sleep_on_word(void* arg) {
    volatile int* word = arg;
    __atomic_add_fetch(&sleepers_ready, 1, __ATOMIC_SEQ_CST);
    while (*word == 0) futex(word, FUTEX_WAIT, 0, 0, 0, 0);
    return 0;
}

static void futex_requeue_and_wake_bitset(void) {
    /* Two sleepers on one word: one woken, the other moved to a second word. */
    static volatile int tid[2];
    requeue_word = requeue_target = sleepers_ready = 0;
    CHECK(start_thread(0, &tid[0], sleep_on_word, (void*)&requeue_word) > 0);
    CHECK(start_thread(1, &tid[1], sleep_on_word, (void*)&requeue_word) > 0);
    while (sleepers_ready < 2) sched_yield();
    sleep_ms(10); /* both asleep in the kernel by now */
    CHECK_ERRNO(futex(&requeue_word, FUTEX_CMP_REQUEUE, 1, (const struct timespec*)1, &requeue_target, 7), EAGAIN);
    requeue_word = 1; /* the woken one sees this and leaves */
    CHECK_EQ(futex(&requeue_word, FUTEX_CMP_REQUEUE, 1, (const struct timespec*)1, &requeue_target, 1), 2);
    sleep_ms(10);
    /* The moved one sleeps on requeue_target now: a wake on the old word finds nobody. */
    CHECK_EQ(futex(&requeue_word, FUTEX_WAKE, 10, 0, 0, 0), 0);
    CHECK_EQ(futex(&requeue_target, FUTEX_WAKE_BITSET, 10, 0, 0, -1), 1);
    join(&tid[0]);
    join(&tid[1]);
}

static void futex_wake_op_changes_the_second_word(void) {
    volatile int first = 0, second = 5;
    /* FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5): second += 3, wake on it if it was 5. */
    const int op = (1 << 28) | (0 << 24) | (3 << 12) | 5;
    CHECK_EQ(futex(&first, FUTEX_WAKE_OP, 1, (const struct timespec*)1, &second, op), 0);
    CHECK_EQ(second, 8);
    CHECK_ERRNO(futex(&first, FUTEX_WAKE_OP, 1, (const struct timespec*)1, &second, 7 << 28), ENOSYS);
    CHECK_EQ(second, 8); /* an unknown operation changes nothing */
}

/* ---------------------------------------------------------------- exit and exit_group */

static int spin_then_exit_group(void* arg) {
    (void)arg;
    sleep_ms(30); /* the leader has ended by then */
    syscall(SYS_exit_group, 7);
    return 1;
}

static int leader_ends_first(void* arg) {
    (void)arg;
    static volatile int tid;
    if (start_thread(0, &tid, spin_then_exit_group, 0) <= 0) return 2;
    syscall(SYS_exit, 0); /* only this task: the process goes on in the other */
    return 3;
}

static volatile long seen_ppid;
static int last_task_reports(void* arg) {
    (void)arg;
    sleep_ms(20);
    seen_ppid = getppid();
    syscall(SYS_exit, 4); /* the last task, but the leader's status counts */
    return 1;
}

static int leader_exits_zero(void* arg) {
    (void)arg;
    static volatile int tid;
    if (start_thread(0, &tid, last_task_reports, 0) <= 0) return 2;
    syscall(SYS_exit, 0);
    return 3;
}

static int exit_group_from_a_thread(void* arg) {
    (void)arg;
    static volatile int tid;
    if (start_thread(0, &tid, spin_then_exit_group, 0) <= 0) return 2;
    for (;;) sleep_ms(1000); /* ended by the thread's exit_group */
}

static void exit_ends_a_task_exit_group_the_process(void) {
    CHECK_EXITED(run_child(leader_ends_first, 0), 7);
    CHECK_EXITED(run_child(exit_group_from_a_thread, 0), 7);
    /* The leader's own status is the process's when nobody called exit_group. */
    CHECK_EXITED(run_child(leader_exits_zero, 0), 0);
}

/* ---------------------------------------------------------------- signals */

static volatile long handled_by;
static void record_task(int sig) {
    (void)sig;
    handled_by = gettid();
}

static volatile int keep_waiting;
static int wait_for_signal(void* arg) {
    (void)arg;
    while (keep_waiting) sleep_ms(1);
    return 0;
}

static void signals_to_a_task_and_to_the_process(void) {
    struct sigaction sa, old1, old2;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record_task;
    sigaction(SIGUSR1, &sa, &old1);
    sigaction(SIGUSR2, &sa, &old2);
    static volatile int tid;
    keep_waiting = 1;
    const long t = start_thread(0, &tid, wait_for_signal, 0);
    CHECK(t > 0);

    /* tgkill: that task and no other. */
    handled_by = 0;
    CHECK_EQ(syscall(SYS_tgkill, getpid(), t, SIGUSR1), 0);
    for (int i = 0; i < 200 && !handled_by; i++) sleep_ms(1);
    CHECK_EQ(handled_by, t);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid() + 100000, t, SIGUSR1), ESRCH); /* the wrong process */
    CHECK_ERRNO(syscall(SYS_tgkill, 0, t, SIGUSR1), EINVAL);
    CHECK_EQ(syscall(SYS_tkill, t, 0), 0); /* signal 0: it exists */

    /* kill: the process; with SIGUSR2 blocked here, the other task takes it. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, 0);
    handled_by = 0;
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    for (int i = 0; i < 200 && !handled_by; i++) sleep_ms(1);
    CHECK_EQ(handled_by, t);
    sigprocmask(SIG_UNBLOCK, &block, 0);

    keep_waiting = 0;
    join(&tid);
    CHECK_ERRNO(syscall(SYS_tgkill, getpid(), t, 0), ESRCH); /* gone */
    sigaction(SIGUSR1, &old1, 0);
    sigaction(SIGUSR2, &old2, 0);
}

static int fault_in_thread(void* arg) {
    (void)arg;
    sleep_ms(10);
    *(volatile int*)UNMAPPED_ADDRESS = 1;
    return 0;
}

static int process_with_a_faulting_thread(void* arg) {
    (void)arg;
    static volatile int tid;
    if (start_thread(0, &tid, fault_in_thread, 0) <= 0) return 2;
    for (;;) sleep_ms(1000); /* the fault in the other task ends this one too */
}

static int sleeping_threads(void* arg) {
    (void)arg;
    static volatile int tid[2];
    keep_waiting = 1;
    if (start_thread(0, &tid[0], wait_for_signal, 0) <= 0 || start_thread(1, &tid[1], wait_for_signal, 0) <= 0)
        return 2;
    for (;;) sleep_ms(1000);
}

static void fatal_signals_end_every_task(void) {
    CHECK_KILLED(run_child(process_with_a_faulting_thread, 0), SIGSEGV);
    const uint64_t before = processes_in_table();
    const pid_t child = start_child(sleeping_threads, 0);
    sleep_ms(30);
    CHECK_EQ(processes_in_table(), before + 3); /* the child and its two threads */
    CHECK_EQ(kill(child, SIGKILL), 0);
    CHECK_KILLED(reap(child), SIGKILL);
    CHECK_EQ(processes_in_table(), before); /* every task freed */
}

/* ---------------------------------------------------------------- execve from a thread */

static int pipe_fds[2];
static int exec_from_thread(void* arg) {
    (void)arg;
    char fd[16];
    snprintf(fd, sizeof fd, "%d", pipe_fds[1]);
    char* const argv[] = {(char*)program_path(), "exec-report", fd, 0};
    execv(program_path(), argv);
    return 1;
}

static int process_that_execs_from_a_thread(void* arg) {
    (void)arg;
    static volatile int tid;
    if (start_thread(0, &tid, exec_from_thread, 0) <= 0) return 2;
    for (;;) sleep_ms(1000); /* ended by the other task's execve */
}

/* `threads exec-report FD`: what the new program sees of itself. */
static int exec_report(int fd) {
    const long ids[3] = {getpid(), gettid(), getppid()};
    return write(fd, ids, sizeof ids) == sizeof ids ? 5 : 6;
}

static void execve_from_a_thread_keeps_the_pid(void) {
    CHECK_EQ(pipe(pipe_fds), 0);
    const pid_t child = start_child(process_that_execs_from_a_thread, 0);
    close(pipe_fds[1]);
    long ids[3] = {0, 0, 0};
    CHECK_EQ(read(pipe_fds[0], ids, sizeof ids), sizeof ids);
    close(pipe_fds[0]);
    CHECK_EQ(ids[0], child); /* the process's pid, whichever task ran execve */
    CHECK_EQ(ids[1], child); /* and it runs alone, as the leader */
    CHECK_EQ(ids[2], getpid());
    CHECK_EXITED(reap(child), 5);
}

/* ---------------------------------------------------------------- robust list and TLS */

struct robust_lock {
    void* next;        /* struct robust_list */
    volatile int word; /* futex_offset = 8 or 4 bytes from the entry */
};
struct robust_head {
    void* list;
    long futex_offset;
    void* pending;
};

static struct robust_lock lock_entry;
static struct robust_head head;

static int hold_lock_and_die(void* arg) {
    (void)arg;
    head.list = &lock_entry;
    head.futex_offset = (long)((char*)&lock_entry.word - (char*)&lock_entry);
    head.pending = 0;
    lock_entry.next = &head; /* circular, through the head */
    lock_entry.word = (int)gettid() | (int)FUTEX_WAITERS;
    if (syscall(SYS_set_robust_list, &head, sizeof head)) return 2;
    return 0; /* ends holding it */
}

static void robust_list_marks_an_abandoned_lock(void) {
    CHECK_ERRNO(syscall(SYS_set_robust_list, &head, sizeof head + 1), EINVAL);
    static volatile int tid;
    const long t = start_thread(0, &tid, hold_lock_and_die, 0);
    CHECK(t > 0);
    join(&tid);
    CHECK_EQ((unsigned)lock_entry.word, FUTEX_OWNER_DIED | FUTEX_WAITERS); /* owner gone, waiters kept */
}

static volatile unsigned long tls_value_seen;
#if defined(__x86_64__)
static unsigned long tls_block[2] = {0x1234567890abcdefull, 0};
static int read_fs_zero(void* arg) {
    (void)arg;
    unsigned long v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    tls_value_seen = v;
    return 0;
}
#else
struct user_desc {
    unsigned entry_number, base_addr, limit, flags;
};
static unsigned tls_block[2] = {0x12345678u, 0};
static unsigned main_block[2] = {0x0badcafeu, 0};
static unsigned gs_selector;
static int read_gs_zero(void* arg) {
    (void)arg;
    unsigned v;
    __asm__ volatile("mov %1, %%gs; mov %%gs:0, %0" : "=r"(v) : "r"(gs_selector) : "memory");
    tls_value_seen = v;
    return 0;
}
#endif

static void clone_settls_gives_the_thread_its_tls(void) {
    static volatile int tid;
    tid = -1;
    tls_value_seen = 0;
#if defined(__x86_64__)
    const long t = test_clone_tls(THREAD_FLAGS | CLONE_SETTLS, stack_top(0), (int*)&tid, (int*)&tid,
                                  (unsigned long)tls_block, read_fs_zero, 0);
    CHECK(t > 0);
    join(&tid);
    CHECK_EQ(tls_value_seen, tls_block[0]);
    /* A kernel address is refused, as on Linux. */
    CHECK_EQ(test_clone_tls(THREAD_FLAGS | CLONE_SETTLS, stack_top(0), 0, 0, 0xffff800000000000ull, read_fs_zero, 0),
             -EPERM);
#else
    struct user_desc mine = {(unsigned)-1, (unsigned)main_block, 0xfffff, 1 | 1 << 4 | 1 << 6};
    CHECK_EQ(syscall(SYS_set_thread_area, &mine), 0);
    gs_selector = mine.entry_number << 3 | 3;
    struct user_desc theirs = {mine.entry_number, (unsigned)tls_block, 0xfffff, 1 | 1 << 4 | 1 << 6};
    const long t = test_clone_tls(THREAD_FLAGS | CLONE_SETTLS, stack_top(0), (int*)&tid, (int*)&tid,
                                  (unsigned long)&theirs, read_gs_zero, 0);
    CHECK(t > 0);
    join(&tid);
    CHECK_EQ(tls_value_seen, tls_block[0]);
    /* Ours is unchanged: the slot is per task. */
    unsigned v;
    __asm__ volatile("mov %1, %%gs; mov %%gs:0, %0; mov %2, %%gs" : "=r"(v) : "r"(gs_selector), "r"(0));
    CHECK_EQ(v, main_block[0]);
    struct user_desc allocate = {(unsigned)-1, (unsigned)tls_block, 0xfffff, 1 | 1 << 4};
    CHECK_EQ(test_clone_tls(THREAD_FLAGS | CLONE_SETTLS, stack_top(0), 0, 0, (unsigned long)&allocate, read_gs_zero, 0),
             -EINVAL); /* clone cannot allocate a slot, as on Linux */
    struct user_desc empty = {mine.entry_number, 0, 0, 1 << 3 | 1 << 5};
    syscall(SYS_set_thread_area, &empty);
#endif
}

static void task_limit_is_eagain(void) {
    /* Threads that sleep until told, until the table is full. */
    static volatile int tids[64];
    static char big_stacks[64][4096] __attribute__((aligned(16)));
    keep_waiting = 1;
    int started = 0;
    long last = 0;
    for (; started < 64; started++) {
        tids[started] = -1;
        last = test_clone(THREAD_FLAGS, big_stacks[started] + 4096, (int*)&tids[started], (int*)&tids[started],
                          wait_for_signal, 0);
        if (last <= 0) break;
    }
    CHECK(started > 0);
    test_note("%d threads started", started);
    keep_waiting = 0;
    for (int i = 0; i < started; i++) join(&tids[i]);
    CHECK(last > 0 || last == -EAGAIN); /* 64 fit, or the table ended with EAGAIN */
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc == 3 && !strcmp(argv[1], "exec-report")) return exec_report(atoi(argv[2]));
    test_run("a thread shares memory and pid, not its task id", a_thread_shares_the_process);
    test_run("clone's thread flags follow Linux's rules", thread_flags_follow_linuxs_rules);
    test_run("futex: EAGAIN, ETIMEDOUT, EFAULT, EINVAL, and a wake-up", futex_wait_and_wake);
    test_run("futex: FUTEX_WAKE with a count of 0 wakes one", futex_wake_zero_wakes_one);
    test_run("futex: FUTEX_WAIT_BITSET with an absolute timeout", futex_wait_bitset_absolute_timeout);
    test_run("futex: FUTEX_CMP_REQUEUE and FUTEX_WAKE_BITSET", futex_requeue_and_wake_bitset);
    test_run("futex: FUTEX_WAKE_OP", futex_wake_op_changes_the_second_word);
    test_run("exit ends a task, exit_group the process", exit_ends_a_task_exit_group_the_process);
    test_run("tgkill reaches one task, kill the process", signals_to_a_task_and_to_the_process);
    test_run("a fatal signal ends every task", fatal_signals_end_every_task);
    test_run("execve from a thread keeps the pid", execve_from_a_thread_keeps_the_pid);
    test_run("the robust list marks a lock its owner left", robust_list_marks_an_abandoned_lock);
    test_run("CLONE_SETTLS gives the thread its TLS", clone_settls_gives_the_thread_its_tls);
    test_run("threads until the table is full", task_limit_is_eagain);
    return test_summary(sizeof(void*) == 8 ? "threads" : "threads32");
}
