/* Hostile user mode, class 7: (address, length) pairs whose end wraps
 * around or runs past the top of user space.
 *
 * The kernel must compute the end of a range without overflow and give
 * Linux's error for a range that does not fit (mm/mmap.c, mm/mprotect.c
 * in Linux 6.1): munmap: EINVAL when len > TASK_SIZE - start; mprotect:
 * ENOMEM when start + PAGE_ALIGN(len) wraps, or when the range leaves the
 * mapped areas; mmap: ENOMEM when PAGE_ALIGN(len) wraps to 0, when len >
 * TASK_SIZE, and for MAP_FIXED when addr > TASK_SIZE - len
 * (get_unmapped_area); brk: the old break for an impossible request;
 * read, write, getdents64 into a buffer past the top of user space:
 * EFAULT (access_ok, which checks the whole range against the 64-bit
 * TASK_SIZE_MAX, so a 32-bit program's wrapping 4 GiB range is accepted
 * there and the call copies only what it has); writev: EINVAL for an
 * iov_len that is negative as a ssize_t. TASK_SIZE is 0x7ffffffff000 for
 * 64-bit programs; a 32-bit program's arguments are 32-bit, and a range
 * that wraps in 32 bits does not wrap in the kernel's 64-bit arithmetic
 * (Linux: compat arguments are zero-extended), so the errors are the ones
 * for a range past the top of its address space.
 * Each case runs in a child: on a kernel that gets it wrong, munmap may
 * take the whole program away. Built for 64- and 32-bit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

#define PAGE 4096ul
#define ALL_ONES ((unsigned long)-1)
#define TASK_SIZE_64 ((unsigned long)0x7ffffffff000ull)
#if defined(__x86_64__)
#define TASK_SIZE 0x7ffffffff000ul
/* A MAP_FIXED request across the top: its last page is past it. */
#define ACROSS_THE_TOP (TASK_SIZE - PAGE)
#else
/* Sysgate gives 32-bit programs all 4 GiB but the top page (its vDSO sits at 0xffffd000),
 * so "past the top" means past 4 GiB, which only the kernel's 64-bit
 * arithmetic can express: 0xfffff000 + 0x2000. */
#define ACROSS_THE_TOP 0xfffff000ul
#endif

/* The raw call: -errno on failure, as the kernel returns it. */
static long raw(long r) {
    return r == -1 ? -errno : r;
}
static const char* error_name(long r) {
    return r == -EINVAL ? "EINVAL" : r == -ENOMEM ? "ENOMEM" : r == -EFAULT ? "EFAULT" : r < 0 ? "another error" : "";
}

/* One mapped page to aim at, and a byte in it the tests check later. */
static char* mapped_page(void) {
    char* p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return 0;
    p[0] = 42;
    return p;
}

/* The program's own code and data are still there. */
static volatile int still_here = 1;
static void program_intact(void) {
    CHILD_CHECK_EQ(still_here, 1);
    CHILD_CHECK(getppid() > 0);
}

struct range_case {
    const char* what;
    int (*run)(void* arg);
};

static void report(const char* what, long got, long want) {
    if (got != want)
        dprintf(1, "    %s = %ld %s, expected %ld %s\n", what, got, error_name(got), want, error_name(want));
    CHILD_CHECK_EQ(got, want);
}

/* ---------------------------------------------------------------- munmap */

static int munmap_from_low_to_all_ones(void* arg) {
    (void)arg;
    report("munmap(0x1000, ~0)", raw(syscall(SYS_munmap, 0x1000ul, ALL_ONES)), -EINVAL);
    program_intact();
    return 0;
}

static int munmap_wrapping_from_a_mapping(void* arg) {
    (void)arg;
    char* p = mapped_page();
    if (!p) return CHILD_FAILED;
    /* The end, p + len, wraps to p + 0x2000 - 2^bits. */
    report("munmap(mapping, len wrapping past 0)", raw(syscall(SYS_munmap, p, ALL_ONES - (unsigned long)p + 0x2001)),
           -EINVAL);
    CHILD_CHECK_EQ(p[0], 42); /* still mapped */
    program_intact();
    return 0;
}

static int munmap_past_the_top(void* arg) {
    (void)arg;
#if !defined(__x86_64__)
    dprintf(1, "    (a 32-bit length cannot reach past 4 GiB without wrapping: the case above)\n");
    return 0;
#endif
    char* p = mapped_page();
    if (!p) return CHILD_FAILED;
    report("munmap(mapping, TASK_SIZE - mapping + 0x1000)",
           raw(syscall(SYS_munmap, p, TASK_SIZE_64 - (unsigned long)p + PAGE)), -EINVAL);
    CHILD_CHECK_EQ(p[0], 42);
    program_intact();
    return 0;
}

/* ---------------------------------------------------------------- mprotect */

static int mprotect_from_low_to_all_ones(void* arg) {
    (void)arg;
    report("mprotect(0x1000, ~0, PROT_NONE)", raw(syscall(SYS_mprotect, 0x1000ul, ALL_ONES, PROT_NONE)), -ENOMEM);
    program_intact();
    return 0;
}

static int mprotect_wrapping_from_a_mapping(void* arg) {
    (void)arg;
    char* p = mapped_page();
    if (!p) return CHILD_FAILED;
    /* PAGE_ALIGN(len) = 2^bits - 0x1000: the end wraps below the start. */
    report("mprotect(mapping, ~0xfff, PROT_READ)", raw(syscall(SYS_mprotect, p, ALL_ONES & ~(PAGE - 1), PROT_READ)),
           -ENOMEM);
#if defined(__x86_64__)
    /* A range that wraps is refused before anything changes. (A 32-bit
     * one runs into the first hole above the mapping instead, and Linux
     * changes the mappings before that hole.) */
    p[0] = 43; /* still writable */
#endif
    program_intact();
    return 0;
}

static int mprotect_all_ones_from_a_mapping(void* arg) {
    (void)arg;
    char* p = mapped_page();
    if (!p) return CHILD_FAILED;
    /* PAGE_ALIGN(~0) = 0 on 64-bit: the end equals the start. */
    report("mprotect(mapping, ~0, PROT_READ)", raw(syscall(SYS_mprotect, p, ALL_ONES, PROT_READ)), -ENOMEM);
#if defined(__x86_64__)
    p[0] = 43; /* still writable */
#endif
    program_intact();
    return 0;
}

/* ---------------------------------------------------------------- mmap, brk */

static long raw_mmap(unsigned long addr, unsigned long len, int flags) {
    void* r = mmap((void*)addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    return r == MAP_FAILED ? -errno : 0;
}

static int mmap_all_ones(void* arg) {
    (void)arg;
    report("mmap(0, ~0)", raw_mmap(0, ALL_ONES, 0), -ENOMEM);
    report("mmap(0, ~0xfff)", raw_mmap(0, ALL_ONES & ~(PAGE - 1), 0), -ENOMEM);
    report("mmap(0x10000, ~0xfff, MAP_FIXED)", raw_mmap(0x10000, ALL_ONES & ~(PAGE - 1), MAP_FIXED), -ENOMEM);
    program_intact();
    return 0;
}

static int mmap_fixed_across_the_top(void* arg) {
    (void)arg;
    report("mmap(top - 0x1000, 0x2000, MAP_FIXED)", raw_mmap(ACROSS_THE_TOP, 2 * PAGE, MAP_FIXED), -ENOMEM);
    program_intact();
    return 0;
}

static int brk_beyond_everything(void* arg) {
    (void)arg;
    const long now = syscall(SYS_brk, 0);
    CHILD_CHECK(now > 0);
    report("brk(~0)", syscall(SYS_brk, ALL_ONES), now);
    report("brk(~0xfff)", syscall(SYS_brk, ALL_ONES & ~(PAGE - 1)), now);
    report("brk(0x1000)", syscall(SYS_brk, 0x1000ul), now);
    program_intact();
    return 0;
}

/* ---------------------------------------------------------------- buffers */

#define CANARY 0x5b
static char area[2 * PAGE] __attribute__((aligned(4096)));

/* bytes of `area` after `from` that changed from the canary */
static size_t changed_after(size_t from) {
    size_t n = 0;
    for (size_t i = from; i < sizeof area; i++) n += area[i] != CANARY;
    return n;
}

static int read_with_wrapping_length(void* arg) {
    (void)arg;
    const int fd = open("/etc/demo.sh", O_RDONLY);
    CHILD_CHECK(fd >= 0);
    if (fd < 0) return CHILD_FAILED;
    memset(area, CANARY, sizeof area);
    const long r = raw(syscall(SYS_read, fd, area, ALL_ONES));
#if defined(__x86_64__)
    report("read(fd, buffer, ~0)", r, -EFAULT);
    CHILD_CHECK_EQ(changed_after(0), 0);
#else
    /* 4 GiB from the buffer wraps in 32 bits but fits the kernel's 64-bit
     * check: the file's bytes, and not one more. */
    dprintf(1, "    read(fd, buffer, 0xffffffff) = %ld %s\n", r, error_name(r));
    CHILD_CHECK(r == -EFAULT || (r > 0 && r < (long)PAGE));
    if (r > 0) CHILD_CHECK_EQ(changed_after((size_t)r), 0);
#endif
    close(fd);
    program_intact();
    return 0;
}

static int write_with_wrapping_length(void* arg) {
    (void)arg;
    int fds[2];
    CHILD_CHECK_EQ(pipe(fds), 0);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    memset(area, CANARY, sizeof area);
    const long r = raw(syscall(SYS_write, fds[1], area, ALL_ONES));
#if defined(__x86_64__)
    report("write(pipe, buffer, ~0)", r, -EFAULT);
#else
    dprintf(1, "    write(pipe, buffer, 0xffffffff) = %ld %s\n", r, error_name(r));
    CHILD_CHECK(r == -EFAULT || r == -EAGAIN || (r > 0 && r <= 65536));
#endif
    /* iov_len as a ssize_t is negative: EINVAL for either ABI. */
    const unsigned long iov[2] = {(unsigned long)area, ALL_ONES};
    report("writev(pipe, {buffer, ~0}, 1)", raw(syscall(SYS_writev, fds[1], iov, 1)), -EINVAL);
    close(fds[0]);
    close(fds[1]);
    program_intact();
    return 0;
}

static int getdents_with_wrapping_length(void* arg) {
    (void)arg;
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHILD_CHECK(fd >= 0);
    if (fd < 0) return CHILD_FAILED;
    char want[1024];
    const long n = syscall(SYS_getdents64, fd, want, sizeof want);
    CHILD_CHECK(n > 0);
    lseek(fd, 0, SEEK_SET);
    memset(area, CANARY, sizeof area);
    /* count is an unsigned int: 4 GiB - 1 from the buffer fits in 64
     * bits; the call fills what it has and not one byte more. */
    const long r = raw(syscall(SYS_getdents64, fd, area, 0xfffffffful));
    dprintf(1, "    getdents64(fd, buffer, 0xffffffff) = %ld %s (%ld with a 1024-byte buffer)\n", r, error_name(r), n);
    CHILD_CHECK(r == -EFAULT || r == n);
    if (r == n) {
        CHILD_CHECK(!memcmp(area, want, (size_t)n));
        CHILD_CHECK_EQ(changed_after((size_t)n), 0);
    }
    close(fd);
    program_intact();
    return 0;
}

static int getcwd_and_readlink_with_wrapping_length(void* arg) {
    (void)arg;
    memset(area, CANARY, sizeof area);
    /* getcwd copies the path only: the size is an upper bound. */
    const long r = raw(syscall(SYS_getcwd, area, ALL_ONES));
    dprintf(1, "    getcwd(buffer, ~0) = %ld %s\n", r, error_name(r));
    CHILD_CHECK(r == 2 || r == -EFAULT);
    if (r == 2) CHILD_CHECK(area[0] == '/' && area[1] == 0);
    CHILD_CHECK_EQ(changed_after(r > 0 ? (size_t)r : 0), 0);
    /* readlink's bufsiz is an int: ~0 is -1, EINVAL. */
    report("readlink(\"/bin/sh\", buffer, ~0)", raw(syscall(SYS_readlink, "/bin/sh", area, ALL_ONES)), -EINVAL);
    program_intact();
    return 0;
}

static const struct range_case cases[] = {
    {"munmap(0x1000, ~0): EINVAL, nothing unmapped", munmap_from_low_to_all_ones},
    {"munmap from a mapping with a length that wraps: EINVAL", munmap_wrapping_from_a_mapping},
    {"munmap past the top of user space (64-bit): EINVAL", munmap_past_the_top},
    {"mprotect(0x1000, ~0): ENOMEM", mprotect_from_low_to_all_ones},
    {"mprotect from a mapping, end wraps below the start: ENOMEM", mprotect_wrapping_from_a_mapping},
    {"mprotect from a mapping with length ~0: ENOMEM", mprotect_all_ones_from_a_mapping},
    {"mmap with lengths near ~0: ENOMEM", mmap_all_ones},
    {"mmap MAP_FIXED across the top of user space: ENOMEM", mmap_fixed_across_the_top},
    {"brk beyond everything: the break stays", brk_beyond_everything},
    {"read with a length that wraps", read_with_wrapping_length},
    {"write and writev with a length that wraps", write_with_wrapping_length},
    {"getdents64 with a length that wraps", getdents_with_wrapping_length},
    {"getcwd and readlink with a length that wraps", getcwd_and_readlink_with_wrapping_length},
};

static const struct range_case* current_case;
static void run_current(void) {
    CHECK_EXITED(run_child(current_case->run, 0), 0);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        current_case = &cases[i];
        hostile_run(cases[i].what, run_current);
    }
    test_note("not in Sysgate's tables, so not tested: mremap, madvise, msync, mlock, readv");
    return test_summary(sizeof(void*) == 8 ? "hostile_ranges" : "hostile_ranges32");
}
