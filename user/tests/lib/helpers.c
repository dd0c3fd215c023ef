#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

void check_failed_errno(const char* file, int line, const char* expression, long result, int got, int want) {
    char details[128];
    snprintf(details, sizeof details, "returned %ld, errno %d (%s); expected -1, errno %d (%s)", result, got,
             strerror(got), want, strerror(want));
    check_failed(file, line, expression, details);
}

static void describe_status(int status, char* out, size_t size) {
    if (status == -1)
        snprintf(out, size, "no status (fork or wait failed)");
    else if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "wait status %#x", status);
}

void check_exited(const char* file, int line, int status, int code) {
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code) return;
    char got[80], details[200];
    describe_status(status, got, sizeof got);
    snprintf(details, sizeof details, "the child %s; expected exit status %d%s", got, code,
             status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == CHILD_FAILED
                 ? " (a check in the child failed, see above)"
                 : "");
    check_failed(file, line, "exit status", details);
}

void check_killed(const char* file, int line, int status, int sig) {
    if (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig) return;
    char got[80], details[200];
    describe_status(status, got, sizeof got);
    snprintf(details, sizeof details, "the child %s; expected to be killed by %s", got, strsignal(sig));
    check_failed(file, line, "termination signal", details);
}

static int child_failures;

void child_check_failed(const char* file, int line, const char* expression, long long a, long long b) {
    child_failures++;
    if (a || b)
        dprintf(1, "    (child %d) %s:%d: CHECK(%s) failed: %lld (%#llx) vs %lld (%#llx)\n", (int)getpid(), file, line,
                expression, a, (unsigned long long)a, b, (unsigned long long)b);
    else
        dprintf(1, "    (child %d) %s:%d: CHECK(%s) failed\n", (int)getpid(), file, line, expression);
}

pid_t start_child(int (*fn)(void* arg), void* arg) {
    fflush(stdout); /* or the child would print our buffered lines again */
    const pid_t pid = fork();
    if (pid == 0) {
        child_failures = 0;
        const int r = fn(arg);
        _exit(child_failures ? CHILD_FAILED : r);
    }
    if (pid < 0) check_failed(__FILE__, __LINE__, "fork()", strerror(errno));
    return pid;
}

int reap(pid_t pid) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, 0);
    if (r != pid) {
        check_failed_values(__FILE__, __LINE__, "waitpid(pid) == pid", r, pid);
        return -1;
    }
    return status;
}

int run_child(int (*fn)(void* arg), void* arg) {
    const pid_t pid = start_child(fn, arg);
    return pid < 0 ? -1 : reap(pid);
}

static char program[64] = "/test/unknown";
static char other[sizeof program + 2] = "/test/unknown32";

void set_program(const char* argv0) {
    snprintf(program, sizeof program, "%s", argv0);
    const size_t n = strlen(program);
    if (n > 2 && !strcmp(program + n - 2, "32"))
        snprintf(other, sizeof other, "%.*s", (int)n - 2, program);
    else
        snprintf(other, sizeof other, "%s32", program);
}

const char* program_path(void) {
    return program;
}
const char* other_bitness_path(void) {
    return other;
}

static struct sysgate_stats read_stats(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    sysgate_stats(&s, sizeof s);
    return s;
}

uint64_t free_frames(void) {
    return read_stats().free_frames;
}
uint64_t kernel_heap_bytes(void) {
    return read_stats().heap_bytes;
}
uint64_t processes_in_table(void) {
    return read_stats().processes;
}

void* unmapped_address(void) {
    return (void*)0x10;
}
#if defined(__x86_64__)
void* kernel_address(void) {
    return (void*)0xffffffff80000000ul;
}
#else
void* kernel_address(void) {
    return (void*)0xfffff000u;
}
#endif

uint64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
