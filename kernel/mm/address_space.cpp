#include "kernel/mm/address_space.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"

namespace mm {
namespace {

using namespace x86::paging;
using x86::mm::page_down;
using x86::mm::PAGE_SIZE;
using x86::mm::page_up;

void free_frame_cb(uint64_t phys, void*) {
    free_frame(phys);
}

bool is_active(uint64_t root) {
    return (x86::read_cr3() & pte::ADDRESS_MASK) == root;
}

// A PROT_NONE page keeps its frame in a non-present entry marked with this
// software bit (ignored by the CPU when P is clear), so its contents come
// back when the rights do.
constexpr uint64_t HIDDEN = 1ull << 9;

// The last-level entry for va, present or not; nullptr if no page table
// covers it. (Walker::leaf finds present entries only.)
uint64_t* entry_slot(uint64_t root, uint64_t va) {
    uint64_t* table = physical_memory().table(root);
    for (unsigned level = 4; level > 1; level--) {
        const uint64_t e = table[index(level, va)];
        if (!(e & pte::PRESENT) || (e & pte::HUGE)) return nullptr;
        table = physical_memory().table(entry_address(e));
    }
    return &table[index(1, va)];
}

} // namespace

uint64_t pte_flags_for(uint32_t prot) {
    uint64_t flags = pte::USER;
    if (prot & PROT_WRITE) flags |= pte::WRITE;
    if (!(prot & PROT_EXEC)) flags |= pte_nx();
    return flags;
}

AddressSpace* AddressSpace::create() {
    AddressSpace* as = new AddressSpace;
    if (!as) return nullptr;
    as->root_ = allocate_frame();
    if (!as->root_) {
        delete as;
        return nullptr;
    }
    // The kernel half (PML4 entries 256-511) is shared by every address space.
    uint64_t* pml4 = physical_memory().table(as->root_);
    const uint64_t* kernel = physical_memory().table(kernel_root());
    for (unsigned i = 256; i < 512; i++) pml4[i] = kernel[i];
    return as;
}

AddressSpace::~AddressSpace() {
    // Shared (vDSO) frames must survive: unmap them before freeing the rest.
    // PROT_NONE frames are not present, so free_tables would miss them.
    for (Region* r = regions_; r; r = r->next)
        if (r->shared_frames) {
            Walker w(physical_memory(), root_);
            for (uint64_t va = r->start; va < r->end; va += PAGE_SIZE) w.unmap(va);
        } else if (r->prot == PROT_NONE && root_) {
            release_pages(r->start, r->end, false);
        }
    if (root_) {
        Walker w(physical_memory(), root_);
        w.free_tables(0, 255, free_frame_cb, nullptr);
        free_frame(root_);
    }
    while (regions_) {
        Region* next = regions_->next;
        delete regions_;
        regions_ = next;
    }
}

uint64_t AddressSpace::physical_address(uint64_t va) const {
    Walker w(physical_memory(), root_);
    return w.translate(va);
}

const Region* AddressSpace::find(uint64_t va) const {
    for (const Region* r = regions_; r && r->start <= va; r = r->next)
        if (va < r->end) return r;
    return nullptr;
}

Region* AddressSpace::find_mutable(uint64_t va) {
    return const_cast<Region*>(find(va));
}

void AddressSpace::insert(Region* r) {
    Region** p = &regions_;
    while (*p && (*p)->start < r->start) p = &(*p)->next;
    r->next = *p;
    *p = r;
}

int AddressSpace::add_region(uint64_t start, uint64_t end, uint32_t prot, const char* name) {
    if (start % PAGE_SIZE || end % PAGE_SIZE || start >= end || end > x86::mm::USER_TOP) return -err::EINVAL;
    for (const Region* r = regions_; r; r = r->next)
        if (r->start < end && start < r->end) return -err::EEXIST;
    Region* r = new Region{start, end, prot, false, name, nullptr};
    if (!r) return -err::ENOMEM;
    insert(r);
    return 0;
}

int AddressSpace::map_shared(uint64_t va, uint64_t phys, uint32_t prot, const char* name) {
    if (const int e = add_region(va, va + PAGE_SIZE, prot, name)) return e;
    find_mutable(va)->shared_frames = true;
    Walker w(physical_memory(), root_);
    return w.map(va, phys, pte_flags_for(prot)) ? 0 : -err::ENOMEM;
}

bool AddressSpace::populate(uint64_t start, uint64_t end) {
    for (uint64_t va = page_down(start); va < end; va += PAGE_SIZE)
        if (!handle_fault(va, false, false) && !handle_fault(va, true, false)) return false;
    return true;
}

bool AddressSpace::write(uint64_t va, const void* src, size_t size) {
    Walker w(physical_memory(), root_);
    const uint8_t* in = static_cast<const uint8_t*>(src);
    while (size) {
        const uint64_t phys = w.translate(va);
        if (phys == ~0ull) return false;
        const size_t chunk = PAGE_SIZE - (va % PAGE_SIZE) < size ? PAGE_SIZE - (va % PAGE_SIZE) : size;
        __builtin_memcpy(x86::mm::phys_to_virt(phys), in, chunk);
        va += chunk;
        in += chunk;
        size -= chunk;
    }
    return true;
}

bool AddressSpace::zero(uint64_t va, size_t size) {
    Walker w(physical_memory(), root_);
    while (size) {
        const uint64_t phys = w.translate(va);
        if (phys == ~0ull) return false;
        const size_t chunk = PAGE_SIZE - (va % PAGE_SIZE) < size ? PAGE_SIZE - (va % PAGE_SIZE) : size;
        __builtin_memset(x86::mm::phys_to_virt(phys), 0, chunk);
        va += chunk;
        size -= chunk;
    }
    return true;
}

bool AddressSpace::handle_fault(uint64_t va, bool is_write, bool is_exec) {
    const Region* r = find(va);
    if (!r) return false;
    if (is_write && !(r->prot & PROT_WRITE)) return false;
    if (is_exec && !(r->prot & PROT_EXEC)) return false;
    if (!is_write && !is_exec && !(r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) return false;
    Walker w(physical_memory(), root_);
    if (w.translate(va) != ~0ull) return false; // present: a real protection fault
    const uint64_t frame = allocate_frame();
    if (!frame) return false;
    if (!w.map(page_down(va), frame, pte_flags_for(r->prot))) {
        free_frame(frame);
        return false;
    }
    return true;
}

void AddressSpace::release_pages(uint64_t start, uint64_t end, bool shared_frames) {
    const bool active = is_active(root_);
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t* e = entry_slot(root_, va);
        if (!e || !(*e & (pte::PRESENT | HIDDEN))) continue;
        const uint64_t phys = entry_address(*e);
        *e = 0;
        if (!shared_frames) free_frame(phys);
        if (active) x86::invlpg(va);
    }
}

int AddressSpace::resize_region(uint64_t start, uint64_t new_end, uint32_t prot, const char* name) {
    Region* r = nullptr;
    for (Region* it = regions_; it; it = it->next)
        if (it->start == start) r = it;
    if (!r) return new_end > start ? add_region(start, new_end, prot, name) : 0;
    if (new_end <= start) { // empty: drop the region
        release_pages(r->start, r->end, false);
        Region** link = &regions_;
        while (*link != r) link = &(*link)->next;
        *link = r->next;
        delete r;
        return 0;
    }
    if (new_end > r->end) {
        if (new_end > x86::mm::USER_TOP || (r->next && r->next->start < new_end)) return -err::ENOMEM;
    } else {
        release_pages(new_end, r->end, false);
    }
    r->end = new_end;
    return 0;
}

// Makes `address` a region boundary if it falls inside one.
bool AddressSpace::split_at(uint64_t address) {
    Region* r = find_mutable(address);
    if (!r || r->start == address) return true;
    Region* tail = new Region{address, r->end, r->prot, r->shared_frames, r->name, r->next};
    if (!tail) return false;
    r->end = address;
    r->next = tail;
    return true;
}

int AddressSpace::unmap(uint64_t start, uint64_t length) {
    if (start % PAGE_SIZE || !length || length > x86::mm::USER_TOP || start > x86::mm::USER_TOP - length)
        return -err::EINVAL;
    const uint64_t end = page_up(start + length);
    if (end > x86::mm::USER_TOP) return -err::EINVAL;
    if (!split_at(start) || !split_at(end)) return -err::ENOMEM;
    Region** p = &regions_;
    while (*p) {
        Region* r = *p;
        if (r->start >= start && r->end <= end && !r->shared_frames) {
            release_pages(r->start, r->end, false);
            *p = r->next;
            delete r;
        } else {
            p = &r->next;
        }
    }
    return 0;
}

void AddressSpace::apply_protection(uint64_t start, uint64_t end, uint32_t prot) {
    const bool active = is_active(root_);
    for (uint64_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t* e = entry_slot(root_, va);
        if (!e || !(*e & (pte::PRESENT | HIDDEN))) continue; // no page yet
        *e = prot == PROT_NONE ? entry_address(*e) | HIDDEN
                               : make_entry(entry_address(*e), pte_flags_for(prot) | pte::PRESENT);
        if (active) x86::invlpg(va);
    }
}

int AddressSpace::protect(uint64_t start, uint64_t length, uint32_t prot) {
    if (start % PAGE_SIZE || length > x86::mm::USER_TOP || start > x86::mm::USER_TOP - length) return -err::EINVAL;
    const uint64_t end = page_up(start + length);
    if (end > x86::mm::USER_TOP) return -err::EINVAL;
    // Every page must belong to a region (Linux: ENOMEM otherwise).
    for (uint64_t va = start; va < end;) {
        const Region* r = find(va);
        if (!r || r->shared_frames) return -err::ENOMEM;
        va = r->end;
    }
    if (!split_at(start) || !split_at(end)) return -err::ENOMEM;
    for (Region* r = regions_; r; r = r->next) {
        if (r->start >= start && r->end <= end) {
            r->prot = prot;
            apply_protection(r->start, r->end, prot);
        }
    }
    return 0;
}

uint64_t AddressSpace::find_free(uint64_t length, uint64_t below) const {
    uint64_t candidate_end = page_down(below);
    while (candidate_end >= length + PAGE_SIZE) {
        const uint64_t candidate = candidate_end - length;
        const Region* clash = nullptr;
        for (const Region* r = regions_; r; r = r->next)
            if (r->start < candidate_end && candidate < r->end) clash = r;
        if (!clash) return candidate;
        candidate_end = clash->start;
    }
    return 0;
}

AddressSpace* AddressSpace::clone() const {
    AddressSpace* copy = create();
    if (!copy) return nullptr;
    copy->brk_start = brk_start;
    copy->brk_end = brk_end;
    Walker to(physical_memory(), copy->root_);
    for (const Region* r = regions_; r; r = r->next) {
        Region* nr = new Region{r->start, r->end, r->prot, r->shared_frames, r->name, nullptr};
        if (!nr) {
            delete copy;
            return nullptr;
        }
        copy->insert(nr);
        for (uint64_t va = r->start; va < r->end; va += PAGE_SIZE) {
            const uint64_t* e = entry_slot(root_, va);
            if (!e || !(*e & (pte::PRESENT | HIDDEN))) continue;
            uint64_t phys = entry_address(*e);
            if (!r->shared_frames) {
                const uint64_t frame = allocate_frame_unzeroed();
                if (!frame) {
                    delete copy;
                    return nullptr;
                }
                __builtin_memcpy(x86::mm::phys_to_virt(frame), x86::mm::phys_to_virt(phys), PAGE_SIZE);
                phys = frame;
            }
            // A hidden (PROT_NONE) page is mapped, then hidden again.
            if (!to.map(va, phys, (*e & HIDDEN) ? pte::USER : *e & ~pte::ADDRESS_MASK)) {
                if (!r->shared_frames) free_frame(phys);
                delete copy;
                return nullptr;
            }
            if (*e & HIDDEN) *entry_slot(copy->root_, va) = phys | HIDDEN;
        }
    }
    return copy;
}

} // namespace mm
