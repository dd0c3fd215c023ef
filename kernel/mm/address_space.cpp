#include "kernel/mm/address_space.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"
#include "kernel/mm/page_range.h"
#include "kernel/mm/shared_memory.h"

namespace mm {
namespace {

using namespace x86::paging;
using x86::mm::page_down;
using x86::mm::PAGE_SIZE;
using x86::mm::page_up;

// Frames kept back from mappings (enough_memory) and, fewer, from page
// faults, so that a program eating all memory cannot starve the kernel.
constexpr uint64_t RESERVE_FRAMES = 256;
constexpr uint64_t FAULT_RESERVE_FRAMES = 64;
// Linux's default RLIMIT_STACK: how far a grows-down region may grow.
constexpr uint64_t STACK_LIMIT = 8ull << 20;
// Linux's default vm.mmap_min_addr: a grows-down region stops above it.
constexpr uint64_t MIN_ADDRESS = 0x10000;

void free_frame_cb(uint64_t phys, void*) {
    free_frame(phys);
}

bool is_active(uint64_t root) {
    return (x86::read_cr3() & pte::ADDRESS_MASK) == root;
}

void flush_page(uint64_t va) {
    x86::invlpg(va);
}

// A PROT_NONE page keeps its frame in a non-present entry marked with this
// software bit (ignored by the CPU when P is clear), so its contents come
// back when the rights do.
constexpr uint64_t HIDDEN = 1ull << 9;

uint64_t entry_for(uint64_t phys, uint32_t prot) {
    return prot == PROT_NONE ? entry_address(phys) | HIDDEN : make_entry(phys, pte_flags_for(prot) | pte::PRESENT);
}

} // namespace

uint64_t pte_flags_for(uint32_t prot) {
    uint64_t flags = pte::USER;
    if (prot & PROT_WRITE) flags |= pte::WRITE;
    if (!(prot & PROT_EXEC)) flags |= pte_nx();
    return flags;
}

bool enough_memory(uint64_t bytes) {
    return bytes / PAGE_SIZE + RESERVE_FRAMES <= free_frames();
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
    // Every region's pages first (private frames freed, shared and kernel
    // ones only unmapped), then the tables themselves.
    while (Region* r = list_.head()) {
        list_.unlink(r);
        if (root_) destroy(r);
    }
    if (root_) {
        Walker w(physical_memory(), root_);
        w.free_tables(0, 255, free_frame_cb, nullptr); // no present page is left by now
        free_frame(root_);
    }
}

void AddressSpace::release(const Region& r, uint64_t start, uint64_t end) {
    const bool active = is_active(root_);
    const bool owned = r.backing == Backing::Private;
    page_range::for_each(physical_memory(), root_, start, end, [&](uint64_t va, uint64_t& e) {
        const uint64_t phys = entry_address(e);
        e = 0;
        if (owned) free_frame(phys);
        if (active) x86::invlpg(va);
    });
}

uint64_t AddressSpace::physical_address(uint64_t va) const {
    Walker w(physical_memory(), root_);
    return w.translate(va);
}

void AddressSpace::destroy(Region* r) {
    release(*r, r->start, r->end);
    if (r->backing == Backing::Shared) r->object->put(physical_memory());
    delete r;
}

int AddressSpace::add_region(uint64_t start, uint64_t end, uint32_t prot, const char* name) {
    Region spec{start, end, prot, vm::MAY_ALL, Backing::Private, Special::None, nullptr, 0, name, nullptr};
    return add_region(spec);
}

int AddressSpace::add_region(const Region& spec) {
    if (spec.start % PAGE_SIZE || spec.end % PAGE_SIZE || spec.start >= spec.end || spec.end > x86::mm::USER_TOP)
        return -err::EINVAL;
    if (list_.intersects(spec.start, spec.end)) return -err::EEXIST;
    if (list_.count() >= RegionList::MAX_REGIONS) return -err::ENOMEM;
    Region* r = new Region(spec);
    if (!r) return -err::ENOMEM;
    r->next = nullptr;
    list_.insert(r);
    list_.merge_around(spec.start, spec.end);
    return 0;
}

int AddressSpace::map_kernel(uint64_t va, const uint64_t* frames, size_t pages, uint32_t prot, uint32_t may,
                             Special special, const char* name) {
    Region spec{va, va + pages * PAGE_SIZE, prot, may, Backing::Kernel, special, nullptr, 0, name, nullptr};
    if (const int e = add_region(spec)) return e;
    for (size_t i = 0; i < pages; i++) {
        uint64_t* e = page_range::slot(physical_memory(), root_, va + i * PAGE_SIZE, true);
        if (!e) return -err::ENOMEM; // the region goes with the address space
        *e = entry_for(frames[i], prot);
    }
    return 0;
}

bool AddressSpace::fault_in(const Region& r, uint64_t page) {
    uint64_t frame = 0;
    if (r.backing == Backing::Private) {
        if (free_frames() < FAULT_RESERVE_FRAMES || !(frame = allocate_frame())) return false;
    } else if (r.backing == Backing::Shared) {
        const uint64_t index = r.pgoff + (page - r.start) / PAGE_SIZE;
        if (!r.object->frame(index) && free_frames() < FAULT_RESERVE_FRAMES) return false;
        if (!(frame = r.object->frame_or_allocate(index, physical_memory())))
            return false; // past the end: Linux's SIGBUS
    } else {
        return false; // the vDSO's pages are always there
    }
    uint64_t* e = page_range::slot(physical_memory(), root_, page, true);
    if (!e) {
        if (r.backing == Backing::Private) free_frame(frame);
        return false;
    }
    *e = entry_for(frame, r.prot);
    return true;
}

bool AddressSpace::populate(uint64_t start, uint64_t end, bool for_program) {
    start = page_down(start);
    for (const Region* r = list_.first_ending_above(start); r && r->start < end; r = r->next) {
        if (r->prot == PROT_NONE || r->backing == Backing::Kernel) continue;
        if (for_program && r->backing == Backing::Private && !(r->prot & PROT_WRITE)) continue;
        const uint64_t from = r->start > start ? r->start : start, to = r->end < end ? r->end : end;
        for (uint64_t va = from; va < to; va += PAGE_SIZE) {
            const uint64_t* e = page_range::slot(physical_memory(), root_, va, false);
            if ((!e || !*e) && !fault_in(*r, va)) return false;
        }
    }
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

// Linux's expand_downwards (mm/mmap.c): a fault below a grows-down region
// extends it, unless that comes within the guard gap of the region below
// or makes it larger than the stack limit.
Region* AddressSpace::grow_down(uint64_t va) {
    Region* r = list_.first_ending_above(va);
    if (!r || !(r->flags & vm::GROWSDOWN) || r->start <= va) return nullptr;
    const uint64_t page = page_down(va);
    if (page < MIN_ADDRESS || r->end - page > STACK_LIMIT) return nullptr;
    const Region* prev = list_.before(r);
    if (prev && !(prev->flags & vm::GROWSDOWN) && prev->prot != PROT_NONE && page - prev->end < STACK_GUARD_GAP)
        return nullptr;
    r->start = page;
    return r;
}

bool AddressSpace::handle_fault(uint64_t va, bool is_write, bool is_exec) {
    if (va >= x86::mm::USER_TOP) return false;
    const Region* r = list_.find(va);
    if (!r) r = grow_down(va);
    if (!r) return false;
    if (is_write && !(r->prot & PROT_WRITE)) return false;
    if (is_exec && !(r->prot & PROT_EXEC)) return false;
    if (!is_write && !is_exec && !(r->prot & PROT_ALL)) return false;
    const uint64_t* e = page_range::slot(physical_memory(), root_, page_down(va), false);
    if (e && *e) return false; // present: a real protection fault
    return fault_in(*r, page_down(va));
}

int AddressSpace::resize_region(uint64_t start, uint64_t new_end, uint32_t prot, const char* name) {
    Region* r = nullptr;
    for (Region* it = list_.head(); it; it = it->next)
        if (it->start == start) r = it;
    if (!r) return new_end > start ? add_region(start, new_end, prot, name) : 0;
    if (new_end <= start) { // empty: drop the region
        list_.unlink(r);
        destroy(r);
        return 0;
    }
    if (new_end > r->end) {
        if (new_end > x86::mm::USER_TOP || (r->next && r->next->start < new_end)) return -err::ENOMEM;
    } else {
        release(*r, new_end, r->end);
    }
    r->end = new_end;
    return 0;
}

int AddressSpace::unmap(uint64_t start, uint64_t length) {
    const uint64_t end = start + length;
    Region* first = list_.first_ending_above(start);
    if (!first || first->start >= end) return 0;
    Region* last = list_.find(end - 1);
    // Special mappings are never cut (Linux's special_mapping_split).
    if (first->start < start && first->special != Special::None) return -err::EINVAL;
    if (last && last->end > end && last->special != Special::None) return -err::EINVAL;
    if (!list_.split_at(start) || !list_.split_at(end)) return -err::ENOMEM;
    Region* r = list_.first_ending_above(start);
    while (r && r->start < end) {
        Region* next = r->next;
        list_.unlink(r);
        destroy(r);
        r = next;
    }
    return 0;
}

void AddressSpace::apply_protection(uint64_t start, uint64_t end, uint32_t prot) {
    const bool active = is_active(root_);
    page_range::for_each(physical_memory(), root_, start, end, [&](uint64_t va, uint64_t& e) {
        e = entry_for(entry_address(e), prot);
        if (active) x86::invlpg(va);
    });
}

int AddressSpace::protect(uint64_t start, uint64_t length, uint32_t prot, bool grows_down) {
    const uint64_t end = start + length;
    Region* r = list_.first_ending_above(start);
    if (!r) return -err::ENOMEM;
    if (grows_down) {
        if (r->start >= end) return -err::ENOMEM;
        start = r->start;
        if (!(r->flags & vm::GROWSDOWN)) return -err::EINVAL;
    } else if (r->start > start) {
        return -err::ENOMEM;
    }
    int error = 0;
    uint64_t at = start;
    while (true) {
        // Here r->start <= at < r->end.
        const uint64_t piece_end = r->end < end ? r->end : end;
        if (prot & ~(r->flags >> vm::MAY_SHIFT) & PROT_ALL) {
            error = -err::EACCES;
            break;
        }
        if (r->special != Special::None && (r->start != at || r->end != piece_end)) {
            error = -err::EINVAL;
            break;
        }
        uint32_t flags = r->flags;
        // Private memory that becomes writable is checked once (Linux:
        // mprotect_fixup charges it unless it was already).
        if ((prot & PROT_WRITE) && r->backing == Backing::Private && !(r->flags & (vm::ACCOUNT | vm::NORESERVE)) &&
            !(r->prot & PROT_WRITE)) {
            if (!enough_memory(piece_end - at)) {
                error = -err::ENOMEM;
                break;
            }
            flags |= vm::ACCOUNT;
        }
        if (!list_.split_at(at) || !list_.split_at(piece_end)) {
            error = -err::ENOMEM;
            break;
        }
        Region* piece = list_.find(at);
        piece->prot = prot;
        piece->flags = flags;
        apply_protection(at, piece_end, prot);
        at = piece_end;
        if (at >= end) break;
        r = piece->next;
        if (!r || r->start != at) {
            error = -err::ENOMEM;
            break;
        }
    }
    list_.merge_around(start, at);
    return error;
}

int AddressSpace::expand(uint64_t old_start, uint64_t new_end) {
    Region* r = find_mutable(old_start);
    if (!r || new_end <= r->end) return -err::EINVAL;
    if ((r->flags & vm::ACCOUNT) && !enough_memory(new_end - r->end)) return -err::ENOMEM;
    const uint64_t old_end = r->end;
    r->end = new_end;
    const bool locked = r->flags & vm::LOCKED;
    list_.merge_around(old_end, new_end);
    if (locked) populate(old_end, new_end, true);
    return 0;
}

int AddressSpace::move(uint64_t old_start, uint64_t old_len, uint64_t new_start, uint64_t new_len, bool keep_old) {
    Region* r = find_mutable(old_start);
    if (!r || !old_len || old_start + old_len > r->end) return -err::EFAULT;
    const uint64_t old_end = old_start + old_len;
    if (r->special != Special::None && (r->start != old_start || r->end != old_end)) return -err::EINVAL;
    if (r->flags & vm::ACCOUNT) {
        const uint64_t more = keep_old ? new_len : (new_len > old_len ? new_len - old_len : 0);
        if (more && !enough_memory(more)) return -err::ENOMEM;
    }
    if (list_.count() + 3 > RegionList::MAX_REGIONS) return -err::ENOMEM;
    if (!list_.split_at(old_start) || !list_.split_at(old_end)) return -err::ENOMEM;
    Region* piece = find_mutable(old_start);
    Region* moved = piece;
    if (keep_old) {
        moved = new Region(*piece);
        if (!moved) return -err::ENOMEM;
        if (moved->backing == Backing::Shared) moved->object->get();
    }
    const uint64_t len = old_len < new_len ? old_len : new_len;
    if (!page_range::move(physical_memory(), root_, old_start, new_start, len,
                          is_active(root_) ? flush_page : nullptr)) {
        if (keep_old) {
            if (moved->backing == Backing::Shared) moved->object->drop_duplicate();
            delete moved;
        }
        return -err::ENOMEM;
    }
    if (keep_old) {
        piece->flags &= ~(vm::LOCKED | vm::LOCKONFAULT);
    } else {
        list_.unlink(piece);
    }
    moved->start = new_start;
    moved->end = new_start + new_len;
    moved->next = nullptr;
    list_.insert(moved);
    if (moved->special == Special::Vdso) vdso_base = new_start;
    const bool locked = moved->flags & vm::LOCKED;
    list_.merge_around(new_start, new_start + new_len);
    if (locked && new_len > old_len) populate(new_start + old_len, new_start + new_len, true);
    return 0;
}

int AddressSpace::change_flags(uint64_t start, uint64_t end, uint32_t set, uint32_t clear) {
    Region* r = find_mutable(start);
    if (!r || end > r->end) return -err::EFAULT;
    const uint32_t flags = (r->flags & ~clear) | set;
    if (flags == r->flags) return 0;
    if (r->special != Special::None && (r->start != start || r->end != end)) return -err::EINVAL;
    if (!list_.split_at(start) || !list_.split_at(end)) return -err::ENOMEM;
    find_mutable(start)->flags = flags;
    list_.merge_around(start, end);
    return 0;
}

void AddressSpace::discard(uint64_t start, uint64_t end) {
    const Region* r = list_.find(start);
    if (!r || r->backing == Backing::Kernel) return;
    release(*r, start, end < r->end ? end : r->end);
}

void AddressSpace::remove_shared(uint64_t start, uint64_t end) {
    const Region* r = list_.find(start);
    if (!r || r->backing != Backing::Shared) return;
    if (end > r->end) end = r->end;
    release(*r, start, end);
    const bool only_mapping = r->object->refs() == 1;
    for (uint64_t va = start; va < end; va += PAGE_SIZE)
        r->object->remove(r->pgoff + (va - r->start) / PAGE_SIZE, physical_memory(), only_mapping);
}

bool AddressSpace::resident(const Region& r, uint64_t va) const {
    if (r.backing == Backing::Kernel) return true; // Linux: a special mapping reads as all resident
    if (r.backing == Backing::Shared && r.object->frame(r.pgoff + (va - r.start) / PAGE_SIZE)) return true;
    const uint64_t* e = page_range::slot(physical_memory(), root_, page_down(va), false);
    return e && *e;
}

AddressSpace* AddressSpace::clone() const {
    AddressSpace* copy = create();
    if (!copy) return nullptr;
    copy->brk_start = brk_start;
    copy->brk_end = brk_end;
    copy->vdso_base = vdso_base;
    for (const Region* r = list_.head(); r; r = r->next) {
        if (r->flags & vm::DONTCOPY) continue;
        Region* nr = new Region(*r);
        if (!nr) {
            delete copy;
            return nullptr;
        }
        nr->next = nullptr;
        nr->flags &= ~(vm::LOCKED | vm::LOCKONFAULT); // memory locks are not inherited
        if (nr->backing == Backing::Shared) nr->object->get();
        copy->list_.insert(nr);
        // Shared pages appear in the child on first touch, from the object;
        // private ones are copied now, the vDSO's mapped as they are.
        if (r->backing == Backing::Shared || (r->flags & vm::WIPEONFORK)) continue;
        bool ok = true;
        page_range::for_each(physical_memory(), root_, r->start, r->end, [&](uint64_t va, uint64_t& e) {
            if (!ok) return;
            uint64_t phys = entry_address(e);
            if (r->backing == Backing::Private) {
                const uint64_t frame = allocate_frame_unzeroed();
                if (!frame) {
                    ok = false;
                    return;
                }
                __builtin_memcpy(x86::mm::phys_to_virt(frame), x86::mm::phys_to_virt(phys), PAGE_SIZE);
                phys = frame;
            }
            uint64_t* slot = page_range::slot(physical_memory(), copy->root_, va, true);
            if (!slot) {
                if (r->backing == Backing::Private) free_frame(phys);
                ok = false;
                return;
            }
            *slot = phys | (e & ~pte::ADDRESS_MASK);
        });
        if (!ok) {
            delete copy;
            return nullptr;
        }
    }
    return copy;
}

} // namespace mm
