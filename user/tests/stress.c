/* Stress ("Processes, files and a shell"): thousands of fork/exec/exit
 * cycles with no memory lost (the kernel's free frames and heap before
 * equal after), fork until the process table is full, fork and page
 * faults with memory exhausted; each time the system must still answer
 * and give every frame back. Built for 64- and 32-bit; `stress exit N`
 * is the program the cycles exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define PAGE 4096u
/* Enough to show a leak of one frame per cycle many times over, small
 * enough for Bochs (see the timing note). */
#define CYCLES 1500

struct balance {
    uint64_t free_frames, heap_bytes, processes;
};

static struct balance measure(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    sysgate_stats(&s, sizeof s);
    return (struct balance){s.free_frames, s.heap_bytes, s.processes};
}

static void check_balance(const char* what, struct balance before, struct balance after) {
    if (before.free_frames != after.free_frames || before.heap_bytes != after.heap_bytes ||
        before.processes != after.processes) {
        char details[200];
        snprintf(details, sizeof details,
                 "%s: free frames %llu -> %llu, kernel heap %llu -> %llu bytes, processes %llu -> %llu", what,
                 (unsigned long long)before.free_frames, (unsigned long long)after.free_frames,
                 (unsigned long long)before.heap_bytes, (unsigned long long)after.heap_bytes,
                 (unsigned long long)before.processes, (unsigned long long)after.processes);
        check_failed(__FILE__, __LINE__, "no memory lost", details);
    }
}

/* ---------------------------------------------------------------- fork/exec/exit cycles */

/* One cycle: fork, exec `path exit CODE`, wait. Returns 0 if the child
 * exited with CODE. */
static int cycle(const char* path, int code) {
    char text[8];
    snprintf(text, sizeof text, "%d", code);
    char* const argv[] = {(char*)path, "exit", text, 0};
    const pid_t child = fork();
    if (child == 0) {
        execv(path, argv);
        _exit(127);
    }
    if (child < 0) return -1;
    int status = 0;
    if (waitpid(child, &status, 0) != child) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == code ? 0 : -1;
}

static void fork_exec_exit_cycles(void) {
    /* Every other exec is of the other bitness. */
    const char* paths[2] = {program_path(), other_bitness_path()};
    for (int i = 0; i < 10; i++) cycle(paths[i % 2], i); /* warm up: page tables, heap high-water */
    const struct balance before = measure();
    const uint64_t start = monotonic_ns();
    int failures = 0;
    for (int i = 0; i < CYCLES; i++) failures += cycle(paths[i % 2], i % 200) != 0;
    const uint64_t elapsed = monotonic_ns() - start;
    const struct balance after = measure();
    CHECK_EQ(failures, 0);
    check_balance("fork/exec/exit cycles", before, after);
    test_note("%d cycles in %llu ms (%llu us each); %llu frames free before and after", CYCLES,
              (unsigned long long)elapsed / 1000000, (unsigned long long)elapsed / 1000 / CYCLES,
              (unsigned long long)after.free_frames);
}

/* ---------------------------------------------------------------- children that leave in other ways */

static void ignore_signal(int sig) {
    (void)sig;
}

/* A child that holds a bit of everything, then leaves by `how`: exit,
 * a fault, a kill, an execve. */
static int busy_child(void* arg) {
    const int how = *(int*)arg;
    int fds[2];
    pipe(fds);
    write(fds[1], "x", 1);
    dup2(fds[0], 30);
    char* p = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        memset(p, 1, 8 * PAGE);
        mprotect(p, 2 * PAGE, PROT_NONE); /* frames kept out of sight */
        mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ);
        munmap(p + 6 * PAGE, PAGE);
    }
    signal(SIGUSR1, ignore_signal);
    raise(SIGUSR1);
    sbrk(3 * PAGE);
    switch (how) {
    case 0:
        return 0;
    case 1:
        return *(volatile int*)p; /* PROT_NONE: SIGSEGV */
    case 2:
        raise(SIGKILL);
        return 1;
    default: {
        char* const argv[] = {(char*)program_path(), "exit", "3", 0};
        execv(program_path(), argv);
        return 1;
    }
    }
}

static void abnormal_exits_lose_nothing(void) {
    static const int expected[4] = {0, SIGSEGV, SIGKILL, 3};
    for (int how = 0; how < 4; how++) run_child(busy_child, &how); /* warm up */
    const struct balance before = measure();
    int wrong = 0;
    for (int i = 0; i < 200; i++) {
        int how = i % 4;
        const int status = run_child(busy_child, &how);
        if (how == 1 || how == 2)
            wrong += !WIFSIGNALED(status) || WTERMSIG(status) != expected[how];
        else
            wrong += !WIFEXITED(status) || WEXITSTATUS(status) != expected[how];
    }
    CHECK_EQ(wrong, 0);
    check_balance("children that exit, fault, are killed, exec", before, measure());
}

/* ---------------------------------------------------------------- the process table */

struct blocker {
    int read_fd, write_fd;
};

static int wait_for_eof(void* arg) {
    const struct blocker* b = arg;
    close(b->write_fd);
    char c;
    while (read(b->read_fd, &c, 1) > 0) {
    }
    return 0;
}

/* Forks blocked children until fork fails; returns how many, with the
 * error in *error. They all exit when `b` is closed. */
static int fork_until_failure(struct blocker* b, int* error) {
    int count = 0;
    fflush(stdout);
    for (;;) {
        const pid_t pid = fork();
        if (pid == 0) _exit(wait_for_eof(b));
        if (pid < 0) {
            *error = errno;
            return count;
        }
        count++;
    }
}

/* vfork in a function of its own: the compiler must not keep our
 * variables in registers across it. */
static __attribute__((noinline)) pid_t vfork_and_exit(void) {
    const pid_t pid = vfork();
    if (pid == 0) _exit(0);
    return pid;
}

static int bomb_round(struct balance* after) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    struct blocker b = {fds[0], fds[1]};
    int error = 0;
    const int count = fork_until_failure(&b, &error);
    CHECK(error == EAGAIN || error == ENOMEM);
    CHECK(count > 100);
    /* The system still answers, and keeps refusing the same way. */
    CHECK(getpid() > 1);
    CHECK_ERRNO(fork(), error);
    CHECK_ERRNO(vfork_and_exit(), error);
    CHECK_EQ(write(fds[1], "", 0), 0);
    struct sysgate_stats s;
    CHECK_EQ(sysgate_stats(&s, sizeof s), sizeof s);
    /* Let them all go. */
    close(fds[0]);
    close(fds[1]);
    int reaped = 0, status = 0, bad = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, 0)) > 0; reaped++) bad += status != 0;
    CHECK_EQ(errno, ECHILD);
    CHECK_EQ(reaped, count);
    CHECK_EQ(bad, 0);
    *after = measure();
    return count;
}

static int exit_code(void* arg) {
    return *(int*)arg;
}

static void fork_until_the_table_is_full(void) {
    const uint64_t start = monotonic_ns();
    const struct balance before = measure();
    struct balance first, second;
    const int count = bomb_round(&first);
    /* The first round may leave page tables for the kernel stacks it
     * needed; a second round must not take anything more. */
    bomb_round(&second);
    CHECK_EQ(first.heap_bytes, before.heap_bytes);
    CHECK_EQ(first.processes, before.processes);
    check_balance("a second round", first, second);
    int code = 6;
    CHECK_EXITED(run_child(exit_code, &code), 6); /* forking works again */
    test_note("%d children before fork failed, twice, in %llu ms; %llu frames free before, %llu after", count,
              (unsigned long long)(monotonic_ns() - start) / 1000000, (unsigned long long)before.free_frames,
              (unsigned long long)second.free_frames);
}

/* ---------------------------------------------------------------- memory exhaustion */

/* Maps and touches all but `leave` of the free frames; returns the mapping. */
static char* eat_memory(uint64_t leave, size_t* size) {
    const uint64_t free_now = free_frames();
    *size = (size_t)(free_now - leave) * PAGE;
    char* p = mmap(0, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    for (size_t i = 0; i < *size; i += PAGE) p[i] = 1;
    return p;
}

static int fork_with_no_memory(void* arg) {
    (void)arg;
    size_t size;
    /* 400 frames left: page tables for the mapping take some, fork needs
     * more than the rest (it copies every touched page). */
    char* p = eat_memory(256 + 400, &size);
    CHILD_CHECK(p != 0);
    if (!p) return 1;
    const uint64_t left = free_frames();
    errno = 0;
    CHILD_CHECK_EQ(fork(), -1);
    CHILD_CHECK_EQ(errno, ENOMEM);
    CHILD_CHECK_EQ(free_frames(), left); /* the failed fork gave back what it took */
    /* The kernel goes on: calls work, a little memory is still there. */
    int fds[2];
    CHILD_CHECK_EQ(pipe(fds), 0);
    CHILD_CHECK_EQ(write(fds[1], "ok", 2), 2);
    char buf[2];
    CHILD_CHECK_EQ(read(fds[0], buf, 2), 2);
    char* q = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(q != MAP_FAILED);
    if (q != MAP_FAILED) memset(q, 2, 8 * PAGE);
    CHILD_CHECK_EQ(p[size - PAGE], 1);
    return 0;
}

static int touch_more_than_there_is(void* arg) {
    (void)arg;
    /* Two mappings that each fit in free memory (mmap does not reserve
     * frames), together more than there is: touching them all must fail
     * somewhere, with SIGSEGV. */
    const size_t size = (size_t)(free_frames() - 300) * PAGE;
    char* a = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* b = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED || b == MAP_FAILED) return 1;
    for (size_t i = 0; i < size; i += PAGE) a[i] = 1;
    for (size_t i = 0; i < size; i += PAGE) b[i] = 1;
    return 2; /* not reached: there is not that much memory */
}

static void exhausted_memory(void) {
    int code = 0;
    CHECK_EXITED(run_child(exit_code, &code), 0); /* warm up */
    const struct balance before = measure();
    const uint64_t start = monotonic_ns();
    CHECK_EXITED(run_child(fork_with_no_memory, 0), 0);
    const struct balance middle = measure();
    CHECK_KILLED(run_child(touch_more_than_there_is, 0), SIGSEGV);
    const struct balance after = measure();
    check_balance("fork with no memory", before, middle);
    check_balance("touching more than there is", middle, after);
    /* ...and the system still answers. */
    code = 5;
    CHECK_EXITED(run_child(exit_code, &code), 5);
    test_note("%llu frames free; both children in %llu ms", (unsigned long long)after.free_frames,
              (unsigned long long)(monotonic_ns() - start) / 1000000);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 2 && !strcmp(argv[1], "exit")) return atoi(argv[2]);
    test_run("fork until the process table is full: EAGAIN, and the system answers", fork_until_the_table_is_full);
    test_run("fork and page faults with memory exhausted: ENOMEM, SIGSEGV, nothing lost", exhausted_memory);
    test_run("children that fault, are killed or exec lose no memory", abnormal_exits_lose_nothing);
    test_run("fork/exec/exit cycles lose no memory", fork_exec_exit_cycles);
    return test_summary(sizeof(void*) == 8 ? "stress" : "stress32");
}
