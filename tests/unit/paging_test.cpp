// arch/x86/mm/paging.h: the 4-level page-table walker, run over fake
// physical memory (SDM Vol. 3A 4.5, Figures 4-8 and 4-11).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"

namespace {

using namespace x86::paging;

// Fake physical memory: page-table pages live in 4 KiB aligned host buffers,
// keyed by made-up physical addresses. Any access to a page that was never
// allocated (or was freed) throws, which fails the test.
class FakeMemory final : public PhysicalMemory {
  public:
    static constexpr uint64_t FIRST = 0x100000; // where fake table pages start

    explicit FakeMemory(size_t budget = SIZE_MAX) : budget_(budget) {}

    uint64_t* table(uint64_t phys) override {
        auto it = pages_.find(phys);
        if (it == pages_.end())
            throw std::runtime_error("walker touched a page that is not a live table: " + std::to_string(phys));
        return it->second.get();
    }
    uint64_t allocate_zeroed() override {
        if (allocations_ >= budget_) return 0;
        allocations_++;
        const uint64_t phys = next_;
        next_ += 0x1000;
        auto* page = static_cast<uint64_t*>(std::aligned_alloc(4096, 4096));
        for (int i = 0; i < 512; i++) page[i] = 0xdeadbeefdeadbeefull; // then zeroed, as promised
        for (int i = 0; i < 512; i++) page[i] = 0;
        pages_.emplace(phys, Page(page));
        return phys;
    }
    void free(uint64_t phys) override {
        if (!pages_.erase(phys)) throw std::runtime_error("free of a page that is not a live table");
        frees_++;
        freed_.push_back(phys);
    }

    // A root table, allocated outside the budget.
    uint64_t make_root() {
        const size_t saved = budget_;
        budget_ = SIZE_MAX;
        const uint64_t root = allocate_zeroed();
        allocations_--;
        budget_ = saved;
        return root;
    }

    size_t live() const { return pages_.size(); }
    size_t allocations() const { return allocations_; }
    size_t frees() const { return frees_; }
    void set_budget(size_t b) { budget_ = b; }
    const std::vector<uint64_t>& freed() const { return freed_; }

  private:
    struct Free {
        void operator()(uint64_t* p) const { std::free(p); }
    };
    using Page = std::unique_ptr<uint64_t, Free>;
    std::map<uint64_t, Page> pages_;
    uint64_t next_ = FIRST;
    size_t budget_;
    size_t allocations_ = 0;
    size_t frees_ = 0;
    std::vector<uint64_t> freed_;
};

constexpr uint64_t KiB4 = 0x1000, MiB2 = 0x200000, GiB1 = 0x40000000;

// A virtual address with the given table indices and page offset.
constexpr uint64_t va_of(unsigned i4, unsigned i3, unsigned i2, unsigned i1, unsigned offset = 0) {
    uint64_t va = uint64_t(i4) << 39 | uint64_t(i3) << 30 | uint64_t(i2) << 21 | uint64_t(i1) << 12 | offset;
    if (i4 >= 256) va |= 0xffff000000000000ull; // canonical sign extension
    return va;
}

class Paging : public ::testing::Test {
  protected:
    FakeMemory mem;
    uint64_t root = mem.make_root();
    Walker w{mem, root};

    uint64_t* pml4() { return mem.table(root); }
    // The entry at `level` for va, walking the real tables.
    uint64_t entry(unsigned level, uint64_t va) {
        uint64_t* t = pml4();
        for (unsigned l = 4; l > level; l--) t = mem.table(entry_address(t[index(l, va)]));
        return t[index(level, va)];
    }
};

// ------------------------------------------------------------ pure helpers

TEST(PagingHelpers, Index) {
    // ffffffff80201000: PML4 511, PDPT 510, PD 1, PT 1 (the kernel image at -2 GiB + 2 MiB + 4
    // KiB).
    EXPECT_EQ(index(4, 0xffffffff80201000ull), 511u);
    EXPECT_EQ(index(3, 0xffffffff80201000ull), 510u);
    EXPECT_EQ(index(2, 0xffffffff80201000ull), 1u);
    EXPECT_EQ(index(1, 0xffffffff80201000ull), 1u);
    // The direct map starts at PML4 256, the heap at 384, the stacks at 400.
    EXPECT_EQ(index(4, x86::mm::DIRECT_MAP_BASE), 256u);
    EXPECT_EQ(index(4, x86::mm::HEAP_BASE), 384u);
    EXPECT_EQ(index(4, x86::mm::KERNEL_STACKS_BASE), 400u);
    // The last user page: 255/511/511/511.
    EXPECT_EQ(index(4, x86::mm::USER_TOP), 255u);
    EXPECT_EQ(index(3, x86::mm::USER_TOP), 511u);
    EXPECT_EQ(index(2, x86::mm::USER_TOP), 511u);
    EXPECT_EQ(index(1, x86::mm::USER_TOP), 511u);
    // Distinct indices, with the page offset ignored.
    const uint64_t va = 3ull << 39 | 5ull << 30 | 7ull << 21 | 9ull << 12 | 0xabc;
    EXPECT_EQ(index(4, va), 3u);
    EXPECT_EQ(index(3, va), 5u);
    EXPECT_EQ(index(2, va), 7u);
    EXPECT_EQ(index(1, va), 9u);
    EXPECT_EQ(index(1, 0xfff), 0u);
    EXPECT_EQ(index(1, 0x1000), 1u);
    EXPECT_EQ(index(2, 0x200000), 1u);
    EXPECT_EQ(index(3, 0x40000000), 1u);
    EXPECT_EQ(index(4, 0x8000000000), 1u);
    // Each index is 9 bits: one below the next level's boundary is 511.
    EXPECT_EQ(index(1, 0x1ff000), 511u);
    EXPECT_EQ(index(2, 0x3fe00000), 511u);
}

TEST(PagingHelpers, EntryEncoding) {
    EXPECT_EQ(pte::PRESENT, 1u);
    EXPECT_EQ(pte::WRITE, 2u);
    EXPECT_EQ(pte::USER, 4u);
    EXPECT_EQ(pte::WRITE_THROUGH, 8u);
    EXPECT_EQ(pte::CACHE_DISABLE, 0x10u);
    EXPECT_EQ(pte::ACCESSED, 0x20u);
    EXPECT_EQ(pte::DIRTY, 0x40u);
    EXPECT_EQ(pte::HUGE, 0x80u);
    EXPECT_EQ(pte::GLOBAL, 0x100u);
    EXPECT_EQ(pte::NO_EXECUTE, 0x8000000000000000ull);
    EXPECT_EQ(pte::ADDRESS_MASK, 0x000ffffffffff000ull); // bits 12..51 (MAXPHYADDR 52)

    EXPECT_EQ(make_entry(0x12345000, pte::PRESENT | pte::WRITE), 0x12345003u);
    EXPECT_EQ(make_entry(0x12345678, pte::PRESENT), 0x12345001u); // offset bits dropped
    EXPECT_EQ(make_entry(0xfff0000000001000ull, 0), 0x1000u);     // bits above 51 dropped
    EXPECT_EQ(make_entry(0x000ffffffffff000ull, pte::NO_EXECUTE | pte::USER | pte::PRESENT), 0x800ffffffffff005ull);
    EXPECT_EQ(entry_address(0x8000000012345867ull), 0x12345000u);
    EXPECT_EQ(entry_address(0x0000000000000fffull), 0u);
    EXPECT_EQ(entry_address(make_entry(0xabcdef000, pte::GLOBAL | pte::NO_EXECUTE)), 0xabcdef000u);
}

// ------------------------------------------------------------ map / translate / leaf / unmap

TEST_F(Paging, MapCreatesThreeTablesAndTranslates) {
    const uint64_t va = va_of(1, 2, 3, 4);
    ASSERT_TRUE(w.map(va, 0x7654000, pte::WRITE));
    EXPECT_EQ(mem.allocations(), 3u); // PDPT, PD, PT
    EXPECT_EQ(w.translate(va), 0x7654000u);
    EXPECT_EQ(w.translate(va + 0x123), 0x7654123u);
    EXPECT_EQ(w.translate(va + 0xfff), 0x7654fffu);
    EXPECT_EQ(w.translate(va + 0x1000), ~0ull); // the next page is not mapped
    EXPECT_EQ(w.translate(va - 1), ~0ull);

    // The entries themselves: intermediates present + writable, no user bit for a kernel mapping.
    const uint64_t e4 = entry(4, va), e3 = entry(3, va), e2 = entry(2, va), e1 = entry(1, va);
    EXPECT_EQ(e4 & 0xfff, pte::PRESENT | pte::WRITE);
    EXPECT_EQ(e3 & 0xfff, pte::PRESENT | pte::WRITE);
    EXPECT_EQ(e2 & 0xfff, pte::PRESENT | pte::WRITE);
    EXPECT_EQ(e1, 0x7654000u | pte::PRESENT | pte::WRITE);
    // Tables were allocated in order: PDPT, PD, PT.
    EXPECT_EQ(entry_address(e4), FakeMemory::FIRST + 0x1000);
    EXPECT_EQ(entry_address(e3), FakeMemory::FIRST + 0x2000);
    EXPECT_EQ(entry_address(e2), FakeMemory::FIRST + 0x3000);
    // Nothing else in the PML4.
    for (unsigned i = 0; i < 512; i++)
        if (i != 1) {
            EXPECT_EQ(pml4()[i], 0u) << i;
        }
}

TEST_F(Paging, NeighbouringMappingsShareTables) {
    ASSERT_TRUE(w.map(va_of(0, 0, 0, 1), 0x10000, pte::WRITE));
    ASSERT_TRUE(w.map(va_of(0, 0, 0, 2), 0x20000, pte::WRITE)); // same PT
    EXPECT_EQ(mem.allocations(), 3u);
    ASSERT_TRUE(w.map(va_of(0, 0, 1, 0), 0x30000, 0)); // new PT
    EXPECT_EQ(mem.allocations(), 4u);
    ASSERT_TRUE(w.map(va_of(0, 1, 0, 0), 0x40000, 0)); // new PD + PT
    EXPECT_EQ(mem.allocations(), 6u);
    ASSERT_TRUE(w.map(va_of(511, 510, 0, 0), 0x50000, 0)); // new PDPT + PD + PT in the kernel half
    EXPECT_EQ(mem.allocations(), 9u);
    EXPECT_EQ(w.translate(va_of(0, 0, 0, 1)), 0x10000u);
    EXPECT_EQ(w.translate(va_of(0, 0, 0, 2)), 0x20000u);
    EXPECT_EQ(w.translate(va_of(0, 0, 1, 0)), 0x30000u);
    EXPECT_EQ(w.translate(va_of(0, 1, 0, 0)), 0x40000u);
    EXPECT_EQ(w.translate(va_of(511, 510, 0, 0, 0x42)), 0x50042u);
    EXPECT_EQ(w.translate(0xffffffff80000000ull), 0x50000u);
}

TEST_F(Paging, LeafFlagsAreKeptAsGivenPlusPresent) {
    const uint64_t va = 0x400000;
    const uint64_t flags = pte::WRITE | pte::USER | pte::GLOBAL | pte::NO_EXECUTE | pte::CACHE_DISABLE;
    ASSERT_TRUE(w.map(va, 0xabc000, flags));
    uint64_t* e = w.leaf(va);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(*e, 0xabc000u | flags | pte::PRESENT);
    // NX, GLOBAL and PCD never go into the intermediate levels.
    for (unsigned level = 4; level >= 2; level--) {
        const uint64_t i = entry(level, va);
        EXPECT_EQ(i & ~pte::ADDRESS_MASK, pte::PRESENT | pte::WRITE | pte::USER) << "level " << level;
    }
}

TEST_F(Paging, MapMasksThePhysicalAddress) {
    ASSERT_TRUE(w.map(0x5000, 0x12345fff, 0)); // offset bits are not part of a frame address
    EXPECT_EQ(*w.leaf(0x5000), 0x12345000u | pte::PRESENT);
    EXPECT_EQ(w.translate(0x5010), 0x12345010u);
}

TEST_F(Paging, RemapReplacesTheLeaf) {
    ASSERT_TRUE(w.map(0x5000, 0x1000000, pte::WRITE));
    ASSERT_TRUE(w.map(0x5000, 0x2000000, 0));
    EXPECT_EQ(w.translate(0x5000), 0x2000000u);
    EXPECT_EQ(*w.leaf(0x5000) & pte::WRITE, 0u);
    EXPECT_EQ(mem.allocations(), 3u);
}

TEST_F(Paging, UserBitPropagatesToEveryLevel) {
    // A kernel page first: its tables have no user bit.
    const uint64_t kernel_va = va_of(0, 0, 0, 7);
    const uint64_t user_va = va_of(0, 0, 0, 8); // same PT
    ASSERT_TRUE(w.map(kernel_va, 0x70000, pte::WRITE));
    for (unsigned level = 4; level >= 2; level--) EXPECT_EQ(entry(level, kernel_va) & pte::USER, 0u) << level;

    // A user page under the same tables turns the user bit on at every level (SDM 4.6).
    ASSERT_TRUE(w.map(user_va, 0x80000, pte::WRITE | pte::USER));
    EXPECT_EQ(mem.allocations(), 3u); // no new table
    for (unsigned level = 4; level >= 2; level--) EXPECT_NE(entry(level, user_va) & pte::USER, 0u) << "level " << level;
    EXPECT_NE(entry(1, user_va) & pte::USER, 0u);
    // ... but the kernel page itself stays supervisor-only: its leaf decides.
    EXPECT_EQ(entry(1, kernel_va) & pte::USER, 0u);

    // Another kernel mapping later does not take the user bit away.
    ASSERT_TRUE(w.map(va_of(0, 0, 0, 9), 0x90000, 0));
    for (unsigned level = 4; level >= 2; level--) EXPECT_NE(entry(level, user_va) & pte::USER, 0u) << level;
}

TEST_F(Paging, UserMappingCreatesUserTables) {
    const uint64_t va = va_of(2, 3, 4, 5);
    ASSERT_TRUE(w.map(va, 0x3000, pte::USER));
    for (unsigned level = 4; level >= 2; level--)
        EXPECT_EQ(entry(level, va) & 0xfff, pte::PRESENT | pte::WRITE | pte::USER) << level;
    // Read-only user leaf: the intermediate write bit does not make it writable.
    EXPECT_EQ(entry(1, va) & pte::WRITE, 0u);
}

TEST_F(Paging, LeafReturnsTheEntryItself) {
    ASSERT_TRUE(w.map(0x7000, 0x1234000, pte::WRITE));
    uint64_t* e = w.leaf(0x7abc);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e, w.leaf(0x7000));
    EXPECT_NE(e, w.leaf(0x7000 - 0x1000));    // unmapped: nullptr
    *e = make_entry(0x5555000, pte::PRESENT); // writing through it changes the mapping
    EXPECT_EQ(w.translate(0x7008), 0x5555008u);
    *e &= ~pte::PRESENT;
    EXPECT_EQ(w.leaf(0x7000), nullptr);
    EXPECT_EQ(w.translate(0x7000), ~0ull);
}

TEST_F(Paging, LookupsOnAnEmptyTreeFindNothingAndAllocateNothing) {
    for (uint64_t va : {0ull, 0x1000ull, 0x7ffffffff000ull, 0xffff800000000000ull, 0xffffffff80000000ull}) {
        EXPECT_EQ(w.translate(va), ~0ull) << va;
        EXPECT_EQ(w.leaf(va), nullptr) << va;
        EXPECT_EQ(w.unmap(va), 0u) << va;
    }
    EXPECT_EQ(mem.allocations(), 0u);
}

TEST_F(Paging, PartialTreeFindsNothing) {
    ASSERT_TRUE(w.map(va_of(0, 0, 0, 0), 0x1000, 0));
    // Same PML4/PDPT/PD, different PT slot; same PML4/PDPT, other PD; other PDPT.
    EXPECT_EQ(w.translate(va_of(0, 0, 0, 1)), ~0ull);
    EXPECT_EQ(w.translate(va_of(0, 0, 1, 0)), ~0ull);
    EXPECT_EQ(w.translate(va_of(0, 1, 0, 0)), ~0ull);
    EXPECT_EQ(w.translate(va_of(1, 0, 0, 0)), ~0ull);
    EXPECT_EQ(w.unmap(va_of(0, 0, 1, 0)), 0u);
    EXPECT_EQ(mem.allocations(), 3u);
}

TEST_F(Paging, Unmap) {
    ASSERT_TRUE(w.map(0x9000, 0xa000, pte::WRITE));
    ASSERT_TRUE(w.map(0xa000, 0xb000, pte::WRITE));
    EXPECT_EQ(w.unmap(0x9000), 0xa000u);
    EXPECT_EQ(w.translate(0x9000), ~0ull);
    EXPECT_EQ(w.leaf(0x9000), nullptr);
    EXPECT_EQ(entry(1, 0x9000), 0u);         // the whole entry is cleared
    EXPECT_EQ(w.unmap(0x9000), 0u);          // twice: nothing there
    EXPECT_EQ(w.translate(0xa000), 0xb000u); // the neighbour stays
    EXPECT_EQ(w.unmap(0xa123), 0xb000u);     // any address in the page
    EXPECT_EQ(mem.frees(), 0u);              // tables stay until free_tables
}

// ------------------------------------------------------------ huge pages

TEST_F(Paging, MapHuge) {
    const uint64_t va = GiB1 + 3 * MiB2;
    ASSERT_TRUE(w.map_huge(va, 5 * MiB2, pte::WRITE | pte::NO_EXECUTE));
    EXPECT_EQ(mem.allocations(), 2u); // PDPT, PD
    EXPECT_EQ(w.translate(va), 5 * MiB2);
    EXPECT_EQ(w.translate(va + 0x12345), 5 * MiB2 + 0x12345);
    EXPECT_EQ(w.translate(va + MiB2 - 1), 6 * MiB2 - 1);
    EXPECT_EQ(w.translate(va + MiB2), ~0ull);
    uint64_t* e = w.leaf(va + 0x1000);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e, w.leaf(va));
    EXPECT_EQ(*e, 5 * MiB2 | pte::PRESENT | pte::HUGE | pte::WRITE | pte::NO_EXECUTE);
    EXPECT_EQ(e, &mem.table(entry_address(entry(3, va)))[index(2, va)]); // it is the PD entry
}

TEST_F(Paging, HugePagesAreNotSplitOrUnmappedAsSmallOnes) {
    const uint64_t va = 4 * MiB2;
    ASSERT_TRUE(w.map_huge(va, 8 * MiB2, pte::WRITE));
    const size_t before = mem.allocations();
    EXPECT_FALSE(w.map(va + 0x3000, 0x1000, pte::WRITE));   // covered by the huge page
    EXPECT_EQ(mem.allocations(), before);                   // and nothing allocated for it
    EXPECT_EQ(w.unmap(va + 0x3000), 0u);                    // unmap is for 4 KiB pages only
    EXPECT_EQ(w.translate(va + 0x3000), 8 * MiB2 + 0x3000); // still mapped
    // A huge page may replace a huge page.
    ASSERT_TRUE(w.map_huge(va, 16 * MiB2, 0));
    EXPECT_EQ(w.translate(va), 16 * MiB2);
}

TEST_F(Paging, MapHugeRefusesToReplaceAPageTable) {
    // 4 KiB pages already mapped in this 2 MiB region: replacing their page
    // table with a huge entry would leak it and silently drop the mappings.
    ASSERT_TRUE(w.map(6 * MiB2 + 0x5000, 0x77000, pte::WRITE));
    EXPECT_FALSE(w.map_huge(6 * MiB2, 20 * MiB2, pte::WRITE));
    EXPECT_EQ(w.translate(6 * MiB2 + 0x5000), 0x77000u);
}

TEST_F(Paging, MapHugeRejectsUnalignedAddresses) {
    EXPECT_FALSE(w.map_huge(MiB2 + 0x1000, 4 * MiB2, 0));
    EXPECT_FALSE(w.map_huge(MiB2, 4 * MiB2 + 0x1000, 0)); // would set the PAT bit (12)
    EXPECT_FALSE(w.map_huge(MiB2, 4 * MiB2 + 0x100000, 0));
    EXPECT_EQ(w.translate(MiB2), ~0ull);
}

TEST_F(Paging, OneGibPagesAreNotDescendedInto) {
    // A 1 GiB PDPT entry (set by hand): map() must not treat the page as a table.
    ASSERT_TRUE(w.map(va_of(0, 1, 0, 0), 0x1000, 0));
    uint64_t* pdpt = mem.table(entry_address(pml4()[0]));
    pdpt[2] = make_entry(2 * GiB1, pte::PRESENT | pte::WRITE | pte::HUGE);
    const size_t before = mem.allocations();
    EXPECT_FALSE(w.map(va_of(0, 2, 0, 5), 0x2000, 0));
    EXPECT_FALSE(w.map_huge(va_of(0, 2, 1, 0), 4 * MiB2, 0));
    EXPECT_EQ(mem.allocations(), before);
    EXPECT_EQ(w.leaf(va_of(0, 2, 0, 5)), nullptr); // leaf() reports 4 KiB and 2 MiB pages only
    EXPECT_EQ(w.unmap(va_of(0, 2, 0, 5)), 0u);
}

// ------------------------------------------------------------ out of memory

TEST_F(Paging, MapFailsWhenNoTableCanBeAllocated) {
    mem.set_budget(0);
    EXPECT_FALSE(w.map(0x1000, 0x2000, 0));
    EXPECT_EQ(pml4()[0], 0u); // nothing half-linked
    EXPECT_FALSE(w.map_huge(0, 0, 0));
    EXPECT_EQ(w.translate(0x1000), ~0ull);
}

TEST_F(Paging, MapFailsPartwayAndRecovers) {
    for (size_t budget = 1; budget < 3; budget++) {
        FakeMemory m(budget);
        Walker walker(m, m.make_root());
        EXPECT_FALSE(walker.map(0x1000, 0x2000, 0)) << budget;
        EXPECT_EQ(walker.translate(0x1000), ~0ull) << budget;
        EXPECT_EQ(m.allocations(), budget);
        // With memory again, the tables created so far are reused.
        m.set_budget(3);
        EXPECT_TRUE(walker.map(0x1000, 0x2000, 0)) << budget;
        EXPECT_EQ(m.allocations(), 3u) << budget;
        EXPECT_EQ(walker.translate(0x1000), 0x2000u);
        // And free_tables releases everything, the early tables included.
        walker.free_tables(0, 511, nullptr, nullptr);
        EXPECT_EQ(m.live(), 1u); // only the root
    }
    FakeMemory m(1);
    Walker walker(m, m.make_root());
    EXPECT_FALSE(walker.map_huge(0, 0, 0)); // PDPT yes, PD no
    EXPECT_EQ(m.allocations(), 1u);
}

// ------------------------------------------------------------ free_tables

struct Released {
    std::multiset<uint64_t> pages;
};
void record_release(uint64_t phys, void* ctx) {
    static_cast<Released*>(ctx)->pages.insert(phys);
}

TEST_F(Paging, FreeTablesReleasesEveryTableAndEveryLeaf) {
    std::multiset<uint64_t> mapped;
    auto map = [&](uint64_t va, uint64_t phys) {
        ASSERT_TRUE(w.map(va, phys, pte::USER | pte::WRITE));
        mapped.insert(phys);
    };
    map(va_of(0, 0, 0, 0), 0x1000000);
    map(va_of(0, 0, 0, 511), 0x1001000);
    map(va_of(0, 0, 1, 3), 0x1002000);
    map(va_of(0, 7, 9, 3), 0x1003000);
    map(va_of(200, 0, 0, 0), 0x1004000);
    map(va_of(255, 511, 511, 510), 0x1005000);
    map(va_of(255, 511, 511, 509), 0x1005000); // the same frame twice: released twice
    ASSERT_TRUE(w.map_huge(va_of(3, 0, 2, 0), 0x4000000,
                           pte::USER)); // released by nobody: not a 4 KiB leaf
    const size_t tables = mem.allocations();
    EXPECT_EQ(tables, 3u + 1 + 2 + 3 + 3 + 2); // see the indices above
    w.unmap(va_of(0, 0, 1, 3));                // an unmapped leaf is not released
    mapped.erase(mapped.find(0x1002000));
    *w.leaf(va_of(0, 7, 9, 3)) &= ~pte::PRESENT; // nor one whose entry is kept but not present
    mapped.erase(mapped.find(0x1003000));

    Released released;
    w.free_tables(0, 255, record_release, &released);
    EXPECT_EQ(released.pages, mapped);
    EXPECT_EQ(mem.frees(), tables);
    EXPECT_EQ(mem.live(), 1u); // the root itself belongs to the caller
    for (unsigned i = 0; i < 512; i++) EXPECT_EQ(pml4()[i], 0u) << i;
    EXPECT_EQ(w.translate(va_of(0, 0, 0, 0)), ~0ull);
    // Freed tables are not in the released list and vice versa.
    for (uint64_t t : mem.freed()) EXPECT_EQ(released.pages.count(t), 0u);
}

TEST_F(Paging, FreeTablesOnlyTouchesTheGivenRange) {
    ASSERT_TRUE(w.map(va_of(10, 0, 0, 0), 0x100000, pte::USER));
    ASSERT_TRUE(w.map(va_of(256, 0, 0, 0), 0x200000, 0)); // kernel half
    ASSERT_TRUE(w.map(va_of(511, 510, 0, 0), 0x300000, 0));
    const uint64_t kernel_256 = pml4()[256], kernel_511 = pml4()[511];
    Released released;
    w.free_tables(0, 255, record_release, &released);
    EXPECT_EQ(released.pages, (std::multiset<uint64_t>{0x100000}));
    EXPECT_EQ(mem.frees(), 3u);
    EXPECT_EQ(pml4()[256], kernel_256);
    EXPECT_EQ(pml4()[511], kernel_511);
    EXPECT_EQ(w.translate(va_of(256, 0, 0, 0)), 0x200000u);
    EXPECT_EQ(w.translate(0xffffffff80000000ull), 0x300000u);

    // A single-entry range.
    w.free_tables(511, 511, record_release, &released);
    EXPECT_EQ(mem.frees(), 6u);
    EXPECT_EQ(pml4()[511], 0u);
    EXPECT_EQ(pml4()[256], kernel_256);
}

TEST_F(Paging, FreeTablesWithoutReleaseCallback) {
    ASSERT_TRUE(w.map(0x1000, 0x2000, 0));
    ASSERT_TRUE(w.map_huge(GiB1, 0, 0));
    w.free_tables(0, 511, nullptr, nullptr);
    EXPECT_EQ(mem.frees(), 4u); // PDPT, PD, PT + the huge page's PD (same PDPT)
    EXPECT_EQ(mem.live(), 1u);
}

TEST_F(Paging, FreeTablesSkipsOneGibPages) {
    ASSERT_TRUE(w.map(va_of(0, 0, 0, 1), 0x1000, 0));
    uint64_t* pdpt = mem.table(entry_address(pml4()[0]));
    pdpt[5] = make_entry(5 * GiB1, pte::PRESENT | pte::HUGE); // not a table: must not be freed
    Released released;
    w.free_tables(0, 0, record_release, &released);
    EXPECT_EQ(mem.frees(), 3u);
    EXPECT_EQ(released.pages, (std::multiset<uint64_t>{0x1000}));
}

TEST_F(Paging, ManyMappingsRoundTrip) {
    // 3000 pages spread over several tables at every level; every one translates back.
    std::map<uint64_t, uint64_t> expect;
    uint64_t seed = 12345;
    for (int n = 0; n < 3000; n++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        // 4 PML4 slots x 2 PDPT slots x 8 PD slots x any PT slot.
        const uint64_t va = va_of(unsigned(seed >> 60) & 3, unsigned(seed >> 58) & 1, unsigned(seed >> 50) & 7,
                                  unsigned(seed >> 32) & 511);
        const uint64_t phys = (seed >> 3) & 0xfffffff000ull;
        ASSERT_TRUE(w.map(va, phys, pte::USER | pte::WRITE));
        expect[va] = phys;
    }
    for (const auto& [va, phys] : expect) ASSERT_EQ(w.translate(va + 0x18), phys + 0x18);
    size_t unmapped = 0;
    for (const auto& [va, phys] : expect)
        if ((va >> 12) % 2 == 0) {
            ASSERT_EQ(w.unmap(va), phys);
            unmapped++;
        }
    Released released;
    const size_t tables = mem.allocations();
    w.free_tables(0, 255, record_release, &released);
    EXPECT_EQ(released.pages.size(), expect.size() - unmapped);
    EXPECT_EQ(mem.frees(), tables);
    EXPECT_EQ(mem.live(), 1u);
}

} // namespace
