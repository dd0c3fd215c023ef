/* runtests: the in-guest test runner. Runs every program in /test (or the
 * ones named), each in its own process with a time limit, passes their
 * output through while counting [OK] / [FAIL] / [SKIP] lines, and ends
 * with one summary line. Exit status 0 if every program exited 0.
 *
 *   runtests [-t SECONDS] [NAME...]
 *
 * The boot harness runs it as the first program: init=/bin/runtests. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROGRAMS 64

static int cases_passed, cases_failed, cases_skipped;

static int by_name(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

static void count_line(const char* line) {
    if (!strncmp(line, "[OK]", 4))
        cases_passed++;
    else if (!strncmp(line, "[FAIL]", 6))
        cases_failed++;
    else if (!strncmp(line, "[SKIP]", 6))
        cases_skipped++;
}

/* A program's output, passed through a line at a time so its [OK] /
 * [FAIL] / [SKIP] lines can be counted. */
struct output {
    char line[512];
    size_t used;
};

static void pass_through(struct output* out, const char* data, long n) {
    for (long i = 0; i < n; i++) {
        if (out->used < sizeof out->line - 1) out->line[out->used++] = data[i];
        if (data[i] == '\n') {
            out->line[out->used] = 0;
            fputs(out->line, stdout);
            count_line(out->line);
            out->used = 0;
        }
    }
    fflush(stdout);
}

static void on_child(int sig) {
    (void)sig; /* only interrupts the blocking read below */
}

/* Runs one program; returns its wait status (or -1 if it timed out).
 *
 * The runner blocks in read() on the program's output instead of polling:
 * a polling runner would make system calls all the time, which tests that
 * count the kernel's entries would see. A watchdog process sleeps for the
 * time limit; the SIGCHLD of the program or of the watchdog interrupts the
 * read (the handler has no SA_RESTART). */
static int run(const char* path, int limit_seconds) {
    int pipefd[2];
    if (pipe(pipefd) < 0) {
        perror("runtests: pipe");
        return -1;
    }
    /* The watchdog first: a test that counts processes or kernel memory
       must not see it appear while it runs. */
    const pid_t watchdog = fork();
    if (watchdog == 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        sleep((unsigned)limit_seconds);
        _exit(0);
    }
    const pid_t child = fork();
    if (child < 0) {
        perror("runtests: fork");
        if (watchdog > 0) {
            kill(watchdog, SIGKILL);
            waitpid(watchdog, 0, 0);
        }
        return -1;
    }
    if (child == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        char* argv[] = {(char*)path, 0};
        execv(path, argv);
        perror("runtests: exec");
        _exit(127);
    }
    close(pipefd[1]);

    struct output out = {.used = 0};
    char buf[256];
    int status = 0, timed_out = 0;
    for (;;) {
        const long n = read(pipefd[0], buf, sizeof buf);
        if (n > 0) {
            pass_through(&out, buf, n);
            continue;
        }
        if (n == 0) { /* every writer closed: the program is gone or going */
            waitpid(child, &status, 0);
            break;
        }
        /* EINTR: a SIGCHLD. The program ended (its children may still hold
         * the pipe), or the watchdog did: the time is up. */
        if (waitpid(child, &status, WNOHANG) == child) break;
        if (watchdog > 0 && waitpid(watchdog, 0, WNOHANG) == watchdog) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            timed_out = 1;
            break;
        }
    }
    if (watchdog > 0 && !timed_out) {
        kill(watchdog, SIGKILL);
        waitpid(watchdog, 0, 0);
    }
    /* Whatever is still in the pipe, and a last line without its newline. */
    fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    long n;
    while ((n = read(pipefd[0], buf, sizeof buf)) > 0) pass_through(&out, buf, n);
    if (out.used) pass_through(&out, "\n", 1);
    close(pipefd[0]);
    return timed_out ? -1 : status;
}

int main(int argc, char** argv) {
    int limit = 300;
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "-t")) {
        limit = atoi(argv[2]);
        first = 3;
    }
    char* names[MAX_PROGRAMS];
    int count = 0;
    if (first < argc) {
        for (int i = first; i < argc && count < MAX_PROGRAMS; i++) names[count++] = argv[i];
    } else {
        DIR* d = opendir("/test");
        if (!d) {
            perror("runtests: /test");
            return 2;
        }
        struct dirent* e;
        while ((e = readdir(d)) && count < MAX_PROGRAMS)
            if (e->d_name[0] != '.') names[count++] = strdup(e->d_name);
        closedir(d);
        qsort(names, (size_t)count, sizeof names[0], by_name);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_child; /* no SA_RESTART: it interrupts read() */
    sigaction(SIGCHLD, &sa, 0);

    int failed_programs = 0;
    for (int i = 0; i < count; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s", strchr(names[i], '/') ? "" : "/test/", names[i]);
        printf("=== %s\n", path);
        fflush(stdout);
        const int failed_before = cases_failed;
        const int status = run(path, limit);
        /* As the first program, runtests is init: orphans of the tests are
         * re-parented to it, and only it can reap them. */
        while (waitpid(-1, 0, WNOHANG) > 0) {
        }
        if (status != 0 && cases_failed == failed_before) cases_failed++; /* a crash counts as a case */
        if (status == -1) {
            printf("=== %s: FAILED (killed after %d s)\n", path, limit);
            failed_programs++;
        } else if (WIFSIGNALED(status)) {
            printf("=== %s: FAILED (%s)\n", path, strsignal(WTERMSIG(status)));
            failed_programs++;
        } else if (WEXITSTATUS(status)) {
            printf("=== %s: FAILED (exit %d)\n", path, WEXITSTATUS(status));
            failed_programs++;
        } else {
            printf("=== %s: ok\n", path);
        }
    }
    printf("runtests: %d programs, %d failed; cases: %d passed, %d failed, %d skipped\n", count, failed_programs,
           cases_passed, cases_failed, cases_skipped);
    fflush(stdout);
    return failed_programs ? 1 : 0;
}
