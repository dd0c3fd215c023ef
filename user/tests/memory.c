/* Memory ("Processes, files and a shell"): anonymous private mmap whose
 * pages appear on first touch, munmap and mprotect (a forbidden access is
 * a SIGSEGV), brk growth and shrink, fork's copy of all of it, and
 * requests that cannot be met (ENOMEM, and the kernel goes on). The
 * kernel's free-frame counter (sysgate_stats) shows when pages come and
 * go. Built for 64- and 32-bit. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define PAGE 4096u

static void write_byte(void* p) {
    *(volatile char*)p = 0x5a;
}
static volatile char sink;
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
    CHECK_ERRNO(mmap(0, PAGE, 0x100, anon, -1, 0), EINVAL);
    CHECK_ERRNO(mmap(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF); /* a file mapping without a file */
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
    CHECK_ERRNO(mmap(0, (size_t)-PAGE, PROT_READ, anon, -1, 0), ENOMEM);
#if defined(__x86_64__)
    CHECK_ERRNO(mmap(0, 1ul << 46, PROT_READ, anon, -1, 0), ENOMEM);
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
    return test_summary(sizeof(void*) == 8 ? "memory" : "memory32");
}
