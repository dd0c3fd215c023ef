#include "kernel/mm/regions.h"

#include "kernel/mm/shared_memory.h"

namespace mm {
namespace {

constexpr uint64_t PAGE = 4096;

} // namespace

uint64_t start_gap(const Region& r) {
    if (!(r.flags & vm::GROWSDOWN)) return r.start;
    return r.start > STACK_GUARD_GAP ? r.start - STACK_GUARD_GAP : 0;
}

bool mergeable(const Region& a, const Region& b) {
    if (a.end != b.start || a.prot != b.prot || a.flags != b.flags || a.backing != b.backing) return false;
    if (a.special != Special::None || b.special != Special::None || a.backing == Backing::Kernel) return false;
    if (a.name != b.name) return false;
    if (a.backing == Backing::Shared) return a.object == b.object && a.pgoff + a.size() / PAGE == b.pgoff;
    return true;
}

Region* RegionList::find(uint64_t va) const {
    for (Region* r = head_; r && r->start <= va; r = r->next)
        if (va < r->end) return r;
    return nullptr;
}

Region* RegionList::first_ending_above(uint64_t va) const {
    for (Region* r = head_; r; r = r->next)
        if (r->end > va) return r;
    return nullptr;
}

Region* RegionList::before(const Region* r) const {
    Region* prev = nullptr;
    for (Region* it = head_; it && it != r; it = it->next) prev = it;
    return prev;
}

bool RegionList::intersects(uint64_t start, uint64_t end) const {
    for (const Region* r = head_; r && r->start < end; r = r->next)
        if (start < r->end) return true;
    return false;
}

void RegionList::insert(Region* r) {
    Region** p = &head_;
    while (*p && (*p)->start < r->start) p = &(*p)->next;
    r->next = *p;
    *p = r;
    count_++;
}

void RegionList::unlink(Region* r) {
    for (Region** p = &head_; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            r->next = nullptr;
            count_--;
            return;
        }
    }
}

bool RegionList::split_at(uint64_t address) {
    Region* r = find(address);
    if (!r || r->start == address) return true;
    if (count_ >= MAX_REGIONS) return false;
    Region* tail = new Region(*r);
    if (!tail) return false;
    tail->start = address;
    if (r->backing == Backing::Shared) {
        tail->pgoff = r->pgoff + (address - r->start) / PAGE;
        r->object->get();
    }
    r->end = address;
    r->next = tail;
    count_++;
    return true;
}

bool RegionList::merge_with_next(Region* r) {
    Region* n = r->next;
    if (!n || !mergeable(*r, *n)) return false;
    r->end = n->end;
    r->next = n->next;
    count_--;
    if (n->backing == Backing::Shared) n->object->drop_duplicate();
    delete n;
    return true;
}

void RegionList::merge_around(uint64_t start, uint64_t end) {
    Region* prev = nullptr;
    Region* r = head_;
    while (r && r->end < start) {
        prev = r;
        r = r->next;
    }
    if (prev) r = prev; // the neighbour below may join the first one that meets the range
    while (r && r->start <= end) {
        if (!merge_with_next(r)) r = r->next;
    }
}

bool is_free(const RegionList& list, uint64_t start, uint64_t length) {
    const uint64_t end = start + length;
    if (end < start) return false;
    for (const Region* r = list.head(); r; r = r->next) {
        if (start_gap(*r) >= end) break; // sorted by start, and gaps only reach down
        if (start < r->end) return false;
    }
    return true;
}

namespace {

// Calls visit(gap_start, gap_end) for every free stretch of [low, high)
// from the bottom up, the guard gaps below grows-down regions left out;
// stops when visit returns true.
template <typename F>
void for_each_gap(const RegionList& list, uint64_t low, uint64_t high, F&& visit) {
    uint64_t from = 0;
    for (const Region* r = list.head(); r; r = r->next) {
        uint64_t to = start_gap(*r);
        if (to > from) {
            const uint64_t a = from > low ? from : low, b = to < high ? to : high;
            if (a < b && visit(a, b)) return;
        }
        if (r->end > from) from = r->end;
        if (from >= high) return;
    }
    const uint64_t a = from > low ? from : low;
    if (a < high) visit(a, high);
}

} // namespace

uint64_t find_top_down(const RegionList& list, uint64_t length, uint64_t low, uint64_t high) {
    uint64_t found = 0;
    if (!length || high < low || length > high - low) return 0;
    for_each_gap(list, low, high, [&](uint64_t a, uint64_t b) {
        if (b - a >= length) found = b - length; // the last fit is the highest
        return false;
    });
    return found;
}

uint64_t find_bottom_up(const RegionList& list, uint64_t length, uint64_t low, uint64_t high) {
    uint64_t found = 0;
    if (!length || high < low || length > high - low) return 0;
    for_each_gap(list, low, high, [&](uint64_t a, uint64_t b) {
        if (b - a < length) return false;
        found = a;
        return true;
    });
    return found;
}

uint64_t place(const RegionList& list, const Placement& q) {
    if (!q.length || q.length > q.task_size) return 0;
    const uint64_t low = q.min_address > PAGE ? q.min_address : PAGE;
    if (q.low_2g) {
        // arch_get_unmapped_area with find_start_end's MAP_32BIT window.
        if (q.length > MAP_32BIT_HIGH) return 0;
        if (q.hint && q.hint <= MAP_32BIT_HIGH - q.length && is_free(list, q.hint, q.length)) return q.hint;
        return find_bottom_up(list, q.length, MAP_32BIT_LOW, MAP_32BIT_HIGH);
    }
    if (q.hint && q.hint <= q.task_size - q.length && is_free(list, q.hint, q.length)) return q.hint;
    const uint64_t base = q.mmap_base < q.task_size ? q.mmap_base : q.task_size;
    if (const uint64_t a = find_top_down(list, q.length, low, base)) return a;
    // The legacy layout as a last resort: upwards from a third of user space.
    const uint64_t legacy = ((q.task_size / 3) + PAGE - 1) & ~(PAGE - 1);
    return find_bottom_up(list, q.length, legacy > low ? legacy : low, q.task_size);
}

} // namespace mm
