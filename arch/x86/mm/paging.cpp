#include "arch/x86/mm/paging.h"

namespace x86::paging {

uint64_t* Walker::descend(uint64_t* table, unsigned idx, uint64_t flags, bool create) {
    uint64_t& entry = table[idx];
    if (entry & pte::PRESENT) {
        if (entry & pte::HUGE) return nullptr;
        // A user mapping below needs the user bit on every level (SDM 4.6).
        if ((flags & pte::USER) && !(entry & pte::USER)) entry |= pte::USER;
        return memory_.table(entry_address(entry));
    }
    if (!create) return nullptr;
    const uint64_t phys = memory_.allocate_zeroed();
    if (!phys) return nullptr;
    entry = make_entry(phys, pte::PRESENT | pte::WRITE | (flags & pte::USER));
    return memory_.table(phys);
}

bool Walker::map(uint64_t va, uint64_t phys, uint64_t flags) {
    uint64_t* table = memory_.table(root_);
    for (unsigned level = 4; level > 1; level--) {
        table = descend(table, index(level, va), flags, true);
        if (!table) return false;
    }
    table[index(1, va)] = make_entry(phys, flags | pte::PRESENT);
    return true;
}

bool Walker::map_huge(uint64_t va, uint64_t phys, uint64_t flags) {
    // Unaligned phys bits would land in the PAT and reserved bits of the entry.
    if ((va | phys) & 0x1fffff) return false;
    uint64_t* table = memory_.table(root_);
    for (unsigned level = 4; level > 2; level--) {
        table = descend(table, index(level, va), flags, true);
        if (!table) return false;
    }
    uint64_t& entry = table[index(2, va)];
    // Replacing a page table would leak it and the 4 KiB mappings under it.
    if ((entry & pte::PRESENT) && !(entry & pte::HUGE)) return false;
    entry = make_entry(phys, flags | pte::PRESENT | pte::HUGE);
    return true;
}

uint64_t* Walker::leaf(uint64_t va) {
    uint64_t* table = memory_.table(root_);
    for (unsigned level = 4; level > 1; level--) {
        uint64_t& entry = table[index(level, va)];
        if (!(entry & pte::PRESENT)) return nullptr;
        if (entry & pte::HUGE) return level == 2 ? &entry : nullptr;
        table = memory_.table(entry_address(entry));
    }
    uint64_t& entry = table[index(1, va)];
    return (entry & pte::PRESENT) ? &entry : nullptr;
}

uint64_t Walker::translate(uint64_t va) {
    const uint64_t* e = leaf(va);
    if (!e) return ~0ull;
    if (*e & pte::HUGE) return (entry_address(*e) & ~0x1fffffull) + (va & 0x1fffff);
    return entry_address(*e) + (va & 0xfff);
}

uint64_t Walker::unmap(uint64_t va) {
    uint64_t* e = leaf(va);
    if (!e || (*e & pte::HUGE)) return 0;
    const uint64_t phys = entry_address(*e);
    *e = 0;
    return phys;
}

void Walker::free_tables(unsigned first, unsigned last, void (*release)(uint64_t, void*), void* ctx) {
    uint64_t* pml4 = memory_.table(root_);
    for (unsigned i4 = first; i4 <= last; i4++) {
        if (!(pml4[i4] & pte::PRESENT)) continue;
        uint64_t* pdpt = memory_.table(entry_address(pml4[i4]));
        for (unsigned i3 = 0; i3 < 512; i3++) {
            if (!(pdpt[i3] & pte::PRESENT) || (pdpt[i3] & pte::HUGE)) continue;
            uint64_t* pd = memory_.table(entry_address(pdpt[i3]));
            for (unsigned i2 = 0; i2 < 512; i2++) {
                if (!(pd[i2] & pte::PRESENT) || (pd[i2] & pte::HUGE)) continue;
                uint64_t* pt = memory_.table(entry_address(pd[i2]));
                if (release)
                    for (unsigned i1 = 0; i1 < 512; i1++)
                        if (pt[i1] & pte::PRESENT) release(entry_address(pt[i1]), ctx);
                memory_.free(entry_address(pd[i2]));
            }
            memory_.free(entry_address(pdpt[i3]));
        }
        memory_.free(entry_address(pml4[i4]));
        pml4[i4] = 0;
    }
}

} // namespace x86::paging
