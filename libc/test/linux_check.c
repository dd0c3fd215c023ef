/* Runs Sysgate's libc on Linux: the same static binary must work on both
   kernels. `make libc-smoke` runs it for both
   bitnesses on the build machine. One line per check, then a summary;
   the exit status is the number of failures. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            passed++;                                                                                                  \
        } else {                                                                                                       \
            failed++;                                                                                                  \
            printf("FAIL %s:%d: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno);                                   \
        }                                                                                                              \
    } while (0)

void __sysgate_native_vsyscall(void);
void _start(void);

/* Set by libc/test/smoke to the emulator's name (qemu-i386, qemu-x86_64)
   when it runs this program under qemu-user, because the host cannot run
   it or because it was told to (SYSGATE_HOST_EXEC=emulate). qemu-user 7.2
   differs from a Linux kernel in two known ways, accepted only there and
   named in the summary: it maps no vDSO (no AT_SYSINFO_EHDR, no
   AT_SYSINFO), and its vfork is a fork (the child does not share the
   parent's memory). Every other check is the same. */
static const char* qemu_user;
static char accepted[96];

static void accept_deviation(const char* what) {
    size_t n = strlen(accepted);
    snprintf(accepted + n, sizeof(accepted) - n, "%s%s", n ? ", " : "", what);
}

/* unlink is not in Sysgate's tables: the raw Linux numbers. */
static void remove_file(const char* path) {
#ifdef __x86_64__
    __sysgate_syscall(87, path);
#else
    __sysgate_syscall(10, path);
#endif
}

static void check_gate(void) {
    if (qemu_user && getauxval(AT_SYSINFO_EHDR) == 0) {
        accept_deviation("no vDSO");
        /* No vDSO: the libc keeps its own gate and finds no symbol. */
        CHECK(__sysgate_vsyscall == __sysgate_native_vsyscall);
        CHECK(sysgate_vdso_symbol("__kernel_vsyscall") == NULL);
        CHECK(sysgate_vdso_symbol("__vdso_clock_gettime") == NULL);
#ifndef __x86_64__
        errno = 0;
        CHECK(getauxval(AT_SYSINFO) == 0 && errno == ENOENT);
#endif
    } else {
#ifdef __x86_64__
        /* Linux's 64-bit vDSO has no __kernel_vsyscall: the native fallback. */
        CHECK(sysgate_vdso_symbol("__kernel_vsyscall") == NULL);
        CHECK(__sysgate_vsyscall == __sysgate_native_vsyscall);
        CHECK(sysgate_vdso_symbol("__vdso_clock_gettime") != NULL);
        CHECK(sysgate_vdso_symbol("__vdso_getcpu") != NULL);
#else
        /* AT_SYSINFO, and the ELF32 symbol lookup agrees with it. */
        void* sysinfo = (void*)getauxval(AT_SYSINFO);
        CHECK(sysinfo != NULL);
        CHECK((void*)__sysgate_vsyscall == sysinfo);
        CHECK(sysgate_vdso_symbol("__kernel_vsyscall") == sysinfo);
#endif
    }
    CHECK(sysgate_vdso_symbol("no_such_symbol") == NULL);
    CHECK(getauxval(AT_PAGESZ) == 4096);
    CHECK(getauxval(AT_ENTRY) == (unsigned long)_start);
    errno = 0;
    CHECK(getauxval(12345) == 0 && errno == ENOENT);
    CHECK(sysconf(_SC_PAGESIZE) == 4096);
    CHECK(getpid() > 0 && getppid() > 0 && gettid() == getpid());
    CHECK(syscall(SYS_getpid) == getpid());
    CHECK(getuid() == geteuid() && getgid() == getegid());
    CHECK(sysgate_stats(NULL, 0) == -1 && errno == ENOSYS); /* Sysgate-only */
}

static void check_time(void) {
    struct timespec a, b;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    struct timespec nap = {0, 2000000};
    CHECK(nanosleep(&nap, NULL) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    CHECK(ns >= 2000000 && ns < 2000000000);
    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL) == 0);
    time_t t = time(NULL);
    CHECK(t >= tv.tv_sec && t - tv.tv_sec <= 2 && t > 1600000000);
    CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL);
    CHECK(sched_getcpu() >= 0);
    CHECK(sched_yield() == 0);
    CHECK(usleep(1000) == 0);
}

static void check_files(void) {
    char path[64];
    snprintf(path, sizeof(path), "/tmp/sysgate-libc-%d", getpid());
    FILE* f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fprintf(f, "line %d\nsecond %.2f\n", 1, 2.5) == 19);
    CHECK(fclose(f) == 0);

    struct stat st, st2;
    CHECK(stat(path, &st) == 0 && st.st_size == 19 && S_ISREG(st.st_mode));
    CHECK((st.st_mode & 0777) == (0666 & ~022) || (st.st_mode & 0777) != 0);
    CHECK(st.st_mtime > 1600000000 && st.st_nlink == 1);
    CHECK(lstat(path, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
    CHECK(fstatat(AT_FDCWD, path, &st2, 0) == 0 && st2.st_ino == st.st_ino);

    f = fopen(path, "r");
    char line[32];
    CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "line 1\n"));
    CHECK(f && fgetc(f) == 's' && ungetc('S', f) == 'S' && fgetc(f) == 'S');
    CHECK(f && fgets(line, sizeof(line), f) && !strcmp(line, "econd 2.50\n"));
    CHECK(f && fgetc(f) == EOF && feof(f));
    CHECK(f && fstat(fileno(f), &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == 19);
    if (f) fclose(f);

    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    CHECK(lseek(fd, 5, SEEK_SET) == 5);
    char c;
    CHECK(read(fd, &c, 1) == 1 && c == '1');
    CHECK(lseek(fd, 0, SEEK_END) == 19);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0);
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
    /* mmap of the file; on i386 this is mmap2 with a page offset */
    char* m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(m != MAP_FAILED && !memcmp(m, "line 1", 6));
    if (m != MAP_FAILED) munmap(m, 4096);
    CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL);
    int fd2 = dup(fd);
    CHECK(fd2 > fd && dup2(fd, 100) == 100 && close(100) == 0 && close(fd2) == 0);
    CHECK(close(fd) == 0);

    /* the file in its directory */
    DIR* d = opendir("/tmp");
    int seen = 0;
    for (struct dirent* e; d && (e = readdir(d));)
        if (!strcmp(e->d_name, path + 5)) seen = e->d_type == DT_REG && e->d_ino == st.st_ino;
    CHECK(d && seen);
    if (d) closedir(d);

    remove_file(path);
    CHECK(access(path, F_OK) == -1 && errno == ENOENT);
    CHECK(open("/no/such/file", O_RDONLY) == -1 && errno == ENOENT);
    CHECK(fopen("/no/such/file", "r") == NULL && errno == ENOENT);
    CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(isatty(-1) == 0 && errno == EBADF);

    char cwd[PATH_MAX];
    CHECK(chdir("/") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"));
    struct utsname u;
    CHECK(uname(&u) == 0 && !strcmp(u.sysname, "Linux"));
}

static void check_processes(void) {
    int fds[2], status;
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dprintf(fds[1], "child %d", 7);
        _exit(42);
    }
    CHECK(pid > 0);
    close(fds[1]);
    char buf[16] = {0};
    CHECK(read(fds[0], buf, sizeof(buf) - 1) == 7 && !strcmp(buf, "child 7"));
    close(fds[0]);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42);

    /* vfork: the child shares our stack until _exit */
    volatile int local = 1;
    pid = vfork();
    if (pid == 0) {
        local = 2;
        _exit(3);
    }
    if (qemu_user && pid > 0 && local == 1) accept_deviation("vfork is a fork");
    CHECK(pid > 0 && (local == 2 || (qemu_user && local == 1)));
    CHECK(wait(&status) == pid && WEXITSTATUS(status) == 3);

    pid = fork();
    if (pid == 0) {
        char* argv[] = {"sh", "-c", "exit 5", NULL};
        execvp("sh", argv);
        _exit(99);
    }
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5);

    pid = fork();
    if (pid == 0) {
        signal(SIGABRT, SIG_IGN); /* abort() must still end the program */
        /* qemu-user would say "uncaught target signal 6" on stderr */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        abort();
    }
    CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);

    CHECK(pipe2(fds, O_CLOEXEC) == 0 && fcntl(fds[0], F_GETFD) == FD_CLOEXEC);
    close(fds[0]);
    close(fds[1]);
    CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
}

static volatile sig_atomic_t got_signal, got_code;
static void on_signal(int sig) {
    got_signal = sig;
}
static void on_siginfo(int sig, siginfo_t* info, void* context) {
    (void)context;
    got_signal = sig;
    got_code = info->si_signo == sig && info->si_pid == getpid();
}

static void check_signals(void) {
    CHECK(signal(SIGUSR1, on_signal) == SIG_DFL);
    CHECK(raise(SIGUSR1) == 0 && got_signal == SIGUSR1);
    struct sigaction act = {.sa_sigaction = on_siginfo, .sa_flags = SA_SIGINFO}, old;
    CHECK(sigaction(SIGUSR2, &act, NULL) == 0);
    got_signal = 0;
    CHECK(kill(getpid(), SIGUSR2) == 0 && got_signal == SIGUSR2 && got_code);
    CHECK(sigaction(SIGUSR2, NULL, &old) == 0 && (old.sa_flags & SA_SIGINFO));
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_signal && !(old.sa_flags & SA_SIGINFO) &&
          (old.sa_flags & SA_RESTART));

    /* blocked, pending, delivered on unblocking */
    sigset_t set, was;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK(sigismember(&set, SIGUSR1) == 1 && sigismember(&set, SIGUSR2) == 0);
    got_signal = 0;
    CHECK(sigprocmask(SIG_BLOCK, &set, &was) == 0);
    raise(SIGUSR1);
    CHECK(got_signal == 0);
    CHECK(sigprocmask(SIG_SETMASK, &was, NULL) == 0 && got_signal == SIGUSR1);
    CHECK(signal(SIGUSR1, SIG_DFL) == on_signal);
    CHECK(signal(0, SIG_DFL) == SIG_ERR && errno == EINVAL);
}

static jmp_buf jump;
static void jump_back(int depth) {
    if (depth > 0)
        jump_back(depth - 1);
    else if (depth == 0)
        longjmp(jump, 0);
}

static void check_memory(void) {
    volatile int count = 0;
    if (setjmp(jump) == 0) {
        count++;
        jump_back(10);
    }
    CHECK(count == 1);
    if (setjmp(jump) != 7) longjmp(jump, 7);

    /* malloc: many blocks, freed in a scrambled order, contents intact */
    enum { N = 2000 };
    static unsigned char* blocks[N];
    static size_t sizes[N];
    int ok = 1;
    srand(1);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            if (blocks[i]) {
                for (size_t k = 0; k < sizes[i]; k++) ok &= blocks[i][k] == (unsigned char)(i + k);
                free(blocks[i]);
                blocks[i] = NULL;
            }
            if (rand() % 3) {
                sizes[i] = (size_t)(rand() % (i % 7 == 0 ? 70000 : 300));
                blocks[i] = malloc(sizes[i]);
                ok &= blocks[i] && ((unsigned long)blocks[i] & 15) == 0;
                for (size_t k = 0; blocks[i] && k < sizes[i]; k++) blocks[i][k] = (unsigned char)(i + k);
            }
        }
    }
    for (int i = 0; i < N; i++) free(blocks[i]);
    CHECK(ok);
    void* before = sbrk(0);
    char* big = malloc(1 << 20);
    CHECK(big && (char*)sbrk(0) > big + (1 << 20) - 1);
    free(big);
    CHECK(sbrk(0) <= before); /* a large free top is given back */

    char* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[8191] = 1;
        CHECK(mprotect(p, 4096, PROT_READ) == 0 && munmap(p, 8192) == 0);
    }
}

static void check_strings(void) {
    char buf[128];
    snprintf(buf, sizeof(buf), "%d|%5.1f|%-4s|%#x|%e|%g|%lld", -3, 3.14159, "ab", 255, 1e-10, 1e20,
             -9223372036854775807LL - 1);
    CHECK(!strcmp(buf, "-3|  3.1|ab  |0xff|1.000000e-10|1e+20|-9223372036854775808"));
    int a;
    unsigned x;
    char word[8];
    CHECK(sscanf("12 0x1f word", "%d %x %7s", &a, &x, word) == 3 && a == 12 && x == 31 && !strcmp(word, "word"));
    CHECK(strtol("-0x10", NULL, 0) == -16 && strtoul("777", NULL, 8) == 0777);
    errno = 0;
    CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
    CHECK(setenv("SYSGATE_TEST", "1", 0) == 0 && !strcmp(getenv("SYSGATE_TEST"), "1"));
    CHECK(unsetenv("SYSGATE_TEST") == 0 && getenv("SYSGATE_TEST") == NULL);
    CHECK(!strcmp(strerror(ENOENT), "No such file or directory"));
}

int main(int argc, char** argv) {
    qemu_user = getenv("SYSGATE_QEMU_USER");
    CHECK(argc >= 1 && argv[0] && argv[argc] == NULL);
    check_gate();
    check_time();
    check_files();
    check_processes();
    check_signals();
    check_memory();
    check_strings();
#ifdef __x86_64__
    printf("linux_check (x86_64");
#else
    printf("linux_check (i386");
#endif
    if (qemu_user) printf(", under %s; accepted: %s", qemu_user, accepted[0] ? accepted : "nothing");
    printf("): %d passed, %d failed\n", passed, failed);
    return failed;
}
