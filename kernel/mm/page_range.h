#pragma once
// Last-level page-table entries over a range of addresses: visiting the
// ones that exist (skipping whole tables that do not, so a sparse
// reservation of terabytes costs nothing) and moving them to another
// address (mremap moves pages, it does not copy them). Pure logic over
// x86::paging::PhysicalMemory, unit-tested on the host.
//
// An entry "exists" when it is not zero: present, or a PROT_NONE page whose
// frame the address space keeps in a non-present entry (address_space.cpp).
#include <stdint.h>

#include "arch/x86/mm/paging.h"

namespace mm::page_range {

// The last-level slot for va in the tree at `root`; with `create`, the
// tables above it are made (present, writable, user: the leaf decides).
// nullptr if a table is missing (or could not be made) or a huge page
// covers va.
uint64_t* slot(x86::paging::PhysicalMemory& memory, uint64_t root, uint64_t va, bool create);

// Calls visit(va, entry) for every non-zero last-level entry of [start,
// end), in address order; start and end are page aligned.
template <typename F>
void for_each(x86::paging::PhysicalMemory& memory, uint64_t root, uint64_t start, uint64_t end, F&& visit) {
    using namespace x86::paging;
    uint64_t va = start;
    while (va < end) {
        // Descend as far as the tables go; skip what a missing table covers.
        uint64_t* table = memory.table(root);
        unsigned level = 4;
        for (; level > 1; level--) {
            const uint64_t e = table[index(level, va)];
            if (!(e & pte::PRESENT) || (e & pte::HUGE)) break;
            table = memory.table(entry_address(e));
        }
        if (level > 1) {
            const uint64_t span = 1ull << (12 + 9 * (level - 1)); // what one entry at this level covers
            const uint64_t next = (va & ~(span - 1)) + span;
            if (next <= va) return; // the top of the address space
            va = next;
            continue;
        }
        for (unsigned i = index(1, va); i < 512 && va < end; i++, va += 4096)
            if (table[i]) visit(va, table[i]);
    }
}

// Moves every existing entry of [from, from + length) to the same offset
// from `to`; the two ranges must not overlap, and the destination's entries
// are overwritten (they must be empty). flush(va) is called for each
// source address cleared. The destination's tables are made first: if one
// cannot be, nothing moves and the result is false.
bool move(x86::paging::PhysicalMemory& memory, uint64_t root, uint64_t from, uint64_t to, uint64_t length,
          void (*flush)(uint64_t va));

} // namespace mm::page_range
