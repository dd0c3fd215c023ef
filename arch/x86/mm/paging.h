#pragma once
// 4-level page tables (SDM Vol. 3A 4.5, Figures 4-8 and 4-11).
//
// The walker is written against two small interfaces, how to reach a
// physical page and where to get a new one, so the same code runs in the
// kernel (direct map, frame allocator) and in host unit tests (buffers).
#include <stddef.h>
#include <stdint.h>

namespace x86::paging {

namespace pte {
constexpr uint64_t PRESENT = 1ull << 0;
constexpr uint64_t WRITE = 1ull << 1;
constexpr uint64_t USER = 1ull << 2;
constexpr uint64_t WRITE_THROUGH = 1ull << 3;
constexpr uint64_t CACHE_DISABLE = 1ull << 4;
constexpr uint64_t ACCESSED = 1ull << 5;
constexpr uint64_t DIRTY = 1ull << 6;
constexpr uint64_t HUGE = 1ull << 7; // 2 MiB in a PD entry, 1 GiB in a PDPT entry
constexpr uint64_t GLOBAL = 1ull << 8;
constexpr uint64_t NO_EXECUTE = 1ull << 63; // needs EFER.NXE
constexpr uint64_t ADDRESS_MASK = 0x000ffffffffff000ull;
} // namespace pte

// Level 4 = PML4 ... level 1 = page table; each index is 9 bits.
constexpr unsigned index(unsigned level, uint64_t va) {
    return unsigned(va >> (12 + 9 * (level - 1))) & 511;
}
constexpr uint64_t make_entry(uint64_t phys, uint64_t flags) {
    return (phys & pte::ADDRESS_MASK) | flags;
}
constexpr uint64_t entry_address(uint64_t entry) {
    return entry & pte::ADDRESS_MASK;
}

class PhysicalMemory {
  public:
    virtual uint64_t* table(uint64_t phys) = 0; // a page table page, as 512 entries
    virtual uint64_t allocate_zeroed() = 0;     // a new zeroed page, or 0 when out of memory
    virtual void free(uint64_t phys) = 0;

  protected:
    ~PhysicalMemory() = default;
};

// Operations on the tree rooted at `root` (a PML4's physical address).
class Walker {
  public:
    Walker(PhysicalMemory& memory, uint64_t root) : memory_(memory), root_(root) {}

    // Maps one 4 KiB page. Intermediate tables are created with the
    // permissive bits (present, writable, user if `flags` has USER); the leaf
    // entry decides. Returns false if a table could not be allocated or the
    // range is covered by a huge page.
    bool map(uint64_t va, uint64_t phys, uint64_t flags);
    // Maps one 2 MiB page (va and phys 2 MiB aligned). Returns false if they
    // are not, if a table could not be allocated, or if 4 KiB pages are
    // already mapped there (their page table is never replaced).
    bool map_huge(uint64_t va, uint64_t phys, uint64_t flags);
    // Removes a 4 KiB mapping; returns the physical address it had, or 0.
    uint64_t unmap(uint64_t va);
    // The leaf entry for va (4 KiB or 2 MiB), or nullptr.
    uint64_t* leaf(uint64_t va);
    // Physical address for va, or ~0 when not mapped.
    uint64_t translate(uint64_t va);
    // Frees every page table (not the pages they map) under PML4 entries
    // [first, last], calling release(phys) for each mapped 4 KiB leaf page.
    void free_tables(unsigned first_pml4, unsigned last_pml4, void (*release)(uint64_t phys, void* ctx), void* ctx);

    uint64_t root() const { return root_; }

  private:
    uint64_t* descend(uint64_t* table, unsigned idx, uint64_t flags, bool create);

    PhysicalMemory& memory_;
    uint64_t root_;
};

} // namespace x86::paging
