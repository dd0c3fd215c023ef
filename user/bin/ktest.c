/* ktest: runs Linux's own x86 selftests (tools/testing/selftests/x86, built
 * by tests/boot/selftests/selftests.mk) one after the other, each in its own
 * process under a time limit, and says how each ended. The host
 * (tests/boot/selftests/run) reads the serial log, counts each program's
 * [OK] / [FAIL] / [SKIP] lines and compares them with the expectations file.
 *
 *   ktest [-t SECONDS] [-m] [-x NAME]... [DIR | PROGRAM...]   (default DIR: /selftests)
 *
 *   DIR and PROGRAM are paths (they contain a slash); other words are
 *   ignored, since Linux passes init the command-line words it does not know
 *
 *   -t SECONDS  kill a program that runs longer (default 30) and report it
 *               as timed out
 *   -x NAME     do not run NAME (repeatable): its RESULT says "notrun"; for
 *               a program that brings the kernel down (scripts/selftests-linux)
 *   -m          first mount proc on /proc and devtmpfs on /dev: for Linux,
 *               whose bare initramfs has neither (scripts/selftests-linux)
 *
 * The same static binary runs as init on Sysgate and on Linux, so both
 * kernels' results come from the same code. Per program it prints
 *
 *   === ktest: run NAME
 *   ...the program's output...
 *   ktest: RESULT NAME STATUS seconds=S.SS
 *
 * where STATUS is exit:N, signal:NAME (the signal that killed it), timeout
 * or notrun (-x); at the end `ktest: done, N programs`.
 *
 * The programs write to the console themselves, as when run by hand at a
 * terminal, not into a pipe: with a pipe, glibc buffers their stdout fully
 * instead of by line, so a forked child that exits through exit() prints
 * its copy of the parent's unflushed lines a second time (extra [OK]
 * lines), and a program that crashes loses what it had not flushed. The
 * console's TCGETS makes glibc buffer by line. So the counting is the
 * host's, on the serial log.
 *
 * Exit status 0 when every program ran (whatever its result), 2 on usage
 * errors: the verdict is the host's. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROGRAMS 128

/* ---------------------------------------------------------------- running */
static double seconds_since(const struct timespec* start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static const char* signal_name(int sig) {
    static const char* const names[] = {
        "0",         "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
    };
    static char other[16];
    if (sig > 0 && sig < (int)(sizeof names / sizeof names[0])) return names[sig];
    snprintf(other, sizeof other, "%d", sig);
    return other;
}

/* What a test left behind (children it forked and never reaped, now ours
 * as init's) must not run into the next test: kill(-1) reaches every
 * process but init and the caller, on Linux and on Sysgate. */
static void kill_leftovers(void) {
    kill(-1, SIGKILL);
    /* A killed process may take a moment to become a zombie. */
    for (int tries = 0; tries < 5; tries++) {
        while (waitpid(-1, 0, WNOHANG) > 0) {
        }
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, 0);
    }
}

/* Runs one program and prints its RESULT line. */
static void run(const char* path, const char* name, int limit_seconds) {
    printf("=== ktest: run %s\n", name);
    fflush(stdout);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const pid_t child = fork();
    if (child < 0) {
        printf("ktest: RESULT %s error:fork seconds=0.00\n", name);
        return;
    }
    if (child == 0) {
        char* argv[] = {(char*)path, 0};
        execv(path, argv);
        printf("ktest: cannot run %s: %s\n", path, strerror(errno));
        fflush(stdout);
        _exit(127);
    }
    int status = 0, timed_out = 0;
    while (waitpid(child, &status, WNOHANG) != child) {
        if (seconds_since(&start) > limit_seconds) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            timed_out = 1;
            break;
        }
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, 0);
    }
    const double took = seconds_since(&start);
    kill_leftovers();

    char how[32];
    if (timed_out)
        snprintf(how, sizeof how, "timeout");
    else if (WIFSIGNALED(status))
        snprintf(how, sizeof how, "signal:%s", signal_name(WTERMSIG(status)));
    else
        snprintf(how, sizeof how, "exit:%d", WEXITSTATUS(status));
    const int centis = (int)(took * 100 + 0.5);
    /* A newline first: the program may have left half a line. */
    printf("\nktest: RESULT %s %s seconds=%d.%02d\n", name, how, centis / 100, centis % 100);
    fflush(stdout);
}

/* ---------------------------------------------------------------- Linux's mounts */
#ifdef __x86_64__
#define NR_MKDIR 83
#define NR_MOUNT 165
#else
#define NR_MKDIR 39
#define NR_MOUNT 21
#endif

static void mount_linux(const char* source, const char* target, const char* type) {
    syscall(NR_MKDIR, target, 0755);
    if (syscall(NR_MOUNT, source, target, type, 0L, 0L) < 0)
        printf("ktest: cannot mount %s on %s: %s\n", type, target, strerror(errno));
}

/* ---------------------------------------------------------------- main */
static int by_name(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

static int usage(void) {
    fputs("usage: ktest [-t SECONDS] [-m] [-x NAME]... [DIR | PROGRAM...]\n", stderr);
    return 2;
}

int main(int argc, char** argv) {
    int limit = 30, mounts = 0, excluded = 0, named = 0;
    const char* exclude[16];
    const char* dir = "/selftests";
    static char* paths[MAX_PROGRAMS];
    int count = 0;
    /* Options may come anywhere: Linux puts the kernel command-line words
     * it does not know (nosmap...) in front of the ones after "--". A
     * directory or program is a path; any other word is not ours. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            limit = atoi(argv[++i]);
            if (limit <= 0) return usage();
        } else if (!strcmp(argv[i], "-x") && i + 1 < argc && excluded < 16) {
            exclude[excluded++] = argv[++i];
        } else if (!strcmp(argv[i], "-m")) {
            mounts = 1;
        } else if (argv[i][0] == '-') {
            return usage();
        } else if (strchr(argv[i], '/')) {
            if (named < MAX_PROGRAMS) paths[named++] = argv[i];
        } else {
            printf("ktest: ignoring '%s' (not a path)\n", argv[i]);
        }
    }
    if (mounts) {
        mount_linux("proc", "/proc", "proc");
        mount_linux("devtmpfs", "/dev", "devtmpfs");
    }
    if (named == 1) {
        DIR* probe = opendir(paths[0]);
        if (probe) {
            closedir(probe);
            dir = paths[0];
            named = 0;
        }
    }
    if (named) {
        count = named;
    } else {
        DIR* d = opendir(dir);
        if (!d) {
            printf("ktest: cannot open %s: %s\n", dir, strerror(errno));
            return 2;
        }
        struct dirent* e;
        while ((e = readdir(d)) && count < MAX_PROGRAMS) {
            if (e->d_name[0] == '.') continue;
            char* path = malloc(strlen(dir) + strlen(e->d_name) + 2);
            sprintf(path, "%s/%s", dir, e->d_name);
            paths[count++] = path;
        }
        closedir(d);
        qsort(paths, (size_t)count, sizeof paths[0], by_name);
    }

    printf("ktest: %d programs, time limit %d s each\n", count, limit);
    fflush(stdout);
    for (int k = 0; k < count; k++) {
        const char* slash = strrchr(paths[k], '/');
        const char* name = slash ? slash + 1 : paths[k];
        int skip = 0;
        for (int x = 0; x < excluded; x++) skip |= !strcmp(exclude[x], name);
        if (skip) {
            printf("=== ktest: run %s\nktest: RESULT %s notrun seconds=0.00\n", name, name);
            fflush(stdout);
            continue;
        }
        run(paths[k], name, limit);
    }
    printf("ktest: done, %d programs\n", count);
    fflush(stdout);
    return 0;
}
