// kernel/mm/page_range.h: visiting the last-level entries of a range
// (skipping missing tables) and moving them elsewhere, as mremap does,
// over fake physical memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include "arch/x86/mm/paging.h"
#include "kernel/mm/page_range.h"

namespace {

using namespace x86::paging;
namespace pr = mm::page_range;

constexpr uint64_t P = 4096;

class Tables final : public PhysicalMemory {
  public:
    uint64_t* table(uint64_t phys) override {
        auto it = pages_.find(phys);
        if (it == pages_.end()) throw std::runtime_error("not a live table");
        return it->second.data();
    }
    uint64_t allocate_zeroed() override {
        if (!budget_) return 0;
        budget_--;
        const uint64_t phys = next_;
        next_ += P;
        pages_[phys].assign(512, 0);
        return phys;
    }
    void free(uint64_t phys) override { pages_.erase(phys); }
    size_t live() const { return pages_.size(); }
    void set_budget(size_t b) { budget_ = b; }

  private:
    std::map<uint64_t, std::vector<uint64_t>> pages_;
    uint64_t next_ = 0x100000;
    size_t budget_ = SIZE_MAX;
};

class PageRange : public ::testing::Test {
  protected:
    Tables mem;
    uint64_t root = mem.allocate_zeroed();
    Walker w{mem, root};
    // A user page at va whose "frame" is a recognisable number.
    void map(uint64_t va, uint64_t frame) { ASSERT_TRUE(w.map(va, frame, pte::USER | pte::WRITE)); }
    std::vector<uint64_t> visited(uint64_t start, uint64_t end) {
        std::vector<uint64_t> out;
        pr::for_each(mem, root, start, end, [&](uint64_t va, uint64_t&) { out.push_back(va); });
        return out;
    }
};

TEST_F(PageRange, VisitsExistingEntriesInOrder) {
    map(0x400000, 0x1000000);
    map(0x401000, 0x1001000);
    map(0x7fff00000000, 0x1002000); // another PML4 entry
    map(0x7ffffffff000, 0x1003000); // the very last user page
    EXPECT_EQ(visited(0, 0x800000000000), (std::vector<uint64_t>{0x400000, 0x401000, 0x7fff00000000, 0x7ffffffff000}));
    EXPECT_EQ(visited(0x401000, 0x402000), (std::vector<uint64_t>{0x401000}));
    EXPECT_EQ(visited(0x402000, 0x7fff00000000), (std::vector<uint64_t>{}));
    EXPECT_EQ(visited(0x7ffffffff000, 0x800000000000), (std::vector<uint64_t>{0x7ffffffff000}));
}

TEST_F(PageRange, AHiddenEntryCountsAndZeroDoesNot) {
    map(0x400000, 0x1000000);
    uint64_t* e = pr::slot(mem, root, 0x401000, true);
    ASSERT_NE(e, nullptr);
    *e = 0x1001000 | (1ull << 9); // not present, but holding a frame (PROT_NONE)
    EXPECT_EQ(visited(0x400000, 0x403000), (std::vector<uint64_t>{0x400000, 0x401000}));
}

TEST_F(PageRange, SkippingMissingTablesIsCheap) {
    // 64 TiB of nothing with one page at each end: the walk must not
    // visit 2^34 slots one by one (it would take minutes).
    map(0x10000, 0x1000000);
    map(0x400000000000 + 0x5000, 0x1001000);
    EXPECT_EQ(visited(0, 0x400000000000 + 0x10000), (std::vector<uint64_t>{0x10000, 0x400000000000 + 0x5000}));
}

TEST_F(PageRange, SlotCreatesTablesOnlyWhenAsked) {
    EXPECT_EQ(pr::slot(mem, root, 0x600000, false), nullptr);
    const size_t before = mem.live();
    uint64_t* e = pr::slot(mem, root, 0x600000, true);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e, 0u);
    EXPECT_EQ(mem.live(), before + 3); // PDPT, PD, PT
    EXPECT_EQ(pr::slot(mem, root, 0x601000, false), e + 1);
    // Every level above a user page has the user bit (SDM 4.6).
    EXPECT_TRUE(mem.table(root)[0] & pte::USER);
    // A huge page has no last-level slot.
    ASSERT_TRUE(w.map_huge(0x40000000, 0x40000000, pte::USER));
    EXPECT_EQ(pr::slot(mem, root, 0x40001000, true), nullptr);
}

TEST_F(PageRange, MoveTakesTheEntriesAlongAndClearsTheOldOnes) {
    map(0x400000, 0x1000000);
    map(0x402000, 0x1002000);
    uint64_t* hidden = pr::slot(mem, root, 0x403000, true);
    *hidden = 0x1003000 | (1ull << 9);
    std::vector<uint64_t> flushed;
    static std::vector<uint64_t>* sink;
    sink = &flushed;
    ASSERT_TRUE(pr::move(mem, root, 0x400000, 0x7f0000000000, 4 * P, [](uint64_t va) { sink->push_back(va); }));
    EXPECT_EQ(visited(0x400000, 0x404000), (std::vector<uint64_t>{}));
    EXPECT_EQ(visited(0x7f0000000000, 0x7f0000004000),
              (std::vector<uint64_t>{0x7f0000000000, 0x7f0000002000, 0x7f0000003000}));
    EXPECT_EQ(w.translate(0x7f0000002000), 0x1002000u); // the same frames: nothing was copied
    EXPECT_EQ(*pr::slot(mem, root, 0x7f0000003000, false), 0x1003000u | (1ull << 9)); // bits kept as they were
    EXPECT_EQ(flushed, (std::vector<uint64_t>{0x400000, 0x402000, 0x403000}));
}

TEST_F(PageRange, MoveWithoutMemoryForTablesMovesNothing) {
    map(0x400000, 0x1000000);
    map(0x401000, 0x1001000);
    mem.set_budget(1); // the destination needs three tables
    EXPECT_FALSE(pr::move(mem, root, 0x400000, 0x7f0000000000, 2 * P, nullptr));
    EXPECT_EQ(visited(0x400000, 0x402000), (std::vector<uint64_t>{0x400000, 0x401000}));
    EXPECT_EQ(w.translate(0x400000), 0x1000000u);
    EXPECT_EQ(visited(0x7f0000000000, 0x7f0000002000), (std::vector<uint64_t>{}));
}

TEST_F(PageRange, MoveUpAndDownNearby) {
    for (unsigned i = 0; i < 4; i++) map(0x400000 + i * P, 0x1000000 + i * P);
    ASSERT_TRUE(pr::move(mem, root, 0x400000, 0x404000, 4 * P, nullptr)); // just above
    EXPECT_EQ(w.translate(0x404000), 0x1000000u);
    EXPECT_EQ(w.translate(0x407000), 0x1003000u);
    ASSERT_TRUE(pr::move(mem, root, 0x404000, 0x3fc000, 4 * P, nullptr)); // below the start
    EXPECT_EQ(w.translate(0x3fc000), 0x1000000u);
    EXPECT_EQ(w.translate(0x3ff000), 0x1003000u);
    EXPECT_EQ(visited(0x400000, 0x408000), (std::vector<uint64_t>{}));
}

} // namespace
