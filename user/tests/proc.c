/* Processes ("Processes, files and a shell"): fork, vfork, clone with the
 * flags glibc and musl use for fork and vfork, execve of 64- and 32-bit
 * programs with arguments and environment, wait4/waitpid, exit and
 * exit_group, kill, getpid/getppid across fork, orphans re-parented to
 * init, user faults that end only the faulting process. Built for 64- and
 * 32-bit. `proc exec-check FD ...` and `proc wait-for-eof FD` are the
 * programs the execve cases run (without arguments it is the test). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000

/* The clone system call through syscall(): i386 passes tls before
 * child_tid (CONFIG_CLONE_BACKWARDS), x86_64 after. */
static long raw_clone(unsigned long flags, void* stack, int* parent_tid, int* child_tid) {
#if defined(__x86_64__)
    return syscall(SYS_clone, flags, stack, parent_tid, child_tid, 0);
#else
    return syscall(SYS_clone, flags, stack, parent_tid, 0, child_tid);
#endif
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

/* Reads exactly n bytes (a pipe may return less per call); false on EOF. */
static int read_full(int fd, void* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        const ssize_t r = read(fd, (char*)buf + got, n - got);
        if (r <= 0) return 0;
        got += (size_t)r;
    }
    return 1;
}

/* A child that blocks until the write end of `fd` is closed everywhere,
 * then exits with `code`. */
struct blocker {
    int read_fd, write_fd, code;
};
static int block_on_pipe(void* arg) {
    struct blocker* b = arg;
    close(b->write_fd);
    char c;
    while (read(b->read_fd, &c, 1) > 0) {
    }
    return b->code;
}

/* ---------------------------------------------------------------- fork */

static volatile int marker;

static int fork_child_reports(void* arg) {
    const int fd = *(int*)arg;
    marker = 2; /* the parent's copy must not change */
    const int ids[2] = {getpid(), getppid()};
    CHILD_CHECK_EQ(write(fd, ids, sizeof ids), sizeof ids);
    return 0;
}

static void fork_returns_pid_and_zero(void) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    marker = 1;
    const pid_t child = start_child(fork_child_reports, &fds[1]);
    CHECK(child > 0);
    close(fds[1]);
    int ids[2] = {0, 0};
    CHECK(read_full(fds[0], ids, sizeof ids));
    close(fds[0]);
    CHECK_EQ(ids[0], child);    /* the child's getpid() is what fork returned */
    CHECK_EQ(ids[1], getpid()); /* and its parent is us */
    CHECK(child != getpid());
    CHECK_EXITED(reap(child), 0);
    CHECK_EQ(marker, 1); /* memory was copied, not shared */
}

/* Three generations report (getpid, getppid, gettid, the pid their fork returned). */
struct ids {
    int pid, ppid, tid, forked;
};

static int grandchild_reports(void* arg) {
    const int fd = *(int*)arg;
    const struct ids me = {getpid(), getppid(), gettid(), 0};
    CHILD_CHECK_EQ(write(fd, &me, sizeof me), sizeof me);
    return 0;
}

static int child_forks_and_reports(void* arg) {
    const int fd = *(int*)arg;
    const pid_t grandchild = start_child(grandchild_reports, arg);
    const struct ids me = {getpid(), getppid(), gettid(), grandchild};
    int status = 0;
    CHILD_CHECK_EQ(waitpid(grandchild, &status, 0), grandchild);
    CHILD_CHECK_EQ(status, 0);
    CHILD_CHECK_EQ(write(fd, &me, sizeof me), sizeof me);
    return 0;
}

static void pids_consistent_across_fork(void) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    const pid_t self = getpid();
    CHECK_EQ(gettid(), self);
    const pid_t child = start_child(child_forks_and_reports, &fds[1]);
    close(fds[1]);
    struct ids grandchild, kid;
    CHECK(read_full(fds[0], &grandchild, sizeof grandchild));
    CHECK(read_full(fds[0], &kid, sizeof kid));
    close(fds[0]);
    CHECK_EXITED(reap(child), 0);
    CHECK_EQ(kid.pid, child);
    CHECK_EQ(kid.ppid, self);
    CHECK_EQ(kid.tid, kid.pid);
    CHECK_EQ(grandchild.pid, kid.forked);
    CHECK_EQ(grandchild.ppid, kid.pid);
    CHECK_EQ(grandchild.tid, grandchild.pid);
    CHECK(grandchild.pid != kid.pid && grandchild.pid != self); /* three processes, three pids */
    test_note("pids: us %d, child %d, grandchild %d", (int)self, kid.pid, grandchild.pid);
}

/* ---------------------------------------------------------------- exit and wait */

static int exit_code(void* arg) {
    _exit(*(int*)arg);
}
static int exit_syscall(void* arg) {
    return (int)syscall(SYS_exit, *(int*)arg);
}
static int exit_group_syscall(void* arg) {
    return (int)syscall(SYS_exit_group, *(int*)arg);
}

static void exit_statuses_reach_the_parent(void) {
    static const int codes[] = {0, 1, 42, 127, 255};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int code = codes[i];
        CHECK_EXITED(run_child(exit_code, &code), code);
        CHECK_EXITED(run_child(exit_syscall, &code), code);
        CHECK_EXITED(run_child(exit_group_syscall, &code), code);
    }
    int big = 256 + 3; /* only the low 8 bits are the status */
    CHECK_EXITED(run_child(exit_code, &big), 3);
}

static void wait4_clears_rusage(void) {
    /* No accounting is kept, but the structure the caller passes is
     * zeroed, exactly its size: 144 bytes (x86_64), 72 (i386). */
    const size_t size = sizeof(long) == 8 ? 144 : 72;
    unsigned char usage[256];
    memset(usage, 0xaa, sizeof usage);
    int code = 9;
    const pid_t child = start_child(exit_code, &code);
    int status = 0;
    CHECK_EQ(syscall(SYS_wait4, child, &status, 0, usage), child);
    CHECK_EXITED(status, 9);
    unsigned nonzero = 0;
    for (size_t i = 0; i < size; i++) nonzero += usage[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ(usage[size], 0xaa);
}

static void waitpid_picks_and_fails_right(void) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    struct blocker b[3] = {{fds[0], fds[1], 11}, {fds[0], fds[1], 12}, {fds[0], fds[1], 13}};
    pid_t kids[3];
    for (int i = 0; i < 3; i++) kids[i] = start_child(block_on_pipe, &b[i]);
    int status = 0;
    CHECK_EQ(waitpid(-1, &status, WNOHANG), 0); /* all three still running */
    CHECK_EQ(waitpid(kids[1], &status, WNOHANG), 0);
    close(fds[1]); /* end of file: they exit */
    close(fds[0]);
    CHECK_EQ(waitpid(kids[1], &status, 0), kids[1]); /* the one asked for, not the first */
    CHECK_EXITED(status, 12);
    for (int n = 0; n < 2; n++) {
        const pid_t got = waitpid(-1, &status, 0);
        CHECK(got == kids[0] || got == kids[2]);
        CHECK_EXITED(status, got == kids[0] ? 11 : 13);
    }
    CHECK_ERRNO(waitpid(-1, &status, 0), ECHILD);
    CHECK_ERRNO(waitpid(-1, &status, WNOHANG), ECHILD);
    CHECK_ERRNO(waitpid(1, &status, 0), ECHILD); /* init is not our child */
    CHECK_ERRNO(waitpid(-1, &status, 0x1000), EINVAL);

    /* A status pointer the kernel cannot write: -EFAULT, and (as on
     * Linux) the child is reaped all the same. */
    int code = 5;
    const pid_t child = start_child(exit_code, &code);
    CHECK_ERRNO(syscall(SYS_wait4, child, UNMAPPED_ADDRESS, 0, 0), EFAULT);
    CHECK_ERRNO(waitpid(child, &status, 0), ECHILD);
}

static volatile int usr1_seen;
static void on_usr1(int sig) {
    usr1_seen = sig;
}

static int signal_parent_later(void* arg) {
    (void)arg;
    sleep_ms(30); /* the parent is asleep in wait4 by now */
    kill(getppid(), SIGUSR1);
    sleep_ms(30);
    return 0;
}

static void wait4_interrupted_by_a_signal(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, &old);
    usr1_seen = 0;
    const pid_t child = start_child(signal_parent_later, 0);
    int status = 0;
    /* The raw call: libc's waitpid restarts after EINTR. */
    CHECK_ERRNO(syscall(SYS_wait4, child, &status, 0, 0), EINTR);
    CHECK_EQ(usr1_seen, SIGUSR1);
    CHECK_EXITED(reap(child), 0);
    sigaction(SIGUSR1, &old, 0);
}

/* ---------------------------------------------------------------- vfork and clone */

static void vfork_shares_memory_until_exit(void) {
    static volatile int shared;
    shared = 1;
    const pid_t child = vfork();
    if (child == 0) {
        shared = getpid(); /* the parent's memory: it sees this */
        _exit(7);
    }
    CHECK(child > 0);
    CHECK_EQ(shared, child);
    /* The parent resumed only once the child had exited: a zombie already. */
    int status = 0;
    CHECK_EQ(waitpid(child, &status, WNOHANG), child);
    CHECK_EXITED(status, 7);
}

static void vfork_parent_resumes_at_exec(void) {
    int fds[2];
    CHECK_EQ(pipe2(fds, O_CLOEXEC), 0);
    char* const argv[] = {(char*)program_path(), "wait-for-eof", "20", 0};
    const pid_t child = vfork();
    if (child == 0) {
        /* Only system calls here: the parent's stack is ours until execve. */
        dup2(fds[0], 20); /* not close-on-exec; the write end is */
        execve(program_path(), argv, environ);
        _exit(127);
    }
    CHECK(child > 0);
    /* We run again while the child still waits for end of file: the
     * exec released us, not the exit. */
    int status = 0;
    CHECK_EQ(waitpid(child, &status, WNOHANG), 0);
    close(fds[1]);
    close(fds[0]);
    CHECK_EXITED(reap(child), 0);
}

static int tid_seen_by_child;

static void clone_like_glibc_fork(void) {
    /* glibc's fork: SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
     * no new stack; plus CLONE_PARENT_SETTID. */
    int parent_tid = 0;
    static int child_tid;
    child_tid = -1;
    fflush(stdout);
    const long child = raw_clone(SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID, 0,
                                 &parent_tid, &child_tid);
    if (child == 0) /* our own copy of child_tid holds our tid */
        _exit(child_tid == getpid() ? 0 : 1);
    CHECK(child > 0);
    CHECK_EQ(parent_tid, child);
    CHECK_EQ(child_tid, -1); /* the child wrote its own copy */
    CHECK_EXITED(reap((pid_t)child), 0);
    CHECK_EQ(child_tid, -1); /* nor did its exit clear ours */

    /* CLONE_CHILD_SETTID into a page nobody has touched yet: the child's
     * copy must still get its tid (the page appears on that write). */
    int* fresh = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fresh != MAP_FAILED);
    const long settid = raw_clone(SIGCHLD | CLONE_CHILD_SETTID, 0, 0, fresh);
    if (settid == 0) _exit(*fresh == getpid() ? 0 : 1);
    CHECK(settid > 0);
    CHECK_EXITED(reap((pid_t)settid), 0);
    CHECK_EQ(*fresh, 0);
    munmap(fresh, 4096);

    /* musl's fork: clone(SIGCHLD, 0). */
    const long plain = raw_clone(SIGCHLD, 0, 0, 0);
    if (plain == 0) _exit(getppid() > 0 ? 0 : 1);
    CHECK(plain > 0);
    CHECK_EXITED(reap((pid_t)plain), 0);
}

struct vfork_clone {
    volatile int written;
    int* child_tid;
};

static int vfork_clone_child(void* arg) {
    struct vfork_clone* c = arg;
    c->written = getpid();
    tid_seen_by_child = *c->child_tid; /* CLONE_CHILD_SETTID, in the shared memory */
    return 5;
}

static void clone_like_vfork(void) {
    /* glibc's vfork and posix_spawn: CLONE_VM | CLONE_VFORK | SIGCHLD; the
     * child here runs on a stack of its own. */
    static char stack[16384] __attribute__((aligned(16)));
    static int child_tid;
    struct vfork_clone c = {0, &child_tid};
    child_tid = -1;
    tid_seen_by_child = 0;
    fflush(stdout);
    const long child = test_clone(CLONE_VM | CLONE_VFORK | SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
                                  stack + sizeof stack, 0, &child_tid, vfork_clone_child, &c);
    CHECK(child > 0);
    CHECK_EQ(c.written, child);         /* one memory */
    CHECK_EQ(tid_seen_by_child, child); /* CLONE_CHILD_SETTID */
    CHECK_EQ(child_tid, 0);             /* CLONE_CHILD_CLEARTID at its exit */
    int status = 0;
    CHECK_EQ(waitpid((pid_t)child, &status, WNOHANG), child); /* we waited for it */
    CHECK_EXITED(status, 5);
}

struct shared_child {
    volatile int started, written;
};

static int shared_memory_child(void* arg) {
    struct shared_child* c = arg;
    c->started = 1;
    c->written = getpid();
    return 6;
}

static void clone_vm_without_vfork(void) {
    /* CLONE_VM alone: one memory, two processes running side by side;
     * the memory must outlive the child that leaves it. */
    static char stack[16384] __attribute__((aligned(16)));
    struct shared_child c = {0, 0};
    fflush(stdout);
    const long child = test_clone(CLONE_VM | SIGCHLD, stack + sizeof stack, 0, 0, shared_memory_child, &c);
    CHECK(child > 0);
    if (child <= 0) return;
    CHECK_EXITED(reap((pid_t)child), 6);
    CHECK_EQ(c.started, 1);
    CHECK_EQ(c.written, child);
    /* Our memory is still ours: touch fresh stack and heap. */
    char* p = malloc(100000);
    CHECK(p != 0);
    if (p) memset(p, 1, 100000);
    free(p);
}

/* ---------------------------------------------------------------- execve */

struct exec_report {
    int pid, ppid, bits, argc;
};

static const char* const exec_args[] = {"alpha", "", "with space", "--x=1"};
static char* const exec_env[] = {"SYSGATE_A=1", "SYSGATE_B=two words", "EMPTY=", 0};

/* `proc exec-check FD alpha "" "with space" --x=1`: reports to FD, checks
 * its arguments and environment; the exit status says what was wrong. */
static int exec_check(int argc, char** argv) {
    if (argc < 3) return 20;
    const int fd = atoi(argv[2]);
    const struct exec_report r = {getpid(), getppid(), (int)sizeof(void*) * 8, argc};
    if (write(fd, &r, sizeof r) != sizeof r) return 21;
    if (argc != 3 + 4) return 22;
    for (int i = 0; i < 4; i++)
        if (strcmp(argv[3 + i], exec_args[i])) return 23 + i;
    if (argv[argc]) return 27;
    int n = 0;
    while (environ[n]) n++;
    if (n != 3) return 28;
    for (int i = 0; i < 3; i++)
        if (strcmp(environ[i], exec_env[i])) return 29;
    if (!getenv("SYSGATE_B") || strcmp(getenv("SYSGATE_B"), "two words")) return 30;
    return 0;
}

static void exec_one(const char* path, int bits) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
    char* const argv[] = {(char*)path,         "exec-check",        fd_text, (char*)exec_args[0], (char*)exec_args[1],
                          (char*)exec_args[2], (char*)exec_args[3], 0};
    fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        execve(path, argv, exec_env);
        _exit(127);
    }
    close(fds[1]);
    struct exec_report r = {0, 0, 0, 0};
    CHECK(read_full(fds[0], &r, sizeof r));
    close(fds[0]);
    CHECK_EXITED(reap(child), 0);
    CHECK_EQ(r.pid, child);     /* execve keeps the process */
    CHECK_EQ(r.ppid, getpid()); /* and its parent */
    CHECK_EQ(r.bits, bits);
    CHECK_EQ(r.argc, 7);
}

static void execve_runs_elf64_and_elf32(void) {
    const int self_bits = (int)sizeof(void*) * 8;
    exec_one(program_path(), self_bits);
    exec_one(other_bitness_path(), self_bits == 64 ? 32 : 64);
}

static int exec_failures(void* arg) {
    (void)arg;
    char* const argv[] = {"x", 0};
    char* const bad_arg[] = {"x", (char*)UNMAPPED_ADDRESS, 0};
    CHILD_CHECK_EQ(execve("/no/such/program", argv, environ), -1);
    CHILD_CHECK_EQ(errno, ENOENT);
    CHILD_CHECK_EQ(execve("/test", argv, environ), -1); /* a directory */
    CHILD_CHECK_EQ(errno, EACCES);
    CHILD_CHECK_EQ(execve("/dev/null", argv, environ), -1); /* not a regular file */
    CHILD_CHECK_EQ(errno, EACCES);
    CHILD_CHECK_EQ(execve("/test/proc/x", argv, environ), -1);
    CHILD_CHECK_EQ(errno, ENOTDIR);
    CHILD_CHECK_EQ(execve((const char*)UNMAPPED_ADDRESS, argv, environ), -1);
    CHILD_CHECK_EQ(errno, EFAULT);
    CHILD_CHECK_EQ(execve(program_path(), (char* const*)UNMAPPED_ADDRESS, environ), -1);
    CHILD_CHECK_EQ(errno, EFAULT);
    CHILD_CHECK_EQ(execve(program_path(), bad_arg, environ), -1);
    CHILD_CHECK_EQ(errno, EFAULT);
    CHILD_CHECK_EQ(execve(program_path(), argv, (char* const*)KERNEL_ADDRESS), -1);
    CHILD_CHECK_EQ(errno, EFAULT);
    /* More strings than the kernel takes (256): E2BIG. */
    static char* many[400];
    for (int i = 0; i < 399; i++) many[i] = "many";
    many[399] = 0;
    CHILD_CHECK_EQ(execve(program_path(), many, environ), -1);
    CHILD_CHECK_EQ(errno, E2BIG);
    /* One string longer than all of them may be (64 KiB), and a path
     * longer than PATH_MAX. */
    static char huge[70000];
    memset(huge, 'h', sizeof huge - 1);
    char* const huge_arg[] = {"x", huge, 0};
    CHILD_CHECK_EQ(execve(program_path(), huge_arg, environ), -1);
    CHILD_CHECK_EQ(errno, E2BIG);
    huge[0] = '/';
    huge[300] = 0;
    CHILD_CHECK_EQ(execve(huge, argv, environ), -1);
    CHILD_CHECK_EQ(errno, ENAMETOOLONG);
    return 0; /* still this program after every failure */
}

static void execve_failures_keep_the_caller(void) {
    CHECK_EXITED(run_child(exec_failures, 0), 0);
}

/* ---------------------------------------------------------------- kill */

static void kill_signals_and_errors(void) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    struct blocker b = {fds[0], fds[1], 0};
    const pid_t plain = start_child(block_on_pipe, &b);
    /* This one inherits SIG_IGN for SIGTERM and SIGINT (set before the
     * fork, so no race with the signals below). */
    struct sigaction ignore, old_term, old_int;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGTERM, &ignore, &old_term);
    sigaction(SIGINT, &ignore, &old_int);
    const pid_t stubborn = start_child(block_on_pipe, &b);
    sigaction(SIGTERM, &old_term, 0);
    sigaction(SIGINT, &old_int, 0);
    close(fds[0]);
    CHECK_EQ(kill(plain, 0), 0); /* it exists */
    CHECK_EQ(kill(plain, SIGTERM), 0);
    CHECK_KILLED(reap(plain), SIGTERM);
    CHECK_EQ(kill(stubborn, SIGTERM), 0); /* ignored */
    CHECK_EQ(kill(stubborn, SIGINT), 0);
    int status = 0;
    sleep_ms(20);
    CHECK_EQ(waitpid(stubborn, &status, WNOHANG), 0); /* still there */
    CHECK_EQ(kill(stubborn, SIGKILL), 0);             /* cannot be ignored */
    CHECK_KILLED(reap(stubborn), SIGKILL);
    close(fds[1]);

    CHECK_ERRNO(kill(30000, SIGTERM), ESRCH);
    CHECK_ERRNO(kill(30000, 0), ESRCH);
    CHECK_ERRNO(kill(getpid(), 65), EINVAL);
    CHECK_ERRNO(kill(getpid(), -1), EINVAL);

    /* A zombie exists until it is reaped (Linux: kill(zombie, 0) == 0).
     * End of file on a pipe it held means it has exited: its files are
     * closed on the way to becoming a zombie, and the kernel does not
     * switch away in between. */
    CHECK_EQ(pipe(fds), 0);
    int code = 0;
    const pid_t zombie = start_child(exit_code, &code);
    close(fds[1]);
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 0);
    close(fds[0]);
    CHECK_EQ(kill(zombie, 0), 0);
    CHECK_EQ(kill(zombie, SIGKILL), 0); /* accepted, changes nothing */
    CHECK_EXITED(reap(zombie), 0);
    CHECK_ERRNO(kill(zombie, 0), ESRCH); /* gone now */
}

/* ---------------------------------------------------------------- orphans */

static int orphan_reports_new_parent(void* arg) {
    const int fd = *(int*)arg;
    /* Our parent exits at once; wait (bounded) to be re-parented. */
    int ppid = getppid();
    for (int i = 0; i < 400 && ppid != 1; i++) {
        sleep_ms(5);
        ppid = getppid();
    }
    write(fd, &ppid, sizeof ppid);
    return 0;
}

static int parent_of_orphan(void* arg) {
    start_child(orphan_reports_new_parent, arg);
    return 0; /* exits without waiting: the grandchild is an orphan */
}

static void orphans_go_to_init(void) {
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EXITED(run_child(parent_of_orphan, &fds[1]), 0);
    close(fds[1]);
    int ppid = 0;
    CHECK(read_full(fds[0], &ppid, sizeof ppid));
    close(fds[0]);
    CHECK_EQ(ppid, 1);
    /* init (runtests here) reaps it; it is not our child. */
    CHECK_ERRNO(waitpid(-1, 0, WNOHANG), ECHILD);
}

/* ---------------------------------------------------------------- user faults */

static int null_write(void* arg) {
    (void)arg;
    *(volatile int*)0 = 1;
    return 0;
}
static int kernel_read(void* arg) {
    (void)arg;
    return *(volatile int*)KERNEL_ADDRESS;
}
static int privileged(void* arg) {
    (void)arg;
    __asm__ volatile("hlt"); /* #GP in ring 3 */
    return 0;
}
static int dpl0_interrupt(void* arg) {
    (void)arg;
    __asm__ volatile("int $0x0d"); /* a DPL-0 gate: #GP */
    return 0;
}
static int undefined_opcode(void* arg) {
    (void)arg;
    __asm__ volatile("ud2");
    return 0;
}
static int divide_by_zero(void* arg) {
    volatile int zero = 0;
    volatile int x = 7;
    (void)arg;
    return x / zero;
}
static volatile long stack_depth_limit = 1l << 30; /* never reached */
static int overflow_stack(void* arg) {
    volatile char frame[4096];
    frame[0] = 1;
    if (--stack_depth_limit == 0) return 0;
    return overflow_stack(arg) + frame[0];
}

static void user_faults_end_only_that_process(void) {
    static const struct {
        const char* what;
        int (*fn)(void*);
        int sig;
    } faults[] = {
        {"page fault (write to NULL)", null_write, SIGSEGV},
        {"page fault (kernel address)", kernel_read, SIGSEGV},
        {"#GP (hlt)", privileged, SIGSEGV},
        {"#GP (int $0x0d)", dpl0_interrupt, SIGSEGV},
        {"#UD (ud2)", undefined_opcode, SIGILL},
        {"divide error", divide_by_zero, SIGFPE},
        {"stack overflow", overflow_stack, SIGSEGV},
    };
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        const int status = run_child(faults[i].fn, 0);
        CHECK_KILLED(status, faults[i].sig);
        test_note("%s: %s", faults[i].what, strsignal(WTERMSIG(status)));
    }
    int code = 3; /* and we go on, forking as before */
    CHECK_EXITED(run_child(exit_code, &code), 3);
}

/* ---------------------------------------------------------------- helper modes */

static int helper(int argc, char** argv) {
    if (!strcmp(argv[1], "exec-check")) return exec_check(argc, argv);
    if (!strcmp(argv[1], "wait-for-eof") && argc > 2) {
        char c;
        const int fd = atoi(argv[2]);
        while (read(fd, &c, 1) > 0) {
        }
        return 0;
    }
    fprintf(stderr, "usage: %s [exec-check FD ARGS... | wait-for-eof FD]\n", argv[0]);
    return 2;
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 1) return helper(argc, argv);
    test_run("fork returns the child's pid and 0; memory is copied", fork_returns_pid_and_zero);
    test_run("getpid, getppid and gettid agree across three generations", pids_consistent_across_fork);
    test_run("exit, exit_group and _exit statuses reach waitpid", exit_statuses_reach_the_parent);
    test_run("wait4 zeroes the caller's rusage", wait4_clears_rusage);
    test_run("waitpid: a chosen child, any child, WNOHANG, ECHILD, EINVAL, EFAULT", waitpid_picks_and_fails_right);
    test_run("wait4 interrupted by a signal returns EINTR", wait4_interrupted_by_a_signal);
    test_run("vfork: the parent waits while the child uses its memory", vfork_shares_memory_until_exit);
    test_run("vfork: the parent resumes when the child execs", vfork_parent_resumes_at_exec);
    test_run("clone as glibc and musl fork", clone_like_glibc_fork);
    test_run("clone as vfork (CLONE_VM | CLONE_VFORK) on its own stack", clone_like_vfork);
    test_run("clone(CLONE_VM) without CLONE_VFORK shares memory", clone_vm_without_vfork);
    test_run("execve runs ELF64 and ELF32 with arguments and environment", execve_runs_elf64_and_elf32);
    test_run("execve failures return an error and keep the caller", execve_failures_keep_the_caller);
    test_run("kill: SIGTERM, SIGKILL, signal 0, ESRCH, EINVAL, zombies", kill_signals_and_errors);
    test_run("orphans are re-parented to init (pid 1)", orphans_go_to_init);
    test_run("a user fault ends only that process, with its signal", user_faults_end_only_that_process);
    return test_summary(sizeof(void*) == 8 ? "proc" : "proc32");
}
