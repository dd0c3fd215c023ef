/* Hostile user mode, class 4: no kernel byte in anything the kernel
 * copies out.
 *
 * sysgate_ctl(SYSGATE_CTL_POISON_STACK, byte) makes the kernel fill the
 * unused part of this process's kernel stack with `byte` before each of
 * its later system calls, so any uninitialised stack byte that the kernel
 * copies out shows up as the pattern. Every copy-out is swept: the buffer
 * is filled with the complement of the pattern first, so a pattern byte
 * can only come from the kernel. A run of 4 or more pattern bytes, found
 * at the same place with two different patterns, is a leak. The signal
 * frames (64- and 32-bit, the FPU area and the padding included) are also
 * searched for kernel addresses (arch/x86/mm/layout.h). Built for 64- and
 * 32-bit: each sweeps its own ABI's calls. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

#define RUN_LENGTH 4
static const uint8_t patterns[2] = {0xc3, 0x96};

/* ---------------------------------------------------------------- scanning */

struct findings {
    char where[160]; /* offsets of pattern runs, "12-15 40-47" */
    int runs;
    size_t first, last; /* the first run's extent */
    int addresses;      /* kernel addresses */
    char address_text[96];
};

static void append(char* out, size_t size, const char* text) {
    const size_t used = strlen(out);
    if (used + strlen(text) + 1 < size) strcat(out, text);
}

/* Runs of RUN_LENGTH or more `pattern` bytes in buf[0, n). */
static void find_runs(const uint8_t* buf, size_t n, uint8_t pattern, struct findings* f) {
    for (size_t i = 0; i < n;) {
        if (buf[i] != pattern) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && buf[j] == pattern) j++;
        if (j - i >= RUN_LENGTH) {
            char text[32];
            snprintf(text, sizeof text, "%s%zu-%zu", f->runs ? " " : "", i, j - 1);
            append(f->where, sizeof f->where, text);
            if (!f->runs) f->first = i, f->last = j - 1;
            f->runs++;
        }
        i = j;
    }
}

/* 8-byte values at every 4-byte offset that point into the kernel. */
static void find_addresses(const uint8_t* buf, size_t n, struct findings* f) {
    for (size_t i = 0; i + 8 <= n; i += 4) {
        uint64_t v;
        memcpy(&v, buf + i, 8);
        if (!looks_like_kernel_address(v)) continue;
        if (f->addresses++ < 2) {
            char text[48];
            snprintf(text, sizeof text, "%s%#llx at %zu", f->addresses > 1 ? ", " : "", (unsigned long long)v, i);
            append(f->address_text, sizeof f->address_text, text);
        }
    }
}

/* ---------------------------------------------------------------- system calls */

#define CAPACITY 4096
#define SLACK 64
static uint8_t buffer[CAPACITY + SLACK] __attribute__((aligned(64)));

/* A probe makes one call that writes into buf and returns how many bytes
 * of buf it may have written (the rest must keep the fill), or -1 if the
 * call failed (errno set). */
struct probe {
    const char* name;
    long (*run)(uint8_t* buf);
};

static int leaking_calls, overrunning_calls;
static char leak_list[512];

static void sweep(const struct probe* p) {
    struct findings found[2];
    long extent[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        memset(&found[k], 0, sizeof found[k]);
        memset(buffer, (uint8_t)~patterns[k], sizeof buffer);
        sysgate_ctl(SYSGATE_CTL_POISON_STACK, patterns[k]);
        errno = 0;
        extent[k] = p->run(buffer);
        const int e = errno;
        sysgate_ctl(SYSGATE_CTL_POISON_STACK, 0);
        if (extent[k] < 0) {
            char what[96];
            snprintf(what, sizeof what, "%s failed: %s", p->name, strerror(e));
            check_failed(__FILE__, __LINE__, what, 0);
            return;
        }
        find_runs(buffer, sizeof buffer, patterns[k], &found[k]);
        find_addresses(buffer, sizeof buffer, &found[k]);
        size_t overrun = 0;
        const uint8_t fill = (uint8_t)~patterns[k];
        for (size_t i = (size_t)extent[k]; i < sizeof buffer; i++)
            if (buffer[i] != fill) overrun++;
        if (overrun && k == 0) {
            test_note("%s: %zu bytes written beyond the %ld the call reports", p->name, overrun, extent[k]);
            overrunning_calls++;
        }
    }
    const int leak = found[0].runs && found[1].runs && found[0].first <= found[1].last &&
                     found[1].first <= found[0].last; /* the same place with both patterns */
    if (leak) {
        test_note("%s LEAKS: kernel stack bytes at offsets %s (of %ld)", p->name, found[0].where, extent[0]);
        leaking_calls++;
        append(leak_list, sizeof leak_list, leak_list[0] ? ", " : "");
        append(leak_list, sizeof leak_list, p->name);
    }
    if (found[0].addresses) {
        test_note("%s: %d kernel addresses (%s)", p->name, found[0].addresses, found[0].address_text);
        if (!leak) {
            leaking_calls++;
            append(leak_list, sizeof leak_list, leak_list[0] ? ", " : "");
            append(leak_list, sizeof leak_list, p->name);
        }
    }
}

/* Results as probes report them. */
static long bytes_or_fail(long r, long bytes) {
    return r < 0 ? -1 : bytes;
}

static const char* const stat_paths[] = {"/etc/demo.sh", "/", "/dev/console", "/dev/zero"};
#define STAT_PATHS (int)(sizeof stat_paths / sizeof stat_paths[0])
static int stat_index;

#if defined(__x86_64__)
#define STAT_SIZE 144 /* struct stat, x86_64 */
static long p_stat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_stat, stat_paths[stat_index], b), STAT_SIZE);
}
static long p_lstat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_lstat, stat_paths[stat_index], b), STAT_SIZE);
}
static long p_newfstatat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_newfstatat, AT_FDCWD, stat_paths[stat_index], b, 0), STAT_SIZE);
}
static long p_fstat(uint8_t* b) {
    const int fd = open(stat_paths[stat_index], O_RDONLY);
    if (fd < 0) return -1;
    const long r = syscall(SYS_fstat, fd, b);
    close(fd);
    return bytes_or_fail(r, STAT_SIZE);
}
#else
#define STAT_SIZE 96 /* struct stat64, i386 */
static long p_stat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_stat64, stat_paths[stat_index], b), STAT_SIZE);
}
static long p_lstat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_lstat64, stat_paths[stat_index], b), STAT_SIZE);
}
static long p_newfstatat(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_fstatat64, AT_FDCWD, stat_paths[stat_index], b, 0), STAT_SIZE);
}
static long p_fstat(uint8_t* b) {
    const int fd = open(stat_paths[stat_index], O_RDONLY);
    if (fd < 0) return -1;
    const long r = syscall(SYS_fstat64, fd, b);
    close(fd);
    return bytes_or_fail(r, STAT_SIZE);
}
#endif

static long p_fstat_pipe(uint8_t* b) {
    int fds[2];
    if (pipe(fds) < 0) return -1;
#if defined(__x86_64__)
    const long r = syscall(SYS_fstat, fds[0], b);
#else
    const long r = syscall(SYS_fstat64, fds[0], b);
#endif
    close(fds[0]);
    close(fds[1]);
    return bytes_or_fail(r, STAT_SIZE);
}

static long p_getdents64(uint8_t* b) {
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    const long r = syscall(SYS_getdents64, fd, b, 1024);
    close(fd);
    return r;
}

static long p_sysgate_stats(uint8_t* b) {
    return bytes_or_fail(sysgate_stats((struct sysgate_stats*)b, sizeof(struct sysgate_stats)),
                         sizeof(struct sysgate_stats));
}

static long p_sysgate_procs(uint8_t* b) {
    const long n = sysgate_procs((struct sysgate_proc*)b, 16);
    return n < 0 ? -1 : (n < 16 ? n : 16) * (long)sizeof(struct sysgate_proc);
}

static long p_uname(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_uname, b), 6 * 65);
}

static long p_clock_gettime(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b), 2 * sizeof(long));
}
#if defined(__NR_clock_gettime64)
static long p_clock_gettime64(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_clock_gettime64, CLOCK_REALTIME, b), 16);
}
#endif

static long p_gettimeofday(uint8_t* b) {
    /* struct timeval at 0, struct timezone at 32 */
    return bytes_or_fail(syscall(SYS_gettimeofday, b, b + 32), 40);
}

static long p_time(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_time, b), sizeof(long));
}

static void on_usr2(int sig) {
    (void)sig;
}
static int kill_parent_soon(void* arg) {
    (void)arg;
    sleep_ms(30);
    kill(getppid(), SIGUSR2);
    return 0;
}
static long p_nanosleep_remaining(uint8_t* b) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2; /* no SA_RESTART: nanosleep fails with EINTR and writes the time left */
    sigaction(SIGUSR2, &sa, &old);
    const pid_t child = start_child(kill_parent_soon, 0);
    const long t[2] = {5, 0};
    const long r = syscall(SYS_nanosleep, t, b);
    const int e = errno;
    if (child > 0) reap(child);
    sigaction(SIGUSR2, &old, 0);
    if (r != -1 || e != EINTR) {
        errno = r == 0 ? ETIMEDOUT : e;
        return -1;
    }
    return 2 * sizeof(long);
}

static int exit_7(void* arg) {
    (void)arg;
    return 7;
}
static long p_wait4(uint8_t* b) {
    /* status at 0, struct rusage at 16 */
    const pid_t child = start_child(exit_7, 0);
    if (child < 0) return -1;
    const long r = syscall(SYS_wait4, child, b, 0, b + 16);
#if defined(__x86_64__)
    return bytes_or_fail(r, 16 + 144);
#else
    return bytes_or_fail(r, 16 + 72);
#endif
}
#if defined(__NR_waitpid)
static long p_waitpid(uint8_t* b) {
    const pid_t child = start_child(exit_7, 0);
    if (child < 0) return -1;
    return bytes_or_fail(syscall(SYS_waitpid, child, b, 0), 4);
}
#endif

static long p_sigaltstack(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_sigaltstack, 0, b), 3 * sizeof(long));
}

static long p_rt_sigaction(uint8_t* b) {
    /* handler, flags, restorer, mask: 32 bytes on x86_64, 20 on i386 */
    return bytes_or_fail(syscall(SYS_rt_sigaction, SIGUSR2, 0, b, 8), sizeof(long) == 8 ? 32 : 20);
}

static long p_rt_sigprocmask(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, b, 8), 8);
}

static long p_getcwd(uint8_t* b) {
    return syscall(SYS_getcwd, b, 256);
}

static long p_readlink(uint8_t* b) {
    /* The tree has no symbolic links: EINVAL, nothing written. */
    const long r = syscall(SYS_readlink, "/bin/sh", b, 256);
    return r >= 0 ? r : errno == EINVAL ? 0 : -1;
}

static long p_pipe(uint8_t* b) {
    const long r = syscall(SYS_pipe, b);
    if (r < 0) return -1;
    int fds[2];
    memcpy(fds, b, sizeof fds);
    close(fds[0]);
    close(fds[1]);
    return 8;
}

static long p_read_file(uint8_t* b) {
    const int fd = open("/etc/demo.sh", O_RDONLY);
    if (fd < 0) return -1;
    const long r = read(fd, b, 200);
    close(fd);
    return r;
}

static long p_read_pipe(uint8_t* b) {
    int fds[2];
    if (pipe(fds) < 0) return -1;
    write(fds[1], "through a pipe", 14);
    const long r = read(fds[0], b, 200);
    close(fds[0]);
    close(fds[1]);
    return r;
}

static long p_read_zero(uint8_t* b) {
    const int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0) return -1;
    const long r = read(fd, b, 200);
    close(fd);
    return r;
}

static int tls_entry = -1;
static long p_get_thread_area(uint8_t* b) {
    if (tls_entry < 0) tls_entry = tls_new_flat();
    if (tls_entry < 0) {
        errno = -tls_entry;
        return -1;
    }
    const unsigned entry = (unsigned)tls_entry;
    memcpy(b, &entry, 4); /* entry_number: an input */
    return bytes_or_fail(syscall(SYS_get_thread_area, b), 16);
}

#if defined(__NR__llseek)
static long p_llseek(uint8_t* b) {
    const int fd = open("/etc/demo.sh", O_RDONLY);
    if (fd < 0) return -1;
    const long r = syscall(SYS__llseek, fd, 0, 10, b, SEEK_SET);
    close(fd);
    return bytes_or_fail(r, 8);
}
#endif

static long p_getcpu(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_getcpu, b, b + 8, 0), 12);
}

#if defined(__x86_64__)
static long p_arch_prctl_fs(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_arch_prctl, 0x1003 /*ARCH_GET_FS*/, b), 8);
}
static long p_arch_prctl_gs(uint8_t* b) {
    return bytes_or_fail(syscall(SYS_arch_prctl, 0x1004 /*ARCH_GET_GS*/, b), 8);
}
#endif

static long console_ioctl(uint8_t* b, unsigned long request, long bytes) {
    const int fd = open("/dev/console", O_RDWR);
    if (fd < 0) return -1;
    const long r = syscall(SYS_ioctl, fd, request, b);
    close(fd);
    return bytes_or_fail(r, bytes);
}
static long p_tcgets(uint8_t* b) {
    return console_ioctl(b, 0x5401, 36); /* TCGETS: the kernel's struct termios */
}
static long p_tiocgwinsz(uint8_t* b) {
    return console_ioctl(b, 0x5413, 8);
}
static long p_tiocgpgrp(uint8_t* b) {
    return console_ioctl(b, 0x540f, 4);
}

static const struct probe path_probes[] = {
    {"stat", p_stat},
    {"lstat", p_lstat},
    {"newfstatat/fstatat64", p_newfstatat},
    {"fstat", p_fstat},
};

static const struct probe probes[] = {
    {"fstat of a pipe", p_fstat_pipe},
    {"getdents64", p_getdents64},
    {"sysgate_stats", p_sysgate_stats},
    {"sysgate_procs", p_sysgate_procs},
    {"uname", p_uname},
    {"clock_gettime", p_clock_gettime},
#if defined(__NR_clock_gettime64)
    {"clock_gettime64", p_clock_gettime64},
#endif
    {"gettimeofday", p_gettimeofday},
    {"time", p_time},
    {"nanosleep's remaining time", p_nanosleep_remaining},
    {"wait4 status and rusage", p_wait4},
#if defined(__NR_waitpid)
    {"waitpid", p_waitpid},
#endif
    {"sigaltstack's old stack", p_sigaltstack},
    {"rt_sigaction's old action", p_rt_sigaction},
    {"rt_sigprocmask's old mask", p_rt_sigprocmask},
    {"getcwd", p_getcwd},
    {"readlink", p_readlink},
    {"pipe's descriptors", p_pipe},
    {"read from a file", p_read_file},
    {"read from a pipe", p_read_pipe},
    {"read from /dev/zero", p_read_zero},
    {"get_thread_area", p_get_thread_area},
#if defined(__NR__llseek)
    {"_llseek's result", p_llseek},
#endif
    {"getcpu", p_getcpu},
#if defined(__x86_64__)
    {"arch_prctl(ARCH_GET_FS)", p_arch_prctl_fs},
    {"arch_prctl(ARCH_GET_GS)", p_arch_prctl_gs},
#endif
    {"ioctl(TCGETS)", p_tcgets},
    {"ioctl(TIOCGWINSZ)", p_tiocgwinsz},
    {"ioctl(TIOCGPGRP)", p_tiocgpgrp},
};

static int poison_available(void) {
    const long old = sysgate_ctl(SYSGATE_CTL_POISON_STACK, 0);
    if (old < 0) {
        test_skip("no sysgate_ctl(SYSGATE_CTL_POISON_STACK) here");
        return 0;
    }
    return 1;
}

static void system_calls_copy_out_no_kernel_bytes(void) {
    if (!poison_available()) return;
    leaking_calls = overrunning_calls = 0;
    leak_list[0] = 0;
    int swept = 0;
    for (stat_index = 0; stat_index < STAT_PATHS; stat_index++)
        for (unsigned i = 0; i < sizeof path_probes / sizeof path_probes[0]; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s(%s)", path_probes[i].name, stat_paths[stat_index]);
            const struct probe p = {name, path_probes[i].run};
            sweep(&p);
            swept++;
        }
    for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++, swept++) sweep(&probes[i]);
    test_note("%d calls swept with patterns %#x and %#x; %d leak, %d write past their result", swept, patterns[0],
              patterns[1], leaking_calls, overrunning_calls);
    if (leaking_calls) check_failed(__FILE__, __LINE__, "no call copies out kernel bytes", leak_list);
    CHECK_EQ(overrunning_calls, 0);
}

/* ---------------------------------------------------------------- signal frames */

static uint8_t altstack[16384] __attribute__((aligned(64)));
static uint8_t frame_copy[4096];
static volatile size_t frame_bytes;

/* The frame starts at the handler's return address: rt_sigframe is
 * {pretcode, ucontext, siginfo} on x86_64 and {pretcode, sig, pinfo, puc,
 * siginfo, ucontext, retcode} on i386 (Linux's arch/x86/include/asm/
 * sigframe.h); everything from there to the top of the alternate stack was
 * written by the kernel or still holds the fill. */
static void on_signal(int sig, siginfo_t* info, void* uc) {
    (void)sig;
#if defined(__x86_64__)
    const uint8_t* start = (const uint8_t*)uc - 8;
    (void)info;
#else
    const uint8_t* start = (const uint8_t*)info - 16;
    (void)uc;
#endif
    const uint8_t* top = altstack + sizeof altstack;
    size_t n = (size_t)(top - start);
    if (start < altstack || n > sizeof frame_copy) n = 0;
    memcpy(frame_copy, start, n);
    frame_bytes = n;
}

static void clear_vector_registers(void) {
#if defined(__x86_64__)
    /* So that no pattern byte the program itself computed with sits in
     * the XMM registers the frame's FPU area saves. */
    __asm__ volatile(
        "pxor %%xmm0, %%xmm0\n pxor %%xmm1, %%xmm1\n pxor %%xmm2, %%xmm2\n pxor %%xmm3, %%xmm3\n"
        "pxor %%xmm4, %%xmm4\n pxor %%xmm5, %%xmm5\n pxor %%xmm6, %%xmm6\n pxor %%xmm7, %%xmm7\n"
        "pxor %%xmm8, %%xmm8\n pxor %%xmm9, %%xmm9\n pxor %%xmm10, %%xmm10\n pxor %%xmm11, %%xmm11\n"
        "pxor %%xmm12, %%xmm12\n pxor %%xmm13, %%xmm13\n pxor %%xmm14, %%xmm14\n pxor %%xmm15, %%xmm15\n" ::
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
              "xmm13", "xmm14", "xmm15");
#endif
}

void leak_ud2(void);
__asm__(".text\n.globl leak_ud2\nleak_ud2: ud2\n ret\n");

static void skip_ud2(int sig, siginfo_t* info, void* uc) {
    on_signal(sig, info, uc);
    uc_set(uc, UC_IP, uc_get(uc, UC_IP) + 2);
}

enum frame_source { FROM_KILL, FROM_FAULT };

static void check_frame(enum frame_source source) {
    if (!poison_available()) return;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = source == FROM_KILL ? on_signal : skip_ud2;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    const int sig = source == FROM_KILL ? SIGUSR1 : SIGILL;
    CHECK_EQ(sigaction(sig, &sa, &old), 0);
    struct findings found[2];
    for (int k = 0; k < 2; k++) {
        memset(&found[k], 0, sizeof found[k]);
        memset(altstack, (uint8_t)~patterns[k], sizeof altstack);
        const stack_t ss = {altstack, 0, sizeof altstack};
        CHECK_EQ(sigaltstack(&ss, 0), 0);
        frame_bytes = 0;
        clear_vector_registers();
        sysgate_ctl(SYSGATE_CTL_POISON_STACK, patterns[k]);
        if (source == FROM_KILL) {
            kill(getpid(), SIGUSR1); /* delivered on the way out of this call */
        } else {
            getppid(); /* a poisoned call, then a fault on the same kernel stack */
            leak_ud2();
        }
        sysgate_ctl(SYSGATE_CTL_POISON_STACK, 0);
        const stack_t off = {0, SS_DISABLE, 0};
        sigaltstack(&off, 0);
        CHECK(frame_bytes > 0);
        find_runs(frame_copy, frame_bytes, patterns[k], &found[k]);
        find_addresses(frame_copy, frame_bytes, &found[k]);
    }
    sigaction(sig, &old, 0);
    const int leak =
        found[0].runs && found[1].runs && found[0].first <= found[1].last && found[1].first <= found[0].last;
    test_note("%zu bytes of %d-bit frame for %s: pattern runs at %s; %d kernel addresses%s%s", (size_t)frame_bytes,
              (int)sizeof(void*) * 8, source == FROM_KILL ? "SIGUSR1 from kill" : "SIGILL from ud2",
              found[0].runs ? found[0].where : "none", found[0].addresses, found[0].addresses ? ": " : "",
              found[0].address_text);
    if (leak) check_failed(__FILE__, __LINE__, "the signal frame holds no kernel stack bytes", found[0].where);
    CHECK_EQ(found[0].addresses, 0);
    CHECK_EQ(found[1].addresses, 0);
}

static void frame_from_kill(void) {
    check_frame(FROM_KILL);
}
static void frame_from_fault(void) {
    check_frame(FROM_FAULT);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    hostile_run("a signal frame (from kill) holds no kernel bytes", frame_from_kill);
    hostile_run("a signal frame (from a fault) holds no kernel bytes", frame_from_fault);
    hostile_run("no system call copies out kernel bytes", system_calls_copy_out_no_kernel_bytes);
    return test_summary(sizeof(void*) == 8 ? "hostile_leaks" : "hostile_leaks32");
}
