#include "kernel/mm/page_range.h"

namespace mm::page_range {

using namespace x86::paging;

uint64_t* slot(PhysicalMemory& memory, uint64_t root, uint64_t va, bool create) {
    uint64_t* table = memory.table(root);
    for (unsigned level = 4; level > 1; level--) {
        uint64_t& e = table[index(level, va)];
        if (e & pte::PRESENT) {
            if (e & pte::HUGE) return nullptr;
            e |= pte::USER; // a user page below needs the user bit on every level (SDM 4.6)
        } else {
            if (!create) return nullptr;
            const uint64_t phys = memory.allocate_zeroed();
            if (!phys) return nullptr;
            e = make_entry(phys, pte::PRESENT | pte::WRITE | pte::USER);
        }
        table = memory.table(entry_address(e));
    }
    return &table[index(1, va)];
}

bool move(PhysicalMemory& memory, uint64_t root, uint64_t from, uint64_t to, uint64_t length,
          void (*flush)(uint64_t va)) {
    bool ok = true;
    for_each(memory, root, from, from + length, [&](uint64_t va, uint64_t&) {
        if (ok && !slot(memory, root, va - from + to, true)) ok = false;
    });
    if (!ok) return false;
    for_each(memory, root, from, from + length, [&](uint64_t va, uint64_t& e) {
        *slot(memory, root, va - from + to, false) = e;
        e = 0;
        if (flush) flush(va);
    });
    return true;
}

} // namespace mm::page_range
