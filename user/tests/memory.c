/* Memory ("Processes, files and a shell"): anonymous private mmap whose
 * pages appear on first touch, munmap and mprotect (a forbidden access is
 * a SIGSEGV), brk growth and shrink, fork's copy of all of it, and
 * requests that cannot be met (ENOMEM, and the kernel goes on); shared
 * anonymous memory that a fork child shares, /dev/zero, placement (hints,
 * MAP_32BIT, MAP_FIXED_NOREPLACE), MAP_POPULATE / MAP_LOCKED / mlock,
 * MAP_GROWSDOWN, mremap (grow, shrink, move, MREMAP_FIXED,
 * MREMAP_DONTUNMAP) including moving the vDSO and calling through every
 * gate afterwards, madvise, msync and mincore, each with the error codes
 * Linux 6.1 gives. The kernel's free-frame counter (sysgate_stats) shows
 * when pages come and go. Built for 64- and 32-bit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <sysgate/syscall.h>
#include <sysgate/syscall_nr.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define PAGE 4096u

static void write_byte(void* p) {
    *(volatile char*)p = 0x5a;
}
static volatile char sink;
/* One byte, read where the compiler cannot see (it knows some addresses). */
__attribute__((noinline)) static char peek(const void* p) {
    return *(const volatile char*)p;
}
static void read_byte(void* p) {
    sink = *(volatile char*)p;
}

/* The signal that stopped a one-byte access, or 0. */
static int try_write(void* p) {
    return run_catching(write_byte, p, 0);
}
static int try_read(void* p) {
    return run_catching(read_byte, p, 0);
}

static void* map_pages(size_t pages, int prot) {
    void* p = mmap(0, pages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    return p == MAP_FAILED ? 0 : p;
}

/* A page-aligned address where nothing is mapped (UNMAPPED_ADDRESS is
 * not page aligned, and these calls check alignment first). */
static void* unmapped_page(void) {
    void* p = mmap(0, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, PAGE);
    return p;
}

/* ---------------------------------------------------------------- mmap */

static void mmap_pages_appear_on_first_touch(void) {
    enum { PAGES = 256 };
    const uint64_t before = free_frames();
    char* p = map_pages(PAGES, PROT_READ | PROT_WRITE);
    if (!p) return;
    CHECK_EQ((uintptr_t)p % PAGE, 0);
    const uint64_t mapped = free_frames();
    /* A mapping costs no page until it is touched (a little kernel heap,
     * perhaps: far less than the 256 pages). */
    CHECK(before - mapped < PAGES / 4);
    unsigned nonzero = 0;
    for (size_t i = 0; i < PAGES * PAGE; i += 512) nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0); /* new pages read as zeros */
    for (size_t i = 0; i < PAGES; i++) p[i * PAGE + i % PAGE] = (char)(i + 1);
    const uint64_t touched = free_frames();
    CHECK(mapped - touched >= PAGES); /* every page now has a frame */
    unsigned wrong = 0;
    for (size_t i = 0; i < PAGES; i++) wrong += p[i * PAGE + i % PAGE] != (char)(i + 1);
    CHECK_EQ(wrong, 0);
    CHECK_EQ(munmap(p, PAGES * PAGE), 0);
    CHECK(free_frames() >= touched + PAGES); /* and munmap gives them back */
    test_note("frames: %llu free, %llu after mmap, %llu after touching, %llu after munmap", (unsigned long long)before,
              (unsigned long long)mapped, (unsigned long long)touched, (unsigned long long)free_frames());
}

static void mprotect_read_only_and_none(void) {
    char* p = map_pages(4, PROT_READ | PROT_WRITE);
    if (!p) return;
    memset(p, 0x42, 4 * PAGE);
    CHECK_EQ(mprotect(p + PAGE, 2 * PAGE, PROT_READ), 0); /* the middle two pages */
    CHECK_EQ(try_write(p + PAGE), SIGSEGV);
    CHECK_EQ(try_write(p + 3 * PAGE - 1), SIGSEGV);
    CHECK_EQ(try_read(p + PAGE), 0);
    CHECK_EQ(p[PAGE], 0x42);   /* the write did not happen; reads work */
    CHECK_EQ(try_write(p), 0); /* the neighbours keep their rights */
    CHECK_EQ(try_write(p + 3 * PAGE), 0);
    /* The kernel does not write there either. */
    CHECK_ERRNO(syscall(SYS_getcwd, p + PAGE, 64), EFAULT);

    /* PROT_NONE: no access at all, but the contents survive. */
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_NONE), 0);
    CHECK_EQ(try_read(p + PAGE), SIGSEGV);
    CHECK_EQ(try_write(p + PAGE), SIGSEGV);
    CHECK_ERRNO(write(1, p + PAGE, 1), EFAULT);
    CHECK_EQ(mprotect(p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(p[PAGE], 0x42);
    CHECK_EQ(p[2 * PAGE - 1], 0x42);
    CHECK_EQ(try_write(p + 2 * PAGE), 0);

    /* A page never touched, made read-only: it reads as zeros. */
    char* fresh = map_pages(1, PROT_READ | PROT_WRITE);
    if (fresh) {
        CHECK_EQ(mprotect(fresh, PAGE, PROT_READ), 0);
        CHECK_EQ(try_read(fresh), 0);
        CHECK_EQ(fresh[100], 0);
        CHECK_EQ(try_write(fresh), SIGSEGV);
        munmap(fresh, PAGE);
    }
    CHECK_EQ(munmap(p, 4 * PAGE), 0);
}

static void munmap_then_touch(void) {
    char* p = map_pages(3, PROT_READ | PROT_WRITE);
    if (!p) return;
    memset(p, 7, 3 * PAGE);
    CHECK_EQ(munmap(p + PAGE, PAGE), 0); /* a hole in the middle */
    CHECK_EQ(try_read(p + PAGE), SIGSEGV);
    CHECK_EQ(try_write(p + PAGE), SIGSEGV);
    CHECK_EQ(p[0], 7); /* the rest is still there */
    CHECK_EQ(p[2 * PAGE], 7);
    CHECK_ERRNO(write(1, p + PAGE, 1), EFAULT);
    CHECK_EQ(munmap(p, 3 * PAGE), 0); /* unmapping a range with a hole is fine */
    CHECK_EQ(try_read(p), SIGSEGV);
    CHECK_EQ(try_read(p + 2 * PAGE), SIGSEGV);
    CHECK_EQ(munmap(p, PAGE), 0); /* and unmapping nothing too */
}

static void map_fixed_replaces(void) {
    char* p = map_pages(2, PROT_READ | PROT_WRITE);
    if (!p) return;
    memset(p, 9, 2 * PAGE);
    /* MAP_FIXED over the second page: new, zeroed memory there. */
    char* q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(q == p + PAGE);
    CHECK_EQ(p[PAGE], 0);
    CHECK_EQ(p[0], 9);
    /* MAP_FIXED_NOREPLACE refuses to. */
    errno = 0;
    CHECK(mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED);
    CHECK_EQ(errno, EEXIST);
    CHECK_EQ(munmap(p, 2 * PAGE), 0);
    /* A hint without MAP_FIXED is only a hint, but a free one is honoured. */
    char* r = mmap(p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(r == p);
    if (r != MAP_FAILED) munmap(r, PAGE);
}

static void mapping_failure_paths(void) {
    char* p = map_pages(1, PROT_READ | PROT_WRITE);
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    CHECK_ERRNO(mmap(0, 0, PROT_READ, anon, -1, 0), EINVAL);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL); /* neither shared nor private */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);    /* a file mapping without a file */
    CHECK_ERRNO(mmap(p + 1, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0), EINVAL);
    CHECK_ERRNO(munmap(p + 1, PAGE), EINVAL);
    CHECK_ERRNO(munmap(p, 0), EINVAL);
    CHECK_ERRNO(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
    CHECK_ERRNO(mprotect(p, PAGE, 0x100), EINVAL);
    munmap(p, PAGE);
    CHECK_ERRNO(mprotect(p, PAGE, PROT_READ), ENOMEM); /* nothing mapped there */
#if defined(__x86_64__)
    CHECK_ERRNO(munmap(KERNEL_ADDRESS, PAGE), EINVAL);
#endif
}

/* ---------------------------------------------------------------- ENOMEM */

static void impossible_requests_fail_with_enomem(void) {
    struct sysgate_stats s;
    sysgate_stats(&s, sizeof s);
    const uint64_t total = s.total_frames * PAGE;
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    /* More than the machine has (and, on i386, more than 3 GiB of address space). */
    CHECK_ERRNO(mmap(0, (size_t)(total + total / 2 < 0xc0000000u ? total + total / 2 : 0xc0000000u),
                     PROT_READ | PROT_WRITE, anon, -1, 0),
                ENOMEM);
    CHECK_ERRNO(mmap(0, (size_t)-4096, PROT_READ, anon, -1, 0), ENOMEM); /* longer than user space */
#if defined(__x86_64__)
    CHECK_ERRNO(mmap(0, 1ul << 46, PROT_READ | PROT_WRITE, anon, -1, 0), ENOMEM);
#endif
    /* More than is free, though less than the machine has. */
    CHECK_ERRNO(mmap(0, (size_t)(s.free_frames * PAGE), PROT_READ | PROT_WRITE, anon, -1, 0), ENOMEM);
    CHECK_ERRNO(sbrk((intptr_t)(s.free_frames * PAGE)), ENOMEM);
    /* ...and the kernel goes on: a small mapping still works. */
    char* p = map_pages(4, PROT_READ | PROT_WRITE);
    if (p) {
        memset(p, 1, 4 * PAGE);
        CHECK_EQ(p[4 * PAGE - 1], 1);
        munmap(p, 4 * PAGE);
    }
}

/* ---------------------------------------------------------------- brk */

static int brk_grow_and_shrink(void* arg) {
    (void)arg;
    char* start = sbrk(0);
    CHILD_CHECK(start != (char*)-1);
    CHILD_CHECK_EQ((char*)syscall(SYS_brk, 0) - start, 0); /* the raw call reports it too */
    /* Grow by 3 pages and a bit: writable zeros. */
    char* top = start + 3 * PAGE + 100;
    CHILD_CHECK_EQ(brk(top), 0);
    CHILD_CHECK(sbrk(0) == top);
    unsigned nonzero = 0;
    for (char* c = start; c < top; c++) nonzero += *c != 0;
    CHILD_CHECK_EQ(nonzero, 0);
    memset(start, 0x33, (size_t)(top - start));
    /* Shrink to 100 bytes: whole pages above are gone. */
    char* small = start + 100;
    CHILD_CHECK_EQ(brk(small), 0);
    const uintptr_t first_gone = ((uintptr_t)small + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    CHILD_CHECK_EQ(try_write((char*)first_gone), SIGSEGV);
    CHILD_CHECK_EQ(try_read((char*)first_gone + PAGE), SIGSEGV);
    CHILD_CHECK_EQ(start[99], 0x33); /* below the break, kept */
    /* Grow again: what was given back reads as zeros, even in the page kept. */
    CHILD_CHECK_EQ(brk(top), 0);
    unsigned stale = 0;
    for (char* c = small; c < top; c++) stale += *c != 0;
    CHILD_CHECK_EQ(stale, 0);
    CHILD_CHECK_EQ(start[99], 0x33);
    /* Impossible requests leave the break alone. */
    CHILD_CHECK_EQ(brk((void*)(uintptr_t)PAGE), -1); /* below where it started */
    CHILD_CHECK_EQ(errno, ENOMEM);
    CHILD_CHECK(sbrk(0) == top);
    CHILD_CHECK_EQ((char*)syscall(SYS_brk, (uintptr_t)1) - top, 0);
    /* The break cannot grow over a mapping. */
    const uintptr_t top_page = ((uintptr_t)top + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    char* wall =
        mmap((void*)(top_page + PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHILD_CHECK(wall == (char*)(top_page + PAGE));
    CHILD_CHECK_EQ(brk(wall + 10), -1);
    CHILD_CHECK_EQ(errno, ENOMEM);
    CHILD_CHECK(sbrk(0) == top);
    CHILD_CHECK_EQ(brk(wall), 0); /* right up to it is fine */
    CHILD_CHECK_EQ(brk(start), 0);
    const uintptr_t above = ((uintptr_t)start + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    CHILD_CHECK_EQ(try_write((char*)above), SIGSEGV);
    return 0;
}

static void brk_moves_both_ways(void) {
    /* In a child: moving the break under malloc's feet is not our business. */
    CHECK_EXITED(run_child(brk_grow_and_shrink, 0), 0);
}

/* ---------------------------------------------------------------- fork */

struct shared_pages {
    char* rw;   /* written by both */
    char* ro;   /* read-only */
    char* none; /* PROT_NONE for now */
};

static int child_writes_its_copy(void* arg) {
    struct shared_pages* s = arg;
    CHILD_CHECK_EQ(s->rw[0], 'p'); /* a copy of what the parent had */
    s->rw[0] = 'c';
    CHILD_CHECK_EQ(s->ro[0], 'r');
    CHILD_CHECK_EQ(try_write(s->ro), SIGSEGV); /* the rights are copied too */
    CHILD_CHECK_EQ(try_read(s->none), SIGSEGV);
    CHILD_CHECK_EQ(mprotect(s->none, PAGE, PROT_READ), 0);
    CHILD_CHECK_EQ(s->none[0], 'n'); /* and what PROT_NONE hid */
    return 0;
}

static void fork_copies_mappings(void) {
    struct shared_pages s = {map_pages(1, PROT_READ | PROT_WRITE), map_pages(1, PROT_READ | PROT_WRITE),
                             map_pages(1, PROT_READ | PROT_WRITE)};
    if (!s.rw || !s.ro || !s.none) return;
    s.rw[0] = 'p';
    s.ro[0] = 'r';
    s.none[0] = 'n';
    mprotect(s.ro, PAGE, PROT_READ);
    mprotect(s.none, PAGE, PROT_NONE);
    CHECK_EXITED(run_child(child_writes_its_copy, &s), 0);
    CHECK_EQ(s.rw[0], 'p'); /* the child's write was to its own copy */
    CHECK_EQ(mprotect(s.none, PAGE, PROT_READ), 0);
    CHECK_EQ(s.none[0], 'n');
    munmap(s.rw, PAGE);
    munmap(s.ro, PAGE);
    munmap(s.none, PAGE);
}

static void unmapping_gives_every_frame_back(void) {
    /* Map, touch, protect, split and unmap repeatedly: the free frames
     * come back to where they were after the first round (page tables
     * and kernel heap stay once made). */
    uint64_t before = 0;
    for (int round = 0; round <= 20; round++) {
        if (round == 1) before = free_frames();
        char* p = map_pages(64, PROT_READ | PROT_WRITE);
        if (!p) return;
        memset(p, round, 64 * PAGE);
        mprotect(p + 8 * PAGE, 8 * PAGE, PROT_READ);
        mprotect(p + 20 * PAGE, 4 * PAGE, PROT_NONE);
        munmap(p + 32 * PAGE, 4 * PAGE);
        munmap(p, 64 * PAGE);
    }
    CHECK_EQ(free_frames(), before);
}

/* ---------------------------------------------------------------- Linux's answers */

/* What Linux 6.1 answers to mmap, munmap and mprotect (checked against
 * it: the same static binaries run there). */
static void mmap_argument_rules(void) {
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL); /* files only */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, 4 | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
    CHECK_ERRNO(mmap(0, (size_t)-1, PROT_READ, anon, -1, 0), ENOMEM);                      /* rounds up to 0 */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, anon | MAP_HUGETLB, -1, 0), ENOMEM);              /* no huge pages reserved */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, anon | MAP_HUGETLB | (25 << 26), -1, 0), EINVAL); /* no such size */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, anon, -1, 1), EINVAL);                            /* offset not page aligned */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0), EPERM);                 /* below vm.mmap_min_addr */
    CHECK_ERRNO(mmap((void*)0x1000, PAGE, PROT_READ, anon | MAP_FIXED, -1, 0), EPERM);
    /* Unknown protection bits and unknown flags are ignored. */
    const int ignored[] = {0x100, PROT_READ | PROT_GROWSDOWN};
    for (unsigned i = 0; i < 2; i++) {
        void* p = mmap(0, PAGE, ignored[i], anon, -1, 0);
        CHECK(p != MAP_FAILED);
        if (p != MAP_FAILED) munmap(p, PAGE);
    }
    void* p = mmap(0, PAGE, PROT_READ, anon | 0x800000, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) munmap(p, PAGE);
    p = mmap(0, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | 0x800000, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) munmap(p, PAGE);
    /* PROT_SEM is accepted; growing both ways is not; GROWSUP never on x86. */
    char* q = map_pages(2, PROT_READ | PROT_WRITE);
    if (!q) return;
    CHECK_EQ(mprotect(q, PAGE, PROT_READ | PROT_SEM), 0);
    CHECK_ERRNO(mprotect(q, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
    CHECK_ERRNO(mprotect(q, PAGE, PROT_READ | PROT_GROWSUP), EINVAL);
    CHECK_ERRNO(mprotect(q, PAGE, PROT_READ | PROT_GROWSDOWN), EINVAL); /* not a grows-down region */
    CHECK_ERRNO(mprotect(q, (size_t)-1, PROT_READ), ENOMEM);
    CHECK_ERRNO(munmap(q, (size_t)-1), EINVAL);
    /* Across a hole: the part before is changed, then ENOMEM. */
    char* r = map_pages(4, PROT_READ | PROT_WRITE);
    if (r) {
        munmap(r + 2 * PAGE, PAGE);
        CHECK_ERRNO(mprotect(r, 4 * PAGE, PROT_READ), ENOMEM);
        CHECK_EQ(try_write(r + PAGE), SIGSEGV);
        CHECK_EQ(try_write(r + 3 * PAGE), 0);
        munmap(r, 4 * PAGE);
    }
    munmap(q, 2 * PAGE);
}

/* ---------------------------------------------------------------- placement */

static void free_hints_are_honoured(void) {
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    /* A free, page-aligned hint is used as it is; an unaligned one is
     * rounded down; a taken one is only a hint. */
    char* want = (char*)0x20000000;
    char* p = mmap(want, 2 * PAGE, PROT_READ | PROT_WRITE, anon, -1, 0);
    CHECK(p == want);
    char* q = mmap(want + 2 * PAGE + 123, PAGE, PROT_READ, anon, -1, 0);
    CHECK(q == want + 2 * PAGE);
    char* r = mmap(want, PAGE, PROT_READ, anon, -1, 0);
    CHECK(r != MAP_FAILED && r != want);
    if (r != MAP_FAILED) munmap(r, PAGE);
    CHECK_ERRNO(mmap(want + PAGE, PAGE, PROT_READ, anon | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    CHECK_ERRNO(mmap(want - PAGE, 2 * PAGE, PROT_READ, anon | MAP_FIXED_NOREPLACE, -1, 0), EEXIST); /* partly */
    munmap(want, 3 * PAGE);
    /* Below vm.mmap_min_addr a hint becomes 64 KiB (Linux's round_hint_to_min),
     * which is what entry_from_vm86 asks for. */
    char* low = mmap((void*)0x1000, PAGE, PROT_READ | PROT_WRITE, anon, -1, 0);
    CHECK(low == (char*)0x10000);
    if (low != MAP_FAILED) munmap(low, PAGE);
    low = mmap((void*)0x10000, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, anon, -1, 0);
    CHECK(low == (char*)0x10000);
    if (low != MAP_FAILED) munmap(low, PAGE);
#if !defined(__x86_64__)
    /* The first i386 mmap, arguments in memory, honours the hint too. */
    uint32_t args[6] = {0x20400000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, (uint32_t)-1, 0};
    CHECK_EQ(syscall(SYS_mmap, args), 0x20400000);
    args[5] = 1;
    CHECK_ERRNO(syscall(SYS_mmap, args), EINVAL);
    munmap((void*)0x20400000, PAGE);
#endif
}

static void map_32bit_stays_low(void) {
#if defined(__x86_64__)
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT;
    char* p = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, anon, -1, 0);
    CHECK(p != MAP_FAILED);
    /* Linux puts it in the second gigabyte, bottom-up. */
    CHECK((uintptr_t)p >= 0x40000000 && (uintptr_t)p + 4 * PAGE <= 0x80000000);
    if (p != MAP_FAILED) {
        memset(p, 1, 4 * PAGE);
        test_note("MAP_32BIT mapping at %p", (void*)p);
    }
    /* A free hint below 2 GiB is honoured, even under 1 GiB; one that
     * would end above 2 GiB is not. */
    char* h = mmap((void*)0x30000000, PAGE, PROT_READ, anon, -1, 0);
    CHECK(h == (char*)0x30000000);
    char* t = mmap((void*)0x7ffff000, 2 * PAGE, PROT_READ, anon, -1, 0);
    CHECK(t != MAP_FAILED && (uintptr_t)t >= 0x40000000 && (uintptr_t)t + 2 * PAGE <= 0x80000000);
    char* x = mmap((void*)0x100000000ul, PAGE, PROT_READ, anon, -1, 0);
    CHECK(x != MAP_FAILED && (uintptr_t)x < 0x80000000);
    /* More than the window holds: ENOMEM, never a high address. */
    CHECK_ERRNO(mmap(0, 0x80000000ul, PROT_READ, anon | MAP_NORESERVE, -1, 0), ENOMEM);
    munmap(p, 4 * PAGE);
    munmap(h, PAGE);
    munmap(t, 2 * PAGE);
    munmap(x, PAGE);
#else
    /* A 32-bit call ignores it (every address is below 4 GiB). */
    char* p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[0] = 1;
        munmap(p, PAGE);
    }
#endif
}

static void large_reservations_cost_nothing(void) {
#if defined(__x86_64__)
    /* Read-only and MAP_NORESERVE mappings are never checked against free
     * memory (Linux: not accounted): a 64 TiB reservation is fine. */
    const uint64_t before = free_frames();
    char* p = mmap(0, 1ul << 46, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) munmap(p, 1ul << 46);
    p = mmap(0, 1ul << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[0] = 1, p[(1ul << 46) - 1] = 2, p[1ul << 45] = 3;
        CHECK_EQ(p[1ul << 45], 3);
        /* mprotect and munmap walk only the tables that exist. */
        CHECK_EQ(mprotect(p, 1ul << 46, PROT_READ), 0);
        CHECK_EQ(p[(1ul << 46) - 1], 2);
        CHECK_EQ(munmap(p, 1ul << 46), 0);
    }
    CHECK(before - free_frames() < 64);
    /* Made writable later, a reservation is checked then (mprotect_fixup). */
    p = mmap(0, 1ul << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK_ERRNO(mprotect(p, 1ul << 40, PROT_READ | PROT_WRITE), ENOMEM);
        CHECK_EQ(mprotect(p, 16 * PAGE, PROT_READ | PROT_WRITE), 0);
        p[0] = 1;
        munmap(p, 1ul << 40);
    }
#else
    test_skip("a 32-bit address space holds no such reservation");
#endif
}

/* Populated or locked, a read-only private reservation still costs
 * nothing: Linux maps its shared zero page on a read fault
 * (mm/memory.c, do_anonymous_page), which is all MAP_POPULATE and mlock
 * ask of such a mapping (mm/gup.c, populate_vma_page_range: no FOLL_WRITE
 * without VM_WRITE). Larger than all of memory, it must not take it. */
static void populated_read_only_reservations_cost_nothing(void) {
    const size_t size = sizeof(void*) == 8 ? 1ul << 30 : 1ul << 28;
    const uint64_t before = free_frames();
    char* p = mmap(0, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    CHECK(before - free_frames() < 64);
    CHECK_EQ(mlock(p, size), 0);
    CHECK(before - free_frames() < 64);
    CHECK_EQ(p[size / 2 + 5], 0);
    CHECK_EQ(munlock(p, size), 0);
    CHECK_EQ(munmap(p, size), 0);
}

/* ---------------------------------------------------------------- shared memory */

static void* map_shared(size_t pages) {
    void* p = mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    return p == MAP_FAILED ? 0 : p;
}

struct sharing {
    volatile char* page;
    int to_child[2], to_parent[2];
};

static int child_shares(void* arg) {
    struct sharing* s = arg;
    char c;
    CHILD_CHECK_EQ(s->page[0], 'p');                /* what the parent wrote before the fork */
    CHILD_CHECK_EQ(read(s->to_child[0], &c, 1), 1); /* the parent wrote again, after it */
    CHILD_CHECK_EQ(s->page[1], 'q');
    s->page[0] = 'c';
    s->page[3 * PAGE] = 'n'; /* a page nobody had touched */
    CHILD_CHECK_EQ(write(s->to_parent[1], "x", 1), 1);
    /* The child's rights are its own: read-only here does not stop the parent. */
    CHILD_CHECK_EQ(mprotect((void*)s->page, PAGE, PROT_READ), 0);
    CHILD_CHECK_EQ(try_write((void*)s->page), SIGSEGV);
    CHILD_CHECK_EQ(read(s->to_child[0], &c, 1), 1);
    CHILD_CHECK_EQ(s->page[2], 'r'); /* still shared after the mprotect */
    return 0;
}

static void shared_memory_is_shared_across_fork(void) {
    struct sharing s;
    s.page = map_shared(4);
    if (!s.page) return;
    CHECK_EQ(pipe(s.to_child), 0);
    CHECK_EQ(pipe(s.to_parent), 0);
    s.page[0] = 'p';
    const pid_t child = start_child(child_shares, &s);
    s.page[1] = 'q';
    CHECK_EQ(write(s.to_child[1], "x", 1), 1);
    char c;
    CHECK_EQ(read(s.to_parent[0], &c, 1), 1);
    CHECK_EQ(s.page[0], 'c');
    CHECK_EQ(s.page[3 * PAGE], 'n');
    s.page[2] = 'r';
    CHECK_EQ(write(s.to_child[1], "x", 1), 1);
    CHECK_EXITED(reap(child), 0);
    CHECK_EQ(try_write((void*)s.page), 0);
    /* MAP_PRIVATE, for contrast: the child writes its own copy. */
    volatile char* priv = map_pages(1, PROT_READ | PROT_WRITE);
    if (priv) {
        priv[0] = 'p';
        const pid_t c2 = fork();
        if (c2 == 0) {
            priv[0] = 'c';
            _exit(priv[0] == 'c' ? 0 : 1);
        }
        CHECK_EXITED(reap(c2), 0);
        CHECK_EQ(priv[0], 'p');
        munmap((void*)priv, PAGE);
    }
    for (int i = 0; i < 2; i++) close(s.to_child[i]), close(s.to_parent[i]);
    munmap((void*)s.page, 4 * PAGE);
}

static int grandchild_writes(void* arg) {
    volatile char* page = arg;
    const pid_t g = fork();
    if (g == 0) {
        page[PAGE] = 'g';
        _exit(0);
    }
    int status = 0;
    waitpid(g, &status, 0);
    CHILD_CHECK_EQ(page[PAGE], 'g');
    /* The child unmaps its view: the others keep theirs. */
    CHILD_CHECK_EQ(munmap((void*)page, 2 * PAGE), 0);
    return 0;
}

static void shared_frames_are_freed_with_the_last_mapping(void) {
    enum { PAGES = 64 };
    uint64_t before = 0;
    for (int round = 0; round <= 5; round++) {
        if (round == 1) before = free_frames();
        char* p = map_shared(PAGES);
        if (!p) return;
        memset(p, round + 1, PAGES * PAGE);
        const uint64_t touched = free_frames();
        /* Three generations see the same frames: forking copies none. */
        CHECK_EXITED(run_child(grandchild_writes, p), 0);
        CHECK_EQ(p[PAGE], 'g');
        CHECK(touched - free_frames() < PAGES / 2); /* the children's own copies of the rest only */
        /* The parent unmapping half keeps the object: the other half still shows it. */
        CHECK_EQ(munmap(p, PAGES / 2 * PAGE), 0);
        CHECK_EQ(p[PAGES / 2 * PAGE], round + 1);
        CHECK_EQ(munmap(p + PAGES / 2 * PAGE, PAGES / 2 * PAGE), 0);
    }
    CHECK_EQ(free_frames(), before);
}

struct keeper {
    int fds[2];
    char* p;
};

static int child_keeps_shared(void* arg) {
    struct keeper* k = arg;
    char c;
    CHILD_CHECK_EQ(read(k->fds[0], &c, 1), 1); /* the parent has unmapped its view */
    for (size_t i = 0; i < 16 * PAGE; i += PAGE) CHILD_CHECK_EQ(k->p[i], 5);
    return 0;
}

static void shared_memory_outlives_the_parents_unmap(void) {
    /* The frames go with the last mapping, whichever process has it. */
    struct keeper k;
    CHECK_EQ(pipe(k.fds), 0);
    const uint64_t before = free_frames();
    k.p = map_shared(16);
    if (!k.p) return;
    memset(k.p, 5, 16 * PAGE);
    const pid_t child = start_child(child_keeps_shared, &k);
    CHECK_EQ(munmap(k.p, 16 * PAGE), 0);
    CHECK_EQ(write(k.fds[1], "x", 1), 1);
    CHECK_EXITED(reap(child), 0);
    close(k.fds[0]), close(k.fds[1]);
    /* Kernel heap may have grown a little; the 16 pages must be back. */
    CHECK(before - free_frames() < 8);
}

static void dev_zero_maps_as_anonymous_memory(void) {
    const int rdonly = open("/dev/zero", O_RDONLY), rdwr = open("/dev/zero", O_RDWR),
              wronly = open("/dev/zero", O_WRONLY);
    const int null = open("/dev/null", O_RDWR);
    CHECK(rdonly >= 0 && rdwr >= 0 && wronly >= 0 && null >= 0);
    /* Private: anonymous memory, writable whatever the file's mode. */
    char* p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, rdonly, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK_EQ(p[100], 0);
        p[100] = 1;
        munmap(p, 2 * PAGE);
    }
    /* Shared: shared memory, which a child shares. */
    volatile char* s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdwr, 0);
    CHECK(s != MAP_FAILED);
    if (s != MAP_FAILED) {
        const pid_t c = fork();
        if (c == 0) {
            s[7] = 'z';
            _exit(0);
        }
        CHECK_EXITED(reap(c), 0);
        CHECK_EQ(s[7], 'z');
        munmap((void*)s, PAGE);
    }
    /* MAP_SHARED_VALIDATE knows the legacy flags and refuses the others. */
    void* v = mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_32BIT, rdwr, 0);
    CHECK(v != MAP_FAILED);
    if (v != MAP_FAILED) munmap(v, PAGE);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rdwr, 0), EOPNOTSUPP);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, rdwr, 0), EOPNOTSUPP);
    v = mmap(0, PAGE, PROT_READ, MAP_SHARED | 0x800000, rdwr, 0); /* ignored */
    CHECK(v != MAP_FAILED);
    if (v != MAP_FAILED) munmap(v, PAGE);
    /* The file's mode limits shared rights, now and later. */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0), EACCES);
    v = mmap(0, PAGE, PROT_READ, MAP_SHARED, rdonly, 0);
    CHECK(v != MAP_FAILED);
    if (v != MAP_FAILED) {
        CHECK_ERRNO(mprotect(v, PAGE, PROT_READ | PROT_WRITE), EACCES);
        munmap(v, PAGE);
    }
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, wronly, 0), EACCES);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, rdwr, 0), EINVAL);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, rdwr, 0), EINVAL);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, 0, rdwr, 0), EINVAL);
    /* Other files cannot be mapped here. */
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, null, 0), ENODEV);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
    close(rdonly), close(rdwr), close(wronly), close(null);
}

/* ---------------------------------------------------------------- populate, lock, grow down */

static int resident_pages(void* p, size_t pages) {
    unsigned char v[64];
    if (pages > sizeof v || mincore(p, pages * PAGE, v)) return -1;
    int n = 0;
    for (size_t i = 0; i < pages; i++) n += v[i] & 1;
    return n;
}

static void populate_and_lock_make_pages_present(void) {
    enum { PAGES = 32 };
    const uint64_t before = free_frames();
    char* p = mmap(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    CHECK(before - free_frames() >= PAGES); /* taken at once */
    CHECK_EQ(resident_pages(p, PAGES), PAGES);
    CHECK_EQ(p[PAGE * 5], 0);
    munmap(p, PAGES * PAGE);
    /* MAP_POPULATE | MAP_NONBLOCK populates nothing (Linux). */
    p = mmap(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NONBLOCK, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK_EQ(resident_pages(p, PAGES), 0);
        /* mlock populates; munlock keeps the pages. */
        CHECK_EQ(mlock(p + 10, 2 * PAGE), 0); /* an unaligned start covers its page */
        CHECK_EQ(resident_pages(p, PAGES), 3);
        CHECK_EQ(munlock(p, PAGES * PAGE), 0);
        CHECK_EQ(resident_pages(p, PAGES), 3);
        CHECK_EQ(mlock2(p + 8 * PAGE, PAGE, MLOCK_ONFAULT), 0); /* locked as they come */
        CHECK_EQ(resident_pages(p, PAGES), 3);
        munmap(p, PAGES * PAGE);
    }
    /* MAP_LOCKED, shared memory too. */
    p = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK_EQ(resident_pages(p, 8), 8);
        /* Locked pages refuse MADV_DONTNEED and MS_INVALIDATE. */
        CHECK_ERRNO(madvise(p, PAGE, MADV_DONTNEED), EINVAL);
        CHECK_ERRNO(msync(p, PAGE, MS_INVALIDATE), EBUSY);
        CHECK_EQ(madvise(p, PAGE, MADV_DONTNEED_LOCKED), 0);
        munmap(p, 8 * PAGE);
    }
    /* Errors. */
    char* q = map_pages(2, PROT_READ | PROT_WRITE);
    if (q) {
        munmap(q + PAGE, PAGE);
        CHECK_ERRNO(mlock(q, 2 * PAGE), ENOMEM); /* a hole */
        CHECK_ERRNO(munlock(q, 2 * PAGE), ENOMEM);
        CHECK_ERRNO(mlock2(q, PAGE, 2), EINVAL);
        munmap(q, PAGE);
    }
    CHECK_EQ(mlock(q, 0), 0);
    CHECK_ERRNO(mlockall(0), EINVAL);
    CHECK_ERRNO(mlockall(MCL_ONFAULT), EINVAL);
    CHECK_ERRNO(mlockall(8), EINVAL);
}

static int lock_everything(void* arg) {
    (void)arg;
    char* p = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(p != MAP_FAILED);
    CHILD_CHECK_EQ(mlockall(MCL_CURRENT | MCL_FUTURE), 0);
    CHILD_CHECK_EQ(resident_pages(p, 8), 8); /* what was there */
    char* q = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK_EQ(resident_pages(q, 8), 8); /* and what comes */
    CHILD_CHECK_EQ(munlockall(), 0);
    char* r = mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK_EQ(resident_pages(r, 8), 0);
    return 0;
}

static void mlockall_locks_now_and_later(void) {
    CHECK_EXITED(run_child(lock_everything, 0), 0);
}

static void growsdown_mappings_grow_on_faults(void) {
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE;
    char* top = (char*)0x28000000;
    char* g = mmap(top, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    CHECK(g == top);
    if (g != top) return;
    CHECK_EQ(try_write(g - PAGE), 0);           /* one page below: it grows */
    CHECK_EQ(try_write(g - 0x400000), 0);       /* 4 MiB below, within the 8 MiB stack limit */
    CHECK_EQ(try_write(g - 0x900000), SIGSEGV); /* past the limit */
    CHECK_EQ(peek(g - PAGE), 0x5a);
    /* PROT_GROWSDOWN reaches the grown start. */
    CHECK_EQ(mprotect(g - PAGE, PAGE, PROT_READ | PROT_GROWSDOWN), 0);
    CHECK_EQ(try_write(g - 0x400000), SIGSEGV);
    CHECK_EQ(try_read(g - 0x400000), 0);
    /* Nothing is placed in the guard gap below it, nor does it grow into another mapping's. */
    char* wall =
        mmap(g - 0x400000 - 0x100000 - 2 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(wall != MAP_FAILED);
    char* h = mmap(g - 0x400000 - PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(h != MAP_FAILED && h != g - 0x400000 - PAGE);
    if (h != MAP_FAILED) munmap(h, PAGE);
    CHECK_EQ(munmap(g - 0x400000, 0x400000 + PAGE), 0);
    char* s = mmap(wall + 0x80000, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
    CHECK(s == wall + 0x80000);
    CHECK_EQ(try_write(s - PAGE), SIGSEGV); /* within 1 MiB of `wall` */
    munmap(s, PAGE);
    munmap(wall, PAGE);
}

/* ---------------------------------------------------------------- mremap */

static void mremap_grows_shrinks_and_moves(void) {
    /* Somewhere with room above, so that growing in place can work. */
    char* p = mmap((void*)0x23000000, 4 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(p == (char*)0x23000000);
    if (p != (char*)0x23000000) return;
    for (int i = 0; i < 4; i++) memset(p + i * PAGE, 'a' + i, PAGE);
    /* Shrinking frees the tail, in place. */
    CHECK(mremap(p, 4 * PAGE, 3 * PAGE, 0) == p);
    CHECK_EQ(try_read(p + 3 * PAGE), SIGSEGV);
    /* Growing into free space stays in place; the new part is zeros. */
    CHECK(mremap(p, 3 * PAGE, 5 * PAGE, 0) == p);
    CHECK_EQ(p[3 * PAGE], 0);
    CHECK_EQ(p[2 * PAGE], 'c');
    /* Blocked: ENOMEM without MREMAP_MAYMOVE, a move with it. */
    char* wall = mmap(p + 5 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(wall == p + 5 * PAGE);
    CHECK_ERRNO(mremap(p, 5 * PAGE, 6 * PAGE, 0), ENOMEM);
    char* q = mremap(p, 5 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED && q != p);
    if (q == MAP_FAILED) return;
    CHECK_EQ(q[0], 'a');
    CHECK_EQ(q[2 * PAGE + 7], 'c');
    CHECK_EQ(q[63 * PAGE], 0);
    CHECK_EQ(try_read(p), SIGSEGV); /* gone from the old place */
    CHECK_EQ(try_read(wall), 0);
    /* MREMAP_FIXED: to exactly there, replacing what was there. */
    char* target = (char*)0x24000000;
    char* old = mmap(target, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(old == target);
    char* r = mremap(q, 64 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + PAGE);
    CHECK(r == target + PAGE);
    CHECK_EQ(r[PAGE], 'b');
    CHECK_EQ(try_write(r), 0); /* the rights moved along: writable, not the old read-only page */
    CHECK_EQ(try_read(target), 0);
    CHECK_EQ(try_read(q + 3 * PAGE), SIGSEGV); /* the shrunk tail went */
    /* The rights of a moved page stay: read-only stays read-only. */
    CHECK_EQ(mprotect(r, PAGE, PROT_READ), 0);
    char* s = mremap(r, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + 16 * PAGE);
    CHECK(s == target + 16 * PAGE);
    CHECK_EQ(try_write(s), SIGSEGV);
    CHECK_EQ(s[0], 0x5a); /* written above, as 'a' was overwritten by try_write */
    munmap(target, 32 * PAGE);
    munmap(wall, PAGE);
    /* The page-table entries move, the pages stay: moving 64 touched
     * pages far away takes at most the new page tables, no frame per page. */
    char* big = map_pages(64, PROT_READ | PROT_WRITE);
    if (!big) return;
    for (int i = 0; i < 64; i++) big[i * PAGE] = (char)i;
    const uint64_t before = free_frames();
#if defined(__x86_64__)
    void* const where = (void*)0x600000000000ul; /* under another PML4 entry: new tables */
#else
    void* const where = (void*)0x60000000;
#endif
    char* far = mremap(big, 64 * PAGE, 64 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, where);
    CHECK(far != MAP_FAILED);
    if (far == MAP_FAILED) return;
    CHECK(before - free_frames() < 8);
    unsigned wrong = 0;
    for (int i = 0; i < 64; i++) wrong += far[i * PAGE] != (char)i;
    CHECK_EQ(wrong, 0);
    test_note("64 pages moved for %llu frames (page tables)", (unsigned long long)(before - free_frames()));
    munmap(far, 64 * PAGE);
}

static void mremap_keeps_regions_whole(void) {
    /* Two adjacent mappings alike are one region (Linux merges them), so
     * they move as one; so does a split mapping whose halves are alike again. */
    char* a = (char*)0x25000000;
    CHECK(mmap(a, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == a);
    CHECK(mmap(a + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == a + PAGE);
    a[0] = 1, a[PAGE] = 2;
    char* b = mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + 0x100000);
    CHECK(b == a + 0x100000);
    CHECK_EQ(b[PAGE], 2);
    CHECK_EQ(mprotect(b + PAGE, PAGE, PROT_READ), 0);
    CHECK_ERRNO(mremap(b, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a), EFAULT); /* two regions */
    CHECK_EQ(mprotect(b + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    CHECK(mremap(b, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a) == a);
    CHECK_EQ(a[0], 1);
    munmap(a, 2 * PAGE);
}

static void mremap_dontunmap_leaves_an_empty_mapping(void) {
    char* p = map_pages(2, PROT_READ | PROT_WRITE);
    if (!p) return;
    memset(p, 'd', 2 * PAGE);
    char* q = mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    CHECK(q != MAP_FAILED && q != p);
    if (q == MAP_FAILED) return;
    CHECK_EQ(q[PAGE], 'd');
    CHECK_EQ(try_read(p), 0); /* still mapped... */
    CHECK_EQ(p[0], 0);        /* ...without its pages */
    /* new_address is a hint with MREMAP_DONTUNMAP alone (the libc, as
     * glibc, passes it only with MREMAP_FIXED: the raw call). */
    char* h = (char*)syscall(SYS_mremap, q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0x26000000);
    CHECK(h == (char*)0x26000000);
    CHECK_EQ(h[0], 'd');
    munmap(h, 2 * PAGE);
    munmap(q, 2 * PAGE);
    munmap(p, 2 * PAGE);
    /* Shared memory: the old range shows the same pages again. */
    char* s = map_shared(1);
    if (!s) return;
    s[0] = 's';
    char* t = mremap(s, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    CHECK(t != MAP_FAILED);
    CHECK_EQ(s[0], 's');
    t[1] = 't';
    CHECK_EQ(s[1], 't');
    munmap(t, PAGE);
    munmap(s, PAGE);
}

static void mremap_of_shared_memory(void) {
    char* s = map_shared(2);
    if (!s) return;
    s[0] = 'x';
    /* old_size 0: a second mapping of the same memory (not for private memory). */
    char* d = mremap(s, 0, 2 * PAGE, MREMAP_MAYMOVE);
    CHECK(d != MAP_FAILED && d != s);
    if (d != MAP_FAILED) {
        CHECK_EQ(d[0], 'x');
        d[PAGE] = 'y';
        CHECK_EQ(s[PAGE], 'y');
    }
    /* Moved, it stays shared with a child. */
    char* m = mremap(s, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0x27000000);
    CHECK(m == (char*)0x27000000);
    const pid_t c = fork();
    if (c == 0) {
        m[5] = 'c';
        _exit(0);
    }
    CHECK_EXITED(reap(c), 0);
    if (d != MAP_FAILED) CHECK_EQ(d[5], 'c');
    /* Grown past the object's end: the new pages have nothing to show
     * (Linux sends SIGBUS there; Sysgate, SIGSEGV). */
    char* g = mremap(m, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
    CHECK(g != MAP_FAILED);
    if (g != MAP_FAILED) {
        CHECK_EQ(g[5], 'c');
        const int sig = try_read(g + 3 * PAGE);
        CHECK(sig == SIGSEGV || sig == SIGBUS);
        munmap(g, 4 * PAGE);
    }
    if (d != MAP_FAILED) munmap(d, 2 * PAGE);
    char* priv = map_pages(1, PROT_READ);
    CHECK_ERRNO(mremap(priv, 0, PAGE, MREMAP_MAYMOVE), EINVAL);
    munmap(priv, PAGE);
}

static void mremap_failure_paths(void) {
    char* p = map_pages(4, PROT_READ | PROT_WRITE);
    if (!p) return;
    CHECK_ERRNO(mremap(p, PAGE, PAGE, 8), EINVAL);                                        /* unknown flag */
    CHECK_ERRNO(mremap(p, PAGE, PAGE, MREMAP_FIXED, (void*)0x24000000), EINVAL);          /* FIXED needs MAYMOVE */
    CHECK_ERRNO(mremap(p, PAGE, PAGE, MREMAP_DONTUNMAP, 0), EINVAL);                      /* so does DONTUNMAP */
    CHECK_ERRNO(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL); /* no resize */
    CHECK_ERRNO(mremap(p, PAGE, PAGE - 1, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL); /* compared before rounding */
    CHECK_ERRNO(mremap(p + 1, PAGE, PAGE, 0), EINVAL);
    CHECK_ERRNO(mremap(p, PAGE, 0, 0), EINVAL);
    /* Rounds up to 0 on x86_64; an i386 length is widened first (Linux too). */
    CHECK_ERRNO(mremap(p, PAGE, (size_t)-1, MREMAP_MAYMOVE), sizeof(long) == 8 ? EINVAL : ENOMEM);
    CHECK_ERRNO(mremap(unmapped_page(), PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT); /* nothing mapped there */
    CHECK_ERRNO(mremap(p, 8 * PAGE, 9 * PAGE, MREMAP_MAYMOVE), EFAULT);           /* across the end of the region */
    CHECK_ERRNO(mremap(p, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p + PAGE), EINVAL); /* overlap */
    CHECK_ERRNO(mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0x24000001), EINVAL);
    CHECK_ERRNO(mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0x1000), EPERM);
#if defined(__x86_64__)
    CHECK_ERRNO(mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0x7ffffffff000), EINVAL); /* past the end */
#else
    CHECK_ERRNO(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0xfffff000), EINVAL);
#endif
    CHECK(mremap(p, 4 * PAGE, 4 * PAGE, 0) == p); /* the same size: nothing to do */
    munmap(p, 4 * PAGE);
}

/* ---------------------------------------------------------------- the vDSO moves */

#if defined(__x86_64__)
struct gate_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rflags;
};
extern void gate_int80_64(struct gate_regs*);
extern void gate_sysenter_64(struct gate_regs*);
extern void gate_syscall_64(struct gate_regs*);
extern void gate_vdso_64(struct gate_regs*);
extern uint64_t gate_vsyscall64;
static void (*const gate_fn[])(struct gate_regs*) = {gate_int80_64, gate_sysenter_64, gate_syscall_64, gate_vdso_64};
#define GATE_VSYSCALL gate_vsyscall64
typedef uint64_t gate_word;
#else
struct gate_regs {
    uint32_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rflags;
};
extern void gate_int80_32(struct gate_regs*);
extern void gate_sysenter_32(struct gate_regs*);
extern void gate_syscall_32(struct gate_regs*);
extern void gate_vdso_32(struct gate_regs*);
extern uint32_t gate_vsyscall32;
static void (*const gate_fn[])(struct gate_regs*) = {gate_int80_32, gate_sysenter_32, gate_syscall_32, gate_vdso_32};
#define GATE_VSYSCALL gate_vsyscall32
typedef uint32_t gate_word;
#endif
enum { G_INT80, G_SYSENTER, G_SYSCALL, G_VDSO, GATES };
static const char* const gate_label[] = {"int80", "sysenter", "syscall", "vdso"};

struct gate_call {
    int gate;
    struct gate_regs r;
};
static void do_gate_call(void* arg) {
    struct gate_call* c = arg;
    gate_fn[c->gate](&c->r);
}
/* A system call through gate g with up to five arguments (the i386
 * numbering for int $0x80, whatever the bitness); 0 or the signal. */
static int gate_syscall(int g, long nr32, long nr64, gate_word a1, gate_word a2, gate_word a3, gate_word a4,
                        gate_word a5, long* result) {
    struct gate_call c;
    memset(&c, 0, sizeof c);
    c.gate = g;
    c.r.rflags = 0x202;
#if defined(__x86_64__)
    if (g == G_INT80) {
        c.r.rax = (uint64_t)nr32, c.r.rbx = a1, c.r.rcx = a2, c.r.rdx = a3, c.r.rsi = a4, c.r.rdi = a5;
    } else {
        c.r.rax = (uint64_t)nr64, c.r.rdi = a1, c.r.rsi = a2, c.r.rdx = a3, c.r.r10 = a4, c.r.r8 = a5;
    }
#else
    (void)nr64;
    c.r.rax = (uint32_t)nr32, c.r.rbx = a1, c.r.rcx = a2, c.r.rdx = a3, c.r.rsi = a4, c.r.rdi = a5;
#endif
    const int sig = run_catching(do_gate_call, &c, 0);
    *result = (long)c.r.rax;
    return sig;
}

struct vdso_layout {
    uintptr_t base, size, vsyscall, clock_gettime; /* the last two as offsets from base (0: none) */
};

static struct vdso_layout vdso_layout(void) {
    struct vdso_layout v = {0, 0, 0, 0};
    v.base = getauxval(AT_SYSINFO_EHDR);
    if (!v.base) return v;
    /* The size, in pages: the whole image as the kernel maps it, up to the
     * end of the highest PT_LOAD segment or of the section headers, which
     * come last in the file (kept, as Linux's vDSO images keep them). */
    const unsigned char* e = (const unsigned char*)v.base;
#if defined(__x86_64__)
    const uint64_t phoff = *(const uint64_t*)(e + 32);
    const uint16_t phentsize = *(const uint16_t*)(e + 54), phnum = *(const uint16_t*)(e + 56);
    for (unsigned i = 0; i < phnum; i++) {
        const unsigned char* ph = e + phoff + i * phentsize;
        if (*(const uint32_t*)ph != 1) continue;
        const uint64_t end = *(const uint64_t*)(ph + 16) + *(const uint64_t*)(ph + 40);
        if (end > v.size) v.size = end;
    }
    const uint64_t sh_end =
        *(const uint64_t*)(e + 40) + (uint64_t) * (const uint16_t*)(e + 58) * *(const uint16_t*)(e + 60);
    if (sh_end > v.size) v.size = sh_end;
#else
    const uint32_t phoff = *(const uint32_t*)(e + 28);
    const uint16_t phentsize = *(const uint16_t*)(e + 42), phnum = *(const uint16_t*)(e + 44);
    for (unsigned i = 0; i < phnum; i++) {
        const unsigned char* ph = e + phoff + i * phentsize;
        if (*(const uint32_t*)ph != 1) continue;
        const uint32_t end = *(const uint32_t*)(ph + 8) + *(const uint32_t*)(ph + 20);
        if (end > v.size) v.size = end;
    }
    const uint32_t sh_end =
        *(const uint32_t*)(e + 32) + (uint32_t) * (const uint16_t*)(e + 46) * *(const uint16_t*)(e + 48);
    if (sh_end > v.size) v.size = sh_end;
#endif
    v.size = (v.size + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    void* gate = sysgate_vdso_symbol("__kernel_vsyscall");
    if (gate) v.vsyscall = (uintptr_t)gate - v.base;
    void* clock = sysgate_vdso_symbol("__vdso_clock_gettime");
    if (clock) v.clock_gettime = (uintptr_t)clock - v.base;
    return v;
}

extern void __sysgate_native_vsyscall(void); /* libc/arch/<arch>/syscall.S */

struct vdso_move {
    int gate; /* the gate the mremap goes through; -1: the libc's own */
    int with_data;
};

/* In a child: moves the vDSO (and its data page) with mremap made through
 * one gate, then calls through every gate that worked before. */
static int move_the_vdso(void* arg) {
    const struct vdso_move* m = arg;
    const struct vdso_layout v = vdso_layout();
    CHILD_CHECK(v.base && v.size && v.vsyscall);
    if (!v.base || !v.size || !v.vsyscall) return 1;
    const long ppid = getppid();
    GATE_VSYSCALL = (gate_word)(v.base + v.vsyscall);
    int usable[GATES];
    for (int g = 0; g < GATES; g++) {
        long r = 0;
        usable[g] = gate_syscall(g, __NR32_getppid, __NR64_getppid, 0, 0, 0, 0, 0, &r) == 0 && r == ppid;
    }
    if (m->gate >= 0 && !usable[m->gate]) return 77; /* not offered here: the parent skips */
    /* Somewhere free for both pages: a reservation, replaced by the move. */
    char* dest = mmap(0, v.size + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(dest != MAP_FAILED);
    if (dest == MAP_FAILED) return 1;
    const uintptr_t new_base = (uintptr_t)dest + PAGE;
    if (m->with_data)
        CHILD_CHECK(mremap((void*)(v.base - PAGE), PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dest) == dest);
    long moved = 0;
    if (m->gate < 0) {
        moved = (long)mremap((void*)v.base, v.size, v.size, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)new_base);
    } else {
        /* Raw, through one gate: it must come back even when its own way
         * back (sysenter's landing pad, the vDSO's ret) has just moved.
         * Meanwhile the libc (the signal catcher's sigaction calls) uses
         * its native gate, not the vDSO that is about to go. */
        __sysgate_vsyscall = __sysgate_native_vsyscall;
        const int sig = gate_syscall(m->gate, __NR32_mremap, __NR64_mremap, (gate_word)v.base, (gate_word)v.size,
                                     (gate_word)v.size, MREMAP_MAYMOVE | MREMAP_FIXED, (gate_word)new_base, &moved);
        CHILD_CHECK_EQ(sig, 0);
    }
    /* The libc's calls go through __kernel_vsyscall: point it at the new place. */
    __sysgate_vsyscall = (void (*)(void))(new_base + v.vsyscall);
    CHILD_CHECK_EQ(moved, (long)new_base);
    if ((uintptr_t)moved != new_base) return 1;
    GATE_VSYSCALL = (gate_word)(new_base + v.vsyscall);
    CHILD_CHECK_EQ(try_read((void*)v.base), SIGSEGV); /* nothing left at the old place */
    for (int g = 0; g < GATES; g++) {
        if (!usable[g]) continue;
        long r = 0;
        CHILD_CHECK_EQ(gate_syscall(g, __NR32_getppid, __NR64_getppid, 0, 0, 0, 0, 0, &r), 0);
        CHILD_CHECK_EQ(r, ppid);
    }
    /* The time functions read the data page next to the code. */
    if (m->with_data && v.clock_gettime) {
        int (*clock)(int, struct timespec*) = (int (*)(int, struct timespec*))(new_base + v.clock_gettime);
        struct timespec a, b;
        CHILD_CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a), 0);
        CHILD_CHECK_EQ(clock(CLOCK_MONOTONIC, &b), 0);
        const long long diff = (long long)(b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec);
        CHILD_CHECK(diff >= 0 && diff < 1000000000ll);
    }
    /* A child of this one inherits the vDSO where it now is. */
    const pid_t c = fork();
    if (c == 0) {
        long r = 0;
        int bad = 0;
        for (int g = 0; g < GATES; g++)
            if (usable[g]) bad |= gate_syscall(g, __NR32_getpid, __NR64_getpid, 0, 0, 0, 0, 0, &r) || r != getpid();
        _exit(bad);
    }
    int status = -1;
    CHILD_CHECK_EQ(waitpid(c, &status, 0), c);
    CHILD_CHECK_EQ(status, 0);
    return 0;
}

static void the_vdso_moves_and_keeps_working(void) {
    const struct vdso_layout v = vdso_layout();
    if (!v.base) {
        test_skip("no vDSO");
        return;
    }
    test_note("vDSO at %#lx, %lu bytes, data page below", (unsigned long)v.base, (unsigned long)v.size);
    /* Through the libc (its own gate), with and without the data page. */
    struct vdso_move m = {-1, 1};
    CHECK_EXITED(run_child(move_the_vdso, &m), 0);
    m.with_data = 0;
    CHECK_EXITED(run_child(move_the_vdso, &m), 0);
    /* The mremap itself through each gate. */
    for (int g = 0; g < GATES; g++) {
#if defined(__x86_64__)
        if (g == G_INT80) continue; /* i386 arguments: 32 bits, and the vDSO is above 4 GiB */
#endif
        m.gate = g;
        m.with_data = 1;
        const int status = run_child(move_the_vdso, &m);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
            test_note("%s: not offered by this CPU", gate_label[g]);
            continue;
        }
        CHECK_EXITED(status, 0);
        test_note("moved through %s, then called through every gate", gate_label[g]);
    }
}

static void the_vdso_moves_only_whole(void) {
    const struct vdso_layout v = vdso_layout();
    if (!v.base) {
        test_skip("no vDSO");
        return;
    }
    void* base = (void*)v.base;
    /* Special mappings are never cut, never grown, never duplicated. */
    if (v.size > PAGE) {
        CHECK_ERRNO(mremap(base, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)0x24000000), EINVAL);
        CHECK_ERRNO(munmap(base, PAGE), EINVAL);
        CHECK_ERRNO(mprotect(base, PAGE, PROT_READ), EINVAL);
    }
    CHECK_ERRNO(mremap(base, v.size, v.size + PAGE, MREMAP_MAYMOVE), EFAULT);
    CHECK_ERRNO(mremap((char*)base - PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);
    CHECK_ERRNO(mremap(base, v.size, v.size, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), EINVAL);
    /* Its rights: read and execute may go, writing may not come. */
    CHECK_ERRNO(mprotect(base, v.size, PROT_READ | PROT_WRITE | PROT_EXEC), EACCES);
    CHECK_ERRNO(mprotect((char*)base - PAGE, PAGE, PROT_READ | PROT_WRITE), EACCES);
    CHECK_EQ(mprotect(base, v.size, PROT_READ | PROT_EXEC), 0);
    CHECK_ERRNO(madvise((char*)base - PAGE, PAGE, MADV_DONTNEED), EINVAL); /* Linux: VM_PFNMAP */
    CHECK_ERRNO(madvise(base, PAGE, MADV_DODUMP), EINVAL);
    CHECK_EQ(madvise(base, PAGE, MADV_DONTNEED), 0); /* its pages stay */
    unsigned char vec[2] = {0, 0};
    CHECK_EQ(mincore(base, PAGE, vec), 0);
    CHECK_EQ(vec[0], 1);
    CHECK_EQ(getppid(), getppid()); /* still callable */
}

/* ---------------------------------------------------------------- madvise, msync, mincore */

static int child_sees_advice(void* arg) {
    char** pages = arg;
    CHILD_CHECK_EQ(try_read(pages[0]), SIGSEGV); /* MADV_DONTFORK: not here */
    CHILD_CHECK_EQ(pages[1][0], 0);              /* MADV_WIPEONFORK: here, empty */
    CHILD_CHECK_EQ(pages[2][0], 3);              /* the rest copied */
    return 0;
}

static void madvise_advice(void) {
    char* p = map_pages(4, PROT_READ | PROT_WRITE);
    if (!p) return;
    memset(p, 'm', 4 * PAGE);
    const uint64_t before = free_frames();
    CHECK_EQ(madvise(p, 2 * PAGE, MADV_DONTNEED), 0); /* private: zeros from now on */
    CHECK(free_frames() >= before + 2);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[2 * PAGE], 'm');
    CHECK_EQ(madvise(p + 2 * PAGE, PAGE, MADV_FREE), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_NORMAL), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_WILLNEED), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_SEQUENTIAL), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_HUGEPAGE), 0);
    CHECK_EQ(madvise(p, 2 * PAGE, MADV_POPULATE_WRITE), 0);
    CHECK_EQ(resident_pages(p, 2), 2);
    CHECK_ERRNO(madvise(p, PAGE, MADV_REMOVE), EINVAL); /* private memory has no file */
    CHECK_ERRNO(madvise(p, PAGE, 99), EINVAL);
    CHECK_ERRNO(madvise(p, PAGE, 6), EINVAL);
    CHECK_ERRNO(madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
    CHECK_ERRNO(madvise(p, (size_t)-1, MADV_NORMAL), sizeof(long) == 8 ? EINVAL : ENOMEM);
    CHECK_EQ(madvise(p, 0, MADV_DONTNEED), 0);
    /* A hole: the rest is still advised, and ENOMEM at the end. */
    p[3 * PAGE] = 'h';
    munmap(p + PAGE, PAGE);
    CHECK_ERRNO(madvise(p, 4 * PAGE, MADV_DONTNEED), ENOMEM);
    CHECK_EQ(p[3 * PAGE], 0);
    CHECK_ERRNO(madvise(unmapped_page(), PAGE, MADV_NORMAL), ENOMEM);
    CHECK_EQ(mprotect(p, PAGE, PROT_READ), 0);
    CHECK_ERRNO(madvise(p, PAGE, MADV_POPULATE_WRITE), EINVAL);
    munmap(p, 4 * PAGE);
    /* Shared memory keeps its contents through MADV_DONTNEED; MADV_REMOVE clears them. */
    char* s = map_shared(2);
    if (s) {
        memset(s, 's', 2 * PAGE);
        CHECK_EQ(madvise(s, PAGE, MADV_DONTNEED), 0);
        CHECK_EQ(s[0], 's');
        CHECK_ERRNO(madvise(s, PAGE, MADV_FREE), EINVAL);
        CHECK_ERRNO(madvise(s, PAGE, MADV_WIPEONFORK), EINVAL);
        const uint64_t before_remove = free_frames();
        CHECK_EQ(madvise(s, PAGE, MADV_REMOVE), 0);
        CHECK(free_frames() >= before_remove + 1); /* its only mapping: the frame is freed */
        CHECK_EQ(s[0], 0);
        CHECK_EQ(s[PAGE], 's');
        munmap(s, 2 * PAGE);
    }
    /* Fork: MADV_DONTFORK and MADV_WIPEONFORK. */
    char* pages[3] = {map_pages(1, PROT_READ | PROT_WRITE), map_pages(1, PROT_READ | PROT_WRITE),
                      map_pages(1, PROT_READ | PROT_WRITE)};
    if (!pages[0] || !pages[1] || !pages[2]) return;
    pages[0][0] = 1, pages[1][0] = 2, pages[2][0] = 3;
    CHECK_EQ(madvise(pages[0], PAGE, MADV_DONTFORK), 0);
    CHECK_EQ(madvise(pages[1], PAGE, MADV_WIPEONFORK), 0);
    CHECK_EXITED(run_child(child_sees_advice, pages), 0);
    CHECK_EQ(pages[1][0], 2); /* the parent's own is untouched */
    CHECK_EQ(madvise(pages[0], PAGE, MADV_DOFORK), 0);
    CHECK_EQ(madvise(pages[1], PAGE, MADV_KEEPONFORK), 0);
    for (int i = 0; i < 3; i++) munmap(pages[i], PAGE);
}

static void msync_and_mincore(void) {
    char* p = map_pages(4, PROT_READ | PROT_WRITE);
    if (!p) return;
    CHECK_EQ(msync(p, 4 * PAGE, MS_SYNC), 0);
    CHECK_EQ(msync(p, 4 * PAGE, MS_ASYNC), 0);
    CHECK_EQ(msync(p, 0, MS_SYNC), 0);
    CHECK_ERRNO(msync(p, PAGE, 8), EINVAL);
    CHECK_ERRNO(msync(p, PAGE, MS_ASYNC | MS_SYNC), EINVAL);
    CHECK_ERRNO(msync(p + 1, PAGE, MS_SYNC), EINVAL);
    CHECK_ERRNO(msync(unmapped_page(), PAGE, MS_SYNC), ENOMEM);
    munmap(p + PAGE, PAGE);
    CHECK_ERRNO(msync(p, 4 * PAGE, MS_SYNC), ENOMEM); /* a hole */
    CHECK_ERRNO(msync(p, 4 * PAGE, MS_ASYNC), ENOMEM);
    /* mincore: a byte per page, 1 for the ones in memory. */
    p[0] = 1;
    p[3 * PAGE] = 1;
    unsigned char v[4];
    memset(v, 7, sizeof v);
    CHECK_EQ(mincore(p + 2 * PAGE, 2 * PAGE - 1, v), 0);
    CHECK_EQ(v[0], 0);
    CHECK_EQ(v[1], 1);
    CHECK_EQ(v[2], 7);                            /* only as many bytes as pages */
    CHECK_ERRNO(mincore(p, 2 * PAGE, v), ENOMEM); /* the hole */
    CHECK_ERRNO(mincore(p + 1, PAGE, v), EINVAL);
    CHECK_ERRNO(mincore(p, PAGE, (unsigned char*)UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(mincore(p, (size_t) - (uintptr_t)p, v), ENOMEM);
    /* Shared memory: in memory once any mapping touched it. */
    char* s = map_shared(2);
    if (s) {
        const pid_t c = fork();
        if (c == 0) {
            s[PAGE] = 1;
            _exit(0);
        }
        CHECK_EXITED(reap(c), 0);
        CHECK_EQ(mincore(s, 2 * PAGE, v), 0);
        CHECK_EQ(v[0], 0);
        CHECK_EQ(v[1], 1);
        munmap(s, 2 * PAGE);
    }
    munmap(p, 4 * PAGE);
}

static void memory_calls_give_every_frame_back(void) {
    /* Everything above, round after round: the free frames come back to
     * where they were after the first round. */
    uint64_t before = 0;
    for (int round = 0; round <= 10; round++) {
        if (round == 1) before = free_frames();
        char* s = map_shared(16);
        char* p = map_pages(16, PROT_READ | PROT_WRITE);
        if (!s || !p) return;
        memset(s, round, 16 * PAGE);
        memset(p, round, 16 * PAGE);
        char* q = mremap(p, 16 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
        if (q == MAP_FAILED) return;
        memset(q + 16 * PAGE, 1, 16 * PAGE);
        char* d = mremap(q, 8 * PAGE, 8 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
        madvise(q + 8 * PAGE, 4 * PAGE, MADV_DONTNEED);
        mprotect(s + 4 * PAGE, 4 * PAGE, PROT_READ);
        char* dup = mremap(s, 0, 8 * PAGE, MREMAP_MAYMOVE);
        const pid_t c = fork();
        if (c == 0) {
            s[15 * PAGE] = 1;
            q[PAGE * 20] = 2;
            _exit(0);
        }
        CHECK_EXITED(reap(c), 0);
        madvise(s + 12 * PAGE, 2 * PAGE, MADV_REMOVE);
        munmap(s, 16 * PAGE);
        munmap(q, 32 * PAGE);
        munmap(d, 8 * PAGE);
        munmap(dup, 8 * PAGE);
    }
    CHECK_EQ(free_frames(), before);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    (void)argc;
    test_run("anonymous mmap: zeroed pages that appear on first touch", mmap_pages_appear_on_first_touch);
    test_run("mprotect: read-only and PROT_NONE are enforced, contents kept", mprotect_read_only_and_none);
    test_run("munmap: touching what is gone is a SIGSEGV", munmap_then_touch);
    test_run("MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses", map_fixed_replaces);
    test_run("mmap, munmap and mprotect failure paths", mapping_failure_paths);
    test_run("requests that cannot be met: ENOMEM, and the kernel goes on", impossible_requests_fail_with_enomem);
    test_run("brk grows and shrinks; released memory comes back zeroed", brk_moves_both_ways);
    test_run("fork copies mappings, their contents and their rights", fork_copies_mappings);
    test_run("unmapping gives every frame back", unmapping_gives_every_frame_back);
    test_run("mmap and mprotect arguments: Linux's answers", mmap_argument_rules);
    test_run("a free hint is honoured; MAP_FIXED_NOREPLACE; nothing below 64 KiB", free_hints_are_honoured);
    test_run("MAP_32BIT: below 2 GiB (64-bit), ignored (32-bit)", map_32bit_stays_low);
    test_run("read-only and MAP_NORESERVE reservations cost nothing", large_reservations_cost_nothing);
    test_run("populated or locked, read-only reservations cost nothing", populated_read_only_reservations_cost_nothing);
    test_run("MAP_SHARED anonymous memory is shared with fork children", shared_memory_is_shared_across_fork);
    test_run("shared frames go with the last mapping, in any process", shared_frames_are_freed_with_the_last_mapping);
    test_run("shared memory outlives the parent's munmap", shared_memory_outlives_the_parents_unmap);
    test_run("/dev/zero maps as anonymous memory, private or shared", dev_zero_maps_as_anonymous_memory);
    test_run("MAP_POPULATE, MAP_LOCKED and mlock make pages present", populate_and_lock_make_pages_present);
    test_run("mlockall: now and later", mlockall_locks_now_and_later);
    test_run("MAP_GROWSDOWN grows on faults, within its limits", growsdown_mappings_grow_on_faults);
    test_run("mremap grows, shrinks and moves, contents kept", mremap_grows_shrinks_and_moves);
    test_run("mremap moves whole regions; alike neighbours are one", mremap_keeps_regions_whole);
    test_run("MREMAP_DONTUNMAP leaves the old range mapped and empty", mremap_dontunmap_leaves_an_empty_mapping);
    test_run("mremap of shared memory: duplicate, move, grow", mremap_of_shared_memory);
    test_run("mremap failure paths", mremap_failure_paths);
    test_run("the vDSO moves with mremap and every gate still works", the_vdso_moves_and_keeps_working);
    test_run("the vDSO moves only whole, never grows, is never written", the_vdso_moves_only_whole);
    test_run("madvise: DONTNEED, REMOVE, DONTFORK, WIPEONFORK and the errors", madvise_advice);
    test_run("msync and mincore", msync_and_mincore);
    test_run("mremap, shared memory and madvise give every frame back", memory_calls_give_every_frame_back);
    return test_summary(sizeof(void*) == 8 ? "memory" : "memory32");
}
