// libc/src/malloc.c over a fake program break. The libc reaches the
// system only through __sg_heap_brk and __sg_heap_panic (libc/src/heap.c,
// not part of the unit build); this file supplies both, renamed sg_* like
// every symbol of the host-built libc objects.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
void* sg_malloc(size_t n);
void sg_free(void* p);
void* sg_calloc(size_t count, size_t size);
void* sg_realloc(void* p, size_t n);
long sg___sg_heap_verify(void);
extern int sg_errno;
}

namespace fake_brk {
// 64 MiB of address space for the break to move in. The break starts at
// an odd address, as a real one may: malloc must align the heap itself.
constexpr size_t kSize = 64 << 20;
alignas(4096) unsigned char arena[kSize];
unsigned char* current = arena + 8;
unsigned char* limit = arena + kSize; // tests lower it to make brk fail
} // namespace fake_brk

// Linux's brk: moves the break if it can, and returns the break.
extern "C" void* sg___sg_heap_brk(void* addr) {
    using namespace fake_brk;
    auto* p = static_cast<unsigned char*>(addr);
    if (p && p >= arena && p <= limit) current = p;
    return current;
}

extern "C" [[noreturn]] void sg___sg_heap_panic(const char* what, void* p) {
    fprintf(stderr, "malloc: %s: %p\n", what, p);
    abort();
}

namespace {

bool aligned16(const void* p) {
    return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

// The heap's invariants hold (every chunk linked to its neighbours, no two
// free chunks side by side, the free list matches the chunks).
void ExpectHeapConsistent() {
    EXPECT_GE(sg___sg_heap_verify(), 0) << "heap is inconsistent";
}

TEST(LibcMalloc, BlocksAreAlignedDistinctAndKeepTheirContents) {
    std::vector<std::pair<unsigned char*, size_t>> blocks;
    for (size_t n = 0; n < 600; n += 7) {
        auto* p = static_cast<unsigned char*>(sg_malloc(n));
        ASSERT_NE(p, nullptr);
        EXPECT_TRUE(aligned16(p));
        memset(p, static_cast<int>(n), n);
        blocks.push_back({p, n});
    }
    for (auto [p, n] : blocks) {
        for (size_t i = 0; i < n; i++) {
            ASSERT_EQ(p[i], static_cast<unsigned char>(n));
        }
    }
    ExpectHeapConsistent();
    for (auto [p, n] : blocks) sg_free(p);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, ZeroBytesGiveDistinctPointers) {
    void* a = sg_malloc(0);
    void* b = sg_malloc(0);
    EXPECT_NE(a, nullptr);
    EXPECT_NE(b, nullptr);
    EXPECT_NE(a, b);
    sg_free(a);
    sg_free(b);
    sg_free(nullptr); // allowed, does nothing
}

TEST(LibcMalloc, FreedMemoryIsReused) {
    void* guard = sg_malloc(16); // keeps the blocks below off the top of the heap
    void* p = sg_malloc(100);
    void* keep = sg_malloc(16);
    sg_free(p);
    EXPECT_EQ(sg_malloc(100), p);
    sg_free(p);
    sg_free(keep);
    sg_free(guard);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, NeighboursMergeWhenFreed) {
    char* a = static_cast<char*>(sg_malloc(1000));
    char* b = static_cast<char*>(sg_malloc(1000));
    char* c = static_cast<char*>(sg_malloc(1000));
    void* after = sg_malloc(16);
    sg_free(a);
    sg_free(c);
    sg_free(b); // merges with both a and c
    ExpectHeapConsistent();
    void* big = sg_malloc(2900); // only fits in a+b+c
    EXPECT_EQ(big, a);
    sg_free(big);
    sg_free(after);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, LargeFreeTopIsGivenBackToTheSystem) {
    void* first = sg_malloc(1); // the heap exists (it keeps a 16-byte end marker)
    unsigned char* before = fake_brk::current;
    auto* big = static_cast<unsigned char*>(sg_malloc(1 << 20));
    ASSERT_NE(big, nullptr);
    EXPECT_GE(fake_brk::current, big + (1 << 20)); // the break grew to cover it
    big[(1 << 20) - 1] = 1;
    sg_free(big);
    EXPECT_LE(fake_brk::current, before); // and came back down
    sg_free(first);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, GrowthBuildsOnTheTopOfTheHeap) {
    void* small = sg_malloc(64);
    unsigned char* brk_before = fake_brk::current;
    // More than any free chunk: the heap grows by whole 64 KiB steps, no
    // more than needed, and the block starts at the old top (in a free
    // chunk there, or at the old end marker).
    void* big = sg_malloc(100 * 1024);
    ASSERT_NE(big, nullptr);
    EXPECT_LE(static_cast<unsigned char*>(big), brk_before);
    EXPECT_LE(fake_brk::current - brk_before, 128 * 1024);
    EXPECT_EQ((fake_brk::current - brk_before) % (64 * 1024), 0);
    sg_free(big);
    sg_free(small);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, CallocZeroesAndChecksOverflow) {
    auto* p = static_cast<unsigned char*>(sg_malloc(256));
    memset(p, 0xff, 256);
    void* guard = sg_malloc(16);
    sg_free(p);
    auto* q = static_cast<unsigned char*>(sg_calloc(16, 16));
    ASSERT_EQ(q, p); // the same memory, now cleared
    for (int i = 0; i < 256; i++) ASSERT_EQ(q[i], 0);
    sg_free(q);
    sg_free(guard);
    sg_errno = 0;
    EXPECT_EQ(sg_calloc(SIZE_MAX / 2, 3), nullptr);
    EXPECT_EQ(sg_errno, ENOMEM);
}

TEST(LibcMalloc, ReallocShrinksAndGrowsInPlaceWhenItCan) {
    auto* p = static_cast<char*>(sg_malloc(1000));
    void* guard = sg_malloc(16);
    memset(p, 'a', 1000);
    EXPECT_EQ(sg_realloc(p, 100), p); // shrink: same block, tail freed
    ExpectHeapConsistent();
    EXPECT_EQ(sg_realloc(p, 900), p); // grow back into the freed tail
    for (int i = 0; i < 100; i++) ASSERT_EQ(p[i], 'a');
    sg_free(p);
    sg_free(guard);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, ReallocMovesAndKeepsContents) {
    auto* p = static_cast<char*>(sg_malloc(64));
    void* blocker = sg_malloc(64); // no room to grow in place
    for (int i = 0; i < 64; i++) p[i] = static_cast<char>(i);
    auto* q = static_cast<char*>(sg_realloc(p, 5000));
    ASSERT_NE(q, nullptr);
    EXPECT_NE(q, p);
    for (int i = 0; i < 64; i++) ASSERT_EQ(q[i], static_cast<char>(i));
    sg_free(q);
    sg_free(blocker);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, ReallocEdgeCases) {
    void* p = sg_realloc(nullptr, 10); // as malloc
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(sg_realloc(p, 0), nullptr); // frees, as glibc
    ExpectHeapConsistent();
    p = sg_malloc(10);
    sg_errno = 0;
    EXPECT_EQ(sg_realloc(p, SIZE_MAX), nullptr);
    EXPECT_EQ(sg_errno, ENOMEM);
    sg_free(p); // still valid after a failed realloc
}

TEST(LibcMalloc, OutOfMemoryIsENOMEM) {
    sg_errno = 0;
    EXPECT_EQ(sg_malloc(SIZE_MAX), nullptr);
    EXPECT_EQ(sg_errno, ENOMEM);
    sg_errno = 0;
    EXPECT_EQ(sg_malloc(fake_brk::kSize), nullptr); // brk refuses
    EXPECT_EQ(sg_errno, ENOMEM);
    fake_brk::limit = fake_brk::current; // the break cannot move at all
    void* p = sg_malloc(200 * 1024);
    fake_brk::limit = fake_brk::arena + fake_brk::kSize;
    EXPECT_EQ(p, nullptr);
    ExpectHeapConsistent();
    p = sg_malloc(200 * 1024); // and works again once it can
    EXPECT_NE(p, nullptr);
    sg_free(p);
}

// A program that moves the break itself (sbrk) between two growths of the
// heap keeps its memory: malloc fences it in and builds above it.
TEST(LibcMalloc, MemoryFromSbrkIsLeftAlone) {
    void* a = sg_malloc(32);
    unsigned char* mine = fake_brk::current;
    fake_brk::current += 5000; // the program's sbrk(5000)
    memset(mine, 0x5a, 5000);
    std::vector<void*> blocks;
    for (int i = 0; i < 100; i++) {
        auto* p = static_cast<unsigned char*>(sg_malloc(4000));
        ASSERT_NE(p, nullptr);
        EXPECT_TRUE(p + 4000 <= mine || p >= mine + 5000) << "block overlaps the sbrk memory";
        memset(p, 0, 4000);
        blocks.push_back(p);
    }
    for (void* p : blocks) sg_free(p);
    for (int i = 0; i < 5000; i++) ASSERT_EQ(mine[i], 0x5a);
    EXPECT_GE(fake_brk::current, mine + 5000); // never given back below the program's memory
    sg_free(a);
    ExpectHeapConsistent();
}

TEST(LibcMalloc, RandomWorkload) {
    std::mt19937 rng(7);
    struct Block {
        unsigned char* p;
        size_t n;
        unsigned char fill;
    };
    std::vector<Block> live;
    for (int step = 0; step < 20000; step++) {
        unsigned op = rng() % 10; // 40% malloc, 40% free, 20% realloc
        if (op < 4 || live.empty()) {
            size_t n = rng() % (rng() % 20 == 0 ? 200000 : 500);
            auto* p = static_cast<unsigned char*>(sg_malloc(n));
            ASSERT_NE(p, nullptr);
            ASSERT_TRUE(aligned16(p));
            auto fill = static_cast<unsigned char>(rng());
            memset(p, fill, n);
            live.push_back({p, n, fill});
        } else {
            size_t i = rng() % live.size();
            Block b = live[i];
            for (size_t k = 0; k < b.n; k++) {
                ASSERT_EQ(b.p[k], b.fill) << "block " << i;
            }
            if (op < 8) {
                sg_free(b.p);
                live[i] = live.back();
                live.pop_back();
            } else {
                size_t n = 1 + rng() % 3000; // (0 would free)
                auto* p = static_cast<unsigned char*>(sg_realloc(b.p, n));
                ASSERT_NE(p, nullptr);
                for (size_t k = 0; k < std::min(n, b.n); k++) {
                    ASSERT_EQ(p[k], b.fill);
                }
                memset(p, b.fill, n);
                live[i] = {p, n, b.fill};
            }
        }
        if (step % 1000 == 0) {
            ASSERT_GE(sg___sg_heap_verify(), 0) << "at step " << step;
        }
    }
    for (Block& b : live) sg_free(b.p);
    ExpectHeapConsistent();
}

// Misuse is reported and ends the program, rather than corrupting the heap.
TEST(LibcMallocDeathTest, DoubleFree) {
    void* p = sg_malloc(40);
    void* guard = sg_malloc(40);
    sg_free(p);
    EXPECT_DEATH({ sg_free(p); }, "malloc: double free");
    sg_free(guard);
}

TEST(LibcMallocDeathTest, PointerNotFromMalloc) {
    int on_stack;
    EXPECT_DEATH({ sg_free(&on_stack); }, "malloc: invalid pointer");
    char* p = static_cast<char*>(sg_malloc(40));
    EXPECT_DEATH({ sg_free(p + 8); }, "malloc: invalid pointer");
    EXPECT_DEATH({ sg_realloc(p + 16, 10); }, "malloc: ");
    sg_free(p);
}

TEST(LibcMallocDeathTest, OverwrittenHeader) {
    auto* p = static_cast<unsigned char*>(sg_malloc(40));
    auto* q = static_cast<unsigned char*>(sg_malloc(40));
    // 16 bytes too many, over q's header; in the child only, so that the
    // other tests keep a sound heap.
    EXPECT_DEATH(
        {
            memset(p, 0x41, 64);
            sg_free(q);
        },
        "malloc: heap corruption");
    sg_free(q);
    sg_free(p);
}

} // namespace
