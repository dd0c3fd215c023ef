// kernel/mm/heap.h: the kernel heap over a host buffer whose "pages" the
// grow callback maps on demand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "kernel/mm/heap.h"

namespace {

using mm::Heap;

// A big preallocated region; grow() "maps" by moving the mapped end up, and
// fills the new memory with garbage so the heap cannot rely on zeroed pages.
struct Arena {
    explicit Arena(size_t capacity) : capacity(capacity) {
        memory = static_cast<unsigned char*>(std::aligned_alloc(4096, capacity));
        base = reinterpret_cast<uintptr_t>(memory);
    }
    ~Arena() { std::free(memory); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    unsigned char* memory;
    uintptr_t base;
    size_t capacity;
    uintptr_t mapped_end = 0; // 0 until the first grow
    bool refuse = false;
    std::vector<std::pair<uintptr_t, uintptr_t>> grows;
};

bool grow(uintptr_t old_end, uintptr_t new_end, void* ctx) {
    auto* a = static_cast<Arena*>(ctx);
    a->grows.emplace_back(old_end, new_end);
    if (a->refuse) return false;
    EXPECT_LT(old_end, new_end);
    EXPECT_GE(old_end, a->base);
    EXPECT_LE(new_end, a->base + a->capacity) << "grew past the heap's maximum";
    if (a->mapped_end) {
        EXPECT_EQ(old_end, a->mapped_end) << "the heap must grow contiguously";
    }
    if (new_end > a->base + a->capacity || old_end >= new_end) return false;
    std::memset(reinterpret_cast<void*>(old_end), 0xcd, new_end - old_end);
    a->mapped_end = new_end;
    return true;
}

constexpr size_t KiB = 1024, MiB = 1024 * 1024;

class HeapTest : public ::testing::Test {
  protected:
    void init(size_t max_size, uintptr_t offset = 0) { heap.init(arena.base + offset, max_size, grow, &arena); }
    bool inside_mapped(const void* p, size_t n) const {
        const uintptr_t a = reinterpret_cast<uintptr_t>(p);
        return a >= arena.base && a + n <= arena.base + heap.bytes_mapped() + 16;
    }
    Arena arena{64 * MiB};
    Heap heap;
};

TEST_F(HeapTest, NothingMappedBeforeTheFirstAllocation) {
    init(1 * MiB);
    EXPECT_EQ(heap.bytes_mapped(), 0u);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_TRUE(heap.check());
    EXPECT_TRUE(arena.grows.empty());
}

TEST_F(HeapTest, FirstAllocationGrowsByOneChunk) {
    init(1 * MiB);
    void* p = heap.allocate(100);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(arena.grows.size(), 1u);
    EXPECT_EQ(arena.grows[0].first, arena.base);
    EXPECT_EQ(arena.grows[0].second - arena.grows[0].first, 64 * KiB);
    EXPECT_EQ(heap.bytes_mapped(), 64 * KiB);
    EXPECT_GT(reinterpret_cast<uintptr_t>(p), arena.base); // a header comes first
    EXPECT_LT(reinterpret_cast<uintptr_t>(p), arena.base + 64);
    EXPECT_EQ(heap.live_blocks(), 1u);
    EXPECT_GE(heap.bytes_in_use(), 100u);
    EXPECT_LT(heap.bytes_in_use(), 100u + 64);
    EXPECT_TRUE(heap.check());
    // Small allocations are then served without growing.
    for (int i = 0; i < 100; i++) ASSERT_NE(heap.allocate(64), nullptr);
    EXPECT_EQ(arena.grows.size(), 1u);
}

TEST_F(HeapTest, SixteenByteAlignmentForEverySize) {
    init(8 * MiB);
    std::vector<std::pair<uintptr_t, size_t>> blocks;
    for (size_t size = 0; size <= 600; size++) {
        void* p = heap.allocate(size);
        ASSERT_NE(p, nullptr) << size;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % Heap::ALIGNMENT, 0u) << size;
        EXPECT_TRUE(inside_mapped(p, size)) << size;
        std::memset(p, int(size & 0xff), size);
        blocks.emplace_back(reinterpret_cast<uintptr_t>(p), size);
    }
    // No two blocks overlap.
    std::sort(blocks.begin(), blocks.end());
    for (size_t i = 1; i < blocks.size(); i++)
        EXPECT_LE(blocks[i - 1].first + blocks[i - 1].second, blocks[i].first) << i;
    // And every byte written is still there.
    for (const auto& [addr, size] : blocks)
        for (size_t i = 0; i < size; i++)
            ASSERT_EQ(reinterpret_cast<unsigned char*>(addr)[i], (unsigned char)(size & 0xff)) << size;
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, UnalignedBaseStillGivesAlignedBlocks) {
    init(1 * MiB, 8);
    void* p = heap.allocate(24);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    ASSERT_FALSE(arena.grows.empty());
    EXPECT_EQ(arena.grows[0].first, arena.base + 16); // base rounded up to 16
    void* q = heap.allocate(1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % 16, 0u);
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, InUseAccounting) {
    init(1 * MiB);
    std::vector<void*> ps;
    size_t requested = 0;
    for (size_t size : {1, 15, 16, 17, 100, 1000, 4096, 5000}) {
        ps.push_back(heap.allocate(size));
        ASSERT_NE(ps.back(), nullptr);
        requested += size;
        EXPECT_EQ(heap.bytes_in_use() % 16, 0u);
    }
    EXPECT_GE(heap.bytes_in_use(), requested);
    EXPECT_LE(heap.bytes_in_use(),
              requested + ps.size() * 80); // header + rounding + an unsplit tail
    EXPECT_EQ(heap.live_blocks(), ps.size());
    for (void* p : ps) EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, AllocateZeroGivesDistinctBlocks) {
    init(1 * MiB);
    void* a = heap.allocate(0);
    void* b = heap.allocate(0);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    EXPECT_EQ(heap.live_blocks(), 2u);
    EXPECT_TRUE(heap.free(a));
    EXPECT_TRUE(heap.free(b));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

// ------------------------------------------------------------ coalescing

// A heap of exactly one 64 KiB chunk that can never grow: an allocation
// only succeeds if a free block is large enough on its own.
class OneChunk : public HeapTest {
  protected:
    void SetUp() override { init(64 * KiB); }
    // Allocates everything that is left in the chunk in one block.
    void* fill_rest() {
        const size_t rest = heap.bytes_mapped() - heap.bytes_in_use();
        return heap.allocate(rest - 32);
    }
};

TEST_F(OneChunk, NeighboursMergeInEveryFreeOrder) {
    int orders[][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (auto& order : orders) {
        Heap& h = heap;
        h.init(arena.base, 64 * KiB, grow, &arena);
        arena.mapped_end = 0;
        void* guard_low = h.allocate(200);
        void* abc[3];
        for (auto& p : abc) p = h.allocate(1000);
        const size_t three = reinterpret_cast<uintptr_t>(abc[2]) - reinterpret_cast<uintptr_t>(abc[0]) +
                             (reinterpret_cast<uintptr_t>(abc[1]) - reinterpret_cast<uintptr_t>(abc[0]));
        void* guard_high = fill_rest();
        ASSERT_NE(guard_high, nullptr) << "the chunk is full";
        EXPECT_EQ(h.allocate(16), nullptr);
        EXPECT_EQ(h.bytes_mapped(), 64 * KiB);

        for (int i : order) ASSERT_TRUE(h.free(abc[i]));
        EXPECT_TRUE(h.check());
        // The three blocks are one again: a request as large as all three
        // (minus one header) fits, at the first one's address.
        void* big = h.allocate(three - 32);
        EXPECT_EQ(big, abc[0]) << "order " << order[0] << order[1] << order[2];
        EXPECT_EQ(h.allocate(16), nullptr);
        EXPECT_TRUE(h.free(big));
        EXPECT_TRUE(h.free(guard_low));
        EXPECT_TRUE(h.free(guard_high));
        EXPECT_EQ(h.bytes_in_use(), 0u);
        EXPECT_TRUE(h.check());
    }
}

TEST_F(OneChunk, WithoutAFreeNeighbourNothingMerges) {
    void* a = heap.allocate(1000);
    void* b = heap.allocate(1000);
    void* c = heap.allocate(1000);
    ASSERT_NE(fill_rest(), nullptr);
    ASSERT_TRUE(heap.free(a));
    ASSERT_TRUE(heap.free(c)); // b, still in use, separates them
    EXPECT_EQ(heap.allocate(1500), nullptr);
    // Each hole still takes a block of its own size, and only two of them fit.
    void* x = heap.allocate(1000);
    void* y = heap.allocate(1000);
    EXPECT_TRUE((x == a && y == c) || (x == c && y == a));
    EXPECT_EQ(heap.allocate(1000), nullptr);
    EXPECT_TRUE(heap.free(b));
    EXPECT_TRUE(heap.check());
}

TEST_F(OneChunk, FreeingEverythingLeavesOneBlock) {
    std::vector<void*> ps;
    for (int i = 0; i < 40; i++) ps.push_back(heap.allocate(100 + 37 * i));
    for (void* p : ps) ASSERT_NE(p, nullptr);
    // Free in a scrambled order.
    std::mt19937 rng(7);
    std::shuffle(ps.begin(), ps.end(), rng);
    for (void* p : ps) ASSERT_TRUE(heap.free(p));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_TRUE(heap.check());
    // One block spanning the whole chunk: all of it can be allocated at once.
    void* all = heap.allocate(64 * KiB - 32);
    ASSERT_NE(all, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(all), arena.base + 32);
    EXPECT_EQ(heap.bytes_in_use(), 64 * KiB);
    EXPECT_TRUE(heap.free(all));
}

TEST_F(OneChunk, FreedSpaceIsReused) {
    void* a = heap.allocate(4000);
    ASSERT_NE(fill_rest(), nullptr);
    EXPECT_EQ(heap.allocate(4000), nullptr);
    ASSERT_TRUE(heap.free(a));
    void* b = heap.allocate(4000);
    EXPECT_EQ(b, a);
    // Split: two smaller blocks fit where one was.
    ASSERT_TRUE(heap.free(b));
    void* c = heap.allocate(1900);
    void* d = heap.allocate(1900);
    EXPECT_NE(c, nullptr);
    EXPECT_NE(d, nullptr);
    EXPECT_TRUE(heap.check());
}

// ------------------------------------------------------------ bad frees

TEST_F(HeapTest, DoubleFreeIsRejected) {
    init(1 * MiB);
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    void* c = heap.allocate(64);
    ASSERT_TRUE(heap.free(b));
    const size_t in_use = heap.bytes_in_use();
    EXPECT_FALSE(heap.free(b));
    EXPECT_EQ(heap.bytes_in_use(), in_use);
    EXPECT_EQ(heap.live_blocks(), 2u);
    // A block merged into its free neighbour: its old header must not look live.
    ASSERT_TRUE(heap.free(c));
    EXPECT_FALSE(heap.free(c));
    EXPECT_FALSE(heap.free(b));
    ASSERT_TRUE(heap.free(a));
    EXPECT_FALSE(heap.free(a));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, WildPointersAreRejected) {
    init(1 * MiB);
    auto* p = static_cast<unsigned char*>(heap.allocate(256));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xab, 256);
    int on_stack = 0;
    EXPECT_FALSE(heap.free(&on_stack));
    EXPECT_FALSE(heap.free(p + 16)); // inside the block, aligned
    EXPECT_FALSE(heap.free(p + 8));  // misaligned
    EXPECT_FALSE(heap.free(p + 1));
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(arena.base)));                       // the first header itself
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(arena.base + 16)));                  // below the first payload
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(arena.base + heap.bytes_mapped()))); // the end
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(arena.base + 2 * MiB)));             // past it
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(arena.base + 1024)));                // inside free space
    EXPECT_FALSE(heap.free(reinterpret_cast<void*>(16)));
    EXPECT_TRUE(heap.free(nullptr)); // like free(NULL): nothing to do
    EXPECT_EQ(heap.live_blocks(), 1u);
    for (int i = 0; i < 256; i++) ASSERT_EQ(p[i], 0xab) << "a rejected free changed the block";
    EXPECT_TRUE(heap.check());
    EXPECT_TRUE(heap.free(p));
}

TEST_F(HeapTest, PointerFromAnotherHeapIsRejected) {
    init(1 * MiB);
    Arena other_arena(1 * MiB);
    Heap other;
    other.init(other_arena.base, 1 * MiB, grow, &other_arena);
    void* theirs = other.allocate(64);
    void* ours = heap.allocate(64);
    ASSERT_NE(theirs, nullptr);
    EXPECT_FALSE(heap.free(theirs));
    EXPECT_FALSE(other.free(ours));
    EXPECT_TRUE(other.free(theirs));
    EXPECT_TRUE(heap.free(ours));
}

// ------------------------------------------------------------ growth and limits

TEST_F(HeapTest, GrowthMergesWithTheFreeTail) {
    init(4 * MiB);
    void* small = heap.allocate(16);
    ASSERT_NE(small, nullptr);
    ASSERT_EQ(heap.bytes_mapped(), 64 * KiB);
    // Larger than the free tail: the heap grows and the new space joins the
    // tail, so the block starts right after the small one.
    void* big = heap.allocate(100 * KiB);
    ASSERT_NE(big, nullptr);
    ASSERT_EQ(arena.grows.size(), 2u);
    EXPECT_EQ(arena.grows[1].first, arena.base + 64 * KiB);
    EXPECT_EQ((arena.grows[1].second - arena.grows[1].first) % 4096, 0u);
    EXPECT_GE(arena.grows[1].second - arena.grows[1].first, 100 * KiB);
    EXPECT_EQ(heap.bytes_mapped(), arena.grows[1].second - arena.base);
    EXPECT_LT(reinterpret_cast<uintptr_t>(big), arena.base + 64 * KiB) << "not merged with the old tail";
    EXPECT_GT(reinterpret_cast<uintptr_t>(big), reinterpret_cast<uintptr_t>(small));
    std::memset(big, 0x11, 100 * KiB);
    std::memset(small, 0x22, 16);
    EXPECT_TRUE(heap.check());
    EXPECT_TRUE(heap.free(big));
    EXPECT_TRUE(heap.free(small));
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, LargeAllocationGrowsByWhatItNeeds) {
    init(16 * MiB);
    void* p = heap.allocate(3 * MiB);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(arena.grows.size(), 1u);
    const size_t grown = arena.grows[0].second - arena.grows[0].first;
    EXPECT_GE(grown, 3 * MiB + 32);
    EXPECT_LE(grown, 3 * MiB + 4096 + 32);
    EXPECT_EQ(grown % 4096, 0u);
    std::memset(p, 0x5a, 3 * MiB);
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, MaximumSizeIsNeverExceeded) {
    init(256 * KiB);
    std::vector<void*> ps;
    for (;;) {
        void* p = heap.allocate(10 * KiB);
        if (!p) break;
        std::memset(p, 0x77, 10 * KiB);
        ps.push_back(p);
        ASSERT_LT(ps.size(), 100u);
    }
    EXPECT_LE(heap.bytes_mapped(), 256 * KiB);
    EXPECT_GE(ps.size(), 20u); // most of the 256 KiB is usable
    for (const auto& [from, to] : arena.grows) EXPECT_LE(to, arena.base + 256 * KiB);
    EXPECT_TRUE(heap.check());
    // Small blocks may still fit after a large one failed.
    void* small = heap.allocate(100);
    if (small) {
        EXPECT_TRUE(heap.free(small));
    }
    for (void* p : ps) ASSERT_TRUE(heap.free(p));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_NE(heap.allocate(100 * KiB), nullptr); // the space is usable again
}

TEST_F(HeapTest, ExactlyTheMaximumFits) {
    init(1 * MiB);
    void* p = heap.allocate(1 * MiB - 32); // one block, its header included, fills the heap
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(heap.bytes_mapped(), 1 * MiB);
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.allocate(1 * MiB - 31), nullptr); // one byte too many
    EXPECT_EQ(heap.allocate(1 * MiB - 32), p);       // the whole heap again
}

TEST_F(HeapTest, HugeRequestsFailCleanly) {
    init(1 * MiB);
    for (size_t size : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 15, SIZE_MAX - 32, SIZE_MAX / 2, size_t(1) << 40, 1 * MiB,
                        1 * MiB + 1, 2 * MiB}) {
        EXPECT_EQ(heap.allocate(size), nullptr) << size;
        EXPECT_TRUE(heap.check()) << size;
        EXPECT_EQ(heap.bytes_in_use(), 0u) << size;
    }
    EXPECT_NE(heap.allocate(64), nullptr); // still works
}

TEST_F(HeapTest, RefusingGrowCallback) {
    init(1 * MiB);
    arena.refuse = true;
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_EQ(arena.grows.size(), 1u); // it was asked
    EXPECT_EQ(heap.bytes_mapped(), 0u);
    EXPECT_TRUE(heap.check());
    // Once memory is available again, the heap works.
    arena.refuse = false;
    void* p = heap.allocate(1);
    ASSERT_NE(p, nullptr);
    // Refused again later: what is mapped keeps serving small requests.
    arena.refuse = true;
    EXPECT_EQ(heap.allocate(200 * KiB), nullptr);
    EXPECT_NE(heap.allocate(1000), nullptr);
    EXPECT_EQ(heap.bytes_mapped(), 64 * KiB);
    EXPECT_TRUE(heap.check());
}

TEST_F(HeapTest, NoGrowCallbackMeansNoMemory) {
    heap.init(arena.base, 1 * MiB, nullptr, nullptr);
    EXPECT_EQ(heap.allocate(16), nullptr);
    EXPECT_EQ(heap.bytes_mapped(), 0u);
}

TEST_F(HeapTest, ReinitForgetsEverything) {
    init(1 * MiB);
    ASSERT_NE(heap.allocate(100), nullptr);
    arena.mapped_end = 0;
    init(1 * MiB);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_EQ(heap.bytes_mapped(), 0u);
}

// ------------------------------------------------------------ stress

TEST_F(HeapTest, RandomAllocateFreeKeepsContentsAndTags) {
    init(48 * MiB);
    struct Live {
        unsigned char* p;
        size_t size;
        uint32_t id;
    };
    std::vector<Live> live;
    std::mt19937 rng(0x5eed);
    uint32_t next_id = 1;
    auto byte_for = [](uint32_t id, size_t i) { return (unsigned char)(id * 131 + i * 7); };
    auto verify = [&](const Live& b) {
        for (size_t i = 0; i < b.size; i++)
            if (b.p[i] != byte_for(b.id, i)) return false;
        return true;
    };
    size_t max_live = 0;
    for (int op = 0; op < 30000; op++) {
        // Mostly allocate in the first third, mostly free in the last.
        const int alloc_percent = op < 10000 ? 65 : op < 20000 ? 50 : 35;
        if (live.empty() || int(rng() % 100) < alloc_percent) {
            const unsigned kind = rng() % 100;
            const size_t size = kind < 70 ? rng() % 129 : kind < 95 ? 129 + rng() % 4000 : 4097 + rng() % 70000;
            auto* p = static_cast<unsigned char*>(heap.allocate(size));
            ASSERT_NE(p, nullptr) << "op " << op << " size " << size;
            ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
            Live b{p, size, next_id++};
            for (size_t i = 0; i < size; i++) p[i] = byte_for(b.id, i);
            live.push_back(b);
            max_live = std::max(max_live, live.size());
        } else {
            const size_t i = rng() % live.size();
            ASSERT_TRUE(verify(live[i])) << "block " << live[i].id << " corrupted before op " << op;
            ASSERT_TRUE(heap.free(live[i].p)) << op;
            ASSERT_FALSE(heap.free(live[i].p)) << "double free accepted at op " << op;
            live[i] = live.back();
            live.pop_back();
        }
        ASSERT_EQ(heap.live_blocks(), live.size());
        if (op % 97 == 0) {
            ASSERT_TRUE(heap.check()) << op;
            size_t requested = 0;
            for (const Live& b : live) requested += b.size;
            ASSERT_GE(heap.bytes_in_use(), requested + 32 * live.size());
            ASSERT_LE(heap.bytes_in_use(), requested + 80 * live.size());
            ASSERT_LE(heap.bytes_in_use(), heap.bytes_mapped());
        }
    }
    EXPECT_GT(max_live, 500u);
    for (const Live& b : live) ASSERT_TRUE(verify(b)) << b.id;
    // No overlap between the survivors.
    std::sort(live.begin(), live.end(), [](const Live& a, const Live& b) { return a.p < b.p; });
    for (size_t i = 1; i < live.size(); i++) ASSERT_LE(live[i - 1].p + live[i - 1].size, live[i].p);
    for (const Live& b : live) ASSERT_TRUE(heap.free(b.p));
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    EXPECT_EQ(heap.live_blocks(), 0u);
    EXPECT_TRUE(heap.check());
    // Everything merged back into one block: the whole mapped heap in one allocation, without
    // growing.
    const size_t grows = arena.grows.size();
    arena.refuse = true;
    void* all = heap.allocate(heap.bytes_mapped() - 32);
    EXPECT_NE(all, nullptr);
    EXPECT_EQ(arena.grows.size(), grows);
}

} // namespace
