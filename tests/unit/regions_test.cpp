// kernel/mm/regions.h: the region list of an address space (split, merge,
// lookups) and where mmap puts a mapping (hints, top-down, MAP_32BIT,
// guard gaps), as Linux's arch_get_unmapped_area_topdown decides.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "kernel/mm/regions.h"
#include "kernel/mm/shared_memory.h"

namespace {

using namespace mm;

constexpr uint64_t P = 4096;

// Fake physical memory for the shared objects' frames: every frame is a
// host buffer; freeing one twice, or one never allocated, throws.
class Frames final : public x86::paging::PhysicalMemory {
  public:
    uint64_t* table(uint64_t phys) override {
        auto it = pages_.find(phys);
        if (it == pages_.end()) throw std::runtime_error("access to a frame that is not allocated");
        return it->second.data();
    }
    uint64_t allocate_zeroed() override {
        if (budget_ == 0) return 0;
        budget_--;
        const uint64_t phys = next_;
        next_ += P;
        pages_[phys].assign(512, 0);
        return phys;
    }
    void free(uint64_t phys) override {
        if (!pages_.erase(phys)) throw std::runtime_error("free of a frame that is not allocated");
    }
    size_t live() const { return pages_.size(); }
    void set_budget(size_t b) { budget_ = b; }

  private:
    std::map<uint64_t, std::vector<uint64_t>> pages_;
    uint64_t next_ = 0x100000;
    size_t budget_ = SIZE_MAX;
};

// A list that owns its regions (and their references), for the tests.
struct List {
    RegionList list;
    Frames frames;
    ~List() {
        while (Region* r = list.head()) {
            list.unlink(r);
            if (r->backing == Backing::Shared) r->object->put(frames);
            delete r;
        }
    }
    Region* add(uint64_t start, uint64_t end, uint32_t prot = PROT_READ | PROT_WRITE, uint32_t flags = vm::MAY_ALL,
                const char* name = "mmap") {
        Region* r = new Region{start, end, prot, flags, Backing::Private, Special::None, nullptr, 0, name, nullptr};
        list.insert(r);
        return r;
    }
    Region* add_shared(uint64_t start, uint64_t end, SharedMemory* object, uint64_t pgoff) {
        Region* r = new Region{
            start,  end,    PROT_READ | PROT_WRITE, vm::MAY_ALL, Backing::Shared, Special::None, object, pgoff,
            "mmap", nullptr};
        list.insert(r);
        return r;
    }
    // "start-end" of every region, in order.
    std::vector<std::pair<uint64_t, uint64_t>> spans() const {
        std::vector<std::pair<uint64_t, uint64_t>> out;
        for (const Region* r = list.head(); r; r = r->next) out.emplace_back(r->start, r->end);
        return out;
    }
};

using Spans = std::vector<std::pair<uint64_t, uint64_t>>;

// ------------------------------------------------------------ the list

TEST(Regions, InsertKeepsAddressOrderAndFindLooksInside) {
    List l;
    l.add(0x30000, 0x40000);
    l.add(0x10000, 0x20000);
    l.add(0x50000, 0x52000);
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x20000}, {0x30000, 0x40000}, {0x50000, 0x52000}}));
    EXPECT_EQ(l.list.count(), 3u);
    EXPECT_EQ(l.list.find(0x10000)->start, 0x10000u);
    EXPECT_EQ(l.list.find(0x1ffff)->start, 0x10000u);
    EXPECT_EQ(l.list.find(0x20000), nullptr); // the end is exclusive
    EXPECT_EQ(l.list.find(0xffff), nullptr);
    EXPECT_EQ(l.list.first_ending_above(0x20000)->start, 0x30000u); // Linux's find_vma
    EXPECT_EQ(l.list.first_ending_above(0x3ffff)->start, 0x30000u);
    EXPECT_EQ(l.list.first_ending_above(0x52000), nullptr);
    EXPECT_EQ(l.list.before(l.list.find(0x30000))->start, 0x10000u);
    EXPECT_EQ(l.list.before(l.list.head()), nullptr);
    EXPECT_TRUE(l.list.intersects(0x1f000, 0x21000));
    EXPECT_TRUE(l.list.intersects(0x51000, 0x51001));
    EXPECT_FALSE(l.list.intersects(0x20000, 0x30000)); // touching is not meeting
    EXPECT_FALSE(l.list.intersects(0x52000, 0x60000));
}

TEST(Regions, SplitCutsOneRegionInTwoAndNothingElse) {
    List l;
    l.add(0x10000, 0x20000);
    EXPECT_TRUE(l.list.split_at(0x14000));
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x14000}, {0x14000, 0x20000}}));
    EXPECT_TRUE(l.list.split_at(0x14000)); // already a boundary
    EXPECT_TRUE(l.list.split_at(0x30000)); // in no region
    EXPECT_TRUE(l.list.split_at(0x20000)); // an end
    EXPECT_EQ(l.list.count(), 2u);
    const Region* tail = l.list.find(0x14000);
    EXPECT_EQ(tail->prot, uint32_t(PROT_READ | PROT_WRITE)); // the halves are alike
    EXPECT_STREQ(tail->name, "mmap");
}

TEST(Regions, SplitOfSharedMemoryTakesAReferenceAndOffsetsThePage) {
    List l;
    SharedMemory* s = SharedMemory::create(16);
    ASSERT_NE(s, nullptr);
    l.add_shared(0x10000, 0x20000, s, 0);
    ASSERT_TRUE(l.list.split_at(0x13000));
    EXPECT_EQ(s->refs(), 2u);
    EXPECT_EQ(l.list.find(0x13000)->pgoff, 3u);
    EXPECT_EQ(l.list.find(0x12000)->pgoff, 0u);
    ASSERT_TRUE(l.list.split_at(0x18000));
    EXPECT_EQ(l.list.find(0x18000)->pgoff, 8u);
    EXPECT_EQ(s->refs(), 3u);
    // Merging them back drops the extra references.
    l.list.merge_around(0x10000, 0x20000);
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x20000}}));
    EXPECT_EQ(s->refs(), 1u);
    EXPECT_EQ(l.list.head()->pgoff, 0u);
}

TEST(Regions, MergeJoinsOnlyAlikeNeighbours) {
    List l;
    l.add(0x10000, 0x11000);
    l.add(0x11000, 0x12000);
    l.add(0x12000, 0x13000, PROT_READ); // other rights
    l.add(0x13000, 0x14000);
    l.add(0x15000, 0x16000);                                                   // not adjacent
    l.add(0x16000, 0x17000, PROT_READ | PROT_WRITE, vm::MAY_ALL | vm::LOCKED); // other flags
    l.add(0x17000, 0x18000, PROT_READ | PROT_WRITE, vm::MAY_ALL, "heap");      // another name
    l.list.merge_around(0, 0x20000);
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x12000},
                                {0x12000, 0x13000},
                                {0x13000, 0x14000},
                                {0x15000, 0x16000},
                                {0x16000, 0x17000},
                                {0x17000, 0x18000}}));
    // Restoring the rights lets the three become one again.
    l.list.find(0x12000)->prot = PROT_READ | PROT_WRITE;
    l.list.merge_around(0x12000, 0x13000);
    EXPECT_EQ(l.spans().front(), (std::pair<uint64_t, uint64_t>{0x10000, 0x14000}));
    EXPECT_EQ(l.list.count(), 4u);
}

TEST(Regions, MergeAroundLeavesRegionsFarAwayAlone) {
    List l;
    l.add(0x10000, 0x11000);
    l.add(0x11000, 0x12000);
    l.add(0x40000, 0x41000);
    l.add(0x41000, 0x42000);
    l.list.merge_around(0x40000, 0x41000);
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x11000}, {0x11000, 0x12000}, {0x40000, 0x42000}}));
    l.list.merge_around(0x12000, 0x12000); // the neighbour just below an empty range
    EXPECT_EQ(l.spans(), (Spans{{0x10000, 0x12000}, {0x40000, 0x42000}}));
}

TEST(Regions, SpecialMappingsAndSharedObjectsMergeOnlyWhenTheyMust) {
    List l;
    Region* a = l.add(0x10000, 0x11000);
    Region* b = l.add(0x11000, 0x12000);
    a->special = Special::Vvar;
    EXPECT_FALSE(mergeable(*a, *b));
    a->special = Special::None;
    a->backing = b->backing = Backing::Kernel;
    EXPECT_FALSE(mergeable(*a, *b)); // the vDSO's pages never merge
    a->backing = b->backing = Backing::Private;
    EXPECT_TRUE(mergeable(*a, *b));
    // Shared memory: the same object at consecutive pages.
    SharedMemory* s = SharedMemory::create(4);
    SharedMemory* t = SharedMemory::create(4);
    Region* c = l.add_shared(0x20000, 0x21000, s, 0);
    Region* d = l.add_shared(0x21000, 0x22000, s, 2);
    Region* e = l.add_shared(0x22000, 0x23000, t, 0);
    s->get();
    EXPECT_FALSE(mergeable(*c, *d)); // page 0 then page 2
    EXPECT_FALSE(mergeable(*d, *e)); // another object
    d->pgoff = 1;
    EXPECT_TRUE(mergeable(*c, *d));
}

TEST(Regions, SplitRefusesPastTheRegionLimit) {
    List l;
    const uint64_t n = RegionList::MAX_REGIONS;
    l.add(0, n * P);
    // Cut from the top down (each cut then finds its region first) until
    // the list is full: the next cut fails and changes nothing.
    for (uint64_t i = n - 1; i >= 1; i--) ASSERT_TRUE(l.list.split_at(i * P));
    EXPECT_EQ(l.list.count(), RegionList::MAX_REGIONS);
    EXPECT_FALSE(l.list.split_at(P / 2));
    EXPECT_EQ(l.list.count(), RegionList::MAX_REGIONS);
    EXPECT_EQ(l.list.head()->end, P);
    l.list.merge_around(0, 0);
    EXPECT_EQ(l.list.count(), 1u);
    EXPECT_EQ(l.list.head()->end, n * P);
}

// ------------------------------------------------------------ placement

Placement request(uint64_t hint, uint64_t length) {
    return Placement{hint, length, 0x7ffffffff000ull, 0x7ffff7000000ull, 0x10000, false};
}

TEST(Placement, TopDownBelowTheBase) {
    List l;
    EXPECT_EQ(place(l.list, request(0, P)), 0x7ffff7000000ull - P);
    l.add(0x7ffff7000000ull - 3 * P, 0x7ffff7000000ull);
    EXPECT_EQ(place(l.list, request(0, 2 * P)), 0x7ffff7000000ull - 5 * P);
    // A hole between two regions is used when it is large enough.
    l.add(0x7ffff7000000ull - 8 * P, 0x7ffff7000000ull - 6 * P);
    EXPECT_EQ(place(l.list, request(0, P)), 0x7ffff7000000ull - 4 * P);
    EXPECT_EQ(place(l.list, request(0, 3 * P)), 0x7ffff7000000ull - 6 * P);  // exactly fits
    EXPECT_EQ(place(l.list, request(0, 4 * P)), 0x7ffff7000000ull - 12 * P); // below both
}

TEST(Placement, AFreeHintIsTakenAsItIs) {
    List l;
    l.add(0x20000000, 0x20002000);
    EXPECT_EQ(place(l.list, request(0x10000000, 2 * P)), 0x10000000u);
    EXPECT_EQ(place(l.list, request(0x20002000, P)), 0x20002000u);     // right after a region
    EXPECT_EQ(place(l.list, request(0x1fffe000, 2 * P)), 0x1fffe000u); // right before
    // A hint that meets a region, or runs past the end of user space, is not.
    EXPECT_EQ(place(l.list, request(0x1ffff000, 2 * P)), 0x7ffff7000000ull - 2 * P);
    EXPECT_EQ(place(l.list, request(0x20001000, P)), 0x7ffff7000000ull - P);
    EXPECT_EQ(place(l.list, request(0x7ffffffff000ull, P)), 0x7ffff7000000ull - P);
    EXPECT_EQ(place(l.list, request(0x7fffffffe000ull, P)), 0x7fffffffe000ull); // the last page is fine
}

TEST(Placement, GrowsDownRegionsKeepTheirGuardGap) {
    List l;
    l.add(0x40000000, 0x40001000, PROT_READ | PROT_WRITE, vm::MAY_ALL | vm::GROWSDOWN);
    EXPECT_EQ(start_gap(*l.list.head()), 0x40000000u - STACK_GUARD_GAP);
    EXPECT_FALSE(is_free(l.list, 0x40000000 - P, P));
    EXPECT_FALSE(is_free(l.list, 0x40000000 - STACK_GUARD_GAP, P));
    EXPECT_TRUE(is_free(l.list, 0x40000000 - STACK_GUARD_GAP - P, P));
    EXPECT_EQ(place(l.list, request(0x40000000 - P, P)), 0x7ffff7000000ull - P); // the hint is refused
    // Top-down, the gap is skipped too.
    Placement q = request(0, P);
    q.mmap_base = 0x40000000;
    EXPECT_EQ(place(l.list, q), 0x40000000u - STACK_GUARD_GAP - P);
}

TEST(Placement, FallsBackBottomUpWhenNothingFitsBelowTheBase) {
    List l;
    Placement q{0, 4 * P, 0x100000000ull, 0x30000000, 0x10000, false};
    l.add(0x10000, 0x30000000); // everything below the base is taken
    // Linux's arch_get_unmapped_area from a third of user space up.
    EXPECT_EQ(place(l.list, q), 0x55556000u);
    l.add(0x55556000, 0x55557000);
    EXPECT_EQ(place(l.list, q), 0x55557000u);
    q.length = 0x100000000ull; // longer than user space
    EXPECT_EQ(place(l.list, q), 0u);
}

TEST(Placement, NothingBelowTheMinimumAddress) {
    List l;
    Placement q{0, 2 * P, 0x100000000ull, 0x12000, 0x10000, false};
    EXPECT_EQ(place(l.list, q), 0x10000u);
    q.length = 3 * P; // does not fit between 64 KiB and the base: bottom-up from 1/3
    EXPECT_EQ(place(l.list, q), 0x55556000u);
}

TEST(Placement, Map32BitStaysInTheSecondGigabyte) {
    List l;
    Placement q = request(0, P);
    q.low_2g = true;
    EXPECT_EQ(place(l.list, q), MAP_32BIT_LOW); // bottom-up from 1 GiB
    l.add(MAP_32BIT_LOW, MAP_32BIT_LOW + 2 * P);
    EXPECT_EQ(place(l.list, q), MAP_32BIT_LOW + 2 * P);
    // A hint is honoured if it ends below 2 GiB, even under 1 GiB (as Linux).
    q.hint = 0x30000000;
    EXPECT_EQ(place(l.list, q), 0x30000000u);
    q.hint = 0x7ffff000;
    EXPECT_EQ(place(l.list, q), 0x7ffff000u);
    q.length = 2 * P; // would end past 2 GiB
    EXPECT_EQ(place(l.list, q), MAP_32BIT_LOW + 2 * P);
    q.hint = 0x100000000ull;
    EXPECT_EQ(place(l.list, q), MAP_32BIT_LOW + 2 * P);
    // Full: ENOMEM, never an address above 2 GiB.
    l.add(MAP_32BIT_LOW + 2 * P, MAP_32BIT_HIGH);
    q.hint = 0;
    EXPECT_EQ(place(l.list, q), 0u);
    q.length = MAP_32BIT_HIGH + P;
    EXPECT_EQ(place(l.list, q), 0u);
}

TEST(Placement, SearchHelpersAtTheEdges) {
    List l;
    EXPECT_EQ(find_top_down(l.list, P, 0x10000, 0x10000), 0u);             // empty window
    EXPECT_EQ(find_top_down(l.list, 0, 0x10000, 0x20000), 0u);             // nothing to place
    EXPECT_EQ(find_top_down(l.list, 0x10000, 0x10000, 0x20000), 0x10000u); // exactly fits
    EXPECT_EQ(find_bottom_up(l.list, 0x10001, 0x10000, 0x20000), 0u);
    l.add(0x18000, 0x19000);
    EXPECT_EQ(find_bottom_up(l.list, 0x8000, 0x10000, 0x20000), 0x10000u);
    EXPECT_EQ(find_top_down(l.list, 0x7000, 0x10000, 0x20000), 0x19000u);
    EXPECT_EQ(find_top_down(l.list, 0x8000, 0x10000, 0x20000), 0x10000u);
    EXPECT_FALSE(is_free(l.list, ~0ull - P + 1, 2 * P)); // wraps
}

// ------------------------------------------------------------ shared memory

TEST(SharedMemoryObject, FramesAppearOnFirstUseAndGoWithTheLastReference) {
    Frames frames;
    SharedMemory* s = SharedMemory::create(1000);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->frame(7), 0u);
    const uint64_t f = s->frame_or_allocate(7, frames);
    EXPECT_NE(f, 0u);
    EXPECT_EQ(s->frame_or_allocate(7, frames), f); // the same frame every time
    EXPECT_EQ(s->frame(7), f);
    EXPECT_NE(s->frame_or_allocate(999, frames), 0u);
    EXPECT_EQ(s->frame_or_allocate(1000, frames), 0u); // past the end: Linux's SIGBUS
    EXPECT_EQ(s->resident(), 2u);
    EXPECT_EQ(frames.live(), 2u);
    s->get(); // a second region (a fork child, a split)
    EXPECT_FALSE(s->put(frames));
    EXPECT_EQ(frames.live(), 2u);
    EXPECT_TRUE(s->put(frames)); // the last one frees every frame
    EXPECT_EQ(frames.live(), 0u);
}

TEST(SharedMemoryObject, OutOfMemoryGivesNoFrameAndNoLeak) {
    Frames frames;
    SharedMemory* s = SharedMemory::create(4);
    frames.set_budget(1);
    EXPECT_NE(s->frame_or_allocate(0, frames), 0u);
    EXPECT_EQ(s->frame_or_allocate(1, frames), 0u);
    EXPECT_EQ(s->resident(), 1u);
    frames.set_budget(1);
    EXPECT_NE(s->frame_or_allocate(1, frames), 0u); // tried again once memory is back
    EXPECT_TRUE(s->put(frames));
    EXPECT_EQ(frames.live(), 0u);
}

TEST(SharedMemoryObject, RemoveFreesOrZeroes) {
    Frames frames;
    SharedMemory* s = SharedMemory::create(4);
    const uint64_t a = s->frame_or_allocate(0, frames), b = s->frame_or_allocate(1, frames);
    frames.table(a)[0] = 0x1234;
    frames.table(b)[511] = 0x5678;
    s->remove(0, frames, false); // another mapping may still see it: zeroed in place
    EXPECT_EQ(s->frame(0), a);
    EXPECT_EQ(frames.table(a)[0], 0u);
    s->remove(1, frames, true); // the only mapping: freed
    EXPECT_EQ(s->frame(1), 0u);
    EXPECT_EQ(s->resident(), 1u);
    EXPECT_EQ(frames.live(), 1u);
    s->remove(2, frames, true); // never had a frame
    s->remove(9, frames, true); // past the end
    EXPECT_TRUE(s->put(frames));
    EXPECT_EQ(frames.live(), 0u);
}

TEST(SharedMemoryObject, AnEmptyObjectIsFine) {
    Frames frames;
    SharedMemory* s = SharedMemory::create(0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->frame_or_allocate(0, frames), 0u);
    EXPECT_TRUE(s->put(frames));
}

} // namespace
