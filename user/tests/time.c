/* Time, thread-local storage and identity (the issue-3 calls gates.c does
 * not cover): uname, clock_gettime/gettimeofday/time through the system
 * call and the vDSO, nanosleep (its EINTR path too), sched_yield, getcpu,
 * arch_prctl, set_thread_area/get_thread_area, set_tid_address, gettid,
 * the uid/gid calls, sysgate_stats and sysgate_ctl. Built for 64- and
 * 32-bit; `time tls-check` is the program the execve case runs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define NS 1000000000ll

static long long ts_ns(const struct timespec* t) {
    return (long long)t->tv_sec * NS + t->tv_nsec;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

/* ---------------------------------------------------------------- uname */

static void uname_names_the_system(void) {
    struct utsname u;
    memset(&u, 0x7f, sizeof u);
    CHECK_EQ(uname(&u), 0);
    CHECK(!strcmp(u.sysname, "Sysgate"));
    CHECK(!strcmp(u.machine, sizeof(void*) == 8 ? "x86_64" : "i686")); /* the caller's ABI */
    CHECK(u.release[0] != 0);
    const char* fields[] = {u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname};
    for (int i = 0; i < 6; i++) CHECK(memchr(fields[i], 0, 65) != 0); /* each one terminated */
    CHECK_ERRNO(uname((struct utsname*)UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(uname((struct utsname*)KERNEL_ADDRESS), EFAULT);
    test_note("%s %s %s %s", u.sysname, u.release, u.version, u.machine);
}

/* ---------------------------------------------------------------- clocks */

/* The system call, whatever libc prefers. */
static int sys_clock(int clock, struct timespec* t) {
    return (int)syscall(SYS_clock_gettime, clock, t);
}

static void clocks_agree(void) {
    int (*vdso_clock)(int, struct timespec*) =
        (int (*)(int, struct timespec*))sysgate_vdso_symbol("__vdso_clock_gettime");
    int (*vdso_tod)(struct timeval*, void*) =
        (int (*)(struct timeval*, void*))sysgate_vdso_symbol("__vdso_gettimeofday");
    time_t (*vdso_time)(time_t*) = (time_t(*)(time_t*))sysgate_vdso_symbol("__vdso_time");
#if defined(__x86_64__)
    CHECK(vdso_clock && vdso_tod && vdso_time); /* the 64-bit vDSO has them (docs/gates.md, "the vDSO") */
#else
    CHECK(!vdso_clock && !vdso_tod && !vdso_time); /* the 32-bit one only __kernel_vsyscall */
    test_note("i386: the libc reads the clocks through the system call");
#endif
    static const int clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME,         CLOCK_MONOTONIC_RAW,
                                 CLOCK_BOOTTIME,  CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_COARSE};
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        /* Interleaved: libc (vDSO on x86_64), system call, libc again. */
        struct timespec a, b, c;
        CHECK_EQ(clock_gettime(clocks[i], &a), 0);
        CHECK_EQ(sys_clock(clocks[i], &b), 0);
        CHECK_EQ(clock_gettime(clocks[i], &c), 0);
        if (vdso_clock) CHECK_EQ(vdso_clock(clocks[i], &c), 0);
        CHECK(ts_ns(&a) <= ts_ns(&b));
        CHECK(ts_ns(&b) <= ts_ns(&c));
        CHECK(ts_ns(&c) - ts_ns(&a) < NS); /* one clock, not two */
        CHECK(b.tv_nsec >= 0 && b.tv_nsec < NS);
    }
    /* gettimeofday and time: the same clock as CLOCK_REALTIME. */
    struct timeval tv1, tv2;
    struct timespec rt;
    CHECK_EQ(gettimeofday(&tv1, 0), 0);
    CHECK_EQ(sys_clock(CLOCK_REALTIME, &rt), 0);
    CHECK_EQ(syscall(SYS_gettimeofday, &tv2, 0), 0);
    CHECK((long long)tv1.tv_sec * 1000000 + tv1.tv_usec <= ts_ns(&rt) / 1000);
    CHECK(ts_ns(&rt) / 1000 <= (long long)tv2.tv_sec * 1000000 + tv2.tv_usec);
    CHECK(tv2.tv_usec >= 0 && tv2.tv_usec < 1000000);
    struct timezone tz = {99, 99};
    CHECK_EQ(syscall(SYS_gettimeofday, &tv2, &tz), 0);
    CHECK_EQ(tz.tz_minuteswest, 0);
    const time_t t1 = time(0);
    time_t t2 = 0;
    CHECK_EQ(syscall(SYS_time, &t2), t2);
    const time_t t3 = vdso_time ? vdso_time(0) : time(0);
    CHECK(t1 <= t2 && t2 <= t3 && t3 - t1 <= 1);
    CHECK(t2 >= rt.tv_sec);

    /* The monotonic clock never goes back. */
    struct timespec last, now;
    clock_gettime(CLOCK_MONOTONIC, &last);
    unsigned backwards = 0;
    for (int i = 0; i < 2000; i++) {
        if (i % 2)
            sys_clock(CLOCK_MONOTONIC, &now);
        else
            clock_gettime(CLOCK_MONOTONIC, &now);
        backwards += ts_ns(&now) < ts_ns(&last);
        last = now;
    }
    CHECK_EQ(backwards, 0);

    /* The failure paths. */
    CHECK_ERRNO(clock_gettime(100, &now), EINVAL);
    CHECK_ERRNO(sys_clock(-1, &now), EINVAL);
    CHECK_ERRNO(sys_clock(CLOCK_MONOTONIC, (struct timespec*)KERNEL_ADDRESS), EFAULT);
    CHECK_ERRNO(syscall(SYS_gettimeofday, UNMAPPED_ADDRESS, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_time, UNMAPPED_ADDRESS), EFAULT);
#if !defined(__x86_64__)
    /* i386 also has the 64-bit-time clock_gettime64 (403). */
    long long t64[2] = {0, 0};
    CHECK_EQ(syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, t64), 0);
    CHECK(t64[0] >= last.tv_sec && t64[0] - last.tv_sec <= 1);
#endif
    test_note("realtime %lld s, monotonic %lld ms", (long long)rt.tv_sec, ts_ns(&last) / 1000000);
}

/* ---------------------------------------------------------------- nanosleep */

static void nanosleep_sleeps_long_enough(void) {
    static const long delays_ms[] = {0, 1, 25};
    for (unsigned i = 0; i < sizeof delays_ms / sizeof delays_ms[0]; i++) {
        struct timespec req = {0, delays_ms[i] * 1000000}, rem = {7, 7};
        const uint64_t start = monotonic_ns();
        CHECK_EQ(nanosleep(&req, &rem), 0);
        const uint64_t slept = monotonic_ns() - start;
        CHECK(slept >= (uint64_t)delays_ms[i] * 1000000);
        CHECK(slept < (uint64_t)delays_ms[i] * 1000000 + 2 * NS); /* and wakes up */
        test_note("asked %ld ms, slept %llu us", delays_ms[i], (unsigned long long)slept / 1000);
    }
    const uint64_t start = monotonic_ns();
    CHECK_EQ(usleep(10000), 0);
    CHECK(monotonic_ns() - start >= 10000000);

    struct timespec bad = {0, NS};
    CHECK_ERRNO(nanosleep(&bad, 0), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERRNO(nanosleep(&bad, 0), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERRNO(nanosleep(&bad, 0), EINVAL);
    CHECK_ERRNO(nanosleep((struct timespec*)UNMAPPED_ADDRESS, 0), EFAULT);
}

static int sleep_forever(void* arg) {
    (void)arg;
    /* The longest sleep there is: its deadline must not wrap around. */
    struct timespec req = {(time_t)((unsigned long)-1 >> 1), NS - 1};
    nanosleep(&req, 0);
    return 1;
}

static void nanosleep_longest(void) {
    const pid_t child = start_child(sleep_forever, 0);
    sleep_ms(50);
    int status = 0;
    const pid_t woke = waitpid(child, &status, WNOHANG);
    CHECK_EQ(woke, 0); /* still asleep */
    if (woke) return;
    CHECK_EQ(kill(child, SIGKILL), 0);
    CHECK_KILLED(reap(child), SIGKILL);
}

static volatile int alarm_seen;
static void on_alarm(int sig) {
    alarm_seen = sig;
}

static int signal_parent(void* arg) {
    sleep_ms(*(int*)arg);
    kill(getppid(), SIGUSR1);
    return 0;
}

static void nanosleep_interrupted(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, &old);
    alarm_seen = 0;
    int delay = 40;
    const pid_t child = start_child(signal_parent, &delay);
    struct timespec req = {2, 0}, rem = {0, 0};
    const uint64_t start = monotonic_ns();
    CHECK_ERRNO(nanosleep(&req, &rem), EINTR);
    const uint64_t slept = monotonic_ns() - start;
    CHECK_EQ(alarm_seen, SIGUSR1);
    CHECK(slept < NS);                         /* woken early */
    CHECK(rem.tv_sec == 1 || rem.tv_sec == 0); /* what was left of the 2 s */
    CHECK(ts_ns(&rem) > NS / 2 && ts_ns(&rem) < 2 * NS);
    CHECK(ts_ns(&rem) + (long long)slept >= 2 * NS - NS / 10);
    CHECK_EXITED(reap(child), 0);

    /* libc's sleep() reports the whole seconds left. */
    delay = 40;
    const pid_t again = start_child(signal_parent, &delay);
    const unsigned left = sleep(3);
    CHECK(left >= 2 && left <= 3);
    CHECK_EXITED(reap(again), 0);
    sigaction(SIGUSR1, &old, 0);
    test_note("interrupted after %llu ms with %lld ms left", (unsigned long long)slept / 1000000,
              ts_ns(&rem) / 1000000);
}

/* ---------------------------------------------------------------- scheduling */

static int write_one_byte(void* arg) {
    const int fd = *(int*)arg;
    return write(fd, "y", 1) == 1 ? 0 : 1;
}

static void sched_yield_runs_others(void) {
    CHECK_EQ(sched_yield(), 0);
    /* A runnable child gets the CPU while we only yield (never sleep). */
    int fds[2];
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    const pid_t child = start_child(write_one_byte, &fds[1]);
    char c;
    int yields = 0;
    while (read(fds[0], &c, 1) != 1 && yields < 10000) {
        CHECK_EQ(sched_yield(), 0);
        yields++;
    }
    CHECK(yields < 10000);
    CHECK_EXITED(reap(child), 0);
    close(fds[0]);
    close(fds[1]);
    test_note("the child ran after %d yields", yields);
}

static void getcpu_is_cpu_zero(void) {
    unsigned cpu = 7, node = 7;
    CHECK_EQ(getcpu(&cpu, &node), 0); /* the vDSO on x86_64 */
    CHECK_EQ(cpu, 0);
    CHECK_EQ(node, 0);
    cpu = node = 7;
    CHECK_EQ(syscall(SYS_getcpu, &cpu, &node, 0), 0);
    CHECK_EQ(cpu, 0);
    CHECK_EQ(node, 0);
    CHECK_EQ(syscall(SYS_getcpu, 0, 0, 0), 0); /* both optional */
    CHECK_EQ(sched_getcpu(), 0);
    CHECK_ERRNO(syscall(SYS_getcpu, UNMAPPED_ADDRESS, 0, 0), EFAULT);
    CHECK_ERRNO(syscall(SYS_getcpu, &cpu, KERNEL_ADDRESS, 0), EFAULT);
}

/* ---------------------------------------------------------------- arch_prctl */

#if defined(__x86_64__)
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static uint64_t fs_word(unsigned index) {
    uint64_t v;
    __asm__ volatile("mov %%fs:(,%1,8), %0" : "=r"(v) : "r"((uint64_t)index));
    return v;
}
static uint64_t gs_word(unsigned index) {
    uint64_t v;
    __asm__ volatile("mov %%gs:(,%1,8), %0" : "=r"(v) : "r"((uint64_t)index));
    return v;
}

static uint64_t parent_block[2] = {0x1111111111111111ull, 0x2222222222222222ull};
static uint64_t child_block[2] = {0x3333333333333333ull, 0x4444444444444444ull};

static int child_fs(void* arg) {
    (void)arg;
    CHILD_CHECK_EQ(fs_word(0), parent_block[0]); /* inherited */
    CHILD_CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_FS, child_block), 0);
    sched_yield();
    CHILD_CHECK_EQ(fs_word(1), child_block[1]);
    return 0;
}
#endif

static void arch_prctl_fs_and_gs(void) {
#if defined(__x86_64__)
    uint64_t old_fs = 1, old_gs = 1, got = 0;
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &old_fs), 0);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &old_gs), 0);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_FS, parent_block), 0);
    CHECK_EQ(fs_word(0), parent_block[0]);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &got), 0);
    CHECK_EQ(got, (uintptr_t)parent_block);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, child_block), 0);
    CHECK_EQ(gs_word(1), child_block[1]);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_GS, &got), 0);
    CHECK_EQ(got, (uintptr_t)child_block);
    /* Across another process running and a system call or two. */
    CHECK_EXITED(run_child(child_fs, 0), 0);
    CHECK_EQ(fs_word(1), parent_block[1]);
    CHECK_EQ(gs_word(0), child_block[0]);

    /* Kernel and non-canonical addresses are refused and change nothing. */
    static const uint64_t refused[] = {0xffff800000000000ull, 0xffffffff80000000ull, 0x0000800000000000ull,
                                       0x00007ffffffff000ull /* the top page is never mapped */};
    for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_FS, refused[i]), EPERM);
        CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_GS, refused[i]), EPERM);
    }
    CHECK_EQ(fs_word(0), parent_block[0]);
    CHECK_ERRNO(syscall(SYS_arch_prctl, 0x1234, 0), EINVAL);
    CHECK_ERRNO(syscall(SYS_arch_prctl, ARCH_GET_FS, UNMAPPED_ADDRESS), EFAULT);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_FS, old_fs), 0);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_SET_GS, old_gs), 0);
#else
    test_skip("arch_prctl sets 64-bit FS/GS bases; i386 uses set_thread_area");
#endif
}

/* ---------------------------------------------------------------- set_thread_area */

/* struct user_desc (asm/ldt.h). */
struct user_desc {
    unsigned entry_number;
    unsigned base_addr;
    unsigned limit;
    unsigned seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1, seg_not_present : 1, useable : 1,
        lm : 1;
};

static uint32_t tls_blocks[3][2] = {{0xaaaa0001u, 0xaaaa0002u}, {0xbbbb0001u, 0xbbbb0002u}, {0xcccc0001u, 0xcccc0002u}};

static struct user_desc tls_desc(unsigned entry, const void* base) {
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = entry;
    d.base_addr = (unsigned)(uintptr_t)base;
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.limit_in_pages = 1;
    d.useable = 1;
    return d;
}

static uint16_t gs_selector(void) {
    uint16_t s;
    __asm__ volatile("mov %%gs, %0" : "=r"(s));
    return s;
}
static void load_gs(uint16_t selector) {
    __asm__ volatile("mov %0, %%gs" ::"r"(selector));
}
static uint32_t gs_dword(unsigned index) {
    uint32_t v;
    __asm__ volatile("movl %%gs:(,%1,4), %0" : "=r"(v) : "r"((uintptr_t)index));
    return v;
}

static int child_reads_tls(void* arg) {
    const unsigned entry = *(unsigned*)arg;
    CHILD_CHECK_EQ(gs_selector(), (entry << 3) | 3); /* the selector and the slot are inherited */
    CHILD_CHECK_EQ(gs_dword(1), tls_blocks[0][1]);
    return 0;
}

/* `time tls-check`: a new program starts with no TLS slots and a null %gs. */
static int tls_check(void) {
    if (gs_selector() != 0) return 10;
    for (unsigned entry = 12; entry <= 14; entry++) {
        struct user_desc d;
        memset(&d, 0, sizeof d);
        d.entry_number = entry;
        if (syscall(SYS_get_thread_area, &d)) return 11;
        if (d.base_addr || !d.seg_not_present) return 12;
    }
    return 0;
}

static int exec_tls_check(void* arg) {
    (void)arg;
    char* const argv[] = {(char*)program_path(), "tls-check", 0};
    execv(program_path(), argv);
    return 127;
}

static void thread_area_slots(void) {
    const uint16_t saved_gs = gs_selector();
    struct user_desc d = tls_desc((unsigned)-1, tls_blocks[0]);
    CHECK_EQ(syscall(SYS_set_thread_area, &d), 0);
    const unsigned entry = d.entry_number;
    CHECK(entry >= 12 && entry <= 14); /* the slot comes back in the descriptor */
    load_gs((uint16_t)(entry << 3 | 3));
    CHECK_EQ(gs_dword(0), tls_blocks[0][0]);
    CHECK_EQ(gs_dword(1), tls_blocks[0][1]);

    struct user_desc g;
    memset(&g, 0, sizeof g);
    g.entry_number = entry;
    CHECK_EQ(syscall(SYS_get_thread_area, &g), 0);
    CHECK_EQ(g.base_addr, (uintptr_t)tls_blocks[0]);
    CHECK_EQ(g.limit, 0xfffff);
    CHECK(g.seg_32bit && g.limit_in_pages && !g.seg_not_present && !g.read_exec_only);

    /* Across a fork, and while another process runs. */
    unsigned arg = entry;
    CHECK_EXITED(run_child(child_reads_tls, &arg), 0);
    CHECK_EQ(gs_selector(), entry << 3 | 3);
    CHECK_EQ(gs_dword(0), tls_blocks[0][0]);

    /* Three slots in all, each its own; a fourth request: ESRCH. */
    struct user_desc d1 = tls_desc((unsigned)-1, tls_blocks[1]), d2 = tls_desc((unsigned)-1, tls_blocks[2]);
    CHECK_EQ(syscall(SYS_set_thread_area, &d1), 0);
    CHECK_EQ(syscall(SYS_set_thread_area, &d2), 0);
    CHECK(d1.entry_number != entry && d2.entry_number != entry && d1.entry_number != d2.entry_number);
    CHECK(d1.entry_number >= 12 && d1.entry_number <= 14 && d2.entry_number >= 12 && d2.entry_number <= 14);
    struct user_desc d3 = tls_desc((unsigned)-1, tls_blocks[2]);
    CHECK_ERRNO(syscall(SYS_set_thread_area, &d3), ESRCH);
    load_gs((uint16_t)(d2.entry_number << 3 | 3));
    CHECK_EQ(gs_dword(0), tls_blocks[2][0]);
    load_gs((uint16_t)(entry << 3 | 3));
    CHECK_EQ(gs_dword(0), tls_blocks[0][0]); /* the first slot unchanged */

    /* An empty descriptor frees a slot, which -1 then finds again. */
    struct user_desc empty;
    memset(&empty, 0, sizeof empty);
    empty.entry_number = d1.entry_number;
    empty.read_exec_only = 1;
    empty.seg_not_present = 1;
    CHECK_EQ(syscall(SYS_set_thread_area, &empty), 0);
    struct user_desc again = tls_desc((unsigned)-1, tls_blocks[1]);
    CHECK_EQ(syscall(SYS_set_thread_area, &again), 0);
    CHECK_EQ(again.entry_number, d1.entry_number);

    /* The failure paths. */
    struct user_desc wrong = tls_desc(11, tls_blocks[0]);
    CHECK_ERRNO(syscall(SYS_set_thread_area, &wrong), EINVAL);
    wrong.entry_number = 15;
    CHECK_ERRNO(syscall(SYS_set_thread_area, &wrong), EINVAL);
    CHECK_ERRNO(syscall(SYS_get_thread_area, &wrong), EINVAL);
    wrong = tls_desc(entry, tls_blocks[0]);
    wrong.contents = 2; /* a code segment */
    CHECK_ERRNO(syscall(SYS_set_thread_area, &wrong), EINVAL);
    CHECK_ERRNO(syscall(SYS_set_thread_area, UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(syscall(SYS_get_thread_area, KERNEL_ADDRESS), EFAULT);

    /* execve starts the new program without any of it. */
    CHECK_EXITED(run_child(exec_tls_check, 0), 0);

    load_gs(saved_gs);
    for (unsigned e = 12; e <= 14; e++) { /* leave the slots empty */
        empty.entry_number = e;
        syscall(SYS_set_thread_area, &empty);
    }
    test_note("slots %u, %u, %u", entry, d1.entry_number, d2.entry_number);
}

/* ---------------------------------------------------------------- identity */

static void tid_and_set_tid_address(void) {
    CHECK_EQ(gettid(), getpid());
    static int tid_slot;
    CHECK_EQ(syscall(SYS_set_tid_address, &tid_slot), getpid()); /* returns the tid */
    CHECK_EQ(syscall(SYS_set_tid_address, 0), getpid());
    /* The address is cleared when the process exits: seen through vfork's
     * shared memory. */
    static volatile int shared;
    shared = 1234;
    const pid_t child = vfork();
    if (child == 0) {
        syscall(SYS_set_tid_address, &shared);
        _exit(0);
    }
    CHECK(child > 0);
    CHECK_EQ(shared, 0);
    CHECK_EXITED(reap(child), 0);
}

static void uids_are_root(void) {
    CHECK_EQ(getuid(), 0);
    CHECK_EQ(geteuid(), 0);
    CHECK_EQ(getgid(), 0);
    CHECK_EQ(getegid(), 0);
    CHECK_EQ(syscall(SYS_getuid), 0);
    CHECK_EQ(syscall(SYS_geteuid), 0);
    CHECK_EQ(syscall(SYS_getgid), 0);
    CHECK_EQ(syscall(SYS_getegid), 0);
#if !defined(__x86_64__)
    CHECK_EQ(syscall(SYS_getuid32), 0); /* the 32-bit-uid variants */
    CHECK_EQ(syscall(SYS_getegid32), 0);
#endif
}

/* ---------------------------------------------------------------- sysgate_stats, sysgate_ctl */

static uint64_t total_calls(void) {
    struct sysgate_stats s;
    sysgate_stats(&s, sizeof s);
    uint64_t n = 0;
    for (int g = 0; g < SYSGATE_GATES; g++) n += s.calls[g];
    return n;
}

static int exit_zero(void* arg) {
    (void)arg;
    return 0;
}

static void sysgate_calls(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    CHECK_EQ(sysgate_stats(&s, sizeof s), sizeof s);
    CHECK(s.total_frames > 1000);
    CHECK(s.free_frames > 0 && s.free_frames <= s.total_frames);
    CHECK(s.heap_bytes > 0);
    CHECK(s.processes >= 2); /* init and us */
    CHECK(s.processes_created >= s.processes);
    CHECK(s.tsc_hz > 0 && s.timer_hz > 0);
    CHECK(s.vdso_gate32 < SYSGATE_GATES && s.vdso_gate64 < SYSGATE_GATES);
    CHECK(s.cpu_vendor <= SYSGATE_VENDOR_OTHER);

    /* A short buffer gets exactly what fits; the size returned is the whole. */
    unsigned char part[16];
    memset(part, 0xaa, sizeof part);
    CHECK_EQ(sysgate_stats((struct sysgate_stats*)part, 8), sizeof s);
    CHECK_EQ(part[8], 0xaa);
    CHECK_ERRNO(sysgate_stats((struct sysgate_stats*)UNMAPPED_ADDRESS, sizeof s), EFAULT);

    /* The counters move with what happens. */
    const uint64_t calls = total_calls();
    for (int i = 0; i < 10; i++) getppid();
    CHECK(total_calls() >= calls + 10);
    struct sysgate_stats before, after;
    sysgate_stats(&before, sizeof before);
    CHECK_EXITED(run_child(exit_zero, 0), 0);
    sysgate_stats(&after, sizeof after);
    CHECK_EQ(after.processes_created - before.processes_created, 1);
    CHECK_EQ(after.processes, before.processes); /* reaped */
    CHECK(after.context_switches > before.context_switches);

    /* sysgate_ctl: the timer rate, counter reset, tracing switch. */
    const long hz = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, 250);
    CHECK(hz > 0);
    sysgate_stats(&after, sizeof after);
    CHECK_EQ(after.timer_hz, 250);
    CHECK_EQ(sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, hz), 250);
    CHECK_ERRNO(sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, 17), EINVAL);
    CHECK_ERRNO(sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, 20001), EINVAL);
    /* The fastest rate is at most 20 kHz, and leaves 3000 TSC ticks a period. */
    const long before_fastest = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, SYSGATE_TIMER_HZ_FASTEST);
    CHECK_EQ(before_fastest, hz);
    struct sysgate_stats fastest;
    sysgate_stats(&fastest, sizeof fastest);
    CHECK(fastest.timer_hz >= 18 && fastest.timer_hz <= 20000);
    CHECK(fastest.timer_hz * 3000ull <= fastest.tsc_hz || fastest.timer_hz == 18);
    CHECK_ERRNO(sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, fastest.timer_hz + 1), EINVAL);
    CHECK_EQ(sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, hz), fastest.timer_hz);
    sysgate_stats(&after, sizeof after);
    CHECK_EQ(after.timer_hz, (uint64_t)hz);
    CHECK_EQ(sysgate_ctl(SYSGATE_CTL_RESET_STATS, 0), 0);
    CHECK(total_calls() < 5); /* the reset and the stats call itself */
    const long tracing = sysgate_ctl(SYSGATE_CTL_STRACE, 0);
    CHECK(tracing == 0 || tracing == 1);
    CHECK_EQ(sysgate_ctl(SYSGATE_CTL_STRACE, tracing), 0); /* it was off just now */
    CHECK_ERRNO(sysgate_ctl(99, 0), EINVAL);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "tls-check")) return tls_check();
    test_run("uname names the system and the caller's machine", uname_names_the_system);
    test_run("clock_gettime, gettimeofday and time: system call and vDSO agree", clocks_agree);
    test_run("nanosleep sleeps at least the time asked", nanosleep_sleeps_long_enough);
    test_run("nanosleep for the longest time sleeps (no overflow)", nanosleep_longest);
    test_run("nanosleep interrupted by a signal: EINTR and the time left", nanosleep_interrupted);
    test_run("sched_yield lets a runnable process run", sched_yield_runs_others);
    test_run("getcpu: CPU 0, node 0", getcpu_is_cpu_zero);
    test_run("arch_prctl: FS and GS bases; kernel addresses are EPERM", arch_prctl_fs_and_gs);
    test_run("set_thread_area / get_thread_area: TLS in GDT slots 12-14 (as on Linux)", thread_area_slots);
    test_run("gettid, set_tid_address and the clear at exit", tid_and_set_tid_address);
    test_run("getuid, geteuid, getgid, getegid are 0", uids_are_root);
    test_run("sysgate_stats and sysgate_ctl", sysgate_calls);
    return test_summary(sizeof(void*) == 8 ? "time" : "time32");
}
