/* Helpers shared by the process, file, memory and stress tests: errno
 * checks, children that report through their exit status, wait-status
 * checks, the kernel's memory counters, a raw clone. */
#ifndef SYSGATE_TEST_HELPERS_H
#define SYSGATE_TEST_HELPERS_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"

/* A call that must fail the libc way: -1 with errno == err. */
void check_failed_errno(const char* file, int line, const char* expression, long result, int got, int want);
#define CHECK_ERRNO(expr, err)                                                                                         \
    do {                                                                                                               \
        errno = 0;                                                                                                     \
        const long check_r_ = (long)(expr);                                                                            \
        const int check_e_ = errno;                                                                                    \
        if (check_r_ != -1 || check_e_ != (err))                                                                       \
            check_failed_errno(__FILE__, __LINE__, #expr, check_r_, check_e_, (err));                                  \
    } while (0)

/* A wait status as a shell would see it. */
void check_exited(const char* file, int line, int status, int code);
void check_killed(const char* file, int line, int status, int sig);
#define CHECK_EXITED(status, code) check_exited(__FILE__, __LINE__, (status), (code))
#define CHECK_KILLED(status, sig) check_killed(__FILE__, __LINE__, (status), (sig))

/* Checks inside a child process: the message goes straight to stdout (no
 * stdio buffer to lose at _exit) and run_child() turns any failure into
 * exit status CHILD_FAILED. */
#define CHILD_FAILED 99
void child_check_failed(const char* file, int line, const char* expression, long long a, long long b);
#define CHILD_CHECK(cond)                                                                                              \
    do {                                                                                                               \
        if (!(cond)) child_check_failed(__FILE__, __LINE__, #cond, 0, 0);                                              \
    } while (0)
#define CHILD_CHECK_EQ(a, b)                                                                                           \
    do {                                                                                                               \
        const long long child_a_ = (long long)(a), child_b_ = (long long)(b);                                          \
        if (child_a_ != child_b_) child_check_failed(__FILE__, __LINE__, #a " == " #b, child_a_, child_b_);            \
    } while (0)

/* Forks; the child runs fn(arg) and _exits with its result (CHILD_FAILED
 * if a CHILD_CHECK failed). Returns the child's wait status, or -1 if
 * fork or waitpid failed (recorded as a failure). */
int run_child(int (*fn)(void* arg), void* arg);
/* Forks a child that runs fn(arg) and _exits; returns its pid (no wait). */
pid_t start_child(int (*fn)(void* arg), void* arg);
/* waitpid(pid) that records a failure if it does not reap pid; the status. */
int reap(pid_t pid);

/* This program's path (argv[0]) and the same test in the other bitness
 * (/test/NAME <-> /test/NAME32). set_program() is called from main. */
void set_program(const char* argv0);
const char* program_path(void);
const char* other_bitness_path(void);

/* The kernel's counters (sysgate_stats). */
uint64_t free_frames(void);
uint64_t kernel_heap_bytes(void);
uint64_t processes_in_table(void);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t monotonic_ns(void);

/* Addresses no system call may read or write: unmapped low memory and
 * the kernel's (the top page on i386). Functions, so the compiler does
 * not see the constant and refuse the call. */
void* unmapped_address(void);
void* kernel_address(void);
#define UNMAPPED_ADDRESS (unmapped_address())
#define KERNEL_ADDRESS (kernel_address())

/* The raw clone system call with a child stack: the child starts on
 * `stack_top`, runs fn(arg) there and exits with its result (clone64.asm,
 * clone32.asm). Returns the child's pid or -errno, as the kernel does. */
long test_clone(unsigned long flags, void* stack_top, int* parent_tid, int* child_tid, int (*fn)(void* arg), void* arg);
/* The same with CLONE_SETTLS's argument (the FS base on x86_64, a struct
 * user_desc pointer on i386). */
long test_clone_tls(unsigned long flags, void* stack_top, int* parent_tid, int* child_tid, unsigned long tls,
                    int (*fn)(void* arg), void* arg);

#endif
